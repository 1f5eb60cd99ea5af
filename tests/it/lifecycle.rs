//! The release lifecycle on the real control plane: install, upgrade, rollback, history, status,
//! uninstall, and the failure paths Helm users know too well (stuck locks, failed first installs,
//! unowned objects, broken rollouts).

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::Api;
use kube::api::{ListParams, ObjectMeta, PostParams};
use serde_json::Value;

use crate::command::{ANY_NODE_PORT, TestEnv, statuses as s};
use crate::harness;

#[tokio::test(flavor = "multi_thread")]
async fn the_used_by_sequence() -> Result<()> {
    let Some(env) = TestEnv::new("usedby").await? else {
        return Ok(());
    };

    // Node port 30080 is cluster-wide and may be held by the quickstart's own install.
    let out = env.ok(["install", "--set", ANY_NODE_PORT]);
    assert!(out.stdout.contains("revision 1 deployed"), "{}", out.stdout);
    assert!(out.stdout.contains("NOTES:"), "{}", out.stdout);
    assert_eq!(env.replicas("backend-deployment").await, Some(2));

    env.ok(["upgrade", "--set", "backend.replicaCount=4"]);
    assert_eq!(env.replicas("backend-deployment").await, Some(4));
    assert_eq!(env.replicas("frontend-deployment").await, Some(2));
    assert_eq!(env.statuses(), s(&[(1, "superseded"), (2, "deployed")]));

    env.ok(["rollback", "1"]);
    assert_eq!(env.replicas("backend-deployment").await, Some(2));
    env.ok(["rollback", "2"]);
    assert_eq!(env.replicas("backend-deployment").await, Some(4));

    let h = env.history();
    let described: Vec<&str> = h
        .iter()
        .map(|r| r["description"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        described,
        vec![
            "Install complete",
            "Upgrade complete",
            "Rollback to 1",
            "Rollback to 2"
        ]
    );
    assert_eq!(
        env.statuses(),
        s(&[
            (1, "superseded"),
            (2, "superseded"),
            (3, "superseded"),
            (4, "deployed")
        ])
    );
    let table = env.ok(["history"]).stdout;
    assert!(table.starts_with("REVISION"), "{table}");
    assert_eq!(table.lines().count(), 5, "{table}");

    let status = env.ok(["status"]).stdout;
    assert!(status.contains("STATUS: deployed"), "{status}");
    assert!(status.contains("OBJECTS: 8/8 ready"), "{status}");
    assert!(status.contains("deployment/backend-deployment"), "{status}");

    let values = env.ok(["get", "values", "-o", "json"]).stdout;
    let values: Value = serde_json::from_str(&values)?;
    assert_eq!(values["backend"]["replicaCount"], 4);
    let manifest = env.ok(["get", "manifest", "--revision", "1"]).stdout;
    assert!(manifest.contains("replicas: 2"), "{manifest}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn upgrade_changes_only_what_was_set_and_prunes_what_was_removed() -> Result<()> {
    let Some(env) = TestEnv::new("prune").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "database.enabled=true,database.auth.password=test-only",
    ]);
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns);
    assert!(sts.get_opt("postgres").await?.is_some());

    // The previous values carry over: the database stays on through an unrelated change.
    env.ok(["upgrade", "--set", "frontend.replicaCount=3"]);
    assert!(sts.get_opt("postgres").await?.is_some());
    assert_eq!(env.replicas("frontend-deployment").await, Some(3));

    // A dry run names what the prune would delete, and deletes and records nothing.
    let before = env.statuses();
    let out = env.ok(["upgrade", "--dry-run", "--set", "database.enabled=false"]);
    assert!(out.stdout.starts_with("dry run:"), "{}", out.stdout);
    assert!(
        out.stdout.contains(" and delete ") && out.stdout.contains("statefulset/postgres"),
        "{}",
        out.stdout
    );
    assert!(sts.get_opt("postgres").await?.is_some());
    assert_eq!(env.statuses(), before);

    let out = env.ok(["upgrade", "--set", "database.enabled=false"]);
    assert!(
        out.stdout.contains("statefulset/postgres"),
        "{}",
        out.stdout
    );
    assert!(sts.get_opt("postgres").await?.is_none());
    let svcs = Api::<Service>::namespaced(client.clone(), ns);
    assert!(svcs.get_opt("postgres-service").await?.is_none());
    assert_eq!(env.replicas("frontend-deployment").await, Some(3));

    // So does a rollback's, to a revision without the database.
    env.ok([
        "upgrade",
        "--set",
        "database.enabled=true,database.auth.password=test-only",
    ]);
    let before = env.statuses();
    let out = env.ok(["rollback", "3", "--dry-run"]);
    assert!(
        out.stdout.contains(" and the deletion of ") && out.stdout.contains("statefulset/postgres"),
        "{}",
        out.stdout
    );
    assert!(sts.get_opt("postgres").await?.is_some());
    assert_eq!(env.statuses(), before);

    // --reset-values goes back to the chart defaults.
    env.ok(["upgrade", "--reset-values", "--set", ANY_NODE_PORT]);
    assert_eq!(env.replicas("frontend-deployment").await, Some(2));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_removes_everything_and_keep_history_keeps_records() -> Result<()> {
    let Some(env) = TestEnv::new("uninst").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let records = || async {
        Api::<Secret>::namespaced(client.clone(), ns)
            .list(&ListParams::default().labels("app.kubernetes.io/managed-by=todoctl"))
            .await
            .map(|l| l.items.len())
    };

    env.ok(["install", "--set", ANY_NODE_PORT]);
    env.ok(["uninstall", "--keep-history"]);
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    assert!(
        deployments
            .list(&ListParams::default())
            .await?
            .items
            .is_empty()
    );
    assert!(
        Api::<ConfigMap>::namespaced(client.clone(), ns)
            .get_opt("backend-config")
            .await?
            .is_none()
    );
    assert_eq!(records().await?, 1, "the record is kept");
    assert_eq!(env.statuses(), s(&[(1, "uninstalled")]));

    // A kept history does not block a new install, which continues the revision numbers.
    env.ok(["install", "--set", ANY_NODE_PORT]);
    assert_eq!(env.statuses(), s(&[(1, "uninstalled"), (2, "deployed")]));

    env.ok(["uninstall"]);
    assert!(
        deployments
            .list(&ListParams::default())
            .await?
            .items
            .is_empty()
    );
    assert_eq!(records().await?, 0, "records are deleted");
    let out = env.run(["history"]).failure(1);
    insta::assert_snapshot!("history_after_uninstall", out.error());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn mistakes_are_clear_errors_that_change_nothing() -> Result<()> {
    let Some(env) = TestEnv::new("mistakes").await? else {
        return Ok(());
    };

    let out = env.run(["upgrade", "--set", ANY_NODE_PORT]).failure(1);
    insta::assert_snapshot!("upgrade_of_a_missing_release", out.error());

    env.ok(["install", "--set", ANY_NODE_PORT]);
    let out = env.run(["install", "--set", ANY_NODE_PORT]).failure(1);
    insta::assert_snapshot!("install_over_a_release", out.error());

    let out = env.run(["rollback", "7"]).failure(1);
    insta::assert_snapshot!("rollback_to_a_missing_revision", out.error());

    let out = env
        .run(["upgrade", "--set", "backend.replicaCount=-3"])
        .failure(1);
    insta::assert_snapshot!("a_negative_replica_count", out.error());
    assert_eq!(
        env.statuses(),
        s(&[(1, "deployed")]),
        "bad input records nothing"
    );

    // A dry run is checked by the API server and records nothing.
    let out = env.ok(["upgrade", "--dry-run", "--set", "backend.replicaCount=5"]);
    assert!(out.stdout.contains("dry run"), "{}", out.stdout);
    assert_eq!(env.statuses(), s(&[(1, "deployed")]));
    assert_eq!(env.replicas("backend-deployment").await, Some(2));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_pod_fails_the_upgrade_with_its_reason_and_atomic_restores() -> Result<()> {
    let Some(env) = TestEnv::installed("failing", &[]).await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;

    let started = Instant::now();
    let out = env
        .run([
            "upgrade",
            "--set",
            "backend.image.tag=fail",
            "--timeout",
            "120s",
        ])
        .failure(1);
    // The message as a snapshot; the pods' diagnosis under it (restart counts, log tails) as
    // the words it must name, since it changes from run to run.
    insta::assert_snapshot!("crash_looping_upgrade", out.error_summary());
    assert!(
        out.stderr.contains("deployment/backend-deployment"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("CrashLoopBackOff"), "{}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(100),
        "failed fast, not at the timeout"
    );
    assert_eq!(env.statuses(), s(&[(1, "deployed"), (2, "failed")]));

    let out = env
        .run(["upgrade", "--atomic", "--set", "backend.image.tag=fail"])
        .failure(1);
    insta::assert_snapshot!("atomic_upgrade_rolled_back", out.error_summary());
    assert_eq!(
        env.statuses(),
        s(&[
            (1, "superseded"),
            (2, "failed"),
            (3, "failed"),
            (4, "deployed")
        ])
    );
    let d = Api::<Deployment>::namespaced(client.clone(), ns)
        .get("backend-deployment")
        .await?;
    let image = d
        .spec
        .and_then(|s| s.template.spec)
        .map(|p| p.containers[0].image.clone());
    assert_eq!(image, Some(Some("todo-backend:1.0.0".to_string())));

    // A wait that runs out of time says which object and why, with exit code 3.
    let out = env
        .run([
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "3s",
        ])
        .failure(3);
    // The message as a snapshot; the object it waited on from the list under it, whose
    // detail (which replicas the wait saw last) depends on timing.
    insta::assert_snapshot!("a_readiness_timeout", out.error_summary());
    assert!(
        out.stderr.contains("deployment/backend-deployment"),
        "{}",
        out.stderr
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_first_install_can_be_upgraded() -> Result<()> {
    let Some(env) = TestEnv::new("firstfail").await? else {
        return Ok(());
    };
    env.run([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "backend.image.tag=fail",
    ])
    .failure(1);
    assert_eq!(env.statuses(), s(&[(1, "failed")]));
    // Helm answers "has no deployed releases" here; todoctl upgrades from the failed state.
    env.ok(["upgrade", "--set", "backend.image.tag=1.0.0"]);
    assert_eq!(env.statuses(), s(&[(1, "failed"), (2, "deployed")]));

    // --atomic on a failed install removes what it created and its records.
    let env2 = TestEnv::on(&env.cluster, "atomicinst").await?;
    let out = env2
        .run([
            "install",
            "--atomic",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "backend.image.tag=fail",
        ])
        .failure(1);
    insta::assert_snapshot!(out.error_summary());
    let client = env.client().await;
    assert!(
        Api::<Deployment>::namespaced(client, env2.ns())
            .list(&ListParams::default())
            .await?
            .items
            .is_empty()
    );
    Ok(())
}

/// An upgrade that holds the release lock while it waits (up to `timeout`) for a rollout that
/// cannot finish; returns once it holds the lock.
async fn start_stuck_upgrade(env: &TestEnv, timeout: &str) -> Result<std::process::Child> {
    let child = env
        .todoctl()
        .args([
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            timeout,
        ])
        .command()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    harness::wait_for(
        "the upgrade to take the lock",
        Duration::from_secs(20),
        || async {
            let out = env.run(["status", "-o", "json"]);
            Ok(out.stdout.contains("locked_by").then_some(()))
        },
    )
    .await?;
    Ok(child)
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_upgrades_one_runs_the_other_is_locked() -> Result<()> {
    let Some(env) = TestEnv::installed("locks", &[]).await? else {
        return Ok(());
    };

    // The first upgrade holds the lock while it waits for a rollout that cannot finish.
    let mut slow = start_stuck_upgrade(&env, "20s").await?;
    let out = env
        .run(["upgrade", "--set", "frontend.replicaCount=3"])
        .failure(4);
    insta::assert_snapshot!(out.error());
    let _ = slow.kill();
    let _ = slow.wait();
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_operation_leaves_a_lock_that_expires() -> Result<()> {
    let Some(env) = TestEnv::new("sigkill").await? else {
        return Ok(());
    };
    let todoctl = || env.todoctl().env("TODOCTL_LOCK_TTL", "3");
    todoctl()
        .args(["install", "--set", ANY_NODE_PORT])
        .run()
        .success();

    let mut victim = todoctl()
        .args([
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "60s",
        ])
        .command()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    harness::wait_for(
        "the upgrade to record its pending revision",
        Duration::from_secs(20),
        || async {
            Ok(env
                .statuses()
                .iter()
                .any(|(_, s)| s == "pending-upgrade")
                .then_some(()))
        },
    )
    .await?;
    victim.kill()?; // SIGKILL: no cleanup runs
    victim.wait()?;

    let out = todoctl()
        .args(["upgrade", "--set", "backend.nodeSelector=null"])
        .run()
        .failure(4);
    insta::assert_snapshot!("locked_by_a_killed_upgrade", out.error());
    tokio::time::sleep(Duration::from_secs(6)).await;
    todoctl()
        .args(["upgrade", "--set", "backend.nodeSelector=null"])
        .run()
        .success();
    let h = env.history();
    let last: Vec<(String, String)> = h
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap_or("").into(),
                r["description"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(last[1].0, "failed", "{last:?}");
    assert!(last[1].1.contains("interrupted"), "{last:?}");
    assert_eq!(last[2].0, "deployed", "{last:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unowned_object_is_refused_without_adopt() -> Result<()> {
    let Some(env) = TestEnv::new("adopt").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some("backend-config".into()),
            ..Default::default()
        },
        data: Some([("HAND".to_string(), "made".to_string())].into()),
        ..Default::default()
    };
    Api::<ConfigMap>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &cm)
        .await?;

    let out = env.run(["install", "--set", ANY_NODE_PORT]).failure(1);
    insta::assert_snapshot!(out.error());
    let d = Api::<Deployment>::namespaced(client.clone(), ns);
    assert!(
        d.get_opt("backend-deployment").await?.is_none(),
        "nothing after the refusal was applied"
    );

    env.ok(["upgrade", "--install", "--adopt", "--set", ANY_NODE_PORT]);
    let cm = Api::<ConfigMap>::namespaced(client.clone(), ns)
        .get("backend-config")
        .await?;
    assert!(cm.data.unwrap_or_default().contains_key("AGENT_MODEL"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn unlock_removes_a_dead_holders_lock_at_once() -> Result<()> {
    let Some(env) = TestEnv::installed("unlock", &[]).await? else {
        return Ok(());
    };
    let out = env.ok(["unlock", "--yes"]);
    assert!(out.stdout.contains("is not locked"), "{}", out.stdout);

    let mut victim = start_stuck_upgrade(&env, "60s").await?;
    victim.kill()?;
    victim.wait()?;

    // Without a terminal and without --yes, unlock refuses rather than guessing.
    let out = env.run(["unlock"]).failure(1);
    insta::assert_snapshot!(out.error());

    let out = env.ok(["unlock", "--yes"]);
    assert!(
        out.stdout.contains("removed the lock held by"),
        "{}",
        out.stdout
    );
    env.ok(["upgrade", "--set", "backend.nodeSelector=null"]);
    Ok(())
}
