//! The `--set` family of flags: a port of Helm's `pkg/strvals` parser, so that an expression means
//! exactly what it means to `helm --set` (same escapes, list indexes, `{a,b}` lists and typing).
//! Errors carry the expression and a byte offset so the CLI can point at the offending token.

use serde_json::{Map, Value};

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
        }
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
    Parser::new("--set-file", expr, Mode::File(&read)).apply(dest)
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

enum Mode<'r> {
    Typed,
    String,
    Json,
    File(&'r dyn Fn(&str) -> anyhow::Result<String>),
}

/// Whether parsing continues after a step; Helm signals the end with `io.EOF` as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    More,
    End,
}

struct Until {
    text: String,
    /// The stop character and its byte offset; `None` at the end of the input.
    stop: Option<(char, usize)>,
    start: usize,
}

struct Parser<'a, 'r> {
    flag: &'a str,
    src: &'a str,
    pos: usize,
    mode: Mode<'r>,
    /// Where the assignment being parsed starts, to quote its key in messages.
    assign_start: usize,
    depth: usize,
}

impl<'a, 'r> Parser<'a, 'r> {
    fn new(flag: &'a str, src: &'a str, mode: Mode<'r>) -> Self {
        Parser {
            flag,
            src,
            pos: 0,
            mode,
            assign_start: 0,
            depth: 0,
        }
    }

    /// Parses into a copy so that a failed expression leaves `dest` untouched.
    fn apply(mut self, dest: &mut Value) -> Result<(), SetError> {
        let mut work = dest.clone();
        let root = root_map(self.flag, self.src, &mut work)?;
        loop {
            self.assign_start = self.pos;
            self.depth = 0;
            if self.key(root, 0, false)? == Step::End {
                break;
            }
        }
        *dest = work;
        Ok(())
    }

    fn err(&self, at: usize, message: String) -> SetError {
        SetError::new(self.flag, self.src, at, message)
    }

    /// The key of the current assignment as written, up to its `=` or `,`.
    fn key_text(&self) -> &'a str {
        let rest = &self.src[self.assign_start..];
        let mut escaped = false;
        for (i, ch) in rest.char_indices() {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '=' || ch == ',' {
                return &rest[..i];
            }
        }
        rest
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    /// Helm's `runesUntil`: reads up to a stop character, a backslash making the next character
    /// literal.
    fn until(&mut self, stops: &[char]) -> Until {
        let start = self.pos;
        let mut text = String::new();
        while let Some(ch) = self.bump() {
            if stops.contains(&ch) {
                return Until {
                    text,
                    stop: Some((ch, self.pos - ch.len_utf8())),
                    start,
                };
            }
            if ch == '\\' {
                match self.bump() {
                    Some(next) => text.push(next),
                    None => break,
                }
            } else {
                text.push(ch);
            }
        }
        Until {
            text,
            stop: None,
            start,
        }
    }

