//! `todoctl get values|manifest|notes`: what a revision recorded.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::GlobalArgs;
use super::args::{OutputFormat, ReleaseArgs};

/// Show what a release revision recorded.
#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// The values the user supplied (--all: merged with the chart defaults)
    ///
    /// Examples:
    ///   todoctl get values
    ///   todoctl get values --all --revision 2 -o json
    #[command(verbatim_doc_comment)]
    Values(GetValuesArgs),
    /// The rendered objects that were applied
    ///
    /// Examples:
    ///   todoctl get manifest
    ///   todoctl get manifest --revision 1
    #[command(verbatim_doc_comment)]
    Manifest(GetArgs),
    /// The notes shown after install or upgrade
    ///
    /// Examples:
    ///   todoctl get notes
    #[command(verbatim_doc_comment)]
    Notes(GetArgs),
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// The revision (default: the latest)
    #[arg(long)]
    pub revision: Option<u64>,
}

#[derive(Debug, Args)]
pub struct GetValuesArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// All computed values, not only those the user supplied
    #[arg(short, long)]
    pub all: bool,
    /// Show secret values instead of <redacted>
    #[arg(long)]
    pub show_secrets: bool,
    /// Output format (table prints YAML)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(cmd: &GetCommand, g: &GlobalArgs) -> Result<ExitCode> {
    let _ = cmd;
    super::needs_cluster("get", g)
}
