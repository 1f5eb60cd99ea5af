//! The `--set` expression parser: Helm's `pkg/strvals/parser.go` (`key`, `keyIndex`, `listItem`,
//! `val`, `valList`, `runesUntil`, `setIndex`) as one recursive-descent [`Parser`] over the
//! expression, with the same stops, escapes and errors.

use serde_json::{Map, Value};

use super::{
    MAX_DEPTH, MAX_INDEX, MAX_NESTED_NAME_LEVEL, SetError, json_error_message, json_error_offset,
    kind_name, root_map, typed_value,
};

pub(super) enum Mode<'r> {
    Typed,
    String,
    Json,
    /// Each value names a source read by the function.
    Read(Source, &'r dyn Fn(&str) -> anyhow::Result<String>),
}

/// What the values of a [`Mode::Read`] expression name.
#[derive(Clone, Copy)]
pub(super) enum Source {
    File,
    EnvironmentVariable,
}

impl Source {
    fn noun(self) -> &'static str {
        match self {
            Source::File => "file",
            Source::EnvironmentVariable => "environment variable",
        }
    }

    fn placeholder(self) -> &'static str {
        match self {
            Source::File => "PATH",
            Source::EnvironmentVariable => "NAME",
        }
    }

    /// How a message names the value `text`: quoted, unless it cannot be what it should name
    /// (`--set-env KEY=$VAR` gives the variable's value, maybe a secret, where its name goes).
    fn describe(self, text: &str) -> String {
        match self {
            Source::File => format!("file `{text}`"),
            Source::EnvironmentVariable if is_variable_name(text) => {
                format!("environment variable `{text}`")
            }
            Source::EnvironmentVariable => {
                "an environment variable: what follows `=` is not a variable's name (write the name, `NAME`, not its value or `$NAME`)".to_string()
            }
        }
    }
}

/// POSIX's portable environment variable names: letters, digits and `_`, not starting with a
/// digit.
fn is_variable_name(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
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

pub(super) struct Parser<'a, 'r> {
    flag: &'a str,
    src: &'a str,
    pos: usize,
    mode: Mode<'r>,
    /// Where the assignment being parsed starts, to quote its key in messages.
    assign_start: usize,
    depth: usize,
}

impl<'a, 'r> Parser<'a, 'r> {
    pub(super) fn new(flag: &'a str, src: &'a str, mode: Mode<'r>) -> Self {
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
    pub(super) fn apply(mut self, dest: &mut Value) -> Result<(), SetError> {
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
            // Helm's empty value (`key=` sets ""), except where the value names what to read:
            // nothing to name is a mistake (an unset shell variable), not an empty string.
            if matches!(self.mode, Mode::Read(..)) {
                return self.convert("", self.pos).map(Some);
            }
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
            Mode::Read(source, _) if text.trim().is_empty() => Err(self.err(
                at,
                format!(
                    "no {} named for key `{}`: nothing follows `=` (a shell variable that is not set?); write `{}={}`",
                    source.noun(),
                    self.key_text(),
                    self.key_text(),
                    source.placeholder()
                ),
            )),
            Mode::Read(source, read) => match read(text) {
                Ok(contents) => Ok(Value::String(contents)),
                Err(err) => Err(self.err(
                    at,
                    format!(
                        "cannot read {} for key `{}`: {err:#}",
                        source.describe(text),
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
