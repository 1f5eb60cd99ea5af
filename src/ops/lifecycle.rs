//! The release lifecycle, written once, as Helm's pkg/action writes it: a new revision is built
//! from what it deploys ([`Session::pending`], Helm's `createRelease`), then
//! [`Session::run_revision`] checks every write with a server-side dry run, records the
//! revision pending, deploys it, and records it deployed with every other revision superseded
//! (`recordRelease`) or failed (`failRelease`). install, upgrade, rollback and the recovery of
//! `--atomic` all go through here; what differs between them is the [`Action`].

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::deploy::{DeployOptions, DeployReport, deploy, prune};
use super::keep::KeepRules;
use super::preflight::{Refused, Retry, preflight};
use super::prepare::Prepared;
use super::session::{Session, read_history};
use crate::chart::Chart;
use crate::cluster::apply::Applier;
use crate::manifest::{Object, ObjectKey};
use crate::release::{ChartInfo, History, ManifestEntry, Release, Status};

/// What a new revision does. It decides the revision's pending status and the descriptions
/// recorded as it goes, in Helm's words ("Install complete", "Rollback to 2").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Install,
    Upgrade,
    /// Back to revision `to`'s objects and values.
    Rollback {
        to: u64,
    },
    /// `--atomic` after a failed upgrade: back to revision `to`, the last deployed one.
    AtomicRollback {
        to: u64,
    },
}

impl Action {
    /// The status a revision has while the action runs.
    pub fn pending_status(self) -> Status {
        match self {
            Action::Install => Status::PendingInstall,
            Action::Upgrade => Status::PendingUpgrade,
            Action::Rollback { .. } | Action::AtomicRollback { .. } => Status::PendingRollback,
        }
    }

    /// `Install`, `Upgrade`, `Rollback to 2`, `Rollback to 2 (--atomic)`: the start of the
    /// revision's description.
    fn title(self) -> String {
        match self {
            Action::Install => "Install".to_string(),
            Action::Upgrade => "Upgrade".to_string(),
            Action::Rollback { to } => format!("Rollback to {to}"),
            Action::AtomicRollback { to } => format!("Rollback to {to} (--atomic)"),
        }
    }

    /// The description while the action runs: `Upgrade in progress`.
    pub fn in_progress(self) -> String {
        format!("{} in progress", self.title())
    }

    /// The description once the revision is deployed: `Install complete`, `Rollback to 2`.
    fn complete(self) -> String {
        match self {
            Action::Install | Action::Upgrade => format!("{} complete", self.title()),
            Action::Rollback { .. } | Action::AtomicRollback { .. } => self.title(),
        }
    }

    /// The action in messages: `upgrade of release `todo-app``,
    /// `rollback of release `todo-app` to revision 2`.
    pub fn what(self, release: &str) -> String {
        match self {
            Action::Install => format!("install of release `{release}`"),
            Action::Upgrade => format!("upgrade of release `{release}`"),
            Action::Rollback { to } | Action::AtomicRollback { to } => {
                format!("rollback of release `{release}` to revision {to}")
            }
        }
    }
}

/// What a revision deploys and records, apart from its number, status and times: the chart,
/// the values, the objects and what came with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub chart: ChartInfo,
    pub user_values: serde_json::Value,
    pub values: serde_json::Value,
    pub manifest: Vec<ManifestEntry>,
    pub notes: Option<String>,
    pub generated: serde_json::Map<String, serde_json::Value>,
    pub secret_paths: Vec<String>,
    pub tests: Vec<ManifestEntry>,
    pub post_renderer: Option<String>,
}

impl Content {
    /// What a render produced (install, upgrade).
    pub fn rendered(prepared: &Prepared) -> Content {
        Content {
            chart: chart_info(&prepared.chart),
            user_values: prepared.user_values.clone(),
            values: prepared.values.clone(),
            manifest: manifest_entries(&prepared.objects),
            notes: prepared.notes.clone(),
            generated: prepared.generated.clone(),
            secret_paths: prepared.secret_paths.clone(),
            tests: manifest_entries(&prepared.tests),
            post_renderer: prepared.post_renderer.clone(),
        }
    }

    /// What an earlier revision recorded (rollback).
    pub fn recorded(release: &Release) -> Content {
        Content {
            chart: release.chart.clone(),
            user_values: release.user_values.clone(),
            values: release.values.clone(),
            manifest: release.manifest.clone(),
            notes: release.notes.clone(),
            generated: release.generated.clone(),
            secret_paths: release.secret_paths.clone(),
            tests: release.tests.clone(),
            post_renderer: release.post_renderer.clone(),
        }
    }
}

