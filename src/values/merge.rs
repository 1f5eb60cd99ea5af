//! Layering values: user values over chart defaults (Helm's coalesce, where a null deletes a key)
//! and user sources over each other (Helm's `MergeMaps`, where a null is kept so that it can still
//! delete the chart default later).

use serde_json::{Map, Value};

/// Merges `overlay` into `base` the way Helm coalesces user values over chart defaults: maps merge
/// key by key, lists and scalars replace, and a null in `overlay` deletes the key from `base`.
///
/// A type clash (a map over a scalar or the reverse) is won by `overlay`, as in Helm, which only
/// warns. A null `overlay` as a whole means "nothing to merge" and leaves `base` as it is.
pub fn merge_into(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (_, Value::Null) => {}
        (Value::Object(base), Value::Object(overlay)) => merge_objects(base, overlay),
        (base, overlay) => *base = without_nulls(overlay),
    }
}

/// The chart's `defaults` with the user's values laid over them (see [`merge_into`]).
pub fn coalesce(defaults: Value, user: &Value) -> Value {
    let mut out = defaults;
    merge_into(&mut out, user.clone());
    out
}

fn merge_objects(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match value {
            // shift_remove keeps the remaining keys in the chart's order.
            Value::Null => {
                base.shift_remove(&key);
            }
            Value::Object(inner) => match base.get_mut(&key) {
                Some(Value::Object(existing)) => merge_objects(existing, inner),
                _ => {
                    base.insert(key, without_nulls(Value::Object(inner)));
                }
            },
            other => {
                base.insert(key, other);
            }
        }
    }
}

/// A subtree with no counterpart in the defaults: its nulls have nothing left to delete, so they
/// go rather than reach templates as keys whose value is null.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Helm's `MergeMaps`, used between user sources (`-f` files, a `--set-json` object): maps merge
/// key by key, anything else in `overlay` replaces, and nulls are kept.
pub fn merge_maps(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(inner)) => merge_maps(existing, inner),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_merge_deeply() {
        let mut base = json!({"a": {"b": 1, "c": 2}, "d": 3});
        merge_into(&mut base, json!({"a": {"c": 20, "e": 5}}));
        assert_eq!(base, json!({"a": {"b": 1, "c": 20, "e": 5}, "d": 3}));
    }

    #[test]
    fn lists_replace() {
        let mut base = json!({"a": [1, 2, 3]});
        merge_into(&mut base, json!({"a": [9]}));
        assert_eq!(base, json!({"a": [9]}));
    }

    #[test]
    fn scalars_replace() {
        let mut base = json!({"a": "x", "b": true});
        merge_into(&mut base, json!({"a": 1, "b": false}));
        assert_eq!(base, json!({"a": 1, "b": false}));
    }

    #[test]
    fn null_deletes_key() {
        let mut base = json!({"a": {"b": 1, "c": 2}, "d": 3});
        merge_into(&mut base, json!({"a": {"b": null}, "d": null}));
        assert_eq!(base, json!({"a": {"c": 2}}));
    }

    #[test]
    fn null_for_missing_key_is_dropped() {
        let mut base = json!({"a": 1});
        merge_into(&mut base, json!({"x": null, "y": {"z": null, "w": 1}}));
        assert_eq!(base, json!({"a": 1, "y": {"w": 1}}));
    }

    #[test]
    fn null_keeps_order_of_remaining_keys() {
        let mut base = json!({"a": 1, "b": 2, "c": 3});
        merge_into(&mut base, json!({"a": null}));
        let keys: Vec<_> = base
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .collect();
        assert_eq!(keys, ["b", "c"]);
    }

    #[test]
    fn overlay_wins_type_clashes() {
        let mut base = json!({"a": {"b": 1}, "c": 2});
        merge_into(&mut base, json!({"a": "flat", "c": {"d": 1}}));
        assert_eq!(base, json!({"a": "flat", "c": {"d": 1}}));
    }

    #[test]
    fn null_overlay_changes_nothing() {
        let mut base = json!({"a": 1});
        merge_into(&mut base, Value::Null);
        assert_eq!(base, json!({"a": 1}));
    }

    #[test]
    fn non_map_base_is_replaced() {
        let mut base = Value::Null;
        merge_into(&mut base, json!({"a": 1}));
        assert_eq!(base, json!({"a": 1}));
    }

    #[test]
    fn coalesce_keeps_defaults_and_their_order() {
        let defaults = json!({"image": {"repo": "app", "tag": "1"}, "replicas": 1, "debug": false});
        let user = json!({"image": {"tag": "2"}, "debug": null, "extra": "x"});
        let out = coalesce(defaults, &user);
        assert_eq!(
            out,
            json!({"image": {"repo": "app", "tag": "2"}, "replicas": 1, "extra": "x"})
        );
        let keys: Vec<_> = out.as_object().into_iter().flat_map(|m| m.keys()).collect();
        assert_eq!(keys, ["image", "replicas", "extra"]);
    }

    #[test]
    fn merge_maps_keeps_nulls() {
        let mut base = json!({"a": {"b": 1}, "c": 1})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let overlay = json!({"a": {"b": null}, "c": null})
            .as_object()
            .cloned()
            .unwrap_or_default();
        merge_maps(&mut base, overlay);
        assert_eq!(Value::Object(base), json!({"a": {"b": null}, "c": null}));
    }

    #[test]
    fn merge_maps_replaces_non_maps() {
        let mut base = json!({"a": [1], "b": {"c": 1}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let overlay = json!({"a": [2], "b": "x"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        merge_maps(&mut base, overlay);
        assert_eq!(Value::Object(base), json!({"a": [2], "b": "x"}));
    }
}
