//! install and upgrade: render, record a pending revision, deploy, record the outcome.
//!
//! Phases follow Helm's pkg/action: prepare (lock, history, render), perform (deploy), record
//! (deployed + superseded), fail (failed, and with --atomic a rollback or an uninstall).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::deploy::{DeployOptions, DeployReport, deploy};
use super::lifecycle::{
    self, NamespacePolicy, RenderRequest, Session, chart_info, current, last_deployed,
    manifest_entries, next_revision, previous_objects,
};
use super::preflight::preflight;
use crate::cluster::apply::{Applier, ApplyMode};
use crate::context::Context;
use crate::manifest::ObjectKey;
use crate::release::{Release, Status};
use crate::values::ValueSources;

#[derive(Debug, Clone)]
pub struct ChangeOptions {
    pub release: String,
    pub namespace: String,
    pub chart_dir: Option<PathBuf>,
    pub values: ValueSources,
    /// `install` (fails when the release exists) or `upgrade`.
    pub upgrade: bool,
    /// upgrade --install.
    pub install_if_missing: bool,
    pub reset_values: bool,
    pub wait: Option<Duration>,
    pub dry_run: bool,
    pub atomic: bool,
    pub force_conflicts: bool,
    pub adopt: bool,
    pub history_max: usize,
    /// Which CRDs and PersistentVolumeClaims this revision lacks may be pruned.
    pub keep: super::KeepRules,
    /// `--post-renderer`, recorded in the revision.
    pub post_renderer: Option<super::PostRenderer>,
}

