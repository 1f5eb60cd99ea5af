//! Unions in the Kubernetes API that server-side apply cannot switch on its own: a field
//! whose value decides which sibling fields may be set (Deployment `strategy.type`), or a set
//! of siblings of which only one may be set (a probe's handler). The API server defaults
//! sub-fields of the member in use (a Deployment's `rollingUpdate`, a StatefulSet's
//! `rollingUpdate.partition`, a Service's `sessionAffinityConfig`, an `httpGet` probe's
//! `scheme`) that no field manager owns, so an apply that switches to another member leaves
//! them behind and the result is invalid ("may not be specified when strategy `type` is
//! 'Recreate'"). Client-side apply clears them through the `retainKeys` patch strategy; Helm 3
//! inherits that, server-side apply has no equivalent yet (KEP-5051, unsetting fields).
//!
//! [`switch_patch`] finds, for a rejected apply, the members the live object holds that the
//! desired object switched away from, and builds the strategic merge patch that makes the
//! switch on its own: the desired discriminator and member set, the stale members cleared.

use serde_json::{Map, Value, json};

/// One union: where it sits, what selects the member, and which fields each member may set.
struct Union {
    kinds: &'static [&'static str],
    /// Dotted path to the struct holding the union; `{pod}` stands for the kind's pod spec,
    /// `[]` for every item of a list keyed by `name`.
    at: &'static str,
    /// The field naming the member in use; `None` when setting a member is the choice.
    discriminator: Option<&'static str>,
    /// Discriminator value -> the fields it allows; for an undiscriminated union one entry
    /// with every member.
    members: &'static [(&'static str, &'static [&'static str])],
}

const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "CronJob",
];

const PROBE_HANDLERS: &[(&str, &[&str])] = &[("", &["exec", "httpGet", "tcpSocket", "grpc"])];
const LIFECYCLE_HANDLERS: &[(&str, &[&str])] = &[("", &["exec", "httpGet", "tcpSocket", "sleep"])];
/// Every volume source of core/v1 `Volume`.
const VOLUME_SOURCES: &[(&str, &[&str])] = &[(
    "",
    &[
        "hostPath",
        "emptyDir",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "downwardAPI",
        "fc",
        "azureFile",
        "configMap",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "projected",
        "portworxVolume",
        "scaleIO",
        "storageos",
        "csi",
        "ephemeral",
        "image",
    ],
)];

/// The unions handled, from the API's validation rules (k8s.io/kubernetes
/// pkg/apis/apps/validation and pkg/apis/core/validation). The two update strategies fail
/// under any apply, since their siblings are server defaults nobody owns. Probe and lifecycle
/// handlers and volume sources switch on their own when todoctl owns the old member (the
/// apply then removes it whole); they are here for members another manager wrote, as
/// client-side apply and Helm 3 do. The API server clears what a Service type,
/// `externalTrafficPolicy` or `sessionAffinity` switch leaves (its `dropTypeDependentFields`),
/// and a DaemonSet accepts a stale `rollingUpdate` under `OnDelete`: none of those needs a
/// patch.
static UNIONS: &[Union] = &[
    Union {
        kinds: &["Deployment"],
        at: "spec.strategy",
        discriminator: Some("type"),
        members: &[("RollingUpdate", &["rollingUpdate"]), ("Recreate", &[])],
    },
    Union {
        kinds: &["StatefulSet"],
        at: "spec.updateStrategy",
        discriminator: Some("type"),
        members: &[("RollingUpdate", &["rollingUpdate"]), ("OnDelete", &[])],
    },
    Union {
        kinds: &["DaemonSet"],
        at: "spec.updateStrategy",
        discriminator: Some("type"),
        members: &[("RollingUpdate", &["rollingUpdate"]), ("OnDelete", &[])],
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.containers[].livenessProbe",
        discriminator: None,
        members: PROBE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.containers[].readinessProbe",
        discriminator: None,
        members: PROBE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.containers[].startupProbe",
        discriminator: None,
        members: PROBE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.initContainers[].livenessProbe",
        discriminator: None,
        members: PROBE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.initContainers[].readinessProbe",
        discriminator: None,
        members: PROBE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.initContainers[].startupProbe",
        discriminator: None,
        members: PROBE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.containers[].lifecycle.postStart",
        discriminator: None,
        members: LIFECYCLE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.containers[].lifecycle.preStop",
        discriminator: None,
        members: LIFECYCLE_HANDLERS,
    },
    Union {
        kinds: WORKLOADS,
        at: "{pod}.volumes[]",
        discriminator: None,
        members: VOLUME_SOURCES,
    },
];

/// Where a kind keeps its pod spec, dotted: its pod template (the kinds table's column), then
/// `spec`. The unions' kinds are all built-in workloads with a template.
fn pod_spec(kind: &str) -> String {
    let template = crate::manifest::kinds::named(kind)
        .and_then(|k| k.pod_template)
        .unwrap_or(&["spec", "template"]);
    let mut path = template.to_vec();
    path.push("spec");
    path.join(".")
}

