//! YAML in and out, in one place, so every reader shares the same limits and error style.
//!
//! Reading goes through serde-saphyr with its default budget (alias bombs and runaway nesting
//! fail instead of hanging); writing produces block YAML with stable key order.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses one YAML document into any deserializable type. The error text carries the line and
/// column that serde-saphyr reports, cut to one paragraph.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_saphyr::from_str::<T>(text).map_err(|e| clean_error(&e.to_string()))
}

/// Parses one YAML document into a JSON value; an empty document is `null`.
pub fn value_from_str(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    from_str(text)
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
    fn errors_are_one_line() {
        let e = value_from_str("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
    }
}
