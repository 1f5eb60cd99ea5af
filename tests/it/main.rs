//! The one integration test binary: a module per concern, a shared cluster harness.
mod chart_features;
mod cli;
mod cluster_smoke;
mod corrupt;
mod drift;
mod faults;
mod get_all;
mod harness;
mod hostile;
mod lifecycle;
mod lock;
mod rbac;
mod readiness;
mod release_store;
mod run;
mod seed_names;
mod show;
