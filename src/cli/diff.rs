//! `todoctl diff`: what an upgrade would change, measured against the live cluster.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{ChartArgs, OutputFormat, ReleaseArgs, ValuesArgs};

/// Show what `todoctl upgrade` with the same flags would change in the cluster.
///
/// Compares a server-side dry run of every object with what is live: objects to create, fields
/// to change, objects to delete. Secret values show only as changed or unchanged.
///
/// Examples:
///   todoctl diff --set backend.replicaCount=4
///   todoctl diff --detailed-exitcode
///   todoctl diff --revision 1 --revision 2
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DiffArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub chart: ChartArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Forget the previous revision's values: start from the chart defaults
    #[arg(long)]
    pub reset_values: bool,
    /// Exit 2 when there are changes, 0 when there are none, 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Compare two stored revisions instead (give it twice)
    #[arg(long, num_args = 1, value_name = "N")]
    pub revision: Vec<u64>,
    /// Show secret values in the diff
    #[arg(long)]
    pub show_secrets: bool,
    /// Output format (table is a coloured unified diff)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &DiffArgs, g: &GlobalArgs) -> Result<ExitCode> {
    let _ = args;
    super::needs_cluster("diff", g)
}
