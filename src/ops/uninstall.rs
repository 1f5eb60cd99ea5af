//! uninstall: delete a release's objects in reverse dependency order, wait until they are gone,
//! then delete (or, with --keep-history, keep) its records. CustomResourceDefinitions,
//! PersistentVolumeClaims and objects annotated to be kept stay (see [`super::keep`]), and so do
//! the claims the release's StatefulSets made from their volumeClaimTemplates.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::keep::{self, ClaimTemplates, KeepRules, Kept, Removal};
use super::session::{NamespacePolicy, Session, release_not_found};
use crate::cluster::apply::{Applier, ApplyMode, Deletion};
use crate::cluster::readiness::{self, WaitTarget};
use crate::context::Context;
use crate::manifest;
use crate::release::Status;

#[derive(Debug, Clone)]
pub struct UninstallOptions {
    pub release: String,
    pub namespace: String,
    pub wait: Option<Duration>,
    pub keep_history: bool,
    pub dry_run: bool,
    /// Whether CRDs and PersistentVolumeClaims are deleted too (`--delete-crds`,
    /// `--delete-pvcs`).
    pub keep: KeepRules,
}

#[derive(Debug, Clone, Default)]
pub struct UninstallOutcome {
    pub deleted: Vec<String>,
    /// Objects left in the cluster, with the reason.
    pub kept: Vec<Kept>,
    pub kept_history: bool,
    pub elapsed: Duration,
}

pub async fn uninstall(ctx: &Context, opts: &UninstallOptions) -> Result<UninstallOutcome> {
    let started = Instant::now();
    let session = Session::open_for(
        ctx,
        &opts.namespace,
        &opts.release,
        "uninstall",
        NamespacePolicy::MustExist,
        opts.dry_run,
    )
    .await?;
    let Some(session) = session else {
        return Err(release_not_found(
            &opts.release,
            &opts.namespace,
            " (or already uninstalled); `todoctl list -A` shows every release",
        ));
    };
    let result = uninstall_locked(&session, opts, started).await;
    session.close(result).await
}

async fn uninstall_locked(
    session: &Session,
    opts: &UninstallOptions,
    started: Instant,
) -> Result<UninstallOutcome> {
    let ctx = &session.ctx;
    // Records of a newer todoctl must not be deleted by this one; refuse before deleting
    // anything, so the release is not left half uninstalled.
    if let Some(b) = session
        .history
        .broken
        .iter()
        .find(|b| b.newer_format.is_some())
    {
        bail!(
            "release `{}` has record `{}` that this todoctl must not delete: {}; uninstall it with that newer todoctl",
            opts.release,
            b.secret,
            b.error
        );
    }
    let Some(latest) = session.history.current() else {
        // Only records of an uninstalled release remain: without --keep-history, remove them.
        if !session.history.releases.is_empty() && !opts.keep_history && !opts.dry_run {
            session.ensure_held()?;
            let n = session.store.delete_all(&opts.release).await?;
            ctx.ui.status(&format!("deleted {n} kept revision records"));
            return Ok(UninstallOutcome {
                elapsed: started.elapsed(),
                ..Default::default()
            });
        }
        return Err(release_not_found(
            &opts.release,
            &opts.namespace,
            " (or already uninstalled); `todoctl list -A` shows every release",
        ));
    };
    let previous = session.history.previous_objects();
    // The release's own objects: a claim among them is reported by the keep rules, not again
    // as a StatefulSet's.
    let own: Vec<String> = previous.iter().map(|o| o.reference()).collect();
    let (mut objects, mut kept) = opts.keep.split(previous, Removal::Uninstall);
    manifest::order::sort_for_delete(&mut objects);
    let applier = Applier::new(
        &session.ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: opts.dry_run,
            ..Default::default()
        },
    );
    let claim_sets = claim_templates(&applier, &objects, &opts.namespace).await;
    if opts.dry_run {
        // The API server's dry run of each deletion: what another release owns now is kept,
        // and a missing permission is found, as in the real uninstall.
        let mut deleted = Vec::new();
        for o in &objects {
            ctx.stop.check()?;
            match applier.check_delete(o).await? {
                Deletion::Deleted => deleted.push(o.reference()),
                Deletion::Absent => {}
                Deletion::Kept { owner } => kept.push(owned_elsewhere(o, &owner)),
            }
        }
        kept.extend(keep::statefulset_claims(applier.client(), &claim_sets, &own).await);
        return Ok(UninstallOutcome {
            deleted,
            kept,
            kept_history: opts.keep_history,
            elapsed: started.elapsed(),
        });
    }

    // A dry-run delete of everything first: a permission missing for one kind is found before
    // any object is gone, rather than after half the release was deleted.
    let check = Applier::new(
        &session.ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: true,
            ..Default::default()
        },
    );
    for o in &objects {
        check.delete(o).await?;
    }

    let mut marker = latest.clone();
    marker.status = Status::Uninstalling;
    marker.description = "Uninstall in progress".into();
    marker.updated = ctx.clock.now();
    session.update_record(&marker).await?;

    ctx.stop.test_pause(&ctx.ui, "uninstalling").await;
    // Whatever stops the deletion (a signal, a timeout, an API error) leaves the record failed,
    // not `uninstalling`: no operation is running it any more.
    let deleted = match delete_and_wait(ctx, &applier, &objects, opts.wait, &mut kept).await {
        Ok(deleted) => deleted,
        Err(err) => {
            let err = session
                .record_failure(&mut marker, "Uninstall", err)
                .await?;
            return Err(err.context(format!(
                "uninstall of release `{}` stopped before finishing; revision {} is recorded as failed; run `todoctl uninstall` again to finish it",
                opts.release, marker.revision
            )));
        }
    };

    if opts.keep_history {
        marker.status = Status::Uninstalled;
        marker.description = "Uninstall complete".into();
        marker.updated = ctx.clock.now();
        session.update_record(&marker).await?;
    } else {
        session.ensure_held()?;
        session.store.delete_all(&opts.release).await?;
    }
    // Listed after the StatefulSets are deleted: what is there now is what stays.
    kept.extend(keep::statefulset_claims(applier.client(), &claim_sets, &own).await);
    for k in &kept {
        ctx.ui.status(&format!("kept {}: {}", k.object, k.reason));
    }
    Ok(UninstallOutcome {
        deleted,
        kept,
        kept_history: opts.keep_history,
        elapsed: started.elapsed(),
    })
}

