//! todoctl: a deployer for one application on Kubernetes.
//!
//! The library renders a chart with values, validates and orders the objects, and (with a cluster)
//! applies, waits for and records releases. `cli` is the only module that knows about clap.

// Everything for stdout goes through `ui::out` (`out!`, `outln!`), which ends quietly when the
// reader has gone away; `print!` and `println!` panic then.
#![deny(clippy::print_stdout)]

pub mod cancel;
pub mod chart;
pub mod cli;
pub mod cluster;
pub mod context;
pub mod diff;
pub mod error;
pub mod manifest;
pub mod ops;
pub mod release;
pub mod render;
pub mod ui;
pub mod values;
pub mod yaml;
