//! The plan file `todoctl diff --out PLAN` writes and `todoctl apply PLAN` reads: the revision
//! an upgrade would record, the objects it would apply and delete, what the diff saw of every
//! live object, and which cluster it saw them in. This file is the only place that knows the
//! file's bytes; what a plan means to a cluster is `ops::plan`'s business.
//!
//! The file is JSON: an envelope (`kind`, `format`, `todoctlVersion`, `checksum`) around the
//! plan. The checksum is SHA-256 over the plan's compact JSON, so a plan edited by hand (or
//! damaged) is refused, whatever its indentation. A plan holds secret values in the clear (the
//! values, Secrets' data): it is written mode 0600, and nothing in it is redacted.

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::release::{ChartInfo, ManifestEntry};

/// What the envelope's `kind` says, so any other JSON file is told apart from a plan.
pub const KIND: &str = "TodoctlPlan";

/// The plan format this build writes, and the only one it applies. Bump it for any change an
/// older reader would misread; plans live for one review, so no older format is read.
/// Format 2: [`fingerprint`] leaves out managedFields entries of the `status` subresource, so
/// the fingerprints of format 1 do not compare with today's.
pub const FORMAT: u32 = 2;

/// A plan file above this size is refused unread: todoctl did not write it.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The envelope around a plan, as stored.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    kind: String,
    format: u32,
    todoctl_version: String,
    /// `sha256:<hex>` over the compact JSON of `plan`.
    checksum: String,
    plan: Value,
}

/// One reviewed upgrade (or install), ready to apply.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub release: String,
    pub namespace: String,
    /// When `diff --out` wrote it; `apply --max-age` measures from here.
    pub created: jiff::Timestamp,
    /// The todoctl that wrote it.
    pub todoctl_version: String,
    /// The cluster the diff ran against.
    pub cluster: ClusterIdentity,
    /// The release's current revision when the plan was made; `None`: no release yet, the
    /// plan installs it (`diff --install`).
    pub base: Option<u64>,
    /// How the apply runs, as the diff's flags said.
    pub options: PlanOptions,
    /// Everything the new revision's record holds besides its objects.
    pub record: PlannedRecord,
    /// The objects to apply, in apply order, as rendered.
    pub objects: Vec<ManifestEntry>,
    /// Every change the diff showed (objects to create, change, delete, and unchanged ones),
    /// with both sides, so `show plan` prints the same diff again.
    pub changes: Vec<PlannedChange>,
    /// Objects of the release this revision lacks that the apply keeps rather than deletes.
    #[serde(default)]
    pub kept: Vec<PlannedKeep>,
    /// What the diff saw of every live object it read, or that the object was absent.
    pub observed: Vec<Observed>,
}

// A plan holds values and Secrets: Debug names it without its content.
impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Plan(release `{}` in `{}`, base {:?}, {} objects)",
            self.release,
            self.namespace,
            self.base,
            self.objects.len()
        )
    }
}

/// Which cluster a plan was made against: the API server URL the kubeconfig named, and the UID
/// of its `kube-system` namespace, which stays the same whatever address reaches the cluster
/// and differs between clusters (the cluster ID kubeadm and many tools use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterIdentity {
    pub server: String,
    /// `None` when the credentials may not read namespace `kube-system`; then the server URL
    /// alone identifies the cluster.
    pub kube_system_uid: Option<String>,
}

/// The flags of `diff` that say how the apply changes the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    pub force_conflicts: bool,
    pub adopt: bool,
    pub prune_crds: bool,
    pub prune_pvcs: bool,
    /// `--history-max`; 0 keeps every revision.
    pub history_max: usize,
}

/// The new revision's record, less what the apply decides (revision, status, times).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedRecord {
    pub chart: ChartInfo,
    pub user_values: Value,
    pub values: Value,
    pub notes: Option<String>,
    #[serde(default)]
    pub generated: serde_json::Map<String, Value>,
    #[serde(default)]
    pub secret_paths: Vec<String>,
    #[serde(default)]
    pub tests: Vec<ManifestEntry>,
    pub post_renderer: Option<String>,
}

/// One object's change as the diff saw it: `before` live (`None`: absent), `after` as the API
/// server's dry run returned it (`None`: to be deleted).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    /// `deployment/backend-deployment`
    pub object: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// An object the apply keeps, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedKeep {
    pub object: String,
    pub reason: String,
}

/// One live object the diff read: where it is and what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    /// `deployment/backend-deployment`
    pub object: String,
    pub api_version: String,
    pub kind: String,
    /// `None` for a cluster-scoped object.
    pub namespace: Option<String>,
    pub name: String,
    /// `None`: the object did not exist.
    pub seen: Option<Seen>,
}

/// What identifies one state of a live object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub uid: String,
    pub resource_version: String,
    /// [`fingerprint`] of the object: a controller that only updates its status changes the
    /// resourceVersion but not this.
    pub fingerprint: String,
}

