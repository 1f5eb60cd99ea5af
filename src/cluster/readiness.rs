//! Knowing when applied objects are ready, and saying exactly why when they are not: readiness
//! rules per kind (kubectl's rollout-status rules for workloads), a poll loop with a deadline
//! that fails fast on pods that cannot recover, and a diagnosis naming pods, containers and events.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use futures::future::join_all;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{DynamicObject, ListParams, LogParams};
use kube::{Api, Client};
use serde_json::Value;

use crate::error::Failure;
use crate::ui::progress::Progress;

/// Where an object stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Ready,
    /// Not yet ready, with a short status such as `1/2 replicas ready`.
    Waiting(String),
    /// Will not become ready without a change, such as `job failed: BackoffLimitExceeded`.
    Failed(String),
}

impl State {
    /// The short status shown next to the object.
    pub fn text(&self) -> &str {
        match self {
            State::Ready => "ready",
            State::Waiting(s) | State::Failed(s) => s,
        }
    }
}

type Rule = fn(&Value, Option<i64>) -> State;

/// Readiness rules by API group and kind. A kind not listed (Service, ConfigMap, Secret, ...) is
/// ready as soon as the apply returns: nothing reports progress for it. The group is checked so
/// that a custom resource that happens to be called `Deployment` is not judged by these rules.
const RULES: &[(&str, &str, Rule)] = &[
    ("apps", "Deployment", deployment),
    ("apps", "StatefulSet", stateful_set),
    ("apps", "DaemonSet", daemon_set),
    ("apps", "ReplicaSet", replica_set),
    ("batch", "Job", job),
    ("", "PersistentVolumeClaim", persistent_volume_claim),
    ("", "Pod", pod),
];

/// How to tell the pods of the current rollout from those of the previous one, by kind: only
/// the current ones may fail a wait early, since old pods are about to be replaced anyway.
#[derive(Clone, Copy, Debug)]
enum Rollout {
    /// Pods with the `pod-template-hash` of the ReplicaSet with the highest revision.
    NewestReplicaSet,
    /// Pods with `controller-revision-hash` equal to `status.updateRevision`.
    UpdateRevision,
    /// Pods with `pod-template-generation` equal to `metadata.generation`.
    TemplateGeneration,
    /// Pods the object owns directly.
    Owned,
}

/// Workloads whose pods are inspected, for failing fast and for the diagnosis.
const POD_OWNERS: &[(&str, Rollout)] = &[
    ("Deployment", Rollout::NewestReplicaSet),
    ("StatefulSet", Rollout::UpdateRevision),
    ("DaemonSet", Rollout::TemplateGeneration),
    ("ReplicaSet", Rollout::Owned),
    ("Job", Rollout::Owned),
];

/// Container states that fail a wait before its timeout, with the restart count from which they
/// count. A pod of the current rollout in one of these needs a new image, config or secret: the
/// kubelet keeps retrying, but waiting out the timeout would only delay the bad news. A crash
/// loop counts after a few restarts, because an app may crash once or twice while a dependency
/// (a database in the same release) comes up. Image pull errors count at once: a wrong name or
/// tag does not fix itself.
const HOPELESS: &[(&str, i64)] = &[
    ("ImagePullBackOff", 0),
    ("ErrImagePull", 0),
    ("InvalidImageName", 0),
    ("CreateContainerConfigError", 0),
    ("CreateContainerError", 0),
    ("CrashLoopBackOff", 3),
];

/// How often the wait polls each unready object (one GET each).
const POLL: Duration = Duration::from_millis(500);
/// How often the pods of an unready workload are checked for hopeless states (one or two LISTs).
const POD_CHECK: Duration = Duration::from_secs(2);
/// Pods and events named per object in a diagnosis; more would bury the first ones.
const MAX_PODS: usize = 5;
const MAX_EVENTS: usize = 5;
/// Log lines of a Job's most recent failed pod shown in a diagnosis: enough for a stack trace's
/// end or a migration tool's error, few enough to keep the rest readable.
const LOG_LINES: i64 = 20;
/// The time a log read may take: the API server proxies it to the node, which may not answer.
const LOG_BUDGET: Duration = Duration::from_secs(5);
/// The time the diagnosis may take after a failure or timeout.
const DIAGNOSE_BUDGET: Duration = Duration::from_secs(15);

/// Whether `live` (the object as the API server returns it, status included) is ready.
/// `applied_generation` is `metadata.generation` as returned by the apply: status from before
/// the controller saw that generation describes the previous rollout and does not count.
pub fn assess(kind: &str, live: &Value, applied_generation: Option<i64>) -> State {
    let group = live
        .get("apiVersion")
        .and_then(Value::as_str)
        .map(|v| v.rsplit_once('/').map_or("", |(g, _)| g));
    RULES
        .iter()
        .find(|(g, k, _)| *k == kind && group.is_none_or(|group| group == *g))
        .map_or(State::Ready, |(_, _, rule)| rule(live, applied_generation))
}

