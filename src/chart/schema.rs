//! values.schema.json: checking the schema itself, validating values against it, and reading
//! the todoctl keywords (`x-todoctl-secret`, `x-todoctl-generate`) that mark values.

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

/// Validates a schema document once, when the chart loads, so a broken schema is the chart's
/// error and not reported against the user's values.
pub(super) fn check_schema(schema: &Value) -> Result<()> {
    jsonschema::validator_for(schema)
        .map(|_| ())
        .map_err(|e| anyhow!("not a valid JSON Schema: {}", e.masked()))
}

/// Validates merged values against a chart's schema, reporting every violation with its value
/// path. Offending values are masked, since they may be secrets.
pub fn validate_values(schema: &Value, values: &Value) -> Result<()> {
    let validator = jsonschema::validator_for(schema).map_err(|e| {
        anyhow!(
            "the chart's values.schema.json is not a valid JSON Schema: {}",
            e.masked()
        )
    })?;
    let mut problems: Vec<String> = validator
        .iter_errors(values)
        .map(|e| {
            let mut path = json_pointer_to_path(&e.instance_path().to_string());
            // Paths come from user keys, which may be absurdly long.
            if path.chars().count() > 200 {
                path = path.chars().take(200).collect::<String>() + "…";
            }
            let mut rule = e.masked().to_string();
            if rule.chars().count() > 300 {
                rule = rule.chars().take(300).collect::<String>() + "…";
            }
            format!("  - `{path}`: {rule}")
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort();
    problems.dedup();
    bail!(
        "values do not match the chart's values.schema.json:\n{}\nfix the values file or --set flag that sets them",
        problems.join("\n")
    )
}

/// Turns `/backend/replicaCount` or `/a/0/b` into `backend.replicaCount` or `a[0].b`.
fn json_pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    if out.is_empty() {
        "(top level)".to_string()
    } else {
        out
    }
}

/// Value paths the schema marks as secret or to be generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaMarks {
    /// Dotted paths of values whose content must never be shown.
    pub secret: Vec<String>,
    /// Dotted paths of values generated once at install, with the length to generate.
    pub generate: Vec<(String, usize)>,
}

impl SchemaMarks {
    pub fn from_schema(schema: &Value) -> SchemaMarks {
        let mut marks = SchemaMarks::default();
        walk(schema, String::new(), &mut marks);
        marks
    }
}

fn walk(node: &Value, path: String, marks: &mut SchemaMarks) {
    let Some(obj) = node.as_object() else { return };
    if obj.get("x-todoctl-secret").and_then(Value::as_bool) == Some(true) {
        marks.secret.push(path.clone());
    }
    if let Some(g) = obj.get("x-todoctl-generate") {
        let len = g.get("length").and_then(Value::as_u64).unwrap_or(32) as usize;
        marks.generate.push((path.clone(), len));
        if !marks.secret.contains(&path) {
            marks.secret.push(path.clone());
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            walk(v, p, marks);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn violations_name_the_value_path_and_hide_the_value() {
        let schema = json!({
            "type": "object",
            "properties": {
                "backend": {"type": "object", "properties": {"replicaCount": {"type": "integer", "minimum": 0}}},
                "token": {"type": "integer"}
            }
        });
        let err = validate_values(
            &schema,
            &json!({"backend": {"replicaCount": "two"}, "token": "s3cr3t-sentinel"}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`backend.replicaCount`"), "{err}");
        assert!(err.contains("`token`"), "{err}");
        assert!(!err.contains("s3cr3t-sentinel"), "{err}");
    }

    #[test]
    fn pointers_become_paths() {
        assert_eq!(json_pointer_to_path("/a/0/b"), "a[0].b");
        assert_eq!(json_pointer_to_path(""), "(top level)");
    }

    #[test]
    fn marks_are_collected() {
        let schema = json!({"properties": {"secrets": {"properties": {
            "key": {"type": "string", "x-todoctl-secret": true},
            "auth": {"type": "string", "x-todoctl-generate": {"length": 48}}
        }}}});
        let m = SchemaMarks::from_schema(&schema);
        assert_eq!(
            m.secret,
            vec!["secrets.key".to_string(), "secrets.auth".to_string()]
        );
        assert_eq!(m.generate, vec![("secrets.auth".to_string(), 48)]);
    }
}
