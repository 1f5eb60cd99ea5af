//! apply: carry out a plan saved by `diff --out`, exactly its objects and its record, through
//! the same lifecycle as an upgrade, after checking under the release lock that neither the
//! release nor any object the plan read has moved since. A refused plan changes nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use futures::{StreamExt as _, TryStreamExt as _};
use kube::api::{Api, DynamicObject};

use super::lifecycle::{Action, Content};
use super::session::{NamespacePolicy, Session};
use super::upgrade::{ChangeOutcome, Perform, perform};
use crate::cluster::apply::{Applier, ApplyMode};
use crate::context::Context;
use crate::diff::Action as Change;
use crate::error::{Error, Kind};
use crate::manifest::Object;
use crate::plan::{ClusterIdentity, Observed, Plan, Seen};
use crate::release::{History, ManifestEntry, Release, Status};

/// What `apply` did.
#[derive(Debug, Clone)]
pub enum ApplyOutcome {
    /// The plan changes nothing (see [`is_no_op`]): nothing was applied and no revision
    /// recorded; `revision` stays the current one, with its `status`.
    Unchanged {
        release: String,
        namespace: String,
        revision: u64,
        status: Status,
    },
    /// The plan ran as an upgrade (or an install) would.
    Applied(Box<ChangeOutcome>),
}

/// Applies the plan at `opts.plan`.
///
/// Errors (nothing changed, no record, no lock left): the file is not a plan, was edited, or
/// is of another plan format; it is for another release, namespace or cluster, or older than
/// `--max-age`; the release's current revision is not the plan's base, or an object it read
/// changed, appeared or disappeared. After that, the errors of an upgrade: a refusal of the
/// server-side dry run (nothing written), a failed deploy (recorded failed; `--atomic`
/// recovers), a lost lock or a signal.
pub async fn apply(ctx: &Context, opts: &ApplyOptions) -> Result<ApplyOutcome> {
    let started = Instant::now();
    let plan = open_plan(ctx, opts).await?;
    let policy = match plan.base {
        None => NamespacePolicy::Create,
        Some(_) => NamespacePolicy::MustExist,
    };
    let Some(session) = Session::open(ctx, &plan.namespace, &plan.release, "apply", policy).await?
    else {
        return Err(refusal(
            &plan,
            format!(
                "the plan builds on revision {}, but namespace `{}` no longer exists",
                plan.base.unwrap_or_default(),
                plan.namespace
            ),
        ));
    };
    let result = apply_locked(&session, &plan, opts, started).await;
    session.close(result).await
}

async fn apply_locked(
    session: &Session,
    plan: &Plan,
    opts: &ApplyOptions,
    started: Instant,
) -> Result<ApplyOutcome> {
    check_unmoved(&session.ctx, plan, &session.history).await?;
    let r = &plan.record;
    let content = Content {
        chart: r.chart.clone(),
        user_values: r.user_values.clone(),
        values: r.values.clone(),
        manifest: plan.objects.clone(),
        notes: r.notes.clone(),
        generated: r.generated.clone(),
        secret_paths: r.secret_paths.clone(),
        tests: r.tests.clone(),
        post_renderer: r.post_renderer.clone(),
    };
    // check_unmoved made sure the current revision is the plan's base.
    let action = match session.history.current() {
        None => Action::Install,
        Some(base) if is_no_op(plan, &content, base) => {
            return Ok(ApplyOutcome::Unchanged {
                release: plan.release.clone(),
                namespace: plan.namespace.clone(),
                revision: base.revision,
                status: base.status,
            });
        }
        Some(_) => Action::Upgrade,
    };
    let applier = Applier::new(
        &session.ctx.cluster,
        &plan.release,
        &plan.namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: plan.options.force_conflicts,
            adopt: plan.options.adopt,
        },
    );
    let how = Perform {
        wait: opts.wait,
        atomic: opts.atomic,
        keep: super::KeepRules {
            delete_crds: plan.options.prune_crds,
            delete_pvcs: plan.options.prune_pvcs,
        },
        history_max: plan.options.history_max,
        retry: super::preflight::Retry::Plan,
    };
    perform(session, action, content, applier, &how, started)
        .await
        .map(|o| ApplyOutcome::Applied(Box::new(o)))
}

/// Whether applying `plan` (whose record would hold `content`) on top of `base` would change
/// nothing, so that no revision is recorded: no object changes, `base` is deployed, and the
/// record would hold what `base` holds. A plan that changes only values, the chart or the
/// tests, or that builds on a failed revision, runs as an upgrade instead (which skips the
/// unchanged objects), so that the next upgrade builds on its values and the release ends
/// deployed. The notes are left out of the comparison: they are rendered with the revision
/// number and whether it is an install, so they differ for every new revision, and what
/// else changes them (values, chart) is compared itself.
fn is_no_op(plan: &Plan, content: &Content, base: &Release) -> bool {
    let objects_unchanged = plan
        .changes
        .iter()
        .all(|c| super::plan::diff_of(c, false).action == Change::Unchanged);
    let recorded = Content {
        notes: content.notes.clone(),
        ..Content::recorded(base)
    };
    objects_unchanged && base.status == Status::Deployed && recorded == *content
}

