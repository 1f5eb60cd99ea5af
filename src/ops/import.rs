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
use crate::diff::{ObjectDiff, Sides, Summary, diff_object_between};
use crate::error::{Error, Kind};
use crate::manifest::kinds::Scope;
use crate::manifest::labels::{MANAGED_BY, MANAGER};
use crate::manifest::{Object, ObjectKey};
use crate::release::helm::{self, Driver, HelmRelease, StoredRecord};
use crate::release::import_marker::{ImportMarker, Phase};
use crate::release::{FORMAT, History, ManifestEntry, Release, ReleaseStore, SecretStore, Status};
use crate::values::ValueSources;

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
    let stored = helm::records(&client, &opts.namespace, opts.driver, &opts.helm_release).await?;
    if stored.is_empty() {
        return Err(not_found(&client, opts).await);
    }
    let helm_releases = decoded(&stored, opts)?;
    // Checked again under the lock; here so that it is the first thing said.
    let store = SecretStore::new(client.clone(), &opts.namespace);
    refuse_existing(
        &super::session::read_history(&ctx.ui, &store, &opts.release).await?,
        opts,
    )?;
    refuse_imported(&stored, opts)?;
    let plan = plan(opts, &stored, helm_releases, ctx).await?;
    // Checked again under the lock; here so that a refusal takes no lock.
    let objects = live_states(&applier(ctx, opts), &plan.takeover, opts).await?;

    if opts.dry_run {
        return Ok(ImportReport {
            helm_release: opts.helm_release.clone(),
            release: opts.release.clone(),
            namespace: opts.namespace.clone(),
            driver: opts.driver.as_str(),
            dry_run: true,
            revisions: plan.revisions,
            objects,
            kept: plan.kept,
            hooks_skipped: plan.hooks,
            helm_records: HelmRecords {
                action: if opts.delete_helm_records {
                    "would be deleted"
                } else {
                    "would be labelled"
                }
                .into(),
                count: stored.len(),
                backup: None,
            },
            diff: Some(plan.diff),
            elapsed_seconds: started.elapsed().as_secs_f64(),
        });
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

/// Everything decided before the first write.
struct Planned {
    records: Vec<Release>,
    revisions: Vec<ImportedRevision>,
    takeover: Vec<Object>,
    kept: Vec<super::Kept>,
    hooks: usize,
    diff: ImportDiff,
}

fn decoded(stored: &[StoredRecord], opts: &ImportOptions) -> Result<Vec<HelmRelease>> {
    let mut out = Vec::with_capacity(stored.len());
    for r in stored {
        match &r.release {
            Ok(h) => out.push(h.clone()),
            Err(e) => {
                return Err(Error::anyhow(
                    Kind::BadInput,
                    format!(
                        "Helm's record of revision {} of release `{}`, {} in namespace `{}`, cannot be read: {e}; nothing was imported. Restore it from a backup, or delete it if that revision is not needed (`kubectl delete {} -n {}`) and import again",
                        r.version,
                        opts.helm_release,
                        r.reference(),
                        opts.namespace,
                        r.reference(),
                        opts.namespace
                    ),
                ));
            }
        }
    }
    if let Some(last) = out.last()
        && is_pending(&last.status)
    {
        return Err(Error::anyhow(
            Kind::Conflict,
            format!(
                "revision {} of Helm release `{}` in namespace `{}` is {}: a Helm operation is running on it, or stopped without finishing; nothing was imported. Wait for it to end (`helm status {} -n {}`), or if it died, `helm rollback {} -n {}` first, then import",
                last.version,
                opts.helm_release,
                opts.namespace,
                last.status,
                opts.helm_release,
                opts.namespace,
                opts.helm_release,
                opts.namespace
            ),
        ));
    }
    Ok(out)
}

/// Dotted paths of the keys a schema error says were unexpected: from lines such as
/// ``  - `backend`: Additional properties are not allowed ('replicas' was unexpected)``.
fn unexpected_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.contains("Additional properties")) {
        let parent = line
            .split('`')
            .nth(1)
            .filter(|p| !p.is_empty() && *p != "." && *p != "(root)");
        let Some(start) = line.rfind('(') else {
            continue;
        };
        for key in line[start..].split('\'').skip(1).step_by(2) {
            out.push(match parent {
                Some(p) => format!("{p}.{key}"),
                None => key.to_string(),
            });
        }
    }
    out
}

