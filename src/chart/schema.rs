//! values.schema.json: checking the schema itself, validating values against it, and reading
//! the todoctl keywords (`x-todoctl-secret`, `x-todoctl-generate`) that mark values.

use std::fmt;
use std::sync::Arc;

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

/// The built-in chart's schema compiled to Rust when todoctl is built: no schema compilation
/// (meta-schema check, keyword tree, regex set-up) at run time.
#[jsonschema::validator(path = "charts/todo-app/values.schema.json")]
struct BuiltinSchema;

/// A chart's values schema, ready to validate values.
#[derive(Clone)]
pub enum ValuesSchema {
    /// The built-in chart's schema, compiled into the binary.
    BuiltIn,
    /// A chart directory's schema, checked and compiled once when the chart loads.
    Compiled(Arc<jsonschema::Validator>),
}

impl fmt::Debug for ValuesSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValuesSchema::BuiltIn => f.write_str("ValuesSchema::BuiltIn"),
            ValuesSchema::Compiled(_) => f.write_str("ValuesSchema::Compiled"),
        }
    }
}

impl ValuesSchema {
    /// Checks a schema document against its meta-schema and compiles it, when the chart loads,
    /// so a broken schema is the chart's error and not reported against the user's values.
    /// The built-in chart's schema (byte for byte) was compiled with the binary.
    pub(super) fn new(text: &[u8], schema: &Value) -> Result<ValuesSchema> {
        if text == super::builtin_file("values.schema.json") {
            return Ok(ValuesSchema::BuiltIn);
        }
        ValuesSchema::compile(schema)
    }

    /// Checks a schema document against its meta-schema and compiles it at run time.
    pub fn compile(schema: &Value) -> Result<ValuesSchema> {
        jsonschema::validator_for(schema)
            .map(|v| ValuesSchema::Compiled(Arc::new(v)))
            .map_err(|e| anyhow!("not a valid JSON Schema: {}", e.masked()))
    }

    /// Validates merged values, reporting every violation with its value path. Offending values
    /// are masked, since they may be secrets.
    pub fn validate(&self, values: &Value) -> Result<()> {
        let problems: Vec<String> = match self {
            ValuesSchema::BuiltIn => {
                if BuiltinSchema::is_valid(values) {
                    return Ok(());
                }
                BuiltinSchema::iter_errors(values)
                    .map(|e| problem(&e))
                    .collect()
            }
            ValuesSchema::Compiled(v) => v.iter_errors(values).map(|e| problem(&e)).collect(),
        };
        report(problems)
    }
}

fn problem(e: &jsonschema::ValidationError<'_>) -> String {
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
}

fn report(mut problems: Vec<String>) -> Result<()> {
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
        let err = ValuesSchema::compile(&schema)
            .unwrap()
            .validate(&json!({"backend": {"replicaCount": "two"}, "token": "s3cr3t-sentinel"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`backend.replicaCount`"), "{err}");
        assert!(err.contains("`token`"), "{err}");
        assert!(!err.contains("s3cr3t-sentinel"), "{err}");
    }

    /// The schema compiled into the binary and the same schema compiled at run time must
    /// accept and refuse the same values, with the same messages.
    #[test]
    fn builtin_schema_agrees_with_the_runtime_validator() {
        let text = crate::chart::builtin_file("values.schema.json");
        let schema: Value = serde_json::from_slice(text).unwrap();
        jsonschema::meta::validate(&schema).expect("the built-in schema is a valid JSON Schema");
        let runtime = ValuesSchema::compile(&schema).unwrap();
        let builtin = ValuesSchema::new(text, &schema).unwrap();
        assert!(matches!(builtin, ValuesSchema::BuiltIn));

        let chart = crate::chart::Chart::builtin().unwrap();
        // (values, whether the schema refuses them)
        let mut cases = vec![(chart.values.clone(), false)];
        for overlay in ["local", "staging", "production"] {
            let path = format!("{}/values/{overlay}.yaml", env!("CARGO_MANIFEST_DIR"));
            let user =
                crate::yaml::value_from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            cases.push((crate::values::coalesce(chart.values.clone(), &user), false));
        }
        for (user, refused) in [
            (json!({"backend": {"replicaCount": "two"}}), true),
            (json!({"backend": {"image": {"tag": "latest"}}}), true),
            (
                json!({"frontend": {"image": {"tag": "a".repeat(129)}}}),
                true,
            ),
            (
                json!({"frontend": {"image": {"tag": "a".repeat(128)}}}),
                false,
            ),
            (
                json!({"database": {"auth": {"username": "Bad-Name"}}}),
                true,
            ),
            (json!({"backup": {"schedule": "every day"}}), true),
            (json!({"backup": {"schedule": "0 3 * * 1-5"}}), false),
            (json!({"backup": {"schedule": "@weekly"}}), false),
            (json!({"secrets": {"databaseUrl": "mysql://x"}}), true),
            (
                json!({"secrets": {"databaseUrl": "postgresql://u:p@db:5432/todo"}}),
                false,
            ),
            (json!({"unknownKey": 1}), true),
        ] {
            cases.push((
                crate::values::coalesce(chart.values.clone(), &user),
                refused,
            ));
        }
        for (i, (values, refused)) in cases.iter().enumerate() {
            let a = builtin.validate(values).map_err(|e| e.to_string());
            let b = runtime.validate(values).map_err(|e| e.to_string());
            assert_eq!(a, b, "case {i}");
            assert_eq!(a.is_err(), *refused, "case {i}: {a:?}");
        }
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