/// A refusal of `plan` because the cluster moved: what moved, that nothing changed, and what
/// to do.
fn refusal(plan: &Plan, what: String) -> anyhow::Error {
    Error::anyhow(
        Kind::Conflict,
        format!(
            "refusing the plan for release `{}` in namespace `{}`: {what}; nothing was changed: {AGAIN}",
            plan.release, plan.namespace
        ),
    )
}

/// What to say after every refusal: the plan is spent, make a new one.
const AGAIN: &str = "run `todoctl diff --out` again, review the new plan, and apply that";

/// `todoctl apply PLAN`.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub plan: PathBuf,
    /// `-r`: when given, the plan must be for this release.
    pub release: Option<String>,
    /// `-n`: when given, the plan must be for this namespace.
    pub namespace: Option<String>,
    pub wait: Option<Duration>,
    pub atomic: bool,
    /// `--max-age`: a plan older than this is refused; `None` for no limit.
    pub max_age: Option<Duration>,
}

/// Reads the plan and checks what needs no lock: that it is for the release and namespace the
/// flags select, on the cluster the kubeconfig selects, and not older than `--max-age`.
async fn open_plan(ctx: &Context, opts: &ApplyOptions) -> Result<Plan> {
    let now = ctx.clock.now();
    let plan = crate::plan::read(&opts.plan)?;
    super::plan::remember_secrets(&ctx.ui, &plan);
    let file = opts.plan.display();
    if let Some(r) = opts.release.as_deref().filter(|r| *r != plan.release) {
        return Err(Error::anyhow(
            Kind::BadInput,
            format!(
                "plan {file} is for release `{}`, not `{r}` (-r); apply it without -r, or run `todoctl diff {r} --out` for release `{r}`",
                plan.release
            ),
        ));
    }
    if let Some(n) = opts.namespace.as_deref().filter(|n| *n != plan.namespace) {
        return Err(Error::anyhow(
            Kind::BadInput,
            format!(
                "plan {file} is for release `{}` in namespace `{}`, but -n selects namespace `{n}`; apply it with `-n {}` or without -n, or run `todoctl diff -n {n} --out` to plan for namespace `{n}`",
                plan.release, plan.namespace, plan.namespace,
            ),
        ));
    }
    if let Some(max) = opts.max_age {
        let age = now.duration_since(plan.created);
        // A plan dated later than now (a clock off on either machine) has no age to trust; a
        // skew smaller than --max-age is let through, as an age within it would be.
        let ahead = Duration::try_from(-age).unwrap_or_default();
        if ahead > max {
            return Err(Error::anyhow(
                Kind::BadInput,
                format!(
                    "plan {file} is dated {}, {} later than this machine's clock and more than --max-age {}, so its age is unknown: the clock of the machine that made it or of this one is wrong; set it right and {AGAIN} (or give --max-age 0 for no limit)",
                    crate::ui::time::human(plan.created),
                    span(ahead),
                    span(max),
                ),
            ));
        }
        let age = Duration::try_from(age).unwrap_or_default();
        if age > max {
            return Err(Error::anyhow(
                Kind::BadInput,
                format!(
                    "plan {file} was made {} ago ({}), longer than --max-age {}; the cluster may have moved since it was reviewed: {AGAIN} (or give a larger --max-age, `0` for no limit)",
                    span(age),
                    crate::ui::time::human(plan.created),
                    span(max),
                ),
            ));
        }
    }
    let here = super::plan::identity(ctx).await?;
    let same = match (&plan.cluster.kube_system_uid, &here.kube_system_uid) {
        (Some(a), Some(b)) => a == b,
        _ => plan.cluster.server == here.server,
    };
    if !same {
        return Err(Error::anyhow(
            Kind::BadInput,
            format!(
                "plan {file} was made against another cluster ({}{}) than the one the kubeconfig selects ({}{}); apply it with the kubeconfig and --context it was made with, or {AGAIN} against this cluster",
                plan.cluster.server,
                uid_note(&plan.cluster),
                here.server,
                uid_note(&here),
            ),
        ));
    }
    let served = ctx.cluster.capabilities().await?.api_versions;
    check_whole(&plan, &file.to_string(), &served)?;
    Ok(plan)
}