fn is_pending(status: &str) -> bool {
    status.starts_with("pending-")
}

/// The todoctl status of a Helm revision: pending in the middle of the history (a Helm
/// operation that died, superseded since) is failed, as todoctl records interrupted revisions.
fn status_of(helm_status: &str) -> Status {
    match helm_status {
        "deployed" => Status::Deployed,
        "superseded" => Status::Superseded,
        "uninstalled" => Status::Uninstalled,
        "uninstalling" => Status::Uninstalling,
        _ => Status::Failed,
    }
}

async fn plan(
    opts: &ImportOptions,
    stored: &[StoredRecord],
    helm_releases: Vec<HelmRelease>,
    ctx: &Context,
) -> Result<Planned> {
    let chart = crate::chart::Chart::builtin()?;
    let marks = chart
        .schema
        .as_ref()
        .map(crate::chart::SchemaMarks::from_schema)
        .unwrap_or_default();
    let mut records = Vec::new();
    let mut hooks = 0;
    // Helm can leave more than one revision `deployed` (an upgrade that died before it
    // superseded the one before); like Helm's storage, which takes the newest of them, the
    // history gets one: the last.
    let last_deployed = helm_releases
        .iter()
        .rev()
        .find(|h| h.status == Status::Deployed.as_str())
        .map(|h| h.version);
    for (h, s) in helm_releases.iter().zip(stored) {
        hooks += h.hooks;
        let mut record = convert(h, s, opts, ctx)?;
        if record.status == Status::Deployed && Some(h.version) != last_deployed {
            record.status = Status::Superseded;
            record.description = format!(
                "imported from Helm revision {} (Helm status `deployed`, superseded by revision {}){}",
                h.version,
                last_deployed.unwrap_or_default(),
                helm_said(h)
            );
        }
        // Before the values are checked against the chart: a schema error may quote them.
        ctx.ui.remember_values(&record.values, &marks.secret);
        ctx.ui.remember_values(&record.user_values, &marks.secret);
        records.push(record);
    }
    // The import's -f/--set go over the values of the revision the next upgrade starts from.
    let base_index = records
        .iter()
        .rposition(|r| r.status == Status::Deployed)
        .unwrap_or(records.len() - 1);
    let extra = opts.values.user_values()?;
    if let Value::Object(extra) = extra
        && !extra.is_empty()
    {
        let base = &mut records[base_index];
        let mut user = base.user_values.as_object().cloned().unwrap_or_default();
        crate::values::merge_maps(&mut user, extra);
        base.user_values = Value::Object(user);
        base.description
            .push_str(" (values mapped with the import's -f/--set)");
    }
    let history = History {
        releases: records.clone(),
        ..History::default()
    };
    let base = &history.releases[base_index];
    let prepared = super::prepare::prepare_release(
        ctx,
        &history,
        &PrepareRequest {
            release: &opts.release,
            namespace: &opts.namespace,
            chart_dir: None,
            values: &ValueSources::default(),
            is_upgrade: true,
            reset_values: false,
            generate_new: true,
            post_renderer: None,
        },
    )
    .await
    .map_err(|e| {
        let text = crate::error::sentence(&e);
        let mut example: Vec<String> = unexpected_keys(&text)
            .iter()
            .map(|k| format!("--set {k}=null"))
            .collect();
        if example.is_empty() {
            example.push("-f mapping.yaml".to_string());
        }
        Error::anyhow(
            Kind::BadInput,
            format!(
                "the values of Helm release `{}` (revision {}, `helm get values {} -n {}`) do not fit todoctl's chart, so nothing was imported: {text}\nmap them onto todoctl's values on the import, with `-f mapping.yaml` holding the keys todoctl's chart takes (`todoctl show values`) or with `--set key=value`, and drop keys todoctl's chart does not have with `--set key=null`: todoctl import helm {} -n {} {}",
                opts.helm_release,
                base.revision,
                opts.helm_release,
                opts.namespace,
                opts.helm_release,
                opts.namespace,
                example.join(" ")
            ),
        )
    })?;
    // Values generated now (a password Helm's values lacked) stay the same from here on.
    for r in &mut records {
        r.generated = prepared.generated.clone();
        r.secret_paths = marks.secret.to_vec();
    }
    let history = History {
        releases: records.clone(),
        ..History::default()
    };
    let takeover = history.previous_objects();
    let rendered: HashSet<ObjectKey> = prepared
        .objects
        .iter()
        .map(|o| o.key(&opts.namespace))
        .collect();
    let mut kept = Vec::new();
    for o in &takeover {
        if rendered.contains(&o.key(&opts.namespace)) {
            continue;
        }
        if o.kind() == "PersistentVolumeClaim" {
            kept.push(super::Kept {
                object: o.reference(),
                reason: format!(
                    "todoctl's chart does not render it and it holds data: no todoctl upgrade deletes it without --prune-pvcs; the database can keep using it with `--set database.persistence.existingClaim={}`",
                    o.name()
                ),
            });
        } else if let Some(reason) =
            super::KeepRules::default().reason(o, super::keep::Removal::Prune)
        {
            kept.push(super::Kept {
                object: o.reference(),
                reason: format!("todoctl's chart does not render it, and it is {reason}"),
            });
        }
    }
    let current = history
        .last_deployed()
        .unwrap_or(&history.releases[history.releases.len() - 1]);
    let before_label = format!("Helm revision {}", current.revision);
    let sides = Sides {
        before: &before_label,
        after: "todoctl's chart",
    };
    let helm_objects = current.objects();
    let mut diffs = Vec::new();
    for o in &prepared.objects {
        let key = o.key(&opts.namespace);
        let before = helm_objects.iter().find(|x| x.key(&opts.namespace) == key);
        diffs.push(diff_object_between(
            sides,
            &o.reference(),
            o.namespace(),
            o.kind(),
            before.map(|x| &x.data),
            Some(&o.data),
            false,
        ));
    }
    for o in &helm_objects {
        if !rendered.contains(&o.key(&opts.namespace))
            && !kept.iter().any(|k| k.object == o.reference())
        {
            diffs.push(diff_object_between(
                sides,
                &o.reference(),
                o.namespace(),
                o.kind(),
                Some(&o.data),
                None,
                false,
            ));
        }
    }
    let revisions = records
        .iter()
        .zip(&helm_releases)
        .map(|(r, h)| ImportedRevision {
            revision: r.revision,
            status: r.status,
            helm_status: h.status.clone(),
            chart: format!("{}-{}", r.chart.name, r.chart.version),
            updated: r.updated,
            description: r.description.clone(),
        })
        .collect();
    Ok(Planned {
        records,
        revisions,
        takeover,
        kept,
        hooks,
        diff: ImportDiff {
            summary: Summary::of(&diffs),
            objects: diffs,
        },
    })
}

