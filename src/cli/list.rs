//! `todoctl list`: releases in a namespace or everywhere.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::OutputFormat;
use crate::ops;
use crate::ui::table;

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

pub fn run(args: &ListArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let ns = (!args.all_namespaces).then(|| args.namespace.clone());
    let rows = env.block_on(|ctx| async move {
        let store = crate::release::SecretStore::new(
            ctx.client().clone(),
            ns.as_deref().unwrap_or("default"),
        );
        ops::list(&store, ns.as_deref()).await
    })?;
    match args.output {
        OutputFormat::Table => table::print(
            ui,
            &[
                "NAME",
                "NAMESPACE",
                "REVISION",
                "STATUS",
                "CHART",
                "APP VERSION",
                "UPDATED",
            ],
            rows.iter().map(|r| {
                vec![
                    r.name.clone(),
                    r.namespace.clone(),
                    r.revision.to_string(),
                    r.status.clone(),
                    r.chart.clone(),
                    r.app_version.clone(),
                    crate::ui::time::human(r.updated),
                ]
            }),
        )?,
        other => super::print_data(ui, &rows, other)?,
    }
    Ok(ExitCode::SUCCESS)
}
