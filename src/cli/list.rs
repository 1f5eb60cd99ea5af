//! `todoctl list`: releases in a namespace or everywhere.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::OutputFormat;
use crate::ops;
use crate::release::Status;
use crate::ui::table;

/// List releases: name, namespace, revision, status, chart, updated.
///
/// As `helm list`: deployed and failed releases by default; -a shows every status, and the
/// status flags pick some.
///
/// Examples:
///   todoctl list
///   todoctl list -A -o json
///   todoctl list -a -f '^todo' -q
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Namespace to list
    #[arg(short = 'n', long, default_value = "todo-app")]
    pub namespace: String,
    /// List releases in every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Show releases of every status (by default: deployed and failed)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show deployed releases
    #[arg(long)]
    pub deployed: bool,
    /// Show failed releases
    #[arg(long)]
    pub failed: bool,
    /// Show releases an operation is installing, upgrading or rolling back
    #[arg(long)]
    pub pending: bool,
    /// Show releases uninstalled with --keep-history
    #[arg(long)]
    pub uninstalled: bool,
    /// Show releases being uninstalled
    #[arg(long)]
    pub uninstalling: bool,
    /// Show only releases whose name matches this regular expression
    #[arg(short = 'f', long, value_name = "REGEX")]
    pub filter: Option<String>,
    /// Print release names only, one per line
    #[arg(short = 'q', long)]
    pub short: bool,
    /// Sort by last update, oldest first (default: by namespace and name)
    #[arg(short = 'd', long)]
    pub date: bool,
    /// Reverse the order
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// Show at most this many releases (0: all)
    #[arg(short = 'm', long, default_value_t = 256, value_name = "N")]
    pub max: usize,
    /// Skip this many releases first
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

impl ListArgs {
    fn filter(&self) -> Result<ops::ListFilter> {
        let name = match &self.filter {
            Some(expr) => Some(regex::Regex::new(expr).map_err(|e| {
                anyhow::anyhow!(
                    "--filter `{expr}` is not a regular expression: {}",
                    crate::ui::one_line(&e.to_string())
                )
            })?),
            None => None,
        };
        let mut statuses = Vec::new();
        for (on, picked) in [
            (self.deployed, &[Status::Deployed][..]),
            (self.failed, &[Status::Failed]),
            (
                self.pending,
                &[
                    Status::PendingInstall,
                    Status::PendingUpgrade,
                    Status::PendingRollback,
                ],
            ),
            (self.uninstalled, &[Status::Uninstalled]),
            (self.uninstalling, &[Status::Uninstalling]),
        ] {
            if on {
                statuses.extend_from_slice(picked);
            }
        }
        Ok(ops::ListFilter {
            statuses,
            all: self.all,
            name,
            by_date: self.date,
            reverse: self.reverse,
            offset: self.offset,
            max: self.max,
        })
    }
}

pub fn run(args: &ListArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let ns = (!args.all_namespaces).then(|| args.namespace.clone());
    // Bad input is said before connecting.
    if let Some(ns) = &ns {
        crate::ops::check_namespace_name(ns)?;
    }
    let filter = args.filter()?;
    let rows = env.block_on(|ctx| async move {
        let store = crate::release::SecretStore::new(
            ctx.client().clone(),
            ns.as_deref().unwrap_or("default"),
        );
        ops::list(&store, ns.as_deref(), &filter).await
    })?;
    if args.short {
        // As `helm list -q`: names only, one per line, or a list of names in JSON and YAML.
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        if args.output == OutputFormat::Table {
            for name in names {
                crate::outln!(ui, "{name}")?;
            }
        } else {
            super::print_data(ui, &names, args.output)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
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
