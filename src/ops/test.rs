//! `test`: runs a release's test objects against its deployed revision, as Helm's `helm test`
//! runs test hooks. Test objects are those a chart annotates `todoctl.io/test: "true"`; install
//! and upgrade record them with the revision but never apply them.
//!
//! A run takes the release lock, replaces test objects left by an earlier `--keep` run, applies
//! the tests, waits until each test Pod or Job has passed or failed, reads their logs when asked,
//! deletes them unless kept, and records the run in the tested revision (Helm keeps the last run
//! of its test hooks in the release the same way; `status` and `get all` show it). No revision is
//! added: a test changes nothing the release deploys.
//!
//! Why this file is over 600 lines: the command itself is one sequence of about 600 (lock, apply,
//! wait, judge, logs, cleanup, record), and the rest is the unit tests of [`judge`] and
//! [`split_tests`].

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use futures::future::join_all;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, LogParams};
use serde::Serialize;
use serde_json::Value;

use super::session::{LIST_RELEASES, Session, release_not_found};
use crate::cluster::Cluster;
use crate::cluster::apply::{Applier, ApplyMode, Deletion, api_error};
use crate::cluster::readiness::{self, State};
use crate::context::Context;
use crate::manifest::Object;
use crate::release::{ManifestEntry, Release, TestOutcome, TestRun};
use crate::ui::progress::Progress;

/// The annotation that makes an object a test: run by `todoctl test`, never by install or
/// upgrade. Its value must be `"true"`.
pub const TEST_ANNOTATION: &str = "todoctl.io/test";

/// How often each unfinished test is read.
const POLL: Duration = Duration::from_millis(500);
/// The time one log read may take: the API server proxies it to the node, which may not answer.
const LOG_BUDGET: Duration = Duration::from_secs(5);
/// The time the diagnosis of one failed test may take.
const DIAGNOSE_BUDGET: Duration = Duration::from_secs(10);
/// The time a leftover test object may take to go away before the run gives up on it.
const GONE_BUDGET: Duration = Duration::from_secs(30);
/// Container states in which a test pod will not start without a change to the chart or the
/// cluster (the same judgement readiness makes for workloads).
const CANNOT_START: &[&str] = &[
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
];

#[derive(Debug, Clone)]
pub struct TestOptions {
    pub release: String,
    pub namespace: String,
    /// How long all tests together may run.
    pub timeout: Duration,
    /// Read the logs of every test pod.
    pub logs: bool,
    /// Leave the test objects in the cluster afterwards.
    pub keep: bool,
}

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Passed,
    Failed,
    /// Still running when `--timeout` ran out.
    TimedOut,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Passed => "passed",
            Phase::Failed => "failed",
            Phase::TimedOut => "timed-out",
        }
    }
}

/// One test object that is judged (a Pod or a Job) and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// `job/test-backend`.
    pub test: String,
    pub phase: Phase,
    /// Why it failed or what it was doing at the timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The failed test's pods, log tail and warning events.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// The log of one container of a test pod, or why it could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct PodLog {
    pub pod: String,
    pub container: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub release: String,
    pub namespace: String,
    /// The deployed revision the tests ran against.
    pub revision: u64,
    pub results: Vec<TestResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<PodLog>,
    /// Test objects left in the cluster (`--keep`).
    pub kept: bool,
}

impl TestReport {
    pub fn failed(&self) -> impl Iterator<Item = &TestResult> {
        self.results.iter().filter(|r| r.phase != Phase::Passed)
    }
}

/// Runs the tests of the release's deployed revision.
///
/// Errors: the release or a deployed revision is missing, the lock is held (exit code 4), an
/// object cannot be applied. Tests that fail or time out are not errors here: they are in the
/// report, for the caller to print before failing.
pub async fn test(ctx: &Context, opts: &TestOptions) -> Result<TestReport> {
    let Some(session) = Session::open(
        ctx,
        &opts.namespace,
        &opts.release,
        "test",
        super::session::NamespacePolicy::MustExist,
    )
    .await?
    else {
        return Err(release_not_found(
            &opts.release,
            &opts.namespace,
            LIST_RELEASES,
        ));
    };
    let result = test_locked(&session, opts, &ctx.ui.progress).await;
    session.close(result).await
}

