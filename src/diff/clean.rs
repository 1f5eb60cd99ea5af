//! Server-managed fields come off before two objects are compared, so a diff shows what the
//! chart changes and not what the API server and controllers write on their own. The fields
//! are a table: adding one is adding a row.

use serde_json::{Map, Value};

/// When a listed field counts as noise.
#[derive(Clone, Copy, Debug)]
enum When {
    Always,
    /// Only an empty list or map: a non-empty one is a real pending action.
    IfEmpty,
    /// Only `null`: the zero value Go writes for a field nobody set.
    IfNull,
    /// Unless it asks for a headless Service: `None` is the user's choice, an address is the
    /// server's.
    UnlessHeadless,
}

struct Noise {
    /// Kind the row applies to; `None` for every kind.
    kind: Option<&'static str>,
    /// Map keys from the object root; keys may contain dots, so no dotted strings here.
    path: &'static [&'static str],
    when: When,
}

const fn any(path: &'static [&'static str], when: When) -> Noise {
    Noise {
        kind: None,
        path,
        when,
    }
}

const fn only(kind: &'static str, path: &'static [&'static str], when: When) -> Noise {
    Noise {
        kind: Some(kind),
        path,
        when,
    }
}

const NOISE: &[Noise] = &[
    // Field ownership bookkeeping of server-side apply, rewritten on every apply.
    any(&["metadata", "managedFields"], When::Always),
    // Optimistic-concurrency token, bumped on every write by anyone.
    any(&["metadata", "resourceVersion"], When::Always),
    // Counts spec changes; follows from the diff itself.
    any(&["metadata", "generation"], When::Always),
    // Assigned at creation; differs between a dry run and the live object.
    any(&["metadata", "uid"], When::Always),
    any(&["metadata", "creationTimestamp"], When::Always),
    // Deprecated, and set only by older API servers.
    any(&["metadata", "selfLink"], When::Always),
    // Set by the server once a delete is under way; it is not something a chart asks for.
    any(&["metadata", "deletionTimestamp"], When::Always),
    any(&["metadata", "deletionGracePeriodSeconds"], When::Always),
    // An empty list is what the server returns after the last finalizer ran.
    any(&["metadata", "finalizers"], When::IfEmpty),
    // Written by controllers, never by the chart.
    any(&["status"], When::Always),
    // The Deployment controller's rollout counter.
    any(
        &[
            "metadata",
            "annotations",
            "deployment.kubernetes.io/revision",
        ],
        When::Always,
    ),
    // The DaemonSet controller's equivalent.
    any(
        &[
            "metadata",
            "annotations",
            "deprecated.daemonset.template.generation",
        ],
        When::Always,
    ),
    // Left by `kubectl apply`; a full copy of an older object (for a Secret, with its values).
    any(
        &[
            "metadata",
            "annotations",
            "kubectl.kubernetes.io/last-applied-configuration",
        ],
        When::Always,
    ),
    // Pod templates come back with Go's zero time as `creationTimestamp: null`.
    any(
        &["spec", "template", "metadata", "creationTimestamp"],
        When::IfNull,
    ),
    only(
        "CronJob",
        &["spec", "jobTemplate", "metadata", "creationTimestamp"],
        When::IfNull,
    ),
    only(
        "CronJob",
        &[
            "spec",
            "jobTemplate",
            "spec",
            "template",
            "metadata",
            "creationTimestamp",
        ],
        When::IfNull,
    ),
    // Allocated by the server from the service CIDR when the chart leaves them out.
    only("Service", &["spec", "clusterIP"], When::UnlessHeadless),
    only("Service", &["spec", "clusterIPs"], When::UnlessHeadless),
];

/// A copy of `obj` without the fields the API server and controllers manage. A map that held
/// only such fields (an `annotations` with just the rollout revision) goes too.
pub fn strip_noise(obj: &Value) -> Value {
    let mut out = obj.clone();
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    for noise in NOISE {
        if noise.kind.is_none_or(|k| k == kind)
            && let Some(root) = out.as_object_mut()
        {
            remove_if(root, noise.path, noise.when, false);
        }
    }
    out
}

/// Removes the field at `path` when `when` says it is noise; returns whether it did, so a map
/// left empty by the removal (and only by it) goes too. `prune` is false at the root: an
/// object keeps its `metadata` and `spec` even when nothing is left in them.
fn remove_if(map: &mut Map<String, Value>, path: &[&str], when: When, prune: bool) -> bool {
    match path {
        [] => false,
        [last] => {
            let noisy = map.get(*last).is_some_and(|v| is_noise(v, when));
            noisy && map.remove(*last).is_some()
        }
        [first, rest @ ..] => {
            let Some(child) = map.get_mut(*first).and_then(Value::as_object_mut) else {
                return false;
            };
            let removed = remove_if(child, rest, when, true);
            if removed && prune && child.is_empty() {
                map.remove(*first);
            }
            removed
        }
    }
}

fn is_noise(value: &Value, when: When) -> bool {
    match when {
        When::Always => true,
        When::IfEmpty => match value {
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            Value::Null => true,
            _ => false,
        },
        When::IfNull => value.is_null(),
        When::UnlessHeadless => match value {
            Value::String(s) => s != "None",
            Value::Array(a) => !a.iter().any(|v| v == "None"),
            _ => true,
        },
    }
}

/// The same value with every map's keys in sorted order, so two objects that differ only in
/// key order render to the same text.
pub(crate) fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_go_and_user_fields_stay() {
        let live = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {
                "name": "backend", "namespace": "todo", "uid": "0d5c", "resourceVersion": "4711",
                "generation": 3, "creationTimestamp": "2026-11-02T10:00:00Z",
                "managedFields": [{"manager": "todoctl"}], "finalizers": [],
                "annotations": {"deployment.kubernetes.io/revision": "3", "team": "core"},
                "labels": {"app": "backend"}
            },
            "spec": {"replicas": 2, "template": {"metadata": {"creationTimestamp": null},
                     "spec": {}}},
            "status": {"replicas": 2}
        });
        assert_eq!(
            strip_noise(&live),
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "backend", "namespace": "todo",
                             "annotations": {"team": "core"}, "labels": {"app": "backend"}},
                "spec": {"replicas": 2, "template": {"spec": {}}}
            })
        );
    }

    #[test]
    fn annotations_emptied_by_stripping_go_but_an_empty_one_from_the_chart_stays() {
        let only_revision = json!({"kind": "Deployment", "metadata": {"name": "a",
            "annotations": {"deployment.kubernetes.io/revision": "1"}}});
        assert_eq!(
            strip_noise(&only_revision),
            json!({"kind": "Deployment", "metadata": {"name": "a"}})
        );
        let empty = json!({"kind": "Deployment", "metadata": {"name": "a", "annotations": {}}});
        assert_eq!(strip_noise(&empty), empty);
    }

    #[test]
    fn pending_finalizers_are_kept() {
        let obj = json!({"kind": "ConfigMap", "metadata": {"name": "a", "finalizers": ["x"]}});
        assert_eq!(strip_noise(&obj), obj);
    }

    #[test]
    fn cluster_ip_goes_unless_headless_and_only_on_services() {
        let allocated = json!({"kind": "Service", "spec": {"clusterIP": "10.96.0.12",
            "clusterIPs": ["10.96.0.12"], "ports": [{"port": 80}]}});
        assert_eq!(
            strip_noise(&allocated),
            json!({"kind": "Service", "spec": {"ports": [{"port": 80}]}})
        );
        let headless = json!({"kind": "Service", "spec": {"clusterIP": "None",
            "clusterIPs": ["None"]}});
        assert_eq!(strip_noise(&headless), headless);
        let custom = json!({"kind": "Widget", "spec": {"clusterIP": "10.0.0.1"}});
        assert_eq!(strip_noise(&custom), custom);
    }

    #[test]
    fn non_objects_pass_through() {
        assert_eq!(strip_noise(&json!(null)), json!(null));
        assert_eq!(strip_noise(&json!([1, 2])), json!([1, 2]));
        let odd = json!({"metadata": "text", "status": 1});
        assert_eq!(strip_noise(&odd), json!({"metadata": "text"}));
    }

    #[test]
    fn sorting_reorders_nested_maps_but_not_lists() {
        let v = json!({"b": 1, "a": {"z": [{"y": 1, "x": 2}], "c": 3}});
        let keys = |v: &Value| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>());
        let sorted = sort_keys(&v);
        assert_eq!(keys(&sorted), Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(
            keys(&sorted["a"]),
            Some(vec!["c".to_string(), "z".to_string()])
        );
        assert_eq!(
            keys(&sorted["a"]["z"][0]),
            Some(vec!["x".to_string(), "y".to_string()])
        );
    }
}
