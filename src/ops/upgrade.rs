//! install and upgrade: render, then run the revision through the lifecycle (lock, dry-run
//! every write, record pending, deploy, record deployed or failed). An install is an upgrade
//! from no release, as in Helm, where `upgrade --install` of a missing release is an install:
//! both are this file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::deploy::DeployReport;
use super::lifecycle::{self, Action, Content, Outcome, Run};
use super::preflight::Retry;
use super::prepare::{PrepareRequest, prepare_release};
use super::session::{NamespacePolicy, Session, namespace_exists, release_not_found};
use crate::cluster::apply::{Applier, ApplyMode};
use crate::context::Context;
use crate::error::{Error, Kind};
use crate::release::{History, Release};
use crate::values::ValueSources;

/// Which command runs: it decides what a missing or an existing release means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeMode {
    /// `install`: refused when the release exists.
    Install,
    /// `upgrade`: refused when the release does not exist.
    Upgrade,
    /// `upgrade --install`: installs a missing release, upgrades an existing one.
    UpgradeOrInstall,
}

impl ChangeMode {
    /// The operation named in the lock and in messages.
    fn operation(self) -> &'static str {
        match self {
            ChangeMode::Install => "install",
            ChangeMode::Upgrade | ChangeMode::UpgradeOrInstall => "upgrade",
        }
    }

    /// What this command does to a release in this state: `Ok(Action::Install)` or
    /// `Ok(Action::Upgrade)`, or the refusal (`live` exists for install, is missing for
    /// upgrade).
    fn action(self, release: &str, namespace: &str, live: Option<&Release>) -> Result<Action> {
        match (self, live) {
            (ChangeMode::Install, Some(r)) => Err(Error::anyhow(
                Kind::Conflict,
                format!(
                    "release `{release}` already exists in namespace `{namespace}` (revision {}, {}); use `todoctl upgrade` to change it",
                    r.revision, r.status
                ),
            )),
            (ChangeMode::Install | ChangeMode::UpgradeOrInstall, None) => Ok(Action::Install),
            (ChangeMode::Upgrade | ChangeMode::UpgradeOrInstall, Some(_)) => Ok(Action::Upgrade),
            (ChangeMode::Upgrade, None) => Err(no_upgrade_without_install(release, namespace)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChangeOptions {
    pub release: String,
    pub namespace: String,
    pub chart_dir: Option<PathBuf>,
    pub values: ValueSources,
    pub mode: ChangeMode,
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
    fn render_request(&self, action: Action) -> PrepareRequest<'_> {
        PrepareRequest {
            release: &self.release,
            namespace: &self.namespace,
            chart_dir: self.chart_dir.as_deref(),
            values: &self.values,
            is_upgrade: action == Action::Upgrade,
            reset_values: self.reset_values,
            generate_new: true,
            post_renderer: self.post_renderer.as_ref(),
        }
    }

    /// The applier of the run, as --force-conflicts and --adopt say; a dry run over an import
    /// whose takeover is unfinished (`takeover_pending`, see [`Session::takeover_pending`])
    /// forces and adopts, as that takeover will have done before the real run applies.
    fn applier(&self, ctx: &Context, dry_run: bool, takeover_pending: bool) -> Applier {
        Applier::new(
            &ctx.cluster,
            &self.release,
            &self.namespace,
            ApplyMode {
                dry_run,
                force_conflicts: self.force_conflicts || takeover_pending,
                adopt: self.adopt || takeover_pending,
            },
        )
    }
}

#[derive(Debug, Clone)]
pub struct ChangeOutcome {
    pub release: Release,
    pub report: DeployReport,
    pub elapsed: Duration,
    pub dry_run: bool,
}

/// Installs or upgrades a release, as `opts.mode` says.
///
/// Errors: the release exists (install) or does not (upgrade), a render or values error, a
/// refusal of the dry run (nothing written), a failed deploy (the revision is recorded failed;
/// with `--atomic`, recovered), a lost lock or a signal.
pub async fn change(ctx: &Context, opts: &ChangeOptions) -> Result<ChangeOutcome> {
    let started = Instant::now();
    if opts.dry_run {
        return dry_run(ctx, opts, started).await;
    }
    // Only an install creates the namespace: an upgrade of a missing release is refused.
    let policy = match opts.mode {
        ChangeMode::Install | ChangeMode::UpgradeOrInstall => NamespacePolicy::Create,
        ChangeMode::Upgrade => NamespacePolicy::MustExist,
    };
    let Some(session) = Session::open(
        ctx,
        &opts.namespace,
        &opts.release,
        opts.mode.operation(),
        policy,
    )
    .await?
    else {
        return Err(no_upgrade_without_install(&opts.release, &opts.namespace));
    };
    let result = change_locked(&session, opts, started).await;
    session.close(result).await
}

async fn change_locked(
    session: &Session,
    opts: &ChangeOptions,
    started: Instant,
) -> Result<ChangeOutcome> {
    let history = &session.history;
    let action = opts
        .mode
        .action(&opts.release, &opts.namespace, history.current())?;
    let prepared = prepare_release(&session.ctx, history, &opts.render_request(action)).await?;
    let applier = opts.applier(&session.ctx, false, false);
    perform(
        session,
        action,
        Content::rendered(&prepared),
        applier,
        &Perform {
            wait: opts.wait,
            atomic: opts.atomic,
            keep: opts.keep,
            history_max: opts.history_max,
            retry: Retry::Command,
        },
        started,
    )
    .await
}

/// How a revision runs: the flags of install and upgrade (and of `apply` of a plan) that do
/// not change what it deploys.
pub(super) struct Perform {
    pub wait: Option<Duration>,
    pub atomic: bool,
    pub keep: super::KeepRules,
    pub history_max: usize,
    /// What a refusal before anything is written tells the user to run next.
    pub retry: Retry,
}

/// What install and upgrade do once they know what to deploy, shared with `apply` of a plan so
/// that a planned change runs exactly as an upgrade: the revision `action` with `content`
/// built, its objects those of `content.manifest`, run through the lifecycle with `applier` (objects unchanged since the last deployed
/// revision are skipped), and on failure recorded failed and, with `--atomic`, recovered.
pub(super) async fn perform(
    session: &Session,
    action: Action,
    content: Content,
    applier: Applier,
    how: &Perform,
    started: Instant,
) -> Result<ChangeOutcome> {
    let history = &session.history;
    let record = session.pending(action, content);
    let objects = &record.objects();
    let applier = applier.with_unchanged(lifecycle::unchanged_objects(
        history,
        objects,
        &record.namespace,
    ));
    let run = Run {
        applier: &applier,
        objects,
        previous: history.previous_objects(),
        wait: how.wait,
        keep: how.keep,
        history_max: how.history_max,
        retry: how.retry,
    };
    let (record, error) = match session.run_revision(record, action, run).await? {
        Outcome::Deployed { record, report } => {
            return Ok(ChangeOutcome {
                release: record,
                report,
                elapsed: started.elapsed(),
                dry_run: false,
            });
        }
        Outcome::Failed { record, error } => (record, error),
    };
    let verb = match action {
        Action::Install => "install",
        _ => "upgrade",
    };
    if how.atomic {
        let base = history.last_deployed().or(history.current());
        let recovered = session
            .atomic_recover(
                &applier,
                objects,
                base.filter(|_| action == Action::Upgrade),
                how.wait,
                how.history_max,
            )
            .await;
        return Err(match recovered {
            Ok(what) => error.context(format!("{verb} failed; {what}")),
            Err(e) => error.context(format!(
                "the --atomic recovery failed too: {}",
                crate::error::sentence(&e)
            )),
        });
    }
    Err(error.context(format!(
        "{verb} of release `{}` failed; revision {} is recorded as failed{}",
        session.release,
        record.revision,
        match history.last_deployed() {
            Some(d) => format!(" and revision {} stays the deployed one", d.revision),
            None => String::new(),
        }
    )))
}

/// The error for an upgrade without --install of a release that does not exist.
fn no_upgrade_without_install(release: &str, namespace: &str) -> anyhow::Error {
    release_not_found(
        release,
        namespace,
        "; install it with `todoctl install`, or use `todoctl upgrade --install`",
    )
}

/// `--dry-run`: render with the cluster's capabilities, have the API server validate every object
/// with a server-side dry-run apply, and record nothing.
async fn dry_run(ctx: &Context, opts: &ChangeOptions, started: Instant) -> Result<ChangeOutcome> {
    let client = ctx.client().clone();
    // Read as the real run would find it once it has repaired what a stopped operation left;
    // the repair itself is only said.
    let (takeover_pending, history) =
        match Session::open_dry_run(ctx, &opts.namespace, &opts.release).await? {
            Some(session) => (session.takeover_pending(), session.history),
            None => (false, History::default()),
        };
    let action = opts
        .mode
        .action(&opts.release, &opts.namespace, history.current())?;
    let prepared = prepare_release(ctx, &history, &opts.render_request(action)).await?;
    let applier = opts.applier(ctx, true, takeover_pending);
    let mut checked = 0;
    let (mut pruned, mut kept) = (Vec::new(), Vec::new());
    if namespace_exists(&client, &opts.namespace).await? {
        for o in &prepared.objects {
            applier.apply(o).await?;
            checked += 1;
        }
        (pruned, kept) = super::deploy::would_prune(
            &applier,
            &prepared.objects,
            &history.previous_objects(),
            &opts.namespace,
            opts.keep,
        )
        .await?;
        ctx.ui.status(&format!(
            "the API server accepted all {} (dry run)",
            crate::ui::plural(checked, "object")
        ));
    } else {
        ctx.ui.status(&format!(
            "namespace `{}` does not exist yet and would be created; the objects were validated offline only",
            opts.namespace
        ));
    }
    let mut release = lifecycle::new_revision(
        &opts.release,
        &opts.namespace,
        &history,
        history.next_revision(),
        action,
        Content::rendered(&prepared),
        ctx.clock.now(),
    );
    release.description = "Dry run".to_string();
    Ok(ChangeOutcome {
        release,
        report: DeployReport {
            applied: checked,
            pruned,
            kept,
            ..Default::default()
        },
        elapsed: started.elapsed(),
        dry_run: true,
    })
}
