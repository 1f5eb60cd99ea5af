//! `todoctl version`: todoctl's, the built-in chart's and the API server's versions.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::OutputFormat;
use crate::ops;

/// Show todoctl's version, the built-in chart's name and version, and the version of the API
/// server the kubeconfig points at.
///
/// The server is asked with a short timeout; a server that is not configured or does not answer
/// is reported as such, and the command still succeeds.
///
/// Examples:
///   todoctl version
///   todoctl version --client
///   todoctl version -o json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct VersionArgs {
    /// Do not contact the API server
    #[arg(long)]
    pub client: bool,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &VersionArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let mut report = ops::client_versions()?;
    if !args.client {
        let conn = env.connection();
        let runtime = super::Env::runtime()?;
        report.server = Some(runtime.block_on(ops::server_version(&conn, ui, ops::SERVER_TIMEOUT)));
    }
    if args.output != OutputFormat::Table {
        super::print_data(ui, &report, args.output)?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(ui, "todoctl: {}", report.todoctl)?;
    let c = &report.chart;
    match &c.app_version {
        Some(app) => crate::outln!(ui, "chart:   {} {} (app version {app})", c.name, c.version)?,
        None => crate::outln!(ui, "chart:   {} {}", c.name, c.version)?,
    }
    if let Some(s) = &report.server {
        let at = s
            .url
            .as_deref()
            .map(|u| format!(" at {u}"))
            .unwrap_or_default();
        match (&s.version, &s.error) {
            (Some(v), _) => crate::outln!(ui, "server:  {v}{at}")?,
            (None, Some(why)) => crate::outln!(ui, "server:  unreachable{at}: {why}")?,
            (None, None) => crate::outln!(ui, "server:  unreachable{at}")?,
        }
    }
    Ok(ExitCode::SUCCESS)
}
