//! `todoctl apply PLAN`: carry out a plan saved by `todoctl diff --out`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::args::{OutputFormat, WaitArgs, parse_duration};
use crate::ops::{self, ApplyOutcome};

/// Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were
/// reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.
///
/// Takes the release lock, then checks that nothing moved since the plan was made: the
/// release is still at the revision the plan builds on, and every object the plan read is
/// as it was (not changed, created or deleted since). Anything else is refused without
/// changing anything; run `todoctl diff --out` again, review, and apply the new plan. Also
/// refused: a file that is damaged or is not a plan, a plan for another release, namespace
/// or cluster than -r, -n (each defaults to the plan's) and the kubeconfig select, and a plan
/// older than --max-age (or dated later than now by more than that). A plan that changes
/// nothing (no object, and the values and chart of the current revision, which is deployed)
/// applies as a no-op and records no revision.
///
/// The plan holds the release's values and Secrets in the clear: keep it as secret as a
/// kubeconfig, and delete it once applied.
///
/// Examples:
///   todoctl diff -f values/production.yaml --out todo-app.plan
///   todoctl show plan todo-app.plan
///   todoctl apply todo-app.plan
///   todoctl apply todo-app.plan -n staging --atomic --timeout 10m
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ApplyPlanArgs {
    /// The plan file `todoctl diff --out` wrote
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// The release the plan must be for [default: the plan's]
    #[arg(short = 'r', long = "release", value_name = "NAME")]
    pub release: Option<String>,
    /// The namespace the plan must be for [default: the plan's]
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// On failure, roll back to the previous revision (or uninstall a failed install)
    #[arg(long)]
    pub atomic: bool,
    /// Refuse a plan older than this, e.g. 1h, 30m (0: no limit)
    #[arg(long, default_value = "24h", value_parser = parse_duration, value_name = "DURATION")]
    pub max_age: Duration,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// What `apply -o json|yaml` prints.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Applied<'a> {
    release: &'a str,
    namespace: &'a str,
    revision: u64,
    /// Whether the plan changed anything (and a revision was recorded).
    changed: bool,
    status: String,
    /// Objects whose apply was sent.
    applied: usize,
    /// Objects left alone: unchanged since the last revision and untouched since.
    unchanged: usize,
    waves: usize,
    pruned: &'a [String],
    kept: &'a [ops::Kept],
    seconds: f64,
}

pub fn run(args: &ApplyPlanArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let opts = ops::ApplyOptions {
        plan: args.plan.clone(),
        release: args.release.clone(),
        namespace: args.namespace.clone(),
        wait: args.wait.budget(),
        atomic: args.atomic,
        max_age: (!args.max_age.is_zero()).then_some(args.max_age),
    };
    let outcome = env.with_context(|ctx| async move {
        let outcome = ops::apply(&ctx, &opts).await?;
        Ok((outcome, opts))
    })?;
    let (outcome, opts) = outcome;
    match (&outcome, args.output) {
        (
            ApplyOutcome::Unchanged {
                release,
                namespace,
                revision,
                ..
            },
            OutputFormat::Table,
        ) => {
            crate::outln!(
                ui,
                "the plan changes nothing: release `{release}` stays at revision {revision} in namespace `{namespace}`; no revision was recorded"
            )?;
        }
        (ApplyOutcome::Applied(out), OutputFormat::Table) => {
            super::print_change(ui, out, opts.wait.is_some())?;
        }
        (outcome, format) => {
            let none: &[String] = &[];
            let data = match outcome {
                ApplyOutcome::Unchanged {
                    release,
                    namespace,
                    revision,
                    status,
                } => Applied {
                    release,
                    namespace,
                    revision: *revision,
                    changed: false,
                    status: status.to_string(),
                    applied: 0,
                    unchanged: 0,
                    waves: 0,
                    pruned: none,
                    kept: &[],
                    seconds: 0.0,
                },
                ApplyOutcome::Applied(out) => Applied {
                    release: &out.release.name,
                    namespace: &out.release.namespace,
                    revision: out.release.revision,
                    changed: true,
                    status: out.release.status.to_string(),
                    applied: out.report.applied,
                    unchanged: out.report.unchanged,
                    waves: out.report.waves,
                    pruned: &out.report.pruned,
                    kept: &out.report.kept,
                    seconds: out.elapsed.as_secs_f64(),
                },
            };
            super::print_data(ui, &data, format)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
