//! The pods of a workload: which of them belong to its current rollout, and which of those
//! cannot recover. A wait fails fast on the latter, and the diagnosis names them first.

use std::fmt;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::{Api, Client};
use serde_json::Value;

use super::rules::unobserved;
use super::{condition, condition_true, int, plural, text};
use crate::manifest::kinds::{self, Rollout};

/// The rollout rule of a workload whose pods are inspected, for failing fast and for the
/// diagnosis: the kinds table's `rollout` column. By name only, as [`super::rules::has_rule`].
pub(super) fn rollout(kind: &str) -> Option<Rollout> {
    kinds::named(kind).and_then(|k| k.rollout)
}

/// Container states that fail a wait before its timeout, with the restart count from which they
/// count. A pod of the current rollout in one of these needs a new image, config or secret: the
/// kubelet keeps retrying, but waiting out the timeout would only delay the bad news. A crash
/// loop counts after a few restarts, because an app may crash once or twice while a dependency
/// (a database in the same release) comes up. Image pull errors count at once: a wrong name or
/// tag does not fix itself.
pub(super) const HOPELESS: &[(&str, i64)] = &[
    ("ImagePullBackOff", 0),
    ("ErrImagePull", 0),
    ("InvalidImageName", 0),
    ("CreateContainerConfigError", 0),
    ("CreateContainerError", 0),
    ("CrashLoopBackOff", 3),
];

/// One short line on an unready pod: unschedulable, a container's waiting reason, or its phase.
pub(super) fn pod_summary(pod: &Value) -> String {
    if let Some(why) = unschedulable(pod) {
        return format!("unschedulable: {why}");
    }
    if let Some((name, reason)) = containers(pod).find_map(|c| {
        let reason = text(c, "/state/waiting/reason")?;
        Some((text(c, "/name").unwrap_or("?"), reason))
    }) {
        return format!("container \"{name}\" {reason}");
    }
    match text(pod, "/status/phase") {
        Some(phase) => format!("{}, not ready", phase.to_lowercase()),
        None => "pending".to_string(),
    }
}

/// Init containers first: while one of them fails, the others never start.
pub(super) fn containers(pod: &Value) -> impl Iterator<Item = &Value> {
    ["/status/initContainerStatuses", "/status/containerStatuses"]
        .into_iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
}

pub(super) fn unschedulable(pod: &Value) -> Option<String> {
    let scheduled = condition(pod, "PodScheduled")?;
    (text(scheduled, "/status") == Some("False")).then(|| {
        text(scheduled, "/message")
            .or_else(|| text(scheduled, "/reason"))
            .unwrap_or("no node fits")
            .trim_end_matches('.')
            .to_string()
    })
}

/// `terminated: Error, exit code 1` for a container that stopped, if it did.
pub(super) fn terminated(container: &Value) -> Option<String> {
    let t = container
        .pointer("/state/terminated")
        .or_else(|| container.pointer("/lastState/terminated"))?;
    let reason = text(t, "/reason").unwrap_or("terminated");
    Some(match int(t, "/exitCode") {
        Some(code) => format!("{reason}, exit code {code}"),
        None => reason.to_string(),
    })
}

/// A container that will not start without a change, by the [`HOPELESS`] table.
pub(super) struct Hopeless {
    pub(super) container: String,
    pub(super) reason: String,
    pub(super) restarts: i64,
}

impl fmt::Display for Hopeless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "container \"{}\" {}", self.container, self.reason)?;
        if self.restarts > 0 {
            write!(f, ", restarted {}", plural(self.restarts, "time"))?;
        }
        Ok(())
    }
}

/// The first container of `pod` that cannot recover, or `None`.
pub(super) fn hopeless(pod: &Value) -> Option<Hopeless> {
    containers(pod).find_map(|c| {
        let reason = text(c, "/state/waiting/reason")?;
        let restarts = int(c, "/restartCount").unwrap_or(0);
        let (_, threshold) = HOPELESS.iter().find(|(r, _)| *r == reason)?;
        (restarts >= *threshold).then(|| Hopeless {
            container: text(c, "/name").unwrap_or("?").to_string(),
            reason: reason.to_string(),
            restarts,
        })
    })
}

