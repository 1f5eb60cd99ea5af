//! Release records kept in Kubernetes Secrets in the release namespace: one Secret per revision,
//! split across chunk Secrets when the record outgrows one. Every read is one LIST by label (or
//! one GET); [`secrets_for`] is the only place that decides names, labels and layout.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, ListParams, ObjectMeta, PostParams, Preconditions};
use kube::{Api, Client, ResourceExt};

use super::codec::{self, DecodeError};
use super::history::{BrokenRecord, History};
use super::import_marker::{IMPORT_OF, ImportMarker, MARKER_TYPE};
use super::{FORMAT, Release, Status, check_release_name};

/// The Secret `type` of every record Secret, chunks included.
pub const SECRET_TYPE: &str = "todoctl.io/release.v1";
/// The data key that holds the record's bytes (or one chunk of them).
pub const DATA_KEY: &str = "release";
/// Bytes of record per Secret. The API server refuses Secrets whose data exceeds 1,048,576
/// bytes; this leaves room for the metadata.
pub const CHUNK_SIZE: usize = 900 * 1024;

/// Label and annotation keys, as stored.
pub mod key {
    pub use crate::manifest::labels::MANAGED_BY;
    pub const RELEASE: &str = "todoctl.io/release";
    pub const REVISION: &str = "todoctl.io/revision";
    pub const STATUS: &str = "todoctl.io/status";
    pub const FORMAT: &str = "todoctl.io/format";
    /// On a chunked record's main Secret: how many Secrets hold the record.
    pub const CHUNKS: &str = "todoctl.io/chunks";
    /// On a chunk Secret: its position (2, 3, ...). Marks the Secret as a chunk.
    pub const CHUNK: &str = "todoctl.io/chunk";
    /// Annotation on a chunk Secret: the main Secret's name. An annotation, not a label, because
    /// a long release name makes the Secret name longer than a label value may be (63).
    pub const CHUNK_OF: &str = "todoctl.io/chunk-of";
}

use crate::manifest::labels::MANAGER;

/// How many deletes run at once in `delete_all` and `prune`.
const PARALLEL_DELETES: usize = 16;

/// The Secret holding revision `revision` of `release` (its first chunk if it is chunked).
pub fn secret_name(release: &str, revision: u64) -> String {
    format!("todoctl.release.v1.{release}.v{revision}")
}

/// The Secret holding chunk `index` (2, 3, ...) of the record in Secret `main`.
pub fn chunk_name(main: &str, index: usize) -> String {
    format!("{main}.c{index}")
}

/// Failures callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `create` found the revision already recorded: another operation got there first.
    #[error(
        "revision {revision} of release `{release}` already exists in namespace `{namespace}` (Secret `{secret}`); another operation on the release may be running: check `todoctl history {release}` and retry"
    )]
    RevisionExists {
        release: String,
        namespace: String,
        revision: u64,
        secret: String,
    },
    /// The stored record is of a format this build does not know; it must not touch it.
    #[error(
        "release record Secret `{secret}` in namespace `{namespace}` was written by a newer todoctl (format {found}; this todoctl reads up to format {FORMAT}); it will not be changed or deleted: upgrade todoctl"
    )]
    NewerFormat {
        secret: String,
        namespace: String,
        found: u32,
    },
    /// `update` of a revision that has no record.
    #[error(
        "revision {revision} of release `{release}` has no record in namespace `{namespace}` (no Secret `{secret}`); it may have been pruned or uninstalled: see `todoctl history {release}`"
    )]
    NotFound {
        release: String,
        namespace: String,
        revision: u64,
        secret: String,
    },
    /// The record changed since this operation read or wrote it: another operation wrote it
    /// meanwhile, and its write must not be overwritten.
    #[error(
        "release record Secret `{secret}` in namespace `{namespace}` changed under this operation (another operation wrote it since this one read it), so it was not overwritten; check `todoctl history` and retry when the other operation has finished"
    )]
    Conflict { secret: String, namespace: String },
}

/// The latest record of each release, and the releases whose latest record cannot be read.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Sorted by namespace, then name.
    pub releases: Vec<Release>,
    pub broken: Vec<BrokenRecord>,
}

/// Release records in the Secrets of one namespace.
#[derive(Clone)]
pub struct SecretStore {
    pub client: Client,
    pub namespace: String,
    /// Metadata of main Secrets this store read or wrote, by name: an update of a record this
    /// store knows is conditioned on the resourceVersion it saw, so a write by anyone else in
    /// between fails the update instead of being overwritten.
    known: Arc<Mutex<HashMap<String, Secret>>>,
}

impl SecretStore {
    pub fn new(client: Client, namespace: impl Into<String>) -> Self {
        SecretStore {
            client,
            namespace: namespace.into(),
            known: Arc::default(),
        }
    }

    fn remember(&self, secret: &Secret) {
        if let Ok(mut known) = self.known.lock() {
            known.insert(
                name_of(secret),
                Secret {
                    metadata: secret.metadata.clone(),
                    ..Default::default()
                },
            );
        }
    }

