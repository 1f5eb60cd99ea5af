//! A release's locked session: the lock, the store, the history read under the lock (with
//! revisions left pending by an operation that died turned into failed ones), and every record
//! write.
//!
//! Every record write goes through the session, which refuses it once the lock is lost: only
//! the lock holder may write a release's records, and an operation that lost its lock writes
//! nothing more, not even its own failure (the operation that took over records it).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

use crate::cluster::lock::{self, LockGuard};
use crate::context::{Context, Ui};
use crate::release::{History, ImportMarker, Release, ReleaseStore, SecretStore, Status};

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
    pub store: Box<dyn ReleaseStore>,
    pub history: History,
    pub release: String,
    namespace: String,
    /// This operation created the namespace (an install into a new one).
    created_namespace: bool,
    /// This operation wrote a revision record; until then it has written no object either.
    recorded: AtomicBool,
    /// The newest revision this operation recorded (0: none yet).
    newest_created: AtomicU64,
    /// What opening the session did with an import that had stopped (none: there was none,
    /// or this is a dry run's session, which only describes it).
    pub recovered: Option<super::import::Recovered>,
    /// The release lock; none for a dry run's session, which writes nothing.
    guard: Option<LockGuard>,
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
        let client = ctx.client().clone();
        // Bad names are the user's typo, not the cluster's business: say so before any request.
        super::prepare::check_release_name(release, namespace)?;
        let created_namespace = match policy {
            NamespacePolicy::Create => ensure_namespace(ctx, &client, namespace).await?,
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
        // Every step under the lock fails the same way: the lock is released, then the error.
        let (history, recovered) = match recover_and_read(ctx, &store, release, Some(&guard)).await
        {
            Ok(read) => read,
            Err(e) => {
                let _ = guard.release().await;
                return Err(e);
            }
        };
        ctx.stop.test_pause(&ctx.ui, "locked").await;
        Ok(Some(Session::assemble(
            ctx,
            store,
            (history, recovered),
            release,
            created_namespace,
            Some(guard),
        )))
    }

    /// [`Session::open_dry_run`] with `dry_run`, else [`Session::open`]: the one choice every
    /// command with --dry-run makes.
    pub async fn open_for(
        ctx: &Context,
        namespace: &str,
        release: &str,
        operation: &str,
        policy: NamespacePolicy,
        dry_run: bool,
    ) -> Result<Option<Session>> {
        if dry_run {
            Session::open_dry_run(ctx, namespace, release).await
        } else {
            Session::open(ctx, namespace, release, operation, policy).await
        }
    }

    /// A dry run's session: no lock, no write. The history is read as [`Session::open`] would
    /// leave it (an import that stopped before its commit is left out, revisions left pending
    /// show as failed), and what that repair would write is said instead of written: the next
    /// command that changes the release does it. Every record write through this session fails.
    ///
    /// `Ok(None)`: the namespace does not exist, so neither does the release.
    pub async fn open_dry_run(
        ctx: &Context,
        namespace: &str,
        release: &str,
    ) -> Result<Option<Session>> {
        let client = ctx.client().clone();
        super::prepare::check_release_name(release, namespace)?;
        if !namespace_exists(&client, namespace).await? {
            return Ok(None);
        }
        let store = SecretStore::new(client, namespace);
        let read = recover_and_read(ctx, &store, release, None).await?;
        Ok(Some(Session::assemble(
            ctx, store, read, release, false, None,
        )))
    }

    /// A session over `store`'s namespace with the history (and what was recovered) read.
    fn assemble(
        ctx: &Context,
        store: SecretStore,
        (history, recovered): (History, Option<super::import::Recovered>),
        release: &str,
        created_namespace: bool,
        guard: Option<LockGuard>,
    ) -> Session {
        Session {
            ctx: ctx.clone(),
            client: ctx.client().clone(),
            namespace: store.namespace().to_string(),
            store: Box::new(store),
            history,
            release: release.to_string(),
            created_namespace,
            recorded: AtomicBool::new(false),
            newest_created: AtomicU64::new(0),
            recovered,
            guard,
        }
    }

    /// Releases the lock whatever the outcome, keeping the operation's own error first. A lock
    /// lost on the way fails an operation that otherwise succeeded.
    pub async fn close<T>(self, result: Result<T>) -> Result<T> {
        let Some(guard) = self.guard else {
            return result;
        };
        // A refused install into a namespace it created leaves no namespace behind: nothing
        // was recorded, so nothing was applied, and deleting the namespace takes the lock
        // with it.
        if result.is_err() && self.created_namespace && !self.recorded.load(Ordering::SeqCst) {
            let _ = guard.release().await;
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
        let released = guard.release().await;
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

    /// A dry run's session over an import that committed and has not finished its takeover:
    /// the real command marks the objects as the release's and moves Helm's fields to todoctl
    /// before it applies, so the dry run's apply adopts the objects and forces its way past
    /// Helm's field managers, as that takeover will have done.
    pub fn takeover_pending(&self) -> bool {
        matches!(
            self.recovered,
            Some(super::import::Recovered::Described { takeover: true })
        )
    }

    /// `Ok` while this operation still holds the release lock; checked before every record
    /// write.
    pub fn ensure_held(&self) -> Result<()> {
        match &self.guard {
            Some(guard) => guard.ensure_held(),
            None => Err(anyhow::anyhow!(
                "internal error: a dry run tried to write a record of release `{}`",
                self.release
            )),
        }
    }

    /// `Ok` when one read of the lock confirms it is still this operation's; before a write
    /// that must not happen once the lock is lost (a record, an import's commit).
    pub async fn confirm_held(&self) -> Result<()> {
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
        self.store.create(record).await?;
        self.newest_created
            .fetch_max(record.revision, Ordering::SeqCst);
        Ok(())
    }

    /// The number the next revision this operation records gets: one past every revision in
    /// the history read under the lock and every revision this operation recorded since.
    pub fn next_revision(&self) -> u64 {
        self.history
            .next_revision()
            .max(self.newest_created.load(Ordering::SeqCst) + 1)
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
        let namespace = &self.namespace;
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
        if let Some(guard) = &self.guard
            && let Some(lost) = guard.lost_error_now().await
        {
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

/// The steps of [`Session::open`] under the lock `guard`: reads the history, undoes or
/// finishes an import that stopped, and repairs what an operation that stopped midway left (see
/// [`repair_interrupted`]). Without a lock (a dry run) the history is read as the repair would
/// leave it and nothing is written.
async fn recover_and_read(
    ctx: &Context,
    store: &dyn ReleaseStore,
    release: &str,
    guard: Option<&LockGuard>,
) -> Result<(History, Option<super::import::Recovered>)> {
    let mut history = read_history(&ctx.ui, store, release).await?;
    // An import that was stopped is undone or finished before anything uses the records.
    // A marker written before markers carried the release label is not in the records'
    // LIST: one GET finds it.
    let marker = match history.import.take() {
        Some(m) => Some(m),
        None => ImportMarker::get(ctx.client(), store.namespace(), release).await?,
    };
    // A dry run takes no lock, so what looks unfinished may be an operation running now, not one
    // that stopped: then nothing is to be repaired, and the dry run says who is at work.
    if guard.is_none()
        && (marker.is_some() || history.releases.iter().any(|r| r.status.is_pending()))
        // A lock that cannot be read counts as none: the dry run then describes the repair as
        // for a stopped operation, the cautious account.
        && let Some(holder) =
            lock::live_holder(ctx.client(), store.namespace(), release, ctx.clock.now()).await
    {
        ctx.ui.notice(&format!(
            "{} is changing release `{release}` now; this dry run shows the release as recorded before it finishes",
            holder.describe(ctx.clock.now())
        ));
        return Ok((history, None));
    }
    let mut recovered = None;
    if let Some(marker) = marker {
        recovered = Some(match guard {
            Some(guard) => super::import::recover(ctx, store, guard, &marker).await?,
            None => super::import::describe_recovery(ctx, &marker)?,
        });
        if !marker.is_committed() {
            // Undone: the records read were the import's, and are gone.
            history = History::default();
        }
    }
    let Some(guard) = guard else {
        describe_interrupted(&ctx.ui, &mut history, ctx.clock.now());
        return Ok((history, recovered));
    };
    let interrupted_by = guard
        .took_over
        .as_ref()
        .map(|h| format!("interrupted: `{}` stopped without finishing", h.identity))
        .unwrap_or_else(|| STOPPED_UNFINISHED.to_string());
    repair_interrupted(
        &ctx.ui,
        store,
        &mut history,
        &interrupted_by,
        ctx.clock.now(),
        &|| guard.ensure_held(),
    )
    .await?;
    Ok((history, recovered))
}

/// The description of a revision an operation left pending, when who left it is not known.
const STOPPED_UNFINISHED: &str = "interrupted: the operation stopped without finishing";

/// [`repair_interrupted`] for a dry run: `history` is changed as the repair would change it,
/// the store is not, and each revision left pending is named.
fn describe_interrupted(ui: &Ui, history: &mut History, now: jiff::Timestamp) {
    for (revision, was_pending) in mark_interrupted(history, STOPPED_UNFINISHED, now) {
        if was_pending {
            ui.status(&format!(
                "revision {revision} was left pending by an interrupted operation; the next command that changes the release records it as failed (this dry run does not)"
            ));
        }
    }
}

/// Repairs, in `history` and in `store`, what an operation that stopped midway left (see
/// [`mark_interrupted`]). `held` is checked before each write: only the lock holder writes
/// records.
pub(crate) async fn repair_interrupted(
    ui: &Ui,
    store: &dyn ReleaseStore,
    history: &mut History,
    interrupted_by: &str,
    now: jiff::Timestamp,
    held: &(dyn Fn() -> Result<()> + Sync),
) -> Result<()> {
    for (revision, was_pending) in mark_interrupted(history, interrupted_by, now) {
        let Some(r) = history.releases.iter().find(|r| r.revision == revision) else {
            continue;
        };
        held()?;
        store.update(r).await?;
        if was_pending {
            ui.status(&format!(
                "revision {revision} was left pending by an interrupted operation; recorded it as failed"
            ));
        }
    }
    Ok(())
}

/// What an operation that stopped midway left, put right in `history` only: every revision
/// left pending becomes failed (its description `interrupted_by`, updated at `now`), and when
/// more than one revision is deployed (an operation stopped between recording itself deployed
/// and superseding the one before), all but the newest become superseded. Returns each revision
/// changed, in order, and whether it was a pending one.
fn mark_interrupted(
    history: &mut History,
    interrupted_by: &str,
    now: jiff::Timestamp,
) -> Vec<(u64, bool)> {
    let mut changed = Vec::new();
    for r in history
        .releases
        .iter_mut()
        .filter(|r| r.status.is_pending())
    {
        r.status = Status::Failed;
        r.description = interrupted_by.to_string();
        r.updated = now;
        changed.push((r.revision, true));
    }
    let newest_deployed = history.last_deployed().map(|r| r.revision);
    for r in history
        .releases
        .iter_mut()
        .filter(|r| r.status == Status::Deployed && Some(r.revision) != newest_deployed)
    {
        r.status = Status::Superseded;
        changed.push((r.revision, false));
    }
    changed
}

/// A release's history, with every secret value it holds remembered for scrubbing: the one
/// way actions read records, so no output path can miss the registration.
pub async fn read_history(ui: &Ui, store: &dyn ReleaseStore, release: &str) -> Result<History> {
    read_history_keeping(ui, store, release, Keep::All).await
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
    ui: &Ui,
    store: &dyn ReleaseStore,
    release: &str,
    keep: Keep,
) -> Result<History> {
    let history = store
        .history_with(release, &mut |r, latest| {
            ui.remember_values(&r.values, &r.secret_paths);
            for e in &r.manifest {
                ui.remember_object(&e.object);
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
    ui.verbose(
        1,
        format!(
            "read {} revision records of `{release}` ({} unreadable)",
            history.releases.len(),
            history.broken.len()
        ),
    );
    Ok(history)
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

/// How long an install waits for a namespace that is being deleted (its objects' finalizers
/// still running) to go, before creating it again.
const NAMESPACE_GONE_BUDGET: Duration = Duration::from_secs(60);

/// The release namespace is created outside the chart, so records outlive an uninstall.
/// Creates the namespace when it is missing. `Ok(true)`: this call created it, so an operation
/// that is then refused before writing anything deletes it again.
///
/// A namespace being deleted (a refused install deleting the namespace it created, a
/// `kubectl delete namespace`) takes nothing new, so this waits for it to go, up to
/// [`NAMESPACE_GONE_BUDGET`] and as long as `ctx.stop` does not fire, and creates it again.
/// Errors: the namespace is still there after the budget, or the API server refused a read or
/// the create.
pub async fn ensure_namespace(ctx: &Context, client: &Client, namespace: &str) -> Result<bool> {
    let api: Api<Namespace> = Api::all(client.clone());
    let started = Instant::now();
    let mut said = false;
    loop {
        let live = api.get_opt(namespace).await.map_err(|e| {
            crate::cluster::apply::api_error(e, &format!("reading namespace `{namespace}`"))
        })?;
        match live {
            None => break,
            Some(ns) if ns.metadata.deletion_timestamp.is_none() => return Ok(false),
            Some(_) => {
                if started.elapsed() >= NAMESPACE_GONE_BUDGET {
                    return Err(crate::error::Error::anyhow(
                        crate::error::Kind::Conflict,
                        format!(
                            "namespace `{namespace}` is still being deleted after {}s, held by the finalizers of objects in it or of the namespace; wait until `kubectl get namespace {namespace}` finds nothing, then run the command again",
                            NAMESPACE_GONE_BUDGET.as_secs()
                        ),
                    ));
                }
                if !said {
                    ctx.ui.status(&format!(
                        "namespace `{namespace}` is being deleted; waiting for it to go, then creating it again"
                    ));
                    said = true;
                }
                tokio::select! {
                    biased;
                    stopped = ctx.stop.stopped() => return Err(stopped),
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
        }
    }
    let api: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.to_string()),
            labels: Some(
                [(
                    crate::manifest::labels::MANAGED_BY.to_string(),
                    crate::manifest::labels::MANAGER.to_string(),
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

/// A one-line summary of an error for a record's description: the first line, with the line
/// after it when the first only introduces a list.
pub fn first_line(err: &anyhow::Error) -> String {
    let text = crate::error::sentence(err);
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

/// What to do when a release is not found where the user looked.
pub(crate) const LIST_RELEASES: &str = "; `todoctl list -A` shows every release";

/// The error for a release with no records in `namespace`: `release `R` not found in namespace
/// `N``, then `next` verbatim (`; nothing to roll back`, `; `todoctl list -A` shows every
/// release`), of kind [`Kind::NotFound`](crate::error::Kind::NotFound).
pub(crate) fn release_not_found(release: &str, namespace: &str, next: &str) -> anyhow::Error {
    crate::error::Error::anyhow(
        crate::error::Kind::NotFound,
        format!("release `{release}` not found in namespace `{namespace}`{next}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{MemoryStore, codec};

    /// A store holding `todo-app` with one revision per status, by ascending revision.
    async fn store_with(statuses: &[Status]) -> MemoryStore {
        let store = MemoryStore::new("todo");
        for (i, status) in statuses.iter().enumerate() {
            let mut r = codec::tests::sample();
            r.revision = i as u64 + 1;
            r.status = *status;
            store.create(&r).await.expect("a new revision is recorded");
        }
        store
    }

    fn statuses(history: &History) -> Vec<Status> {
        history.releases.iter().map(|r| r.status).collect()
    }

    #[tokio::test]
    async fn an_interrupted_operation_is_repaired_in_the_history_and_the_store() {
        use Status::*;
        let store = store_with(&[Deployed, Deployed, PendingUpgrade]).await;
        let mut history = store.history("todo-app").await.expect("history");
        let now: jiff::Timestamp = "2026-11-29T12:00:00Z".parse().expect("a timestamp");
        repair_interrupted(
            &Ui::quiet(),
            &store,
            &mut history,
            "interrupted: `ci` stopped without finishing",
            now,
            &|| Ok(()),
        )
        .await
        .expect("repaired");
        assert_eq!(statuses(&history), [Superseded, Deployed, Failed]);
        let stored = store.history("todo-app").await.expect("history");
        assert_eq!(statuses(&stored), [Superseded, Deployed, Failed]);
        assert_eq!(
            stored.releases[2].description,
            "interrupted: `ci` stopped without finishing"
        );
        assert_eq!(stored.releases[2].updated, now);

        // A whole history is left alone.
        let before = stored.releases.clone();
        let mut again = stored;
        repair_interrupted(&Ui::quiet(), &store, &mut again, "-", now, &|| Ok(()))
            .await
            .expect("nothing to repair");
        assert_eq!(again.releases, before);
    }

    #[tokio::test]
    async fn without_the_lock_nothing_is_repaired() {
        use Status::*;
        let store = store_with(&[Deployed, PendingRollback]).await;
        let mut history = store.history("todo-app").await.expect("history");
        let err = repair_interrupted(
            &Ui::quiet(),
            &store,
            &mut history,
            "-",
            jiff::Timestamp::UNIX_EPOCH,
            &|| Err(anyhow::anyhow!("the lock was lost")),
        )
        .await
        .expect_err("refused");
        assert_eq!(err.to_string(), "the lock was lost");
        let stored = store.history("todo-app").await.expect("history");
        assert_eq!(statuses(&stored), [Deployed, PendingRollback]);
    }
}
