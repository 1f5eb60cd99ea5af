//! Rendered YAML becomes Kubernetes objects here: parsed per template, checked against the
//! built-in schemas, labelled for the release, ordered for apply and grouped into readiness
//! waves, and linted for workload best practice.

pub mod immutable;
pub mod kinds;
pub mod labels;
pub mod lint;
pub mod names;
pub mod order;
pub mod parse;
pub mod schema;
pub mod validate;

use std::fmt;

use serde_json::Value;

pub use kinds::Scope;
pub use lint::Finding;
pub use validate::{Problem, Problems, ValidateOptions};

/// One object rendered by a chart, with the template that produced it so every message can
/// point back at the file the user has to change.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub template: String,
    pub data: Value,
}

/// What identifies an object in the cluster; two rendered objects with the same key would
/// overwrite each other.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.to_lowercase(), self.name)?;
        if let Some(ns) = &self.namespace {
            write!(f, " in namespace `{ns}`")?;
        }
        Ok(())
    }
}

/// Group, version and kind as the API server names a type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// Splits `apps/v1` into group and version; the core group is the empty string.
    pub fn new(api_version: &str, kind: &str) -> Self {
        let (group, version) = split_api_version(api_version);
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.api_version(), self.kind)
    }
}

pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

impl Object {
    pub fn new(template: impl Into<String>, data: Value) -> Self {
        Object {
            template: template.into(),
            data,
        }
    }

    fn str_at(&self, path: &[&str]) -> Option<&str> {
        get_path(&self.data, path).and_then(Value::as_str)
    }

    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"]).unwrap_or_default()
    }

    pub fn kind(&self) -> &str {
        self.str_at(&["kind"]).unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"]).unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.str_at(&["metadata", "namespace"])
            .filter(|ns| !ns.is_empty())
    }

    pub fn group(&self) -> &str {
        split_api_version(self.api_version()).0
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::new(self.api_version(), self.kind())
    }

    /// `deployment/backend-deployment`: the form kubectl accepts and every message uses.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.kind().to_lowercase(), self.name())
    }

    /// The key the object will have once applied; namespaced objects without a namespace land
    /// in the release namespace.
    pub fn key(&self, release_namespace: &str) -> ObjectKey {
        let namespace = match self.scope() {
            Scope::Cluster => None,
            Scope::Namespaced | Scope::Unknown => {
                Some(self.namespace().unwrap_or(release_namespace).to_string())
            }
        };
        ObjectKey {
            group: self.group().to_string(),
            kind: self.kind().to_string(),
            namespace,
            name: self.name().to_string(),
        }
    }

    pub fn scope(&self) -> Scope {
        kinds::lookup(self.api_version(), self.kind()).map_or(Scope::Unknown, |(k, _)| k.scope)
    }

    pub fn labels(&self) -> Option<&serde_json::Map<String, Value>> {
        get_path(&self.data, &["metadata", "labels"]).and_then(Value::as_object)
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        get_path(&self.data, &["metadata", "annotations", key]).and_then(Value::as_str)
    }
}

/// Runs `f` with room for deep recursion. Parsing and typed checks recurse once per nesting
/// level (the depth budget caps it at about 1.5 MiB of stack in debug builds), and the async
/// runtime's worker threads have only 2 MiB: when less than the red zone is left, `f` runs on a
/// fresh 64 MiB stack segment. On the main thread nothing is allocated, so offline commands pay
/// nothing for it.
///
/// The pool of threads that parse, label and check objects (rayon's) must give its threads a
/// main thread's stack for that to hold: [`init_threads`].
pub(crate) fn with_deep_stack<T>(f: impl FnOnce() -> T) -> T {
    const RED_ZONE: usize = 4 * 1024 * 1024;
    const STACK: usize = 64 * 1024 * 1024;
    stacker::maybe_grow(RED_ZONE, STACK, f)
}

/// Stack of each of rayon's worker threads: 8 MiB, a main thread's, so that [`with_deep_stack`]
/// finds its red zone free there and allocates nothing. With rayon's default of 2 MiB it mapped
/// and unmapped a fresh 64 MiB segment for every object checked: 1,000 of each for the
/// 1,000-object chart, half again the render's time.
const WORKER_STACK: usize = 8 * 1024 * 1024;

/// Sets up rayon's global pool with [`WORKER_STACK`] before its first use; later calls do
/// nothing, and a pool someone else set up first (a benchmark harness) is left as it is.
/// `cli::run` calls it for the binary and `ops::prepare` for library callers.
pub fn init_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .build_global();
    });
}

pub(crate) fn get_path<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// Errors that stop the pipeline before validation can collect further problems.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{template}:{line}:{column}: {message}{}; fix the template so it renders valid YAML (`todoctl template` shows the output)", excerpt.as_ref().map(|e| format!(" in rendered line `{e}`")).unwrap_or_default())]
    Yaml {
        template: String,
        line: u64,
        column: u64,
        message: String,
        excerpt: Option<String>,
    },
    #[error(
        "{template}:{line}: {message}; every document a template renders must be a Kubernetes object"
    )]
    NotAnObject {
        template: String,
        line: u64,
        message: String,
    },
    #[error(
        "{template}: {object}: malformed `todoctl.io/depends-on` entry `{entry}`; write `kind/name`, comma-separated, with a trailing `?` for an optional one"
    )]
    BadDependency {
        template: String,
        object: String,
        entry: String,
    },
    #[error(
        "{template}: {object} depends on `{target}`, which the chart did not render; fix the name, render it, or mark the dependency optional as `{target}?`"
    )]
    UnknownDependency {
        template: String,
        object: String,
        target: String,
    },
    #[error("dependency cycle: {}; remove one `todoctl.io/depends-on` entry to break it", cycle.join(" -> "))]
    DependencyCycle { cycle: Vec<String> },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accessors_and_reference() {
        let obj = Object::new(
            "templates/backend.yaml",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "backend"}}),
        );
        assert_eq!(obj.reference(), "deployment/backend");
        assert_eq!(obj.gvk().to_string(), "apps/v1 Deployment");
        assert_eq!(obj.namespace(), None);
        let key = obj.key("todo");
        assert_eq!(key.group, "apps");
        assert_eq!(key.namespace.as_deref(), Some("todo"));
        assert_eq!(key.to_string(), "deployment/backend in namespace `todo`");
    }

    #[test]
    fn cluster_scoped_key_has_no_namespace() {
        let obj = Object::new(
            "t.yaml",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "todo", "namespace": "x"}}),
        );
        assert_eq!(obj.key("todo").namespace, None);
        assert_eq!(Gvk::new("v1", "Namespace").group, "");
    }
}