/// Checks that the plan is one `diff --out` could have written: the objects it applies are
/// those its diff shows created or changed (what the reviewer saw), and each is one todoctl
/// would render. The checksum catches a damaged file, not one edited with care (anyone can
/// compute a SHA-256); this catches what such an edit would most likely get wrong.
fn check_whole(plan: &Plan, file: &str, served_api_versions: &[String]) -> Result<()> {
    let damaged = |what: String| {
        Error::anyhow(
            Kind::BadInput,
            format!(
                "plan {file} is damaged: {what}; a damaged plan is not the plan that was reviewed: {AGAIN}"
            ),
        )
    };
    let objects: Vec<Object> = plan.objects.iter().map(ManifestEntry::to_object).collect();
    let mut applied: Vec<String> = objects.iter().map(Object::reference).collect();
    let mut shown: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.after.is_some())
        .map(|c| c.object.clone())
        .collect();
    applied.sort();
    shown.sort();
    if applied != shown {
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|x| !b.contains(x)).cloned().collect()
        };
        let mut parts = Vec::new();
        let unshown = only(&applied, &shown);
        if !unshown.is_empty() {
            parts.push(format!(
                "it applies {} that its diff does not show",
                unshown.join(", ")
            ));
        }
        let unapplied = only(&shown, &applied);
        if !unapplied.is_empty() {
            parts.push(format!(
                "its diff shows {} that it does not apply",
                unapplied.join(", ")
            ));
        }
        if parts.is_empty() {
            parts.push("it applies an object more than once".to_string());
        }
        return Err(damaged(parts.join(", and ")));
    }
    crate::manifest::validate::validate(
        &objects,
        &crate::manifest::ValidateOptions {
            // As `diff` validated them: an object at an apiVersion the cluster serves is never
            // refused for it.
            served_api_versions,
            ..crate::manifest::ValidateOptions::new(&plan.namespace)
        },
    )
    .map_err(|problems| {
        // The list comes last, one problem a line, after what to do.
        let lines: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
        Error::anyhow(
            Kind::BadInput,
            format!(
                "plan {file} is damaged: it applies objects todoctl would not render; a damaged plan is not the plan that was reviewed: {AGAIN}:\n  {}",
                lines.join("\n  ")
            ),
        )
    })
}

fn uid_note(c: &ClusterIdentity) -> String {
    c.kube_system_uid
        .as_deref()
        .map(|u| format!(", kube-system UID {u}"))
        .unwrap_or_default()
}

/// Checks, under the release lock, that the release and every object the plan read are as the
/// plan saw them. The error names every difference and changes nothing.
async fn check_unmoved(ctx: &Context, plan: &Plan, history: &History) -> Result<()> {
    let file_note = |what: String| refusal(plan, what);
    let now = history.current().map(|r| r.revision);
    if now != plan.base {
        let what = match (plan.base, now) {
            (Some(b), Some(n)) => format!(
                "its current revision is {n}, but the plan builds on revision {b} (`todoctl history` shows what happened since)"
            ),
            (Some(b), None) => {
                format!("the plan builds on revision {b}, but the release no longer exists")
            }
            (None, Some(n)) => format!("the plan installs it, but it exists now (revision {n})"),
            (None, None) => unreachable!("equal"),
        };
        return Err(file_note(what));
    }
    let moved = moved_objects(ctx, plan).await?;
    if !moved.is_empty() {
        // The list comes last, one object a line, after what to do.
        return Err(Error::anyhow(
            Kind::Conflict,
            format!(
                "refusing the plan for release `{}` in namespace `{}`: objects it read changed in the cluster since it was made; nothing was changed: {AGAIN}:\n  {}",
                plan.release,
                plan.namespace,
                moved.join("\n  ")
            ),
        ));
    }
    Ok(())
}

/// Every object the plan read that is not as it was, in words: `deployment/backend-deployment
/// changed since the plan`.
async fn moved_objects(ctx: &Context, plan: &Plan) -> Result<Vec<String>> {
    let found: Vec<Option<String>> = futures::stream::iter(&plan.observed)
        .map(|o| async move {
            let now = live_seen(ctx, plan, o).await?;
            Ok::<_, anyhow::Error>(match (&o.seen, &now) {
                (None, None) => None,
                (None, Some(_)) => Some(format!("{} was created since the plan", o.object)),
                (Some(_), None) => Some(format!("{} was deleted since the plan", o.object)),
                (Some(a), Some(b)) if a.uid != b.uid => Some(format!(
                    "{} was deleted and created again since the plan",
                    o.object
                )),
                (Some(a), Some(b)) if !a.matches(b) => {
                    Some(format!("{} changed since the plan", o.object))
                }
                _ => None,
            })
        })
        // As many requests at once as a wave's applies make.
        .buffered(super::deploy::APPLY_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}

/// What identifies the object `o` names as it is now; `None` when it does not exist, which is
/// also the case of every object of a kind the cluster no longer serves (its CRD deleted).
async fn live_seen(ctx: &Context, plan: &Plan, o: &Observed) -> Result<Option<Seen>> {
    let Some(resolved) = ctx.cluster.served(&o.api_version, &o.kind).await? else {
        return Ok(None);
    };
    let client = ctx.client().clone();
    let api: Api<DynamicObject> = if resolved.namespaced {
        let ns = o.namespace.as_deref().unwrap_or(&plan.namespace);
        Api::namespaced_with(client, ns, &resolved.resource)
    } else {
        Api::all_with(client, &resolved.resource)
    };
    let live = api
        .get_opt(&o.name)
        .await
        .map_err(|e| crate::cluster::apply::api_error(e, &format!("reading {}", o.object)))?;
    live.map(|l| serde_json::to_value(&l).map(|v| Seen::of(&v)))
        .transpose()
        .with_context(|| format!("reading {}", o.object))
}

/// `1h30m`, `25h0m`, `45s`: a duration as --max-age takes it, to the second.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}
