//! `import helm`: brings a running Helm 3 or Helm 4 release under todoctl without replacing a
//! pod. Every Helm revision becomes a todoctl revision of the same number; the live objects of
//! the Helm release get todoctl's ownership marks and Helm's field ownership; Helm's records
//! are backed up to a file, then labelled as imported (or deleted with
//! --delete-helm-records).
//!
//! An import is all or nothing, even when killed: a marker Secret
//! (`todoctl.import.v1.<release>`) is written before the first record and names what the
//! import does. While it says `records`, the records are not yet the release's: reads ignore
//! them, and the next command that takes the release lock deletes them. Once it says
//! `takeover` the import is committed: the next command that takes the lock finishes the
//! takeover from the marker. The marker is deleted last.
//!
//! Here: the command's flow and report, and the marker's commit and recovery; `records`
//! converts Helm's records, `checks` holds the refusals made before anything is written,
//! `takeover` the takeover of the live objects, `backup` the backup file.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::prepare::PrepareRequest;
use super::session::{NamespacePolicy, Session};
use crate::cluster::apply::{Applier, ApplyMode, FIELD_MANAGER};
use crate::cluster::lock::LockGuard;
use crate::cluster::ownership::{owner_of, take_over};
use crate::context::Context;
use crate::diff::{ObjectDiff, Sides, Summary, diff_objects_between};
use crate::error::{Error, Kind};
use crate::manifest::kinds::Scope;
use crate::manifest::labels::{MANAGED_BY, MANAGER};
use crate::manifest::{Object, ObjectKey};
use crate::release::helm::{self, Driver, HelmRelease, StoredRecord};
use crate::release::import_marker::{ImportMarker, Phase};
use crate::release::{FORMAT, History, ManifestEntry, Release, ReleaseStore, SecretStore, Status};
use crate::values::ValueSources;

mod backup;
mod checks;
mod records;
mod takeover;

use backup::*;
use checks::*;
use records::*;
use takeover::*;

/// The label an import puts on the Helm records it kept: the todoctl release that owns them
/// now.
pub const IMPORTED_TO: &str = "todoctl.io/imported-to";

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The Helm release's name.
    pub helm_release: String,
    /// The todoctl release to create (default: the Helm release's name).
    pub release: String,
    pub namespace: String,
    pub driver: Driver,
    /// -f/--set: layered over the values of the Helm release's current revision, to map them
    /// onto todoctl's chart.
    pub values: ValueSources,
    pub dry_run: bool,
    pub delete_helm_records: bool,
    /// Where the backup of Helm's records is written (a directory).
    pub backup_dir: PathBuf,
}

/// What an import did (or, with --dry-run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub helm_release: String,
    pub release: String,
    pub namespace: String,
    /// `secret` or `configmap`: where Helm kept its records.
    pub driver: &'static str,
    pub dry_run: bool,
    /// This run finished (with --dry-run: would finish) an import of the same Helm release
    /// that had stopped after writing its records, rather than importing anew.
    pub resumed: bool,
    pub revisions: Vec<ImportedRevision>,
    pub objects: Vec<TakenOver>,
    /// Objects of the Helm release that todoctl's chart does not render and that no todoctl
    /// upgrade deletes, with why and what to do.
    pub kept: Vec<super::Kept>,
    /// Hook objects of Helm's revisions, which are not imported.
    pub hooks_skipped: usize,
    pub helm_records: HelmRecords,
    /// --dry-run: Helm's current manifest against todoctl's render of the imported values,
    /// which is what the first `todoctl upgrade` changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<ImportDiff>,
    pub elapsed_seconds: f64,
}

