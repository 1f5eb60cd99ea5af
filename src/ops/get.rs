//! get: one revision's record (values, manifest, notes, metadata), the latest readable one
//! unless a revision is given. Read-only; no lock.

use anyhow::{Result, anyhow, bail};
use serde::Serialize;

use super::session::{Keep, LIST_RELEASES, read_history_keeping, release_not_found};
use crate::context::Ui;
use crate::release::{History, Release, ReleaseStore};
use crate::ui::Scrubber;

/// Gets a revision's record (Helm's `action.Get`): the one asked for, or the latest readable
/// one; its secret values are remembered by `ui`'s scrubber. Errors name the revision and
/// release when it is missing or cannot be read.
pub async fn get(
    ui: &Ui,
    store: &dyn ReleaseStore,
    release: &str,
    revision: Option<u64>,
) -> Result<Release> {
    let namespace = store.namespace();
    super::prepare::check_release_name(release, namespace)?;
    let keep = revision.map_or(Keep::Latest, Keep::Revision);
    let h = read_history_keeping(ui, store, release, keep).await?;
    pick(&h, namespace, release, revision).cloned()
}

fn pick<'h>(
    h: &'h History,
    namespace: &str,
    release: &str,
    revision: Option<u64>,
) -> Result<&'h Release> {
    match revision {
        Some(n) => {
            if let Some(b) = h.broken.iter().find(|b| b.revision == n) {
                bail!(
                    "revision {n} of release `{release}` cannot be read (record `{}`): {}",
                    b.secret,
                    b.error
                );
            }
            h.releases.iter().find(|r| r.revision == n).ok_or_else(|| {
                anyhow!(
                    "release `{release}` has no revision {n}; `todoctl history -r {release} -n {namespace}` lists its revisions"
                )
            })
        }
        None => h
            .releases
            .last()
            .ok_or_else(|| release_not_found(release, namespace, LIST_RELEASES)),
    }
}

/// What `get metadata` shows of a revision (Helm's `helm get metadata`), with Helm's keys in
/// `-o json|yaml` (`appVersion`, `deployedAt`: cmd/helm/get_metadata.go), so that scripts
/// written for Helm read it. `deployed_at` is the time the revision was last written, RFC 3339
/// in UTC to the second, as kubectl prints times.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseMetadata {
    pub name: String,
    pub chart: String,
    pub version: String,
    pub app_version: Option<String>,
    pub namespace: String,
    pub revision: u64,
    pub status: String,
    pub deployed_at: String,
    /// The `--post-renderer` command line the revision was rendered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
}

impl ReleaseMetadata {
    /// The metadata of `r`, its post-renderer's command line scrubbed by `scrubber`.
    pub fn of(r: &Release, scrubber: &Scrubber) -> ReleaseMetadata {
        ReleaseMetadata {
            name: r.name.clone(),
            chart: r.chart.name.clone(),
            version: r.chart.version.clone(),
            app_version: r.chart.app_version.clone(),
            namespace: r.namespace.clone(),
            revision: r.revision,
            status: r.status.to_string(),
            deployed_at: crate::ui::time::rfc3339(r.updated),
            post_renderer: r.post_renderer.as_deref().map(|p| scrubber.scrub(p)),
        }
    }
}
