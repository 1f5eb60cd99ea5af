//! Release records kept in memory: the [`ReleaseStore`] that unit tests of actions use, with the
//! Secret store's rules (a revision number is claimed once, an update needs a record, the same
//! prune policy) and none of its cluster. The cluster tests stay the proof of the real one.

use std::collections::BTreeMap;
use std::sync::Mutex;

use anyhow::Result;
use futures::future::BoxFuture;

use super::history::History;
use super::store::{StoreError, prune_plan, secret_name};
use super::{Release, ReleaseStore};

/// Records by (release, revision), in one namespace.
#[derive(Default)]
pub struct MemoryStore {
    namespace: String,
    records: Mutex<BTreeMap<(String, u64), Release>>,
}

impl MemoryStore {
    pub fn new(namespace: impl Into<String>) -> MemoryStore {
        MemoryStore {
            namespace: namespace.into(),
            records: Mutex::default(),
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, u64), Release>> {
        // A panic while the lock was held leaves the map consistent: every change is one insert
        // or remove.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn of(&self, release: &str) -> Vec<Release> {
        self.records()
            .iter()
            .filter(|((name, _), _)| name == release)
            .map(|(_, r)| r.clone())
            .collect()
    }
}

impl ReleaseStore for MemoryStore {
    fn namespace(&self) -> &str {
        &self.namespace
    }

    fn history_with<'a>(
        &'a self,
        release: &'a str,
        each: &'a mut (dyn FnMut(&mut Release, bool) + Send),
    ) -> BoxFuture<'a, Result<History>> {
        Box::pin(async move {
            let mut releases = self.of(release);
            for (i, r) in releases.iter_mut().rev().enumerate() {
                each(r, i == 0);
            }
            Ok(History {
                releases,
                ..History::default()
            })
        })
    }

    fn create<'a>(&'a self, release: &'a Release) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let key = (release.name.clone(), release.revision);
            let mut records = self.records();
            if records.contains_key(&key) {
                return Err(StoreError::RevisionExists {
                    release: release.name.clone(),
                    namespace: self.namespace.clone(),
                    revision: release.revision,
                    secret: secret_name(&release.name, release.revision),
                }
                .into());
            }
            records.insert(key, release.clone());
            Ok(())
        })
    }

    fn update<'a>(&'a self, release: &'a Release) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let key = (release.name.clone(), release.revision);
            let mut records = self.records();
            match records.get_mut(&key) {
                Some(stored) => {
                    *stored = release.clone();
                    Ok(())
                }
                None => Err(StoreError::NotFound {
                    release: release.name.clone(),
                    namespace: self.namespace.clone(),
                    revision: release.revision,
                    secret: secret_name(&release.name, release.revision),
                }
                .into()),
            }
        })
    }

    fn delete_all<'a>(&'a self, release: &'a str) -> BoxFuture<'a, Result<usize>> {
        Box::pin(async move {
            let mut records = self.records();
            let before = records.len();
            records.retain(|(name, _), _| name != release);
            Ok(before - records.len())
        })
    }

    fn prune<'a>(&'a self, release: &'a str, keep: usize) -> BoxFuture<'a, Result<Vec<u64>>> {
        Box::pin(async move {
            let statuses: Vec<_> = self
                .of(release)
                .iter()
                .map(|r| (r.revision, Some(r.status)))
                .collect();
            let victims = prune_plan(&statuses, keep);
            let mut records = self.records();
            for revision in &victims {
                records.remove(&(release.to_string(), *revision));
            }
            Ok(victims)
        })
    }

    fn list<'a>(&'a self, namespace: Option<&'a str>) -> BoxFuture<'a, Result<Vec<Release>>> {
        Box::pin(async move {
            if namespace.is_some_and(|ns| ns != self.namespace) {
                return Ok(Vec::new());
            }
            let mut latest: BTreeMap<String, Release> = BTreeMap::new();
            for ((name, _), r) in self.records().iter() {
                latest.insert(name.clone(), r.clone());
            }
            Ok(latest.into_values().collect())
        })
    }
}
