//! The `--set` family of flags: a port of Helm's `pkg/strvals` parser, so that an expression means
//! exactly what it means to `helm --set` (same escapes, list indexes, `{a,b}` lists and typing).
//! Errors carry the expression and a byte offset so the CLI can point at the offending token.
//!
//! This module holds the entry points, the error type and the typing rule; [`parser`] holds the
//! parser itself, Helm's `parser.go` function for function.

mod parser;

use serde_json::{Map, Value};

use parser::{Mode, Parser, Source};

/// Helm's `MaxIndex`: a bigger index would let one short flag allocate a huge list.
pub const MAX_INDEX: i64 = 65536;

/// Helm's `MaxNestedNameLevel`: how many dots one key may contain.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// Dots and list indexes together; Helm has no limit on `a[0][0]...`, but each level costs a
/// stack frame here, so a hostile expression must stop long before the stack does.
const MAX_DEPTH: usize = 64;

/// A `--set`, `--set-string`, `--set-json` or `--set-file` expression that could not be applied.
///
/// Displays as a message naming the flag, then the expression with a caret under the byte at
/// [`SetError::offset`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct SetError {
    flag: String,
    expr: String,
    offset: usize,
    message: String,
    /// Whether the rendering quotes the expression with a caret.
    quoted: bool,
}

impl SetError {
    fn new(flag: &str, expr: &str, offset: usize, message: String) -> Self {
        // Keys and values are quoted in the message; a tab or newline in them must not break it.
        let message = message
            .chars()
            .flat_map(|ch| {
                let escaped: Vec<char> = if ch.is_control() {
                    ch.escape_debug().collect()
                } else {
                    vec![ch]
                };
                escaped
            })
            .collect::<String>();
        // A hostile key can be megabytes long; the excerpt below shows where, so the message
        // needs only its start.
        let message = shorten_quoted(&message, 60);
        SetError {
            flag: flag.to_string(),
            expr: expr.to_string(),
            offset: offset.min(expr.len()),
            message,
            quoted: true,
        }
    }

    /// Renders without quoting the expression, for flags whose values may be secrets.
    #[must_use]
    pub fn without_expression(mut self) -> Self {
        self.quoted = false;
        self
    }

    /// Names another flag in the message (for flags that reuse this syntax, e.g. `--set-label`).
    #[must_use]
    pub fn with_flag(mut self, flag: &str) -> Self {
        self.flag = flag.to_string();
        self
    }

    /// The flag the expression came from, e.g. `--set`.
    pub fn flag(&self) -> &str {
        &self.flag
    }

    /// The whole expression as the user wrote it.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Byte offset in [`SetError::expr`] of the offending token.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What is wrong, without the flag name or the excerpt.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn render(&self) -> String {
        if !self.quoted {
            return format!("invalid {} expression: {}", self.flag, self.message);
        }
        let (line, caret) = excerpt(&self.expr, self.offset);
        format!(
            "invalid {} expression: {}\n  {}\n  {}^",
            self.flag,
            self.message,
            line,
            " ".repeat(caret)
        )
    }
}