async fn test_locked(
    session: &Session,
    opts: &TestOptions,
    progress: &Progress,
) -> Result<TestReport> {
    let Some(target) = session.history.last_deployed() else {
        if session.history.releases.is_empty() {
            return Err(release_not_found(
                &opts.release,
                &opts.namespace,
                LIST_RELEASES,
            ));
        }
        bail!(
            "release `{}` has no deployed revision to test; `todoctl history` shows why, and `todoctl upgrade` deploys one",
            opts.release
        );
    };
    let tests: Vec<Object> = target.tests.iter().map(ManifestEntry::to_object).collect();
    let mut report = TestReport {
        release: opts.release.clone(),
        namespace: opts.namespace.clone(),
        revision: target.revision,
        results: Vec::new(),
        logs: Vec::new(),
        kept: opts.keep,
    };
    if tests.is_empty() {
        return Ok(report);
    }
    progress.message(&format!(
        "running {} test object{} of revision {}",
        tests.len(),
        if tests.len() == 1 { "" } else { "s" },
        target.revision
    ));
    let applier = Applier::new(
        &session.ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: true,
            adopt: false,
        },
    );
    let started = session.ctx.clock.now();
    let ran = run(&applier, &tests, opts, &session.ctx.stop, progress).await;
    // Whatever happened, the test objects go (unless kept): a refused or interrupted run
    // leaves nothing behind.
    let cleaned = if opts.keep {
        Ok(())
    } else {
        cleanup(&applier, &tests, progress).await
    };
    let (results, logs) = ran?;
    cleaned?;
    report.results = results;
    report.logs = logs;
    record(session, target, started, &report.results).await?;
    Ok(report)
}

/// Replaces leftovers, applies the tests, waits for them, reads logs.
async fn run(
    applier: &Applier,
    tests: &[Object],
    opts: &TestOptions,
    stop: &crate::cancel::StopToken,
    progress: &Progress,
) -> Result<(Vec<TestResult>, Vec<PodLog>)> {
    let deadline = Instant::now() + opts.timeout;
    // Pods and a Job's pod template cannot change: a test left by `--keep` is deleted and
    // created again, so every run really runs.
    for o in tests {
        stop.check()?;
        if applier.delete(o).await? == Deletion::Deleted {
            wait_gone(applier, o).await?;
        }
    }
    let mut judged = Vec::new();
    for o in tests {
        stop.check()?;
        let applied = applier.apply(o).await?;
        if is_judged(o.kind()) {
            progress.ensure(&applied.reference);
            judged.push(applied);
        }
    }
    let results = tokio::select! {
        results = join_all(judged.iter().map(|a| wait_one(applier.cluster(), a, deadline, progress))) => results,
        stopped = stop.stopped() => return Err(stopped),
    };
    let mut logs = Vec::new();
    if opts.logs {
        for a in &judged {
            logs.extend(read_logs(applier.cluster(), a).await);
        }
    }
    Ok((results, logs))
}

/// Kinds whose outcome is a test's result; other test objects (a ConfigMap with a script, a
/// NetworkPolicy letting test pods through) are applied and removed alongside.
fn is_judged(kind: &str) -> bool {
    matches!(kind, "Pod" | "Job")
}

