//! What every release-changing action shares: the locked session (lock, store, history, recovery
//! of interrupted revisions), record helpers, and --atomic recovery.
//!
//! Every record write goes through the session, which refuses it once the lock is lost: only
//! the lock holder may write a release's records, and an operation that lost its lock writes
//! nothing more, not even its own failure (the operation that took over records it).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

use super::change::ChangeOptions;
use super::deploy::{DeployOptions, deploy, prune};
use crate::chart::Chart;
use crate::cluster::apply::Applier;
use crate::cluster::lock::{self, LockGuard};
use crate::context::Context;
use crate::manifest::{Object, ObjectKey};
use crate::release::{ChartInfo, History, ManifestEntry, Release, SecretStore, Status};

/// Whether an operation may create the release's namespace: only one that installs may
/// (install, and upgrade --install when the release is missing). A refused operation changes
/// nothing, so upgrade, rollback and uninstall of a release whose namespace is missing report
/// it as not found instead of creating the namespace and its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespacePolicy {
    Create,
    MustExist,
}

/// A release's store and history, read under its lock.
pub struct Session {
    pub ctx: Context,
    pub client: Client,
    pub store: SecretStore,
    pub history: History,
    pub release: String,
    namespace: String,
    /// This operation created the namespace (an install into a new one).
    created_namespace: bool,
    /// This operation wrote a revision record; until then it has written no object either.
    recorded: AtomicBool,
    guard: LockGuard,
}

impl Session {
    /// Creates the namespace when missing and `namespace` is [`NamespacePolicy::Create`], takes
    /// the release lock (which fires `ctx.stop` when lost), reads the history, and turns
    /// revisions left pending by an operation that died into failed ones.
    ///
    /// `Ok(None)`: the policy is [`NamespacePolicy::MustExist`] and the namespace does not
    /// exist, so the release does not either; nothing was created, not even the lock, and the
    /// caller reports the release as not found.
    pub async fn open(
        ctx: &Context,
        namespace: &str,
        release: &str,
        operation: &str,
        policy: NamespacePolicy,
    ) -> Result<Option<Session>> {
        let client = ctx.client.clone();
        // Bad names are the user's typo, not the cluster's business: say so before any request.
        super::render::check_release_name(release, namespace)?;
        let created_namespace = match policy {
            NamespacePolicy::Create => ensure_namespace(&client, namespace).await?,
            NamespacePolicy::MustExist => {
                if !namespace_exists(&client, namespace).await? {
                    return Ok(None);
                }
                false
            }
        };
        let guard = lock::acquire_with(
            &client,
            namespace,
            release,
            operation,
            lock::ttl_from_env(),
            &ctx.stop,
        )
        .await?;
        let store = SecretStore::new(client.clone(), namespace);
        let mut history = match read_history(&store, release).await {
            Ok(h) => h,
            Err(e) => {
                let _ = guard.release().await;
                return Err(e);
            }
        };
        let interrupted_by = guard
            .took_over
            .as_ref()
            .map(|h| format!("interrupted: `{}` stopped without finishing", h.identity))
            .unwrap_or_else(|| "interrupted: the operation stopped without finishing".to_string());
        for r in history
            .releases
            .iter_mut()
            .filter(|r| r.status.is_pending())
        {
            r.status = Status::Failed;
            r.description = interrupted_by.clone();
            r.updated = ctx.clock.now();
            let written = match guard.ensure_held() {
                Ok(()) => store.update(r).await,
                Err(e) => Err(e),
            };
            if let Err(e) = written {
                let _ = guard.release().await;
                return Err(e);
            }
            ctx.ui.status(&format!(
                "revision {} was left {} by an interrupted operation; recorded it as failed",
                r.revision, "pending"
            ));
        }
        // An operation that stopped between recording itself deployed and superseding the
        // revision before it (killed, or its lock lost) leaves two deployed: the newest is.
        let newest_deployed = last_deployed(&history).map(|r| r.revision);
        for r in history
            .releases
            .iter_mut()
            .filter(|r| r.status == Status::Deployed && Some(r.revision) != newest_deployed)
        {
            r.status = Status::Superseded;
            let written = match guard.ensure_held() {
                Ok(()) => store.update(r).await,
                Err(e) => Err(e),
            };
            if let Err(e) = written {
                let _ = guard.release().await;
                return Err(e);
            }
        }
        ctx.stop.test_pause("locked").await;
        Ok(Some(Session {
            ctx: ctx.clone(),
            client,
            store,
            history,
            release: release.to_string(),
            namespace: namespace.to_string(),
            created_namespace,
            recorded: AtomicBool::new(false),
            guard,
        }))
    }