/// One Helm revision as a todoctl record: the same number, status, times, chart, values,
/// notes and objects; Helm's hooks are left out.
fn convert(
    h: &HelmRelease,
    stored: &StoredRecord,
    opts: &ImportOptions,
    ctx: &Context,
) -> Result<Release> {
    let mut manifest = Vec::new();
    for (template, text) in helm::split_manifest(&h.manifest) {
        let objects = crate::manifest::parse::documents(&template, &text).map_err(|e| {
            // Where, without the line itself: in a Helm record it may be a Secret's data,
            // which the scrubber cannot know from a document that does not parse.
            let e = match e {
                crate::manifest::ManifestError::Yaml {
                    template,
                    line,
                    column,
                    message,
                    ..
                } => format!("{template}:{line}:{column}: {message}"),
                other => other.to_string(),
            };
            Error::anyhow(
                Kind::BadInput,
                format!(
                    "Helm's record of revision {} of release `{}`, {} in namespace `{}`, holds a manifest that does not parse ({e}); nothing was imported. Restore the record from a backup, or delete it if that revision is not needed, and import again",
                    h.version,
                    opts.helm_release,
                    stored.reference(),
                    opts.namespace
                ),
            )
        })?;
        for mut o in objects {
            // What follows may quote any object; a Secret's values must be scrubbed from it.
            ctx.ui.remember_object(&o.data);
            mark_object(&mut o, &opts.namespace);
            manifest.push(ManifestEntry {
                template: o.template.clone(),
                object: o.data,
            });
        }
    }
    let status = status_of(&h.status);
    let helm_said = helm_said(h);
    let status_note = if status.as_str() != h.status {
        format!(" (Helm status `{}`)", h.status)
    } else {
        String::new()
    };
    let updated = h
        .last_deployed
        .or(h.first_deployed)
        .unwrap_or_else(|| ctx.clock.now());
    Ok(Release {
        format: FORMAT,
        name: opts.release.clone(),
        namespace: opts.namespace.clone(),
        revision: h.version.max(stored.version),
        status,
        description: format!(
            "imported from Helm revision {}{status_note}{helm_said}",
            h.version
        ),
        chart: h.chart.clone(),
        user_values: h.config.clone(),
        values: crate::values::coalesce(h.chart_values.clone(), &h.config),
        manifest,
        notes: h.notes.clone(),
        first_deployed: h.first_deployed.unwrap_or(updated),
        updated,
        todoctl_version: crate::release::TODOCTL_VERSION.to_string(),
        generated: Default::default(),
        secret_paths: Vec::new(),
        tests: Vec::new(),
        last_test: None,
        post_renderer: None,
    })
}

