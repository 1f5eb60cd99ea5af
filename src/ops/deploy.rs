//! Putting a set of objects into the cluster: waves in dependency order, concurrent apply within
//! a wave, readiness gates between waves, then pruning what the previous revision had and this
//! one lacks. Install, upgrade, rollback and --atomic all go through here.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::{StreamExt, TryStreamExt};

use super::keep::{KeepRules, Kept, Removal};
use crate::cluster::apply::{Applied, Applier, Deletion};
use crate::cluster::readiness::{self, WaitTarget};
use crate::context::Context;
use crate::manifest::{self, Object, ObjectKey};

/// How many objects of one wave are applied (or dry-run by the preflight) at once.
pub const APPLY_CONCURRENCY: usize = 8;

#[derive(Default)]
pub struct DeployOptions {
    /// Wait for readiness after each wave, within this overall budget; `None` applies without
    /// waiting.
    pub wait: Option<Duration>,
    /// Whether to delete objects of the previous revision missing from this one.
    pub prune: bool,
    /// Objects the preflight could not check yet (their CRD or namespace comes earlier in
    /// this revision): dry-run before the wave that writes them, refused like the preflight.
    pub deferred: HashSet<ObjectKey>,
    /// The operation, for the refusal of a deferred check ("upgrade of release `todo-app`").
    pub what: String,
    /// Which CRDs and PersistentVolumeClaims the prune may delete (`--prune-crds`,
    /// `--prune-pvcs`); by default they are kept and reported.
    pub keep: KeepRules,
}

/// What a deploy did, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct DeployReport {
    /// Objects whose apply was sent to the API server.
    pub applied: usize,
    /// Objects not applied: unchanged since the last applied revision and untouched since
    /// (waited for all the same).
    pub unchanged: usize,
    pub pruned: Vec<String>,
    /// Objects of the previous revision this one lacks that were kept, with the reason.
    pub kept: Vec<Kept>,
    pub waves: usize,
}

/// Applies `objects` wave by wave. `ctx.stop` is checked before every object written or
/// deleted and ends a readiness wait at once: a signal or a lost lock stops the deploy there.
pub async fn deploy(
    ctx: &Context,
    applier: &Applier,
    objects: &[Object],
    previous: &[Object],
    release_namespace: &str,
    opts: &DeployOptions,
) -> Result<DeployReport> {
    let progress = &ctx.ui.progress;
    let waves = manifest::order::waves(objects)?;
    let deadline = opts.wait.map(|t| Instant::now() + t);
    let mut report = DeployReport {
        waves: waves.len(),
        ..Default::default()
    };

    let mut deferred = opts.deferred.clone();
    for (i, wave) in waves.iter().enumerate() {
        ctx.stop.confirm().await?;
        if !deferred.is_empty() {
            let members: Vec<&Object> = wave.iter().map(|&idx| &objects[idx]).collect();
            super::preflight::check_deferred(
                applier,
                &members,
                &mut deferred,
                release_namespace,
                &opts.what,
            )
            .await?;
        }
        ctx.ui.status(&format!(
            "applying wave {} of {} ({} object{})",
            i + 1,
            waves.len(),
            wave.len(),
            if wave.len() == 1 { "" } else { "s" }
        ));
        let applied: Vec<Applied> = futures::stream::iter(wave.iter().map(|&idx| {
            let object = &objects[idx];
            async move {
                ctx.stop.check()?;
                let applied = applier.apply(object).await;
                ctx.stop.test_pause(&ctx.ui, "applying").await;
                applied
            }
        }))
        .buffered(APPLY_CONCURRENCY)
        .try_collect()
        .await?;
        let written = applied.iter().filter(|a| a.written).count();
        report.applied += written;
        report.unchanged += applied.len() - written;

        // Custom resources of a CRD applied in this wave come in a later one: the kind must be
        // served by then, with or without --wait.
        let members: Vec<&Object> = wave.iter().map(|&idx| &objects[idx]).collect();
        let crd_budget = deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
            .unwrap_or(crate::cluster::crd::DEFAULT_TIMEOUT);
        crate::cluster::crd::wait_served(applier.cluster(), &members, crd_budget).await?;

        if let Some(deadline) = deadline {
            let targets: Vec<WaitTarget> = applied.iter().map(WaitTarget::applied).collect();
            let remaining = deadline.saturating_duration_since(Instant::now());
            ctx.stop.test_pause(&ctx.ui, "waiting").await;
            tokio::select! {
                biased;
                stopped = ctx.stop.stopped() => return Err(stopped),
                waited = readiness::wait_ready(applier.client(), &targets, remaining, progress) => {
                    waited.map_err(|e| e.into_anyhow())?;
                }
            }
        }
    }

    if opts.prune {
        ctx.stop.confirm().await?;
        let (gone, kept) = prune_set(objects, previous, release_namespace, opts.keep);
        for k in &kept {
            ctx.ui.status(&format!(
                "kept {} (not in this revision): {}",
                k.object, k.reason
            ));
        }
        report.kept = kept;
        report.pruned = delete_all(ctx, applier, &gone).await?;
    }
    Ok(report)
}

