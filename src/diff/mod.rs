//! Object diffs for `todoctl diff`: the live object against the desired one, with the fields
//! the server manages removed and Secret values redacted, as a unified diff of their YAML and
//! as the list of leaf paths that differ. Pure: fetching both sides is the caller's job.

mod clean;
mod redact;
mod unified;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use clean::strip_noise;
pub use redact::{
    REDACTED, REDACTED_ADDED, REDACTED_CHANGED, is_secret, redact_secret, redact_secret_pair,
    redact_values,
};
pub use unified::{colorize, use_color};

/// What applying the desired object does to the live one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Unchanged => "unchanged",
        })
    }
}

/// One object's change. Unless secrets were asked for, nothing in here (the Debug output
/// included) holds a Secret value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectDiff {
    /// `deployment/backend`
    pub object: String,
    pub namespace: Option<String>,
    pub action: Action,
    /// Unified diff of the two YAML renderings, without colour; empty when unchanged.
    pub diff: String,
    /// Leaf paths that differ, like `spec.replicas` or
    /// `spec.template.spec.containers[0].image`; a key with a dot in it is written
    /// `metadata.labels["app.kubernetes.io/name"]`.
    pub changed_paths: Vec<String>,
}

/// Compares the live object (`before`, `None` when it does not exist) with the desired one
/// (`after`, `None` when it is to be deleted). Both sides lose their server-managed fields and
/// have their keys sorted, so neither noise nor key order shows as a change; Secrets (by
/// `kind` or by either side's kind) are redacted unless `show_secrets`.
pub fn diff_object(
    reference: &str,
    namespace: Option<&str>,
    kind: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    show_secrets: bool,
) -> ObjectDiff {
    diff_object_between(
        Sides::LIVE,
        reference,
        namespace,
        kind,
        before,
        after,
        show_secrets,
    )
}

/// Two sets of objects compared (two revisions, Helm's last release and todoctl's render):
/// each object of `after` against the object of the same key in `before` (created when there is
/// none), in `after`'s order, then each object of `before` that `after` lacks and that
/// `show_removed` accepts, as deleted. Keys give objects without a namespace `namespace`.
pub fn diff_objects_between(
    sides: Sides<'_>,
    before: &[crate::manifest::Object],
    after: &[crate::manifest::Object],
    namespace: &str,
    show_secrets: bool,
    show_removed: impl Fn(&crate::manifest::Object) -> bool,
) -> Vec<ObjectDiff> {
    let before_by_key: std::collections::HashMap<_, _> =
        before.iter().map(|o| (o.key(namespace), o)).collect();
    let after_keys: std::collections::HashSet<_> = after.iter().map(|o| o.key(namespace)).collect();
    let one = |o: &crate::manifest::Object, before: Option<&Value>, after: Option<&Value>| {
        diff_object_between(
            sides,
            &o.reference(),
            o.namespace(),
            o.kind(),
            before,
            after,
            show_secrets,
        )
    };
    let mut diffs: Vec<ObjectDiff> = after
        .iter()
        .map(|o| {
            let old = before_by_key.get(&o.key(namespace)).map(|x| &x.data);
            one(o, old, Some(&o.data))
        })
        .collect();
    diffs.extend(
        before
            .iter()
            .filter(|o| !after_keys.contains(&o.key(namespace)) && show_removed(o))
            .map(|o| one(o, Some(&o.data), None)),
    );
    diffs
}

/// What the two sides of a diff are, named in its `---` and `+++` headers.
#[derive(Clone, Copy, Debug)]
pub struct Sides<'a> {
    pub before: &'a str,
    pub after: &'a str,
}

impl Sides<'static> {
    /// The cluster against what todoctl would apply.
    pub const LIVE: Sides<'static> = Sides {
        before: "live",
        after: "desired",
    };
}

