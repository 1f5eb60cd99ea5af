//! One template's rendered output -> objects. Each template is parsed on its own so a YAML
//! error names the template and the line within what it rendered; budgets keep alias bombs
//! and runaway nesting from taking the process down.

use rayon::prelude::*;
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
    // Enough for a generated chart of tens of thousands of objects in one template; the node,
    // event and byte limits bound the work whatever the count.
    budget.max_documents = 65_536;
    budget.max_aliases = 10_000;
    budget.max_total_scalar_bytes = 32 * 1024 * 1024;
    let mut options = crate::yaml::options();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 200_000;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    options
}

/// The options for one of `parts` pieces of a text: the limits that add up over a text
/// (documents, aliases, scalar bytes, replayed events) divided among the pieces, so the pieces
/// together never get more than the whole would; the limits per document or per anchor stay.
fn options_shared(parts: usize) -> Options {
    let mut options = options();
    if let Some(budget) = options.budget.as_mut() {
        budget.max_events /= parts;
        budget.max_aliases /= parts;
        budget.max_anchors /= parts;
        budget.max_recorded_anchor_events /= parts;
        budget.max_recorded_anchor_bytes /= parts;
        budget.max_total_property_interpolation_work /= parts;
        budget.max_documents /= parts;
        budget.max_nodes /= parts;
        budget.max_total_scalar_bytes /= parts;
        budget.max_merge_keys /= parts;
    }
    options.alias_limits.max_total_replayed_events /= parts;
    options
}

/// Rendered output at least this long is parsed in parts on several threads (when there are
/// several cores); below it, starting the threads costs more than they save.
const PARALLEL_BYTES: usize = 64 * 1024;

/// Parses every document `template` rendered. Documents that are empty or null (a template
/// that renders only comments or whitespace, or nothing for a disabled feature) are skipped.
///
/// A long output is cut at document markers into one part per thread, and the parts are
/// parsed at once, each with its share of the budget; if any part fails, the whole output is
/// parsed again in one piece, so an error (and its line) is exactly the one-piece parse's.
pub fn documents(template: &str, text: &str) -> Result<Vec<Object>, ManifestError> {
    let parts = if text.len() >= PARALLEL_BYTES {
        rayon::current_num_threads()
    } else {
        1
    };
    documents_in_parts(template, text, parts)
}

/// `documents`, with the text cut into at most `parts` pieces.
fn documents_in_parts(
    template: &str,
    text: &str,
    parts: usize,
) -> Result<Vec<Object>, ManifestError> {
    if parts > 1 {
        let parts = split_documents(text, parts);
        if parts.len() > 1 {
            let parsed: Option<Vec<Vec<Spanned<Value>>>> = parts
                .par_iter()
                .map(|(_, part)| {
                    with_deep_stack(|| {
                        serde_saphyr::from_multiple_with_options(part, options_shared(parts.len()))
                    })
                    .ok()
                })
                .collect();
            if let Some(parsed) = parsed {
                let docs = parts
                    .iter()
                    .zip(parsed)
                    .flat_map(|((first_line, _), docs)| {
                        docs.into_iter().map(move |d| (d, *first_line))
                    });
                return objects(template, docs);
            }
        }
    }
    let docs: Vec<Spanned<Value>> =
        with_deep_stack(|| serde_saphyr::from_multiple_with_options(text, options()))
            .map_err(|err| yaml_error(template, text, &err))?;
    objects(template, docs.into_iter().map(|d| (d, 0)))
}

/// The parsed documents as objects; `line_offset` is the number of lines before the part a
/// document was parsed from.
fn objects(
    template: &str,
    docs: impl Iterator<Item = (Spanned<Value>, u64)>,
) -> Result<Vec<Object>, ManifestError> {
    let mut objects = Vec::new();
    for (mut doc, line_offset) in docs {
        if doc.value.is_null() {
            continue;
        }
        crate::yaml::go_numbers(&mut doc.value);
        let line = doc.defined.line() + line_offset;
        let object = Object::new(template, doc.value);
        check_head(&object, line)?;
        objects.push(object);
    }
    Ok(objects)
}