/// The claim templates of the StatefulSets among `objects`, read from the cluster (the retention
/// policy may have been changed there since the revision was recorded), or from the record
/// when the StatefulSet cannot be read (already gone, or not readable).
async fn claim_templates(
    applier: &Applier,
    objects: &[crate::manifest::Object],
    namespace: &str,
) -> Vec<ClaimTemplates> {
    let mut sets = Vec::new();
    for o in objects.iter().filter(|o| o.kind() == "StatefulSet") {
        let live = match applier.api_for(o).await {
            Ok((api, _)) => api.get_opt(o.name()).await.ok().flatten(),
            Err(_) => None,
        };
        let live = live.and_then(|l| serde_json::to_value(l).ok());
        let ns = o.namespace().unwrap_or(namespace);
        if let Some(set) = ClaimTemplates::of(live.as_ref().unwrap_or(&o.data), ns) {
            sets.push(set);
        }
    }
    sets
}

/// Deletes `objects` in order and, with `wait`, waits until they are gone; returns the
/// references of those that existed.
/// Deletes `objects` in order and waits for them to go; an object another release owns now is
/// added to `kept` instead. Returns what was deleted.
async fn delete_and_wait(
    ctx: &Context,
    applier: &Applier,
    objects: &[crate::manifest::Object],
    wait: Option<Duration>,
    kept: &mut Vec<Kept>,
) -> Result<Vec<String>> {
    let mut deleted = Vec::new();
    // Only what this uninstall deleted is waited for: the rest was gone already, or kept.
    let mut targets = Vec::new();
    for o in objects {
        ctx.stop.check()?;
        match applier.delete(o).await? {
            Deletion::Deleted => {
                ctx.ui.status(&format!("deleted {}", o.reference()));
                deleted.push(o.reference());
                if wait.is_some() {
                    let (api, _) = applier.api_for(o).await?;
                    targets.push(WaitTarget::deleted(o, api));
                }
            }
            Deletion::Absent => {}
            Deletion::Kept { owner } => kept.push(owned_elsewhere(o, &owner)),
        }
    }
    if let Some(timeout) = wait {
        tokio::select! {
            biased;
            stopped = ctx.stop.stopped() => return Err(stopped),
            waited = readiness::wait_deleted(applier.client(), &targets, timeout, &ctx.ui.progress) => {
                waited.map_err(|e| e.into_anyhow())?;
            }
        }
    }

    Ok(deleted)
}

/// An object of the release that another release owns now, kept by the uninstall.
fn owned_elsewhere(object: &crate::manifest::Object, owner: &str) -> Kept {
    Kept {
        object: object.reference(),
        reason: Deletion::kept_reason(owner),
    }
}
