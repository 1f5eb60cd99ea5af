use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const SENTINEL: &str = "S3NTINEL-do-not-print";

fn desired_deployment(replicas: u64) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "backend",
            "namespace": "todo",
            "labels": {"app.kubernetes.io/name": "backend", "app.kubernetes.io/managed-by": "todoctl"}
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "backend"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "backend"}},
                "spec": {
                    "containers": [{
                        "name": "backend",
                        "image": "ghcr.io/todo/backend:1.4.0",
                        "ports": [{"containerPort": 8000, "name": "http"}],
                        "env": [{"name": "LOG_LEVEL", "value": "info"}]
                    }]
                }
            }
        }
    })
}

/// The same Deployment as the API server returns it: bookkeeping, status, a controller's
/// annotation, and keys in the server's order.
fn live_deployment(replicas: u64) -> Value {
    json!({
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {
            "namespace": "todo",
            "name": "backend",
            "uid": "6f0c1c9e-59c5-4bb4-9d35-0d5a1c1f5b3e",
            "resourceVersion": "48213",
            "generation": 4,
            "creationTimestamp": "2026-11-02T10:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "4"},
            "labels": {"app.kubernetes.io/managed-by": "todoctl", "app.kubernetes.io/name": "backend"},
            "managedFields": [{
                "manager": "todoctl", "operation": "Apply", "apiVersion": "apps/v1",
                "time": "2026-11-02T10:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:replicas": {}}}
            }]
        },
        "spec": {
            "template": {
                "spec": {
                    "containers": [{
                        "env": [{"value": "info", "name": "LOG_LEVEL"}],
                        "image": "ghcr.io/todo/backend:1.4.0",
                        "name": "backend",
                        "ports": [{"name": "http", "containerPort": 8000}]
                    }]
                },
                "metadata": {"creationTimestamp": null, "labels": {"app.kubernetes.io/name": "backend"}}
            },
            "selector": {"matchLabels": {"app.kubernetes.io/name": "backend"}},
            "replicas": replicas
        },
        "status": {"replicas": replicas, "readyReplicas": replicas, "observedGeneration": 4}
    })
}

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

fn secret(data: Value, string_data: Value) -> Value {
    let mut s = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "backend-secrets", "namespace": "todo"}
    });
    if !data.is_null() {
        s["data"] = data;
    }
    if !string_data.is_null() {
        s["stringData"] = string_data;
    }
    s
}

fn diff(before: Option<&Value>, after: Option<&Value>) -> ObjectDiff {
    let object = before.or(after);
    let kind = object.and_then(|o| o["kind"].as_str()).unwrap_or_default();
    let name = object
        .and_then(|o| o["metadata"]["name"].as_str())
        .unwrap_or_default();
    let reference = format!("{}/{name}", kind.to_lowercase());
    diff_object(&reference, Some("todo"), kind, before, after, false)
}

fn assert_hidden(d: &ObjectDiff, values: &[&str]) {
    let shown = [d.diff.clone(), format!("{d:?}"), colorize(&d.diff)];
    for text in shown {
        for value in values {
            assert!(!text.contains(value), "{value:?} leaked into {text}");
            assert!(
                !text.contains(&b64(value)),
                "base64 of {value:?} leaked into {text}"
            );
        }
    }
}

fn changed_lines(diff: &str) -> Vec<&str> {
    diff.lines()
        .filter(|l| !l.starts_with("---") && !l.starts_with("+++"))
        .filter(|l| l.starts_with('-') || l.starts_with('+'))
        .collect()
}

#[test]
fn live_noise_against_desired_is_no_diff() {
    let d = diff(Some(&live_deployment(2)), Some(&desired_deployment(2)));
    assert_eq!(d.action, Action::Unchanged);
    assert_eq!(d.diff, "");
    assert!(d.changed_paths.is_empty(), "{:?}", d.changed_paths);
}

