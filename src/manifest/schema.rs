//! The typed schema check of built-in kinds: an object deserialized as its k8s-openapi type,
//! with every unknown field and every wrong type reported by path, not only the first.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A finding of the typed check, before it is tied to an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    pub path: String,
    pub message: String,
}

/// Deserializes `value` as `T`, recording keys the type skipped (k8s-openapi ignores unknown
/// keys through `IgnoredAny`, which `serde_ignored` sees) and the path of a type error.
/// Deserialization stops at the first type error, so the offending value is cut out and the
/// check runs again, to report the problems behind it as well.
pub fn typed_check<T: DeserializeOwned>(value: &Value) -> Vec<FieldIssue> {
    const MAX_ROUNDS: usize = 16;
    // Most objects are valid: check them once without tracking paths, which only the
    // description of a problem needs.
    let mut unknown_fields = false;
    let mut note_unknown = |_: serde_ignored::Path<'_>| unknown_fields = true;
    let plain = T::deserialize(serde_ignored::Deserializer::new(value, &mut note_unknown));
    if plain.is_ok() && !unknown_fields {
        return Vec::new();
    }
    let mut issues: Vec<FieldIssue> = Vec::new();
    let mut pruned: Option<Value> = None;
    for round in 0..MAX_ROUNDS {
        let current = pruned.as_ref().unwrap_or(value);
        let mut unknown = Vec::new();
        let mut record = |path: serde_ignored::Path<'_>| unknown.push(ignored_path(&path));
        let result: Result<T, _> = serde_path_to_error::deserialize(
            serde_ignored::Deserializer::new(current, &mut record),
        );
        for path in unknown {
            if issues.iter().all(|i| i.path != path) {
                let field = path
                    .rsplit_once('.')
                    .map_or(path.as_str(), |(_, last)| last);
                issues.push(FieldIssue {
                    message: format!(
                        "unknown field `{field}`; check its spelling and indentation, or remove it"
                    ),
                    path,
                });
            }
        }
        let Err(err) = result else { break };
        let message = err.inner().to_string();
        // A required field we cut out ourselves is not the user's problem.
        if round > 0 && message.starts_with("missing field") {
            break;
        }
        let path = err.path().to_string();
        issues.push(FieldIssue {
            path: if path == "." { String::new() } else { path },
            message: describe_type_error(&message),
        });
        let mut next = current.clone();
        if !remove_at(&mut next, err.path()) {
            break;
        }
        pruned = Some(next);
    }
    issues
}

/// Removes the value at `path`; false when there is nothing there to remove.
fn remove_at(value: &mut Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut node = value;
    for segment in parents {
        let child = match segment {
            Segment::Map { key } => node.get_mut(key.as_str()),
            Segment::Seq { index } => node.get_mut(*index),
            _ => None,
        };
        match child {
            Some(child) => node = child,
            None => return false,
        }
    }
    match (last, node) {
        (Segment::Map { key }, Value::Object(map)) => map.shift_remove(key.as_str()).is_some(),
        (Segment::Seq { index }, Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => {
            let parent = ignored_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

/// serde says `invalid type: string "3", expected i32`; users read `found string `3``.
fn describe_type_error(message: &str) -> String {
    let message = message.replace('"', "`");
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!(
            "wrong type: found {found}, expected {expected}; change the value in the template"
        );
    }
    format!("{message}; change the value in the template")
}
