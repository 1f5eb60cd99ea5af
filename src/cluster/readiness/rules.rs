//! Readiness rules per kind: whether an object, as the API server returns it, is ready. The
//! rules are kubectl's `rollout status` rules for workloads (`kubectl/pkg/polymorphichelpers/
//! rollout_status.go`) plus the phases of claims and pods; which kind uses which rule is a
//! column of the kinds table ([`crate::manifest::kinds`]).

use serde_json::Value;

use super::pods::{containers, hopeless, pod_summary, terminated};
use super::{State, condition, condition_true, int, plural, reason_message, text};
use crate::manifest::kinds::{self, Readiness};

/// The function of each readiness rule. Which kind uses which rule is the kinds table's
/// `readiness` column; a kind without one (Service, ConfigMap, Secret, ...) is ready as soon as
/// the apply returns: nothing reports progress for it. The match is exhaustive, so a new
/// [`Readiness`] cannot be added without its rule.
fn rule(readiness: Readiness) -> fn(&Value, Option<i64>) -> State {
    match readiness {
        Readiness::Deployment => deployment,
        Readiness::StatefulSet => stateful_set,
        Readiness::DaemonSet => daemon_set,
        Readiness::ReplicaSet => replica_set,
        Readiness::Job => job,
        Readiness::PersistentVolumeClaim => persistent_volume_claim,
        Readiness::Pod => pod,
    }
}

/// Whether `live` (the object as the API server returns it, status included) is ready.
/// `applied_generation` is `metadata.generation` as returned by the apply: status from before
/// the controller saw that generation describes the previous rollout and does not count. The
/// rule is chosen by group and kind, so that a custom resource that happens to be called
/// `Deployment` is not judged by it; an object without `apiVersion` is taken for the built-in.
pub fn assess(kind: &str, live: &Value, applied_generation: Option<i64>) -> State {
    let info = match live.get("apiVersion").and_then(Value::as_str) {
        Some(api_version) => kinds::of(api_version, kind),
        None => kinds::named(kind),
    };
    info.and_then(|k| k.readiness)
        .map_or(State::Ready, |r| rule(r)(live, applied_generation))
}

/// Whether a kind is waited for at all after an apply. By name only: [`assess`] then checks
/// the group of what it reads.
pub(super) fn has_rule(kind: &str) -> bool {
    kinds::named(kind).is_some_and(|k| k.readiness.is_some())
}

/// Where an object that was deleted stands while it still exists: held by finalizers, or on
/// its way out. Once it is gone the reader says [`State::Ready`] without asking a rule.
pub fn deletion(live: &Value) -> State {
    let finalizers: Vec<&str> = live
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if finalizers.is_empty() {
        State::Waiting("being deleted".to_string())
    } else {
        State::Waiting(format!("waiting for finalizers: {}", finalizers.join(", ")))
    }
}

/// `Some(Waiting)` until the controller has seen the applied spec. The wanted generation is the
/// newer of the applied one and the live one (someone may have changed the object since).
pub(super) fn unobserved(live: &Value, applied: Option<i64>) -> Option<State> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cluster::readiness::fixtures::crashing_pod;

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
}