/// The pods of the object's current rollout among `pods`, by its kind's [`Rollout`] rule.
/// `replica_sets` matter only for Deployments.
pub(super) fn current_rollout<'a>(
    kind: &str,
    live: &Value,
    pods: &'a [Value],
    replica_sets: &[Value],
) -> Vec<&'a Value> {
    let Some(rollout) = rollout(kind) else {
        return Vec::new();
    };
    let uid = text(live, "/metadata/uid");
    let label = |pod: &Value, key: &str| {
        pod.pointer("/metadata/labels")
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let wanted: Option<(&str, String)> = match rollout {
        Rollout::NewestReplicaSet => replica_sets
            .iter()
            .filter(|rs| uid.is_none() || owner_uids(rs).any(|o| Some(o) == uid))
            .max_by_key(|rs| {
                text(
                    rs,
                    "/metadata/annotations/deployment.kubernetes.io~1revision",
                )
                .and_then(|r| r.parse::<i64>().ok())
                .unwrap_or(0)
            })
            .and_then(|rs| label(rs, "pod-template-hash"))
            .map(|hash| ("pod-template-hash", hash)),
        Rollout::UpdateRevision => text(live, "/status/updateRevision")
            .map(|rev| ("controller-revision-hash", rev.to_string())),
        Rollout::TemplateGeneration => {
            int(live, "/metadata/generation").map(|g| ("pod-template-generation", g.to_string()))
        }
        Rollout::Owned => {
            return pods
                .iter()
                .filter(|p| uid.is_none() || owner_uids(p).any(|o| Some(o) == uid))
                .collect();
        }
    };
    let Some((key, value)) = wanted else {
        return Vec::new();
    };
    pods.iter()
        .filter(|p| label(p, key).as_deref() == Some(value.as_str()))
        .collect()
}

pub(super) fn owner_uids(v: &Value) -> impl Iterator<Item = &str> {
    v.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| text(o, "/uid"))
}

