//! Helm's release records (Helm 3 and Helm 4 write the same format), read so that a Helm
//! release can be imported. The format follows Helm's `pkg/storage/driver`: one Secret (type
//! `helm.sh/release.v1`, the default driver) or ConfigMap (`--helm-driver configmap`) per
//! revision, named `sh.helm.release.v1.<name>.v<version>`, labelled `name`, `owner=helm`,
//! `status` and `version`, whose `release` data is base64(gzip(JSON of `release/v1.Release`))
//! (`util.go` `encodeRelease`/`decodeRelease`; a Secret adds its own base64 on the wire).
//!
//! Why this file is over 600 lines: the reading of Helm's format is under 500; the rest is
//! unit tests with records encoded as Helm encodes them.

use std::io::Read;

use base64::Engine as _;
use flate2::read::GzDecoder;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::ListParams;
use kube::{Api, Client};
use serde::Deserialize;
use serde_json::Value;

use super::ChartInfo;

/// `storage.HelmStorageType`: the prefix of every record's name.
pub const STORAGE_PREFIX: &str = "sh.helm.release.v1";
/// The `type` of a record Secret (`newSecretsObject`).
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The data key of the encoded record in the Secret or ConfigMap.
pub const DATA_KEY: &str = "release";
/// Unpacked size beyond which a record is refused (Helm keeps records under the 1 MiB object
/// limit; gzip of JSON rarely exceeds 20:1).
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
/// gzip's magic bytes: Helm reads records without them as plain JSON (`magicGzip`).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Where Helm keeps its records: its `--helm-driver` / `HELM_DRIVER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Driver {
    #[default]
    Secret,
    ConfigMap,
}

impl Driver {
    /// The name Helm gives the driver (`HELM_DRIVER=secret|configmap`).
    pub fn as_str(self) -> &'static str {
        match self {
            Driver::Secret => "secret",
            Driver::ConfigMap => "configmap",
        }
    }

    /// The Kubernetes kind of a record, lowercase as kubectl takes it.
    pub fn kind(self) -> &'static str {
        match self {
            Driver::Secret => "secret",
            Driver::ConfigMap => "configmap",
        }
    }
}

/// The name of revision `version`'s record (`storage.makeKey`).
pub fn record_name(release: &str, version: u64) -> String {
    format!("{STORAGE_PREFIX}.{release}.v{version}")
}

/// One revision of a Helm release, as much of it as todoctl imports.
#[derive(Clone, PartialEq)]
pub struct HelmRelease {
    pub name: String,
    pub namespace: String,
    pub version: u64,
    /// Helm's status word: `deployed`, `superseded`, `failed`, `pending-upgrade`, ...
    pub status: String,
    pub description: String,
    pub first_deployed: Option<jiff::Timestamp>,
    pub last_deployed: Option<jiff::Timestamp>,
    pub chart: ChartInfo,
    /// The chart's own values.yaml, as stored with the revision.
    pub chart_values: Value,
    /// What the user supplied (`helm get values`).
    pub config: Value,
    /// The rendered objects, `---`-separated YAML with `# Source:` comments.
    pub manifest: String,
    pub notes: Option<String>,
    /// How many hook objects the revision has (they are not imported).
    pub hooks: usize,
    /// Helm 4: `ssa` or `csa`; absent in Helm 3 records.
    pub apply_method: Option<String>,
}

// Values and manifests hold secrets: Debug shows neither.
impl std::fmt::Debug for HelmRelease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelmRelease")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("version", &self.version)
            .field("status", &self.status)
            .field("chart", &self.chart)
            .finish_non_exhaustive()
    }
}

/// Why a Helm record could not be read. Never quotes the record: it holds values.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum HelmRecordError {
    #[error("it has no `release` data")]
    Missing,
    #[error("its `release` data is not base64 ({0})")]
    Base64(String),
    #[error("its `release` data is not valid gzip ({0})")]
    Gzip(String),
    #[error("its record is larger than {} MiB unpacked", MAX_UNPACKED / 1024 / 1024)]
    TooLarge,
    #[error("its record is not a Helm release ({message}{})",
        if path.is_empty() || path == "." { String::new() } else { format!(" at `{path}`") })]
    Json { path: String, message: String },
}

#[derive(Deserialize)]
struct RawRelease {
    #[serde(default)]
    name: String,
    info: Option<RawInfo>,
    chart: Option<RawChart>,
    config: Option<Value>,
    #[serde(default)]
    manifest: String,
    #[serde(default)]
    hooks: Option<Vec<Value>>,
    #[serde(default)]
    version: u64,
    #[serde(default)]
    namespace: String,
    apply_method: Option<String>,
}

#[derive(Deserialize)]
struct RawInfo {
    first_deployed: Option<String>,
    last_deployed: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
struct RawChart {
    metadata: Option<RawMetadata>,
    values: Option<Value>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(rename = "appVersion")]
    app_version: Option<String>,
}