/// Objects of `previous` that `current` lacks, split into those a prune deletes (in delete
/// order) and those it keeps by `rules` (see [`super::keep`]).
pub fn prune_set(
    current: &[Object],
    previous: &[Object],
    release_namespace: &str,
    rules: KeepRules,
) -> (Vec<Object>, Vec<Kept>) {
    let present: HashSet<ObjectKey> = current.iter().map(|o| o.key(release_namespace)).collect();
    let missing: Vec<Object> = previous
        .iter()
        .filter(|o| !present.contains(&o.key(release_namespace)))
        .cloned()
        .collect();
    let (mut gone, kept) = rules.split(missing, Removal::Prune);
    manifest::order::sort_for_delete(&mut gone);
    (gone, kept)
}

/// Deletes objects of `previous` that `current` lacks, in reverse dependency order, except
/// those the default keep rules keep (see [`super::keep`]). Returns their references.
pub async fn prune(
    ctx: &Context,
    applier: &Applier,
    current: &[Object],
    previous: &[Object],
    release_namespace: &str,
) -> Result<Vec<String>> {
    let (gone, _) = prune_set(current, previous, release_namespace, KeepRules::default());
    delete_all(ctx, applier, &gone).await
}

/// What a prune after `current` would do, for a dry run: each object `previous` has and
/// `current` lacks is dry-run deleted, and the references of those the API server would delete
/// are returned with those the keep rules keep. Nothing is deleted.
///
/// Errors: a dry-run delete the API server refuses, or one that cannot be sent.
pub async fn would_prune(
    applier: &Applier,
    current: &[Object],
    previous: &[Object],
    release_namespace: &str,
    rules: KeepRules,
) -> Result<(Vec<String>, Vec<Kept>)> {
    let (gone, kept) = prune_set(current, previous, release_namespace, rules);
    let mut pruned = Vec::new();
    for o in &gone {
        if let Deletion::Deleted = applier.check_delete(o).await? {
            pruned.push(o.reference());
        }
    }
    Ok((pruned, kept))
}

async fn delete_all(ctx: &Context, applier: &Applier, gone: &[Object]) -> Result<Vec<String>> {
    let mut pruned = Vec::new();
    for o in gone {
        ctx.stop.check()?;
        match applier.delete(o).await? {
            Deletion::Deleted => {
                ctx.ui
                    .status(&format!("deleted {} (not in this revision)", o.reference()));
                pruned.push(o.reference());
            }
            Deletion::Absent => {}
            Deletion::Kept { owner } => ctx.ui.warn(&format!(
                "kept {}: {}",
                o.reference(),
                Deletion::kept_reason(&owner)
            )),
        }
    }
    Ok(pruned)
}
