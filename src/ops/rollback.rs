//! rollback: re-apply a stored revision's objects and values, recorded as a new revision through
//! the lifecycle (see [`super::lifecycle`]).

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::deploy::DeployReport;
use super::lifecycle::{Action, Content, Outcome, Run};
use super::session::{NamespacePolicy, Session, release_not_found};
use crate::cluster::apply::{Applier, ApplyMode};
use crate::context::Context;
use crate::release::{Release, Status};

#[derive(Debug, Clone)]
pub struct RollbackOptions {
    pub release: String,
    pub namespace: String,
    /// The revision to return to; `None` is the one deployed before the current one.
    pub revision: Option<u64>,
    pub wait: Option<Duration>,
    pub dry_run: bool,
    pub force_conflicts: bool,
    pub adopt: bool,
    pub history_max: usize,
    /// Which CRDs and PersistentVolumeClaims this revision lacks may be pruned.
    pub keep: super::KeepRules,
}

#[derive(Debug, Clone)]
pub struct RollbackOutcome {
    pub release: Release,
    pub target: u64,
    pub report: DeployReport,
    pub elapsed: Duration,
}

pub async fn rollback(ctx: &Context, opts: &RollbackOptions) -> Result<RollbackOutcome> {
    let started = Instant::now();
    let session = Session::open_for(
        ctx,
        &opts.namespace,
        &opts.release,
        "rollback",
        NamespacePolicy::MustExist,
        opts.dry_run,
    )
    .await?;
    let Some(session) = session else {
        return Err(release_not_found(
            &opts.release,
            &opts.namespace,
            "; nothing to roll back",
        ));
    };
    let result = rollback_locked(&session, opts, started).await;
    session.close(result).await
}

async fn rollback_locked(
    session: &Session,
    opts: &RollbackOptions,
    started: Instant,
) -> Result<RollbackOutcome> {
    let history = &session.history;
    if history.releases.is_empty() {
        return Err(release_not_found(
            &opts.release,
            &opts.namespace,
            "; nothing to roll back",
        ));
    }
    let revisions = || {
        history
            .releases
            .iter()
            .map(|r| r.revision.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let target = match opts.revision {
        Some(n) => {
            if let Some(b) = history.broken.iter().find(|b| b.revision == n) {
                bail!(
                    "revision {n} of release `{}` cannot be read ({}): {}; pick another revision",
                    opts.release,
                    b.secret,
                    b.error
                );
            }
            history
                .releases
                .iter()
                .find(|r| r.revision == n)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "release `{}` has no revision {n}; its revisions are {}",
                        opts.release,
                        revisions()
                    )
                })?
        }
        None => {
            let current = history
                .last_deployed()
                .map(|r| r.revision)
                .unwrap_or(u64::MAX);
            history
                .releases
                .iter()
                .rev()
                .find(|r| r.revision < current && matches!(r.status, Status::Superseded | Status::Deployed))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "release `{}` has no earlier deployed revision to roll back to; give a revision (its revisions are {})",
                        opts.release,
                        revisions()
                    )
                })?
        }
    };
    if target.manifest.is_empty() && target.status == Status::Uninstalled {
        bail!("revision {} has no objects to restore", target.revision);
    }

    let applier = Applier::new(
        &session.ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: opts.dry_run,
            force_conflicts: opts.force_conflicts || session.takeover_pending(),
            adopt: opts.adopt || session.takeover_pending(),
        },
    );
    let objects = target.objects();
    let action = Action::Rollback {
        to: target.revision,
    };
    let mut record = session.pending(action, Content::recorded(target));
    if opts.dry_run {
        for o in &objects {
            applier.apply(o).await?;
        }
        let (pruned, kept) = super::deploy::would_prune(
            &applier,
            &objects,
            &history.previous_objects(),
            &opts.namespace,
            opts.keep,
        )
        .await?;
        record.description = format!("Rollback to {} (dry run)", target.revision);
        return Ok(RollbackOutcome {
            release: record,
            target: target.revision,
            report: DeployReport {
                applied: objects.len(),
                pruned,
                kept,
                ..Default::default()
            },
            elapsed: started.elapsed(),
        });
    }
    // As in an upgrade, objects the target recorded exactly as the current deployed revision
    // (and every revision after it) did are applied again only if the live object changed.
    let applier = applier.with_unchanged(super::lifecycle::unchanged_objects(
        history,
        &objects,
        &record.namespace,
    ));
    let run = Run {
        applier: &applier,
        objects: &objects,
        previous: history.previous_objects(),
        wait: opts.wait,
        keep: opts.keep,
        history_max: opts.history_max,
        retry: super::preflight::Retry::Command,
    };
    match session.run_revision(record, action, run).await? {
        Outcome::Deployed { record, report } => Ok(RollbackOutcome {
            release: record,
            target: target.revision,
            report,
            elapsed: started.elapsed(),
        }),
        Outcome::Failed { record, error } => Err(error.context(format!(
            "rollback of release `{}` to revision {} failed; revision {} is recorded as failed",
            opts.release, target.revision, record.revision
        ))),
    }
}