/// `: <Helm's description>` of a revision, or nothing when it has none.
fn helm_said(h: &HelmRelease) -> String {
    if h.description.is_empty() {
        String::new()
    } else {
        format!(": {}", h.description)
    }
}

/// An imported object as the takeover leaves it live: in the release namespace when Helm's
/// manifest left the namespace out, labelled managed by todoctl. Pod templates keep Helm's
/// labels, so re-applying the revision replaces no pod.
fn mark_object(o: &mut Object, namespace: &str) {
    let namespaced = o.scope() != Scope::Cluster;
    let Some(meta) = o.data.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if namespaced
        && meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        meta.insert("namespace".into(), namespace.into());
    }
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(MANAGED_BY.into(), MANAGER.into());
    } else {
        *labels = json!({ MANAGED_BY: MANAGER });
    }
}

fn refuse_existing(history: &History, opts: &ImportOptions) -> Result<()> {
    if history.releases.is_empty() && history.broken.is_empty() {
        return Ok(());
    }
    Err(Error::anyhow(
        Kind::Conflict,
        format!(
            "todoctl release `{}` already exists in namespace `{}` ({} revision{}); nothing was imported. Import under another name with `-r NAME`, or remove it first with `todoctl uninstall {} -n {}` (its records go with it)",
            opts.release,
            opts.namespace,
            history.releases.len() + history.broken.len(),
            if history.releases.len() + history.broken.len() == 1 {
                ""
            } else {
                "s"
            },
            opts.release,
            opts.namespace
        ),
    ))
}

