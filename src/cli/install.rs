//! `todoctl install`: the first revision of a release.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{ApplyArgs, ChartArgs, PostRenderArgs, ReleaseArgs, ValuesArgs, WaitArgs};

/// Install the chart as a new release.
///
/// Renders the chart, applies its objects in dependency order with server-side apply, waits
/// until they are ready, and records revision 1. Fails if the release already exists. As in
/// Helm, `install RELEASE CHART` names the release and a chart directory.
///
/// Examples:
///   todoctl install
///   todoctl install todo-app -f values/local.yaml
///   todoctl install --set backend.replicaCount=3 --atomic
///   todoctl install my-app ./charts/my-app -n my-app
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(mut_arg("namespace", |a| a.help("Namespace of the release and its objects (created when missing)")))]
pub struct InstallArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub chart: ChartArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
    #[command(flatten)]
    pub post: PostRenderArgs,
}

pub fn run(args: &InstallArgs, env: &super::Env) -> Result<ExitCode> {
    let opts = super::change_options(
        &args.release,
        &args.chart,
        &args.values,
        &args.wait,
        &args.apply,
        &args.post,
        crate::ops::ChangeMode::Install,
    );
    super::run_change(opts, env)
}
