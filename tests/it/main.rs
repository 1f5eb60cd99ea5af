//! The one integration test binary: a module per concern, a shared cluster harness.
mod harness;
mod cluster_smoke;