/// Decodes the `release` data of a record: base64, then gzip when it starts with gzip's magic
/// bytes, then JSON (Helm's `decodeRelease`).
pub fn decode(data: &[u8]) -> Result<HelmRelease, HelmRecordError> {
    // Helm's own encoder never wraps lines, but a record restored by hand may carry a newline.
    let text: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let packed = base64::engine::general_purpose::STANDARD
        .decode(&text)
        .map_err(|e| HelmRecordError::Base64(e.to_string()))?;
    let json = if packed.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::with_capacity(packed.len() * 8);
        GzDecoder::new(packed.as_slice())
            .take(MAX_UNPACKED + 1)
            .read_to_end(&mut out)
            .map_err(|e| HelmRecordError::Gzip(e.to_string()))?;
        if out.len() as u64 > MAX_UNPACKED {
            return Err(HelmRecordError::TooLarge);
        }
        out
    } else {
        packed
    };
    let mut de = serde_json::Deserializer::from_slice(&json);
    let raw: RawRelease = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        HelmRecordError::Json {
            path,
            message: super::codec::without_quoted(&e.into_inner().to_string()),
        }
    })?;
    Ok(convert(raw))
}

fn convert(raw: RawRelease) -> HelmRelease {
    let info = raw.info.unwrap_or(RawInfo {
        first_deployed: None,
        last_deployed: None,
        description: String::new(),
        status: String::new(),
        notes: String::new(),
    });
    let (meta, chart_values) = match raw.chart {
        Some(c) => (c.metadata, c.values.unwrap_or(Value::Null)),
        None => (None, Value::Null),
    };
    let chart = match meta {
        Some(m) => ChartInfo {
            name: m.name,
            version: m.version,
            app_version: m.app_version.filter(|v| !v.is_empty()),
        },
        None => ChartInfo {
            name: String::new(),
            version: String::new(),
            app_version: None,
        },
    };
    HelmRelease {
        name: raw.name,
        namespace: raw.namespace,
        version: raw.version,
        status: info.status,
        description: info.description,
        first_deployed: time(info.first_deployed.as_deref()),
        last_deployed: time(info.last_deployed.as_deref()),
        chart,
        chart_values: object_or_empty(chart_values),
        config: object_or_empty(raw.config.unwrap_or(Value::Null)),
        manifest: raw.manifest,
        notes: Some(info.notes).filter(|n| !n.is_empty()),
        hooks: raw.hooks.map(|h| h.len()).unwrap_or(0),
        apply_method: raw.apply_method.filter(|m| !m.is_empty()),
    }
}

fn object_or_empty(v: Value) -> Value {
    if v.is_object() {
        v
    } else {
        Value::Object(Default::default())
    }
}

/// Go's `time.Time` in JSON: RFC 3339 with nanoseconds and an offset; Helm 3 writes the zero
/// time (`0001-01-01T00:00:00Z`) for an unset one, Helm 4 leaves it out or writes "".
fn time(s: Option<&str>) -> Option<jiff::Timestamp> {
    let t: jiff::Timestamp = s.filter(|s| !s.is_empty())?.parse().ok()?;
    // Go's zero time, 0001-01-01T00:00:00Z, in seconds since the Unix epoch.
    const GO_ZERO: i64 = -62_135_596_800;
    (t.as_second() > GO_ZERO).then_some(t)
}

/// One record object as stored, decoded or not.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    /// The Secret's or ConfigMap's name.
    pub object_name: String,
    pub driver: Driver,
    /// The revision, from the `version` label (or the name, when the label is missing).
    pub version: u64,
    /// The object as read, for the backup and for changing its labels.
    pub raw: Value,
    pub release: Result<HelmRelease, HelmRecordError>,
}

impl StoredRecord {
    /// `secret/sh.helm.release.v1.todo-app-local.v2`.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.driver.kind(), self.object_name)
    }
}

/// Every record of Helm release `release` in `namespace`, by ascending revision; records
/// that cannot be decoded are returned with their error, not skipped.
pub async fn records(
    client: &Client,
    namespace: &str,
    driver: Driver,
    release: &str,
) -> anyhow::Result<Vec<StoredRecord>> {
    let selector = format!("owner=helm,name={release}");
    let mut out = list(client, Some(namespace), driver, &selector).await?;
    out.sort_by_key(|r| r.version);
    Ok(out)
}