fn has_rule(kind: &str) -> bool {
    RULES.iter().any(|(_, k, _)| *k == kind)
}

fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// `status.conditions[type == kind]`.
fn condition<'a>(v: &'a Value, kind: &str) -> Option<&'a Value> {
    v.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn condition_true(v: &Value, kind: &str) -> bool {
    condition(v, kind).and_then(|c| text(c, "/status")) == Some("True")
}

/// `reason: message` of a condition, or whichever of the two is there.
fn reason_message(v: &Value) -> String {
    let reason = text(v, "/reason").unwrap_or_default();
    let message = text(v, "/message").unwrap_or_default().trim();
    match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason} ({})", message.trim_end_matches('.')),
        (false, true) => reason.to_string(),
        (true, false) => message.trim_end_matches('.').to_string(),
        (true, true) => "no reason given".to_string(),
    }
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `Some(Waiting)` until the controller has seen the applied spec. The wanted generation is the
/// newer of the applied one and the live one (someone may have changed the object since).
fn unobserved(live: &Value, applied: Option<i64>) -> Option<State> {
    let wanted = applied.max(int(live, "/metadata/generation"))?;
    match int(live, "/status/observedGeneration") {
        Some(observed) if observed >= wanted => None,
        _ => Some(State::Waiting(format!(
            "waiting for the controller to observe generation {wanted}"
        ))),
    }
}

fn deployment(live: &Value, applied: Option<i64>) -> State {
    if let Some(waiting) = unobserved(live, applied) {
        return waiting;
    }
    if let Some(progressing) = condition(live, "Progressing")
        && text(progressing, "/reason") == Some("ProgressDeadlineExceeded")
    {
        return State::Failed(format!(
            "progress deadline exceeded: {}",
            reason_message(&serde_json::json!({ "message": progressing.get("message") }))
        ));
    }
    // Without spec.replicas (an autoscaler owns the count) the updated replicas are the target.
    let desired = int(live, "/spec/replicas");
    let updated = int(live, "/status/updatedReplicas").unwrap_or(0);
    let replicas = int(live, "/status/replicas").unwrap_or(0);
    let available = int(live, "/status/availableReplicas").unwrap_or(0);
    if let Some(desired) = desired
        && updated < desired
    {
        return State::Waiting(format!("{updated}/{desired} replicas updated"));
    }
    if replicas > updated {
        return State::Waiting(format!(
            "{} pending termination",
            plural(replicas - updated, "old replica")
        ));
    }
    if available < updated {
        let target = desired.unwrap_or(updated);
        return State::Waiting(format!("{available}/{target} replicas ready"));
    }
    State::Ready
}

fn stateful_set(live: &Value, applied: Option<i64>) -> State {
    if let Some(waiting) = unobserved(live, applied) {
        return waiting;
    }
    let desired = int(live, "/spec/replicas")
        .or_else(|| int(live, "/status/replicas"))
        .unwrap_or(0);
    let ready = int(live, "/status/readyReplicas").unwrap_or(0);
    let updated = int(live, "/status/updatedReplicas").unwrap_or(0);
    if ready < desired {
        return State::Waiting(format!("{ready}/{desired} replicas ready"));
    }
    // With OnDelete, pods change only when someone deletes them: ready pods are all one can ask.
    if text(live, "/spec/updateStrategy/type") == Some("OnDelete") {
        return State::Ready;
    }
    let partition = int(live, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
    if partition > 0 {
        let wanted = (desired - partition).max(0);
        return if updated < wanted {
            State::Waiting(format!(
                "{updated}/{wanted} replicas updated (partition {partition})"
            ))
        } else {
            State::Ready
        };
    }
    if updated < desired {
        return State::Waiting(format!("{updated}/{desired} replicas updated"));
    }
    let current = text(live, "/status/currentRevision");
    let update = text(live, "/status/updateRevision");
    if current != update {
        return State::Waiting(format!(
            "rolling update to revision {} in progress",
            update.unwrap_or("?")
        ));
    }
    State::Ready
}

fn daemon_set(live: &Value, applied: Option<i64>) -> State {
    if let Some(waiting) = unobserved(live, applied) {
        return waiting;
    }
    let desired = int(live, "/status/desiredNumberScheduled").unwrap_or(0);
    let updated = int(live, "/status/updatedNumberScheduled").unwrap_or(0);
    let available = int(live, "/status/numberAvailable").unwrap_or(0);
    // With OnDelete, old pods stay until deleted by hand; count only availability.
    let on_delete = text(live, "/spec/updateStrategy/type") == Some("OnDelete");
    if !on_delete && updated < desired {
        return State::Waiting(format!("{updated}/{desired} pods updated"));
    }
    if available < desired {
        return State::Waiting(format!("{available}/{desired} pods ready"));
    }
    State::Ready
}

fn replica_set(live: &Value, applied: Option<i64>) -> State {
    if let Some(waiting) = unobserved(live, applied) {
        return waiting;
    }
    let replicas = int(live, "/status/replicas").unwrap_or(0);
    let desired = int(live, "/spec/replicas").unwrap_or(replicas);
    let available = int(live, "/status/availableReplicas").unwrap_or(0);
    if available < desired {
        // ReplicaFailure (quota, admission) explains a count that does not move.
        if let Some(failure) = condition(live, "ReplicaFailure")
            && text(failure, "/status") == Some("True")
        {
            return State::Waiting(format!(
                "{available}/{desired} replicas ready, cannot create pods: {}",
                reason_message(failure)
            ));
        }
        return State::Waiting(format!("{available}/{desired} replicas ready"));
    }
    if replicas > desired {
        return State::Waiting(format!(
            "{} pending termination",
            plural(replicas - desired, "surplus replica")
        ));
    }
    State::Ready
}

fn job(live: &Value, _applied: Option<i64>) -> State {
    if condition_true(live, "Complete") {
        return State::Ready;
    }
    if let Some(failed) = condition(live, "Failed")
        && text(failed, "/status") == Some("True")
    {
        return State::Failed(format!("job failed: {}", reason_message(failed)));
    }
    if live.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return State::Waiting("job is suspended".to_string());
    }
    let succeeded = int(live, "/status/succeeded").unwrap_or(0);
    let active = int(live, "/status/active").unwrap_or(0);
    let failed = int(live, "/status/failed").unwrap_or(0);
    let mut status = match int(live, "/spec/completions") {
        Some(completions) => format!("{succeeded}/{completions} completions"),
        None => format!("{succeeded} succeeded"),
    };
    if active > 0 {
        status.push_str(&format!(", {active} running"));
    }
    if failed > 0 {
        status.push_str(&format!(", {failed} failed"));
    }
    State::Waiting(status)
}

