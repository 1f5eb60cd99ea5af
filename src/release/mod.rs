//! Release records: what was deployed, from which chart and values, and how it went. History,
//! rollback, status and uninstall all read them; `codec` owns the byte format and `store` keeps
//! the records in Kubernetes Secrets, one per revision.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::manifest::kinds::NameRule;
use crate::manifest::names::name_problem;

pub mod codec;
pub mod helm;
pub mod history;
pub mod import_marker;
pub mod memory;
pub mod store;

pub use codec::{DecodeError, decode, encode};
pub use history::{BrokenRecord, History};
pub use import_marker::ImportMarker;
pub use memory::MemoryStore;
pub use store::{Listing, SecretStore, StoreError};

/// The record format this build writes and the newest it reads. Bump it only for changes an
/// older reader would misread; a reader refuses any record with a higher number.
pub const FORMAT: u32 = 1;

/// Where a namespace's release records are kept (Helm's storage driver): [`SecretStore`] in
/// the cluster, [`MemoryStore`] for unit tests of actions. Every record write of an operation
/// goes through one, under the release lock (see `ops::session`).
///
/// Futures are boxed so that actions can hold a `&dyn ReleaseStore`.
pub trait ReleaseStore: Send + Sync {
    /// The namespace whose records this store keeps.
    fn namespace(&self) -> &str;

    /// Every record of `release` by ascending revision, unreadable ones in `broken`; `each`
    /// sees every record as it is read, newest first, with `true` for the newest readable one
    /// (see [`SecretStore::history_with`]). An import marker is reported in
    /// [`History::import`]; while it is uncommitted the history is otherwise empty.
    fn history_with<'a>(
        &'a self,
        release: &'a str,
        each: &'a mut (dyn FnMut(&mut Release, bool) + Send),
    ) -> futures::future::BoxFuture<'a, anyhow::Result<History>>;

    /// Records a new revision; [`StoreError::RevisionExists`] when its number is taken.
    fn create<'a>(
        &'a self,
        release: &'a Release,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<()>>;

    /// Replaces a recorded revision; [`StoreError::NotFound`] without one,
    /// [`StoreError::Conflict`] when someone else wrote it since this store saw it.
    fn update<'a>(
        &'a self,
        release: &'a Release,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<()>>;

    /// Deletes every record of `release`; returns how many revisions it had.
    fn delete_all<'a>(
        &'a self,
        release: &'a str,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<usize>>;

    /// Deletes the oldest records beyond `keep` by the policy of [`SecretStore::prune`];
    /// returns the deleted revisions, ascending.
    fn prune<'a>(
        &'a self,
        release: &'a str,
        keep: usize,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<Vec<u64>>>;

    /// The latest record of every release in `namespace`, or in every namespace (`None`),
    /// sorted by namespace and name.
    fn list<'a>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<Vec<Release>>>;

    /// Every record of `release` (see [`ReleaseStore::history_with`]).
    fn history<'a>(
        &'a self,
        release: &'a str,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<History>> {
        Box::pin(async move { self.history_with(release, &mut |_, _| {}).await })
    }
}

impl ReleaseStore for SecretStore {
    fn namespace(&self) -> &str {
        &self.namespace
    }

    fn history_with<'a>(
        &'a self,
        release: &'a str,
        each: &'a mut (dyn FnMut(&mut Release, bool) + Send),
    ) -> futures::future::BoxFuture<'a, anyhow::Result<History>> {
        Box::pin(SecretStore::history_with(self, release, each))
    }

    fn create<'a>(
        &'a self,
        release: &'a Release,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(SecretStore::create(self, release))
    }

    fn update<'a>(
        &'a self,
        release: &'a Release,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(SecretStore::update(self, release))
    }

    fn delete_all<'a>(
        &'a self,
        release: &'a str,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<usize>> {
        Box::pin(SecretStore::delete_all(self, release))
    }

    fn prune<'a>(
        &'a self,
        release: &'a str,
        keep: usize,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<Vec<u64>>> {
        Box::pin(SecretStore::prune(self, release, keep))
    }

    fn list<'a>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<Vec<Release>>> {
        Box::pin(SecretStore::list(self, namespace))
    }
}

/// Release names end up in object names, labels and record Secret names: a DNS-1123 label of
/// at most 53 bytes, as Helm requires, which leaves room for the record suffix `.v<N>`.
pub fn check_release_name(release: &str) -> anyhow::Result<()> {
    if name_problem(release, NameRule::Label(53)).is_some() {
        anyhow::bail!(
            "release name `{release}` is invalid: use at most 53 lowercase letters, digits and `-`, starting and ending with a letter or digit"
        );
    }
    Ok(())
}

/// The version that goes into [`Release::todoctl_version`].
pub const TODOCTL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a revision stands. `pending-*` means an operation is running (or died mid-way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    PendingInstall,
    PendingUpgrade,
    PendingRollback,
    Deployed,
    Superseded,
    Failed,
    Uninstalling,
    Uninstalled,
}

impl Status {
    /// Every status, in the order of the documentation.
    pub const ALL: [Status; 8] = [
        Status::PendingInstall,
        Status::PendingUpgrade,
        Status::PendingRollback,
        Status::Deployed,
        Status::Superseded,
        Status::Failed,
        Status::Uninstalling,
        Status::Uninstalled,
    ];

