//! Dotted paths into values (`image.tag`, `env[0].name`), in the `--set` key syntax, so that a
//! path in a lint rule or a redaction table reads like the flag a user would type.

use serde_json::{Map, Value};

use super::strvals::{MAX_INDEX, kind_name};

/// One step of a path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// A path that cannot be parsed, or cannot be set in the given values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("invalid values path `{path}`: {reason}")]
    Syntax { path: String, reason: String },
    #[error("cannot set values path `{path}`: `{at}` holds {found}, not {expected}")]
    Conflict {
        path: String,
        at: String,
        found: &'static str,
        expected: &'static str,
    },
}

/// Splits `a.b[0].c` into segments; `\` makes the next character literal (`a\.b` is one key).
pub fn parse_path(path: &str) -> Result<Vec<PathSegment>, PathError> {
    let syntax = |reason: &str| PathError::Syntax {
        path: path.to_string(),
        reason: reason.to_string(),
    };
    let mut segments = Vec::new();
    let mut key = String::new();
    // After `]` a segment may end without a key (`a[0].b`, `a[0][1]`).
    let mut after_index = false;
    let mut chars = path.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                let next = chars.next().ok_or_else(|| syntax("it ends with `\\`"))?;
                key.push(next);
                after_index = false;
            }
            '.' => {
                if key.is_empty() && !after_index {
                    return Err(syntax("it has an empty segment"));
                }
                if !key.is_empty() {
                    segments.push(PathSegment::Key(std::mem::take(&mut key)));
                }
                after_index = false;
            }
            '[' => {
                if !key.is_empty() {
                    segments.push(PathSegment::Key(std::mem::take(&mut key)));
                } else if !after_index {
                    return Err(syntax("a list index must follow a key"));
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) => digits.push(d),
                        None => return Err(syntax("a list index has no closing `]`")),
                    }
                }
                let index = digits
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i64::try_from(i).is_ok_and(|i| i <= MAX_INDEX))
                    .ok_or_else(|| syntax(&format!("list index `{digits}` is not valid")))?;
                segments.push(PathSegment::Index(index));
                after_index = true;
            }
            other => {
                if after_index {
                    return Err(syntax("expected `.` or `[` after a list index"));
                }
                key.push(other);
            }
        }
    }
    if !key.is_empty() {
        segments.push(PathSegment::Key(key));
    } else if !after_index {
        return Err(syntax("it has an empty segment"));
    }
    Ok(segments)
}

/// The value at `path`, if the path parses and leads somewhere.
pub fn get_path<'v>(values: &'v Value, path: &str) -> Option<&'v Value> {
    let segments = parse_path(path).ok()?;
    segments
        .iter()
        .try_fold(values, |current, segment| match segment {
            PathSegment::Key(key) => current.as_object()?.get(key),
            PathSegment::Index(index) => current.as_array()?.get(*index),
        })
}

/// Mutable access to the value at `path` (e.g. to redact it in place).
pub fn get_path_mut<'v>(values: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let segments = parse_path(path).ok()?;
    segments
        .iter()
        .try_fold(values, |current, segment| match segment {
            PathSegment::Key(key) => current.as_object_mut()?.get_mut(key),
            PathSegment::Index(index) => current.as_array_mut()?.get_mut(*index),
        })
}

/// Sets the value at `path`, creating maps and lists on the way as `--set` would (a list grows
/// with nulls). A null or missing step is replaced; any other value of the wrong kind is an error.
pub fn set_path(values: &mut Value, path: &str, value: Value) -> Result<(), PathError> {
    let segments = parse_path(path)?;
    let mut current = values;
    let mut walked = String::new();
    for segment in &segments {
        let conflict = |found: &Value, expected| PathError::Conflict {
            path: path.to_string(),
            at: if walked.is_empty() {
                "(root)".to_string()
            } else {
                walked.clone()
            },
            found: kind_name(found),
            expected,
        };
        current = match segment {
            PathSegment::Key(key) => {
                if current.is_null() {
                    *current = Value::Object(Map::new());
                }
                let Value::Object(map) = current else {
                    return Err(conflict(current, "a map"));
                };
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(key);
                map.entry(key.clone()).or_insert(Value::Null)
            }
            PathSegment::Index(index) => {
                if current.is_null() {
                    *current = Value::Array(Vec::new());
                }
                let Value::Array(list) = current else {
                    return Err(conflict(current, "a list"));
                };
                if list.len() <= *index {
                    list.resize(index + 1, Value::Null);
                }
                walked.push_str(&format!("[{index}]"));
                &mut list[*index]
            }
        };
    }
    *current = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_keys_indexes_and_escapes() {
        assert_eq!(
            parse_path(r"a.b[0][2].c\.d").ok(),
            Some(vec![
                PathSegment::Key("a".into()),
                PathSegment::Key("b".into()),
                PathSegment::Index(0),
                PathSegment::Index(2),
                PathSegment::Key("c.d".into()),
            ])
        );
    }

    #[test]
    fn rejects_bad_paths() {
        for bad in [
            "", "a..b", ".a", "a.", "a[", "a[x]", "a[-1]", "a[0]b", "[0]", r"a\", "a[65537]",
        ] {
            assert!(parse_path(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn gets_nested_values() {
        let v = json!({"a": {"b": [{"c": 1}, {"c": 2}]}, "x.y": true});
        assert_eq!(get_path(&v, "a.b[1].c"), Some(&json!(2)));
        assert_eq!(get_path(&v, r"x\.y"), Some(&json!(true)));
        assert_eq!(get_path(&v, "a.b[5].c"), None);
        assert_eq!(get_path(&v, "a.b.c"), None);
        assert_eq!(get_path(&v, "a..b"), None);
    }

    #[test]
    fn get_mut_allows_redaction() {
        let mut v = json!({"db": {"password": "hunter2"}});
        if let Some(secret) = get_path_mut(&mut v, "db.password") {
            *secret = json!("***");
        }
        assert_eq!(v, json!({"db": {"password": "***"}}));
    }

    #[test]
    fn sets_and_creates_structure() {
        let mut v = json!({"a": {"keep": 1}});
        set_path(&mut v, "a.list[2].name", json!("x")).ok();
        set_path(&mut v, "b", json!(5)).ok();
        assert_eq!(
            v,
            json!({"a": {"keep": 1, "list": [null, null, {"name": "x"}]}, "b": 5})
        );
    }

    #[test]
    fn set_reports_conflicts() {
        let mut v = json!({"a": "scalar"});
        let err = set_path(&mut v, "a.b", json!(1))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("cannot set values path `a.b`: `a` holds a string, not a map")
        );
    }
}