#[test]
fn replicas_change_is_one_line() {
    let d = diff(Some(&live_deployment(2)), Some(&desired_deployment(4)));
    assert_eq!(d.action, Action::Update);
    assert_eq!(d.changed_paths, ["spec.replicas"]);
    assert_eq!(changed_lines(&d.diff), ["-  replicas: 2", "+  replicas: 4"]);
    insta::assert_snapshot!(d.diff);
}

#[test]
fn key_order_is_not_a_change() {
    let a = json!({"kind": "ConfigMap", "metadata": {"name": "c", "labels": {"x": "1", "y": "2"}},
        "data": {"b": "2", "a": "1"}});
    let b = json!({"data": {"a": "1", "b": "2"}, "metadata": {"labels": {"y": "2", "x": "1"},
        "name": "c"}, "kind": "ConfigMap"});
    let d = diff(Some(&a), Some(&b));
    assert_eq!(d.action, Action::Unchanged);
    assert_eq!(d.diff, "");
}

#[test]
fn changed_paths_name_nested_list_and_dotted_keys() {
    let mut after = desired_deployment(2);
    after["spec"]["template"]["spec"]["containers"][0]["image"] =
        "ghcr.io/todo/backend:1.5.0".into();
    if let Some(env) = after["spec"]["template"]["spec"]["containers"][0]["env"].as_array_mut() {
        env.push(json!({"name": "DEBUG", "value": "1"}));
    }
    after["metadata"]["labels"]["app.kubernetes.io/version"] = "1.5.0".into();
    after["spec"]["template"]["spec"]["containers"][0]["resources"] = json!({});
    let d = diff(Some(&live_deployment(2)), Some(&after));
    assert_eq!(
        d.changed_paths,
        [
            r#"metadata.labels["app.kubernetes.io/version"]"#,
            "spec.template.spec.containers[0].env[1].name",
            "spec.template.spec.containers[0].env[1].value",
            "spec.template.spec.containers[0].image",
            "spec.template.spec.containers[0].resources",
        ]
    );
    insta::assert_snapshot!(d.diff);
}

#[test]
fn create_shows_every_line_added() {
    let d = diff(None, Some(&desired_deployment(2)));
    assert_eq!(d.action, Action::Create);
    assert!(d.diff.contains("@@ -0,0 +1,"), "{}", d.diff);
    assert!(
        d.diff
            .lines()
            .skip(3)
            .all(|l| l.starts_with('+') && !l.starts_with("+++")),
        "{}",
        d.diff
    );
    assert!(d.changed_paths.contains(&"spec.replicas".to_string()));
    insta::assert_snapshot!(d.diff);
}

#[test]
fn delete_shows_every_line_removed() {
    let d = diff(Some(&live_deployment(2)), None);
    assert_eq!(d.action, Action::Delete);
    assert!(
        d.diff.lines().skip(3).all(|l| l.starts_with('-')),
        "{}",
        d.diff
    );
    assert!(!d.diff.contains("resourceVersion"), "{}", d.diff);
    assert!(!d.diff.contains("readyReplicas"), "{}", d.diff);
}

#[test]
fn nothing_on_either_side_is_unchanged() {
    let d = diff_object("configmap/x", None, "ConfigMap", None, None, false);
    assert_eq!(d.action, Action::Unchanged);
    assert_eq!(d.diff, "");
}

#[test]
fn secret_keys_show_as_changed_never_their_values() {
    let live = secret(
        json!({"same": b64("kept-value"), "changed": b64("old-value"), "removed": b64(SENTINEL)}),
        Value::Null,
    );
    let desired = secret(
        json!({"same": b64("kept-value"), "changed": b64(SENTINEL), "added": b64(SENTINEL)}),
        Value::Null,
    );
    let d = diff(Some(&live), Some(&desired));
    assert_hidden(&d, &[SENTINEL, "kept-value", "old-value"]);
    assert_eq!(d.action, Action::Update);
    assert_eq!(
        d.changed_paths,
        ["data.added", "data.changed", "data.removed"]
    );
    insta::assert_snapshot!(d.diff);
}

