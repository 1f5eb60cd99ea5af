//! Release records kept in Kubernetes Secrets in the release namespace: one Secret per revision,
//! split across chunk Secrets when the record outgrows one. Every read is one LIST by label (or
//! one GET); [`secrets_for`] is the only place that decides names, labels and layout.
//!
//! `layout.rs`: the Secrets of a record (names, labels, chunks) and reading them back;
//! `read.rs` and `write.rs`: the store's reads and writes; `policy.rs`: which records a prune
//! deletes and what an API server's refusal tells the user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::{Result, bail};
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, Client};

use super::history::BrokenRecord;
use super::{FORMAT, Release, check_release_name};

mod layout;
mod policy;
mod read;
mod write;

pub use layout::{CHUNK_SIZE, DATA_KEY, SECRET_TYPE, chunk_name, key, secret_name, secrets_for};
use layout::{name_of, stored_format};
pub(crate) use policy::prune_plan;

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
}
