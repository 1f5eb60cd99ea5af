//! YAML in and out, in one place, so every reader shares the same limits, scalar rules and
//! error style.
//!
//! Reading goes through serde-saphyr with its default budget (alias bombs and runaway nesting
//! fail instead of hanging) and the scalar rules Kubernetes and Helm read YAML with; writing
//! produces block YAML with stable key order.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The scalar rules of kubectl and Helm, which read YAML with sigs.k8s.io/yaml over go-yaml v2
/// (YAML 1.1): a leading-zero integer is octal (`0400` is 256, `-0400` is -256, `0o400` too),
/// `0x1F` is 31, `08` (not octal) is the number 8, `yes`/`no`/`on`/`off`/`y`/`n` are booleans,
/// and a key given twice in one mapping is an error. Callers add their own budget.
pub fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.legacy_octal_numbers = true;
    options.strict_booleans = false;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options
}

/// Parses one YAML document into any deserializable type, with [`options`]. The error text
/// carries the line and column that serde-saphyr reports, cut to one paragraph.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_saphyr::from_str_with_options::<T>(text, options())
        .map_err(|e| clean_error(&e.to_string()))
}

/// Parses one YAML document into a JSON value; an empty document is `null`. Whole floats are
/// integers, as in [`go_numbers`].
pub fn value_from_str(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let mut value = from_str(text)?;
    go_numbers(&mut value);
    Ok(value)
}

/// Turns every whole float (`8.0` from `08` or `8.0`, `1000.0` from `1e3`) into an integer:
/// Kubernetes clients hold YAML numbers as Go float64 and send them as JSON, where Go writes a
/// whole float64 without a fraction (`8`), so the API server sees an integer. Doing the same
/// keeps an integer field such as `defaultMode` or `replicas` valid and prints `8` where a
/// template shows it, as Helm does.
pub fn go_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.is_finite()
                && f.fract() == 0.0
                // Within ±2^53 a float64 holds every integer exactly.
                && f.abs() <= 9_007_199_254_740_992.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(go_numbers),
        Value::Object(map) => map.values_mut().for_each(go_numbers),
        _ => {}
    }
}

/// The words YAML 1.1 reads as booleans besides `true` and `false`, compared in any case.
const YAML11_BOOLEAN_WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off"];

/// One unquoted YAML 1.1 boolean word in a YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BooleanWord {
    /// 1-based line.
    pub line: usize,
    /// As written: `NO`, `on`.
    pub word: String,
    /// Whether it is a mapping key (`on:`) rather than a value.
    pub is_key: bool,
}

/// Every plain (unquoted) key or value in `text` that is one of `y`, `n`, `yes`, `no`, `on`,
/// `off` in any case: YAML 1.1, which Kubernetes and Helm read with, makes it a boolean
/// (`country: NO` is `false`). A line scanner, not a parser: it follows block and flow
/// mappings and lists, skips comments, quoted text and block scalars (`|`, `>`), and is meant
/// for warnings, so text that is not valid YAML just yields fewer words.
pub fn yaml11_boolean_words(text: &str) -> Vec<BooleanWord> {
    let mut found = Vec::new();
    // Indentation of the line that opened a block scalar; deeper lines belong to it.
    let mut block_scalar: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if let Some(open) = block_scalar {
            if line.is_empty() || indent > open {
                continue;
            }
            block_scalar = None;
        }
        if line.is_empty() || line.starts_with('#') || line == "---" || line == "..." {
            continue;
        }
        let mut rest = strip_comment(line);
        while let Some(item) = rest
            .strip_prefix("- ")
            .or_else(|| (rest == "-").then_some(""))
        {
            rest = item.trim_start();
        }
        let mut note = |word: &str, is_key: bool| {
            if YAML11_BOOLEAN_WORDS
                .iter()
                .any(|w| w.eq_ignore_ascii_case(word))
            {
                found.push(BooleanWord {
                    line: i + 1,
                    word: word.to_string(),
                    is_key,
                });
            }
        };
        let value = match split_key(rest) {
            Some((key, value)) => {
                note(key, true);
                value
            }
            None => rest,
        };
        if value.starts_with('|') || value.starts_with('>') {
            block_scalar = Some(indent);
        } else if value.starts_with('[') || value.starts_with('{') {
            flow_words(value, &mut note);
        } else {
            note(value, false);
        }
    }
    found
}

/// `key: value` -> (`key`, `value`) when the key is plain; `None` for a line without a key.
fn split_key(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(['"', '\'', '[', '{']) {
        return None;
    }
    let at = line
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))?;
    Some((line[..at].trim(), line[at + 1..].trim()))
}

