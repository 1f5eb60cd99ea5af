//! Why an object is not ready, in lines for a person: its unready pods (current rollout first)
//! with their containers' reasons, the log tail of a Job's failed pod, and the most recent
//! Warning events of everything involved. Never fails: a failed lookup becomes a line.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{ListParams, LogParams};
use kube::{Api, Client};
use serde_json::Value;

use super::pods::{
    containers, current_rollout, is_unready_pod, rollout, terminated, unschedulable, workload_pods,
};
use super::{condition, int, plural, reason_message, text};
use crate::error::describe_kube as describe_error;

/// Pods and events named per object in a diagnosis; more would bury the first ones.
const MAX_PODS: usize = 5;
const MAX_EVENTS: usize = 5;
/// Log lines of a Job's most recent failed pod shown in a diagnosis: enough for a stack trace's
/// end or a migration tool's error, few enough to keep the rest readable.
const LOG_LINES: i64 = 20;
/// The time a log read may take: the API server proxies it to the node, which may not answer.
const LOG_BUDGET: Duration = Duration::from_secs(5);
/// The time the diagnosis may take after a failure or timeout.
pub(super) const DIAGNOSE_BUDGET: Duration = Duration::from_secs(15);

/// The lines a diagnosis gives for one unready pod: what each container waits for or died of,
/// restarts, and why it is not scheduled. Messages come from the kubelet and scheduler; env
/// values and Secret data are never read.
pub(super) fn describe_pod(pod: &Value) -> String {
    let name = text(pod, "/metadata/name").unwrap_or("?");
    if let Some(why) = unschedulable(pod) {
        return format!("pod {name}: unschedulable: {why}");
    }
    if text(pod, "/status/phase") == Some("Failed") {
        return format!("pod {name}: failed: {}", reason_message(&pod["status"]));
    }
    let mut parts = Vec::new();
    for c in containers(pod) {
        if c.get("ready").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let container = text(c, "/name").unwrap_or("?");
        let restarts = int(c, "/restartCount").unwrap_or(0);
        let mut part = if let Some(reason) = text(c, "/state/waiting/reason") {
            match text(c, "/state/waiting/message").map(|m| crate::ui::one_line(m.trim())) {
                Some(msg) if !msg.is_empty() => {
                    format!("container \"{container}\" {reason} ({msg})")
                }
                _ => format!("container \"{container}\" {reason}"),
            }
        } else if c.pointer("/state/terminated").is_some() {
            format!(
                "container \"{container}\" terminated: {}",
                terminated(c).unwrap_or_default()
            )
        } else {
            format!("container \"{container}\" not ready")
        };
        if restarts > 0 {
            part.push_str(&format!(", restarted {}", plural(restarts, "time")));
            // terminated() falls back to lastState: why the previous run ended.
            if c.pointer("/state/terminated").is_none()
                && let Some(last) = terminated(c)
            {
                part.push_str(&format!(", last exit: {last}"));
            }
        }
        parts.push(part);
    }
    if parts.is_empty() {
        let phase = text(pod, "/status/phase")
            .unwrap_or("Pending")
            .to_lowercase();
        return match condition(pod, "Ready").and_then(|c| text(c, "/message")) {
            Some(msg) => format!("pod {name}: {phase}, not ready ({msg})"),
            None => format!("pod {name}: {phase}, not ready"),
        };
    }
    format!("pod {name}: {}", parts.join("; "))
}

/// Why `live` is not ready, in lines for a person: per unready pod its containers' waiting and
/// terminated reasons, restarts and scheduling problems, then the most recent Warning events of
/// the object, its ReplicaSets and those pods. Never fails: a failed lookup becomes a line.
pub async fn diagnose(client: &Client, namespace: &str, kind: &str, live: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let name = text(live, "/metadata/name").unwrap_or_default();
    let mut involved: BTreeSet<(String, String)> = BTreeSet::new();
    involved.insert((kind.to_string(), name.to_string()));

    let mut unready: Vec<&Value> = Vec::new();
    let (pods, replica_sets) = if rollout(kind).is_some() {
        match workload_pods(client, namespace, kind, live).await {
            Ok(found) => found,
            Err(e) => {
                lines.push(format!("could not list its pods: {}", describe_error(&e)));
                (Vec::new(), Vec::new())
            }
        }
    } else {
        (Vec::new(), Vec::new())
    };
    if kind == "Pod" {
        if is_unready_pod(live) {
            unready.push(live);
        }
    } else {
        // Pods of the current rollout first: they are the ones the wait is for.
        let current = current_rollout(kind, live, &pods, &replica_sets);
        unready.extend(current.iter().copied().filter(|p| is_unready_pod(p)));
        unready.extend(
            pods.iter()
                .filter(|p| is_unready_pod(p) && !current.iter().any(|c| std::ptr::eq(*c, *p))),
        );
    }
    for pod in unready.iter().take(MAX_PODS) {
        lines.push(describe_pod(pod));
    }
    if unready.len() > MAX_PODS {
        lines.push(format!(
            "and {} more",
            plural((unready.len() - MAX_PODS) as i64, "unready pod")
        ));
    }
    if kind == "Job" {
        let owned = current_rollout(kind, live, &pods, &replica_sets);
        lines.extend(job_log_tail(client, namespace, &owned).await);
    }
    for pod in &unready {
        involved.insert((
            "Pod".to_string(),
            text(pod, "/metadata/name").unwrap_or_default().to_string(),
        ));
    }
    for rs in &replica_sets {
        involved.insert((
            "ReplicaSet".to_string(),
            text(rs, "/metadata/name").unwrap_or_default().to_string(),
        ));
    }

    let events = Api::<Event>::namespaced(client.clone(), namespace)
        .list(&ListParams::default().fields("type=Warning"))
        .await;
    match events {
        Ok(list) => {
            let events = warning_lines(&list.items, &involved, &lines);
            lines.extend(events);
        }
        Err(e) => lines.push(format!("could not list events: {}", describe_error(&e))),
    }
    lines
}

