//! diff: what an upgrade with the same flags would change, measured against the live cluster
//! with a server-side dry-run apply, or the difference between two stored revisions.
//!
//! With no new values the render equals the last revision, so what remains is drift: fields
//! changed or objects deleted by someone else since todoctl applied them.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::{Result, bail};
use futures::StreamExt;

use super::session::release_not_found;
use crate::cluster::apply::{Applier, ApplyMode};
use crate::context::Context;
use crate::diff::{ObjectDiff, Sides, Summary, diff_objects_between};
use crate::manifest::{Object, ObjectKey};
use crate::plan::{Observed, PlannedChange};
use crate::release::SecretStore;
use crate::values::ValueSources;

#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub release: String,
    pub namespace: String,
    pub chart_dir: Option<PathBuf>,
    pub values: ValueSources,
    pub reset_values: bool,
    pub show_secrets: bool,
    /// Two revisions to compare with each other instead of the cluster.
    pub revisions: Vec<u64>,
    pub post_renderer: Option<super::PostRenderer>,
    /// upgrade --install: a release that does not exist is diffed as its install instead of
    /// being an error.
    pub install_if_missing: bool,
    /// upgrade --force-conflicts: show what a forced apply would do instead of failing on
    /// fields another field manager owns.
    pub force_conflicts: bool,
    /// upgrade --prune-crds / --prune-pvcs: what the upgrade would keep rather than delete.
    pub keep: super::KeepRules,
    /// `--out PLAN`: also write the plan `todoctl apply` carries out.
    pub out: Option<PathBuf>,
    /// upgrade --adopt and --history-max, recorded in the plan for its apply.
    pub adopt: bool,
    pub history_max: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DiffResult {
    pub summary: Summary,
    pub objects: Vec<ObjectDiff>,
    /// Objects of the release the new revision lacks that an upgrade keeps rather than
    /// deletes (CRDs, PersistentVolumeClaims, objects annotated to be kept), with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<super::Kept>,
}

pub async fn diff(ctx: &Context, opts: &DiffOptions) -> Result<DiffResult> {
    let client = ctx.client().clone();
    super::prepare::check_release_name(&opts.release, &opts.namespace)?;
    let store = SecretStore::new(client.clone(), &opts.namespace);
    let history = super::session::read_history(&ctx.ui, &store, &opts.release).await?;
    match opts.revisions.as_slice() {
        [] => {}
        [a, b] => return between_revisions(&history, *a, *b, opts),
        _ => bail!(
            "--revision takes exactly two revisions to compare, e.g. `--revision 1 --revision 2`"
        ),
    }

    let live_release = history.current();
    if live_release.is_none() && !opts.install_if_missing {
        return Err(release_not_found(
            &opts.release,
            &opts.namespace,
            ", so there is no upgrade to show; `todoctl diff --install` shows what installing it would create",
        ));
    }
    if let (Some(path), Some(r)) = (&opts.out, live_release)
        && r.status.is_pending()
    {
        return Err(crate::error::Error::anyhow(
            crate::error::Kind::Conflict,
            format!(
                "not saving plan {}: revision {} of release `{}` in namespace `{}` is {}, so another operation is running or one stopped without finishing, and a plan must build on a finished revision; wait for it to finish (a stopped one is recorded failed by the next `todoctl upgrade` or `todoctl rollback` once its lock expires), then run `todoctl diff --out` again",
                path.display(),
                r.revision,
                opts.release,
                opts.namespace,
                r.status
            ),
        ));
    }
    let prepared = super::prepare::prepare_release(
        ctx,
        &history,
        &super::prepare::PrepareRequest {
            release: &opts.release,
            namespace: &opts.namespace,
            chart_dir: opts.chart_dir.as_deref(),
            values: &opts.values,
            is_upgrade: live_release.is_some(),
            reset_values: opts.reset_values,
            // A plan is applied as it is, so it holds the values an install generates; a
            // plain diff prints a placeholder, since a fresh random value would only be noise.
            generate_new: opts.out.is_some(),
            post_renderer: opts.post_renderer.as_ref(),
        },
    )
    .await?;

    let namespace_exists = super::session::namespace_exists(&client, &opts.namespace).await?;
    let applier = Applier::new(
        &ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: true,
            force_conflicts: opts.force_conflicts,
            // A plain diff shows an object it would take over as a change; a plan is applied
            // with its --adopt as given, so its dry run must refuse what the apply would.
            adopt: opts.adopt || opts.out.is_none(),
        },
    )
    // Objects rendered as every revision since the last deployed one recorded them, and
    // untouched in the cluster since, are not dry-run applied, as the upgrade this diff shows
    // would not apply them: they are unchanged.
    .with_unchanged(super::lifecycle::unchanged_objects(
        &history,
        &prepared.objects,
        &opts.namespace,
    ));
    let previous: std::collections::HashMap<ObjectKey, Object> = history
        .previous_objects()
        .into_iter()
        .map(|o| (o.key(&opts.namespace), o))
        .collect();
    let mut seen = Vec::new();
    // Refusals are gathered and explained together, as the upgrade's preflight does (what to
    // do about an immutable field, or an object another release owns), not the first alone.
    let mut refused = Vec::new();
    // The dry runs are independent reads: several at once, as the apply sends them, with the
    // results taken in the objects' order.
    let changes: Vec<_> = futures::stream::iter(
        prepared
            .objects
            .iter()
            .map(|o| object_change(&applier, o, namespace_exists, &opts.namespace)),
    )
    .buffered(super::deploy::APPLY_CONCURRENCY)
    .collect()
    .await;
    for (o, change) in prepared.objects.iter().zip(changes) {
        match change {
            Ok(s) => seen.push(s),
            Err(e) if super::preflight::is_refusal(&e) => {
                refused.push((o, previous.get(&o.key(&opts.namespace)), e));
            }
            Err(e) => return Err(e),
        }
    }
    if !refused.is_empty() {
        let what = format!(
            "the {} this diff shows, of release `{}`, would be",
            if live_release.is_some() {
                "upgrade"
            } else {
                "install"
            },
            opts.release
        );
        return Err(super::preflight::explain(&applier, &refused, &what).await);
    }
    let rendered: HashSet<ObjectKey> = prepared
        .objects
        .iter()
        .map(|o| o.key(&opts.namespace))
        .collect();
    let mut kept = Vec::new();
    if live_release.is_some() {
        for o in history.previous_objects() {
            if rendered.contains(&o.key(&opts.namespace)) {
                continue;
            }
            if let Some(reason) = opts.keep.reason(&o, super::keep::Removal::Prune) {
                kept.push(super::Kept {
                    object: o.reference(),
                    reason,
                });
                continue;
            }
            let (api, resolved) = applier.api_for(&o).await?;
            let live = api.get_opt(o.name()).await.map_err(|e| {
                crate::cluster::apply::api_error(e, &format!("reading {}", o.reference()))
            })?;
            let live = live.map(|l| serde_json::to_value(&l)).transpose()?;
            seen.push(Seen {
                observed: observed(&o, resolved.namespaced, &opts.namespace, live.as_ref()),
                change: live.map(|l| PlannedChange {
                    object: o.reference(),
                    kind: o.kind().to_string(),
                    namespace: o.namespace().map(str::to_string),
                    before: Some(l),
                    after: None,
                }),
            });
        }
    }
    let (observed, changes): (Vec<_>, Vec<_>) =
        seen.into_iter().map(|s| (s.observed, s.change)).unzip();
    let changes: Vec<PlannedChange> = changes.into_iter().flatten().collect();
    let objects: Vec<ObjectDiff> = changes
        .iter()
        .map(|c| super::plan::diff_of(c, opts.show_secrets))
        .collect();
    let result = DiffResult {
        summary: Summary::of(&objects),
        objects,
        kept,
    };
    if let Some(path) = &opts.out {
        super::plan::save(
            ctx,
            opts,
            path,
            super::plan::Draft {
                base: live_release.map(|r| r.revision),
                prepared: &prepared,
                changes,
                observed,
                kept: &result.kept,
            },
        )
        .await?;
    }
    Ok(result)
}