/// Refuses the import when Helm's records of the release are no longer those read before the
/// lock: a Helm operation in between (an upgrade writes a record and supersedes another, a
/// rollback too, `--history-max` deletes one) would otherwise be imported as it was before.
/// One metadata LIST.
async fn refuse_moved(
    client: &Client,
    stored: &[StoredRecord],
    opts: &ImportOptions,
) -> Result<()> {
    let live =
        helm::record_versions(client, &opts.namespace, opts.driver, &opts.helm_release).await?;
    let mut read: Vec<(String, String)> = stored
        .iter()
        .map(|s| {
            let version = s
                .raw
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str);
            (
                s.object_name.clone(),
                version.unwrap_or_default().to_string(),
            )
        })
        .collect();
    read.sort();
    if live == read {
        return Ok(());
    }
    let kind = opts.driver.kind();
    let mut moved = Vec::new();
    for (name, version) in &live {
        match read.iter().find(|(n, _)| n == name) {
            None => moved.push(format!("{kind}/{name} was written")),
            Some((_, v)) if v != version => moved.push(format!("{kind}/{name} changed")),
            Some(_) => {}
        }
    }
    for (name, _) in &read {
        if !live.iter().any(|(n, _)| n == name) {
            moved.push(format!("{kind}/{name} was deleted"));
        }
    }
    Err(Error::anyhow(
        Kind::Conflict,
        format!(
            "Helm release `{}` in namespace `{}` changed while it was being imported ({}): a Helm operation ran in between; nothing was imported. Run the import again when Helm is done (`helm history {} -n {}`)",
            opts.helm_release,
            opts.namespace,
            moved.join(", "),
            opts.helm_release,
            opts.namespace
        ),
    ))
}

/// Refuses Helm records an earlier import labelled [`IMPORTED_TO`]: their objects belong to
/// that todoctl release now, and importing them again (under another `-r` name) would take
/// them from it.
fn refuse_imported(stored: &[StoredRecord], opts: &ImportOptions) -> Result<()> {
    let Some((record, into)) = stored.iter().find_map(|s| {
        let into = s.raw.get("metadata")?.get("labels")?.get(IMPORTED_TO)?;
        Some((s, into.as_str().unwrap_or_default()))
    }) else {
        return Ok(());
    };
    Err(Error::anyhow(
        Kind::Conflict,
        format!(
            "Helm release `{}` in namespace `{}` was already imported into todoctl release `{into}` ({} is labelled `{IMPORTED_TO}={into}`); nothing was imported. Its objects belong to `{into}`: manage them with `todoctl status {into} -n {}`. To import the Helm release again, uninstall `{into}` first, then remove the label (`kubectl label {}s -l owner=helm,name={} {IMPORTED_TO}- -n {}`)",
            opts.helm_release,
            opts.namespace,
            record.reference(),
            opts.namespace,
            opts.driver.kind(),
            opts.helm_release,
            opts.namespace,
        ),
    ))
}

/// What the takeover will find, object by object, read before anything is written: every kind
/// resolved through discovery (an unserved apiVersion or a deleted CRD refuses the import here,
/// not after its commit), and an object that another todoctl release owns refuses it, as an
/// object has one owner. `would be taken over` or `not in the cluster` for each.
async fn live_states(
    applier: &Applier,
    takeover: &[Object],
    opts: &ImportOptions,
) -> Result<Vec<TakenOver>> {
    let ours = crate::cluster::apply::owner_value(&opts.namespace, &opts.release);
    let mut out = Vec::new();
    for o in takeover {
        let (api, _) = applier.api_for(o).await.map_err(|e| {
            Error::anyhow(
                Kind::BadInput,
                format!(
                    "{e:#}; nothing was imported (Helm release `{}` has it)",
                    opts.helm_release
                ),
            )
        })?;
        let live = api.get_metadata_opt(o.name()).await.map_err(|e| {
            crate::cluster::apply::api_error(e, &format!("reading {}", o.reference()))
        })?;
        if let Some(live) = &live
            && let Some(owner) = owner_of(&live.metadata)
            && owner != ours
        {
            return Err(owned_elsewhere(&o.reference(), &owner, opts));
        }
        out.push(TakenOver {
            object: o.reference(),
            state: if live.is_some() {
                "would be taken over"
            } else {
                "not in the cluster"
            }
            .into(),
            from: Vec::new(),
        });
    }
    Ok(out)
}

