//! `todoctl show values|schema|chart|readme`: a chart's own files, as written; `todoctl show
//! plan`: a saved plan's diff.

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
    /// A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets
    /// redacted as `diff` redacts them
    ///
    /// For the reviewer who gets the plan from CI. Reads only the file: needs no cluster.
    /// Refuses a file that is not a plan or was damaged since it was written.
    ///
    /// Examples:
    ///   todoctl show plan todo-app.plan
    ///   todoctl show plan todo-app.plan -o json
    #[command(verbatim_doc_comment)]
    Plan(ShowPlanArgs),
}

#[derive(Debug, Args)]
pub struct ShowPlanArgs {
    /// The plan file
    #[arg(value_name = "PLAN")]
    pub plan: std::path::PathBuf,
    /// Show secret values in the diff
    #[arg(long)]
    pub show_secrets: bool,
    /// Output format (table is a unified diff, coloured on a terminal)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: super::OutputFormat,
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
        ShowCommand::Plan(a) => return show_plan(a, &env.ui),
    };
    let bytes = ops::show(args.chart.chart.as_deref(), file)?;
    env.ui.out_bytes(&bytes)?;
    Ok(ExitCode::SUCCESS)
}

fn show_plan(args: &ShowPlanArgs, ui: &crate::ui::Ui) -> Result<ExitCode> {
    let shown = ops::show_plan(ui, &args.plan, args.show_secrets)?;
    if args.output == super::OutputFormat::Table {
        crate::outln!(
            ui,
            "plan for release `{}` in namespace `{}`: {}, chart {} {}, made {} by todoctl {} against {}",
            shown.release,
            shown.namespace,
            match shown.base {
                Some(n) => format!("upgrades revision {n}"),
                None => "installs the release".to_string(),
            },
            shown.chart.name,
            shown.chart.version,
            crate::ui::time::human(shown.created),
            shown.todoctl_version,
            shown.server
        )?;
    }
    super::diff::print_diff(ui, &shown, &shown.diff, args.output, args.show_secrets)?;
    Ok(ExitCode::SUCCESS)
}
