//! What every release-changing action shares: the locked session (lock, store, history, recovery
//! of interrupted revisions), record helpers, and --atomic recovery.

use std::collections::HashSet;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

use super::change::ChangeOptions;
use super::deploy::{DeployOptions, deploy, prune};
use crate::chart::Chart;
use crate::cluster::apply::Applier;
use crate::cluster::lock::{self, LockGuard};
use crate::manifest::{Object, ObjectKey};
use crate::release::{ChartInfo, History, ManifestEntry, Release, SecretStore, Status};
use crate::ui::progress::Progress;

/// A release's store and history, read under its lock.
pub struct Session {
    pub client: Client,
    pub store: SecretStore,
    pub history: History,
    pub release: String,
    guard: LockGuard,
}

impl Session {
    /// Creates the namespace when missing, takes the release lock, reads the history, and turns
    /// revisions left pending by an operation that died into failed ones.
    pub async fn open(
        client: Client,
        namespace: &str,
        release: &str,
        operation: &str,
        progress: &Progress,
    ) -> Result<Session> {
        // Bad names are the user's typo, not the cluster's business: say so before any request.
        super::render::check_release_name(release, namespace)?;
        ensure_namespace(&client, namespace).await?;
        let guard =
            lock::acquire(&client, namespace, release, operation, lock::ttl_from_env()).await?;
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
            r.updated = now();
            if let Err(e) = store.update(r).await {
                let _ = guard.release().await;
                return Err(e);
            }
            progress.message(&format!(
                "revision {} was left {} by an interrupted operation; recorded it as failed",
                r.revision, "pending"
            ));
        }
        crate::cancel::test_pause("locked").await;
        Ok(Session {
            client,
            store,
            history,
            release: release.to_string(),
            guard,
        })
    }

    /// Releases the lock whatever the outcome, keeping the operation's own error first.
    pub async fn close<T>(self, result: Result<T>) -> Result<T> {
        let released = self.guard.release().await;
        match (result, released) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(e.context(
                "the operation finished but releasing its lock failed; it expires by itself",
            )),
            (Err(e), _) => Err(e),
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
    })
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
pub async fn ensure_namespace(client: &Client, namespace: &str) -> Result<()> {
    if namespace_exists(client, namespace).await? {
        return Ok(());
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
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
        Err(e) => Err(crate::cluster::apply::api_error(
            e,
            &format!("creating namespace `{namespace}`"),
        )),
    }
}

pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
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

/// Marks every other deployed revision superseded once `revision` is the deployed one.
pub async fn supersede_others(session: &Session, revision: u64) -> Result<()> {
    for r in session
        .history
        .releases
        .iter()
        .filter(|r| r.revision != revision && r.status == Status::Deployed)
    {
        let mut r = r.clone();
        r.status = Status::Superseded;
        session.store.update(&r).await?;
    }
    Ok(())
}

/// Drops the oldest records beyond --history-max; a failure here is not the operation's failure.
pub async fn prune_history(session: &Session, keep: usize) {
    if keep == 0 {
        return;
    }
    if let Err(e) = session.store.prune(&session.release, keep).await {
        eprintln!(
            "warning: could not prune old revisions of `{}`: {e:#}",
            session.release
        );
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
    progress: &Progress,
) -> Result<String> {
    match previous {
        Some(prev) => {
            progress.message(&format!(
                "--atomic: rolling back to revision {}",
                prev.revision
            ));
            let target = objects_of(prev);
            let mut all_previous = previous_objects(&session.history);
            all_previous.extend(failed_objects.iter().cloned());
            deploy(
                applier,
                &target,
                &all_previous,
                &opts.namespace,
                &DeployOptions {
                    wait: opts.wait,
                    prune: true,
                    ..Default::default()
                },
                progress,
            )
            .await
            .context("re-applying the previous revision")?;
            let revision = next_revision(&session.history) + 1;
            let stamp = now();
            let record = Release {
                revision,
                status: Status::Deployed,
                description: format!("Rollback to {} (--atomic)", prev.revision),
                updated: stamp,
                ..prev.clone()
            };
            session.store.create(&record).await?;
            supersede_others(session, revision).await?;
            Ok(format!(
                "--atomic rolled back to revision {} (recorded as revision {revision})",
                prev.revision
            ))
        }
        None => {
            progress.message("--atomic: removing what the failed install created");
            prune(applier, &[], failed_objects, &opts.namespace, progress).await?;
            session.store.delete_all(&session.release).await?;
            Ok("--atomic removed the release".to_string())
        }
    }
}
