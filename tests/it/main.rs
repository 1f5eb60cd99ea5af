//! The one integration test binary: a module per concern, a shared cluster harness.
mod cli;
mod cluster_smoke;
mod drift;
mod harness;
mod lifecycle;
mod lock;
mod readiness;
mod release_store;
mod run;
mod chart_features;
mod faults;