    fn recall(&self, name: &str) -> Option<Secret> {
        self.known.lock().ok()?.get(name).cloned()
    }

    fn forget(&self, name: &str) {
        if let Ok(mut known) = self.known.lock() {
            known.remove(name);
        }
    }

    fn api(&self) -> Api<Secret> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// Every record of `release`, from one LIST; unreadable records go to `broken` instead of
    /// failing the rest.
    pub async fn history(&self, release: &str) -> Result<History> {
        self.history_with(release, |_, _| {}).await
    }

    /// As [`history`](Self::history), calling `each(record, latest)` on every record as soon as
    /// it is decoded, newest revision first; `latest` is true for the newest readable one. A
    /// caller can take what it needs from a record and drop the rest before the next one is
    /// decoded, so reading a long history does not hold every revision's objects at once.
    pub async fn history_with(
        &self,
        release: &str,
        mut each: impl FnMut(&mut Release, bool),
    ) -> Result<History> {
        check_release_name(release)?;
        let list = self
            .api()
            .list(&ListParams::default().labels(&release_selector(release)))
            .await
            .map_err(|e| api_error(e, &self.namespace))
            .with_context(|| self.listing_what(release))?;
        let mut found = Found::new(&list.items);
        let mut history = History {
            import: found.markers.pop(),
            ..History::default()
        };
        // The records of an import that has not committed are not the release's yet.
        if history.import.as_ref().is_some_and(|m| !m.is_committed()) {
            return Ok(history);
        }
        found
            .mains
            .sort_by_key(|m| std::cmp::Reverse(revision_of(m)));
        for main in &found.mains {
            match found.read(main) {
                Ok(mut r) => {
                    each(&mut r, history.releases.is_empty());
                    self.remember(main);
                    history.releases.push(r)
                }
                Err(why) => history.broken.push(broken(main, why)),
            }
        }
        history.releases.sort_by_key(|r| r.revision);
        history.broken.sort_by_key(|b| b.revision);
        Ok(history)
    }

    /// One revision, or `None` if it has no record. One GET, plus one LIST for a chunked record.
    pub async fn get(&self, release: &str, revision: u64) -> Result<Option<Release>> {
        check_release_name(release)?;
        let name = secret_name(release, revision);
        let reading = || self.reading_what(&name, release, revision);
        let Some(main) = self
            .api()
            .get_opt(&name)
            .await
            .map_err(|e| api_error(e, &self.namespace))
            .with_context(reading)?
        else {
            return Ok(None);
        };
        let chunks = if label_number(&main, key::CHUNKS).unwrap_or(1) > 1 {
            self.api()
                .list(&ListParams::default().labels(&chunk_selector(release, revision)))
                .await
                .map_err(|e| api_error(e, &self.namespace))
                .with_context(|| format!("listing the chunks of {}", reading()))?
                .items
        } else {
            Vec::new()
        };
        let mut all = chunks;
        all.push(main);
        let found = Found::new(&all);
        let main = found
            .mains
            .first()
            .context("the record Secret vanished from its own listing")
            .with_context(reading)?;
        found
            .read(main)
            .map(Some)
            .map_err(|why| anyhow!("{}: {why}", reading()))
    }

    /// The highest revision of `release`, or `None` if it has no records. Fails if that record
    /// cannot be read: deciding on an older one would act on the wrong state.
    pub async fn latest(&self, release: &str) -> Result<Option<Release>> {
        check_release_name(release)?;
        let list = self
            .api()
            .list(&ListParams::default().labels(&release_selector(release)))
            .await
            .map_err(|e| api_error(e, &self.namespace))
            .with_context(|| self.listing_what(release))?;
        let found = Found::new(&list.items);
        let Some(main) = found.mains.iter().max_by_key(|s| revision_of(s)) else {
            return Ok(None);
        };
        found.read(main).map(Some).map_err(|why| {
            anyhow!(
                "{}: {why}",
                self.reading_what(&name_of(main), release, revision_of(main))
            )
        })
    }

    /// Records a new revision. Fails with [`StoreError::RevisionExists`] if it is already
    /// recorded: the create is the claim on the revision number.
    pub async fn create(&self, release: &Release) -> Result<()> {
        self.check_belongs(release)?;
        let secrets = secrets_for(release)?;
        let api = self.api();
        let (main, chunks) = secrets
            .split_first()
            .context("a record has a main Secret")?;
        let name = name_of(main);
        match api.create(&PostParams::default(), main).await {
            Ok(created) => self.remember(&created),
            Err(kube::Error::Api(s)) if s.is_already_exists() || s.code == 409 => {
                return Err(StoreError::RevisionExists {
                    release: release.name.clone(),
                    namespace: self.namespace.clone(),
                    revision: release.revision,
                    secret: name,
                }
                .into());
            }
            Err(e) => {
                return Err(api_error(e, &self.namespace)).with_context(|| {
                    format!(
                        "recording revision {} of release `{}` in Secret `{name}` in namespace `{}`",
                        release.revision, release.name, self.namespace
                    )
                });
            }
        }
        if let Err(e) = self.write_chunks(chunks, 0).await {
            // Without its chunks the record is unreadable; take the revision back.
            let _ = self.delete_record(&name, chunks.len() + 1, None).await;
            return Err(e).with_context(|| {
                format!(
                    "recording revision {} of release `{}` (chunked across {} Secrets from `{name}`)",
                    release.revision,
                    release.name,
                    chunks.len() + 1
                )
            });
        }
        Ok(())
    }

