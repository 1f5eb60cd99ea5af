//! `todoctl status`: a release's facts and the live health of its objects.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{OutputFormat, ReleaseArgs};
use crate::ops;
use crate::ui::table;

/// Show a release: its revision and status, the health of every object it owns (ready
/// replicas, pod problems and recent warning events), and its notes.
///
/// Examples:
///   todoctl status
///   todoctl status todo-app -n staging
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

pub fn run(args: &StatusArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let (ns, rel, rev) = (
        args.release.namespace.clone(),
        args.release.release.clone(),
        args.revision,
    );
    let report = env.block_on(|ctx| async move { ops::status(&ctx, &ns, &rel, rev).await })?;
    if args.output != OutputFormat::Table {
        super::print_data(ui, &report, args.output)?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(ui, "NAME: {}", report.name)?;
    crate::outln!(ui, "NAMESPACE: {}", report.namespace)?;
    crate::outln!(ui, "REVISION: {}", report.revision)?;
    crate::outln!(ui, "STATUS: {}", report.status)?;
    crate::outln!(ui, "DESCRIPTION: {}", report.description)?;
    crate::outln!(ui, "CHART: {}", report.chart)?;
    crate::outln!(ui, "APP VERSION: {}", report.app_version)?;
    crate::outln!(
        ui,
        "FIRST DEPLOYED: {}",
        crate::ui::time::human(report.first_deployed)
    )?;
    crate::outln!(
        ui,
        "LAST DEPLOYED: {}",
        crate::ui::time::human(report.updated)
    )?;
    crate::outln!(
        ui,
        "TEST SUITE: {}",
        ops::test_suite_line(report.last_test.as_ref())
    )?;
    if let Some(holder) = &report.locked_by {
        crate::outln!(ui, "LOCKED BY: {holder}")?;
    }
    let ready = report.objects.iter().filter(|o| o.ready).count();
    crate::outln!(ui, "OBJECTS: {ready}/{} ready", report.objects.len())?;
    crate::outln!(ui)?;
    table::print(
        ui,
        &["OBJECT", "STATE"],
        report
            .objects
            .iter()
            .map(|o| vec![o.object.clone(), o.state.clone()]),
    )?;
    for o in report.objects.iter().filter(|o| !o.details.is_empty()) {
        crate::outln!(ui, "\n{}:", o.object)?;
        for d in &o.details {
            crate::outln!(ui, "  {d}")?;
        }
    }
    if !report.kept_on_uninstall.is_empty() {
        crate::outln!(ui, "\nKEPT BY UNINSTALL:")?;
        for k in &report.kept_on_uninstall {
            crate::outln!(ui, "  {}: {}", k.object, k.reason)?;
        }
    }
    if let Some(notes) = &report.notes {
        crate::outln!(ui, "\nNOTES:\n{}", notes.trim_end())?;
    }
    Ok(ExitCode::SUCCESS)
}