    /// Releases the lock whatever the outcome, keeping the operation's own error first. A lock
    /// lost on the way fails an operation that otherwise succeeded.
    pub async fn close<T>(self, result: Result<T>) -> Result<T> {
        // A refused install into a namespace it created leaves no namespace behind: nothing
        // was recorded, so nothing was applied, and deleting the namespace takes the lock
        // with it.
        if result.is_err() && self.created_namespace && !self.recorded.load(Ordering::SeqCst) {
            let _ = self.guard.release().await;
            let api: Api<Namespace> = Api::all(self.client.clone());
            if let Err(e) = api.delete(&self.namespace, &Default::default()).await {
                self.ctx.ui.warn(&format!(
                    "could not delete namespace `{}`, which this refused install created: {}; delete it with `kubectl delete namespace {}`",
                    self.namespace,
                    crate::error::describe_kube(&e),
                    self.namespace
                ));
            }
            return result;
        }
        let released = self.guard.release().await;
        match (result, released) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) if e.downcast_ref::<crate::cancel::LockLost>().is_some() => Err(e
                .context(
                    "the operation wrote all it had to, but its lock was lost before it released it",
                )),
            (Ok(_), Err(e)) => Err(e.context(
                "the operation finished but releasing its lock failed; it expires by itself",
            )),
            (Err(e), _) => Err(e),
        }
    }

    /// `Ok` while this operation still holds the release lock; checked before every record
    /// write.
    pub fn ensure_held(&self) -> Result<()> {
        self.guard.ensure_held()
    }

    /// `Ok` when one read of the lock confirms it is still this operation's.
    async fn confirm_held(&self) -> Result<()> {
        if let Err(e) = self.ctx.stop.confirm().await
            && e.downcast_ref::<crate::cancel::LockLost>().is_some()
        {
            return Err(e);
        }
        self.ensure_held()
    }

    /// Records a new revision, if the lock is still held.
    pub async fn create_record(&self, record: &Release) -> Result<()> {
        self.confirm_held().await?;
        // Set before the write: a write that fails after reaching the server may still have
        // stored the record, and then the namespace is not this operation's to delete.
        self.recorded.store(true, Ordering::SeqCst);
        self.store.create(record).await
    }

    /// Rewrites a revision this operation read or wrote, if the lock is still held; fails when
    /// anyone else wrote it meanwhile.
    pub async fn update_record(&self, record: &Release) -> Result<()> {
        self.confirm_held().await?;
        self.store.update(record).await
    }

    /// Records a failed operation's revision as failed, with `what` (`Upgrade`, `Rollback to 2`)
    /// and the error's first line as its description.
    ///
    /// `Ok(err)`: recorded, the caller goes on (--atomic) and adds its own context. `Err(err)`:
    /// not recorded, and `err` is final: with the lock lost, the error names who took over (the
    /// operation that took over records the revision); when the write itself failed, the
    /// original error comes first and the write's failure follows it.
    pub async fn record_failure(
        &self,
        record: &mut Release,
        what: &str,
        err: anyhow::Error,
    ) -> std::result::Result<anyhow::Error, anyhow::Error> {
        let lowercase = what.to_lowercase();
        let namespace = &self.store.namespace;
        if let Some(state) = namespace_deleted(&self.client, namespace).await {
            // The lease went with the namespace: the lock is not lost to another operation, and
            // saying so would send the user looking for one.
            let cause = if err.downcast_ref::<crate::cancel::LockLost>().is_some() {
                anyhow::anyhow!("the release's lock, records and objects went with it")
            } else {
                err
            };
            return Err(cause.context(format!(
                "{lowercase} of release `{}` stopped: namespace `{namespace}` {state} while it was running; nothing more was written; install the release again once the namespace is gone",
                self.release
            )));
        }
        if let Some(lost) = self.guard.lost_error_now().await {
            let cause = if err.downcast_ref::<crate::cancel::LockLost>().is_some() {
                String::new()
            } else {
                format!(" (it had failed: {})", first_line(&err))
            };
            return Err(lost.context(format!(
                "{lowercase} of release `{}` stopped{cause}; revision {} was not recorded as failed by this operation, because only the lock holder may write the release's records",
                self.release, record.revision
            )));
        }
        record.status = Status::Failed;
        record.description = format!("{what} failed: {}", first_line(&err));
        record.updated = self.ctx.clock.now();
        match self.update_record(record).await {
            Ok(()) => Ok(err),
            Err(e) => Err(err.context(format!(
                "{lowercase} of release `{}` failed, and recording revision {} as failed failed too ({}); the next operation on the release records it as failed",
                self.release,
                record.revision,
                first_line(&e)
            ))),
        }
    }
}

/// A release's history, with every secret value it holds remembered for scrubbing: the one
/// way actions read records, so no output path can miss the registration.
pub async fn read_history(store: &SecretStore, release: &str) -> Result<History> {
    read_history_keeping(store, release, Keep::All).await
}

