//! The API server's naming rules (apimachinery's `validation.IsDNS1123Subdomain`,
//! `IsDNS1123Label`, `IsDNS1035Label`, `IsQualifiedName`, `IsValidLabelValue`), as sentences.

use super::kinds::NameRule;

/// Why `name` breaks `rule`, if it does.
pub fn name_problem(name: &str, rule: NameRule) -> Option<String> {
    match rule {
        NameRule::Subdomain => dns_subdomain_problem(name),
        NameRule::Label(max) => dns_label_problem(name, max),
        NameRule::Rfc1035Label => dns_label_problem(name, 63).or_else(|| {
            (!name.starts_with(|c: char| c.is_ascii_lowercase()))
                .then(|| "it must start with a lowercase letter".to_string())
        }),
    }
}

fn dns_label_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_string());
    }
    if name.len() > max {
        return Some(format!(
            "it is {} characters long, over the limit of {max}",
            name.len()
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some("use only lowercase letters, digits and `-`".to_string());
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it must start and end with a letter or digit".to_string());
    }
    None
}

fn dns_subdomain_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_string());
    }
    if name.len() > 253 {
        return Some(format!(
            "it is {} characters long, over the limit of 253",
            name.len()
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Some("use only lowercase letters, digits, `-` and `.`".to_string());
    }
    if name
        .split('.')
        .any(|part| part.is_empty() || part.starts_with('-') || part.ends_with('-'))
    {
        return Some(
            "each `.`-separated part must start and end with a letter or digit".to_string(),
        );
    }
    None
}

/// Label and annotation keys: an optional DNS subdomain prefix, `/`, and a name.
pub fn qualified_name_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && let Some(why) = dns_subdomain_problem(prefix)
    {
        return Some(format!("prefix `{prefix}`: {why}"));
    }
    if name.is_empty() {
        return Some("the name part is empty".to_string());
    }
    name_part_problem(name)
}

/// Label values: empty, or up to 63 characters of the name-part alphabet.
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    name_part_problem(value)
}

fn name_part_problem(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!(
            "it is {} characters long, over the limit of 63",
            s.len()
        ));
    }
    let ok_inner = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let bytes = s.as_bytes();
    let edges_ok = bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
    if !edges_ok || !bytes.iter().all(|&b| ok_inner(b)) {
        return Some(
            "use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
                .to_string(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert_eq!(name_problem("backend", NameRule::Subdomain), None);
        assert_eq!(name_problem("a.b-c.d", NameRule::Subdomain), None);
        assert!(name_problem("a..b", NameRule::Subdomain).is_some());
        assert!(name_problem(&"a".repeat(254), NameRule::Subdomain).is_some());
        assert!(name_problem(&"a".repeat(64), NameRule::Label(63)).is_some());
        assert!(name_problem("a.b", NameRule::Label(63)).is_some());
        assert!(name_problem("9api", NameRule::Rfc1035Label).is_some());
        assert!(name_problem(&"a".repeat(53), NameRule::Label(52)).is_some());
        assert_eq!(qualified_name_problem("app.kubernetes.io/name"), None);
        assert_eq!(qualified_name_problem("Tier_1.x"), None);
        assert!(qualified_name_problem("a/b/c").is_some());
        assert!(qualified_name_problem("/x").is_some());
        assert_eq!(label_value_problem(""), None);
        assert!(label_value_problem("-x").is_some());
    }
}