/// The message with every backtick-quoted span cut to at most `max` characters (`…` marks the
/// cut), so the sentence around a hostile key survives whole.
fn shorten_quoted(message: &str, max: usize) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are inside backticks.
        if i % 2 == 1 && part.chars().count() > max {
            out.extend(part.chars().take(max));
            out.push('…');
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The expression on one line (control characters escaped, long input cropped around the offset)
/// and the column of the caret in it.
fn excerpt(expr: &str, offset: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    const CONTEXT: usize = 40;
    let mut pieces: Vec<String> = Vec::new();
    let mut caret_piece = None;
    for (at, ch) in expr.char_indices() {
        if caret_piece.is_none() && at >= offset {
            caret_piece = Some(pieces.len());
        }
        pieces.push(if ch.is_control() {
            ch.escape_debug().to_string()
        } else {
            ch.to_string()
        });
    }
    let caret_piece = caret_piece.unwrap_or(pieces.len());
    let (start, end) = if pieces.len() > WIDTH {
        let start = caret_piece.saturating_sub(CONTEXT);
        (start, (start + 2 * CONTEXT).min(pieces.len()))
    } else {
        (0, pieces.len())
    };
    let mut line = String::new();
    let mut caret = 0;
    if start > 0 {
        line.push_str("...");
    }
    for (i, piece) in pieces.iter().enumerate().take(end).skip(start) {
        if i == caret_piece {
            caret = line.chars().count();
        }
        line.push_str(piece);
    }
    if caret_piece >= end {
        caret = line.chars().count();
    }
    if end < pieces.len() {
        line.push_str("...");
    }
    (line, caret)
}

/// Applies a `--set` expression: values are typed (`true`/`false`, `null`, integers), the rest are
/// strings.
pub fn parse_set(expr: &str, dest: &mut Value) -> Result<(), SetError> {
    Parser::new("--set", expr, Mode::Typed).apply(dest)
}

/// Applies a `--set-string` expression: every value is a string.
pub fn parse_set_string(expr: &str, dest: &mut Value) -> Result<(), SetError> {
    Parser::new("--set-string", expr, Mode::String).apply(dest)
}

/// Applies a `--set-json` expression: each value is one JSON document (`a=[1,2],b={"c":true}`),
/// an empty value is null. An expression that starts with `{` is a whole JSON object merged into
/// `dest`, as Helm does.
pub fn parse_set_json(expr: &str, dest: &mut Value) -> Result<(), SetError> {
    const FLAG: &str = "--set-json";
    let trimmed = expr.trim();
    if trimmed.starts_with('{') {
        let lead = expr.len() - expr.trim_start().len();
        let object = match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                return Err(SetError::new(
                    FLAG,
                    expr,
                    lead,
                    "expected a JSON object".to_string(),
                ));
            }
            Err(err) => {
                let at = lead + json_error_offset(trimmed, &err);
                return Err(SetError::new(
                    FLAG,
                    expr,
                    at,
                    format!("invalid JSON object: {}", json_error_message(&err)),
                ));
            }
        };
        let root = root_map(FLAG, expr, dest)?;
        crate::values::merge::merge_maps(root, object);
        return Ok(());
    }
    Parser::new(FLAG, expr, Mode::Json).apply(dest)
}

/// Applies a `--set-file` expression: each value is a path, and the key gets the file's contents
/// as a string. `read` does the reading, so callers decide about `-` (stdin) and tests need no
/// files.
pub fn parse_set_file(
    expr: &str,
    dest: &mut Value,
    read: impl Fn(&str) -> anyhow::Result<String>,
) -> Result<(), SetError> {
    Parser::new("--set-file", expr, Mode::Read(Source::File, &read)).apply(dest)
}

/// Applies a `--set-env` expression: each value is the name of an environment variable, and the
/// key gets its value as a string. `read` does the reading; its errors name the variable, never
/// a value.
pub fn parse_set_env(
    expr: &str,
    dest: &mut Value,
    read: impl Fn(&str) -> anyhow::Result<String>,
) -> Result<(), SetError> {
    // The expression is not quoted back: where a variable's name was meant, it may hold a
    // secret value.
    Parser::new(
        "--set-env",
        expr,
        Mode::Read(Source::EnvironmentVariable, &read),
    )
    .apply(dest)
    .map_err(SetError::without_expression)
}

/// Helm's `typedVal`: `true`/`false`/`null` in any case, `0`, and integers that fit in an i64 and
/// do not start with `0` are typed; everything else (`1.5`, `010`, `1e3`) stays a string.
pub fn typed_value(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if s == "0" {
        return Value::from(0i64);
    }
    if !s.is_empty()
        && !s.starts_with('0')
        && let Ok(n) = s.parse::<i64>()
    {
        return Value::from(n);
    }
    Value::String(s.to_string())
}

fn root_map<'v>(
    flag: &str,
    expr: &str,
    dest: &'v mut Value,
) -> Result<&'v mut Map<String, Value>, SetError> {
    if dest.is_null() {
        *dest = Value::Object(Map::new());
    }
    match dest {
        Value::Object(map) => Ok(map),
        other => Err(SetError::new(
            flag,
            expr,
            0,
            format!(
                "values must be a map to set keys in, not {}",
                kind_name(other)
            ),
        )),
    }
}

pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn json_error_offset(text: &str, err: &serde_json::Error) -> usize {
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n + 1 == err.line() {
            let col = err.column().saturating_sub(1);
            return offset + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        }
        offset += line.len();
    }
    text.len()
}

fn json_error_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}