/// The refusal of an object of the Helm release that todoctl release `owner`
/// (`<namespace>/<release>`) owns.
fn owned_elsewhere(reference: &str, owner: &str, opts: &ImportOptions) -> anyhow::Error {
    let (owner_namespace, owner_release) = owner.split_once('/').unwrap_or(("", owner));
    Error::anyhow(
        Kind::Conflict,
        format!(
            "{reference} of Helm release `{}` belongs to todoctl release `{owner_release}` in namespace `{owner_namespace}`; nothing was imported. An object has one owner: it stays with `{owner_release}` (`todoctl status {owner_release} -n {owner_namespace}`); to import Helm release `{}` anyway, uninstall `{owner_release}` first (`todoctl uninstall {owner_release} -n {owner_namespace}`)",
            opts.helm_release, opts.helm_release
        ),
    )
}

async fn not_found(client: &Client, opts: &ImportOptions) -> anyhow::Error {
    let here = helm::release_names(client, Some(&opts.namespace), opts.driver, None)
        .await
        .unwrap_or_default();
    let elsewhere = helm::release_names(client, None, opts.driver, Some(&opts.helm_release))
        .await
        .unwrap_or_default();
    let other = match opts.driver {
        Driver::Secret => Driver::ConfigMap,
        Driver::ConfigMap => Driver::Secret,
    };
    let other_driver = helm::release_names(
        client,
        Some(&opts.namespace),
        other,
        Some(&opts.helm_release),
    )
    .await
    .unwrap_or_default();
    let mut hints = Vec::new();
    if !other_driver.is_empty() {
        hints.push(format!(
            "its records are in {}s: pass --helm-driver {}",
            other.kind(),
            other.as_str()
        ));
    }
    if !elsewhere.is_empty() {
        hints.push(format!(
            "a Helm release of that name is in namespace {}: pass -n",
            elsewhere
                .iter()
                .map(|(ns, _)| format!("`{ns}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let listed = if here.is_empty() {
        format!(
            "namespace `{}` has no Helm releases ({} driver)",
            opts.namespace,
            opts.driver.as_str()
        )
    } else {
        format!(
            "the Helm releases in namespace `{}` are {}",
            opts.namespace,
            here.iter()
                .map(|(_, n)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let hint = if hints.is_empty() {
        String::new()
    } else {
        format!("; {}", hints.join("; "))
    };
    Error::anyhow(
        Kind::NotFound,
        format!(
            "Helm release `{}` not found in namespace `{}` (no {}s labelled `owner=helm,name={}`); {listed}{hint}; nothing was imported",
            opts.helm_release,
            opts.namespace,
            opts.driver.kind(),
            opts.helm_release
        ),
    )
}

fn applier(ctx: &Context, opts: &ImportOptions) -> Applier {
    Applier::new(
        &ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: false,
            adopt: true,
        },
    )
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
    Ok(ImportReport {
        helm_release: opts.helm_release.clone(),
        release: opts.release.clone(),
        namespace: opts.namespace.clone(),
        driver: opts.driver.as_str(),
        dry_run: false,
        revisions: planned.revisions,
        objects,
        kept: planned.kept,
        hooks_skipped: planned.hooks,
        helm_records: HelmRecords {
            action: if opts.delete_helm_records {
                "deleted"
            } else {
                "labelled"
            }
            .into(),
            count: stored.len(),
            backup: Some(backup),
        },
        diff: None,
        elapsed_seconds: 0.0,
    })
}

/// The committed part of an import, also run by the next command after an import stopped
/// there: takes over the objects, labels or deletes Helm's records, deletes the marker.
/// Errors name the marker and the two ways on: every command that takes the release lock
/// runs this first, so a cause that stays (a kind no longer served, a forbidden patch) would
/// otherwise stop them all without saying why.
async fn finish(
    ctx: &Context,
    client: &Client,
    namespace: &str,
    release: &str,
    plan: &Plan,
) -> Result<Vec<TakenOver>> {
    finish_steps(ctx, client, namespace, release, plan)
        .await
        .map_err(|e| {
            let kind = crate::error::kind(&e);
            if matches!(kind, Kind::Interrupted | Kind::Locked) {
                return e;
            }
            let marker = crate::release::import_marker::marker_name(release);
            Error::anyhow(
                kind,
                format!(
                    "finishing the import of Helm release `{}` into `{release}` (marker `{marker}` in namespace `{namespace}`): {e:#}. The import is committed, and every command that takes the lock of `{release}` finishes it first: fix the cause and run the command again; or, after checking `todoctl history {release} -n {namespace}`, delete the marker (`kubectl delete secret {marker} -n {namespace}`), which leaves the objects not yet taken over with Helm's field managers and Helm's records as they are",
                    plan.helm_release
                ),
            )
        })
}

async fn finish_steps(
    ctx: &Context,
    client: &Client,
    namespace: &str,
    release: &str,
    plan: &Plan,
) -> Result<Vec<TakenOver>> {
    let applier = Applier::new(
        &ctx.cluster,
        release,
        namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: false,
            adopt: true,
        },
    );
    let mut out = Vec::new();
    for (api_version, kind, name, ns) in &plan.objects {
        let mut data = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if let Some(ns) = ns {
            data["metadata"]["namespace"] = json!(ns);
        }
        let o = Object::new("import", data);
        let reference = o.reference();
        ctx.ui.status(&format!("taking over {reference}"));
        let (api, _) = applier.api_for(&o).await?;
        let state = take_over(
            &api,
            &reference,
            name,
            o.namespace()
                .or(Some(namespace))
                .filter(|_| o.scope() != Scope::Cluster),
            (namespace, release),
            ctx.clock.now(),
        )
        .await
        .with_context(|| format!("taking over {reference}"))?;
        out.push(match state {
            Some(from) => TakenOver {
                object: reference,
                state: "taken over".into(),
                from,
            },
            None => TakenOver {
                object: reference,
                state: "not in the cluster".into(),
                from: Vec::new(),
            },
        });
    }
    ctx.stop.test_pause(&ctx.ui, "import-taken-over").await;
    let driver = if plan.driver == Driver::ConfigMap.as_str() {
        Driver::ConfigMap
    } else {
        Driver::Secret
    };
    for name in &plan.helm_records {
        helm_record_step(
            client,
            namespace,
            driver,
            name,
            release,
            plan.delete_helm_records,
        )
        .await?;
    }
    ImportMarker::delete(client, namespace, release).await?;
    Ok(out)
}

/// Labels one of Helm's records as imported (Helm keeps custom labels), or deletes it.
async fn helm_record_step(
    client: &Client,
    namespace: &str,
    driver: Driver,
    name: &str,
    release: &str,
    delete: bool,
) -> Result<()> {
    let what = format!("{}/{name}", driver.kind());
    let patch = json!({"metadata": {"labels": {IMPORTED_TO: release}}});
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..Default::default()
    };
    let result = match (driver, delete) {
        (Driver::Secret, true) => Api::<Secret>::namespaced(client.clone(), namespace)
            .delete(name, &DeleteParams::default())
            .await
            .map(|_| ()),
        (Driver::ConfigMap, true) => Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .delete(name, &DeleteParams::default())
            .await
            .map(|_| ()),
        (Driver::Secret, false) => Api::<Secret>::namespaced(client.clone(), namespace)
            .patch(name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
        (Driver::ConfigMap, false) => Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .patch(name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(crate::cluster::apply::api_error(
            e,
            &format!(
                "{} Helm's record {what}",
                if delete { "deleting" } else { "labelling" }
            ),
        )),
    }
}

/// Writes Helm's records, as objects `kubectl create -f` restores, to a file only the user
/// can read (they hold the release's values). Returns its path.
fn write_backup(stored: &[StoredRecord], opts: &ImportOptions, ctx: &Context) -> Result<PathBuf> {
    let items: Vec<Value> = stored
        .iter()
        .map(|s| {
            let mut o = s.raw.clone();
            if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                for k in [
                    "managedFields",
                    "resourceVersion",
                    "uid",
                    "creationTimestamp",
                    "generation",
                ] {
                    meta.remove(k);
                }
            }
            o
        })
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    let stamp = ctx.clock.now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let stem = format!(
        "helm-records-{}-{}-{stamp}",
        opts.namespace, opts.helm_release
    );
    let text = crate::yaml::to_string(&list).map_err(|e| anyhow::anyhow!("writing YAML: {e}"))?;
    // A backup is never overwritten: one written in the same second (an import refused after
    // its backup, run again) keeps its file, and this one gets the next free `-N`.
    for n in 1..=BACKUPS_PER_SECOND {
        let path = opts.backup_dir.join(if n == 1 {
            format!("{stem}.yaml")
        } else {
            format!("{stem}-{n}.yaml")
        });
        match write_private(&path, text.as_bytes()) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "writing the backup of Helm's records to {} (choose another directory with --backup-dir); nothing was imported",
                        path.display()
                    )
                });
            }
        }
    }
    bail!(
        "writing the backup of Helm's records: {} already holds {BACKUPS_PER_SECOND} backups named {stem}[-N].yaml; choose another directory with --backup-dir; nothing was imported",
        opts.backup_dir.display()
    )
}

