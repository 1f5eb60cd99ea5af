//! Whether an apply can be skipped: the live object still holds every value todoctl would
//! apply, todoctl's own apply entry owns exactly those fields, and no other field manager owns
//! anything todoctl sets. The comparison follows server-side apply's own records
//! (`metadata.managedFields`, the `fieldsV1` set format) and apimachinery's quantity notation.

use kube::api::ObjectMeta;
use serde_json::Value;

use super::apply::{FIELD_MANAGER, OWNER_ANNOTATION};

/// Whether the live object still holds exactly what todoctl applies now: it carries this
/// release's owner annotation; it holds every value of `desired` (another process may have
/// applied other values under todoctl's own field manager, which ownership alone does not
/// show); todoctl's apply entry owns every field of `desired` and nothing beyond them; and no
/// other manager owns anything but status or metadata keys todoctl does not set (such as the
/// Deployment controller's revision annotation). Anything else is applied again.
pub(super) fn untouched(live: &ObjectMeta, live_data: &Value, desired: &Value) -> bool {
    let Some(entries) = &live.managed_fields else {
        return false;
    };
    let desired_owner = desired
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(OWNER_ANNOTATION));
    let live_owner = live
        .annotations
        .as_ref()
        .and_then(|a| a.get(OWNER_ANNOTATION));
    if desired_owner.and_then(Value::as_str) != live_owner.map(String::as_str) {
        return false;
    }
    let mut ours = None;
    for e in entries {
        let fields = e.fields_v1.as_ref().map(|f| &f.0);
        if e.manager.as_deref() == Some(FIELD_MANAGER) && e.subresource.is_none() {
            if e.operation.as_deref() != Some("Apply") || ours.is_some() {
                return false;
            }
            ours = fields;
            continue;
        }
        if e.subresource.as_deref() == Some("status") {
            continue;
        }
        if e.operation.as_deref() != Some("Update")
            || !fields.is_some_and(|f| only_foreign_metadata(f, desired))
        {
            return false;
        }
    }
    let Some(ours) = ours else { return false };
    let mut body = desired.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove("apiVersion");
        o.remove("kind");
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("name");
            meta.remove("namespace");
        }
    }
    holds(live_data, &body) && owns_all(ours, &body) && owns_only(ours, &body)
}

/// Whether `live` holds every value of `desired`: maps key by key (keys only `live` has are
/// someone else's, such as server defaults), lists item by item in order and of equal length,
/// scalars equal. A null in `desired` asks for the field's absence. Resource quantities under
/// `resources`, `limits`, `requests` or `hard` compare by amount, because the API server
/// writes them in canonical form (`1000m` comes back as `1`).
fn holds(live: &Value, desired: &Value) -> bool {
    holds_in(live, desired, false)
}

fn holds_in(live: &Value, desired: &Value, quantities: bool) -> bool {
    match (desired, live) {
        (Value::Object(want), Value::Object(have)) => want.iter().all(|(k, v)| match have.get(k) {
            Some(h) => holds_in(
                h,
                v,
                quantities || matches!(k.as_str(), "resources" | "limits" | "requests" | "hard"),
            ),
            None => v.is_null(),
        }),
        (Value::Array(want), Value::Array(have)) => {
            want.len() == have.len()
                && want
                    .iter()
                    .zip(have)
                    .all(|(w, h)| holds_in(h, w, quantities))
        }
        (Value::Null, live) => live.is_null(),
        (want, have) if want == have => true,
        (want, have) if quantities => {
            let amount = |v: &Value| match v {
                Value::String(s) => quantity(s),
                Value::Number(n) => n.as_f64(),
                _ => None,
            };
            match (amount(want), amount(have)) {
                (Some(w), Some(h)) => (w - h).abs() <= f64::EPSILON * w.abs().max(h.abs()) * 4.0,
                _ => false,
            }
        }
        _ => false,
    }
}