/// `(record name, resourceVersion)` of every record of Helm release `release` in `namespace`,
/// sorted by name: one metadata LIST, to tell whether the records read earlier are still what
/// Helm has (every Helm operation writes a record or changes one's labels).
pub async fn record_versions(
    client: &Client,
    namespace: &str,
    driver: Driver,
    release: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let selector = format!("owner=helm,name={release}");
    let lp = ListParams::default().labels(&selector);
    let meta = |m: kube::api::ObjectMeta| {
        (
            m.name.unwrap_or_default(),
            m.resource_version.unwrap_or_default(),
        )
    };
    let listed: Result<Vec<(String, String)>, kube::Error> = match driver {
        Driver::Secret => Api::<Secret>::namespaced(client.clone(), namespace)
            .list_metadata(&lp)
            .await
            .map(|l| l.items.into_iter().map(|o| meta(o.metadata)).collect()),
        Driver::ConfigMap => Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .list_metadata(&lp)
            .await
            .map(|l| l.items.into_iter().map(|o| meta(o.metadata)).collect()),
    };
    let mut out = listed.map_err(|e| {
        crate::cluster::apply::api_error(
            e,
            &format!(
                "listing Helm's release records ({}s labelled `{selector}`)",
                driver.kind()
            ),
        )
    })?;
    out.sort();
    Ok(out)
}

