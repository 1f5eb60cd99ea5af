//! `todoctl history`: the revisions of a release.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{OutputFormat, ReleaseArgs};
use crate::ops;
use crate::ui::table;

/// Show the revisions of a release: when, status, chart, app version, description.
///
/// Examples:
///   todoctl history
///   todoctl history todo-app -n staging
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

pub fn run(args: &HistoryArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let (ns, rel, max) = (
        args.release.namespace.clone(),
        args.release.release.clone(),
        args.max,
    );
    let rows = env.block_on(|ctx| async move {
        let store = crate::release::SecretStore::new(ctx.client().clone(), &ns);
        ops::history(&ctx.ui, &store, &rel, max).await
    })?;
    match args.output {
        OutputFormat::Table => table::print(
            ui,
            &[
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
                "DESCRIPTION",
            ],
            rows.iter().map(|r| {
                vec![
                    r.revision.to_string(),
                    r.updated.map(crate::ui::time::human).unwrap_or_default(),
                    r.status.clone(),
                    r.chart.clone(),
                    r.app_version.clone(),
                    r.description.clone(),
                ]
            }),
        )?,
        other => super::print_data(ui, &rows, other)?,
    }
    Ok(ExitCode::SUCCESS)
}