/// A switch found in one object: the strategic merge patch that makes it, and the field paths
/// (as the API server writes them, `spec.template.spec.containers[0].livenessProbe`) of the
/// unions it touches.
#[derive(Debug, Clone, PartialEq)]
pub struct Switch {
    pub patch: Value,
    /// The same keys with their live values (`null`: absent): the desired object with this
    /// laid over it keeps every union as it is live, for a dry run of everything else.
    pub restore: Value,
    pub paths: Vec<String>,
    /// `spec.strategy.rollingUpdate`, ... : what the patch clears.
    pub cleared: Vec<String>,
}

/// The switch that `desired` makes against `live`, if any union of its kind changes member
/// while the live object still holds a member the desired one does not set.
pub fn switch_patch(kind: &str, desired: &Value, live: &Value) -> Option<Switch> {
    let mut patch = Value::Object(Map::new());
    let mut restore = Value::Object(Map::new());
    let mut paths = Vec::new();
    let mut cleared = Vec::new();
    for union in UNIONS.iter().filter(|u| u.kinds.contains(&kind)) {
        let at = union.at.replace("{pod}", &pod_spec(kind));
        let steps: Vec<&str> = at.split('.').collect();
        visit(
            union,
            &steps,
            Some(desired),
            Some(live),
            &mut Vec::new(),
            &mut (&mut patch, &mut restore),
            &mut paths,
            &mut cleared,
        );
    }
    if paths.is_empty() {
        None
    } else {
        Some(Switch {
            patch,
            restore,
            paths,
            cleared,
        })
    }
}

/// One step of the patch being built: a map key, or the list item with this `name`.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item { list: String, name: String },
}

#[allow(clippy::too_many_arguments)]
fn visit(
    union: &Union,
    steps: &[&str],
    desired: Option<&Value>,
    live: Option<&Value>,
    trail: &mut Vec<(Step, String)>,
    patch: &mut (&mut Value, &mut Value),
    paths: &mut Vec<String>,
    cleared: &mut Vec<String>,
) {
    let (Some(desired), Some(live)) = (desired, live) else {
        return;
    };
    let Some((first, rest)) = steps.split_first() else {
        if let Some((set, stale)) = stale_members(union, desired, live) {
            let path = trail
                .iter()
                .map(|(_, p)| p.as_str())
                .collect::<Vec<_>>()
                .concat();
            let path = path.trim_start_matches('.').to_string();
            let mut body = Map::new();
            let mut restore = Map::new();
            for (k, v) in set {
                restore.insert(k.clone(), live.get(&k).cloned().unwrap_or(Value::Null));
                body.insert(k, v);
            }
            for k in &stale {
                body.insert(k.clone(), Value::Null);
                restore.insert(k.clone(), live.get(k).cloned().unwrap_or(Value::Null));
                cleared.push(format!("{path}.{k}"));
            }
            insert(patch.0, trail, Value::Object(body));
            insert(patch.1, trail, Value::Object(restore));
            paths.push(path);
        }
        return;
    };
    match first.strip_suffix("[]") {
        Some(list) => {
            let (Some(d_items), Some(l_items)) = (
                desired.get(list).and_then(Value::as_array),
                live.get(list).and_then(Value::as_array),
            ) else {
                return;
            };
            for d in d_items {
                let Some(name) = d.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let Some((index, l)) = l_items
                    .iter()
                    .enumerate()
                    .find(|(_, l)| l.get("name").and_then(Value::as_str) == Some(name))
                else {
                    continue;
                };
                trail.push((
                    Step::Item {
                        list: list.to_string(),
                        name: name.to_string(),
                    },
                    format!(".{list}[{index}]"),
                ));
                visit(union, rest, Some(d), Some(l), trail, patch, paths, cleared);
                trail.pop();
            }
        }
        None => {
            trail.push((Step::Key(first.to_string()), format!(".{first}")));
            visit(
                union,
                rest,
                desired.get(*first),
                live.get(*first),
                trail,
                patch,
                paths,
                cleared,
            );
            trail.pop();
        }
    }
}

/// Fields and values a switch sets.
type Members = Vec<(String, Value)>;

/// What the patch sets (the desired discriminator and members) and which live members it
/// clears, when the desired object switches away from a member the live one holds.
fn stale_members(union: &Union, desired: &Value, live: &Value) -> Option<(Members, Vec<String>)> {
    let every: Vec<&str> = union
        .members
        .iter()
        .flat_map(|(_, fields)| fields.iter().copied())
        .collect();
    let allowed: Vec<&str> = match union.discriminator {
        Some(d) => {
            let chosen = desired.get(d)?.as_str()?;
            union
                .members
                .iter()
                .find(|(value, _)| *value == chosen)
                .map(|(_, fields)| fields.to_vec())?
        }
        // Undiscriminated: the members the desired object sets are the choice.
        None => {
            let set: Vec<&str> = every
                .iter()
                .copied()
                .filter(|m| desired.get(*m).is_some())
                .collect();
            if set.is_empty() {
                return None;
            }
            set
        }
    };
    let stale: Vec<String> = every
        .iter()
        .filter(|m| !allowed.contains(m))
        .filter(|m| live.get(**m).is_some_and(|v| !v.is_null()))
        .filter(|m| desired.get(**m).is_none())
        .map(|m| m.to_string())
        .collect();
    if stale.is_empty() {
        return None;
    }
    let mut set = Vec::new();
    if let Some(d) = union.discriminator
        && let Some(v) = desired.get(d)
    {
        set.push((d.to_string(), v.clone()));
    }
    for m in &allowed {
        if let Some(v) = desired.get(*m) {
            set.push((m.to_string(), v.clone()));
        }
    }
    Some((set, stale))
}

