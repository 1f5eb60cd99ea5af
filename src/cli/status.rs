//! `todoctl status`: a release's facts and the live health of its objects.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{OutputFormat, ReleaseArgs};
use crate::ops;
use crate::ui::table;

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
    let (ns, rel, rev) = (
        args.release.namespace.clone(),
        args.release.release.clone(),
        args.revision,
    );
    let report = super::block_on(g, |client| async move {
        ops::status(client, &ns, &rel, rev).await
    })?;
    if args.output != OutputFormat::Table {
        super::print_data(&report, args.output)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("NAME: {}", report.name);
    println!("NAMESPACE: {}", report.namespace);
    println!("REVISION: {}", report.revision);
    println!("STATUS: {}", report.status);
    println!("DESCRIPTION: {}", report.description);
    println!("CHART: {}", report.chart);
    println!("APP VERSION: {}", report.app_version);
    println!("FIRST DEPLOYED: {}", report.first_deployed);
    println!("LAST DEPLOYED: {}", report.updated);
    if let Some(holder) = &report.locked_by {
        println!("LOCKED BY: {holder}");
    }
    let ready = report.objects.iter().filter(|o| o.ready).count();
    println!("OBJECTS: {ready}/{} ready", report.objects.len());
    println!();
    table::print(
        &["OBJECT", "STATE"],
        report
            .objects
            .iter()
            .map(|o| vec![o.object.clone(), o.state.clone()]),
    );
    for o in report.objects.iter().filter(|o| !o.details.is_empty()) {
        println!("\n{}:", o.object);
        for d in &o.details {
            println!("  {d}");
        }
    }
    if let Some(notes) = &report.notes {
        println!("\nNOTES:\n{}", notes.trim_end());
    }
    Ok(ExitCode::SUCCESS)
}
