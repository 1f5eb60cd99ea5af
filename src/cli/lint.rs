//! `todoctl lint`: every check `template` runs, plus best-practice warnings.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::args::{CapabilityArgs, ChartArgs, ReleaseFlags, ValuesArgs};
use crate::ops;

/// Check the chart and values: schema, templates, object validity, and best practices.
///
/// Errors (a schema violation, a template error, an invalid object) always fail. Warnings
/// (missing resource limits or probes, a container that may run as root, a writable root
/// filesystem, a `latest` image tag) fail only with --strict.
///
/// Examples:
///   todoctl lint
///   todoctl lint --strict -f values/production.yaml
///   todoctl lint ./my-chart
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct LintArgs {
    #[command(flatten)]
    pub release: ReleaseFlags,
    #[command(flatten)]
    pub chart: ChartArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub capabilities: CapabilityArgs,
    /// Treat warnings as failures
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &LintArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let release = args.release.resolve(None)?;
    let render = args
        .capabilities
        .prepare_options(&release, &args.chart, &args.values);
    let report = ops::lint(ui, &render)?;
    for finding in &report.warnings {
        crate::errln!(ui, "{finding}");
    }
    let n = report.warnings.len();
    if args.strict && n > 0 {
        bail!(
            "lint found {} and --strict treats warnings as failures; fix them or drop --strict",
            crate::ui::plural(n, "warning")
        );
    }
    crate::outln!(
        ui,
        "{}: {} checked, {}, 0 errors",
        report.chart,
        crate::ui::plural(report.objects, "object"),
        crate::ui::plural(n, "warning")
    )?;
    Ok(ExitCode::SUCCESS)
}