impl ChangeOptions {
    /// What install and upgrade render, for the run and its dry run alike.
    fn render_request(&self, is_upgrade: bool) -> RenderRequest<'_> {
        RenderRequest {
            release: &self.release,
            namespace: &self.namespace,
            chart_dir: self.chart_dir.as_deref(),
            values: &self.values,
            is_upgrade,
            reset_values: self.reset_values,
            generate_new: true,
            post_renderer: self.post_renderer.as_ref(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChangeOutcome {
    pub release: Release,
    pub report: DeployReport,
    pub elapsed: Duration,
    pub dry_run: bool,
}

pub async fn change(ctx: &Context, opts: &ChangeOptions) -> Result<ChangeOutcome> {
    let started = Instant::now();
    let op = if opts.upgrade { "upgrade" } else { "install" };
    if opts.dry_run {
        return dry_run(ctx, opts, started).await;
    }
    // Only an install creates the namespace: an upgrade of a missing release is refused.
    let policy = if !opts.upgrade || opts.install_if_missing {
        NamespacePolicy::Create
    } else {
        NamespacePolicy::MustExist
    };
    let Some(session) = Session::open(ctx, &opts.namespace, &opts.release, op, policy).await?
    else {
        return Err(release_not_found(opts));
    };
    let result = change_locked(&session, opts, started).await;
    session.close(result).await
}

async fn change_locked(
    session: &Session,
    opts: &ChangeOptions,
    started: Instant,
) -> Result<ChangeOutcome> {
    let ctx = &session.ctx;
    let history = &session.history;
    let live = current(history);
    let is_upgrade = match (opts.upgrade, live) {
        (false, Some(r)) => bail!(
            "release `{}` already exists in namespace `{}` (revision {}, {}); use `todoctl upgrade` to change it",
            opts.release,
            opts.namespace,
            r.revision,
            r.status
        ),
        (false, None) => false,
        (true, Some(_)) => true,
        (true, None) if opts.install_if_missing => false,
        (true, None) => return Err(release_not_found(opts)),
    };

    let base = last_deployed(history).or(live);
    let revision = next_revision(history);
    let prepared =
        lifecycle::render_release(&session.client, history, &opts.render_request(is_upgrade))
            .await?;

    let stamp = ctx.clock.now();
    let mut record = Release {
        format: crate::release::FORMAT,
        name: opts.release.clone(),
        namespace: opts.namespace.clone(),
        revision,
        status: if is_upgrade {
            Status::PendingUpgrade
        } else {
            Status::PendingInstall
        },
        description: if is_upgrade {
            "Upgrade in progress"
        } else {
            "Install in progress"
        }
        .to_string(),
        chart: chart_info(&prepared.chart),
        user_values: prepared.user_values.clone(),
        values: prepared.values.clone(),
        manifest: manifest_entries(&prepared.objects),
        notes: prepared.notes.clone(),
        first_deployed: history
            .releases
            .first()
            .map(|r| r.first_deployed)
            .unwrap_or(stamp),
        updated: stamp,
        todoctl_version: env!("CARGO_PKG_VERSION").to_string(),
        generated: prepared.generated.clone(),
        secret_paths: prepared.secret_paths.clone(),
        tests: manifest_entries(&prepared.tests),
        last_test: None,
        post_renderer: prepared.post_renderer.clone(),
    };
    let applier = Applier::new(
        session.client.clone(),
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: opts.force_conflicts,
            adopt: opts.adopt,
        },
    )
    .with_unchanged(unchanged_objects(
        history,
        &prepared.objects,
        &opts.namespace,
    ));
    let previous = previous_objects(history);
    let what = format!(
        "{} of release `{}`",
        if is_upgrade { "upgrade" } else { "install" },
        opts.release
    );
    let checked = preflight(
        &applier,
        &prepared.objects,
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
        &prepared.objects,
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
            record.description = if is_upgrade {
                "Upgrade complete"
            } else {
                "Install complete"
            }
            .to_string();
            record.updated = ctx.clock.now();
            session.update_record(&record).await?;
            ctx.stop.test_pause("finished").await;
            lifecycle::supersede_others(session, revision).await?;
            lifecycle::prune_history(session, opts.history_max).await;
            Ok(ChangeOutcome {
                release: record,
                report,
                elapsed: started.elapsed(),
                dry_run: false,
            })
        }
        Err(err) => {
            let what = if is_upgrade { "Upgrade" } else { "Install" };
            let err = session.record_failure(&mut record, what, err).await?;
            if opts.atomic {
                let recovered = lifecycle::atomic_recover(
                    session,
                    &applier,
                    &prepared.objects,
                    base.filter(|_| is_upgrade),
                    opts,
                )
                .await;
                return Err(match recovered {
                    Ok(what) => err.context(format!(
                        "{op} failed; {what}",
                        op = if is_upgrade { "upgrade" } else { "install" }
                    )),
                    Err(e) => err.context(format!("the --atomic recovery failed too: {e:#}")),
                });
            }
            Err(err.context(format!(
                "{} of release `{}` failed; revision {revision} is recorded as failed{}",
                if is_upgrade { "upgrade" } else { "install" },
                opts.release,
                match last_deployed(history) {
                    Some(d) => format!(" and revision {} stays the deployed one", d.revision),
                    None => String::new(),
                }
            )))
        }
    }
}

/// Objects rendered exactly as the last deployed revision, and every revision after it that
/// holds them, recorded them: whatever of those revisions reached the cluster, it applied this.
/// The applier still checks the live object before skipping it.
fn unchanged_objects(
    history: &crate::release::History,
    objects: &[crate::manifest::Object],
    namespace: &str,
) -> HashSet<ObjectKey> {
    let Some(deployed) = last_deployed(history) else {
        return HashSet::new();
    };
    let since: Vec<HashMap<ObjectKey, &serde_json::Value>> = history
        .releases
        .iter()
        .filter(|r| r.revision >= deployed.revision)
        .map(|r| {
            r.manifest
                .iter()
                .map(|e| {
                    let o = crate::manifest::Object::new(e.template.clone(), e.object.clone());
                    (o.key(&r.namespace), &e.object)
                })
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

/// `--dry-run`: render with the cluster's capabilities, have the API server validate every object
/// with a server-side dry-run apply, and record nothing.
/// An upgrade without --install of a release that does not exist.
fn release_not_found(opts: &ChangeOptions) -> anyhow::Error {
    crate::error::Error::anyhow(
        crate::error::Kind::NotFound,
        format!(
            "release `{}` not found in namespace `{}`; install it with `todoctl install`, or use `todoctl upgrade --install`",
            opts.release, opts.namespace
        ),
    )
}

async fn dry_run(ctx: &Context, opts: &ChangeOptions, started: Instant) -> Result<ChangeOutcome> {
    let client = ctx.client.clone();
    super::render::check_release_name(&opts.release, &opts.namespace)?;
    let store = crate::release::SecretStore::new(client.clone(), &opts.namespace);
    let history = lifecycle::read_history(&store, &opts.release).await?;
    let live = current(&history);
    if !opts.upgrade && live.is_some() {
        bail!(
            "release `{}` already exists in namespace `{}`; use `todoctl upgrade` to change it",
            opts.release,
            opts.namespace
        );
    }
    if opts.upgrade && live.is_none() && !opts.install_if_missing {
        return Err(release_not_found(opts));
    }
    let is_upgrade = opts.upgrade && live.is_some();
    let prepared =
        lifecycle::render_release(&client, &history, &opts.render_request(is_upgrade)).await?;
    let namespace_exists = lifecycle::namespace_exists(&client, &opts.namespace).await?;
    let applier = Applier::new(
        client,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: true,
            force_conflicts: opts.force_conflicts,
            adopt: opts.adopt,
        },
    );
    let mut checked = 0;
    if namespace_exists {
        for o in &prepared.objects {
            applier.apply(o).await?;
            checked += 1;
        }
        ctx.ui.status(&format!(
            "the API server accepted all {checked} objects (dry run)"
        ));
    } else {
        ctx.ui.status(&format!(
            "namespace `{}` does not exist yet and would be created; the objects were validated offline only",
            opts.namespace
        ));
    }
    let stamp = ctx.clock.now();
    Ok(ChangeOutcome {
        release: Release {
            format: crate::release::FORMAT,
            name: opts.release.clone(),
            namespace: opts.namespace.clone(),
            revision: next_revision(&history),
            status: if is_upgrade {
                Status::PendingUpgrade
            } else {
                Status::PendingInstall
            },
            description: "Dry run".to_string(),
            chart: chart_info(&prepared.chart),
            user_values: prepared.user_values,
            values: prepared.values,
            manifest: manifest_entries(&prepared.objects),
            notes: prepared.notes,
            first_deployed: stamp,
            updated: stamp,
            todoctl_version: env!("CARGO_PKG_VERSION").to_string(),
            generated: prepared.generated,
            secret_paths: prepared.secret_paths,
            tests: manifest_entries(&prepared.tests),
            last_test: None,
            post_renderer: prepared.post_renderer,
        },
        report: DeployReport {
            applied: checked,
            ..Default::default()
        },
        elapsed: started.elapsed(),
        dry_run: true,
    })
}
