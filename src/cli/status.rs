//! `todoctl status`: a release's facts and the live health of its objects.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{OutputFormat, ReleaseArgs};

/// Show a release: its revision and status, the health of every object it owns (ready
/// replicas, pod problems and recent warning events), and its notes.
///
/// Examples:
///   todoctl status
///   todoctl status --revision 2 -o yaml
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct StatusArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// Show this revision's record instead of the latest
    #[arg(long)]
    pub revision: Option<u64>,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &StatusArgs, g: &GlobalArgs) -> Result<ExitCode> {
    let _ = args;
    super::needs_cluster("status", g)
}
