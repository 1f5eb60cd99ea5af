//! Where user values come from (`-f` files and the `--set` family) and the order Helm applies
//! them in. Values files are read with limits, so an alias bomb or a deeply nested document fails
//! with a message instead of eating memory or the stack.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{DefaultMessageFormatter, MessageFormatter};

use super::merge::merge_maps;
use super::strvals::{
    kind_name, parse_set, parse_set_env, parse_set_file, parse_set_json, parse_set_string,
};

/// Deepest nesting accepted in a values file; real charts stay far below it.
pub const MAX_VALUES_DEPTH: usize = 64;
/// Most nodes (maps, lists, scalars) a values file may expand to, aliases included.
pub const MAX_VALUES_NODES: usize = 250_000;
/// Most alias uses in one values file.
pub const MAX_VALUES_ALIASES: usize = 10_000;

/// The values flags of one command, in the order the user gave each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueSources {
    /// `-f`/`--values` files; `-` reads standard input.
    pub files: Vec<PathBuf>,
    pub set_json: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    /// `--set-file key=path`; `-` as a path reads standard input.
    pub set_file: Vec<String>,
    /// `--set-env key=ENV_VAR`: the value of an environment variable, as a string, so secrets
    /// need not appear on a command line. Applied last.
    pub set_env: Vec<String>,
}

impl ValueSources {
    /// True when no values flag was given.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.set_json.is_empty()
            && self.set.is_empty()
            && self.set_string.is_empty()
            && self.set_file.is_empty()
            && self.set_env.is_empty()
    }

    /// The user's values, before chart defaults: each `-f` file in order, then `--set-json`,
    /// `--set`, `--set-string` and `--set-file`, as Helm applies them. Nulls stay in the result;
    /// they delete chart defaults when the values are coalesced.
    ///
    /// Errors are a [`ValuesFileError`] or a [`super::SetError`] inside the `anyhow::Error`.
    pub fn user_values(&self) -> anyhow::Result<Value> {
        let mut base = Map::new();
        for path in &self.files {
            merge_maps(&mut base, read_values_file(path)?);
        }
        let mut base = Value::Object(base);
        for expr in &self.set_json {
            parse_set_json(expr, &mut base)?;
        }
        for expr in &self.set {
            parse_set(expr, &mut base)?;
        }
        for expr in &self.set_string {
            parse_set_string(expr, &mut base)?;
        }
        for expr in &self.set_file {
            parse_set_file(expr, &mut base, read_set_file)?;
        }
        for expr in &self.set_env {
            parse_set_env(expr, &mut base, read_env)?;
        }
        Ok(base)
    }
}

/// The value is never part of an error: only the variable's name is.
fn read_env(name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    match std::env::var(name) {
        Ok(v) => Ok(v),
        Err(std::env::VarError::NotPresent) => Err(anyhow::anyhow!(
            "it is not set; export it before running todoctl"
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(anyhow::anyhow!("it is not valid UTF-8")),
    }
}

fn read_set_file(path: &str) -> anyhow::Result<String> {
    let bytes = if path.trim() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        buf
    } else {
        std::fs::read(path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => anyhow::anyhow!("the file does not exist"),
            _ => anyhow::Error::new(err),
        })?
    };
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("the file is not UTF-8 text"))
}

/// A values file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuesFileError {
    NotFound {
        path: PathBuf,
    },
    Read {
        path: PathBuf,
        reason: String,
    },
    /// Not valid YAML; `line` and `column` are 1-based.
    Syntax {
        path: PathBuf,
        location: Option<(u64, u64)>,
        message: String,
    },
    /// Valid YAML but over a size, nesting or alias limit.
    Limit {
        path: PathBuf,
        location: Option<(u64, u64)>,
        message: String,
    },
    NotAMap {
        path: PathBuf,
        found: &'static str,
    },
    /// A key given twice in one mapping; `line` and `column` (1-based) are the second one's.
    DuplicateKey {
        path: PathBuf,
        key: String,
        line: u64,
        column: u64,
    },
}

impl fmt::Display for ValuesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |location: &Option<(u64, u64)>| match location {
            Some((line, column)) => format!(" at {line}:{column}"),
            None => String::new(),
        };
        match self {
            ValuesFileError::NotFound { path } => {
                write!(f, "values file `{}` does not exist", path.display())
            }
            ValuesFileError::Read { path, reason } => {
                write!(f, "cannot read values file `{}`: {reason}", path.display())
            }
            ValuesFileError::Syntax {
                path,
                location,
                message,
            } => write!(
                f,
                "values file `{}` is not valid YAML{}: {message}",
                path.display(),
                at(location)
            ),
            ValuesFileError::Limit {
                path,
                location,
                message,
            } => write!(
                f,
                "values file `{}` is refused{}: {message}",
                path.display(),
                at(location)
            ),
            ValuesFileError::DuplicateKey {
                path,
                key,
                line,
                column,
            } => write!(
                f,
                "values file `{p}` repeats the key `{key}` at {p}:{line}:{column}: a mapping holds each key once, and the first `{key}` would be lost; merge the two into one",
                p = path.display()
            ),
            ValuesFileError::NotAMap { path, found } => write!(
                f,
                "values file `{}` must hold a map of keys at the top level, not {found}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ValuesFileError {}

/// Reads a `-f` values file (`-` is standard input). An empty file is an empty map.
pub fn read_values_file(path: &Path) -> Result<Map<String, Value>, ValuesFileError> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|err| ValuesFileError::Read {
                path: path.to_path_buf(),
                reason: err.to_string(),
            })?;
        buf
    } else {
        std::fs::read(path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => ValuesFileError::NotFound {
                path: path.to_path_buf(),
            },
            _ => ValuesFileError::Read {
                path: path.to_path_buf(),
                reason: err.to_string(),
            },
        })?
    };
    let text = String::from_utf8(bytes).map_err(|_| ValuesFileError::Read {
        path: path.to_path_buf(),
        reason: "it is not UTF-8 text".to_string(),
    })?;
    parse_values_yaml(&text, path)
}