/// The record of a new revision `revision` of release `name`, pending `action` (Helm's
/// `createRelease`). Its first-deployed time is the release's, `now` for a new release.
pub fn new_revision(
    name: &str,
    namespace: &str,
    history: &History,
    revision: u64,
    action: Action,
    content: Content,
    now: jiff::Timestamp,
) -> Release {
    Release {
        format: crate::release::FORMAT,
        name: name.to_string(),
        namespace: namespace.to_string(),
        revision,
        status: action.pending_status(),
        description: action.in_progress(),
        chart: content.chart,
        user_values: content.user_values,
        values: content.values,
        manifest: content.manifest,
        notes: content.notes,
        first_deployed: history
            .releases
            .first()
            .map(|r| r.first_deployed)
            .unwrap_or(now),
        updated: now,
        todoctl_version: crate::release::TODOCTL_VERSION.to_string(),
        generated: content.generated,
        secret_paths: content.secret_paths,
        tests: content.tests,
        last_test: None,
        post_renderer: content.post_renderer,
    }
}

/// How a revision is deployed.
pub struct Run<'a> {
    pub applier: &'a Applier,
    /// The revision's objects (those of its record), in the order rendered.
    pub objects: &'a [Object],
    /// Objects the cluster may hold for the release that a prune considers.
    pub previous: Vec<Object>,
    /// The readiness budget; `None` applies without waiting.
    pub wait: Option<Duration>,
    pub keep: KeepRules,
    /// `--history-max`: records kept after a successful revision (0: all).
    pub history_max: usize,
    /// What a refusal before anything is written tells the user to run next.
    pub retry: Retry,
}

/// How a revision that was recorded ended.
pub enum Outcome {
    /// Deployed, recorded deployed, the revision before it superseded.
    Deployed {
        record: Release,
        report: DeployReport,
    },
    /// The deploy failed and the revision is recorded failed: the caller may recover
    /// (`--atomic`) and adds its own context to `error`.
    Failed {
        record: Release,
        error: anyhow::Error,
    },
}

impl Session {
    /// The pending record of the next revision of this session's release (Helm's
    /// `createRelease`); nothing is written until [`Session::run_revision`].
    pub fn pending(&self, action: Action, content: Content) -> Release {
        new_revision(
            &self.release,
            self.store.namespace(),
            &self.history,
            self.next_revision(),
            action,
            content,
            self.ctx.clock.now(),
        )
    }

    /// Runs a revision: a server-side dry run of every write (a refusal is `Err` with nothing
    /// written), the record written pending, the deploy, then the record deployed with the
    /// others superseded and the history pruned to `run.history_max`, or the record failed.
    ///
    /// `Err`: refused before anything was written, or failed in a way this operation could
    /// not record (its lock lost, its namespace deleted): the error is final. A failed deploy
    /// that was recorded failed is [`Outcome::Failed`].
    pub async fn run_revision(
        &self,
        mut record: Release,
        action: Action,
        run: Run<'_>,
    ) -> Result<Outcome> {
        let ctx = &self.ctx;
        let what = action.what(&self.release);
        let checked = preflight(
            run.applier,
            run.objects,
            &run.previous,
            self.store.namespace(),
            true,
            run.keep,
            Refused {
                what: &what,
                retry: run.retry,
            },
        )
        .await?;
        self.create_record(&record).await?;
        ctx.stop.test_pause(&ctx.ui, "recorded").await;
        let deployed = deploy(
            ctx,
            run.applier,
            run.objects,
            &run.previous,
            self.store.namespace(),
            &DeployOptions {
                wait: run.wait,
                prune: true,
                deferred: checked.deferred,
                what,
                keep: run.keep,
            },
        )
        .await;
        match deployed {
            Ok(report) => {
                record.status = Status::Deployed;
                record.description = action.complete();
                record.updated = ctx.clock.now();
                self.update_record(&record).await?;
                ctx.stop.test_pause(&ctx.ui, "finished").await;
                self.supersede_others(record.revision).await?;
                self.prune_history(run.history_max).await;
                Ok(Outcome::Deployed { record, report })
            }
            Err(err) => {
                let error = self
                    .record_failure(&mut record, &action.title(), err)
                    .await?;
                Ok(Outcome::Failed { record, error })
            }
        }
    }

