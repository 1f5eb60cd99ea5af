//! `todoctl history`: the revisions of a release.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{OutputFormat, ReleaseArgs};

/// Show the revisions of a release: when, status, chart, app version, description.
///
/// Examples:
///   todoctl history
///   todoctl history --max 5 -o json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// Show at most this many of the newest revisions
    #[arg(long, default_value_t = 256)]
    pub max: usize,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &HistoryArgs, g: &GlobalArgs) -> Result<ExitCode> {
    let _ = args;
    super::needs_cluster("history", g)
}
