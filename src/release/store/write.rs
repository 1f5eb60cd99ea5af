//! The store's writes: a new revision (the create is the claim on its number), an update
//! conditioned on the resourceVersion last seen, deletes and prunes.

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, PostParams, Preconditions};

use super::layout::{
    annotation, chunk_name, is_chunk, key, label, label_number, name_of, revision_of, secret_name,
    secrets_for, stored_format,
};
use super::policy::{api_error, prune_plan};
use super::{SecretStore, StoreError};
use crate::release::{FORMAT, Release, Status, check_release_name};

/// How many deletes run at once in `delete_all` and `prune`.
const PARALLEL_DELETES: usize = 16;

impl SecretStore {
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