    /// The name used in the record, in the `todoctl.io/status` label and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::PendingInstall => "pending-install",
            Status::PendingUpgrade => "pending-upgrade",
            Status::PendingRollback => "pending-rollback",
            Status::Deployed => "deployed",
            Status::Superseded => "superseded",
            Status::Failed => "failed",
            Status::Uninstalling => "uninstalling",
            Status::Uninstalled => "uninstalled",
        }
    }

    /// An operation on this revision started and has not finished.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }

    /// The inverse of [`Status::as_str`].
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The chart a revision was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartInfo {
    pub name: String,
    pub version: String,
    pub app_version: Option<String>,
}

/// One object as it was applied, with the template that produced it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub template: String,
    pub object: serde_json::Value,
}

impl ManifestEntry {
    /// The object as recorded, ready to apply again.
    pub fn to_object(&self) -> crate::manifest::Object {
        crate::manifest::Object::new(self.template.clone(), self.object.clone())
    }
}

// Objects may be Secrets: Debug names them without their content.
impl fmt::Debug for ManifestEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = |k: &str| self.object.get(k).and_then(|v| v.as_str()).unwrap_or("?");
        let name = self
            .object
            .pointer("/metadata/name")
            .and_then(|v| v.as_str())
            .unwrap_or("?");
        write!(
            f,
            "ManifestEntry({} {}/{} from {})",
            field("apiVersion"),
            field("kind"),
            name,
            self.template
        )
    }
}

/// One revision of one release.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// The record format ([`FORMAT`] when written by this build).
    pub format: u32,
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    pub status: Status,
    /// "Install complete", "Upgrade complete", "Rollback to 2", "Upgrade failed: <why>".
    pub description: String,
    pub chart: ChartInfo,
    /// What the user supplied, merged over previous revisions.
    pub user_values: serde_json::Value,
    /// The computed values the templates saw.
    pub values: serde_json::Value,
    /// The applied objects. The chart's templates are not stored (see docs/release-format.md).
    pub manifest: Vec<ManifestEntry>,
    pub notes: Option<String>,
    pub first_deployed: jiff::Timestamp,
    pub updated: jiff::Timestamp,
    pub todoctl_version: String,
    /// Values generated at install (by dotted path), reused by every later revision so that
    /// passwords and keys stay stable. Absent in records without generated values.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub generated: serde_json::Map<String, serde_json::Value>,
    /// Dotted paths of values the chart's schema marks secret, so `get values` can redact them
    /// without the chart at hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_paths: Vec<String>,
    /// Test objects (annotated `todoctl.io/test`), recorded with the revision but never applied
    /// by install or upgrade; `todoctl test` runs them. Absent in records without tests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<ManifestEntry>,
    /// The last `todoctl test` run against this revision, as Helm keeps its test hooks' last
    /// run. A new revision starts without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_test: Option<TestRun>,
    /// The `--post-renderer` command line that rewrote this revision's objects, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
}

/// One `todoctl test` run: when, and how each test ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRun {
    // Whole seconds, as every time todoctl prints; the record needs no more.
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub started: jiff::Timestamp,
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub completed: jiff::Timestamp,
    pub results: Vec<TestOutcome>,
}

/// How one test of a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// `job/test-backend`.
    pub test: String,
    /// `passed`, `failed` or `timed-out`.
    pub phase: String,
    /// Why it failed, scrubbed of secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl TestRun {
    /// `2 passed, 1 failed (job/test-backend)`, for status lines.
    pub fn summary(&self) -> String {
        let count = |phase: &str| self.results.iter().filter(|r| r.phase == phase).count();
        let mut parts = vec![format!("{} passed", count("passed"))];
        for phase in ["failed", "timed-out"] {
            let names: Vec<&str> = self
                .results
                .iter()
                .filter(|r| r.phase == phase)
                .map(|r| r.test.as_str())
                .collect();
            if !names.is_empty() {
                parts.push(format!("{} {phase} ({})", names.len(), names.join(", ")));
            }
        }
        parts.join(", ")
    }
}

impl Release {
    /// The revision's objects, as recorded, ready to apply again.
    pub fn objects(&self) -> Vec<crate::manifest::Object> {
        self.manifest.iter().map(ManifestEntry::to_object).collect()
    }
}

// Values and manifests hold secrets; Debug must be safe to print in a panic or a log line.
impl fmt::Debug for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Release")
            .field("format", &self.format)
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("revision", &self.revision)
            .field("status", &self.status)
            .field("description", &self.description)
            .field("chart", &self.chart)
            .field("user_values", &format_args!("<redacted>"))
            .field("values", &format_args!("<redacted>"))
            .field(
                "manifest",
                &format_args!("<{} objects>", self.manifest.len()),
            )
            .field("first_deployed", &self.first_deployed)
            .field("updated", &self.updated)
            .field("todoctl_version", &self.todoctl_version)
            .field("tests", &format_args!("<{} objects>", self.tests.len()))
            .field("last_test", &self.last_test)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_match_serde() {
        for st in Status::ALL {
            let json = serde_json::to_value(st).expect("a status serializes");
            assert_eq!(json, serde_json::Value::String(st.to_string()));
            assert_eq!(Status::parse(st.as_str()), Some(st));
        }
        assert!(Status::PendingRollback.is_pending());
        assert!(!Status::Deployed.is_pending());
    }

    #[test]
    fn debug_hides_values_and_objects() {
        let mut r = codec::tests::sample();
        r.user_values = serde_json::json!({ "password": "hunter2" });
        r.manifest[0].object["data"] = serde_json::json!({ "token": "hunter2" });
        let shown = format!("{r:?} {:?}", r.manifest);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
