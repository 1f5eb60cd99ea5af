//! How a record is laid out in Secrets: their names, type, labels and chunks, and the Secrets
//! of one LIST read back into records, chunked ones reassembled.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ObjectMeta;

use crate::manifest::labels::MANAGER;
use crate::release::codec::{self, DecodeError};
use crate::release::history::BrokenRecord;
use crate::release::import_marker::{ImportMarker, MARKER_TYPE};
use crate::release::{FORMAT, Release, check_release_name};

/// The Secret `type` of every record Secret, chunks included.
pub const SECRET_TYPE: &str = "todoctl.io/release.v1";
/// The data key that holds the record's bytes (or one chunk of them).
pub const DATA_KEY: &str = "release";
/// Bytes of record per Secret. The API server refuses Secrets whose data exceeds 1,048,576
/// bytes; this leaves room for the metadata.
pub const CHUNK_SIZE: usize = 900 * 1024;

/// Label and annotation keys, as stored.
pub mod key {
    pub use crate::manifest::labels::{MANAGED_BY, RELEASE};
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

/// The Secret holding revision `revision` of `release` (its first chunk if it is chunked).
pub fn secret_name(release: &str, revision: u64) -> String {
    format!("todoctl.release.v1.{release}.v{revision}")
}

/// The Secret holding chunk `index` (2, 3, ...) of the record in Secret `main`.
pub fn chunk_name(main: &str, index: usize) -> String {
    format!("{main}.c{index}")
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

/// The Secrets of one LIST, sorted by `type` into records, their chunks and import markers;
/// Secrets of any other type are left out.
pub(super) struct Found<'a> {
    pub(super) mains: Vec<&'a Secret>,
    /// (namespace, main Secret name, chunk index) -> chunk.
    pub(super) chunks: HashMap<(String, &'a str, usize), &'a Secret>,
    /// The import markers among them (see [`ImportMarker`]).
    pub(super) markers: Vec<ImportMarker>,
}

impl<'a> Found<'a> {
    pub(super) fn new(secrets: &'a [Secret]) -> Self {
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
    pub(super) fn read(&self, main: &Secret) -> Result<Release, Unreadable> {
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

pub(super) fn no_data(secret: &str) -> String {
    format!(
        "Secret `{secret}` has no `{DATA_KEY}` data; it was not written by todoctl or was edited by hand"
    )
}

/// Why a record cannot be read, and whether a newer todoctl wrote it.
#[derive(Debug)]
pub(super) struct Unreadable {
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

pub(super) fn broken(main: &Secret, why: Unreadable) -> BrokenRecord {
    BrokenRecord {
        namespace: namespace_of(main),
        release: label(main, key::RELEASE).unwrap_or_default().to_string(),
        revision: revision_of(main),
        secret: name_of(main),
        error: why.text,
        newer_format: why.newer_format,
    }
}

pub(super) fn release_selector(release: &str) -> String {
    format!("{}={release},{}={MANAGER}", key::RELEASE, key::MANAGED_BY)
}

pub(super) fn chunk_selector(release: &str, revision: u64) -> String {
    format!(
        "{}={release},{}={revision},{}={MANAGER},{}",
        key::RELEASE,
        key::REVISION,
        key::MANAGED_BY,
        key::CHUNK
    )
}

pub(super) fn label<'s>(s: &'s Secret, key: &str) -> Option<&'s str> {
    s.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

pub(super) fn annotation<'s>(s: &'s Secret, key: &str) -> Option<&'s String> {
    s.metadata.annotations.as_ref()?.get(key)
}

pub(super) fn label_number(s: &Secret, key: &str) -> Option<u64> {
    label(s, key)?.parse().ok()
}

pub(super) fn is_chunk(s: &Secret) -> bool {
    label(s, key::CHUNK).is_some()
}

pub(super) fn name_of(s: &Secret) -> String {
    s.metadata.name.clone().unwrap_or_default()
}

pub(super) fn namespace_of(s: &Secret) -> String {
    s.metadata.namespace.clone().unwrap_or_default()
}

/// The revision from the label, else from the name's `.v<N>` suffix, else 0.
pub(super) fn revision_of(s: &Secret) -> u64 {
    label_number(s, key::REVISION)
        .or_else(|| {
            let name = s.metadata.name.as_deref()?;
            name.rsplit_once(".v")?.1.parse().ok()
        })
        .unwrap_or(0)
}

pub(super) fn data_of(s: &Secret) -> Option<&[u8]> {
    s.data.as_ref()?.get(DATA_KEY).map(|b| b.0.as_slice())
}

/// The format a record Secret was written with: the label every writer sets, or (if a hand
/// edit lost it) the record itself when it is in one piece.
pub(super) fn stored_format(s: &Secret) -> Option<u32> {
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
}
