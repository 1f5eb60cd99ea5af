//! diff: what an upgrade with the same flags would change, measured against the live cluster
//! with a server-side dry-run apply, or the difference between two stored revisions.
//!
//! With no new values the render equals the last revision, so what remains is drift: fields
//! changed or objects deleted by someone else since todoctl applied them.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::cluster::apply::{Applier, ApplyMode};
use crate::context::Context;
use crate::diff::{Action, ObjectDiff, Sides, Summary, diff_object, diff_object_between};
use crate::manifest::{Object, ObjectKey};
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
        return Err(crate::error::Error::anyhow(
            crate::error::Kind::NotFound,
            format!(
                "release `{}` not found in namespace `{}`, so there is no upgrade to show; `todoctl diff --install` shows what installing it would create",
                opts.release, opts.namespace
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
            generate_new: false,
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
            adopt: true,
        },
    );
    let mut objects = Vec::new();
    for o in &prepared.objects {
        objects.push(object_diff(&applier, o, namespace_exists, opts).await?);
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
            let (api, _) = applier.api_for(&o).await?;
            if let Some(live) = api.get_opt(o.name()).await.map_err(|e| {
                crate::cluster::apply::api_error(e, &format!("reading {}", o.reference()))
            })? {
                let live = serde_json::to_value(&live)?;
                objects.push(diff_object(
                    &o.reference(),
                    o.namespace(),
                    o.kind(),
                    Some(&live),
                    None,
                    opts.show_secrets,
                ));
            }
        }
    }
    Ok(DiffResult {
        summary: Summary::of(&objects),
        objects,
        kept,
    })
}

async fn object_diff(
    applier: &Applier,
    o: &Object,
    namespace_exists: bool,
    opts: &DiffOptions,
) -> Result<ObjectDiff> {
    let reference = o.reference();
    if !namespace_exists {
        return Ok(diff_object(
            &reference,
            o.namespace(),
            o.kind(),
            None,
            Some(&o.data),
            opts.show_secrets,
        ));
    }
    let applied = applier.apply(o).await?;
    Ok(diff_object(
        &reference,
        o.namespace(),
        o.kind(),
        applied.before.as_ref(),
        Some(&applied.live),
        opts.show_secrets,
    ))
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
    let (oa, ob) = (ra.objects(), rb.objects());
    let mut objects = Vec::new();
    for o in &ob {
        let key = o.key(&opts.namespace);
        let before = oa.iter().find(|x| x.key(&opts.namespace) == key);
        objects.push(diff_object_between(
            sides,
            &o.reference(),
            o.namespace(),
            o.kind(),
            before.map(|x| &x.data),
            Some(&o.data),
            opts.show_secrets,
        ));
    }
    for o in &oa {
        let key = o.key(&opts.namespace);
        if !ob.iter().any(|x| x.key(&opts.namespace) == key) {
            objects.push(diff_object_between(
                sides,
                &o.reference(),
                o.namespace(),
                o.kind(),
                Some(&o.data),
                None,
                opts.show_secrets,
            ));
        }
    }
    Ok(DiffResult {
        summary: Summary::of(&objects),
        objects,
        kept: Vec::new(),
    })
}

/// Whether any object changes; for --detailed-exitcode.
pub fn has_changes(result: &DiffResult) -> bool {
    result.objects.iter().any(|o| o.action != Action::Unchanged)
}
