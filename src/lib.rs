//! todoctl: a deployer for one application on Kubernetes.
//!
//! The library renders a chart with values, validates and orders the objects, and (with a cluster)
//! applies, waits for and records releases. `cli` is the only module that knows about clap.

// Everything goes through the command's `ui::Ui` (`out!`, `outln!`, `errln!` and its methods),
// which scrubs remembered secrets from every line and ends quietly when stdout's reader has gone
// away; `print!` and `println!` panic then, and `eprint!` would skip the scrubber.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cancel;
pub mod chart;
pub mod cli;
pub mod cluster;
pub mod context;
pub mod diff;
pub mod error;
pub mod manifest;
pub mod ops;
pub mod plan;
pub mod release;
pub mod render;
pub mod ui;
pub mod values;
pub mod yaml;
