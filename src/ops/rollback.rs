//! rollback: re-apply a stored revision's manifest and record it as a new revision.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::deploy::{DeployOptions, DeployReport, deploy};
use super::lifecycle::{
    self, NamespacePolicy, Session, last_deployed, next_revision, objects_of, previous_objects,
};
use super::preflight::preflight;
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
    let Some(session) = Session::open(
        ctx,
        &opts.namespace,
        &opts.release,
        "rollback",
        NamespacePolicy::MustExist,
    )
    .await?
    else {
        return Err(release_not_found(opts));
    };
    let result = rollback_locked(&session, opts, started).await;
    session.close(result).await
}

fn release_not_found(opts: &RollbackOptions) -> anyhow::Error {
    crate::error::Error::anyhow(
        crate::error::Kind::NotFound,
        format!(
            "release `{}` not found in namespace `{}`; nothing to roll back",
            opts.release, opts.namespace
        ),
    )
}

async fn rollback_locked(
    session: &Session,
    opts: &RollbackOptions,
    started: Instant,
) -> Result<RollbackOutcome> {
    let ctx = &session.ctx;
    let history = &session.history;
    if history.releases.is_empty() {
        return Err(release_not_found(opts));
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
            let current = last_deployed(history)
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
        session.client.clone(),
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: opts.dry_run,
            force_conflicts: opts.force_conflicts,
            adopt: opts.adopt,
        },
    );
    let objects = objects_of(target);
    let previous = previous_objects(history);
    let revision = next_revision(history);
    let mut record = Release {
        revision,
        status: Status::PendingRollback,
        description: format!("Rollback to {} in progress", target.revision),
        last_test: None,
        updated: ctx.clock.now(),
        first_deployed: history
            .releases
            .first()
            .map(|r| r.first_deployed)
            .unwrap_or_else(|| ctx.clock.now()),
        ..target.clone()
    };
    if opts.dry_run {
        for o in &objects {
            applier.apply(o).await?;
        }
        record.description = format!("Rollback to {} (dry run)", target.revision);
        return Ok(RollbackOutcome {
            release: record,
            target: target.revision,
            report: DeployReport {
                applied: objects.len(),
                ..Default::default()
            },
            elapsed: started.elapsed(),
        });
    }
    let what = format!(
        "rollback of release `{}` to revision {}",
        opts.release, target.revision
    );
    let checked = preflight(
        &applier,
        &objects,
        &previous,
        &opts.namespace,
        true,
        opts.keep,
        &what,
    )
    .await?;
    session.create_record(&record).await?;
    ctx.stop.test_pause("recorded").await;
    let deployed = deploy(
        ctx,
        &applier,
        &objects,
        &previous,
        &opts.namespace,
        &DeployOptions {
            wait: opts.wait,
            prune: true,
            deferred: checked.deferred,
            what,
            keep: opts.keep,
        },
    )
    .await;
    match deployed {
        Ok(report) => {
            record.status = Status::Deployed;
            record.description = format!("Rollback to {}", target.revision);
            record.updated = ctx.clock.now();
            session.update_record(&record).await?;
            ctx.stop.test_pause("finished").await;
            lifecycle::supersede_others(session, revision).await?;
            lifecycle::prune_history(session, opts.history_max).await;
            Ok(RollbackOutcome {
                release: record,
                target: target.revision,
                report,
                elapsed: started.elapsed(),
            })
        }
        Err(err) => {
            let what = format!("Rollback to {}", target.revision);
            let err = session.record_failure(&mut record, &what, err).await?;
            Err(err.context(format!(
                "rollback of release `{}` to revision {} failed; revision {revision} is recorded as failed",
                opts.release, target.revision
            )))
        }
    }
}
