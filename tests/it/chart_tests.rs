//! `todoctl test` on the real control plane: the todo-app chart's tests pass under the
//! `restricted` Pod Security Standard and leave nothing behind; a test marked to fail (the local
//! cluster's documented marker) fails the run, naming it and why.

use std::path::Path;

use anyhow::Result;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::json;

use crate::command::{ANY_NODE_PORT, TestEnv, overlay};

async fn job_names(env: &TestEnv) -> Result<Vec<String>> {
    let jobs = Api::<Job>::namespaced(env.client().await, env.ns())
        .list(&ListParams::default())
        .await?;
    Ok(jobs
        .items
        .into_iter()
        .filter_map(|j| j.metadata.name)
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chart_tests_pass_under_restricted_pod_security_and_leave_nothing() -> Result<()> {
    let Some(env) = TestEnv::new("chart-tests").await? else {
        return Ok(());
    };
    let ns = env.ns();
    // The API server refuses any pod of this namespace that breaks `restricted`.
    Api::<Namespace>::all(env.client().await)
        .patch(
            ns,
            &PatchParams::default(),
            &Patch::Merge(json!({ "metadata": { "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            } } })),
        )
        .await?;
    let local = overlay("local");
    env.ok(["install", "-f", &local, "--set", ANY_NODE_PORT]);
    // Install records the tests but does not run them.
    assert_eq!(job_names(&env).await?, Vec::<String>::new());

    let out = env.run(["test", "--logs"]);
    let out = out.success();
    for test in ["job/test-frontend", "job/test-backend", "job/test-database"] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(test) && l.trim_end().ends_with("passed")),
            "{test} did not pass:\n{}",
            out.stdout
        );
    }
    assert!(
        !out.stderr.contains("violate") && !out.stderr.contains("PodSecurity"),
        "{}",
        out.stderr
    );
    // The local cluster's fake node serves no logs: each is reported, not a failure.
    assert!(
        out.stdout.contains("POD LOGS: test-backend-"),
        "{}",
        out.stdout
    );
    // Cleaned up, and no revision added; the run is kept in the tested one.
    assert_eq!(job_names(&env).await?, Vec::<String>::new());
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);
    let status = env.ok(["status"]).stdout;
    assert!(status.contains("TEST SUITE: last run "), "{status}");
    assert!(status.contains(": 3 passed\n"), "{status}");

    // --keep leaves them; the next run replaces them and runs again.
    env.ok(["test", "--keep"]);
    let mut kept = job_names(&env).await?;
    kept.sort();
    assert_eq!(kept, ["test-backend", "test-database", "test-frontend"]);
    let out = env.ok(["test", "-o", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(
        report["results"].as_array().map(Vec::len),
        Some(3),
        "{report}"
    );
    assert_eq!(job_names(&env).await?, Vec::<String>::new());
    Ok(())
}

fn chart_with_failing_test(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), "name: demo\nversion: 0.1.0\n").unwrap();
    std::fs::write(dir.join("values.yaml"), "{}\n").unwrap();
    std::fs::write(
        dir.join("templates/app.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: \"1\"\n",
    )
    .unwrap();
    // A Pod the local cluster makes fail (docs/local-cluster.md), and a Job that passes.
    std::fs::write(
        dir.join("templates/tests.yaml"),
        r#"apiVersion: v1
kind: Pod
metadata:
  name: test-broken
  annotations:
    todoctl.io/test: "true"
    todoctl.test/fail: "true"
spec:
  restartPolicy: Never
  containers:
    - name: probe
      image: busybox:1.36
      command: ["false"]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: test-fine
  annotations:
    todoctl.io/test: "true"
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: probe
          image: busybox:1.36
          command: ["true"]
"#,
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_test_fails_the_run_naming_it_and_why() -> Result<()> {
    let Some(env) = TestEnv::new("failing-test").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let dir = tempfile::tempdir()?;
    chart_with_failing_test(dir.path());
    let chart = dir.path().to_str().unwrap_or_default();
    env.ok(["install", "--chart", chart]);

    let out = env.run(["test"]).failure(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("job/test-fine") && l.trim_end().ends_with("passed")),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("a_failing_test", out.error());
    // Nothing left behind, and the failed run is in the record.
    let pods = Api::<Pod>::namespaced(env.client().await, ns);
    assert!(pods.get_opt("test-broken").await?.is_none());
    assert_eq!(job_names(&env).await?, Vec::<String>::new());
    let status = env.ok(["status"]).stdout;
    assert!(
        status.contains(": 1 passed, 1 failed (pod/test-broken)"),
        "{status}"
    );
    // The lock was released: another writing command runs at once.
    env.ok(["upgrade", "--chart", chart]);

    // Not deployed at all: a clear error that changes nothing.
    let out = env.run(["test", "-r", "nope"]).failure(1);
    insta::assert_snapshot!("a_missing_release", out.error());
    Ok(())
}