/// The names of the Helm releases with records in `namespace` (every namespace with `None`),
/// as `(namespace, name)`, sorted and without repeats.
pub async fn release_names(
    client: &Client,
    namespace: Option<&str>,
    driver: Driver,
    only: Option<&str>,
) -> anyhow::Result<Vec<(String, String)>> {
    let selector = match only {
        Some(name) => format!("owner=helm,name={name}"),
        None => "owner=helm".to_string(),
    };
    let mut names: Vec<(String, String)> = list(client, namespace, driver, &selector)
        .await?
        .into_iter()
        .filter_map(|r| {
            let ns = r.raw.pointer("/metadata/namespace")?.as_str()?.to_string();
            let name = r
                .raw
                .pointer("/metadata/labels/name")?
                .as_str()?
                .to_string();
            Some((ns, name))
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

async fn list(
    client: &Client,
    namespace: Option<&str>,
    driver: Driver,
    selector: &str,
) -> anyhow::Result<Vec<StoredRecord>> {
    let lp = ListParams::default().labels(selector);
    let what = |e| {
        crate::cluster::apply::api_error(
            e,
            &format!(
                "listing Helm's release records ({}s labelled `{selector}`)",
                driver.kind()
            ),
        )
    };
    let mut out = Vec::new();
    match driver {
        Driver::Secret => {
            let api: Api<Secret> = match namespace {
                Some(ns) => Api::namespaced(client.clone(), ns),
                None => Api::all(client.clone()),
            };
            for s in api.list(&lp).await.map_err(what)?.items {
                if s.type_.as_deref() != Some(SECRET_TYPE) {
                    continue;
                }
                let data = s
                    .data
                    .as_ref()
                    .and_then(|d| d.get(DATA_KEY))
                    .map(|b| b.0.clone());
                out.push(stored(&s.metadata, driver, data, serde_json::to_value(&s)?));
            }
        }
        Driver::ConfigMap => {
            let api: Api<ConfigMap> = match namespace {
                Some(ns) => Api::namespaced(client.clone(), ns),
                None => Api::all(client.clone()),
            };
            for c in api.list(&lp).await.map_err(what)?.items {
                let data = c
                    .data
                    .as_ref()
                    .and_then(|d| d.get(DATA_KEY))
                    .map(|s| s.clone().into_bytes());
                out.push(stored(&c.metadata, driver, data, serde_json::to_value(&c)?));
            }
        }
    }
    Ok(out)
}

fn stored(
    meta: &kube::api::ObjectMeta,
    driver: Driver,
    data: Option<Vec<u8>>,
    raw: Value,
) -> StoredRecord {
    let object_name = meta.name.clone().unwrap_or_default();
    let version = meta
        .labels
        .as_ref()
        .and_then(|l| l.get("version"))
        .and_then(|v| v.parse().ok())
        .or_else(|| {
            object_name
                .rsplit_once(".v")
                .and_then(|(_, v)| v.parse().ok())
        })
        .unwrap_or(0);
    let release = match data {
        Some(d) => decode(&d),
        None => Err(HelmRecordError::Missing),
    };
    StoredRecord {
        object_name,
        driver,
        version,
        raw,
        release,
    }
}

/// Splits a Helm manifest into `(template, YAML text)` pairs at its `---` separators, the
/// template taken from each document's `# Source: chart/templates/x.yaml` comment (Helm's
/// `releaseutil.SplitManifests` plus the comment Helm writes before each document).
pub fn split_manifest(manifest: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut push = |doc: &mut String| {
        let text = std::mem::take(doc);
        if text.trim().is_empty() {
            return;
        }
        let template = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("# Source:").map(str::trim))
            .map(|s| {
                // `todo-app/templates/backend.yaml` -> `templates/backend.yaml`, as todoctl
                // names its own templates.
                s.split_once('/')
                    .map(|(_, rest)| rest)
                    .unwrap_or(s)
                    .to_string()
            })
            .unwrap_or_else(|| "helm-manifest".to_string());
        out.push((template, text));
    };
    for line in manifest.lines() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            push(&mut current);
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    push(&mut current);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::json;

    use super::*;

    /// Helm's `encodeRelease`: JSON, gzip at best compression, base64.
    pub(crate) fn encode(json: &Value) -> String {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&serde_json::to_vec(json).expect("json"))
            .expect("gzip into memory");
        base64::engine::general_purpose::STANDARD.encode(gz.finish().expect("gzip into memory"))
    }

    pub(crate) fn helm4_record() -> Value {
        json!({
            "name": "todo-app-local",
            "info": {
                "first_deployed": "2026-11-29T10:00:00.123456789Z",
                "last_deployed": "2026-11-29T11:00:00.5+01:00",
                "description": "Upgrade complete",
                "status": "deployed",
                "notes": "Open http://localhost:30080"
            },
            "chart": {
                "metadata": {"name": "todo-app", "version": "0.3.0", "appVersion": "1.0.0", "apiVersion": "v2"},
                "lock": null,
                "templates": [{"name": "templates/backend.yaml", "data": "YQ=="}],
                "values": {"backend": {"replicaCount": 1}},
                "schema": null,
                "files": []
            },
            "config": {"backend": {"replicaCount": 2}},
            "manifest": "---\n# Source: todo-app/templates/backend.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: backend-config\n---\n# Source: todo-app/templates/frontend.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: frontend-service\n",
            "hooks": [{"name": "test"}],
            "version": 3,
            "namespace": "todo-app",
            "apply_method": "ssa"
        })
    }

    #[test]
    fn reads_what_helm_writes() {
        let r = decode(encode(&helm4_record()).as_bytes()).expect("decodes");
        assert_eq!(r.name, "todo-app-local");
        assert_eq!(r.version, 3);
        assert_eq!(r.status, "deployed");
        assert_eq!(r.chart.name, "todo-app");
        assert_eq!(r.chart.version, "0.3.0");
        assert_eq!(r.chart.app_version.as_deref(), Some("1.0.0"));
        assert_eq!(r.config, json!({"backend": {"replicaCount": 2}}));
        assert_eq!(r.chart_values, json!({"backend": {"replicaCount": 1}}));
        assert_eq!(r.hooks, 1);
        assert_eq!(r.apply_method.as_deref(), Some("ssa"));
        assert_eq!(r.notes.as_deref(), Some("Open http://localhost:30080"));
        assert_eq!(
            r.last_deployed.map(|t| t.to_string()).as_deref(),
            Some("2026-11-29T10:00:00.5Z")
        );
        let docs = split_manifest(&r.manifest);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].0, "templates/backend.yaml");
        assert!(docs[1].1.contains("frontend-service"));
    }

    #[test]
    fn helm3_zero_times_and_missing_fields_are_absent() {
        let mut v = helm4_record();
        v["info"]["first_deployed"] = json!("0001-01-01T00:00:00Z");
        v["info"]["last_deployed"] = json!("");
        v.as_object_mut().expect("object").remove("apply_method");
        v.as_object_mut().expect("object").remove("config");
        let r = decode(encode(&v).as_bytes()).expect("decodes");
        assert_eq!(r.first_deployed, None);
        assert_eq!(r.last_deployed, None);
        assert_eq!(r.apply_method, None);
        assert_eq!(r.config, json!({}));
    }

    #[test]
    fn plain_json_without_gzip_is_read_as_helm_reads_it() {
        let b64 = base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(&helm4_record()).expect("json"));
        assert_eq!(decode(b64.as_bytes()).expect("decodes").version, 3);
    }

    #[test]
    fn corrupt_records_are_named_without_their_content() {
        assert!(matches!(
            decode(b"not base64 !!"),
            Err(HelmRecordError::Base64(_))
        ));
        let mut packed = base64::engine::general_purpose::STANDARD
            .decode(encode(&helm4_record()))
            .expect("b64");
        let n = packed.len();
        packed.truncate(n / 2);
        let cut = base64::engine::general_purpose::STANDARD.encode(&packed);
        assert!(matches!(
            decode(cut.as_bytes()),
            Err(HelmRecordError::Gzip(_))
        ));
        let mut v = helm4_record();
        v["version"] = json!("s3cret-password");
        let err = decode(encode(&v).as_bytes()).expect_err("wrong type");
        let msg = err.to_string();
        assert!(msg.contains("at `version`"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    #[test]
    fn names_follow_helm() {
        assert_eq!(
            record_name("todo-app-local", 2),
            "sh.helm.release.v1.todo-app-local.v2"
        );
    }
}