    /// Replaces a recorded revision (its record and status label). Refuses a record written by
    /// a newer todoctl, and fails with [`StoreError::Conflict`] when the record changed since
    /// this store last read or wrote it (it is never re-read and overwritten: the change is
    /// another operation's). A record this store has not seen is read first.
    pub async fn update(&self, release: &Release) -> Result<()> {
        self.check_belongs(release)?;
        let name = secret_name(&release.name, release.revision);
        let what = || {
            format!(
                "updating revision {} of release `{}` in Secret `{name}` in namespace `{}`",
                release.revision, release.name, self.namespace
            )
        };
        let api = self.api();
        // The stored format, chunk count and resourceVersion: as this store last saw them, or
        // one read.
        let old = match self.recall(&name) {
            Some(old) => old,
            None => match api
                .get_opt(&name)
                .await
                .map_err(|e| api_error(e, &self.namespace))
                .with_context(what)?
            {
                Some(old) => old,
                None => {
                    return Err(StoreError::NotFound {
                        release: release.name.clone(),
                        namespace: self.namespace.clone(),
                        revision: release.revision,
                        secret: name,
                    }
                    .into());
                }
            },
        };
        let written = self.replace_record(release, &name, &old, &what).await;
        if let Err(e) = &written
            && let Some(StoreError::Conflict { .. } | StoreError::NotFound { .. }) =
                e.downcast_ref::<StoreError>()
        {
            self.forget(&name);
        }
        written
    }

    /// The write half of [`SecretStore::update`], given the stored main Secret's metadata.
    async fn replace_record(
        &self,
        release: &Release,
        name: &str,
        old: &Secret,
        what: &(dyn Fn() -> String + Sync),
    ) -> Result<()> {
        let api = self.api();
        let name = name.to_string();
        self.refuse_newer(old)?;
        let old_count = label_number(old, key::CHUNKS).unwrap_or(1) as usize;
        let mut secrets = secrets_for(release)?;
        let new_count = secrets.len();
        secrets[0].metadata.resource_version = old.metadata.resource_version.clone();
        match api
            .replace(&name, &PostParams::default(), &secrets[0])
            .await
        {
            Ok(replaced) => self.remember(&replaced),
            Err(kube::Error::Api(s)) if s.is_conflict() => {
                return Err(StoreError::Conflict {
                    secret: name,
                    namespace: self.namespace.clone(),
                }
                .into());
            }
            // Deleted since it was read (pruned, uninstalled, its namespace deleted).
            Err(kube::Error::Api(s)) if s.is_not_found() => {
                return Err(StoreError::NotFound {
                    release: release.name.clone(),
                    namespace: self.namespace.clone(),
                    revision: release.revision,
                    secret: name,
                }
                .into());
            }
            Err(e) => return Err(api_error(e, &self.namespace)).with_context(what),
        }
        self.write_chunks(&secrets[1..], old_count.saturating_sub(1))
            .await
            .with_context(what)?;
        for index in new_count + 1..=old_count {
            self.delete_secret(&chunk_name(&name, index), None)
                .await
                .with_context(what)?;
        }
        Ok(())
    }

    /// Deletes one revision's record and its chunks; `false` if there was none. Refuses a record
    /// written by a newer todoctl.
    pub async fn delete(&self, release: &str, revision: u64) -> Result<bool> {
        check_release_name(release)?;
        let name = secret_name(release, revision);
        let what = || {
            format!(
                "deleting revision {revision} of release `{release}` (Secret `{name}` in namespace `{}`)",
                self.namespace
            )
        };
        let Some(main) = self
            .api()
            .get_metadata_opt(&name)
            .await
            .map_err(|e| api_error(e, &self.namespace))
            .with_context(what)?
        else {
            return Ok(false);
        };
        let secret = Secret {
            metadata: main.metadata,
            ..Default::default()
        };
        self.refuse_newer(&secret)?;
        let chunks = label_number(&secret, key::CHUNKS).unwrap_or(1) as usize;
        self.delete_record(&name, chunks, secret.metadata.resource_version.clone())
            .await
            .with_context(what)?;
        Ok(true)
    }

