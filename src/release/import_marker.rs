//! The import marker: the Secret `todoctl import helm` writes before its first record and
//! deletes last (see `ops::import`). It carries the records' release and managed-by labels, so
//! the one LIST that reads a release's records returns it too, and that read alone tells whether
//! the records are the release's yet.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::Result;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::{Client, ResourceExt};

use super::store::key;
use crate::error::api_error;
use crate::manifest::labels::MANAGER;

/// The Secret `type` of a marker.
pub const MARKER_TYPE: &str = "todoctl.io/import.v1";
/// Label of the marker: the todoctl release it is for. Markers written before the marker
/// carried [`key::RELEASE`] have only this one.
pub const IMPORT_OF: &str = "todoctl.io/import-of";
const PHASE_KEY: &str = "phase";
const PLAN_KEY: &str = "plan";
/// A marker's Secret name is this and the release's name.
const NAME_PREFIX: &str = "todoctl.import.v1.";

/// The marker Secret of an import into `release`.
pub fn marker_name(release: &str) -> String {
    format!("{NAME_PREFIX}{release}")
}

/// How far an import got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Records are being written; they are not the release's yet.
    Records,
    /// Committed: the records are the release's; objects and Helm's records are being taken
    /// over.
    Takeover,
}

impl Phase {
    /// The word stored in the marker's `phase` data key.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Records => "records",
            Phase::Takeover => "takeover",
        }
    }

    /// Anything but `takeover`, a missing phase included, is [`Phase::Records`]: records of an
    /// import not known to be committed are not the release's.
    fn parse(stored: Option<&[u8]>) -> Phase {
        match stored {
            Some(b"takeover") => Phase::Takeover,
            _ => Phase::Records,
        }
    }
}

/// One import marker, as read or to be written.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportMarker {
    pub release: String,
    pub namespace: String,
    pub phase: Phase,
    /// The import's plan as the import wrote it (JSON whose shape `ops::import` owns); `None`
    /// when the Secret has none (edited by hand).
    pub plan: Option<Vec<u8>>,
    /// The resourceVersion this marker was read or written at: a replace is conditioned on it.
    pub resource_version: Option<String>,
}

// The plan is a blob of JSON; its length says enough in a log line.
impl fmt::Debug for ImportMarker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportMarker")
            .field("release", &self.release)
            .field("namespace", &self.namespace)
            .field("phase", &self.phase)
            .field("plan", &self.plan.as_ref().map(Vec::len))
            .field("resource_version", &self.resource_version)
            .finish()
    }
}

impl ImportMarker {
    /// The marker's Secret name.
    pub fn name(&self) -> String {
        marker_name(&self.release)
    }

    /// Whether the import committed its records (they are the release's).
    pub fn is_committed(&self) -> bool {
        self.phase == Phase::Takeover
    }

    /// Whether `secret` is an import marker (by its `type`).
    pub fn is_marker(secret: &Secret) -> bool {
        secret.type_.as_deref() == Some(MARKER_TYPE)
    }

    /// The marker `secret` holds; `None` when it is not a marker. The release comes from the
    /// [`IMPORT_OF`] label, else the name.
    pub fn from_secret(secret: &Secret) -> Option<ImportMarker> {
        if !Self::is_marker(secret) {
            return None;
        }
        let release = secret
            .labels()
            .get(IMPORT_OF)
            .or_else(|| secret.labels().get(key::RELEASE))
            .cloned()
            .or_else(|| {
                secret
                    .metadata
                    .name
                    .as_deref()?
                    .strip_prefix(NAME_PREFIX)
                    .map(str::to_string)
            })?;
        let data = secret.data.as_ref();
        let bytes = |k: &str| data.and_then(|d| d.get(k)).map(|b| b.0.as_slice());
        Some(ImportMarker {
            release,
            namespace: secret.metadata.namespace.clone().unwrap_or_default(),
            phase: Phase::parse(bytes(PHASE_KEY)),
            plan: bytes(PLAN_KEY).map(<[u8]>::to_vec),
            resource_version: secret.metadata.resource_version.clone(),
        })
    }

    /// The Secret that stores this marker: the records' labels (so the release's LIST finds
    /// it), [`IMPORT_OF`], the phase and the plan.
    pub fn to_secret(&self) -> Secret {
        let labels = BTreeMap::from([
            (key::MANAGED_BY.to_string(), MANAGER.to_string()),
            (key::RELEASE.to_string(), self.release.clone()),
            (IMPORT_OF.to_string(), self.release.clone()),
        ]);
        let mut data = BTreeMap::from([(
            PHASE_KEY.to_string(),
            ByteString(self.phase.as_str().as_bytes().to_vec()),
        )]);
        if let Some(plan) = &self.plan {
            data.insert(PLAN_KEY.to_string(), ByteString(plan.clone()));
        }
        Secret {
            metadata: ObjectMeta {
                name: Some(self.name()),
                namespace: Some(self.namespace.clone()),
                labels: Some(labels),
                resource_version: self.resource_version.clone(),
                ..Default::default()
            },
            type_: Some(MARKER_TYPE.to_string()),
            data: Some(data),
            ..Default::default()
        }
    }