/// Whether a pod of a Job failed: its phase says so, or a container ended with a non-zero code.
fn is_failed_pod(pod: &Value) -> bool {
    text(pod, "/status/phase") == Some("Failed")
        || containers(pod).any(|c| {
            [
                "/state/terminated/exitCode",
                "/lastState/terminated/exitCode",
            ]
            .iter()
            .any(|p| int(c, p).is_some_and(|code| code != 0))
        })
}

/// The pod among `pods` that failed last, by creation time.
fn latest_failed_pod<'a>(pods: &[&'a Value]) -> Option<&'a Value> {
    pods.iter()
        .copied()
        .filter(|p| is_failed_pod(p))
        .max_by(|a, b| {
            text(a, "/metadata/creationTimestamp").cmp(&text(b, "/metadata/creationTimestamp"))
        })
}

/// The last [`LOG_LINES`] lines of the log of a Job's most recent failed pod (its first
/// container), under a heading. A log that cannot be read (no node, a node that does not answer,
/// no rights) becomes one line saying why: the diagnosis never fails because of it.
async fn job_log_tail(client: &Client, namespace: &str, pods: &[&Value]) -> Vec<String> {
    let Some(pod) = latest_failed_pod(pods) else {
        return Vec::new();
    };
    let name = text(pod, "/metadata/name").unwrap_or("?");
    let container = text(pod, "/spec/containers/0/name").map(str::to_string);
    let unavailable = |why: &str| vec![format!("log of pod {name} unavailable: {why}")];
    // The API server answers an empty log for a pod that never ran on a node.
    if text(pod, "/spec/nodeName").is_none() {
        return unavailable("it was never scheduled to a node");
    }
    let params = LogParams {
        tail_lines: Some(LOG_LINES),
        container,
        ..LogParams::default()
    };
    let api = Api::<Pod>::namespaced(client.clone(), namespace);
    let log = match tokio::time::timeout(LOG_BUDGET, api.logs(name, &params)).await {
        Err(_) => return unavailable("the node did not answer in time"),
        Ok(Err(e)) => return unavailable(&describe_error(&e)),
        Ok(Ok(log)) => log,
    };
    if log.trim().is_empty() {
        return vec![format!("log of pod {name} is empty")];
    }
    let mut lines = vec![format!("last lines of the log of pod {name}:")];
    lines.extend(log.lines().map(|l| format!("| {}", l.trim_end())));
    lines
}

/// The [`MAX_EVENTS`] most recent events about `involved` (kind, name), oldest first. An event
/// whose message is already in one of the lines `said` (the scheduler's reason is both a pod
/// condition and an event) is left out.
fn warning_lines(
    events: &[Event],
    involved: &BTreeSet<(String, String)>,
    said: &[String],
) -> Vec<String> {
    let mut relevant: Vec<&Event> = events
        .iter()
        .filter(|e| {
            let o = &e.involved_object;
            match (&o.kind, &o.name) {
                (Some(kind), Some(name)) => involved.contains(&(kind.clone(), name.clone())),
                _ => false,
            }
        })
        .filter(|e| {
            let message = e.message.as_deref().unwrap_or_default().trim();
            let message = message.trim_end_matches('.');
            message.is_empty() || !said.iter().any(|line| line.contains(message))
        })
        .collect();
    relevant.sort_by_key(|e| Reverse(event_time(e)));
    relevant.truncate(MAX_EVENTS);
    relevant.reverse();
    relevant
        .into_iter()
        .map(|e| {
            let reason = e.reason.as_deref().unwrap_or("Warning");
            let message = e.message.as_deref().unwrap_or_default().trim();
            let mut line = format!("event: {reason}: {}", message.trim_end_matches('.'));
            if let Some(count) = e.count.filter(|c| *c > 1) {
                line.push_str(&format!(" ({count} times)"));
            }
            line
        })
        .collect()
}