/// Parses the text of a values file; `path` only names it in errors. Several documents (`---`)
/// merge in order, as Helm does; empty documents count as empty maps.
pub fn parse_values_yaml(text: &str, path: &Path) -> Result<Map<String, Value>, ValuesFileError> {
    let documents: Vec<YamlValue> = serde_saphyr::from_multiple_with_options(text, yaml_options())
        .map_err(|err| yaml_error(path, &err))?;
    let mut out = Map::new();
    for YamlValue(mut document) in documents {
        crate::yaml::go_numbers(&mut document);
        match document {
            Value::Null => {}
            Value::Object(map) => merge_maps(&mut out, map),
            other => {
                return Err(ValuesFileError::NotAMap {
                    path: path.to_path_buf(),
                    found: kind_name(&other),
                });
            }
        }
    }
    Ok(out)
}

/// Helm's YAML 1.1 scalar rules (`crate::yaml::options`: `0755` is octal, `NO` is false), a key
/// given twice is an error naming its line rather than a silent loss of the first block, and a
/// budget for values.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = crate::yaml::options();
    options.budget = serde_saphyr::budget! {
        max_depth: MAX_VALUES_DEPTH,
        max_nodes: MAX_VALUES_NODES,
        max_aliases: MAX_VALUES_ALIASES,
    };
    // `null: x` and `~: x` are keys named by their text.
    options.null_as_string = true;
    options.with_snippet = false;
    options
}

/// The error under the snippet and alias wrappers, which is what says what went wrong.
fn original_error(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    loop {
        match err {
            serde_saphyr::Error::WithSnippet { error, .. }
            | serde_saphyr::Error::AliasError { error, .. } => err = error,
            other => return other,
        }
    }
}

fn yaml_error(path: &Path, err: &serde_saphyr::Error) -> ValuesFileError {
    let inner = original_error(err);
    let location = err.location().map(|l| (l.line(), l.column()));
    let path = path.to_path_buf();
    let limit = |message: String| ValuesFileError::Limit {
        path: path.clone(),
        location,
        message,
    };
    match inner {
        serde_saphyr::Error::Budget { breach, .. } => limit(match breach {
            BudgetBreach::Depth { .. } => {
                format!("it nests maps and lists more than {MAX_VALUES_DEPTH} levels deep")
            }
            BudgetBreach::Nodes { .. } => format!(
                "it expands to more than {MAX_VALUES_NODES} values; YAML aliases can make a small file \
                 expand like this"
            ),
            BudgetBreach::Aliases { .. }
            | BudgetBreach::AliasAnchorRatio { .. }
            | BudgetBreach::RecordedAnchorEvents { .. }
            | BudgetBreach::RecordedAnchorBytes { .. } => {
                "it uses YAML aliases (`*name`) too many times".to_string()
            }
            _ => "it is too large".to_string(),
        }),
        serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. }
        | serde_saphyr::Error::AliasReplayCounterOverflow { .. } => {
            limit("it uses YAML aliases (`*name`) too many times".to_string())
        }
        serde_saphyr::Error::DuplicateMappingKey { key, location: at } => {
            ValuesFileError::DuplicateKey {
                path,
                key: key.clone().unwrap_or_else(|| "?".to_string()),
                line: at.line(),
                column: at.column(),
            }
        }
        serde_saphyr::Error::NonFiniteFloat { value, .. } => ValuesFileError::Syntax {
            path,
            location,
            message: format!("`{value}` is not a finite number"),
        },
        _ => {
            let message = DefaultMessageFormatter.format_message(inner);
            // The formatter leaves control characters to the caller; keep the message one line.
            let message: String = message.chars().flat_map(char::escape_debug).collect();
            let message = message.replace("\\'", "'").replace("\\\"", "\"");
            if message.contains("recursion limit") {
                limit(format!(
                    "it nests maps and lists more than {MAX_VALUES_DEPTH} levels deep"
                ))
            } else {
                ValuesFileError::Syntax {
                    path,
                    location,
                    message,
                }
            }
        }
    }
}

/// A YAML document as a JSON value; scalar map keys become strings (`1: a` has the key `"1"`).
struct YamlValue(Value);

impl<'de> Deserialize<'de> for YamlValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor).map(YamlValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        // Beyond 64 bits Helm has a float too.
        self.visit_f64(v as f64)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("`{v}` is not a finite number")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        String::from_utf8(v.to_vec())
            .map(Value::String)
            .map_err(|_| E::custom("binary value is not UTF-8 text"))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(YamlValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(YamlKey(key)) = map.next_key()? {
            let YamlValue(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

struct YamlKey(String);

impl<'de> Deserialize<'de> for YamlKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Asking for a string gets the key as written: `y` and `on` stay keys rather than turning
        // into `true`, which YAML 1.1 typing would do to them as values.
        deserializer.deserialize_string(KeyVisitor).map(YamlKey)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null as a map key")
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_string())
    }

    fn visit_none<E>(self) -> Result<String, E> {
        Ok("null".to_string())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(KeyVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom("a list cannot be a map key"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom("a map cannot be a map key"))
    }
}