    /// Deletes every record of `release`; returns how many revisions were deleted. Refuses, and
    /// deletes nothing, if any record was written by a newer todoctl.
    pub async fn delete_all(&self, release: &str) -> Result<usize> {
        check_release_name(release)?;
        let what = || {
            format!(
                "deleting the records of release `{release}` in namespace `{}`",
                self.namespace
            )
        };
        let secrets = self.list_meta(release).await.with_context(what)?;
        for s in &secrets {
            self.refuse_newer(s)?;
        }
        let revisions = secrets.iter().filter(|s| !is_chunk(s)).count();
        let targets: Vec<(String, Option<String>)> = secrets
            .iter()
            .map(|s| (name_of(s), s.metadata.resource_version.clone()))
            .collect();
        self.delete_many(targets).await.with_context(what)?;
        Ok(revisions)
    }

    /// Deletes the oldest `superseded` records, and `failed` ones older than the deployed
    /// revision, until at most `keep` records remain (`0` keeps everything). The latest and the
    /// deployed revision stay, as do pending ones and records of a newer format. Returns the
    /// deleted revisions, ascending. Reads labels only: one metadata LIST.
    pub async fn prune(&self, release: &str, keep: usize) -> Result<Vec<u64>> {
        check_release_name(release)?;
        if keep == 0 {
            return Ok(Vec::new());
        }
        let what = || {
            format!(
                "pruning the history of release `{release}` in namespace `{}` to {keep} records",
                self.namespace
            )
        };
        let secrets = self.list_meta(release).await.with_context(what)?;
        let mut mains: Vec<(u64, Option<Status>, &Secret)> = secrets
            .iter()
            .filter(|s| !is_chunk(s))
            // A newer-format record is never a candidate, whatever its status says.
            .map(|s| {
                let status = match stored_format(s) {
                    Some(f) if f > FORMAT => None,
                    _ => label(s, key::STATUS).and_then(Status::parse),
                };
                (revision_of(s), status, s)
            })
            .collect();
        mains.sort_by_key(|m| m.0);
        let victims = prune_plan(
            &mains
                .iter()
                .map(|(rev, st, _)| (*rev, *st))
                .collect::<Vec<_>>(),
            keep,
        );
        if victims.is_empty() {
            return Ok(victims);
        }
        let mut doomed = Vec::new();
        for (rev, _, s) in &mains {
            if !victims.contains(rev) {
                continue;
            }
            let main = name_of(s);
            doomed.push((main.clone(), s.metadata.resource_version.clone()));
            doomed.extend(
                secrets
                    .iter()
                    .filter(|c| is_chunk(c) && annotation(c, key::CHUNK_OF) == Some(&main))
                    .map(|c| (name_of(c), None)),
            );
        }
        self.delete_many(doomed).await.with_context(what)?;
        Ok(victims)
    }

    /// The latest record of every release in `namespace` (all namespaces if `None`); releases
    /// whose latest record cannot be read are left out (see [`SecretStore::list_with_broken`]).
    pub async fn list(&self, namespace: Option<&str>) -> Result<Vec<Release>> {
        Ok(self.list_with_broken(namespace).await?.releases)
    }