/// How many backups of one Helm release one second can name (`-2` ... `-N` after the first).
const BACKUPS_PER_SECOND: usize = 100;

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
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

/// Called with the release lock held, with the import marker read with the release's records:
/// an import that stopped before its commit is undone (its records deleted), one that stopped
/// after it is finished. Either way the release is whole again.
pub async fn recover(
    ctx: &Context,
    store: &dyn ReleaseStore,
    guard: &LockGuard,
    marker: &ImportMarker,
) -> Result<()> {
    let release = marker.release.as_str();
    let plan = plan_of(marker)?;
    guard.ensure_held()?;
    match marker.phase {
        Phase::Records => {
            let deleted = store.delete_all(release).await?;
            ImportMarker::delete(ctx.client(), store.namespace(), release).await?;
            ctx.ui.notice(&format!(
                "an import of Helm release `{}` into `{release}` stopped before it was complete; its {deleted} records were deleted, and nothing else had changed",
                plan.helm_release
            ));
        }
        Phase::Takeover => {
            finish(ctx, ctx.client(), store.namespace(), release, &plan).await?;
            ctx.ui.notice(&format!(
                "an import of Helm release `{}` into `{release}` stopped after its records were written; its takeover of the objects was finished now",
                plan.helm_release
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexpected_keys_are_named_as_paths() {
        let text = "values do not match the chart's values.schema.json:\n  - `backend`: Additional properties are not allowed ('replicas' was unexpected)\n  - ``: Additional properties are not allowed ('a', 'b' were unexpected)";
        assert_eq!(unexpected_keys(text), vec!["backend.replicas", "a", "b"]);
    }

    #[test]
    fn helm_statuses_map_onto_todoctl_statuses() {
        assert_eq!(status_of("deployed"), Status::Deployed);
        assert_eq!(status_of("superseded"), Status::Superseded);
        assert_eq!(status_of("failed"), Status::Failed);
        assert_eq!(status_of("pending-upgrade"), Status::Failed);
        assert_eq!(status_of("unknown"), Status::Failed);
        assert!(is_pending("pending-rollback"));
        assert!(!is_pending("deployed"));
    }

    #[test]
    fn imported_objects_are_marked_but_pod_templates_are_not() {
        let mut o = Object::new(
            "templates/backend.yaml",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "backend-deployment", "labels": {"app.kubernetes.io/managed-by": "Helm"}},
                   "spec": {"template": {"metadata": {"labels": {"app": "backend"}}}}}),
        );
        mark_object(&mut o, "todo-app");
        assert_eq!(o.data["metadata"]["namespace"], "todo-app");
        assert_eq!(
            o.data["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "todoctl"
        );
        assert_eq!(
            o.data["spec"]["template"]["metadata"]["labels"],
            json!({"app": "backend"})
        );
    }
}