    /// The marker of an import into `release`, by name: one GET. Only for a marker the
    /// release's LIST cannot see (written without [`key::RELEASE`]).
    pub async fn get(client: &Client, namespace: &str, release: &str) -> Result<Option<Self>> {
        let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
        let name = marker_name(release);
        let secret = api.get_opt(&name).await.map_err(|e| {
            api_error(
                e,
                &format!("reading the import marker `{name}` in namespace `{namespace}`"),
            )
        })?;
        Ok(secret.as_ref().and_then(Self::from_secret))
    }

    /// Creates the marker; returns it at the resourceVersion the API server gave it.
    pub async fn create(&self, client: &Client) -> Result<Self> {
        let created = self
            .api(client)
            .create(&PostParams::default(), &self.to_secret())
            .await
            .map_err(|e| api_error(e, &self.writing_what()))?;
        Ok(self.written(&created))
    }

    /// Replaces the marker, only at the resourceVersion it was read or written at (a marker
    /// changed by anyone else in between fails the replace with a conflict); returns it at its
    /// new resourceVersion.
    pub async fn replace(&self, client: &Client) -> Result<Self> {
        let replaced = self
            .api(client)
            .replace(&self.name(), &PostParams::default(), &self.to_secret())
            .await
            .map_err(|e| api_error(e, &self.writing_what()))?;
        Ok(self.written(&replaced))
    }

    /// Deletes the marker of an import into `release`; gone already is fine.
    pub async fn delete(client: &Client, namespace: &str, release: &str) -> Result<()> {
        let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
        let name = marker_name(release);
        match api.delete(&name, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(api_error(
                e,
                &format!("deleting the import's marker `{name}`"),
            )),
        }
    }

    fn api(&self, client: &Client) -> Api<Secret> {
        Api::namespaced(client.clone(), &self.namespace)
    }

    fn writing_what(&self) -> String {
        format!("writing the import's marker `{}`", self.name())
    }

    fn written(&self, stored: &Secret) -> Self {
        ImportMarker {
            resource_version: stored.metadata.resource_version.clone(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(phase: Phase) -> ImportMarker {
        ImportMarker {
            release: "todo-app".into(),
            namespace: "todo".into(),
            phase,
            plan: Some(b"{}".to_vec()),
            resource_version: Some("7".into()),
        }
    }

    #[test]
    fn a_marker_round_trips_through_its_secret() {
        for phase in [Phase::Records, Phase::Takeover] {
            let m = marker(phase);
            let s = m.to_secret();
            assert_eq!(
                s.metadata.name.as_deref(),
                Some("todoctl.import.v1.todo-app")
            );
            assert_eq!(s.labels()[key::RELEASE], "todo-app");
            assert_eq!(s.labels()[key::MANAGED_BY], "todoctl");
            assert_eq!(ImportMarker::from_secret(&s), Some(m));
        }
        assert!(marker(Phase::Takeover).is_committed());
        assert!(!marker(Phase::Records).is_committed());
    }

    #[test]
    fn old_markers_and_unknown_phases_read_as_uncommitted() {
        // As written before the marker carried the release label.
        let mut s = marker(Phase::Takeover).to_secret();
        s.metadata.labels = Some(BTreeMap::from([
            (key::MANAGED_BY.to_string(), MANAGER.to_string()),
            (IMPORT_OF.to_string(), "todo-app".to_string()),
        ]));
        let old = ImportMarker::from_secret(&s).expect("a marker");
        assert_eq!(
            (old.release.as_str(), old.phase),
            ("todo-app", Phase::Takeover)
        );
        for phase in [None, Some(b"later".as_slice())] {
            let data = s.data.get_or_insert_default();
            match phase {
                Some(p) => data.insert(PHASE_KEY.into(), ByteString(p.to_vec())),
                None => data.remove(PHASE_KEY),
            };
            let m = ImportMarker::from_secret(&s).expect("a marker");
            assert_eq!(m.phase, Phase::Records);
        }
        s.type_ = Some("Opaque".into());
        assert_eq!(ImportMarker::from_secret(&s), None);
    }
}