/// Cuts `text` into at most `parts` pieces of about equal length, each starting at a document
/// start marker (`---` at the start of a line, alone or followed by a space or tab), with the
/// number of lines before each piece. A marker at the start of a line ends whatever scalar or
/// collection came before it (YAML 1.2, 9.1.2), so each piece parses as the documents it holds
/// would in the whole. Lines end as the parser ends them: at `\n`, `\r\n` or a lone `\r`
/// (YAML 1.2, 5.4), so a piece's line count is the parser's. A text that holds a directive
/// (`%` at the start of a line) is not cut: a directive belongs to the document after it.
fn split_documents(text: &str, parts: usize) -> Vec<(u64, &str)> {
    let bytes = text.as_bytes();
    let target = text.len() / parts;
    let mut pieces = Vec::with_capacity(parts);
    let (mut start, mut start_line) = (0, 0u64);
    let (mut at, mut line) = (0, 0u64);
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest[0] == b'%' {
            return vec![(0, text)];
        }
        let is_marker = rest.starts_with(b"---")
            && matches!(rest.get(3), None | Some(b'\n' | b'\r' | b' ' | b'\t'));
        if is_marker && at > start && at - start >= target && pieces.len() + 1 < parts {
            pieces.push((start_line, &text[start..at]));
            (start, start_line) = (at, line);
        }
        let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
            break;
        };
        at += end + 1;
        if rest[end] == b'\r' && bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        line += 1;
    }
    pieces.push((start_line, &text[start..]));
    pieces
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

    /// `n` ConfigMaps, one document each, and the line each one's `apiVersion` is on.
    fn config_maps(n: usize) -> String {
        (0..n)
            .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  text: |\n    line of c{i}\n    --- not a marker: indented\n"))
            .collect()
    }

    #[test]
    fn a_text_cut_in_parts_parses_as_the_whole() {
        let text = config_maps(300);
        let whole = documents_in_parts("templates/c.yaml", &text, 1).expect("valid");
        for parts in [2, 3, 7] {
            let cut = split_documents(&text, parts);
            assert_eq!(cut.len(), parts, "{parts} parts");
            assert!(cut.iter().all(|(_, piece)| piece.starts_with("---\n")));
            assert_eq!(cut.iter().map(|(_, p)| *p).collect::<String>(), text);
            let parsed = documents_in_parts("templates/c.yaml", &text, parts).expect("valid");
            assert_eq!(parsed, whole, "{parts} parts");
        }
    }

    #[test]
    fn an_error_in_a_part_is_the_whole_texts_error_with_its_line() {
        // A document that is not a mapping (at line 2,702, after 300 documents of 9 lines),
        // then a YAML error, both in the second half.
        let mut text = config_maps(300);
        text.push_str("---\n- a list\n");
        let whole = documents_in_parts("templates/c.yaml", &text, 1).expect_err("a list");
        let cut = documents_in_parts("templates/c.yaml", &text, 2).expect_err("a list");
        assert_eq!(cut.to_string(), whole.to_string());
        assert!(whole.to_string().contains(":2702:"), "{whole}");

        let mut text = config_maps(350);
        text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n");
        let whole = documents_in_parts("templates/c.yaml", &text, 1).expect_err("broken");
        let cut = documents_in_parts("templates/c.yaml", &text, 2).expect_err("broken");
        assert_eq!(cut.to_string(), whole.to_string());
    }

    #[test]
    fn markers_are_cut_only_where_a_document_starts() {
        let text = "---\na: 1\n---x: not a marker\n--- # comment\nb: 2\n---\tc\n---\r\nd: 4\n";
        let starts: Vec<u64> = split_documents(text, 100)
            .iter()
            .map(|(line, _)| *line)
            .collect();
        assert_eq!(starts, [0, 3, 5, 6]);
        // A directive belongs to the document after it: such a text is never cut.
        let directive = "---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n";
        assert_eq!(split_documents(directive, 4).len(), 1);
    }

    #[test]
    fn lines_are_counted_as_the_parser_counts_them() {
        // A lone CR ends a line, as CRLF and LF do: the error's line is the same cut or whole.
        for eol in ["\n", "\r\n", "\r"] {
            let mut text = format!("# one{eol}# two\r# three{eol}");
            text.push_str(&config_maps(300).replace('\n', eol));
            text.push_str(&format!("---{eol}- a list{eol}"));
            let whole = documents_in_parts("templates/c.yaml", &text, 1).expect_err("a list");
            let cut = documents_in_parts("templates/c.yaml", &text, 2).expect_err("a list");
            assert_eq!(cut.to_string(), whole.to_string(), "line ends {eol:?}");
            assert_eq!(split_documents(&text, 2).len(), 2, "line ends {eol:?}");
        }
    }

    #[test]
    fn the_parts_share_the_budget_of_the_whole() {
        let whole = options().budget.expect("a budget");
        let half = options_shared(2).budget.expect("a budget");
        assert_eq!(half.max_documents * 2, whole.max_documents);
        assert_eq!(half.max_aliases * 2, whole.max_aliases);
        assert_eq!(half.max_nodes * 2, whole.max_nodes);
        assert_eq!(half.max_depth, whole.max_depth);
    }

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