/// Puts `body` into the patch at `trail`, list items as `[{name: ...}]` entries that a
/// strategic merge patch matches by name.
fn insert(patch: &mut Value, trail: &[(Step, String)], body: Value) {
    let Some(((step, _), rest)) = trail.split_first() else {
        merge(patch, body);
        return;
    };
    let Some(map) = patch.as_object_mut() else {
        return;
    };
    match step {
        Step::Key(k) => {
            let child = map.entry(k.clone()).or_insert_with(|| json!({}));
            insert(child, rest, body);
        }
        Step::Item { list, name } => {
            let items = map.entry(list.clone()).or_insert_with(|| json!([]));
            let Some(items) = items.as_array_mut() else {
                return;
            };
            let index = match items
                .iter()
                .position(|i| i.get("name").and_then(Value::as_str) == Some(name))
            {
                Some(i) => i,
                None => {
                    items.push(json!({ "name": name }));
                    items.len() - 1
                }
            };
            insert(&mut items[index], rest, body);
        }
    }
}

/// Lays a patch of [`Switch`]'s shape over `target`: maps merge, list items match by `name`,
/// `null` removes the key.
pub fn overlay(target: &mut Value, patch: &Value) {
    let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) else {
        *target = patch.clone();
        return;
    };
    for (k, v) in p {
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(_) if t.get(k).is_some_and(Value::is_object) => {
                if let Some(child) = t.get_mut(k) {
                    overlay(child, v);
                }
            }
            Value::Array(items) if t.get(k).is_some_and(Value::is_array) => {
                let Some(list) = t.get_mut(k).and_then(Value::as_array_mut) else {
                    continue;
                };
                for item in items {
                    let name = item.get("name").and_then(Value::as_str);
                    match list
                        .iter_mut()
                        .find(|l| name.is_some() && l.get("name").and_then(Value::as_str) == name)
                    {
                        Some(l) => overlay(l, item),
                        None => list.push(item.clone()),
                    }
                }
            }
            _ => {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

fn merge(into: &mut Value, from: Value) {
    match (into.as_object_mut(), from) {
        (Some(a), Value::Object(b)) => {
            for (k, v) in b {
                a.insert(k, v);
            }
        }
        (_, from) => *into = from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_strategy_to_recreate_clears_the_defaulted_rolling_update() {
        let live = json!({"spec": {"strategy": {"type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}});
        let desired = json!({"spec": {"strategy": {"type": "Recreate"}}});
        let s = switch_patch("Deployment", &desired, &live).expect("a switch");
        assert_eq!(
            s.patch,
            json!({"spec": {"strategy": {"type": "Recreate", "rollingUpdate": null}}})
        );
        assert_eq!(s.paths, vec!["spec.strategy"]);
        assert_eq!(s.cleared, vec!["spec.strategy.rollingUpdate"]);
        let mut restated = desired.clone();
        overlay(&mut restated, &s.restore);
        assert_eq!(restated, live);
        let mut shown = live.clone();
        overlay(&mut shown, &s.patch);
        assert_eq!(shown, desired);
        // Back to RollingUpdate needs nothing: the server defaults the new member.
        assert_eq!(switch_patch("Deployment", &live, &desired), None);
        // No opinion on the strategy: nothing to switch.
        assert_eq!(
            switch_patch("Deployment", &json!({"spec": {}}), &live),
            None
        );
    }

    #[test]
    fn a_probe_handler_switch_is_patched_by_container_name() {
        let live = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "sidecar"},
            {"name": "app", "livenessProbe": {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
                                              "periodSeconds": 10}}]}}}});
        let desired = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "livenessProbe": {"exec": {"command": ["true"]}}}]}}}});
        let s = switch_patch("Deployment", &desired, &live).expect("a switch");
        assert_eq!(
            s.patch,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app",
                "livenessProbe": {"exec": {"command": ["true"]}, "httpGet": null}}]}}}})
        );
        assert_eq!(
            s.paths,
            vec!["spec.template.spec.containers[1].livenessProbe"]
        );
    }

    #[test]
    fn a_volume_source_switch_in_a_cronjob() {
        let live = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"volumes": [
            {"name": "data", "configMap": {"name": "c", "defaultMode": 420}}]}}}}}});
        let desired = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"volumes": [
            {"name": "data", "secret": {"secretName": "s"}}]}}}}}});
        let s = switch_patch("CronJob", &desired, &live).expect("a switch");
        assert_eq!(
            s.cleared,
            vec!["spec.jobTemplate.spec.template.spec.volumes[0].configMap"]
        );
    }
}
