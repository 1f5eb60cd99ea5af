//! Fields the API server never lets change once an object exists, and the two lint checks
//! that keep data which changes between revisions out of them: version-like labels found in
//! one render, and fields that differ between a render and the next revision's.

use serde_json::Value;

use super::kinds;
use super::lint::{Finding, Severity};
use super::{Object, get_path};

/// Label keys whose values change with every release of a chart or an image.
const VERSION_LABELS: &[&str] = &[
    "app.kubernetes.io/version",
    "helm.sh/chart",
    "version",
    "chart",
];

pub const VERSION_RULE: &str = "version-in-immutable-field";
pub const CHANGING_RULE: &str = "changing-immutable-field";

/// The immutable fields of `object` that it sets: (dotted path, value).
fn immutable_fields(object: &Object) -> impl Iterator<Item = (String, &Value)> {
    // The kinds table's immutable fields column (sources there).
    kinds::lookup(object.api_version(), object.kind())
        .map_or(&[][..], |(info, _)| info.immutable)
        .iter()
        .filter_map(|path| get_path(&object.data, path).map(|v| (path.join("."), v)))
        .filter(|(_, v)| !v.is_null())
}

/// Image tags of every container the object runs (`repo:tag`, without a digest).
fn image_tags(object: &Object) -> Vec<String> {
    let mut tags = Vec::new();
    collect_images(&object.data, &mut tags);
    tags
}

fn collect_images(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "image"
                    && let Some(image) = v.as_str()
                {
                    let image = image.split('@').next().unwrap_or(image);
                    let last = image.rsplit('/').next().unwrap_or(image);
                    if let Some((_, tag)) = last.rsplit_once(':') {
                        out.push(tag.to_string());
                    }
                } else {
                    collect_images(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_images(v, out)),
        _ => {}
    }
}

/// Version-like labels inside immutable fields: a version label key, or a label value equal to
/// an image tag the object runs. A Job's pod template is left to [`changing_fields`]: its
/// labels are a pod's, fine on a Job named per revision and wrong only on one that keeps its
/// name, which one render cannot tell.
pub fn version_labels(objects: &[Object]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in objects {
        let tags = image_tags(object);
        for (path, value) in immutable_fields(object) {
            if object.kind() == "Job" && path == "spec.template" {
                continue;
            }
            let mut hits = Vec::new();
            find_version_labels(value, &path, None, &tags, &mut hits);
            for (at, label, text) in hits {
                findings.push(Finding {
                    rule: VERSION_RULE,
                    severity: Severity::Warning,
                    object: object.reference(),
                    template: object.template.clone(),
                    container: String::new(),
                    message: format!(
                        "{at} holds the label `{label}: {text}`, but `{path}` cannot change once the object exists, so the next version makes every upgrade fail"
                    ),
                    hint: format!(
                        "leave `{label}` out of `{path}` (keep it on metadata.labels and the pod template)"
                    ),
                });
            }
        }
    }
    findings
}

fn find_version_labels(
    value: &Value,
    path: &str,
    parent: Option<&str>,
    tags: &[String],
    out: &mut Vec<(String, String, String)>,
) {
    match value {
        Value::Object(map) => {
            let is_labels = matches!(parent, Some("labels" | "matchLabels"));
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if is_labels {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if VERSION_LABELS.contains(&k.as_str())
                        || (!text.is_empty() && tags.contains(&text))
                    {
                        out.push((path.to_string(), k.clone(), text));
                    }
                } else {
                    find_version_labels(v, &here, Some(k), tags, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_version_labels(v, &format!("{path}[{i}]"), parent, tags, out);
            }
        }
        _ => {}
    }
}

/// Immutable fields that differ between `now` and `next`, a render of the next revision:
/// objects are matched by kind and name, so a Job named per revision is a new object and fine.
/// `how` says what `next` changed, for the message.
pub fn changing_fields(
    now: &[Object],
    next: &[Object],
    namespace: &str,
    how: &str,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in now {
        let key = object.key(namespace);
        let Some(later) = next.iter().find(|o| o.key(namespace) == key) else {
            continue;
        };
        let later_fields: Vec<(String, &Value)> = immutable_fields(later).collect();
        for (path, value) in immutable_fields(object) {
            let after = later_fields
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, v)| *v)
                .unwrap_or(&Value::Null);
            let Some((at, from, to)) = first_difference(value, after, &path) else {
                continue;
            };
            findings.push(Finding {
                rule: CHANGING_RULE,
                severity: Severity::Warning,
                object: object.reference(),
                template: object.template.clone(),
                container: String::new(),
                message: format!(
                    "{at} changes from {from} to {to} in the next revision ({how}), but `{path}` cannot change once the object exists, so that upgrade would be refused"
                ),
                hint: format!(
                    "render `{path}` only from values that stay the same across revisions (no image tag, chart version or release.revision)"
                ),
            });
        }
    }
    findings
}