fn event_time(e: &Event) -> Option<jiff::Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0)
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cluster::readiness::fixtures::crashing_pod;

    #[test]
    fn the_latest_failed_pod_of_a_job() {
        let pod = |name: &str, created: &str, status: Value| {
            json!({ "metadata": { "name": name, "creationTimestamp": created },
                    "status": status })
        };
        let failed = json!({ "phase": "Failed" });
        let crashed = json!({ "phase": "Running", "containerStatuses": [{ "name": "migrate",
            "lastState": { "terminated": { "exitCode": 1, "reason": "Error" } } }] });
        let done = json!({ "phase": "Succeeded", "containerStatuses": [{ "name": "migrate",
            "state": { "terminated": { "exitCode": 0, "reason": "Completed" } } }] });
        let pods = [
            pod("migrate-a", "2026-01-01T00:00:01Z", failed),
            pod("migrate-b", "2026-01-01T00:00:02Z", crashed),
            pod("migrate-c", "2026-01-01T00:00:03Z", done),
        ];
        let all: Vec<&Value> = pods.iter().collect();
        let name = |p: Option<&Value>| p.and_then(|p| text(p, "/metadata/name")).map(String::from);
        assert_eq!(name(latest_failed_pod(&all)), Some("migrate-b".to_string()));
        assert_eq!(
            name(latest_failed_pod(&all[..1])),
            Some("migrate-a".to_string())
        );
        assert_eq!(name(latest_failed_pod(&all[2..])), None);
    }

    #[test]
    fn pod_descriptions() {
        assert_eq!(
            describe_pod(&crashing_pod("backend-7c9f-x2k", "CrashLoopBackOff", 4)),
            "pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff (back-off 40s restarting \
             failed container), restarted 4 times, last exit: Error, exit code 1"
        );
        let unschedulable = json!({ "metadata": { "name": "web-1" }, "status": {
            "phase": "Pending", "conditions": [{ "type": "PodScheduled", "status": "False",
            "reason": "Unschedulable", "message": "0/1 nodes are available." }] } });
        assert_eq!(
            describe_pod(&unschedulable),
            "pod web-1: unschedulable: 0/1 nodes are available"
        );
        let config = json!({ "metadata": { "name": "web-2" }, "status": { "phase": "Pending",
            "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 0,
            "state": { "waiting": { "reason": "CreateContainerConfigError",
                                     "message": "secret \"db\" not found" } } }] } });
        assert_eq!(
            describe_pod(&config),
            "pod web-2: container \"app\" CreateContainerConfigError (secret \"db\" not found)"
        );
    }

    fn event(kind: &str, name: &str, reason: &str, at: &str, count: i32) -> Event {
        serde_json::from_value(json!({
            "metadata": { "name": format!("{name}.{reason}") },
            "involvedObject": { "kind": kind, "name": name },
            "reason": reason, "message": format!("{reason} happened."), "type": "Warning",
            "lastTimestamp": at, "count": count,
        }))
        .expect("a valid event")
    }

    #[test]
    fn the_most_recent_warnings_of_the_involved_objects() {
        let mut events = vec![
            event("Pod", "other", "Ignored", "2026-01-01T00:00:09Z", 1),
            event("Deployment", "backend", "Oldest", "2026-01-01T00:00:00Z", 1),
        ];
        for i in 1..=5 {
            events.push(event(
                "Pod",
                "backend-1",
                &format!("E{i}"),
                &format!("2026-01-01T00:00:0{i}Z"),
                i,
            ));
        }
        let involved: BTreeSet<(String, String)> = [
            ("Deployment".to_string(), "backend".to_string()),
            ("Pod".to_string(), "backend-1".to_string()),
        ]
        .into();
        let said = ["pod backend-1: unschedulable: Ignored happened".to_string()];
        events.push(event("Pod", "backend-1", "Said", "2026-01-01T00:00:08Z", 1));
        events[7].message = Some("unschedulable: Ignored happened.".into());
        assert_eq!(
            warning_lines(&events, &involved, &said),
            [
                "event: E1: E1 happened",
                "event: E2: E2 happened (2 times)",
                "event: E3: E3 happened (3 times)",
                "event: E4: E4 happened (4 times)",
                "event: E5: E5 happened (5 times)",
            ]
        );
    }
}
