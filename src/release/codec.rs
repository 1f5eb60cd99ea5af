//! The codec of release records: a [`Release`] to its bytes (gzip'd JSON) and back. This file
//! is the only place that knows that; the store moves the bytes around and never looks inside.
//! ("Record" itself means one revision as stored, never this encoding.)

use std::io::Read;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Deserialize;

use super::{FORMAT, Release};

/// A record larger than this when unpacked is refused rather than read: it was not written by
/// todoctl, and unpacking it could exhaust memory.
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Why a record's bytes could not be turned back into a [`Release`]. The messages never quote
/// the record's content: it holds values, and values hold secrets.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "the record is not valid gzip ({0}); it was damaged or not written by todoctl: delete that revision's Secret if it is not needed"
    )]
    Gzip(std::io::Error),
    #[error(
        "the record is larger than {} MiB unpacked; it was not written by todoctl",
        MAX_UNPACKED / 1024 / 1024
    )]
    TooLarge,
    #[error(
        "the record is not a valid todoctl release ({message}{}); it was damaged or edited by hand: delete that revision's Secret if it is not needed",
        if path.is_empty() || path == "." { String::new() } else { format!(" at `{path}`") }
    )]
    Json { path: String, message: String },
    #[error(
        "the record was written by a newer todoctl (format {found}; this todoctl reads up to format {FORMAT}); upgrade todoctl to read or change it"
    )]
    NewerFormat { found: u32 },
}

/// The record's bytes: the release as JSON, gzip'd (JSON of values and manifests shrinks 5-10x).
pub fn encode(release: &Release) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail, and every field serializes (maps have string keys).
    serde_json::to_writer(&mut gz, release).expect("a release serializes to JSON in memory");
    gz.finish().expect("gzip into memory cannot fail")
}

/// Reads a record. A record of a newer format is refused even if it would parse: its meaning
/// may have changed in ways this build cannot see.
pub fn decode(bytes: &[u8]) -> Result<Release, DecodeError> {
    let mut json = Vec::with_capacity(bytes.len() * 6);
    GzDecoder::new(bytes)
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut json)
        .map_err(DecodeError::Gzip)?;
    if json.len() as u64 > MAX_UNPACKED {
        return Err(DecodeError::TooLarge);
    }
    // The common case parses once; the format probe and the path-tracking parse run only when
    // that fails.
    match serde_json::from_slice::<Release>(&json) {
        Ok(release) if release.format > FORMAT => Err(DecodeError::NewerFormat {
            found: release.format,
        }),
        Ok(release) => Ok(release),
        Err(_) => Err(explain(&json)),
    }
}