/// Text before a ` #` comment that is not inside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t') => return line[..i].trim_end(),
            None => {}
        }
        prev = c;
    }
    line
}

/// The plain words of a one-line flow collection: `[yes, "no", {on: off}]`.
fn flow_words(text: &str, note: &mut impl FnMut(&str, bool)) {
    let mut quote: Option<char> = None;
    let mut start = 0;
    let flush = |piece: &str, note: &mut dyn FnMut(&str, bool)| {
        let piece = piece.trim();
        match split_key(piece) {
            Some((key, value)) => {
                note(key, true);
                note(value, false);
            }
            None => note(piece, false),
        }
    };
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if matches!(c, '[' | ']' | '{' | '}' | ',') => {
                flush(&text[start..i], note);
                start = i + c.len_utf8();
            }
            None => {}
        }
    }
    flush(&text[start..], note);
}

/// Block YAML for any serializable value, without a document marker.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    serde_saphyr::to_string(value).map_err(|e| e.to_string())
}

/// serde-saphyr renders a source excerpt over several lines; keep its first line (what and
/// where) and drop the decoration, because our callers add their own file and template names.
fn clean_error(message: &str) -> String {
    let first = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML");
    first.trim_start_matches("error: ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes() {
        let v = value_from_str("a: 1\nb: [x, y]\n").unwrap();
        assert_eq!(v["a"], 1);
        let out = to_string(&v).unwrap();
        assert!(out.contains("a: 1"));
    }

    #[test]
    fn empty_is_null() {
        assert_eq!(value_from_str("  \n").unwrap(), Value::Null);
    }

    #[test]
    fn leading_zero_integers_read_as_kubernetes_reads_them() {
        let v = value_from_str(
            "a: 0400\nb: 0644\nc: 0755\nd: 0o400\ne: 08\nf: 0x1F\ng: -0400\nh: \"0400\"\ni: 0\nj: 8.0\nk: 1e3\nl: 2.5\nm: 1_000\n",
        )
        .unwrap();
        assert_eq!(v["a"], 256);
        assert_eq!(v["b"], 420);
        assert_eq!(v["c"], 493);
        assert_eq!(v["d"], 256);
        // Not octal: go-yaml reads it as the float 8, which Kubernetes receives as 8.
        assert_eq!(v["e"], 8);
        assert_eq!(v["f"], 31);
        assert_eq!(v["g"], -256);
        assert_eq!(v["h"], "0400");
        assert_eq!(v["i"], 0);
        assert_eq!(v["j"], 8);
        assert_eq!(v["k"], 1000);
        assert_eq!(v["l"], 2.5);
        assert_eq!(v["m"], 1000);
        assert!(v["a"].is_i64() && v["e"].is_i64() && v["j"].is_i64());
    }

    #[test]
    fn yaml11_booleans_are_booleans_and_duplicate_keys_errors() {
        let v = value_from_str("a: NO\nb: yes\nc: On\nd: off\ne: n\nf: Y\ng: \"no\"\nh: nope\n")
            .unwrap();
        assert_eq!(
            [&v["a"], &v["b"], &v["c"], &v["d"], &v["e"], &v["f"]],
            [false, true, true, false, false, true]
        );
        assert_eq!(v["g"], "no");
        assert_eq!(v["h"], "nope");
        let e = value_from_str("image:\n  tag: a\nimage:\n  pullPolicy: b\n").unwrap_err();
        assert!(e.contains("image") && e.contains('3'), "{e}");
    }

    #[test]
    fn unquoted_boolean_words_are_found_with_their_lines() {
        let text = "\
country: NO
quoted: \"no\"
single: 'yes'
list:
  - yes
  - Off   # a comment
  - nope
on: 1
flow: [y, \"n\", {k: ON}]
script: |
  echo no
  on: yes
after: n
url: http://on.example/yes
# comment: yes
";
        let found: Vec<(usize, String, bool)> = yaml11_boolean_words(text)
            .into_iter()
            .map(|w| (w.line, w.word, w.is_key))
            .collect();
        let want: Vec<(usize, String, bool)> = [
            (1, "NO", false),
            (5, "yes", false),
            (6, "Off", false),
            (8, "on", true),
            (9, "y", false),
            (9, "ON", false),
            (13, "n", false),
        ]
        .into_iter()
        .map(|(l, w, k)| (l, w.to_string(), k))
        .collect();
        assert_eq!(found, want);
    }

    #[test]
    fn errors_are_one_line() {
        let e = value_from_str("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
    }
}