/// Which records a read keeps whole. The others keep their summary (revision, status, chart,
/// times, description, user values) and drop their objects, merged values and notes once their
/// secrets are remembered: a read-only command over a long history then holds one revision's
/// objects, not every revision's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every record whole: what operations that write records back need.
    All,
    /// The newest readable revision.
    Latest,
    /// One revision.
    Revision(u64),
}

/// [`read_history`] for read-only commands: only the records `keep` names stay whole. Never
/// write a record read this way back to the store.
pub async fn read_history_keeping(
    store: &SecretStore,
    release: &str,
    keep: Keep,
) -> Result<History> {
    let history = store
        .history_with(release, |r, latest| {
            crate::ui::redact::remember_values(&r.values, &r.secret_paths);
            for e in &r.manifest {
                crate::ui::redact::remember_object(&e.object);
            }
            let whole = match keep {
                Keep::All => true,
                Keep::Latest => latest,
                Keep::Revision(n) => r.revision == n,
            };
            if !whole {
                r.manifest = Vec::new();
                r.values = serde_json::Value::Null;
                r.notes = None;
            }
        })
        .await?;
    crate::ui::verbose(
        1,
        format!(
            "read {} revision records of `{release}` ({} unreadable)",
            history.releases.len(),
            history.broken.len()
        ),
    );
    Ok(history)
}

/// What the user wants rendered, on top of a release's history: the previous revision's
/// values unless `reset_values`, and the values generated before. Shared by upgrade, its dry
/// run and diff, so all three render the same objects for the same flags.
pub struct RenderRequest<'a> {
    pub release: &'a str,
    pub namespace: &'a str,
    pub chart_dir: Option<&'a std::path::Path>,
    pub values: &'a crate::values::ValueSources,
    pub is_upgrade: bool,
    pub reset_values: bool,
    /// For a release that generated nothing yet: generate now (install) or print the
    /// placeholder (diff, where a fresh random value would only be noise).
    pub generate_new: bool,
    pub post_renderer: Option<&'a super::PostRenderer>,
}

pub async fn render_release(
    client: &Client,
    history: &History,
    req: &RenderRequest<'_>,
) -> Result<super::render::Prepared> {
    use super::render::{Generate, RenderOptions, prepare};
    let base = last_deployed(history).or(current(history));
    let previous_values = match (req.is_upgrade, req.reset_values, base) {
        (true, false, Some(r)) => Some(r.user_values.clone()),
        _ => None,
    };
    let generate = match base {
        Some(r) => Generate::Keep(r.generated.clone()),
        None if req.generate_new => Generate::Keep(Default::default()),
        None => Generate::Placeholder,
    };
    let capabilities = crate::cluster::discovery::capabilities(client).await?;
    prepare(&RenderOptions {
        release: req.release.to_string(),
        namespace: req.namespace.to_string(),
        chart_dir: req.chart_dir.map(std::path::Path::to_path_buf),
        values: req.values.clone(),
        previous_values,
        revision: next_revision(history),
        is_upgrade: req.is_upgrade,
        capabilities,
        generate,
        post_renderer: req.post_renderer.cloned(),
    })
}

/// `Some("was deleted")` or `Some("is being deleted")` when the namespace is going away;
/// `None` when it exists, or when that cannot be read.
pub async fn namespace_deleted(client: &Client, namespace: &str) -> Option<&'static str> {
    let api: Api<Namespace> = Api::all(client.clone());
    match api.get_opt(namespace).await {
        Ok(None) => Some("was deleted"),
        Ok(Some(ns)) if ns.metadata.deletion_timestamp.is_some() => Some("is being deleted"),
        _ => None,
    }
}

pub async fn namespace_exists(client: &Client, namespace: &str) -> Result<bool> {
    let api: Api<Namespace> = Api::all(client.clone());
    Ok(api
        .get_opt(namespace)
        .await
        .map_err(|e| {
            crate::cluster::apply::api_error(e, &format!("reading namespace `{namespace}`"))
        })?
        .is_some())
}

/// The release namespace is created outside the chart, so records outlive an uninstall.
/// Creates the namespace when it is missing. `Ok(true)`: this call created it, so an operation
/// that is then refused before writing anything deletes it again.
pub async fn ensure_namespace(client: &Client, namespace: &str) -> Result<bool> {
    if namespace_exists(client, namespace).await? {
        return Ok(false);
    }
    let api: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.to_string()),
            labels: Some(
                [(
                    "app.kubernetes.io/managed-by".to_string(),
                    "todoctl".to_string(),
                )]
                .into_iter()
                .collect(),
            ),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
        Err(e) => Err(crate::cluster::apply::api_error(
            e,
            &format!("creating namespace `{namespace}`"),
        )),
    }
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
        .map(|o| ManifestEntry {
            template: o.template.clone(),
            object: o.data.clone(),
        })
        .collect()
}