fn persistent_volume_claim(live: &Value, _applied: Option<i64>) -> State {
    match text(live, "/status/phase") {
        Some("Bound") => State::Ready,
        Some("Lost") => State::Failed("pvc lost its volume".to_string()),
        Some(phase) => State::Waiting(format!("pvc {}", phase.to_lowercase())),
        None => State::Waiting("pvc pending".to_string()),
    }
}

fn pod(live: &Value, _applied: Option<i64>) -> State {
    match text(live, "/status/phase") {
        Some("Succeeded") => return State::Ready,
        Some("Failed") => {
            let why = match text(live, "/status/reason") {
                Some(_) => reason_message(&live["status"]),
                None => containers(live)
                    .find_map(terminated)
                    .unwrap_or_else(|| "no reason given".to_string()),
            };
            return State::Failed(format!("pod failed: {why}"));
        }
        _ => {}
    }
    if let Some(why) = hopeless(live) {
        return State::Failed(format!("cannot start: {why}"));
    }
    if condition_true(live, "Ready") {
        return State::Ready;
    }
    State::Waiting(pod_summary(live))
}

/// One short line on an unready pod: unschedulable, a container's waiting reason, or its phase.
fn pod_summary(pod: &Value) -> String {
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
fn containers(pod: &Value) -> impl Iterator<Item = &Value> {
    ["/status/initContainerStatuses", "/status/containerStatuses"]
        .into_iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
}

fn unschedulable(pod: &Value) -> Option<String> {
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
fn terminated(container: &Value) -> Option<String> {
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
struct Hopeless {
    container: String,
    reason: String,
    restarts: i64,
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
fn hopeless(pod: &Value) -> Option<Hopeless> {
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

/// The pods of the object's current rollout among `pods`, by the [`POD_OWNERS`] table.
/// `replica_sets` matter only for Deployments.
fn current_rollout<'a>(
    kind: &str,
    live: &Value,
    pods: &'a [Value],
    replica_sets: &[Value],
) -> Vec<&'a Value> {
    let Some((_, rollout)) = POD_OWNERS.iter().find(|(k, _)| *k == kind) else {
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

fn owner_uids(v: &Value) -> impl Iterator<Item = &str> {
    v.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| text(o, "/uid"))
}

/// `spec.selector` as a label selector string; `None` when it would select everything.
fn label_selector(live: &Value) -> Option<String> {
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

fn is_unready_pod(pod: &Value) -> bool {
    let finished = text(pod, "/status/phase") == Some("Succeeded");
    let terminating = pod.pointer("/metadata/deletionTimestamp").is_some();
    !finished && !terminating && !condition_true(pod, "Ready")
}

/// The lines a diagnosis gives for one unready pod: what each container waits for or died of,
/// restarts, and why it is not scheduled. Messages come from the kubelet and scheduler; env
/// values and Secret data are never read.
fn describe_pod(pod: &Value) -> String {
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

/// Pods (and, for Deployments, ReplicaSets) selected by the workload's `spec.selector`.
async fn workload_pods(
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
async fn fail_fast(
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

/// Why `live` is not ready, in lines for a person: per unready pod its containers' waiting and
/// terminated reasons, restarts and scheduling problems, then the most recent Warning events of
/// the object, its ReplicaSets and those pods. Never fails: a failed lookup becomes a line.
pub async fn diagnose(client: &Client, namespace: &str, kind: &str, live: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let name = text(live, "/metadata/name").unwrap_or_default();
    let mut involved: BTreeSet<(String, String)> = BTreeSet::new();
    involved.insert((kind.to_string(), name.to_string()));

    let mut unready: Vec<&Value> = Vec::new();
    let (pods, replica_sets) = if POD_OWNERS.iter().any(|(k, _)| *k == kind) {
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

/// One applied object to wait for.
pub struct WaitTarget {
    /// `deployment/backend`, as every message names it.
    pub reference: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub api: Api<DynamicObject>,
    /// `metadata.generation` returned by the apply.
    pub generation: Option<i64>,
}

/// An object that did not become ready, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unready {
    pub reference: String,
    pub state: String,
    pub details: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The deadline passed with objects still unready. Exit code 3 through [`Self::into_anyhow`].
    Timeout {
        after: Duration,
        /// How many objects the wait was for, to say "2 of 7".
        total: usize,
        objects: Vec<Unready>,
    },
    /// Objects that will not become ready without a change.
    Failed { total: usize, objects: Vec<Unready> },
    /// The API server refused a read for a reason that retrying will not fix (forbidden, ...).
    Api { reference: String, message: String },
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let objects = match self {
            WaitError::Timeout {
                after,
                total,
                objects,
            } => {
                writeln!(
                    f,
                    "timed out after {} waiting for {} of {} to become ready:",
                    go_duration(*after),
                    objects.len(),
                    plural(*total as i64, "object")
                )?;
                objects
            }
            WaitError::Failed { total, objects } => {
                writeln!(
                    f,
                    "{} of {} will not become ready:",
                    objects.len(),
                    plural(*total as i64, "object")
                )?;
                objects
            }
            WaitError::Api { reference, message } => {
                return write!(
                    f,
                    "could not read {reference} from the cluster: {}",
                    crate::ui::one_line(message)
                );
            }
        };
        // One line per object and per detail, whatever line breaks the cluster's messages hold.
        for o in objects {
            writeln!(f, "  {}: {}", o.reference, crate::ui::one_line(&o.state))?;
            for line in &o.details {
                writeln!(f, "    {}", crate::ui::one_line(line))?;
            }
        }
        match self {
            WaitError::Timeout { .. } => write!(
                f,
                "raise --timeout, or check the objects above (todoctl status shows them too)"
            ),
            _ => write!(
                f,
                "fix the cause above and apply again; waiting longer would not help"
            ),
        }
    }
}

impl WaitError {
    /// As an `anyhow::Error` whose exit code is 3 for a timeout (see `crate::error::report`).
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            WaitError::Timeout { .. } => anyhow::Error::from(Failure::Timeout(self.to_string())),
            other => anyhow::Error::from(other),
        }
    }
}

/// `5m0s`, `1h2m3s`, `1.5s`, `250ms`: Go's notation, which `--timeout` takes too.
fn go_duration(d: Duration) -> String {
    let total = d.as_secs();
    let millis = d.subsec_millis();
    if total == 0 {
        return format!("{millis}ms");
    }
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let seconds = if millis == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{}s", format!("{millis:03}").trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

use crate::error::{describe_kube as describe_error, is_transient};

/// What the wait knows about one object it still waits for.
struct Pending<'a> {
    target: &'a WaitTarget,
    state: State,
    live: Option<Value>,
    last_pod_check: Option<Instant>,
}

enum Poll {
    Seen(State, Value),
    Transient(String),
    Fatal(String),
}

async fn poll_once(client: &Client, p: &Pending<'_>, deadline: Instant, check_pods: bool) -> Poll {
    let t = p.target;
    let remaining = deadline.saturating_duration_since(Instant::now()).max(POLL);
    let got = match tokio::time::timeout(remaining, t.api.get_opt(&t.name)).await {
        Err(_) => return Poll::Transient("the request timed out".to_string()),
        Ok(got) => got,
    };
    let object = match got {
        Ok(Some(object)) => object,
        // It was applied moments ago: gone now means deleted while waiting (by hand, or with
        // its namespace), and waiting longer would not bring it back.
        Ok(None) => {
            return Poll::Seen(
                State::Failed("deleted while waiting: it no longer exists in the cluster".into()),
                Value::Null,
            );
        }
        Err(e) if is_transient(&e) => return Poll::Transient(describe_error(&e)),
        Err(e) => return Poll::Fatal(describe_error(&e)),
    };
    let live = match serde_json::to_value(&object) {
        Ok(live) => live,
        Err(e) => return Poll::Fatal(format!("the object could not be read: {e}")),
    };
    let mut state = assess(&t.kind, &live, t.generation);
    if check_pods && let State::Waiting(waiting) = &state {
        let check = fail_fast(client, &t.namespace, &t.kind, &live, t.generation);
        if let Ok(Some(why)) = tokio::time::timeout(remaining, check).await {
            // The pods themselves are named in the diagnosis that follows.
            state = State::Failed(format!("{waiting}, new pods cannot start: {}", why.reason));
        }
    }
    Poll::Seen(state, live)
}

/// Diagnoses `pending` within [`DIAGNOSE_BUDGET`], for the error.
async fn unready(client: &Client, pending: &[&Pending<'_>]) -> Vec<Unready> {
    join_all(pending.iter().map(|p| async move {
        let t = p.target;
        let details = match &p.live {
            Some(live) if !live.is_null() => tokio::time::timeout(
                DIAGNOSE_BUDGET,
                diagnose(client, &t.namespace, &t.kind, live),
            )
            .await
            .unwrap_or_else(|_| vec!["the cluster did not answer in time for details".into()]),
            _ => Vec::new(),
        };
        Unready {
            reference: t.reference.clone(),
            state: p.state.text().to_string(),
            details,
        }
    }))
    .await
}

/// Polls every unready object (one GET each, every [`POLL`]) until all are ready. An object
/// that will not become ready ends the wait at once; at the deadline the error names every
/// unready object with its state and a diagnosis. Transient API errors (connection refused,
/// 429, 5xx) are retried until the deadline.
pub async fn wait_ready(
    client: &Client,
    targets: &[WaitTarget],
    timeout: Duration,
    progress: &Progress,
) -> Result<(), WaitError> {
    let start = Instant::now();
    let deadline = start + timeout;
    let total = targets.len();
    let mut pending: Vec<Pending<'_>> = targets
        .iter()
        .filter(|t| has_rule(&t.kind))
        .map(|t| {
            progress.object(&t.reference);
            Pending {
                target: t,
                state: State::Waiting("waiting".to_string()),
                live: None,
                last_pod_check: None,
            }
        })
        .collect();

    while !pending.is_empty() {
        let now = Instant::now();
        // The first pod check waits one interval: pods of a fresh rollout have barely started.
        let checks: Vec<bool> = pending
            .iter()
            .map(|p| {
                POD_OWNERS.iter().any(|(k, _)| *k == p.target.kind)
                    && now.duration_since(start) >= POD_CHECK
                    && p.last_pod_check
                        .is_none_or(|at| now.duration_since(at) >= POD_CHECK)
            })
            .collect();
        let polls = join_all(
            pending
                .iter()
                .zip(&checks)
                .map(|(p, check)| poll_once(client, p, deadline, *check)),
        )
        .await;

        let mut failed = false;
        for ((p, poll), check) in pending.iter_mut().zip(polls).zip(checks) {
            if check {
                p.last_pod_check = Some(now);
            }
            match poll {
                Poll::Seen(state, live) => {
                    p.live = Some(live);
                    match &state {
                        State::Ready => progress.done(&p.target.reference),
                        State::Waiting(s) => progress.update(&p.target.reference, s),
                        State::Failed(s) => {
                            progress.failed(&p.target.reference, s);
                            failed = true;
                        }
                    }
                    p.state = state;
                }
                Poll::Transient(why) => {
                    // Keep the last known state; say why it is stale only if nothing better exists.
                    if p.live.is_none() {
                        p.state = State::Waiting(format!("could not read it yet: {why}"));
                    }
                }
                Poll::Fatal(message) => {
                    progress.failed(&p.target.reference, &message);
                    return Err(WaitError::Api {
                        reference: p.target.reference.clone(),
                        message,
                    });
                }
            }
        }
        if failed {
            let bad: Vec<&Pending<'_>> = pending
                .iter()
                .filter(|p| matches!(p.state, State::Failed(_)))
                .collect();
            let objects = unready(client, &bad).await;
            return Err(WaitError::Failed { total, objects });
        }
        pending.retain(|p| p.state != State::Ready);
        if pending.is_empty() {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            for p in &pending {
                let why = format!(
                    "not ready after {} ({})",
                    go_duration(timeout),
                    p.state.text()
                );
                progress.failed(&p.target.reference, &why);
            }
            let left: Vec<&Pending<'_>> = pending.iter().collect();
            let objects = unready(client, &left).await;
            return Err(WaitError::Timeout {
                after: timeout,
                total,
                objects,
            });
        }
        tokio::time::sleep(POLL.min(deadline - now)).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn waiting(s: &str) -> State {
        State::Waiting(s.to_string())
    }

    fn deploy(generation: i64, spec_replicas: Option<i64>, status: Value) -> Value {
        let mut d = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": { "name": "backend", "generation": generation },
            "spec": {},
            "status": status,
        });
        if let Some(r) = spec_replicas {
            d["spec"]["replicas"] = json!(r);
        }
        d
    }

    #[test]
    fn deployment_rollout_status_rules() {
        let status = |observed, updated, replicas, available| {
            json!({ "observedGeneration": observed, "updatedReplicas": updated,
                    "replicas": replicas, "availableReplicas": available })
        };
        let cases = [
            (status(3, 2, 2, 2), Some(2), State::Ready),
            (status(3, 1, 2, 2), Some(2), waiting("1/2 replicas updated")),
            (
                status(3, 2, 3, 2),
                Some(2),
                waiting("1 old replica pending termination"),
            ),
            (
                status(3, 2, 4, 2),
                Some(2),
                waiting("2 old replicas pending termination"),
            ),
            (status(3, 2, 2, 1), Some(2), waiting("1/2 replicas ready")),
            (status(3, 0, 0, 0), Some(0), State::Ready),
            // An autoscaler owns the count: the updated replicas are the target.
            (status(3, 5, 5, 4), None, waiting("4/5 replicas ready")),
            (status(3, 5, 5, 5), None, State::Ready),
        ];
        for (status, replicas, want) in cases {
            let live = deploy(3, replicas, status.clone());
            assert_eq!(assess("Deployment", &live, Some(3)), want, "{status}");
        }
    }

    #[test]
    fn status_from_the_previous_rollout_does_not_count() {
        // Fully available, but for generation 2: the controller has not seen the apply yet.
        let live = deploy(
            3,
            Some(2),
            json!({ "observedGeneration": 2, "updatedReplicas": 2, "replicas": 2,
                    "availableReplicas": 2 }),
        );
        let want = waiting("waiting for the controller to observe generation 3");
        assert_eq!(assess("Deployment", &live, Some(3)), want);
        // The live generation counts too, when the applied one is unknown or older.
        assert_eq!(assess("Deployment", &live, None), want);
        assert_eq!(assess("Deployment", &live, Some(1)), want);
        let mut no_status = live.clone();
        no_status["status"] = json!({});
        assert_eq!(assess("Deployment", &no_status, Some(3)), want);
    }

    #[test]
    fn progress_deadline_exceeded_fails() {
        let live = deploy(
            1,
            Some(2),
            json!({ "observedGeneration": 1, "updatedReplicas": 2, "replicas": 2,
                    "availableReplicas": 0,
                    "conditions": [{ "type": "Progressing", "status": "False",
                        "reason": "ProgressDeadlineExceeded",
                        "message": "ReplicaSet \"backend-7c9f\" has timed out progressing." }] }),
        );
        assert_eq!(
            assess("Deployment", &live, Some(1)),
            State::Failed(
                "progress deadline exceeded: ReplicaSet \"backend-7c9f\" has timed out progressing"
                    .to_string()
            )
        );
    }

    #[test]
    fn a_custom_resource_named_like_a_workload_is_not_judged_by_its_rules() {
        let live = json!({ "apiVersion": "example.com/v1", "kind": "Deployment",
                           "metadata": { "generation": 4 }, "status": {} });
        assert_eq!(assess("Deployment", &live, Some(4)), State::Ready);
    }

    #[test]
    fn stateful_set_rules() {
        let sts = |spec: Value, status: Value| json!({ "metadata": { "generation": 2 }, "spec": spec, "status": status });
        let done = json!({ "observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 3,
                           "currentRevision": "db-2", "updateRevision": "db-2" });
        let cases = [
            (sts(json!({ "replicas": 3 }), done.clone()), State::Ready),
            (
                sts(
                    json!({ "replicas": 3 }),
                    json!({ "observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 3 }),
                ),
                waiting("waiting for the controller to observe generation 2"),
            ),
            (
                sts(
                    json!({ "replicas": 3 }),
                    json!({ "observedGeneration": 2, "readyReplicas": 2, "updatedReplicas": 3 }),
                ),
                waiting("2/3 replicas ready"),
            ),
            (
                sts(
                    json!({ "replicas": 3 }),
                    json!({ "observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 1,
                            "currentRevision": "db-1", "updateRevision": "db-2" }),
                ),
                waiting("1/3 replicas updated"),
            ),
            (
                sts(
                    json!({ "replicas": 3 }),
                    json!({ "observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 3,
                            "currentRevision": "db-1", "updateRevision": "db-2" }),
                ),
                waiting("rolling update to revision db-2 in progress"),
            ),
            (
                sts(
                    json!({ "replicas": 3, "updateStrategy": { "type": "RollingUpdate",
                            "rollingUpdate": { "partition": 2 } } }),
                    json!({ "observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 1,
                            "currentRevision": "db-1", "updateRevision": "db-2" }),
                ),
                State::Ready,
            ),
            (
                sts(
                    json!({ "replicas": 3, "updateStrategy": { "type": "OnDelete" } }),
                    json!({ "observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 0,
                            "currentRevision": "db-1", "updateRevision": "db-2" }),
                ),
                State::Ready,
            ),
            // No spec.replicas: an autoscaler decides, the status says how many there are.
            (
                sts(
                    json!({}),
                    json!({ "observedGeneration": 2, "replicas": 4, "readyReplicas": 3,
                            "updatedReplicas": 4 }),
                ),
                waiting("3/4 replicas ready"),
            ),
        ];
        for (live, want) in cases {
            assert_eq!(assess("StatefulSet", &live, Some(2)), want, "{live}");
        }
    }

    #[test]
    fn daemon_set_rules() {
        let ds = |observed, desired, updated, available| {
            json!({ "metadata": { "generation": 5 }, "spec": {},
                    "status": { "observedGeneration": observed, "desiredNumberScheduled": desired,
                                "updatedNumberScheduled": updated, "numberAvailable": available } })
        };
        let cases = [
            (ds(5, 3, 3, 3), State::Ready),
            (
                ds(4, 3, 3, 3),
                waiting("waiting for the controller to observe generation 5"),
            ),
            (ds(5, 3, 2, 3), waiting("2/3 pods updated")),
            (ds(5, 3, 3, 1), waiting("1/3 pods ready")),
        ];
        for (live, want) in cases {
            assert_eq!(assess("DaemonSet", &live, Some(5)), want, "{live}");
        }
    }

    #[test]
    fn replica_set_rules() {
        let rs = |status: Value| json!({ "metadata": { "generation": 1 }, "spec": { "replicas": 2 }, "status": status });
        assert_eq!(
            assess(
                "ReplicaSet",
                &rs(json!({ "observedGeneration": 1, "replicas": 2, "availableReplicas": 2 })),
                Some(1)
            ),
            State::Ready
        );
        assert_eq!(
            assess(
                "ReplicaSet",
                &rs(
                    json!({ "observedGeneration": 1, "replicas": 1, "availableReplicas": 1,
                    "conditions": [{ "type": "ReplicaFailure", "status": "True",
                        "reason": "FailedCreate", "message": "exceeded quota: pods" }] })
                ),
                Some(1)
            ),
            waiting("1/2 replicas ready, cannot create pods: FailedCreate (exceeded quota: pods)")
        );
        assert_eq!(
            assess(
                "ReplicaSet",
                &rs(json!({ "observedGeneration": 1, "replicas": 3, "availableReplicas": 3 })),
                Some(1)
            ),
            waiting("1 surplus replica pending termination")
        );
    }

    #[test]
    fn job_rules() {
        let job = |spec: Value, status: Value| json!({ "spec": spec, "status": status });
        let complete = json!({ "succeeded": 1,
            "conditions": [{ "type": "Complete", "status": "True" }] });
        assert_eq!(assess("Job", &job(json!({}), complete), None), State::Ready);
        let failed = json!({ "failed": 7, "conditions": [
            { "type": "FailureTarget", "status": "True" },
            { "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
              "message": "Job has reached the specified backoff limit" }] });
        assert_eq!(
            assess("Job", &job(json!({}), failed), None),
            State::Failed(
                "job failed: BackoffLimitExceeded (Job has reached the specified backoff limit)"
                    .to_string()
            )
        );
        assert_eq!(
            assess(
                "Job",
                &job(
                    json!({ "completions": 3 }),
                    json!({ "succeeded": 1, "active": 2, "failed": 1 })
                ),
                None
            ),
            waiting("1/3 completions, 2 running, 1 failed")
        );
        assert_eq!(
            assess("Job", &job(json!({ "suspend": true }), json!({})), None),
            waiting("job is suspended")
        );
    }

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
    fn persistent_volume_claim_rules() {
        let pvc = |phase: Value| json!({ "status": { "phase": phase } });
        assert_eq!(
            assess("PersistentVolumeClaim", &pvc(json!("Bound")), None),
            State::Ready
        );
        assert_eq!(
            assess("PersistentVolumeClaim", &pvc(json!("Pending")), None),
            waiting("pvc pending")
        );
        assert_eq!(
            assess("PersistentVolumeClaim", &json!({}), None),
            waiting("pvc pending")
        );
        assert_eq!(
            assess("PersistentVolumeClaim", &pvc(json!("Lost")), None),
            State::Failed("pvc lost its volume".to_string())
        );
    }

    fn crashing_pod(name: &str, reason: &str, restarts: i64) -> Value {
        json!({
            "metadata": { "name": name, "labels": { "app": "backend", "pod-template-hash": "new" } },
            "status": {
                "phase": "Running",
                "conditions": [{ "type": "PodScheduled", "status": "True" },
                               { "type": "Ready", "status": "False", "reason": "ContainersNotReady" }],
                "containerStatuses": [{
                    "name": "api", "ready": false, "restartCount": restarts,
                    "lastState": { "terminated": { "exitCode": 1, "reason": "Error" } },
                    "state": { "waiting": { "reason": reason,
                        "message": "back-off 40s restarting failed container" } },
                }],
            },
        })
    }

    #[test]
    fn pod_rules() {
        let ready = json!({ "status": { "phase": "Running",
            "conditions": [{ "type": "Ready", "status": "True" }] } });
        assert_eq!(assess("Pod", &ready, None), State::Ready);
        let done = json!({ "status": { "phase": "Succeeded" } });
        assert_eq!(assess("Pod", &done, None), State::Ready);
        let evicted = json!({ "status": { "phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory." } });
        assert_eq!(
            assess("Pod", &evicted, None),
            State::Failed("pod failed: Evicted (The node was low on resource: memory)".to_string())
        );
        let exited = json!({ "status": { "phase": "Failed", "containerStatuses": [
            { "name": "main", "state": { "terminated": { "exitCode": 2, "reason": "Error" } } }] } });
        assert_eq!(
            assess("Pod", &exited, None),
            State::Failed("pod failed: Error, exit code 2".to_string())
        );
        assert_eq!(
            assess("Pod", &crashing_pod("p", "CrashLoopBackOff", 1), None),
            waiting("container \"api\" CrashLoopBackOff")
        );
        assert_eq!(
            assess("Pod", &crashing_pod("p", "CrashLoopBackOff", 3), None),
            State::Failed(
                "cannot start: container \"api\" CrashLoopBackOff, restarted 3 times".to_string()
            )
        );
        let pending = json!({ "status": { "phase": "Pending", "conditions": [
            { "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
              "message": "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." }] } });
        assert_eq!(
            assess("Pod", &pending, None),
            waiting(
                "unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector"
            )
        );
    }

    #[test]
    fn other_kinds_are_ready_at_once() {
        for kind in [
            "Service",
            "ConfigMap",
            "Secret",
            "Ingress",
            "HorizontalPodAutoscaler",
        ] {
            assert_eq!(assess(kind, &json!({}), Some(1)), State::Ready, "{kind}");
        }
    }

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

    #[test]
    fn error_paragraphs() {
        let err = WaitError::Timeout {
            after: Duration::from_secs(300),
            total: 7,
            objects: vec![
                Unready {
                    reference: "deployment/backend".into(),
                    state: "1/2 replicas ready".into(),
                    details: vec![
                        "pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff".into(),
                    ],
                },
                Unready {
                    reference: "persistentvolumeclaim/data".into(),
                    state: "pvc pending".into(),
                    details: vec![],
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "timed out after 5m0s waiting for 2 of 7 objects to become ready:\n  \
             deployment/backend: 1/2 replicas ready\n    \
             pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff\n  \
             persistentvolumeclaim/data: pvc pending\n\
             raise --timeout, or check the objects above (todoctl status shows them too)"
        );
        let anyhow = err.into_anyhow();
        assert!(matches!(
            anyhow.downcast_ref::<Failure>(),
            Some(Failure::Timeout(_))
        ));

        let failed = WaitError::Failed {
            total: 1,
            objects: vec![Unready {
                reference: "job/migrate".into(),
                state: "job failed: BackoffLimitExceeded".into(),
                details: vec![],
            }],
        };
        assert_eq!(
            failed.to_string(),
            "1 of 1 object will not become ready:\n  job/migrate: job failed: \
             BackoffLimitExceeded\nfix the cause above and apply again; waiting longer would \
             not help"
        );
        assert!(failed.into_anyhow().downcast_ref::<Failure>().is_none());
    }

    #[test]
    fn cluster_messages_with_line_breaks_stay_on_their_lines() {
        let mut pod = crashing_pod("backend-7c9f-x2k", "CrashLoopBackOff", 3);
        pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"] =
            json!("back-off 40s restarting failed\ncontainer=backend\n");
        let line = describe_pod(&pod);
        assert_eq!(
            line,
            "pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff (back-off 40s restarting \
             failed container=backend), restarted 3 times, last exit: Error, exit code 1"
        );
        let err = WaitError::Failed {
            total: 1,
            objects: vec![Unready {
                reference: "deployment/backend".into(),
                state: "0/2 replicas ready,\nnew pods cannot start".into(),
                details: vec!["event: BackOff: Back-off restarting\r\nfailed container\n".into()],
            }],
        };
        assert_eq!(
            err.to_string(),
            "1 of 1 object will not become ready:\n  \
             deployment/backend: 0/2 replicas ready, new pods cannot start\n    \
             event: BackOff: Back-off restarting failed container\n\
             fix the cause above and apply again; waiting longer would not help"
        );
        let api = WaitError::Api {
            reference: "deployment/backend".into(),
            message: "forbidden:\nno access".into(),
        };
        assert!(!api.to_string().contains('\n'), "{api}");
    }

    #[test]
    fn durations_read_like_go() {
        for (d, want) in [
            (Duration::from_secs(300), "5m0s"),
            (Duration::from_secs(5), "5s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_millis(250), "250ms"),
            (Duration::from_secs(3723), "1h2m3s"),
        ] {
            assert_eq!(go_duration(d), want);
        }
    }
}