impl Seen {
    /// What identifies `live` (an object as the API server returned it).
    pub fn of(live: &Value) -> Seen {
        let text = |p: &str| {
            live.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Seen {
            uid: text("/metadata/uid"),
            resource_version: text("/metadata/resourceVersion"),
            fingerprint: fingerprint(live),
        }
    }

    /// Whether `now` is the object seen (same uid), unchanged but for its status.
    pub fn matches(&self, now: &Seen) -> bool {
        self.uid == now.uid
            && (self.resource_version == now.resource_version
                || self.fingerprint == now.fingerprint)
    }
}

/// SHA-256 of a live object without what changes when nothing but its status does: `status`,
/// `metadata.resourceVersion`, the time stamps of `metadata.managedFields`, and its entries
/// for the `status` subresource (whose field sets change as status fields come and go, e.g.
/// `unavailableReplicas` during a rollout). A change to its spec, labels, annotations or the
/// ownership of any of them changes it.
pub fn fingerprint(live: &Value) -> String {
    let mut v = live.clone();
    if let Some(map) = v.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
        if let Some(Value::Array(fields)) = meta.get_mut("managedFields") {
            fields.retain(|e| e.get("subresource").and_then(Value::as_str) != Some("status"));
            for entry in fields.iter_mut().filter_map(Value::as_object_mut) {
                entry.remove("time");
            }
        }
    }
    sha256(&serde_json::to_vec(&v).unwrap_or_default())
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(digest.len() * 2);
    for b in digest.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// `sha256:<hex>` over the compact JSON of a plan.
fn checksum(plan: &Value) -> String {
    // Serializing a Value cannot fail: its map keys are strings.
    format!(
        "sha256:{}",
        sha256(&serde_json::to_vec(plan).unwrap_or_default())
    )
}

/// The file's bytes: the envelope as indented JSON, so a reviewer can read it.
pub fn encode(plan: &Plan) -> Result<Vec<u8>> {
    let body = serde_json::to_value(plan).context("encoding the plan")?;
    let envelope = Envelope {
        kind: KIND.to_string(),
        format: FORMAT,
        todoctl_version: plan.todoctl_version.clone(),
        checksum: checksum(&body),
        plan: body,
    };
    let mut bytes = serde_json::to_vec_pretty(&envelope).context("encoding the plan")?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Reads a plan's bytes. Refused: anything but a plan, a plan of another format (naming the
/// todoctl that wrote it), a plan whose checksum does not match (edited or damaged). The
/// messages never quote the file's content: it holds secrets.
pub fn decode(bytes: &[u8], path: &Path) -> Result<Plan> {
    let file = path.display();
    let again = "run `todoctl diff --out` again to make a new plan";
    let Ok(Value::Object(mut envelope)) = serde_json::from_slice::<Value>(bytes) else {
        bail!("{file} is not a todoctl plan (it is not JSON); {again}");
    };
    if envelope.get("kind").and_then(Value::as_str) != Some(KIND) {
        bail!("{file} is not a todoctl plan (no `kind: {KIND}`); {again}");
    }
    let writer = envelope
        .get("todoctlVersion")
        .and_then(Value::as_str)
        .unwrap_or("an unknown version")
        .to_string();
    match envelope.get("format").and_then(Value::as_u64) {
        Some(f) if f == u64::from(FORMAT) => {}
        found => bail!(
            "{file} was written by todoctl {writer} in plan format {}, and this todoctl ({}) applies only plan format {FORMAT}; {again} with this todoctl",
            found.map_or("unknown".to_string(), |f| f.to_string()),
            crate::release::TODOCTL_VERSION
        ),
    }
    let body = envelope.remove("plan").unwrap_or(Value::Null);
    let stated = envelope.get("checksum").and_then(Value::as_str);
    if stated != Some(checksum(&body).as_str()) {
        bail!(
            "{file} does not match its checksum: it was edited or damaged since `todoctl diff --out` wrote it, and a changed plan is not the plan that was reviewed; {again}"
        );
    }
    serde_path_to_error::deserialize::<_, Plan>(body).map_err(|e| {
        let at = e.path().to_string();
        anyhow::anyhow!(
            "{file} is not a plan this todoctl can read (at `{at}`: {}); {again}",
            crate::release::codec::without_quoted(&e.into_inner().to_string())
        )
    })
}

/// Reads and checks the plan at `path`; see [`decode`].
pub fn read(path: &Path) -> Result<Plan> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "plan file {} does not exist; make a plan with `todoctl diff --out {}` (with the flags the upgrade would take), review it, then apply it",
            path.display(),
            path.display()
        ),
        Err(e) => {
            return Err(e).with_context(|| format!("reading plan file {}", path.display()));
        }
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_BYTES + 1), &mut bytes)
        .with_context(|| format!("reading plan file {}", path.display()))?;
    if bytes.len() as u64 > MAX_BYTES {
        bail!(
            "{} is larger than {} MiB, so todoctl did not write it as a plan; run `todoctl diff --out` again",
            path.display(),
            MAX_BYTES / 1024 / 1024
        );
    }
    decode(&bytes, path)
}

