//! One template's rendered output -> objects. Each template is parsed on its own so a YAML
//! error names the template and the line within what it rendered; budgets keep alias bombs
//! and runaway nesting from taking the process down.

use serde_json::Value;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, MessageFormatter, Options, Spanned};

use super::{ManifestError, Object, with_deep_stack};

/// Deep enough for the schemas in real CRDs; each level costs stack in every recursive pass
/// after this one (typed checks, diffs), so there is no point in allowing more.
pub const MAX_DEPTH: usize = 64;

/// Kubernetes' scalar rules (`crate::yaml::options`: `defaultMode: 0400` is 256), with a budget
/// tighter than the parser's defaults: a rendered chart has no business expanding one anchor
/// thousands of times.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_documents = 4_096;
    budget.max_aliases = 10_000;
    budget.max_total_scalar_bytes = 32 * 1024 * 1024;
    let mut options = crate::yaml::options();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 200_000;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    options
}

/// Parses every document `template` rendered. Documents that are empty or null (a template
/// that renders only comments or whitespace, or nothing for a disabled feature) are skipped.
pub fn documents(template: &str, text: &str) -> Result<Vec<Object>, ManifestError> {
    let docs: Vec<Spanned<Value>> =
        with_deep_stack(|| serde_saphyr::from_multiple_with_options(text, options()))
            .map_err(|err| yaml_error(template, text, &err))?;
    let mut objects = Vec::with_capacity(docs.len());
    for mut doc in docs {
        if doc.value.is_null() {
            continue;
        }
        crate::yaml::go_numbers(&mut doc.value);
        let line = doc.defined.line();
        let object = Object::new(template, doc.value);
        check_head(&object, line)?;
        objects.push(object);
    }
    Ok(objects)
}

fn check_head(object: &Object, line: u64) -> Result<(), ManifestError> {
    let not_an_object = |message: String| ManifestError::NotAnObject {
        template: object.template.clone(),
        line,
        message,
    };
    let Some(map) = object.data.as_object() else {
        return Err(not_an_object(format!(
            "the document is {}, not a mapping",
            kind_of(&object.data)
        )));
    };
    for (field, value) in [
        ("apiVersion", map.get("apiVersion")),
        ("kind", map.get("kind")),
        (
            "metadata.name",
            map.get("metadata").and_then(|m| m.get("name")),
        ),
    ] {
        match value {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            None | Some(Value::Null) => {
                return Err(not_an_object(format!("`{field}` is missing")));
            }
            Some(Value::String(_)) => return Err(not_an_object(format!("`{field}` is empty"))),
            Some(other) => {
                return Err(not_an_object(format!(
                    "`{field}` is {}, not a string",
                    kind_of(other)
                )));
            }
        }
    }
    if let Some(metadata) = map.get("metadata")
        && !metadata.is_object()
    {
        return Err(not_an_object(format!(
            "`metadata` is {}, not a mapping",
            kind_of(metadata)
        )));
    }
    Ok(())
}

pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn yaml_error(template: &str, text: &str, err: &serde_saphyr::Error) -> ManifestError {
    let plain = err.without_snippet();
    let message = match plain {
        serde_saphyr::Error::Budget { breach, .. } => budget_message(breach),
        serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => {
            "aliases expand to too much data (an alias bomb?)".to_string()
        }
        other => serde_saphyr::UserMessageFormatter
            .format_message(other)
            .into_owned(),
    };
    let location = err.location();
    let line = location.map_or(0, |l| l.line());
    let column = location.map_or(0, |l| l.column());
    let excerpt = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|l| text.lines().nth(l))
        .map(|l| l.trim_end().chars().take(120).collect::<String>())
        .filter(|l| !l.trim().is_empty());
    ManifestError::Yaml {
        template: template.to_string(),
        line,
        column,
        message: tidy_message(&message),
        excerpt,
    }
}