/// `spec.selector` as a label selector string; `None` when it would select everything.
pub(super) fn label_selector(live: &Value) -> Option<String> {
    let selector = live.pointer("/spec/selector")?;
    let mut parts = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            parts.push(format!("{k}={}", v.as_str()?));
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Value::as_array) {
        for e in exprs {
            let key = text(e, "/key")?;
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            parts.push(match text(e, "/operator")? {
                "In" => format!("{key} in ({})", values.join(",")),
                "NotIn" => format!("{key} notin ({})", values.join(",")),
                "Exists" => key.to_string(),
                "DoesNotExist" => format!("!{key}"),
                _ => return None,
            });
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

pub(super) fn is_unready_pod(pod: &Value) -> bool {
    let finished = text(pod, "/status/phase") == Some("Succeeded");
    let terminating = pod.pointer("/metadata/deletionTimestamp").is_some();
    !finished && !terminating && !condition_true(pod, "Ready")
}

/// Pods (and, for Deployments, ReplicaSets) selected by the workload's `spec.selector`.
pub(super) async fn workload_pods(
    client: &Client,
    namespace: &str,
    kind: &str,
    live: &Value,
) -> Result<(Vec<Value>, Vec<Value>), kube::Error> {
    let Some(selector) = label_selector(live) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let params = ListParams::default().labels(&selector);
    let pods = Api::<Pod>::namespaced(client.clone(), namespace)
        .list(&params)
        .await?
        .items
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect();
    let replica_sets = if kind == "Deployment" {
        Api::<ReplicaSet>::namespaced(client.clone(), namespace)
            .list(&params)
            .await?
            .items
            .iter()
            .filter_map(|rs| serde_json::to_value(rs).ok())
            .collect()
    } else {
        Vec::new()
    };
    Ok((pods, replica_sets))
}

/// Fail fast: a pod of the current rollout that cannot recover (see [`HOPELESS`]) fails the
/// object. Only once the controller has observed the applied generation: before that, the
/// newest pods may still be those of the previous rollout, which are about to be replaced.
pub(super) async fn fail_fast(
    client: &Client,
    namespace: &str,
    kind: &str,
    live: &Value,
    applied: Option<i64>,
) -> Option<Hopeless> {
    if unobserved(live, applied).is_some() {
        return None;
    }
    // Best effort: an error here leaves the decision to the next check or the timeout.
    let (pods, replica_sets) = workload_pods(client, namespace, kind, live).await.ok()?;
    current_rollout(kind, live, &pods, &replica_sets)
        .into_iter()
        .find_map(hopeless)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cluster::readiness::fixtures::crashing_pod;

    #[test]
    fn hopeless_table_thresholds() {
        for (reason, restarts, hopeless_now) in [
            ("ImagePullBackOff", 0, true),
            ("ErrImagePull", 0, true),
            ("InvalidImageName", 0, true),
            ("CreateContainerConfigError", 0, true),
            ("CreateContainerError", 0, true),
            ("CrashLoopBackOff", 2, false),
            ("CrashLoopBackOff", 3, true),
            ("ContainerCreating", 9, false),
        ] {
            let pod = crashing_pod("p", reason, restarts);
            assert_eq!(
                hopeless(&pod).is_some(),
                hopeless_now,
                "{reason} {restarts}"
            );
        }
        // An init container that cannot start blocks the pod just the same.
        let init = json!({ "metadata": { "name": "p" }, "status": { "initContainerStatuses": [
            { "name": "migrate", "restartCount": 0,
              "state": { "waiting": { "reason": "ErrImagePull" } } }] } });
        assert_eq!(
            hopeless(&init).map(|h| h.to_string()).as_deref(),
            Some("container \"migrate\" ErrImagePull")
        );
    }

    #[test]
    fn only_pods_of_the_newest_replica_set_are_current() {
        let deployment = json!({ "metadata": { "uid": "d1" } });
        let rs = |name: &str, hash: &str, revision: &str| {
            json!({ "metadata": { "name": name, "labels": { "pod-template-hash": hash },
                "annotations": { "deployment.kubernetes.io/revision": revision },
                "ownerReferences": [{ "uid": "d1" }] } })
        };
        let replica_sets = [
            rs("backend-old", "old", "9"),
            rs("backend-new", "new", "10"),
        ];
        let mut old = crashing_pod("backend-old-1", "CrashLoopBackOff", 5);
        old["metadata"]["labels"]["pod-template-hash"] = json!("old");
        let new = crashing_pod("backend-new-1", "CrashLoopBackOff", 5);
        let pods = [old, new];
        let current = current_rollout("Deployment", &deployment, &pods, &replica_sets);
        let names: Vec<&str> = current
            .iter()
            .filter_map(|p| text(p, "/metadata/name"))
            .collect();
        // Revision 10 beats 9 numerically, not as text.
        assert_eq!(names, ["backend-new-1"]);
    }

    #[test]
    fn current_pods_of_stateful_and_daemon_sets() {
        let pod = |name: &str, key: &str, value: &str| json!({ "metadata": { "name": name, "labels": { key: value } } });
        let sts = json!({ "status": { "updateRevision": "db-2" } });
        let pods = [
            pod("db-0", "controller-revision-hash", "db-2"),
            pod("db-1", "controller-revision-hash", "db-1"),
        ];
        let current = current_rollout("StatefulSet", &sts, &pods, &[]);
        assert_eq!(current.len(), 1);
        assert_eq!(text(current[0], "/metadata/name"), Some("db-0"));

        let ds = json!({ "metadata": { "generation": 4 } });
        let pods = [
            pod("agent-a", "pod-template-generation", "3"),
            pod("agent-b", "pod-template-generation", "4"),
        ];
        let current = current_rollout("DaemonSet", &ds, &pods, &[]);
        assert_eq!(current.len(), 1);
        assert_eq!(text(current[0], "/metadata/name"), Some("agent-b"));
    }

    #[test]
    fn selectors_become_label_selector_strings() {
        let live = json!({ "spec": { "selector": {
            "matchLabels": { "app": "backend", "tier": "api" },
            "matchExpressions": [
                { "key": "track", "operator": "In", "values": ["stable", "canary"] },
                { "key": "legacy", "operator": "DoesNotExist" }] } } });
        assert_eq!(
            label_selector(&live).as_deref(),
            Some("app=backend,tier=api,track in (stable,canary),!legacy")
        );
        assert_eq!(label_selector(&json!({ "spec": { "selector": {} } })), None);
        assert_eq!(label_selector(&json!({ "spec": {} })), None);
    }
}