/// What the diff saw of one object: the change to show, and the live state it read.
struct Seen {
    change: Option<PlannedChange>,
    observed: Observed,
}

/// The live object before and the API server's dry run of `o` after; with no namespace yet,
/// namespaced objects are absent without asking and `o` as rendered is the after side.
async fn object_change(
    applier: &Applier,
    o: &Object,
    namespace_exists: bool,
    namespace: &str,
) -> Result<Seen> {
    let change = |before: Option<serde_json::Value>, after: serde_json::Value| PlannedChange {
        object: o.reference(),
        kind: o.kind().to_string(),
        namespace: o.namespace().map(str::to_string),
        before,
        after: Some(after),
    };
    if !namespace_exists {
        let (api, resolved) = applier.api_for(o).await?;
        let before = if resolved.namespaced {
            None
        } else {
            api.get_opt(o.name())
                .await
                .map_err(|e| {
                    crate::cluster::apply::api_error(e, &format!("reading {}", o.reference()))
                })?
                .map(|l| serde_json::to_value(&l))
                .transpose()?
        };
        return Ok(Seen {
            observed: observed(o, resolved.namespaced, namespace, before.as_ref()),
            change: Some(change(before, o.data.clone())),
        });
    }
    let applied = applier.apply(o).await?;
    Ok(Seen {
        observed: observed(
            o,
            applied.namespace.is_some(),
            namespace,
            applied.before.as_ref(),
        ),
        change: Some(change(applied.before, applied.live)),
    })
}

fn observed(
    o: &Object,
    namespaced: bool,
    release_namespace: &str,
    live: Option<&serde_json::Value>,
) -> Observed {
    Observed {
        object: o.reference(),
        api_version: o.api_version().to_string(),
        kind: o.kind().to_string(),
        namespace: namespaced.then(|| o.namespace().unwrap_or(release_namespace).to_string()),
        name: o.name().to_string(),
        seen: live.map(crate::plan::Seen::of),
    }
}

fn between_revisions(
    history: &crate::release::History,
    a: u64,
    b: u64,
    opts: &DiffOptions,
) -> Result<DiffResult> {
    let find = |n: u64| {
        history.releases.iter().find(|r| r.revision == n).ok_or_else(|| {
            anyhow::anyhow!(
                "release `{}` has no readable revision {n}; `todoctl history` lists its revisions",
                opts.release
            )
        })
    };
    let (ra, rb) = (find(a)?, find(b)?);
    let (label_a, label_b) = (format!("revision {a}"), format!("revision {b}"));
    let sides = Sides {
        before: &label_a,
        after: &label_b,
    };
    let objects = diff_objects_between(
        sides,
        &ra.objects(),
        &rb.objects(),
        &opts.namespace,
        opts.show_secrets,
        |_| true,
    );
    Ok(DiffResult {
        summary: Summary::of(&objects),
        objects,
        kept: Vec::new(),
    })
}