    fn deeper(&mut self, at: usize) -> Result<(), SetError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                at,
                format!(
                    "key `{}` is nested deeper than {MAX_DEPTH} levels",
                    self.key_text()
                ),
            ));
        }
        Ok(())
    }

    fn empty_segment(&self, at: usize) -> SetError {
        let key = self.key_text();
        if key.is_empty() {
            self.err(at, "an assignment has no key before `=`".to_string())
        } else {
            self.err(at, format!("key `{key}` has an empty segment"))
        }
    }

    /// Helm's `key`: one path segment of a map, then whatever follows it.
    fn key(
        &mut self,
        data: &mut Map<String, Value>,
        level: usize,
        nested: bool,
    ) -> Result<Step, SetError> {
        let u = self.until(&['=', '[', ',', '.']);
        let Some((stop, at)) = u.stop else {
            if u.text.is_empty() {
                if nested {
                    return Err(self.err(
                        self.src.len(),
                        format!("key `{}` ends with `.`", self.key_text()),
                    ));
                }
                return Ok(Step::End);
            }
            return Err(self.err(
                self.src.len(),
                format!(
                    "key `{}` has no value; write `{}=VALUE`",
                    self.key_text(),
                    self.key_text()
                ),
            ));
        };
        let key = u.text;
        match stop {
            ',' => {
                if key.is_empty() && !nested {
                    return Err(self.err(at, "empty assignment between commas".to_string()));
                }
                if key.is_empty() {
                    return Err(self.empty_segment(at));
                }
                Err(self.err(
                    at,
                    format!(
                        "key `{}` has no value; write `{}=VALUE`",
                        self.key_text(),
                        self.key_text()
                    ),
                ))
            }
            _ if key.is_empty() => Err(self.empty_segment(at)),
            '[' => {
                self.deeper(at)?;
                let index = self.key_index(at)?;
                let mut list = match data.get_mut(&key) {
                    None => Vec::new(),
                    Some(Value::Array(list)) => std::mem::take(list),
                    Some(other) => {
                        let found = kind_name(other);
                        return Err(self.err(
                            u.start,
                            format!("cannot index `{key}`: it holds {found}, not a list"),
                        ));
                    }
                };
                let step = self.list_item(&mut list, index, level);
                data.insert(key, Value::Array(list));
                step
            }
            '=' => {
                let value = match self.value()? {
                    Some(value) => value,
                    None => {
                        data.insert(key, Value::String(String::new()));
                        return Ok(Step::End);
                    }
                };
                data.insert(key, value);
                Ok(Step::More)
            }
            '.' => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(self.err(
                        at,
                        format!(
                            "key `{}` is nested deeper than {MAX_NESTED_NAME_LEVEL} levels",
                            self.key_text()
                        ),
                    ));
                }
                self.deeper(at)?;
                match data.get_mut(&key) {
                    Some(Value::Object(inner)) => self.key(inner, level, true),
                    Some(other) => {
                        let found = kind_name(other);
                        Err(self.err(
                            u.start,
                            format!("cannot set a key under `{key}`: it holds {found}, not a map"),
                        ))
                    }
                    None => {
                        let mut inner = Map::new();
                        let step = self.key(&mut inner, level, true)?;
                        if !inner.is_empty() {
                            data.insert(key, Value::Object(inner));
                        }
                        Ok(step)
                    }
                }
            }
            _ => Ok(Step::End),
        }
    }

    /// Helm's `keyIndex`: the number between `[` and `]`. The bounds Helm checks when it stores
    /// the item are checked here, where the offset still points at the index.
    fn key_index(&mut self, open: usize) -> Result<usize, SetError> {
        let u = self.until(&[']']);
        if u.stop.is_none() {
            return Err(self.err(
                open,
                format!("list index in key `{}` has no closing `]`", self.key_text()),
            ));
        }
        let text = u.text.as_str();
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(
                u.start,
                format!(
                    "list index `{text}` in key `{}` is not a number",
                    self.key_text()
                ),
            ));
        }
        match text.parse::<i64>() {
            Ok(n) if n < 0 => Err(self.err(
                u.start,
                format!("negative list index `{text}` is not allowed"),
            )),
            Ok(n) if n <= MAX_INDEX => usize::try_from(n).map_err(|_| {
                self.err(
                    u.start,
                    format!("list index `{text}` is larger than the maximum of {MAX_INDEX}"),
                )
            }),
            _ if text.starts_with('-') => Err(self.err(
                u.start,
                format!("negative list index `{text}` is not allowed"),
            )),
            _ => Err(self.err(
                u.start,
                format!("list index `{text}` is larger than the maximum of {MAX_INDEX}"),
            )),
        }
    }

    /// Helm's `listItem`: what follows `name[i]`.
    fn list_item(
        &mut self,
        list: &mut Vec<Value>,
        index: usize,
        level: usize,
    ) -> Result<Step, SetError> {
        let u = self.until(&['[', '.', '=']);
        if !u.text.is_empty() {
            return Err(self.err(
                u.start,
                format!(
                    "unexpected `{}` after a list index in key `{}`; expected `.`, `[` or `=`",
                    u.text,
                    self.key_text()
                ),
            ));
        }
        // `name[0]` alone leaves the list as it is, as in Helm.
        let Some((stop, at)) = u.stop else {
            return Ok(Step::End);
        };
        match stop {
            '=' => match self.value()? {
                Some(value) => {
                    set_index(list, index, value);
                    Ok(Step::More)
                }
                None => {
                    set_index(list, index, Value::String(String::new()));
                    Ok(Step::End)
                }
            },
            '[' => {
                self.deeper(at)?;
                let next = self.key_index(at)?;
                let mut inner = match list.get_mut(index) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(inner)) => std::mem::take(inner),
                    Some(other) => {
                        let found = kind_name(other);
                        return Err(self.err(
                            at,
                            format!(
                                "cannot index item {index} of key `{}`: it holds {found}, not a list",
                                self.key_text()
                            ),
                        ));
                    }
                };
                let step = self.list_item(&mut inner, next, level)?;
                if step == Step::End && inner.is_empty() {
                    // Helm drops `a[0][1]` without a value rather than storing an empty list.
                    return Ok(Step::End);
                }
                set_index(list, index, Value::Array(inner));
                Ok(step)
            }
            _ => {
                self.deeper(at)?;
                // An item that is not a map is replaced, as in Helm ("indices out of order").
                if !matches!(list.get(index), Some(Value::Object(_))) {
                    set_index(list, index, Value::Object(Map::new()));
                }
                match list.get_mut(index) {
                    Some(Value::Object(inner)) => self.key(inner, level, true),
                    _ => Ok(Step::End),
                }
            }
        }
    }

    /// The value after `=`; `None` when the input ends right after it.
    fn value(&mut self) -> Result<Option<Value>, SetError> {
        if matches!(self.mode, Mode::Json) {
            return self.json_value().map(Some);
        }
        let Some(first) = self.peek() else {
            return Ok(None);
        };
        if first == '{' {
            return self.value_list().map(Some);
        }
        let u = self.until(&[',']);
        self.convert(&u.text, u.start).map(Some)
    }

    /// Helm's `valList`: `{a,b,c}`.
    fn value_list(&mut self) -> Result<Value, SetError> {
        let open = self.pos;
        self.bump();
        let mut items = Vec::new();
        loop {
            let u = self.until(&[',', '}']);
            match u.stop {
                None => {
                    return Err(self.err(
                        open,
                        format!(
                            "list value for key `{}` has no closing `}}`",
                            self.key_text()
                        ),
                    ));
                }
                Some(('}', _)) => {
                    if self.peek() == Some(',') {
                        self.bump();
                    }
                    items.push(self.convert(&u.text, u.start)?);
                    return Ok(Value::Array(items));
                }
                Some(_) => items.push(self.convert(&u.text, u.start)?),
            }
        }
    }

    fn convert(&self, text: &str, at: usize) -> Result<Value, SetError> {
        match &self.mode {
            Mode::Typed => Ok(typed_value(text)),
            Mode::String | Mode::Json => Ok(Value::String(text.to_string())),
            Mode::File(read) => match read(text) {
                Ok(contents) => Ok(Value::String(contents)),
                Err(err) => Err(self.err(
                    at,
                    format!(
                        "cannot read file `{text}` for key `{}`: {err:#}",
                        self.key_text()
                    ),
                )),
            },
        }
    }

    /// Helm's `emptyVal`: skips blanks; true (and the comma consumed) when no value follows.
    fn empty_value(&mut self) -> bool {
        while let Some(ch) = self.peek() {
            if ch == ',' {
                self.bump();
                return true;
            }
            if !ch.is_whitespace() {
                return false;
            }
            self.bump();
        }
        true
    }

    /// One JSON document; Helm decodes exactly one value and continues after it.
    fn json_value(&mut self) -> Result<Value, SetError> {
        if self.empty_value() {
            return Ok(Value::Null);
        }
        let rest = &self.src[self.pos..];
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                self.pos += stream.byte_offset();
                self.empty_value();
                Ok(value)
            }
            Some(Err(err)) => Err(self.err(
                self.pos + json_error_offset(rest, &err),
                format!(
                    "invalid JSON value for key `{}`: {}",
                    self.key_text(),
                    json_error_message(&err)
                ),
            )),
            None => Ok(Value::Null),
        }
    }
}

/// Helm's `setIndex`: grows the list with nulls up to `index`.
fn set_index(list: &mut Vec<Value>, index: usize, value: Value) {
    if list.len() <= index {
        list.resize(index + 1, Value::Null);
    }
    list[index] = value;
}