    /// [`SecretStore::list`], with the releases whose latest record cannot be read. One LIST.
    pub async fn list_with_broken(&self, namespace: Option<&str>) -> Result<Listing> {
        let api: Api<Secret> = match namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        };
        // Every Secret with the release label: the records and the import markers (a field
        // selector takes one `type`, and the markers are needed to leave uncommitted imports
        // out).
        let lp = ListParams::default().labels(&format!(
            "{}={MANAGER},{}",
            key::MANAGED_BY,
            key::RELEASE
        ));
        let list = api
            .list(&lp)
            .await
            .map_err(|e| api_error(e, namespace.unwrap_or_default()))
            .with_context(|| match namespace {
                Some(ns) => format!("listing the releases in namespace `{ns}`"),
                None => "listing the releases in all namespaces".to_string(),
            })?;
        let found = Found::new(&list.items);
        // The records of an import that has not committed are not a release yet (as in
        // `history_with`).
        let importing: Vec<(&str, &str)> = found
            .markers
            .iter()
            .filter(|m| !m.is_committed())
            .map(|m| (m.namespace.as_str(), m.release.as_str()))
            .collect();
        let mut latest: BTreeMap<(String, String), &Secret> = BTreeMap::new();
        for main in &found.mains {
            let Some(release) = label(main, key::RELEASE) else {
                continue;
            };
            let k = (namespace_of(main), release.to_string());
            if importing.contains(&(k.0.as_str(), release)) {
                continue;
            }
            if latest
                .get(&k)
                .is_none_or(|s| revision_of(s) < revision_of(main))
            {
                latest.insert(k, main);
            }
        }
        let mut listing = Listing::default();
        for main in latest.into_values() {
            match found.read(main) {
                Ok(r) => listing.releases.push(r),
                Err(why) => listing.broken.push(broken(main, why)),
            }
        }
        Ok(listing)
    }

    // ---- helpers -------------------------------------------------------------------------

    fn check_belongs(&self, release: &Release) -> Result<()> {
        check_release_name(&release.name)?;
        if release.format > FORMAT {
            bail!(
                "revision {} of release `{}` says it is of record format {}, but this todoctl writes format {FORMAT}; set `format` to `release::FORMAT`",
                release.revision,
                release.name,
                release.format
            );
        }
        if release.namespace != self.namespace {
            bail!(
                "revision {} of release `{}` belongs to namespace `{}`, but this store keeps namespace `{}`; open the store for the release's namespace",
                release.revision,
                release.name,
                release.namespace,
                self.namespace
            );
        }
        Ok(())
    }

    fn refuse_newer(&self, secret: &Secret) -> Result<()> {
        match stored_format(secret) {
            Some(found) if found > FORMAT => Err(StoreError::NewerFormat {
                secret: name_of(secret),
                namespace: self.namespace.clone(),
                found,
            }
            .into()),
            _ => Ok(()),
        }
    }

    fn listing_what(&self, release: &str) -> String {
        format!(
            "listing the records of release `{release}` in namespace `{}`",
            self.namespace
        )
    }

    fn reading_what(&self, secret: &str, release: &str, revision: u64) -> String {
        format!(
            "reading revision {revision} of release `{release}` from Secret `{secret}` in namespace `{}`",
            self.namespace
        )
    }

    /// The release's record Secrets (chunks included, an import marker left out), labels and
    /// annotations only.
    async fn list_meta(&self, release: &str) -> Result<Vec<Secret>> {
        let list = self
            .api()
            .list_metadata(&ListParams::default().labels(&release_selector(release)))
            .await
            .map_err(|e| api_error(e, &self.namespace))
            .with_context(|| self.listing_what(release))?;
        Ok(list
            .items
            .into_iter()
            // A metadata LIST carries no `type`: the marker is known by its label.
            .filter(|m| !m.labels().contains_key(IMPORT_OF))
            .map(|m| Secret {
                metadata: m.metadata,
                ..Default::default()
            })
            .collect())
    }

    /// Writes chunk Secrets; the first `existing` of them are replaced, the rest created. A
    /// create that finds a Secret left over from an interrupted write replaces it: the main
    /// Secret, written first, is the claim on the revision.
    async fn write_chunks(&self, chunks: &[Secret], existing: usize) -> Result<()> {
        let api = self.api();
        let writes = chunks.iter().enumerate().map(|(i, chunk)| {
            let api = api.clone();
            async move {
                let name = name_of(chunk);
                let pp = PostParams::default();
                let result = if i < existing {
                    match api.replace(&name, &pp, chunk).await {
                        Err(kube::Error::Api(s)) if s.is_not_found() => {
                            api.create(&pp, chunk).await
                        }
                        other => other,
                    }
                } else {
                    match api.create(&pp, chunk).await {
                        Err(kube::Error::Api(s)) if s.is_already_exists() => {
                            api.replace(&name, &pp, chunk).await
                        }
                        other => other,
                    }
                };
                result
                    .map(|_| ())
                    .map_err(|e| api_error(e, &self.namespace))
                    .with_context(|| format!("writing record chunk Secret `{name}`"))
            }
        });
        futures::future::try_join_all(writes).await.map(|_| ())
    }

    /// Deletes a record's main Secret (only at `resource_version`, if given) and then its chunks.
    async fn delete_record(
        &self,
        main: &str,
        chunks: usize,
        resource_version: Option<String>,
    ) -> Result<()> {
        self.delete_secret(main, resource_version).await?;
        self.delete_many((2..=chunks).map(|i| (chunk_name(main, i), None)))
            .await
    }

    async fn delete_many(
        &self,
        secrets: impl IntoIterator<Item = (String, Option<String>)>,
    ) -> Result<()> {
        stream::iter(secrets)
            .map(|(name, rv)| async move { self.delete_secret(&name, rv).await })
            .buffer_unordered(PARALLEL_DELETES)
            .try_collect::<Vec<()>>()
            .await
            .map(|_| ())
    }

    /// Deletes one Secret; gone already is fine. With `resource_version`, only that version: a
    /// record rewritten meanwhile (perhaps by a newer todoctl) is left alone.
    async fn delete_secret(&self, name: &str, resource_version: Option<String>) -> Result<()> {
        self.forget(name);
        let mut dp = DeleteParams::default();
        if resource_version.is_some() {
            dp = dp.preconditions(Preconditions {
                resource_version,
                uid: None,
            });
        }
        match self.api().delete(name, &dp).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.is_not_found() => Ok(()),
            Err(kube::Error::Api(s)) if s.is_conflict() => Err(StoreError::Conflict {
                secret: name.to_string(),
                namespace: self.namespace.clone(),
            }
            .into()),
            Err(e) => Err(api_error(e, &self.namespace))
                .with_context(|| format!("deleting Secret `{name}`")),
        }
    }
}