    /// Marks every other deployed revision superseded once `revision` is the deployed one.
    /// Works from a fresh read of the records, not from the history read when the lock was
    /// taken: a record written since then is seen, and a record that changes between this read
    /// and its update fails the update instead of being overwritten.
    async fn supersede_others(&self, revision: u64) -> Result<()> {
        self.ensure_held()?;
        let fresh = read_history(&self.ctx.ui, self.store.as_ref(), &self.release).await?;
        for r in fresh
            .releases
            .iter()
            .filter(|r| r.revision != revision && r.status == Status::Deployed)
        {
            let mut r = r.clone();
            r.status = Status::Superseded;
            self.update_record(&r).await?;
        }
        Ok(())
    }

    /// Drops the oldest records beyond `keep` (0: none); a failure here is not the operation's
    /// failure.
    async fn prune_history(&self, keep: usize) {
        if keep == 0 || self.ensure_held().is_err() {
            return;
        }
        if let Err(e) = self.store.prune(&self.release, keep).await {
            self.ctx.ui.warn(&format!(
                "could not prune old revisions of `{}`: {}",
                self.release,
                crate::error::sentence(&e)
            ));
        }
    }

    /// `--atomic` after a failed revision: back to `previous`, the last deployed revision
    /// (recorded as a new revision through [`Session::run_revision`]), or, after a failed
    /// install, delete what it created and the release's records. Returns what it did.
    pub async fn atomic_recover(
        &self,
        applier: &Applier,
        failed_objects: &[Object],
        previous: Option<&Release>,
        wait: Option<Duration>,
        history_max: usize,
    ) -> Result<String> {
        let ctx = &self.ctx;
        match previous {
            Some(prev) => {
                ctx.ui.status(&format!(
                    "--atomic: rolling back to revision {}",
                    prev.revision
                ));
                let action = Action::AtomicRollback { to: prev.revision };
                let record = self.pending(action, Content::recorded(prev));
                let target = prev.objects();
                let mut all_previous = self.history.previous_objects();
                all_previous.extend(failed_objects.iter().cloned());
                let run = Run {
                    applier,
                    objects: &target,
                    previous: all_previous,
                    wait,
                    keep: KeepRules::default(),
                    history_max,
                    retry: Retry::Command,
                };
                match self.run_revision(record, action, run).await? {
                    Outcome::Deployed { record, .. } => Ok(format!(
                        "--atomic rolled back to revision {} (recorded as revision {})",
                        prev.revision, record.revision
                    )),
                    Outcome::Failed { error, .. } => {
                        Err(error.context("re-applying the previous revision"))
                    }
                }
            }
            None => {
                ctx.ui
                    .status("--atomic: removing what the failed install created");
                prune(ctx, applier, &[], failed_objects, self.store.namespace()).await?;
                self.ensure_held()?;
                self.store
                    .delete_all(&self.release)
                    .await
                    .context("deleting the release's records")?;
                Ok("--atomic removed the release".to_string())
            }
        }
    }
}

/// Objects rendered exactly as the last deployed revision, and every revision after it that
/// holds them, recorded them: whatever of those revisions reached the cluster, it applied this.
/// The applier still checks the live object before skipping it.
pub fn unchanged_objects(
    history: &History,
    objects: &[Object],
    namespace: &str,
) -> HashSet<ObjectKey> {
    let Some(deployed) = history.last_deployed() else {
        return HashSet::new();
    };
    let since: Vec<std::collections::HashMap<ObjectKey, &serde_json::Value>> = history
        .releases
        .iter()
        .filter(|r| r.revision >= deployed.revision)
        .map(|r| {
            r.manifest
                .iter()
                .map(|e| (e.to_object().key(&r.namespace), &e.object))
                .collect()
        })
        .collect();
    let in_deployed = since.first();
    objects
        .iter()
        .filter(|o| {
            let key = o.key(namespace);
            in_deployed.is_some_and(|d| d.get(&key) == Some(&&o.data))
                && since
                    .iter()
                    .all(|rev| rev.get(&key).is_none_or(|data| **data == o.data))
        })
        .map(|o| o.key(namespace))
        .collect()
}

pub fn chart_info(chart: &Chart) -> ChartInfo {
    ChartInfo {
        name: chart.meta.name.clone(),
        version: chart.meta.version.clone(),
        app_version: chart.meta.app_version.clone(),
    }
}

pub fn manifest_entries(objects: &[Object]) -> Vec<ManifestEntry> {
    objects
        .iter()
        .map(|e| ManifestEntry {
            template: e.template.clone(),
            object: e.data.clone(),
        })
        .collect()
}