/// A Kubernetes resource quantity (`100m`, `1.5`, `128Mi`, `1G`, `2e3`) as a number, following
/// apimachinery's resource.Quantity suffixes; `None` for anything else.
fn quantity(text: &str) -> Option<f64> {
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let text = text.trim();
    for (suffix, factor) in SUFFIXES {
        if let Some(number) = text.strip_suffix(suffix)
            && !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
        {
            return number.parse::<f64>().ok().map(|n| n * factor);
        }
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Whether the managedFields set `fields` owns nothing beyond the fields of `value`: an entry
/// for a field `value` lacks means an earlier apply under todoctl's name set more than this
/// revision does, and applying this one removes it.
fn owns_only(fields: &Value, value: &Value) -> bool {
    let Some(set) = fields.as_object() else {
        return true;
    };
    set.iter().all(|(k, child)| {
        if k == "." {
            return true;
        }
        if let Some(name) = k.strip_prefix("f:") {
            return value
                .as_object()
                .and_then(|m| m.get(name))
                .is_some_and(|v| owns_only(child, v));
        }
        let Some(items) = value.as_array() else {
            return false;
        };
        if let Some(keys) = k.strip_prefix("k:") {
            let Ok(keys) = serde_json::from_str::<serde_json::Map<String, Value>>(keys) else {
                return false;
            };
            return items.iter().any(|item| {
                keys.iter().all(|(kk, kv)| item.get(kk) == Some(kv)) && owns_only(child, item)
            });
        }
        if let Some(v) = k.strip_prefix("v:") {
            return serde_json::from_str::<Value>(v).is_ok_and(|v| items.contains(&v));
        }
        if let Some(i) = k.strip_prefix("i:") {
            return i
                .parse::<usize>()
                .is_ok_and(|i| items.get(i).is_some_and(|item| owns_only(child, item)));
        }
        false
    })
}

/// Whether a managedFields set covers only annotations and labels that `desired` lacks.
fn only_foreign_metadata(fields: &Value, desired: &Value) -> bool {
    let Some(top) = fields.as_object() else {
        return false;
    };
    top.iter().all(|(k, v)| match k.as_str() {
        "f:metadata" => v.as_object().is_some_and(|meta| {
            meta.iter().all(|(mk, mv)| {
                let section = match mk.as_str() {
                    "f:annotations" => "annotations",
                    "f:labels" => "labels",
                    _ => return mk == ".",
                };
                mv.as_object().is_some_and(|keys| {
                    keys.keys().all(|key| {
                        key == "."
                            || key.strip_prefix("f:").is_some_and(|name| {
                                desired
                                    .pointer(&format!("/metadata/{section}"))
                                    .and_then(|m| m.get(name))
                                    .is_none()
                            })
                    })
                })
            })
        }),
        "." => true,
        _ => false,
    })
}

/// Whether the managedFields set `fields` covers every field of `value`: map keys as `f:key`,
/// list items as `k:{..}` entries matching the item, or `v:`/`i:` entries, counted.
fn owns_all(fields: &Value, value: &Value) -> bool {
    // `{}`: the field is owned as a whole (a scalar, an atomic list or map).
    if fields.as_object().is_some_and(|f| f.is_empty()) {
        return true;
    }
    match value {
        Value::Object(map) => {
            let Some(set) = fields.as_object() else {
                return map.is_empty();
            };
            map.iter().all(|(k, v)| {
                set.get(&format!("f:{k}"))
                    .is_some_and(|child| owns_all(child, v))
            })
        }
        Value::Array(items) => {
            let Some(set) = fields.as_object() else {
                return items.is_empty();
            };
            let entries: Vec<(&String, &Value)> =
                set.iter().filter(|(k, _)| k.as_str() != ".").collect();
            if entries.len() < items.len() {
                return false;
            }
            items.iter().all(|item| match item {
                Value::Object(obj) => entries.iter().any(|(k, child)| {
                    k.strip_prefix("k:")
                        .and_then(|j| {
                            serde_json::from_str::<serde_json::Map<String, Value>>(j).ok()
                        })
                        .is_some_and(|keys| keys.iter().all(|(kk, kv)| obj.get(kk) == Some(kv)))
                        && owns_all(child, item)
                }),
                _ => true,
            })
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn live_values_decide_whether_an_object_is_held() {
        let live = json!({"spec": {"replicas": 5, "template": {"spec": {"containers": [
            {"name": "app", "image": "a:1", "imagePullPolicy": "IfNotPresent",
             "resources": {"limits": {"cpu": "1", "memory": "128Mi"}}}
        ]}}}});
        let same = json!({"spec": {"replicas": 5, "template": {"spec": {"containers": [
            {"name": "app", "image": "a:1", "resources": {"limits": {"cpu": "1000m", "memory": "128Mi"}}}
        ]}}}});
        assert!(super::holds(&live, &same));
        let other_replicas = json!({"spec": {"replicas": 3}});
        assert!(!super::holds(&live, &other_replicas));
        let other_cpu = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "resources": {"limits": {"cpu": "500m"}}}
        ]}}}});
        assert!(!super::holds(&live, &other_cpu));
        // Outside resources a string is compared as written.
        assert!(!super::holds(
            &json!({"data": {"x": "1"}}),
            &json!({"data": {"x": "1000m"}})
        ));
        assert!(super::holds(&json!({"a": 1}), &json!({"b": null})));
    }

    #[test]
    fn quantities_follow_the_apimachinery_suffixes() {
        assert_eq!(super::quantity("1000m"), Some(1.0));
        assert_eq!(super::quantity("128Mi"), Some(134_217_728.0));
        assert_eq!(super::quantity("1G"), Some(1e9));
        assert_eq!(super::quantity("2e3"), Some(2000.0));
        assert_eq!(super::quantity("abc"), None);
        assert_eq!(super::quantity("m"), None);
    }

    #[test]
    fn fields_owned_beyond_the_desired_object_are_noticed() {
        let fields = json!({"f:spec": {"f:replicas": {}, "f:paused": {}}});
        assert!(!super::owns_only(
            &fields,
            &json!({"spec": {"replicas": 2}})
        ));
        assert!(super::owns_only(
            &fields,
            &json!({"spec": {"replicas": 2, "paused": false}})
        ));
        let list = json!({"f:ports": {".": {}, "k:{\"port\":80}": {".": {}, "f:port": {}}}});
        assert!(super::owns_only(&list, &json!({"ports": [{"port": 80}]})));
        assert!(!super::owns_only(&list, &json!({"ports": [{"port": 81}]})));
    }
}
