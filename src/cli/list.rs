//! `todoctl list`: releases in a namespace or everywhere.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::OutputFormat;

/// List releases: name, namespace, revision, status, chart, updated.
///
/// Examples:
///   todoctl list
///   todoctl list -A -o json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Namespace to list
    #[arg(short = 'n', long, default_value = "todo-app")]
    pub namespace: String,
    /// List releases in every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &ListArgs, g: &GlobalArgs) -> Result<ExitCode> {
    let _ = args;
    super::needs_cluster("list", g)
}