/// Writes the plan to `path` atomically: into a new file of mode 0600 beside it, then renamed
/// over `path`, so a reader sees the old file or the whole new one, and never a plan (which
/// holds secrets) readable by others, even for a moment.
pub fn write(path: &Path, plan: &Plan) -> Result<()> {
    let bytes = encode(plan)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("--out {}: not a file name", path.display()))?
        .to_string_lossy()
        .into_owned();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(anyhow::Error::new(e).context(format!("writing plan file {}", path.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan() -> Plan {
        Plan {
            release: "todo-app".into(),
            namespace: "todo-app".into(),
            created: "2026-11-29T14:00:00Z".parse().unwrap(),
            todoctl_version: "0.1.0".into(),
            cluster: ClusterIdentity {
                server: "https://127.0.0.1:6443".into(),
                kube_system_uid: Some("u-1".into()),
            },
            base: Some(3),
            options: PlanOptions::default(),
            record: PlannedRecord {
                chart: ChartInfo {
                    name: "todo-app".into(),
                    version: "1.0.0".into(),
                    app_version: None,
                },
                user_values: json!({"db": {"password": "hunter2"}}),
                values: json!({"db": {"password": "hunter2"}, "x": 1.5}),
                notes: None,
                generated: Default::default(),
                secret_paths: vec!["db.password".into()],
                tests: vec![],
                post_renderer: None,
            },
            objects: vec![],
            changes: vec![],
            kept: vec![],
            observed: vec![],
        }
    }

    #[test]
    fn round_trips_and_detects_edits() {
        let p = Path::new("plan.json");
        let bytes = encode(&plan()).unwrap();
        let back = decode(&bytes, p).unwrap();
        assert_eq!(back.base, Some(3));
        assert_eq!(
            back.record.values,
            json!({"db": {"password": "hunter2"}, "x": 1.5})
        );
        // Nothing is redacted inside a plan.
        assert!(String::from_utf8_lossy(&bytes).contains("hunter2"));

        // Re-indenting is not an edit; changing a value is.
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(decode(&serde_json::to_vec(&v).unwrap(), p).is_ok());
        let edited = String::from_utf8(bytes)
            .unwrap()
            .replace("\"base\": 3", "\"base\": 4");
        let err = decode(edited.as_bytes(), p).unwrap_err().to_string();
        assert!(err.contains("does not match its checksum"), "{err}");
        assert!(!err.contains("hunter2"));
    }

    #[test]
    fn refuses_what_is_not_a_plan_of_this_format() {
        let p = Path::new("plan.json");
        let err = decode(b"kind: Deployment", p).unwrap_err().to_string();
        assert!(err.contains("not a todoctl plan"), "{err}");
        let err = decode(br#"{"kind":"Other"}"#, p).unwrap_err().to_string();
        assert!(err.contains("not a todoctl plan"), "{err}");
        let mut v: Value = serde_json::from_slice(&encode(&plan()).unwrap()).unwrap();
        v["format"] = json!(FORMAT + 1);
        v["todoctlVersion"] = json!("9.9.9");
        let err = decode(&serde_json::to_vec(&v).unwrap(), p)
            .unwrap_err()
            .to_string();
        let other = format!("todoctl 9.9.9 in plan format {}", FORMAT + 1);
        assert!(err.contains(&other), "{err}");
    }

    #[test]
    fn status_only_changes_keep_the_fingerprint() {
        let a = json!({"metadata": {"uid": "u", "resourceVersion": "1",
            "managedFields": [{"manager": "kube-controller-manager", "time": "t1"}]},
            "spec": {"replicas": 1}, "status": {"readyReplicas": 0}});
        let mut b = a.clone();
        b["metadata"]["resourceVersion"] = json!("2");
        b["metadata"]["managedFields"][0]["time"] = json!("t2");
        b["status"]["readyReplicas"] = json!(1);
        assert!(Seen::of(&a).matches(&Seen::of(&b)));
        // A status field appearing changes the status subresource's entry: still status only.
        let status_entry = json!({"manager": "kube-controller-manager", "subresource": "status",
            "fieldsV1": {"f:status": {"f:unavailableReplicas": {}}}});
        b["metadata"]["managedFields"]
            .as_array_mut()
            .unwrap()
            .push(status_entry.clone());
        assert!(Seen::of(&a).matches(&Seen::of(&b)));
        // An entry of another subresource (scale) or of the object itself is not status.
        let mut d = a.clone();
        d["metadata"]["resourceVersion"] = json!("3");
        let mut scale_entry = status_entry;
        scale_entry["subresource"] = json!("scale");
        d["metadata"]["managedFields"]
            .as_array_mut()
            .unwrap()
            .push(scale_entry);
        assert!(!Seen::of(&a).matches(&Seen::of(&d)));
        b["spec"]["replicas"] = json!(3);
        assert!(!Seen::of(&a).matches(&Seen::of(&b)));
        let mut c = a.clone();
        c["metadata"]["uid"] = json!("v");
        assert!(!Seen::of(&a).matches(&Seen::of(&c)));
    }

    #[test]
    fn writes_mode_0600_atomically() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&path, &plan()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(read(&path).unwrap().base, Some(3));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