#[test]
fn string_data_and_equal_data_are_unchanged() {
    let live = secret(json!({"openaiApiKey": b64(SENTINEL)}), Value::Null);
    let desired = secret(Value::Null, json!({"openaiApiKey": SENTINEL}));
    let d = diff(Some(&live), Some(&desired));
    assert_eq!(d.action, Action::Unchanged, "{}", d.diff);
    assert_hidden(&d, &[SENTINEL]);

    let desired = secret(Value::Null, json!({"openaiApiKey": "rotated"}));
    let d = diff(Some(&live), Some(&desired));
    assert_eq!(d.action, Action::Update);
    assert_eq!(d.changed_paths, ["data.openaiApiKey"]);
    assert_hidden(&d, &[SENTINEL, "rotated"]);
}

#[test]
fn created_secret_is_redacted() {
    let desired = secret(json!({"a": b64(SENTINEL)}), json!({"b": SENTINEL}));
    let d = diff(None, Some(&desired));
    assert_eq!(d.action, Action::Create);
    assert_hidden(&d, &[SENTINEL]);
    insta::assert_snapshot!(d.diff);
}

#[test]
fn deleted_secret_is_redacted() {
    let live = secret(json!({"a": b64(SENTINEL)}), Value::Null);
    let d = diff(Some(&live), None);
    assert_eq!(d.action, Action::Delete);
    assert_hidden(&d, &[SENTINEL]);
}

#[test]
fn secret_found_by_object_kind_when_the_caller_passes_another() {
    let live = secret(json!({"a": b64(SENTINEL)}), Value::Null);
    let d = diff_object("secret/x", None, "", Some(&live), None, false);
    assert_hidden(&d, &[SENTINEL]);
}

#[test]
fn show_secrets_shows_the_values() {
    let live = secret(json!({"token": b64("old-value")}), Value::Null);
    let desired = secret(Value::Null, json!({"token": SENTINEL}));
    let d = diff_object(
        "secret/backend-secrets",
        Some("todo"),
        "Secret",
        Some(&live),
        Some(&desired),
        true,
    );
    assert_eq!(d.changed_paths, ["data.token"]);
    assert!(d.diff.contains(&b64("old-value")), "{}", d.diff);
    assert!(d.diff.contains(&b64(SENTINEL)), "{}", d.diff);
    assert!(!d.diff.contains("stringData"), "{}", d.diff);
}

#[test]
fn service_cluster_ip_is_not_a_change() {
    let desired = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "backend"}, "spec": {"ports": [{"port": 80}]}});
    let mut live = desired.clone();
    live["spec"]["clusterIP"] = "10.96.14.2".into();
    live["spec"]["clusterIPs"] = json!(["10.96.14.2"]);
    live["status"] = json!({"loadBalancer": {}});
    assert_eq!(diff(Some(&live), Some(&desired)).action, Action::Unchanged);
}

#[test]
fn json_output_names_the_fields() {
    let d = diff(Some(&live_deployment(2)), Some(&desired_deployment(3)));
    let v = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(v["object"], "deployment/backend");
    assert_eq!(v["namespace"], "todo");
    assert_eq!(v["action"], "update");
    assert_eq!(v["changed_paths"], json!(["spec.replicas"]));
}

#[test]
fn summary_counts_and_reads_as_a_sentence() {
    let diffs = [
        diff(None, Some(&desired_deployment(1))),
        diff(None, Some(&desired_deployment(2))),
        diff(Some(&live_deployment(1)), Some(&desired_deployment(2))),
        diff(Some(&live_deployment(1)), Some(&desired_deployment(1))),
    ];
    let mut summary = Summary::of(&diffs);
    summary.unchanged += 4;
    assert_eq!(
        summary.to_string(),
        "2 to create, 1 to change, 0 to delete, 5 unchanged"
    );
    assert!(summary.has_changes());
    let quiet = Summary {
        unchanged: 3,
        ..Summary::default()
    };
    assert!(!quiet.has_changes());
    assert_eq!(Action::Update.to_string(), "update");
}