async fn wait_gone(applier: &Applier, o: &Object) -> Result<()> {
    let until = Instant::now() + GONE_BUDGET;
    while applier.exists(o).await? {
        if Instant::now() >= until {
            bail!(
                "{} from an earlier test run is still being deleted after {}s; wait for it to go, then run `todoctl test` again",
                o.reference(),
                GONE_BUDGET.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}

async fn wait_one(
    cluster: &Cluster,
    applied: &crate::cluster::apply::Applied,
    deadline: Instant,
    progress: &Progress,
) -> TestResult {
    let reference = applied.reference.clone();
    let mut last;
    loop {
        match applied.api.get_opt(&applied.name).await {
            Ok(Some(object)) => {
                let live = serde_json::to_value(&object).unwrap_or(Value::Null);
                match judge(&applied.kind, &live) {
                    Verdict::Passed => {
                        progress.done(&reference);
                        return TestResult {
                            test: reference,
                            phase: Phase::Passed,
                            reason: None,
                            details: Vec::new(),
                        };
                    }
                    Verdict::Failed(why) => {
                        progress.failed(&reference, &why);
                        let details = diagnose(cluster, applied, &live).await;
                        return TestResult {
                            test: reference,
                            phase: Phase::Failed,
                            reason: Some(cluster.ui().scrub(&why)),
                            details,
                        };
                    }
                    Verdict::Running(state) => {
                        progress.update(&reference, &state);
                        last = state;
                    }
                }
            }
            Ok(None) => last = "deleted by someone else while running".to_string(),
            // A busy or restarting API server: keep the last state and try again.
            Err(e) => last = format!("could not read it: {}", api_error(e, "reading")),
        }
        if Instant::now() >= deadline {
            progress.failed(&reference, "timed out");
            let live = applied
                .api
                .get_opt(&applied.name)
                .await
                .ok()
                .flatten()
                .and_then(|o| serde_json::to_value(&o).ok());
            let details = match live {
                Some(live) => diagnose(cluster, applied, &live).await,
                None => Vec::new(),
            };
            return TestResult {
                test: reference,
                phase: Phase::TimedOut,
                reason: Some(cluster.ui().scrub(&format!("still {last}"))),
                details,
            };
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn diagnose(
    cluster: &Cluster,
    applied: &crate::cluster::apply::Applied,
    live: &Value,
) -> Vec<String> {
    let ns = applied.namespace.as_deref().unwrap_or_default();
    match tokio::time::timeout(
        DIAGNOSE_BUDGET,
        readiness::diagnose(&cluster.client, ns, &applied.kind, live),
    )
    .await
    {
        Ok(lines) => lines.iter().map(|l| cluster.ui().scrub(l)).collect(),
        Err(_) => vec!["the cluster did not answer in time for details".to_string()],
    }
}

/// Where a test stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Running(String),
    Passed,
    Failed(String),
}

/// Judges a test Pod or Job from its live state. A Pod passes when it succeeded and fails when
/// it failed, when a container ended with a non-zero exit code (a restarting pod included: a test
/// that failed once has failed), or when a container cannot start (a wrong image, a missing
/// Secret). A Job passes when complete and fails when failed, as readiness judges Jobs.
pub fn judge(kind: &str, live: &Value) -> Verdict {
    if kind == "Job" {
        return match readiness::assess("Job", live, None) {
            State::Ready => Verdict::Passed,
            State::Failed(why) => Verdict::Failed(why),
            State::Waiting(s) => Verdict::Running(s),
        };
    }
    let phase = live
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending");
    if phase == "Succeeded" {
        return Verdict::Passed;
    }
    let statuses = live
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for c in statuses {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
        let restarts = c.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
        for state in ["state", "lastState"] {
            let Some(t) = c.pointer(&format!("/{state}/terminated")) else {
                continue;
            };
            let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
            if code != 0 {
                let reason = t.get("reason").and_then(Value::as_str).unwrap_or("Error");
                let restarted = if restarts > 0 {
                    format!(", restarted {restarts} times")
                } else {
                    String::new()
                };
                return Verdict::Failed(format!(
                    "container `{name}` exited with code {code} ({reason}){restarted}"
                ));
            }
        }
        if let Some(w) = c.pointer("/state/waiting") {
            let reason = w.get("reason").and_then(Value::as_str).unwrap_or("");
            if CANNOT_START.contains(&reason) {
                let message = w
                    .get("message")
                    .and_then(Value::as_str)
                    .map(|m| format!(": {}", one_line(m)))
                    .unwrap_or_default();
                return Verdict::Failed(format!(
                    "container `{name}` cannot start: {reason}{message}"
                ));
            }
        }
    }
    if phase == "Failed" {
        let why = live
            .pointer("/status/message")
            .or_else(|| live.pointer("/status/reason"))
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_else(|| "its containers failed".to_string());
        return Verdict::Failed(format!("pod failed: {why}"));
    }
    Verdict::Running(format!("pod {}", phase.to_lowercase()))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The logs of every container of the test's pods: the Pod itself, or the Job's pods (found by
/// the Job's own selector, so pods of an earlier Job of the same name are not mixed in).
async fn read_logs(cluster: &Cluster, applied: &crate::cluster::apply::Applied) -> Vec<PodLog> {
    let ns = applied.namespace.as_deref().unwrap_or_default();
    let api = Api::<Pod>::namespaced(cluster.client.clone(), ns);
    let pods: Vec<Pod> = if applied.kind == "Pod" {
        match api.get_opt(&applied.name).await {
            Ok(p) => p.into_iter().collect(),
            Err(e) => {
                return vec![PodLog {
                    pod: applied.name.clone(),
                    container: String::new(),
                    log: None,
                    unavailable: Some(api_error(e, "reading the pod").to_string()),
                }];
            }
        }
    } else {
        let live = applied
            .api
            .get_opt(&applied.name)
            .await
            .ok()
            .flatten()
            .and_then(|o| serde_json::to_value(&o).ok());
        let selector = live
            .as_ref()
            .and_then(|l| l.pointer("/spec/selector/matchLabels"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .filter(|s| !s.is_empty());
        let Some(selector) = selector else {
            return vec![PodLog {
                pod: applied.reference.clone(),
                container: String::new(),
                log: None,
                unavailable: Some("the Job has no pod selector yet".to_string()),
            }];
        };
        match api.list(&ListParams::default().labels(&selector)).await {
            Ok(list) => list.items,
            Err(e) => {
                return vec![PodLog {
                    pod: applied.reference.clone(),
                    container: String::new(),
                    log: None,
                    unavailable: Some(api_error(e, "listing the Job's pods").to_string()),
                }];
            }
        }
    };
    let mut out = Vec::new();
    for pod in pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let containers: Vec<String> = pod
            .spec
            .as_ref()
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        for container in containers {
            let params = LogParams {
                container: Some(container.clone()),
                ..LogParams::default()
            };
            let (log, unavailable) =
                match tokio::time::timeout(LOG_BUDGET, api.logs(&name, &params)).await {
                    Err(_) => (None, Some("the node did not answer in time".to_string())),
                    Ok(Err(e)) => (None, Some(api_error(e, "reading the log").to_string())),
                    Ok(Ok(log)) => (Some(cluster.ui().scrub(&log)), None),
                };
            out.push(PodLog {
                pod: name.clone(),
                container,
                log,
                unavailable: unavailable.map(|u| cluster.ui().scrub(&u)),
            });
        }
    }
    out
}

/// Deletes every test object; the first failure is reported after trying them all.
async fn cleanup(applier: &Applier, tests: &[Object], progress: &Progress) -> Result<()> {
    let mut first_error = None;
    for o in tests.iter().rev() {
        match applier.delete(o).await {
            Ok(Deletion::Deleted) => progress.message(&format!("deleted test {}", o.reference())),
            Ok(Deletion::Absent | Deletion::Kept { .. }) => {}
            Err(e) => {
                first_error.get_or_insert(e.context(format!(
                    "cleaning up the test objects; delete {} yourself or run `todoctl test` again",
                    o.reference()
                )));
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Keeps the run in the tested revision's record, as `status` and `get all` show it.
async fn record(
    session: &Session,
    target: &Release,
    started: jiff::Timestamp,
    results: &[TestResult],
) -> Result<()> {
    let mut updated = target.clone();
    updated.last_test = Some(TestRun {
        started,
        completed: session.ctx.clock.now(),
        results: results
            .iter()
            .map(|r| TestOutcome {
                test: r.test.clone(),
                phase: r.phase.as_str().to_string(),
                reason: r.reason.clone(),
            })
            .collect(),
    });
    session.store.update(&updated).await.map_err(|e| {
        anyhow!(crate::error::sentence(&e)).context(format!(
            "the tests ran, but recording their result in revision {} failed",
            target.revision
        ))
    })
}

/// Splits test objects (annotated [`TEST_ANNOTATION`]) from the rest, keeping the order of
/// each. Any value other than `"true"` is an error naming the object and its template.
pub fn split_tests(objects: Vec<Object>) -> Result<(Vec<Object>, Vec<Object>)> {
    let mut tests = Vec::new();
    let mut rest = Vec::new();
    for o in objects {
        match o.annotation(TEST_ANNOTATION) {
            None => rest.push(o),
            Some("true") => tests.push(o),
            Some(other) => bail!(
                "{} ({}): annotation `{TEST_ANNOTATION}` is `{other}`; set it to \"true\" to make the object a test run by `todoctl test`, or remove it",
                o.reference(),
                o.template
            ),
        }
    }
    Ok((tests, rest))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(status: Value) -> Value {
        json!({ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "t" }, "status": status })
    }

    #[test]
    fn pods_pass_when_they_succeed() {
        assert_eq!(
            judge("Pod", &pod(json!({ "phase": "Succeeded" }))),
            Verdict::Passed
        );
        assert_eq!(
            judge("Pod", &pod(json!({ "phase": "Running" }))),
            Verdict::Running("pod running".into())
        );
        assert_eq!(
            judge("Pod", &pod(json!({}))),
            Verdict::Running("pod pending".into())
        );
    }

    #[test]
    fn a_container_that_exited_non_zero_fails_the_test_at_once() {
        // What the local cluster's failure marker produces: a crash loop, phase Running.
        let crashing = pod(json!({
            "phase": "Running",
            "containerStatuses": [{
                "name": "test", "restartCount": 3,
                "lastState": { "terminated": { "exitCode": 1, "reason": "Error" } },
                "state": { "waiting": { "reason": "CrashLoopBackOff" } }
            }]
        }));
        assert_eq!(
            judge("Pod", &crashing),
            Verdict::Failed(
                "container `test` exited with code 1 (Error), restarted 3 times".into()
            )
        );
        let failed = pod(json!({
            "phase": "Failed",
            "containerStatuses": [{
                "name": "test",
                "state": { "terminated": { "exitCode": 2, "reason": "Error" } }
            }]
        }));
        assert_eq!(
            judge("Pod", &failed),
            Verdict::Failed("container `test` exited with code 2 (Error)".into())
        );
        let evicted = pod(json!({ "phase": "Failed", "message": "The node was\nlow on memory" }));
        assert_eq!(
            judge("Pod", &evicted),
            Verdict::Failed("pod failed: The node was low on memory".into())
        );
    }

    #[test]
    fn a_container_that_cannot_start_fails_the_test() {
        let p = pod(json!({
            "phase": "Pending",
            "containerStatuses": [{
                "name": "test",
                "state": { "waiting": { "reason": "ImagePullBackOff", "message": "Back-off pulling image \"x:1\"" } }
            }]
        }));
        assert_eq!(
            judge("Pod", &p),
            Verdict::Failed(
                "container `test` cannot start: ImagePullBackOff: Back-off pulling image \"x:1\""
                    .into()
            )
        );
    }

    #[test]
    fn jobs_are_judged_by_their_conditions() {
        let job = |status: Value| json!({ "apiVersion": "batch/v1", "kind": "Job", "metadata": { "name": "t" }, "spec": {}, "status": status });
        assert_eq!(
            judge(
                "Job",
                &job(json!({ "conditions": [{ "type": "Complete", "status": "True" }] }))
            ),
            Verdict::Passed
        );
        assert!(matches!(
            judge(
                "Job",
                &job(json!({ "conditions": [{ "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded" }] }))
            ),
            Verdict::Failed(why) if why.contains("BackoffLimitExceeded")
        ));
        assert!(matches!(judge("Job", &job(json!({}))), Verdict::Running(_)));
    }

    #[test]
    fn tests_are_split_from_the_rest_and_bad_values_are_named() {
        let o = |name: &str, ann: Option<&str>| {
            let mut data =
                json!({ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": name } });
            if let Some(a) = ann {
                data["metadata"]["annotations"] = json!({ TEST_ANNOTATION: a });
            }
            Object::new("templates/t.yaml", data)
        };
        let (tests, rest) =
            split_tests(vec![o("a", None), o("b", Some("true")), o("c", None)]).unwrap();
        assert_eq!(tests.iter().map(Object::name).collect::<Vec<_>>(), ["b"]);
        assert_eq!(
            rest.iter().map(Object::name).collect::<Vec<_>>(),
            ["a", "c"]
        );
        let err = split_tests(vec![o("d", Some("yes"))])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "pod/d (templates/t.yaml): annotation `todoctl.io/test` is `yes`; set it to \"true\" to make the object a test run by `todoctl test`, or remove it"
        );
    }
}
