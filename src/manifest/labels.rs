//! The labels that tie every object to its release, and the namespace a namespaced object
//! lands in when the chart leaves it out. Selectors are never touched: changing one would
//! orphan the pods of an existing workload.

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::Object;
use super::kinds::{self, Scope};

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const INSTANCE: &str = "app.kubernetes.io/instance";
pub const CHART: &str = "todoctl.io/chart";
/// The release a record, an import marker or the lock's Lease belongs to; objects carry
/// [`INSTANCE`] instead.
pub const RELEASE: &str = "todoctl.io/release";
/// The value of [`MANAGED_BY`] on everything todoctl writes: objects, records, lock, namespace.
pub const MANAGER: &str = "todoctl";

/// Adds the release labels and fills in the release namespace. A label the chart set itself
/// wins, except managed-by: that one says who owns the object and must be true.
pub fn apply_standard(
    objects: &mut [Object],
    release: &str,
    release_namespace: &str,
    chart_name: &str,
    chart_version: &str,
) {
    let chart = chart_label(chart_name, chart_version);
    objects.par_iter_mut().for_each(|object| {
        let info = kinds::lookup(object.api_version(), object.kind()).map(|(info, _)| info);
        let Some(root) = object.data.as_object_mut() else {
            return;
        };
        let metadata = child_map(root, "metadata");
        let labels = child_map(metadata, "labels");
        labels.insert(MANAGED_BY.into(), MANAGER.into());
        labels.entry(INSTANCE).or_insert_with(|| release.into());
        labels.entry(CHART).or_insert_with(|| chart.clone().into());

        if info.map(|i| i.scope) == Some(Scope::Namespaced) && namespace_missing(metadata) {
            metadata.insert("namespace".into(), release_namespace.into());
        }

        if let Some(path) = info.and_then(|i| i.pod_template).filter(|p| !p.is_empty()) {
            let mut node = &mut *root;
            for key in path.iter().copied().chain(["metadata", "labels"]) {
                node = child_map(node, key);
            }
            node.insert(MANAGED_BY.into(), MANAGER.into());
            node.entry(INSTANCE).or_insert_with(|| release.into());
        }
    });
}

/// `todo-app-1.2.0`, cut to the 63 characters a label value may hold and kept valid (`+` from
/// semver build metadata becomes `_`).
pub fn chart_label(name: &str, version: &str) -> String {
    let raw = format!("{name}-{version}").replace('+', "_");
    let cut: String = raw.chars().take(63).collect();
    cut.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

fn namespace_missing(metadata: &Map<String, Value>) -> bool {
    match metadata.get("namespace") {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

/// The mapping under `key`, created (or replacing a null) when absent.
fn child_map<'a>(parent: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = parent
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("replaced with a mapping just above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labelled(data: Value) -> Value {
        let mut objects = vec![Object::new("templates/t.yaml", data)];
        apply_standard(&mut objects, "todo", "todo-ns", "todo-app", "1.2.0");
        objects.remove(0).data
    }

    #[test]
    fn workload_gets_release_labels_but_selector_is_untouched() {
        let out = labelled(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "backend", "labels": {"app.kubernetes.io/instance": "custom", "app.kubernetes.io/managed-by": "Helm"}},
            "spec": {"selector": {"matchLabels": {"app": "backend"}},
                "template": {"metadata": {"labels": {"app": "backend"}}, "spec": {"containers": []}}}
        }));
        insta::assert_yaml_snapshot!(out);
    }

    #[test]
    fn cronjob_pod_template_and_missing_metadata_maps() {
        let out = labelled(json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cleanup", "labels": null},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}
        }));
        let pod_labels = &out["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"];
        assert_eq!(pod_labels[MANAGED_BY], "todoctl");
        assert_eq!(pod_labels[INSTANCE], "todo");
        assert!(pod_labels.get(CHART).is_none());
        assert_eq!(out["metadata"]["labels"][CHART], "todo-app-1.2.0");
        assert_eq!(out["metadata"]["namespace"], "todo-ns");
    }

    #[test]
    fn namespace_only_filled_for_namespaced_kinds() {
        let ns =
            labelled(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}));
        assert!(ns["metadata"].get("namespace").is_none());
        let cr = labelled(
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
        );
        assert!(cr["metadata"].get("namespace").is_none());
        assert_eq!(cr["metadata"]["labels"][MANAGED_BY], "todoctl");
        let explicit = labelled(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "other"}}),
        );
        assert_eq!(explicit["metadata"]["namespace"], "other");
    }

    #[test]
    fn chart_label_stays_a_valid_label_value() {
        assert_eq!(
            chart_label("todo-app", "1.0.0+build.5"),
            "todo-app-1.0.0_build.5"
        );
        let long = chart_label(&"c".repeat(70), "1.0.0");
        assert_eq!(long.len(), 63);
        assert_eq!(
            super::super::names::label_value_problem(&chart_label("x-", "-")),
            None
        );
    }
}