/// The error for JSON that does not parse as a [`Release`]: a newer format if the record says
/// so, else where and why parsing failed.
fn explain(json: &[u8]) -> DecodeError {
    #[derive(Deserialize)]
    struct Probe {
        format: u32,
    }
    if let Ok(Probe { format }) = serde_json::from_slice::<Probe>(json)
        && format > FORMAT
    {
        return DecodeError::NewerFormat { found: format };
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    let result: Result<Release, _> = serde_path_to_error::deserialize(&mut de);
    let err = match result {
        Err(err) => err,
        // Unreachable in practice (the plain parse failed); still a sane answer.
        Ok(_) => {
            return DecodeError::Json {
                path: String::new(),
                message: "trailing data after the record".to_string(),
            };
        }
    };
    let path = err.path().to_string();
    DecodeError::Json {
        path,
        message: without_quoted(&err.into_inner().to_string()),
    }
}

/// serde quotes the offending string in type errors (`invalid type: string "..."`); a damaged
/// record could put a secret there, so quoted text is cut out of the message.
pub(crate) fn without_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push_str("<redacted>");
        match end {
            Some(i) => rest = &after[i + 1..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::release::{ChartInfo, ManifestEntry, Status};

    fn gzip(json: &[u8]) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(json).expect("gzip into memory cannot fail");
        gz.finish().expect("gzip into memory cannot fail")
    }

    pub(crate) fn sample() -> Release {
        Release {
            format: FORMAT,
            name: "todo-app".into(),
            namespace: "todo".into(),
            revision: 3,
            status: Status::Deployed,
            description: "Upgrade complete".into(),
            chart: ChartInfo {
                name: "todo-app".into(),
                version: "1.2.0".into(),
                app_version: Some("2.0.1".into()),
            },
            user_values: json!({ "replicas": 2 }),
            values: json!({ "replicas": 2, "image": { "tag": "2.0.1" } }),
            manifest: vec![ManifestEntry {
                template: "templates/backend.yaml".into(),
                object: json!({ "apiVersion": "apps/v1", "kind": "Deployment", "metadata": { "name": "backend" } }),
            }],
            notes: Some("Open http://todo.local".into()),
            first_deployed: "2026-11-01T10:00:00Z".parse().expect("a timestamp"),
            updated: "2026-11-02T11:30:00.123456789Z"
                .parse()
                .expect("a timestamp"),
            todoctl_version: crate::release::TODOCTL_VERSION.into(),
            generated: Default::default(),
            secret_paths: Vec::new(),
            tests: Vec::new(),
            last_test: None,
            post_renderer: None,
        }
    }

    fn json_with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut v = serde_json::to_value(sample()).expect("sample serializes");
        edit(&mut v);
        gzip(&serde_json::to_vec(&v).expect("json"))
    }

    #[test]
    fn round_trip() {
        let r = sample();
        assert_eq!(decode(&encode(&r)).expect("decodes"), r);
    }

    #[test]
    fn corrupt_gzip_is_a_gzip_error() {
        let mut bytes = encode(&sample());
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        bytes[mid + 1] ^= 0xff;
        let err = decode(&bytes).expect_err("damaged");
        assert!(matches!(err, DecodeError::Gzip(_)), "{err}");
        let err = decode(b"{\"format\":1}").expect_err("not gzip at all");
        assert!(matches!(err, DecodeError::Gzip(_)), "{err}");
        assert!(err.to_string().contains("not valid gzip"));
    }

    #[test]
    fn corrupt_json_names_the_place_and_hides_the_value() {
        let err = decode(&gzip(b"{\"format\": 1, \"name\": ")).expect_err("truncated");
        assert!(matches!(err, DecodeError::Json { .. }), "{err}");
        assert!(err.to_string().contains("EOF"), "{err}");

        let bytes = json_with(|v| v["revision"] = json!("s3cret-token"));
        let err = decode(&bytes).expect_err("wrong type");
        let msg = err.to_string();
        assert!(msg.contains("at `revision`"), "{msg}");
        assert!(msg.contains("invalid type"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");

        let bytes = json_with(|v| {
            v.as_object_mut().expect("object").remove("chart");
        });
        let msg = decode(&bytes).expect_err("missing field").to_string();
        assert!(msg.contains("missing field `chart`"), "{msg}");
    }

    #[test]
    fn newer_format_is_refused_even_if_it_parses() {
        let bytes = json_with(|v| v["format"] = json!(FORMAT + 1));
        let err = decode(&bytes).expect_err("newer");
        assert!(
            matches!(err, DecodeError::NewerFormat { found } if found == FORMAT + 1),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade todoctl"));

        // A newer format whose shape this build cannot parse is still named as newer.
        let bytes = gzip(br#"{"format": 7, "release": {"whatever": true}}"#);
        let err = decode(&bytes).expect_err("newer");
        assert!(
            matches!(err, DecodeError::NewerFormat { found: 7 }),
            "{err}"
        );
    }

    #[test]
    fn quoted_text_is_cut() {
        assert_eq!(
            without_quoted(r#"invalid type: string "a\"b", expected u64"#),
            "invalid type: string <redacted>, expected u64"
        );
        assert_eq!(without_quoted("no quotes"), "no quotes");
        assert_eq!(without_quoted(r#"open "end"#), "open <redacted>");
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            // Quarter steps print and parse back exactly.
            any::<i32>().prop_map(|n| json!(f64::from(n) / 4.0)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    prop_compose! {
        fn any_release()(
            name in "[a-z][a-z0-9-]{0,52}",
            revision in any::<u64>(),
            status in prop::sample::select(Status::ALL.to_vec()),
            description in any::<String>(),
            app_version in proptest::option::of(any::<String>()),
            user_values in any_json(),
            values in any_json(),
            objects in prop::collection::vec((any::<String>(), any_json()), 0..4),
            notes in proptest::option::of(any::<String>()),
            secs in 0i64..4_000_000_000,
            nanos in 0i32..1_000_000_000,
        ) -> Release {
            let at = jiff::Timestamp::new(secs, nanos).expect("in range");
            Release {
                format: FORMAT,
                name: name.clone(),
                namespace: "ns".into(),
                revision,
                status,
                description,
                chart: ChartInfo { name, version: "0.1.0".into(), app_version },
                user_values,
                values,
                manifest: objects
                    .into_iter()
                    .map(|(template, object)| ManifestEntry { template, object })
                    .collect(),
                notes,
                first_deployed: at,
                updated: at,
                todoctl_version: "0.1.0".into(),
                generated: Default::default(),
                secret_paths: Vec::new(),
                tests: Vec::new(),
                last_test: None,
                post_renderer: None,
            }
        }
    }

    proptest! {
        #[test]
        fn any_release_round_trips(r in any_release()) {
            prop_assert_eq!(decode(&encode(&r)).expect("decodes"), r);
        }

        #[test]
        fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes);
            let _ = decode(&gzip(&bytes));
        }
    }
}
