//! `todoctl show values|schema|chart|readme`: a chart's own files, as written.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::args::ChartArgs;
use crate::ops::{self, ChartFile};

/// Show a chart's files: its default values, values schema, metadata or README.
///
/// Reads the built-in todo-app chart, or the chart directory given with --chart. Needs no
/// cluster.
#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// The chart's values.yaml, exactly as written: every value with its default and comment
    ///
    /// Examples:
    ///   todoctl show values
    ///   todoctl show values --chart ./my-chart > my-values.yaml
    #[command(verbatim_doc_comment)]
    Values(ShowArgs),
    /// The chart's values schema (values.schema.json), which values are checked against
    ///
    /// Examples:
    ///   todoctl show schema | jq '.properties | keys'
    #[command(verbatim_doc_comment)]
    Schema(ShowArgs),
    /// The chart's Chart.yaml: name, version, app version, description
    ///
    /// Examples:
    ///   todoctl show chart
    #[command(verbatim_doc_comment)]
    Chart(ShowArgs),
    /// The chart's README: what it deploys, its main values and overlays
    ///
    /// Examples:
    ///   todoctl show readme
    #[command(verbatim_doc_comment)]
    Readme(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub chart: ChartArgs,
}

pub fn run(cmd: &ShowCommand, env: &super::Env) -> Result<ExitCode> {
    let (args, file) = match cmd {
        ShowCommand::Values(a) => (a, ChartFile::Values),
        ShowCommand::Schema(a) => (a, ChartFile::Schema),
        ShowCommand::Chart(a) => (a, ChartFile::Chart),
        ShowCommand::Readme(a) => (a, ChartFile::Readme),
    };
    let bytes = ops::show(args.chart.chart.as_deref(), file)?;
    env.ui.out_bytes(&bytes)?;
    Ok(ExitCode::SUCCESS)
}