impl ImportReport {
    /// The report of the import `planned`, whose objects are as `objects` says, of `records`
    /// Helm records: with --dry-run what it would do, with the diff; else what it did, with
    /// the `backup` file it wrote.
    fn new(
        opts: &ImportOptions,
        planned: Planned,
        objects: Vec<TakenOver>,
        records: usize,
        backup: Option<PathBuf>,
        elapsed_seconds: f64,
    ) -> ImportReport {
        let action = match (opts.dry_run, opts.delete_helm_records) {
            (true, true) => "would be deleted",
            (true, false) => "would be labelled",
            (false, true) => "deleted",
            (false, false) => "labelled",
        };
        ImportReport {
            helm_release: opts.helm_release.clone(),
            release: opts.release.clone(),
            namespace: opts.namespace.clone(),
            driver: opts.driver.as_str(),
            dry_run: opts.dry_run,
            resumed: false,
            revisions: planned.revisions,
            objects,
            kept: planned.kept,
            hooks_skipped: planned.hooks,
            helm_records: HelmRecords {
                action: action.into(),
                count: records,
                backup,
            },
            diff: opts.dry_run.then_some(planned.diff),
            elapsed_seconds,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportedRevision {
    pub revision: u64,
    pub status: Status,
    /// Helm's status word, when it differs (`pending-upgrade` in the middle of the history).
    pub helm_status: String,
    pub chart: String,
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub updated: jiff::Timestamp,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TakenOver {
    /// `deployment/backend-deployment`
    pub object: String,
    /// `taken over`, `would be taken over`, `not in the cluster`.
    pub state: String,
    /// The field managers whose fields moved to todoctl's: `helm (Apply)`.
    pub from: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HelmRecords {
    /// `labelled`, `deleted`, or with --dry-run `would be labelled` / `would be deleted`.
    pub action: String,
    pub count: usize,
    /// The backup file (none with --dry-run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportDiff {
    pub summary: Summary,
    pub objects: Vec<ObjectDiff>,
}

/// What the marker Secret records: enough to finish a committed import without Helm's
/// records, or to undo an uncommitted one.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Plan {
    helm_release: String,
    driver: String,
    delete_helm_records: bool,
    /// `(apiVersion, kind, name, namespace)` of each object to take over.
    objects: Vec<(String, String, String, Option<String>)>,
    /// Names of Helm's record objects.
    helm_records: Vec<String>,
}

/// Imports Helm release `opts.helm_release`. Refusals change nothing: a missing Helm release
/// (the ones that exist are listed), a pending last revision, an existing todoctl release, a
/// corrupt Helm record, values todoctl's chart rejects.
pub async fn import(ctx: &Context, opts: &ImportOptions) -> Result<ImportReport> {
    let started = std::time::Instant::now();
    super::prepare::check_release_name(&opts.release, &opts.namespace)?;
    super::prepare::check_release_name(&opts.helm_release, &opts.namespace)?;
    let client = ctx.client().clone();
    let store = SecretStore::new(client.clone(), &opts.namespace);
    let history = super::session::read_history(&ctx.ui, &store, &opts.release).await?;
    // The same import, stopped after its commit: running it again finishes it (as any command
    // that changes the release would) instead of refusing the release its records made.
    if let Some(marker) = &history.import
        && marker.is_committed()
        && plan_of(marker)?.helm_release == opts.helm_release
    {
        return resume(ctx, opts, plan_of(marker)?, started).await;
    }
    let stored = helm::records(&client, &opts.namespace, opts.driver, &opts.helm_release).await?;
    if stored.is_empty() {
        return Err(not_found(&client, opts).await);
    }
    let helm_releases = decoded(&stored, opts)?;
    // Checked again under the lock; here so that it is the first thing said.
    refuse_existing(&history, opts)?;
    refuse_imported(&stored, opts)?;
    let plan = plan(opts, &stored, helm_releases, ctx).await?;
    // Checked again under the lock; here so that a refusal takes no lock.
    let objects = live_states(&applier(ctx, opts), &plan.takeover, opts).await?;

    if opts.dry_run {
        return Ok(ImportReport::new(
            opts,
            plan,
            objects,
            stored.len(),
            None,
            started.elapsed().as_secs_f64(),
        ));
    }

    ctx.stop.test_pause(&ctx.ui, "import-read").await;
    let Some(session) = Session::open(
        ctx,
        &opts.namespace,
        &opts.release,
        "import",
        NamespacePolicy::MustExist,
    )
    .await?
    else {
        return Err(not_found(&client, opts).await);
    };
    let result = perform(&session, opts, &stored, plan).await;
    let mut report = session.close(result).await?;
    report.elapsed_seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Finishes the import `plan` of `opts.helm_release` into `opts.release`, which stopped after
/// its commit: its records are written, its takeover of the objects is not complete. The
/// session's recovery does the work; with --dry-run it is only said. The report lists the
/// revisions recorded then and the objects taken over now.
async fn resume(
    ctx: &Context,
    opts: &ImportOptions,
    plan: Plan,
    started: std::time::Instant,
) -> Result<ImportReport> {
    let session = Session::open_for(
        ctx,
        &opts.namespace,
        &opts.release,
        "import",
        NamespacePolicy::MustExist,
        opts.dry_run,
    )
    .await?;
    let Some(mut session) = session else {
        return Err(not_found(ctx.client(), opts).await);
    };
    let objects = match session.recovered.take() {
        Some(Recovered::Finished { objects, .. }) => objects,
        // Finished meanwhile by another command, or a dry run: the plan's objects.
        _ => plan
            .objects
            .iter()
            .map(|(_, kind, name, _)| TakenOver {
                object: format!("{}/{name}", kind.to_lowercase()),
                state: if opts.dry_run {
                    "would be taken over".into()
                } else {
                    "taken over".into()
                },
                from: Vec::new(),
            })
            .collect(),
    };
    let revisions = session
        .history
        .releases
        .iter()
        .map(|r| ImportedRevision {
            revision: r.revision,
            status: r.status,
            helm_status: r.status.as_str().to_string(),
            chart: format!("{}-{}", r.chart.name, r.chart.version),
            updated: r.updated,
            description: r.description.clone(),
        })
        .collect();
    session.close(Ok(())).await?;
    let action = match (opts.dry_run, plan.delete_helm_records) {
        (true, true) => "would be deleted",
        (true, false) => "would be labelled",
        (false, true) => "deleted",
        (false, false) => "labelled",
    };
    Ok(ImportReport {
        helm_release: opts.helm_release.clone(),
        release: opts.release.clone(),
        namespace: opts.namespace.clone(),
        driver: opts.driver.as_str(),
        dry_run: opts.dry_run,
        resumed: true,
        revisions,
        objects,
        kept: Vec::new(),
        hooks_skipped: 0,
        helm_records: HelmRecords {
            action: action.into(),
            count: plan.helm_records.len(),
            backup: None,
        },
        diff: None,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    })
}

async fn perform(
    session: &Session,
    opts: &ImportOptions,
    stored: &[StoredRecord],
    planned: Planned,
) -> Result<ImportReport> {
    let ctx = &session.ctx;
    refuse_existing(&session.history, opts)?;
    refuse_moved(&session.client, stored, opts).await?;
    // Before the marker: after it, a kind that is not served or an object another release
    // owns would stop the takeover, and every command that takes the lock with it.
    live_states(&applier(ctx, opts), &planned.takeover, opts).await?;
    let backup = write_backup(stored, opts, ctx)?;
    let plan = Plan {
        helm_release: opts.helm_release.clone(),
        driver: opts.driver.as_str().to_string(),
        delete_helm_records: opts.delete_helm_records,
        objects: planned
            .takeover
            .iter()
            .map(|o| {
                (
                    o.api_version().to_string(),
                    o.kind().to_string(),
                    o.name().to_string(),
                    o.namespace().map(str::to_string),
                )
            })
            .collect(),
        helm_records: stored.iter().map(|s| s.object_name.clone()).collect(),
    };
    let marker = mark(session, &plan).await?;
    ctx.stop.test_pause(&ctx.ui, "import-marked").await;
    for (i, record) in planned.records.iter().enumerate() {
        ctx.ui.status(&format!(
            "recording revision {} of {}",
            record.revision,
            planned.records.len()
        ));
        session.create_record(record).await?;
        if i == 0 {
            ctx.stop.test_pause(&ctx.ui, "import-recording").await;
        }
    }
    commit(session, marker).await?;
    ctx.stop.test_pause(&ctx.ui, "import-committed").await;
    let objects = finish(
        ctx,
        &session.client,
        session.store.namespace(),
        &opts.release,
        &plan,
    )
    .await?;
    Ok(ImportReport::new(
        opts,
        planned,
        objects,
        stored.len(),
        Some(backup),
        0.0,
    ))
}

/// Creates the import's marker, phase records, if the lock is still held; returns it at the
/// resourceVersion the API server gave it.
async fn mark(session: &Session, plan: &Plan) -> Result<ImportMarker> {
    session.ensure_held()?;
    ImportMarker {
        release: session.release.clone(),
        namespace: session.store.namespace().to_string(),
        phase: Phase::Records,
        plan: Some(serde_json::to_vec(plan)?),
        resource_version: None,
    }
    .create(&session.client)
    .await
}

/// The commit: the marker's phase becomes takeover, once a read of the lease confirms the lock
/// is still this import's, and only at the resourceVersion `marker` was created at (a marker
/// anyone else changed or deleted meanwhile fails the commit instead of being overwritten).
async fn commit(session: &Session, marker: ImportMarker) -> Result<()> {
    session.confirm_held().await?;
    ImportMarker {
        phase: Phase::Takeover,
        ..marker
    }
    .replace(&session.client)
    .await?;
    Ok(())
}

/// The plan an import wrote into its marker.
fn plan_of(marker: &ImportMarker) -> Result<Plan> {
    let (name, namespace, release) = (marker.name(), &marker.namespace, &marker.release);
    match &marker.plan {
        Some(b) => serde_json::from_slice(b).with_context(|| {
            format!(
                "the import marker `{name}` in namespace `{namespace}` is damaged; delete it with `kubectl delete secret {name} -n {namespace}` after checking `todoctl history {release}`"
            )
        }),
        None => bail!(
            "the import marker `{name}` in namespace `{namespace}` has no plan; delete it with `kubectl delete secret {name} -n {namespace}` after checking `todoctl history {release}`"
        ),
    }
}

/// What [`recover`] did with an import that had stopped.
#[derive(Debug)]
pub enum Recovered {
    /// It had stopped before its commit: its records were deleted, nothing else had changed.
    Undone,
    /// It had stopped after its commit: the takeover of its objects was finished now, as
    /// `objects` says.
    Finished { objects: Vec<TakenOver> },
    /// A dry run's: said, not done. `takeover`: the import had committed, so the next command
    /// that changes the release finishes its takeover first, moving Helm's fields to todoctl.
    Described { takeover: bool },
}

/// Called with the release lock held, with the import marker read with the release's records:
/// an import that stopped before its commit is undone (its records deleted), one that stopped
/// after it is finished. Either way the release is whole again.
pub async fn recover(
    ctx: &Context,
    store: &dyn ReleaseStore,
    guard: &LockGuard,
    marker: &ImportMarker,
) -> Result<Recovered> {
    let release = marker.release.as_str();
    let plan = plan_of(marker)?;
    guard.ensure_held()?;
    match marker.phase {
        Phase::Records => {
            let deleted = store.delete_all(release).await?;
            ImportMarker::delete(ctx.client(), store.namespace(), release).await?;
            ctx.ui.notice(&format!(
                "an import of Helm release `{}` into `{release}` stopped before it was complete; what it had written ({}) was deleted, and nothing else had changed",
                plan.helm_release,
                crate::ui::plural(deleted, "record")
            ));
            Ok(Recovered::Undone)
        }
        Phase::Takeover => {
            let objects = finish(ctx, ctx.client(), store.namespace(), release, &plan).await?;
            ctx.ui.notice(&format!(
                "an import of Helm release `{}` into `{release}` stopped after its records were written; its takeover of the objects was finished now",
                plan.helm_release
            ));
            Ok(Recovered::Finished { objects })
        }
    }
}

/// What [`recover`] would do with the import `marker` left, said and not done: a dry run writes
/// nothing, and the next command that changes the release does it.
pub fn describe_recovery(ctx: &Context, marker: &ImportMarker) -> Result<Recovered> {
    let release = marker.release.as_str();
    let plan = plan_of(marker)?;
    ctx.ui.notice(&match marker.phase {
        Phase::Records => format!(
            "an import of Helm release `{}` into `{release}` stopped before it was complete; the next command that changes the release deletes its records (this dry run reads the release without them)",
            plan.helm_release
        ),
        Phase::Takeover => format!(
            "an import of Helm release `{}` into `{release}` stopped after its records were written; the next command that changes the release finishes its takeover of the objects first (this dry run does not)",
            plan.helm_release
        ),
    });
    Ok(Recovered::Described {
        takeover: marker.is_committed(),
    })
}
