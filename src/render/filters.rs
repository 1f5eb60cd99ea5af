//! The filters charts use beyond minijinja's built-ins: YAML and encoding helpers modelled on the
//! Helm functions chart authors already know (toYaml, nindent, b64enc, sha256sum, required...).

use base64::Engine as _;
use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};
use sha2::{Digest, Sha256};

fn to_json(value: &Value) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot convert value to data: {e}"),
        )
    })
}

fn as_text(value: &Value) -> String {
    match value.as_str() {
        Some(s) => s.to_string(),
        None => super::display(value),
    }
}

/// Block YAML without a trailing newline, for `{{ values.x | toyaml | nindent(8) }}`.
pub fn toyaml(value: Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "toyaml got an undefined value",
        ));
    }
    let json = to_json(&value)?;
    let text = crate::yaml::to_string(&json).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot write YAML: {e}"),
        )
    })?;
    Ok(text.trim_end_matches('\n').to_string())
}

pub fn b64encode(value: Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(as_text(&value))
}

pub fn b64decode(value: Value) -> Result<String, Error> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(as_text(&value).trim())
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("b64decode: not base64 ({e})"),
            )
        })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            "b64decode: the decoded bytes are not UTF-8 text",
        )
    })
}

/// Hex SHA-256 of the text, for checksum annotations that roll pods when their config changes.
pub fn sha256(value: Value) -> String {
    let digest = Sha256::digest(as_text(&value).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A newline, then every line indented by `width` spaces (Helm's `nindent`).
pub fn nindent(value: Value, width: usize) -> String {
    let text = as_text(&value);
    let pad = " ".repeat(width);
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// A double-quoted YAML string; JSON string syntax is valid YAML and escapes everything needed.
pub fn quote(value: Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "quote got an undefined value",
        ));
    }
    let text = if value.is_none() {
        String::new()
    } else {
        as_text(&value)
    };
    serde_json::to_string(&text).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// Fails the render with the chart's own message when a value is missing or empty.
pub fn required(value: Value, message: Option<String>) -> Result<Value, Error> {
    let missing = value.is_undefined()
        || value.is_none()
        || (value.kind() == ValueKind::String && value.as_str().is_some_and(str::is_empty));
    if missing {
        let msg = message.unwrap_or_else(|| "a required value is missing".to_string());
        return Err(Error::new(ErrorKind::InvalidOperation, msg));
    }
    Ok(value)
}

/// The first `n` characters; a negative `n` keeps the last `-n` (Helm's `trunc`).
pub fn trunc(value: Value, n: i64) -> String {
    let text = as_text(&value);
    let count = text.chars().count();
    let keep = n.unsigned_abs() as usize;
    if keep >= count {
        return text;
    }
    if n >= 0 {
        text.chars().take(keep).collect()
    } else {
        text.chars().skip(count - keep).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip() {
        let enc = b64encode(Value::from("hello"));
        assert_eq!(enc, "aGVsbG8=");
        assert_eq!(b64decode(Value::from(enc)).unwrap(), "hello");
        assert!(b64decode(Value::from("%%%")).is_err());
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256(Value::from("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn nindent_indents_every_line() {
        assert_eq!(nindent(Value::from("a: 1\nb: 2"), 2), "\n  a: 1\n  b: 2");
    }

    #[test]
    fn quote_escapes() {
        assert_eq!(quote(Value::from("a\"b")).unwrap(), "\"a\\\"b\"");
        assert_eq!(quote(Value::from(3)).unwrap(), "\"3\"");
    }

    #[test]
    fn trunc_both_ways() {
        assert_eq!(trunc(Value::from("abcdef"), 3), "abc");
        assert_eq!(trunc(Value::from("abcdef"), -2), "ef");
        assert_eq!(trunc(Value::from("ab"), 5), "ab");
    }

    #[test]
    fn required_rejects_empty() {
        assert!(required(Value::from(""), Some("need it".into())).is_err());
        assert!(required(Value::UNDEFINED, None).is_err());
        assert!(required(Value::from("x"), None).is_ok());
    }
}
