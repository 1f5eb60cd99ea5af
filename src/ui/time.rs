//! How todoctl writes a point in time: RFC 3339 in UTC to the second (`2026-11-29T14:14:24Z`)
//! wherever a machine reads it (`-o json|yaml`), as kubectl prints Kubernetes' `metav1.Time`;
//! `2026-11-29 14:14:24 UTC` in tables, for people.

use jiff::Timestamp;

/// `2026-11-29T14:14:24Z`: RFC 3339, UTC, whole seconds (sub-seconds are cut, as Go's
/// `time.RFC3339` layout does for kubectl).
pub fn rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-11-29 14:14:24 UTC`, for tables and messages.
pub fn human(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `#[serde(serialize_with = "crate::ui::time::serialize")]` on a `Timestamp` field of data
/// printed with `-o json|yaml`.
pub fn serialize<S: serde::Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*ts))
}

/// [`serialize`] for an `Option<Timestamp>`: `null` when there is none.
pub fn serialize_opt<S: serde::Serializer>(
    ts: &Option<Timestamp>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match ts {
        Some(ts) => s.serialize_str(&rfc3339(*ts)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_utc_to_the_second() {
        let ts: Timestamp = "2026-11-29T14:14:24.987654321Z"
            .parse()
            .expect("a timestamp");
        assert_eq!(rfc3339(ts), "2026-11-29T14:14:24Z");
        assert_eq!(human(ts), "2026-11-29 14:14:24 UTC");
        let back: Timestamp = rfc3339(ts).parse().expect("RFC 3339 parses back");
        assert_eq!(back.as_second(), ts.as_second());
    }

    #[test]
    fn serializes_as_a_string_or_null() {
        #[derive(serde::Serialize)]
        struct Row {
            #[serde(serialize_with = "serialize")]
            at: Timestamp,
            #[serde(serialize_with = "serialize_opt")]
            maybe: Option<Timestamp>,
        }
        let at: Timestamp = "2026-01-02T03:04:05.5Z".parse().expect("a timestamp");
        let json = serde_json::to_string(&Row { at, maybe: None }).expect("json");
        assert_eq!(json, r#"{"at":"2026-01-02T03:04:05Z","maybe":null}"#);
    }
}
