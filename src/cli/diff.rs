//! `todoctl diff`: what an upgrade would change, measured against the live cluster.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{ApplyArgs, ChartArgs, OutputFormat, ReleaseArgs, ValuesArgs, WaitArgs};
use crate::diff::{Action, colorize, use_color};
use crate::ops;

/// Show what `todoctl upgrade` with the same flags would change in the cluster.
///
/// Compares a server-side dry run of every object with what is live: objects to create, fields
/// to change, objects to delete. Without new values it shows drift: changes made by someone
/// else since the last revision, which the next upgrade restores. Secret values show only as
/// changed or unchanged unless --show-secrets.
///
/// Takes every flag of upgrade. Those that change what an upgrade applies change the diff
/// (-f, --set..., --chart, --reset-values, --install, --force-conflicts, --prune-crds,
/// --prune-pvcs); those that only say
/// how an upgrade runs (--timeout, --no-wait, --atomic, --history-max, --dry-run) are accepted
/// and ignored, since diff changes nothing. Objects of another release show as they would be
/// after --adopt, with or without it; but with --out, diff refuses them without --adopt, as
/// the upgrade would (the plan is applied with --adopt as given). A release that does not
/// exist is an error, as for upgrade, unless --install is given: then the diff is its install.
///
/// With --out PLAN it also saves what it showed as a plan, which `todoctl apply PLAN` carries
/// out exactly, refusing it if the release or any object it read changed meanwhile, and which
/// `todoctl show plan PLAN` prints again for review. The plan holds the release's values and
/// Secrets in the clear: it is written mode 0600; keep it as secret as a kubeconfig. No plan is
/// made while a revision of the release is pending (another operation running, or one stopped
/// without finishing).
///
/// Examples:
///   todoctl diff --set backend.replicaCount=4
///   todoctl diff todo-app -f values/production.yaml
///   todoctl diff --detailed-exitcode
///   todoctl diff --revision 1 --revision 2
///   todoctl diff --install
///   todoctl diff -f values/production.yaml --out todo-app.plan
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(mut_arg("timeout", |a| a.help(IGNORED)))]
#[command(mut_arg("no_wait", |a| a.help(IGNORED)))]
#[command(mut_arg("atomic", |a| a.help(IGNORED)))]
#[command(mut_arg("history_max", |a| a.help(IGNORED)))]
#[command(mut_arg("dry_run", |a| a.help("Accepted for the same command line as upgrade; diff is always a dry run")))]
#[command(mut_arg("adopt", |a| a.help("Without --out, accepted for the same command line as upgrade (diff shows objects of another release as they would be after --adopt); with --out, the plan takes them over only with it, and diff refuses them without it")))]
#[command(mut_arg("force_conflicts", |a| a.help("Show what a forced apply would do to fields another field manager owns, instead of failing on them")))]
pub struct DiffArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub chart: ChartArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub post: super::args::PostRenderArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
    /// Show the install of a release that does not exist yet, as upgrade --install would do it
    #[arg(short = 'i', long)]
    pub install: bool,
    /// Forget the previous revision's values: start from the chart defaults
    #[arg(long)]
    pub reset_values: bool,
    /// Exit 2 when there are changes, 0 when there are none, 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Compare two stored revisions instead (give it twice); takes no chart or values flags
    #[arg(
        long,
        num_args = 1,
        value_name = "N",
        conflicts_with_all = [
            "values", "set", "set_string", "set_json", "set_file", "set_env",
            "chart", "chart_dir", "reset_values", "install",
        ]
    )]
    pub revision: Vec<u64>,
    /// Show secret values in the diff
    #[arg(long)]
    pub show_secrets: bool,
    /// Also save the change as a plan for `todoctl apply PLAN` (mode 0600; it holds secret
    /// values unredacted)
    #[arg(long, value_name = "PLAN", conflicts_with = "revision", value_parser = parse_plan_path)]
    pub out: Option<std::path::PathBuf>,
    /// Output format (table is a unified diff, coloured on a terminal)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// `--out`'s file. `-` is refused rather than written as a file named `-`: standard output
/// already carries the diff, and a plan holds secret values unredacted.
fn parse_plan_path(value: &str) -> Result<std::path::PathBuf, String> {
    match value {
        "" => Err("the plan needs a file name, e.g. --out todo-app.plan".to_string()),
        "-" => Err(
            "a plan cannot go to standard output, which carries the diff (and a plan holds \
             secret values unredacted); name a file, e.g. --out todo-app.plan"
                .to_string(),
        ),
        _ => Ok(std::path::PathBuf::from(value)),
    }
}

/// The help of an upgrade flag that only says how an upgrade runs.
const IGNORED: &str =
    "Accepted for the same command line as upgrade, and ignored: diff changes nothing";

pub fn run(args: &DiffArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let opts = ops::DiffOptions {
        release: args.release.release.clone(),
        namespace: args.release.namespace.clone(),
        chart_dir: args.chart.chart.clone(),
        values: args.values.sources(),
        reset_values: args.reset_values,
        show_secrets: args.show_secrets,
        revisions: args.revision.clone(),
        post_renderer: args.post.renderer(),
        install_if_missing: args.install,
        force_conflicts: args.apply.force_conflicts,
        keep: args.apply.keep(),
        out: args.out.clone(),
        adopt: args.apply.adopt,
        history_max: args.apply.history_max,
    };
    let result = env.block_on(|ctx| async move { ops::diff(&ctx, &opts).await })?;
    print_diff(ui, &result, &result, args.output, args.show_secrets)?;
    if let Some(out) = &args.out {
        ui.notice(&format!(
            "plan saved to {}; `todoctl apply {}` carries it out",
            out.display(),
            out.display()
        ));
    }
    if args.detailed_exitcode && result.summary.has_changes() {
        return Ok(ExitCode::from(crate::error::exit::CHANGES));
    }
    Ok(ExitCode::SUCCESS)
}

/// A diff as `diff` prints it: a unified diff per changed object (coloured on a terminal),
/// the objects kept, and the summary; or `data` with -o json|yaml. Remembered secrets are
/// scrubbed unless `show_secrets`.
pub(super) fn print_diff<T: serde::Serialize>(
    ui: &crate::ui::Ui,
    data: &T,
    result: &ops::DiffResult,
    output: OutputFormat,
    show_secrets: bool,
) -> Result<()> {
    if output != OutputFormat::Table {
        return super::print_shown(ui, &super::data_text(data, output)?, show_secrets);
    }
    let color = use_color();
    for o in result
        .objects
        .iter()
        .filter(|o| o.action != Action::Unchanged)
    {
        let verb = match o.action {
            Action::Create => "create",
            Action::Update => "change",
            Action::Delete => "delete",
            Action::Unchanged => "unchanged",
        };
        crate::outln!(ui, "{verb} {}", o.object)?;
        let text = if color {
            colorize(&o.diff)
        } else {
            o.diff.clone()
        };
        super::print_shown(ui, &text, show_secrets)?;
        if !o.diff.ends_with('\n') && !o.diff.is_empty() {
            crate::outln!(ui)?;
        }
    }
    for k in &result.kept {
        crate::outln!(ui, "keep {}: {}", k.object, k.reason)?;
    }
    crate::outln!(ui, "{}", result.summary)
}