/// [`diff_object`] with the sides named by `sides` (`revision 1` / `revision 2`) instead of
/// live / desired.
pub fn diff_object_between(
    sides: Sides<'_>,
    reference: &str,
    namespace: Option<&str>,
    kind: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    show_secrets: bool,
) -> ObjectDiff {
    let before = before.map(strip_noise);
    let after = after.map(strip_noise);
    let secret = kind == "Secret" || before.iter().chain(after.iter()).any(is_secret);
    let (before, after) = if !secret {
        (before, after)
    } else if show_secrets {
        (
            before.as_ref().map(redact::fold_string_data),
            after.as_ref().map(redact::fold_string_data),
        )
    } else {
        redact_secret_pair(before.as_ref(), after.as_ref())
    };
    let before = before.as_ref().map(clean::sort_keys);
    let after = after.as_ref().map(clean::sort_keys);

    let action = match (&before, &after) {
        (None, None) => Action::Unchanged,
        (None, Some(_)) => Action::Create,
        (Some(_), None) => Action::Delete,
        (Some(b), Some(a)) if b == a => Action::Unchanged,
        (Some(_), Some(_)) => Action::Update,
    };
    let mut changed_paths = Vec::new();
    collect_changes(
        before.as_ref(),
        after.as_ref(),
        &mut String::new(),
        &mut changed_paths,
    );
    let diff = if action == Action::Unchanged {
        String::new()
    } else {
        unified::unified(
            sides,
            reference,
            &yaml_text(before.as_ref()),
            &yaml_text(after.as_ref()),
        )
    };
    ObjectDiff {
        object: reference.to_string(),
        namespace: namespace.map(str::to_string),
        action,
        diff,
        changed_paths,
    }
}

fn yaml_text(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    // A JSON value always has a YAML form; should the writer still refuse, JSON is YAML too.
    let mut text = crate::yaml::to_string(value)
        .unwrap_or_else(|_| serde_json::to_string_pretty(value).unwrap_or_default());
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Appends the leaf paths where `before` and `after` differ. A map or list present on one side
/// only contributes all its leaves; an empty one, or a change of type, is a leaf itself.
fn collect_changes(
    before: Option<&Value>,
    after: Option<&Value>,
    path: &mut String,
    out: &mut Vec<String>,
) {
    match (before, after) {
        (None, None) => {}
        (Some(Value::Object(b)), Some(Value::Object(a))) if !b.is_empty() || !a.is_empty() => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                descend(path, &key_segment(key, path.is_empty()), |path| {
                    collect_changes(b.get(key), a.get(key), path, out);
                });
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if !b.is_empty() || !a.is_empty() => {
            for i in 0..b.len().max(a.len()) {
                descend(path, &format!("[{i}]"), |path| {
                    collect_changes(b.get(i), a.get(i), path, out);
                });
            }
        }
        (Some(b), Some(a)) if b == a => {}
        (Some(one @ (Value::Object(_) | Value::Array(_))), None)
        | (None, Some(one @ (Value::Object(_) | Value::Array(_)))) => {
            collect_changes(Some(one), Some(&empty_like(one)), path, out);
        }
        _ => out.push(path.clone()),
    }
}

/// Extends `path` by `segment` for the duration of `f`.
fn descend(path: &mut String, segment: &str, f: impl FnOnce(&mut String)) {
    let len = path.len();
    path.push_str(segment);
    f(path);
    path.truncate(len);
}

fn key_segment(key: &str, first: bool) -> String {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']', '"']);
    match (plain, first) {
        (true, true) => key.to_string(),
        (true, false) => format!(".{key}"),
        (false, _) => format!("[{}]", Value::from(key)),
    }
}

/// A container of the same type with nothing in it, so a subtree present on one side only is
/// walked to its leaves. An empty subtree compares equal to it and so is reported whole.
fn empty_like(value: &Value) -> Value {
    match value {
        Value::Object(m) if !m.is_empty() => Value::Object(serde_json::Map::new()),
        Value::Array(a) if !a.is_empty() => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

/// How many objects a diff creates, changes, deletes and leaves alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn of(diffs: &[ObjectDiff]) -> Self {
        let mut summary = Summary::default();
        for d in diffs {
            summary.add(d.action);
        }
        summary
    }

    pub fn add(&mut self, action: Action) {
        match action {
            Action::Create => self.create += 1,
            Action::Update => self.update += 1,
            Action::Delete => self.delete += 1,
            Action::Unchanged => self.unchanged += 1,
        }
    }

    /// For `--detailed-exitcode`: anything to create, change or delete.
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.delete > 0
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to change, {} to delete, {} unchanged",
            self.create, self.update, self.delete, self.unchanged
        )
    }
}

#[cfg(test)]
mod tests;