#[test]
fn coloured_diff_keeps_the_text() {
    let d = diff(Some(&live_deployment(2)), Some(&desired_deployment(4)));
    let coloured = colorize(&d.diff);
    assert!(
        coloured.contains("\x1b[31m-  replicas: 2\x1b[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\x1b[32m+  replicas: 4\x1b[0m"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\x1b[36m@@ "), "{coloured:?}");
    let plain = coloured
        .replace("\x1b[31m", "")
        .replace("\x1b[32m", "")
        .replace("\x1b[36m", "")
        .replace("\x1b[1m", "")
        .replace("\x1b[0m", "");
    assert_eq!(plain, d.diff);
}

fn secret_map(keys: &[String], values: &[String], base64: bool) -> Value {
    Value::Object(
        keys.iter()
            .zip(values)
            .map(|(k, v)| {
                let v = if base64 { b64(v) } else { v.clone() };
                (k.clone(), Value::from(v))
            })
            .collect(),
    )
}

proptest! {
    #[test]
    fn redacted_output_never_holds_a_secret_value(
        keys in prop::collection::vec("[a-z]{1,8}", 1..6),
        old in prop::collection::vec("SV[A-Za-z0-9+/= _:-]{6,30}", 6),
        new in prop::collection::vec("SV[A-Za-z0-9+/= _:-]{6,30}", 6),
        live_as_string_data in any::<bool>(),
        desired_as_string_data in any::<bool>(),
        drop_first in any::<bool>(),
    ) {
        let field = |string_data: bool| if string_data { "stringData" } else { "data" };
        let mut live = secret(Value::Null, Value::Null);
        live[field(live_as_string_data)] = secret_map(&keys, &old, !live_as_string_data);
        let mut desired = secret(Value::Null, Value::Null);
        let desired_keys = if drop_first { &keys[1..] } else { &keys[..] };
        desired[field(desired_as_string_data)] =
            secret_map(desired_keys, &new, !desired_as_string_data);

        let values: Vec<&str> = old.iter().chain(&new).map(String::as_str).collect();
        for d in [
            diff(Some(&live), Some(&desired)),
            diff(None, Some(&desired)),
            diff(Some(&live), None),
        ] {
            assert_hidden(&d, &values);
        }
        let (b, a) = redact_secret_pair(Some(&live), Some(&desired));
        let both = format!("{b:?}{a:?}{}", redact_secret(&live));
        for value in &values {
            prop_assert!(!both.contains(value));
            prop_assert!(!both.contains(&b64(value)));
        }
    }

    #[test]
    fn redacted_values_never_hold_a_secret_value(
        secret_value in "SV[A-Za-z0-9 ._-]{6,30}",
        depth in 1usize..5,
    ) {
        let mut values = json!({"password": secret_value, "list": [{"password": secret_value}]});
        let mut path = "password".to_string();
        for level in 0..depth {
            let key = format!("k{level}");
            values = json!({key.clone(): values});
            path = format!("{key}.{path}");
        }
        let list_path = path.replace(".password", ".list.password");
        let out = redact_values(&values, &[path, list_path]);
        prop_assert!(!out.to_string().contains(&secret_value), "{}", out);
    }
}

#[test]
fn multi_line_values_diff_line_by_line() {
    let config = |level: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "backend-config"},
            "data": {"app.toml": format!("[server]\nport = 8000\nlog_level = \"{level}\"\nworkers = 4\n")}})
    };
    let d = diff(Some(&config("info")), Some(&config("debug")));
    assert_eq!(d.changed_paths, [r#"data["app.toml"]"#]);
    insta::assert_snapshot!(d.diff);
}