/// The Secrets that hold `release`: the main one first, then chunks 2, 3, ... The record is
/// encoded once here.
pub fn secrets_for(release: &Release) -> Result<Vec<Secret>> {
    check_release_name(&release.name)?;
    let bytes = codec::encode(release);
    let main = secret_name(&release.name, release.revision);
    let pieces: Vec<&[u8]> = if bytes.is_empty() {
        vec![&bytes[..]]
    } else {
        bytes.chunks(CHUNK_SIZE).collect()
    };
    let count = pieces.len();
    let common = |labels: &mut BTreeMap<String, String>| {
        labels.insert(key::MANAGED_BY.into(), MANAGER.into());
        labels.insert(key::RELEASE.into(), release.name.clone());
        labels.insert(key::REVISION.into(), release.revision.to_string());
        labels.insert(key::FORMAT.into(), release.format.to_string());
    };
    let secret = |name: String, labels, annotations, piece: &[u8]| Secret {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(release.namespace.clone()),
            labels: Some(labels),
            annotations,
            ..Default::default()
        },
        type_: Some(SECRET_TYPE.into()),
        data: Some(BTreeMap::from([(
            DATA_KEY.to_string(),
            ByteString(piece.to_vec()),
        )])),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(count);
    for (i, piece) in pieces.into_iter().enumerate() {
        let mut labels = BTreeMap::new();
        common(&mut labels);
        if i == 0 {
            labels.insert(key::STATUS.into(), release.status.to_string());
            if count > 1 {
                labels.insert(key::CHUNKS.into(), count.to_string());
            }
            out.push(secret(main.clone(), labels, None, piece));
        } else {
            labels.insert(key::CHUNK.into(), (i + 1).to_string());
            let annotations = BTreeMap::from([(key::CHUNK_OF.to_string(), main.clone())]);
            out.push(secret(
                chunk_name(&main, i + 1),
                labels,
                Some(annotations),
                piece,
            ));
        }
    }
    Ok(out)
}

/// Which revisions `prune` deletes, given `(revision, status)` by ascending revision.
pub(crate) fn prune_plan(records: &[(u64, Option<Status>)], keep: usize) -> Vec<u64> {
    if keep == 0 || records.len() <= keep {
        return Vec::new();
    }
    let latest = records.iter().map(|r| r.0).max();
    let deployed = records
        .iter()
        .filter(|r| r.1 == Some(Status::Deployed))
        .map(|r| r.0)
        .max();
    let mut excess = records.len() - keep;
    let mut victims = Vec::new();
    for &(rev, status) in records {
        if excess == 0 {
            break;
        }
        if Some(rev) == latest || Some(rev) == deployed {
            continue;
        }
        let prunable = match status {
            Some(Status::Superseded) => true,
            Some(Status::Failed) => deployed.is_some_and(|d| rev < d),
            _ => false,
        };
        if prunable {
            victims.push(rev);
            excess -= 1;
        }
    }
    victims
}

/// The Secrets of one LIST, sorted by `type` into records, their chunks and import markers;
/// Secrets of any other type are left out.
struct Found<'a> {
    mains: Vec<&'a Secret>,
    /// (namespace, main Secret name, chunk index) -> chunk.
    chunks: HashMap<(String, &'a str, usize), &'a Secret>,
    /// The import markers among them (see [`ImportMarker`]).
    markers: Vec<ImportMarker>,
}

impl<'a> Found<'a> {
    fn new(secrets: &'a [Secret]) -> Self {
        let mut found = Found {
            mains: Vec::new(),
            chunks: HashMap::new(),
            markers: Vec::new(),
        };
        for s in secrets {
            match s.type_.as_deref() {
                Some(MARKER_TYPE) => found.markers.extend(ImportMarker::from_secret(s)),
                Some(SECRET_TYPE) if is_chunk(s) => {
                    if let (Some(of), Some(index)) =
                        (annotation(s, key::CHUNK_OF), label_number(s, key::CHUNK))
                    {
                        found
                            .chunks
                            .insert((namespace_of(s), of.as_str(), index as usize), s);
                    }
                }
                Some(SECRET_TYPE) => found.mains.push(s),
                // Not todoctl's, whatever its labels say.
                _ => {}
            }
        }
        found
    }

