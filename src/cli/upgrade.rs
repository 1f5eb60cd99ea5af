//! `todoctl upgrade`: a new revision from new values or a new chart.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{ApplyArgs, ChartArgs, PostRenderArgs, ReleaseArgs, ValuesArgs, WaitArgs};

/// Upgrade a release to new values or a new chart.
///
/// Values are the chart defaults, then the values of the previous revision, then the -f and
/// --set flags given now, so `--set backend.replicaCount=4` changes only that value.
/// --reset-values starts again from the chart defaults. Works from any previous state,
/// including a failed first install.
///
/// Examples:
///   todoctl upgrade --set backend.replicaCount=4
///   todoctl upgrade todo-app --install -f values/production.yaml
///   todoctl upgrade my-app ./charts/my-app -n my-app
///   todoctl upgrade --reset-values
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(mut_arg("namespace", |a| a.help("Namespace of the release and its objects (created when missing only by --install, when it installs)")))]
pub struct UpgradeArgs {
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
    /// Install the release if it does not exist yet
    #[arg(short = 'i', long)]
    pub install: bool,
    /// Forget the previous revision's values: start from the chart defaults
    #[arg(long)]
    pub reset_values: bool,
}

pub fn run(args: &UpgradeArgs, env: &super::Env) -> Result<ExitCode> {
    let mut opts = super::change_options(
        &args.release,
        &args.chart,
        &args.values,
        &args.wait,
        &args.apply,
        &args.post,
        if args.install {
            crate::ops::ChangeMode::UpgradeOrInstall
        } else {
            crate::ops::ChangeMode::Upgrade
        },
    );
    opts.reset_values = args.reset_values;
    super::run_change(opts, env)
}