/// The first place two values differ: (path, old, new) with values shown compactly.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some((path.to_string(), show(a), show(b))),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "nothing".to_string(),
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// `values` with every image tag changed: each mapping with a string `tag` beside a
/// `repository` gets `<tag>-next`, the way an image bump changes it.
pub fn bump_image_tags(values: &mut Value) -> usize {
    let mut n = 0;
    bump(values, &mut n);
    n
}

fn bump(value: &mut Value, n: &mut usize) {
    match value {
        Value::Object(map) => {
            if map.contains_key("repository")
                && let Some(Value::String(tag)) = map.get_mut("tag")
                && !tag.is_empty()
            {
                tag.push_str("-next");
                *n += 1;
            }
            for v in map.values_mut() {
                bump(v, n);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| bump(v, n)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn statefulset(claim_labels: Value, image: &str) -> Object {
        Object::new(
            "templates/db.yaml",
            json!({
                "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                "spec": {
                    "selector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
                    "template": {"metadata": {"labels": {"app.kubernetes.io/version": "16"}},
                        "spec": {"containers": [{"name": "db", "image": image}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data", "labels": claim_labels}}]
                }
            }),
        )
    }

    #[test]
    fn version_labels_in_claim_templates_and_selectors_are_found() {
        let found = version_labels(&[statefulset(
            json!({"app.kubernetes.io/version": "16-alpine"}),
            "postgres:16-alpine",
        )]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("spec.volumeClaimTemplates[0].metadata.labels")
        );

        // A label holding the image's tag under another key.
        let found = version_labels(&[statefulset(
            json!({"tier": "16-alpine"}),
            "postgres:16-alpine",
        )]);
        assert_eq!(found.len(), 1, "{found:?}");

        let mut deployment = Object::new(
            "templates/web.yaml",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": "web", "helm.sh/chart": "web-1.2.0"}},
                    "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}}),
        );
        assert_eq!(version_labels(std::slice::from_ref(&deployment)).len(), 1);
        deployment.data["spec"]["selector"]["matchLabels"] = json!({"app": "web"});
        assert!(version_labels(&[deployment]).is_empty());

        // Versions on the pod template and on metadata are fine: those fields may change.
        assert!(
            version_labels(&[statefulset(json!({"app": "db"}), "postgres:16-alpine")]).is_empty()
        );

        // A Job's pod labels may carry the version; its selector may not.
        let job = Object::new(
            "templates/migrate.yaml",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate-r1"},
                "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/version": "1"}},
                    "spec": {"containers": [{"name": "m", "image": "m:1"}]}}}}),
        );
        assert!(version_labels(&[job]).is_empty());
    }

    #[test]
    fn changes_between_revisions_are_found_and_renamed_jobs_are_not() {
        let now = [statefulset(json!({"v": "a"}), "postgres:16")];
        let next = [statefulset(json!({"v": "b"}), "postgres:16")];
        let found = changing_fields(&now, &next, "ns", "image tags changed");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.starts_with(
                "spec.volumeClaimTemplates[0].metadata.labels.v changes from `a` to `b`"
            ),
            "{}",
            found[0].message
        );
        assert!(changing_fields(&now, &now, "ns", "x").is_empty());

        let job = |name: &str, image: &str| {
            Object::new(
                "templates/job.yaml",
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
                    "spec": {"template": {"spec": {"containers": [{"name": "m", "image": image}]}}}}),
            )
        };
        assert_eq!(
            changing_fields(&[job("m", "a:1")], &[job("m", "a:2")], "ns", "x").len(),
            1
        );
        assert!(
            changing_fields(&[job("m-r1", "a:1")], &[job("m-r2", "a:2")], "ns", "x").is_empty()
        );
    }

    #[test]
    fn image_tags_are_bumped_where_an_image_is_described() {
        let mut v = json!({"a": {"image": {"repository": "x", "tag": "1"}}, "tag": "keep", "b": [{"repository": "y", "tag": "2"}]});
        assert_eq!(bump_image_tags(&mut v), 2);
        assert_eq!(v["a"]["image"]["tag"], "1-next");
        assert_eq!(v["b"][0]["tag"], "2-next");
        assert_eq!(v["tag"], "keep");
    }
}