    /// Reassembles and decodes one record; the error says why it cannot be read.
    fn read(&self, main: &Secret) -> Result<Release, Unreadable> {
        if let Some(found) = stored_format(main).filter(|f| *f > FORMAT) {
            return Err(DecodeError::NewerFormat { found }.into());
        }
        let name = name_of(main);
        let count = label_number(main, key::CHUNKS).unwrap_or(1) as usize;
        let first = data_of(main).ok_or_else(|| Unreadable::from(no_data(&name)))?;
        if count <= 1 {
            return codec::decode(first).map_err(Unreadable::from);
        }
        let mut bytes = Vec::with_capacity(count * CHUNK_SIZE);
        bytes.extend_from_slice(first);
        let ns = namespace_of(main);
        for index in 2..=count {
            let chunk_secret = chunk_name(&name, index);
            let chunk = self
                .chunks
                .get(&(ns.clone(), name.as_str(), index))
                .ok_or_else(|| {
                    Unreadable::from(format!(
                        "chunk {index} of {count} (Secret `{chunk_secret}`) is missing; the record may be being written, or its chunks were deleted by hand"
                    ))
                })?;
            bytes.extend_from_slice(
                data_of(chunk).ok_or_else(|| Unreadable::from(no_data(&chunk_secret)))?,
            );
        }
        codec::decode(&bytes).map_err(Unreadable::from)
    }
}

fn no_data(secret: &str) -> String {
    format!(
        "Secret `{secret}` has no `{DATA_KEY}` data; it was not written by todoctl or was edited by hand"
    )
}

/// Why a record cannot be read, and whether a newer todoctl wrote it.
#[derive(Debug)]
struct Unreadable {
    text: String,
    newer_format: Option<u32>,
}

impl From<String> for Unreadable {
    fn from(text: String) -> Self {
        Unreadable {
            text,
            newer_format: None,
        }
    }
}

impl From<DecodeError> for Unreadable {
    fn from(e: DecodeError) -> Self {
        Unreadable {
            text: e.to_string(),
            newer_format: match e {
                DecodeError::NewerFormat { found } => Some(found),
                _ => None,
            },
        }
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn broken(main: &Secret, why: Unreadable) -> BrokenRecord {
    BrokenRecord {
        namespace: namespace_of(main),
        release: label(main, key::RELEASE).unwrap_or_default().to_string(),
        revision: revision_of(main),
        secret: name_of(main),
        error: why.text,
        newer_format: why.newer_format,
    }
}

fn release_selector(release: &str) -> String {
    format!("{}={release},{}={MANAGER}", key::RELEASE, key::MANAGED_BY)
}

fn chunk_selector(release: &str, revision: u64) -> String {
    format!(
        "{}={release},{}={revision},{}={MANAGER},{}",
        key::RELEASE,
        key::REVISION,
        key::MANAGED_BY,
        key::CHUNK
    )
}

fn label<'s>(s: &'s Secret, key: &str) -> Option<&'s str> {
    s.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

fn annotation<'s>(s: &'s Secret, key: &str) -> Option<&'s String> {
    s.metadata.annotations.as_ref()?.get(key)
}

fn label_number(s: &Secret, key: &str) -> Option<u64> {
    label(s, key)?.parse().ok()
}

fn is_chunk(s: &Secret) -> bool {
    label(s, key::CHUNK).is_some()
}

fn name_of(s: &Secret) -> String {
    s.metadata.name.clone().unwrap_or_default()
}

fn namespace_of(s: &Secret) -> String {
    s.metadata.namespace.clone().unwrap_or_default()
}

/// The revision from the label, else from the name's `.v<N>` suffix, else 0.
fn revision_of(s: &Secret) -> u64 {
    label_number(s, key::REVISION)
        .or_else(|| {
            let name = s.metadata.name.as_deref()?;
            name.rsplit_once(".v")?.1.parse().ok()
        })
        .unwrap_or(0)
}

fn data_of(s: &Secret) -> Option<&[u8]> {
    s.data.as_ref()?.get(DATA_KEY).map(|b| b.0.as_slice())
}

/// The format a record Secret was written with: the label every writer sets, or (if a hand
/// edit lost it) the record itself when it is in one piece.
fn stored_format(s: &Secret) -> Option<u32> {
    if let Some(n) = label(s, key::FORMAT).and_then(|v| v.parse().ok()) {
        return Some(n);
    }
    if is_chunk(s) || label_number(s, key::CHUNKS).unwrap_or(1) > 1 {
        return None;
    }
    match codec::decode(data_of(s)?) {
        Ok(r) => Some(r.format),
        Err(DecodeError::NewerFormat { found }) => Some(found),
        Err(_) => None,
    }
}

