//! The store's reads: a release's history (one LIST), one revision (one GET), the latest
//! revision, and the latest revision of every release.

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow};
use k8s_openapi::api::core::v1::Secret;
use kube::api::ListParams;
use kube::{Api, ResourceExt};

use super::layout::{
    Found, broken, chunk_selector, key, label, label_number, name_of, namespace_of,
    release_selector, revision_of, secret_name,
};
use super::policy::api_error;
use super::{Listing, SecretStore};
use crate::manifest::labels::MANAGER;
use crate::release::history::History;
use crate::release::import_marker::IMPORT_OF;
use crate::release::{Release, check_release_name};

impl SecretStore {
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

    /// Whether release `release` has any record in this namespace (one metadata LIST): an
    /// uninstalled release has none, though objects it kept may still name it as their owner.
    pub async fn has_records(&self, release: &str) -> Result<bool> {
        Ok(!self.list_meta(release).await?.is_empty())
    }

    /// The release's record Secrets (chunks included, an import marker left out), labels and
    /// annotations only.
    pub(super) async fn list_meta(&self, release: &str) -> Result<Vec<Secret>> {
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
}