fn budget_message(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Depth { .. } => format!("nested deeper than {MAX_DEPTH} levels"),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. } => {
            "aliases expand to too much data (an alias bomb?)".to_string()
        }
        BudgetBreach::Documents { documents } => {
            format!("more than {documents} documents in one template")
        }
        _ => "the output is too large or too complex to parse safely".to_string(),
    }
}

/// Drops the location suffix the parser adds (the error prints it first) and the capital
/// letter, so the message reads as part of one sentence.
fn tidy_message(message: &str) -> String {
    let mut msg = message.trim();
    if let Some(at) = msg.rfind(" at line ") {
        msg = &msg[..at];
    }
    let msg = msg.trim_end_matches('.');
    let mut chars = msg.chars();
    let second_is_lower = msg.chars().nth(1).is_some_and(char::is_lowercase);
    match chars.next() {
        None => "invalid YAML".to_string(),
        Some(first) if second_is_lower => first.to_lowercase().chain(chars).collect(),
        Some(_) => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_and_skips_empty_ones() {
        let text = "# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\n---\n# nothing\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n";
        let objects = documents("templates/x.yaml", text).expect("valid");
        let refs: Vec<String> = objects.iter().map(|o| o.reference()).collect();
        assert_eq!(refs, ["configmap/a", "secret/b"]);
        assert_eq!(objects[0].template, "templates/x.yaml");
    }

    #[test]
    fn whitespace_only_template_renders_nothing() {
        assert!(
            documents("templates/off.yaml", "\n  \n# disabled\n")
                .expect("ok")
                .is_empty()
        );
        assert!(documents("templates/off.yaml", "").expect("ok").is_empty());
    }

    #[test]
    fn yaml_error_names_template_line_and_excerpt() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  key: [1, 2\n";
        let err = documents("templates/cm.yaml", text).expect_err("broken");
        let ManifestError::Yaml { line, .. } = &err else {
            panic!("not a yaml error: {err}");
        };
        assert!(*line >= 6, "line {line}");
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn bad_indentation_in_second_document() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n   labels: x\n";
        let err = documents("templates/cm.yaml", text).expect_err("broken");
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn documents_must_be_objects() {
        let cases = [
            ("- a\n- b\n", "list"),
            ("kind: ConfigMap\nmetadata:\n  name: a\n", "apiVersion"),
            ("apiVersion: v1\nmetadata:\n  name: a\n", "kind"),
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
                "metadata.name",
            ),
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\"\n",
                "empty",
            ),
            (
                "apiVersion: 1\nkind: ConfigMap\nmetadata:\n  name: a\n",
                "number",
            ),
        ];
        for (text, needle) in cases {
            let err = documents("templates/t.yaml", text).expect_err(text);
            assert!(err.to_string().contains(needle), "{err}");
        }
        let err = documents(
            "templates/t.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Secret\n",
        )
        .expect_err("second document");
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn alias_bomb_fails_cleanly() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = (b'a' + (i - 1) as u8) as char;
            let cur = (b'a' + i as u8) as char;
            text.push_str(&format!(
                "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let err = documents("templates/bomb.yaml", &text).expect_err("bomb");
        assert!(err.to_string().starts_with("templates/bomb.yaml:"), "{err}");
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = documents("templates/deep.yaml", &text).expect_err("deep");
        assert!(err.to_string().starts_with("templates/deep.yaml:"), "{err}");
        let mut block = String::new();
        for depth in 0..500 {
            block.push_str(&" ".repeat(depth));
            block.push_str("k:\n");
        }
        let err = documents("templates/deep.yaml", &block).expect_err("deep block");
        assert!(err.to_string().starts_with("templates/deep.yaml:"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
        let err = documents("templates/cm.yaml", text).expect_err("duplicate");
        assert!(err.to_string().contains("templates/cm.yaml:5"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = documents("templates/any.yaml", &text);
        }
    }
}