/// kube's error text for API answers includes a Debug dump; this keeps the server's message and
/// adds what to do about the common refusals.
fn api_error(err: kube::Error, namespace: &str) -> anyhow::Error {
    let place = if namespace.is_empty() {
        "all namespaces".to_string()
    } else {
        format!("namespace `{namespace}`")
    };
    match err {
        kube::Error::Api(status) => {
            let hint = if status.is_forbidden() {
                format!(
                    "; todoctl keeps release records in Secrets and needs get, list, create, update and delete on secrets in {place}"
                )
            } else {
                String::new()
            };
            let reason = if status.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", status.reason)
            };
            let kind = crate::error::kind_of_kube(&kube::Error::Api(status.clone()));
            crate::error::Error::anyhow(
                kind,
                format!(
                    "the API server answered {}{reason}: {}{hint}",
                    status.code, status.message
                ),
            )
        }
        other => anyhow::Error::new(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::codec::tests::sample;

    #[test]
    fn small_record_is_one_secret_with_all_labels() {
        let r = sample();
        let secrets = secrets_for(&r).expect("valid");
        assert_eq!(secrets.len(), 1);
        let s = &secrets[0];
        assert_eq!(name_of(s), "todoctl.release.v1.todo-app.v3");
        assert_eq!(s.type_.as_deref(), Some(SECRET_TYPE));
        let labels: Vec<_> = s
            .metadata
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            labels,
            [
                "app.kubernetes.io/managed-by=todoctl",
                "todoctl.io/format=1",
                "todoctl.io/release=todo-app",
                "todoctl.io/revision=3",
                "todoctl.io/status=deployed",
            ]
        );
        let found = Found::new(&secrets);
        assert_eq!(found.read(&secrets[0]).expect("reads"), r);
    }

    #[test]
    fn big_record_splits_and_reassembles() {
        let mut r = sample();
        // Incompressible: a hex dump of a xorshift stream.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let noise: String = (0..300_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("{:016x}", x)
            })
            .collect();
        r.manifest[0].object["data"] = serde_json::json!({ "blob": noise });
        let secrets = secrets_for(&r).expect("valid");
        assert!(secrets.len() >= 3, "{} secrets", secrets.len());
        for (i, s) in secrets.iter().enumerate() {
            assert!(data_of(s).expect("data").len() <= CHUNK_SIZE);
            if i > 0 {
                assert_eq!(
                    name_of(s),
                    format!("todoctl.release.v1.todo-app.v3.c{}", i + 1)
                );
                assert_eq!(label(s, key::STATUS), None);
            }
        }
        assert_eq!(
            label(&secrets[0], key::CHUNKS),
            Some(secrets.len().to_string().as_str())
        );
        // Reassembly does not depend on the order of the listing.
        let mut shuffled = secrets.clone();
        shuffled.reverse();
        let found = Found::new(&shuffled);
        assert_eq!(found.mains.len(), 1);
        assert_eq!(found.read(found.mains[0]).expect("reads"), r);

        let missing: Vec<Secret> = secrets.iter().take(2).cloned().collect();
        let found = Found::new(&missing);
        let err = found.read(&missing[0]).expect_err("chunk 3 missing");
        assert!(err.text.contains("chunk 3 of"), "{err}");
        assert!(err.text.contains(".v3.c3"), "{err}");
    }

    #[test]
    fn bad_release_names_are_refused() {
        let mut r = sample();
        for bad in ["", "Todo", "-a", "a-", "a.b", &"a".repeat(54)] {
            r.name = bad.to_string();
            assert!(secrets_for(&r).is_err(), "{bad}");
        }
    }

    #[test]
    fn prune_keeps_latest_deployed_and_pending() {
        use Status::*;
        let recs = |v: &[Status]| -> Vec<(u64, Option<Status>)> {
            v.iter()
                .enumerate()
                .map(|(i, s)| (i as u64 + 1, Some(*s)))
                .collect()
        };
        // 1..5 superseded, 6 deployed: keep 3 -> drop 1, 2, 3.
        let h = recs(&[
            Superseded, Superseded, Superseded, Superseded, Superseded, Deployed,
        ]);
        assert_eq!(prune_plan(&h, 3), [1, 2, 3]);
        assert_eq!(prune_plan(&h, 0), Vec::<u64>::new());
        assert_eq!(prune_plan(&h, 10), Vec::<u64>::new());
        // Failed before the deployed one goes; failed after it (the latest) stays.
        let h = recs(&[Failed, Superseded, Deployed, Failed, Failed]);
        assert_eq!(prune_plan(&h, 2), [1, 2]);
        // Nothing deployed: failed records are the only evidence, keep them.
        let h = recs(&[Failed, Failed, Failed]);
        assert_eq!(prune_plan(&h, 1), Vec::<u64>::new());
        // Pending and unreadable (no status) records are never pruned.
        let mut h = recs(&[PendingUpgrade, Superseded, Deployed, Superseded]);
        h.push((5, None));
        h.push((6, Some(Deployed)));
        assert_eq!(prune_plan(&h, 1), [2, 4]);
        // Keep 1: only the latest and deployed survive (here they are the same).
        let h = recs(&[Superseded, Superseded, Deployed]);
        assert_eq!(prune_plan(&h, 1), [1, 2]);
    }

    #[test]
    fn api_errors_carry_no_debug_dump() {
        let status =
            kube::core::Status::failure("secrets is forbidden: nope", "Forbidden").with_code(403);
        let msg = api_error(kube::Error::Api(status.boxed()), "todo").to_string();
        assert!(!msg.contains("Status {"), "{msg}");
        assert!(
            msg.contains("403 (Forbidden): secrets is forbidden"),
            "{msg}"
        );
        assert!(msg.contains("namespace `todo`"), "{msg}");
    }
}