pub fn objects_of(record: &Release) -> Vec<Object> {
    record
        .manifest
        .iter()
        .map(|e| Object::new(e.template.clone(), e.object.clone()))
        .collect()
}

/// The release as it stands: its newest record, unless that says it was uninstalled.
pub fn current(history: &History) -> Option<&Release> {
    history
        .releases
        .last()
        .filter(|r| r.status != Status::Uninstalled)
}

pub fn last_deployed(history: &History) -> Option<&Release> {
    history
        .releases
        .iter()
        .rev()
        .find(|r| r.status == Status::Deployed)
}

/// One past every revision seen, broken records included, so a number is never reused.
pub fn next_revision(history: &History) -> u64 {
    let good = history
        .releases
        .iter()
        .map(|r| r.revision)
        .max()
        .unwrap_or(0);
    let broken = history.broken.iter().map(|b| b.revision).max().unwrap_or(0);
    good.max(broken) + 1
}

/// Objects the cluster may hold for this release: those of the last deployed revision and of
/// every revision after it (a failed upgrade may have created some).
pub fn previous_objects(history: &History) -> Vec<Object> {
    let from = last_deployed(history).map(|r| r.revision).unwrap_or(0);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in history.releases.iter().filter(|r| r.revision >= from) {
        for o in objects_of(r) {
            let key: ObjectKey = o.key(&r.namespace);
            if seen.insert(key) {
                out.push(o);
            }
        }
    }
    out
}

/// Marks every other deployed revision superseded once `revision` is the deployed one. Works
/// from a fresh read of the records, not from the history read when the lock was taken: a
/// record written since then is seen, and a record that changes between this read and its
/// update fails the update instead of being overwritten.
pub async fn supersede_others(session: &Session, revision: u64) -> Result<()> {
    session.ensure_held()?;
    let fresh = read_history(&session.store, &session.release).await?;
    for r in fresh
        .releases
        .iter()
        .filter(|r| r.revision != revision && r.status == Status::Deployed)
    {
        let mut r = r.clone();
        r.status = Status::Superseded;
        session.update_record(&r).await?;
    }
    Ok(())
}

/// Drops the oldest records beyond --history-max; a failure here is not the operation's failure.
pub async fn prune_history(session: &Session, keep: usize) {
    if keep == 0 || session.ensure_held().is_err() {
        return;
    }
    if let Err(e) = session.store.prune(&session.release, keep).await {
        session.ctx.ui.warn(&format!(
            "could not prune old revisions of `{}`: {e:#}",
            session.release
        ));
    }
}

/// A one-line summary of an error for a record's description: the first line, with the line
/// after it when the first only introduces a list.
pub fn first_line(err: &anyhow::Error) -> String {
    let text = format!("{err:#}");
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut line = lines.next().unwrap_or("").to_string();
    if line.ends_with(':')
        && let Some(next) = lines.next()
    {
        line.push(' ');
        line.push_str(next);
    }
    let mut out: String = line.chars().take(300).collect();
    if line.chars().count() > 300 {
        out.push('…');
    }
    out
}

/// --atomic: back to the previous deployed revision (recorded as a new revision), or, for a
/// failed install, delete what was created and the release's records. Returns what it did.
pub async fn atomic_recover(
    session: &Session,
    applier: &Applier,
    failed_objects: &[Object],
    previous: Option<&Release>,
    opts: &ChangeOptions,
) -> Result<String> {
    let ctx = &session.ctx;
    match previous {
        Some(prev) => {
            ctx.ui.status(&format!(
                "--atomic: rolling back to revision {}",
                prev.revision
            ));
            let target = objects_of(prev);
            let mut all_previous = previous_objects(&session.history);
            all_previous.extend(failed_objects.iter().cloned());
            deploy(
                ctx,
                applier,
                &target,
                &all_previous,
                &opts.namespace,
                &DeployOptions {
                    wait: opts.wait,
                    prune: true,
                    ..Default::default()
                },
            )
            .await
            .context("re-applying the previous revision")?;
            let revision = next_revision(&session.history) + 1;
            let stamp = ctx.clock.now();
            let record = Release {
                revision,
                status: Status::Deployed,
                description: format!("Rollback to {} (--atomic)", prev.revision),
                last_test: None,
                updated: stamp,
                ..prev.clone()
            };
            session.create_record(&record).await?;
            supersede_others(session, revision).await?;
            Ok(format!(
                "--atomic rolled back to revision {} (recorded as revision {revision})",
                prev.revision
            ))
        }
        None => {
            ctx.ui
                .status("--atomic: removing what the failed install created");
            prune(ctx, applier, &[], failed_objects, &opts.namespace).await?;
            session.ensure_held()?;
            session.store.delete_all(&session.release).await?;
            Ok("--atomic removed the release".to_string())
        }
    }
}
