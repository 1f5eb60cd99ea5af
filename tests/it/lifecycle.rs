//! The release lifecycle on the real control plane: install, upgrade, rollback, history, status,
//! uninstall, and the failure paths Helm users know too well (stuck locks, failed first installs,
//! unowned objects, broken rollouts).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::{Api, Client};
use serde_json::Value;

use crate::harness::{self, Cluster};
use crate::run::{ANY_NODE_PORT, clean_error, history_json, ok, statuses, todoctl};

async fn replicas(client: &Client, ns: &str, name: &str) -> i32 {
    let d = Api::<Deployment>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .expect("deployment");
    d.spec.and_then(|s| s.replicas).unwrap_or(-1)
}

fn s(rows: &[(u64, &str)]) -> Vec<(u64, String)> {
    rows.iter().map(|(r, s)| (*r, s.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_used_by_sequence() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("usedby").await?;
    let ns = ns.name();
    let client = cluster.client().await;

    // Node port 30080 is cluster-wide and may be held by the quickstart's own install.
    let out = ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));
    assert!(out.stdout.contains("revision 1 deployed"), "{}", out.stdout);
    assert!(out.stdout.contains("NOTES:"), "{}", out.stdout);
    assert_eq!(replicas(&client, ns, "backend-deployment").await, 2);

    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.replicaCount=4"],
        &[],
    ));
    assert_eq!(replicas(&client, ns, "backend-deployment").await, 4);
    assert_eq!(replicas(&client, ns, "frontend-deployment").await, 2);
    assert_eq!(
        statuses(&cluster, ns),
        s(&[(1, "superseded"), (2, "deployed")])
    );

    ok(todoctl(&cluster, ns, &["rollback", "1"], &[]));
    assert_eq!(replicas(&client, ns, "backend-deployment").await, 2);
    ok(todoctl(&cluster, ns, &["rollback", "2"], &[]));
    assert_eq!(replicas(&client, ns, "backend-deployment").await, 4);

    let h = history_json(&cluster, ns);
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
        statuses(&cluster, ns),
        s(&[
            (1, "superseded"),
            (2, "superseded"),
            (3, "superseded"),
            (4, "deployed")
        ])
    );
    let table = ok(todoctl(&cluster, ns, &["history"], &[])).stdout;
    assert!(table.starts_with("REVISION"), "{table}");
    assert_eq!(table.lines().count(), 5, "{table}");

    let status = ok(todoctl(&cluster, ns, &["status"], &[])).stdout;
    assert!(status.contains("STATUS: deployed"), "{status}");
    assert!(status.contains("OBJECTS: 8/8 ready"), "{status}");
    assert!(status.contains("deployment/backend-deployment"), "{status}");

    let values = ok(todoctl(&cluster, ns, &["get", "values", "-o", "json"], &[])).stdout;
    let values: Value = serde_json::from_str(&values)?;
    assert_eq!(values["backend"]["replicaCount"], 4);
    let manifest = ok(todoctl(
        &cluster,
        ns,
        &["get", "manifest", "--revision", "1"],
        &[],
    ))
    .stdout;
    assert!(manifest.contains("replicas: 2"), "{manifest}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn upgrade_changes_only_what_was_set_and_prunes_what_was_removed() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("prune").await?;
    let ns = ns.name();
    let client = cluster.client().await;
    ok(todoctl(
        &cluster,
        ns,
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "database.enabled=true,database.auth.password=test-only",
        ],
        &[],
    ));
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns);
    assert!(sts.get_opt("postgres").await?.is_some());

    // The previous values carry over: the database stays on through an unrelated change.
    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "frontend.replicaCount=3"],
        &[],
    ));
    assert!(sts.get_opt("postgres").await?.is_some());
    assert_eq!(replicas(&client, ns, "frontend-deployment").await, 3);

    let out = ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "database.enabled=false"],
        &[],
    ));
    assert!(
        out.stdout.contains("statefulset/postgres"),
        "{}",
        out.stdout
    );
    assert!(sts.get_opt("postgres").await?.is_none());
    let svcs = Api::<Service>::namespaced(client.clone(), ns);
    assert!(svcs.get_opt("postgres-service").await?.is_none());
    assert_eq!(replicas(&client, ns, "frontend-deployment").await, 3);

    // --reset-values goes back to the chart defaults.
    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--reset-values", "--set", ANY_NODE_PORT],
        &[],
    ));
    assert_eq!(replicas(&client, ns, "frontend-deployment").await, 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_removes_everything_and_keep_history_keeps_records() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("uninst").await?;
    let ns = ns.name();
    let client = cluster.client().await;
    let records = || async {
        Api::<Secret>::namespaced(client.clone(), ns)
            .list(&ListParams::default().labels("app.kubernetes.io/managed-by=todoctl"))
            .await
            .map(|l| l.items.len())
    };

    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));
    ok(todoctl(&cluster, ns, &["uninstall", "--keep-history"], &[]));
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
    assert_eq!(statuses(&cluster, ns), s(&[(1, "uninstalled")]));

    // A kept history does not block a new install, which continues the revision numbers.
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));
    assert_eq!(
        statuses(&cluster, ns),
        s(&[(1, "uninstalled"), (2, "deployed")])
    );

    ok(todoctl(&cluster, ns, &["uninstall"], &[]));
    assert!(
        deployments
            .list(&ListParams::default())
            .await?
            .items
            .is_empty()
    );
    assert_eq!(records().await?, 0, "records are deleted");
    let out = todoctl(&cluster, ns, &["history"], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("not found"), "{}", out.stderr);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn mistakes_are_clear_errors_that_change_nothing() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("mistakes").await?;
    let ns = ns.name();

    let out = todoctl(&cluster, ns, &["upgrade", "--set", ANY_NODE_PORT], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("upgrade --install"), "{}", out.stderr);

    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));
    let out = todoctl(&cluster, ns, &["install", "--set", ANY_NODE_PORT], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert!(out.stderr.contains("todoctl upgrade"), "{}", out.stderr);

    let out = todoctl(&cluster, ns, &["rollback", "7"], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("no revision 7"), "{}", out.stderr);

    let out = todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.replicaCount=-3"],
        &[],
    );
    clean_error(&out, 1);
    assert!(
        out.stderr.contains("backend.replicaCount"),
        "{}",
        out.stderr
    );
    assert_eq!(
        statuses(&cluster, ns),
        s(&[(1, "deployed")]),
        "bad input records nothing"
    );

    // A dry run is checked by the API server and records nothing.
    let out = ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--dry-run", "--set", "backend.replicaCount=5"],
        &[],
    ));
    assert!(out.stdout.contains("dry run"), "{}", out.stdout);
    assert_eq!(statuses(&cluster, ns), s(&[(1, "deployed")]));
    assert_eq!(
        replicas(&cluster.client().await, ns, "backend-deployment").await,
        2
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_pod_fails_the_upgrade_with_its_reason_and_atomic_restores() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("failing").await?;
    let ns = ns.name();
    let client = cluster.client().await;
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));

    let started = Instant::now();
    let out = todoctl(
        &cluster,
        ns,
        &[
            "upgrade",
            "--set",
            "backend.image.tag=fail",
            "--timeout",
            "120s",
        ],
        &[],
    );
    clean_error(&out, 1);
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
    assert_eq!(statuses(&cluster, ns), s(&[(1, "deployed"), (2, "failed")]));

    let out = todoctl(
        &cluster,
        ns,
        &["upgrade", "--atomic", "--set", "backend.image.tag=fail"],
        &[],
    );
    clean_error(&out, 1);
    assert!(
        out.stderr.contains("rolled back to revision 1"),
        "{}",
        out.stderr
    );
    assert_eq!(
        statuses(&cluster, ns),
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
    let out = todoctl(
        &cluster,
        ns,
        &[
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "3s",
        ],
        &[],
    );
    clean_error(&out, 3);
    assert!(
        out.stderr.contains("deployment/backend-deployment"),
        "{}",
        out.stderr
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_first_install_can_be_upgraded() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("firstfail").await?;
    let ns = ns.name();
    let out = todoctl(
        &cluster,
        ns,
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "backend.image.tag=fail",
        ],
        &[],
    );
    clean_error(&out, 1);
    assert_eq!(statuses(&cluster, ns), s(&[(1, "failed")]));
    // Helm answers "has no deployed releases" here; todoctl upgrades from the failed state.
    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.image.tag=1.0.0"],
        &[],
    ));
    assert_eq!(statuses(&cluster, ns), s(&[(1, "failed"), (2, "deployed")]));

    // --atomic on a failed install removes what it created and its records.
    let ns2 = cluster.namespace("atomicinst").await?;
    let out = todoctl(
        &cluster,
        ns2.name(),
        &[
            "install",
            "--atomic",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "backend.image.tag=fail",
        ],
        &[],
    );
    clean_error(&out, 1);
    assert!(out.stderr.contains("removed the release"), "{}", out.stderr);
    let client = cluster.client().await;
    assert!(
        Api::<Deployment>::namespaced(client, ns2.name())
            .list(&ListParams::default())
            .await?
            .items
            .is_empty()
    );
    Ok(())
}

/// An upgrade that holds the release lock while it waits (up to `timeout`) for a rollout that
/// cannot finish; returns once it holds the lock.
async fn start_stuck_upgrade(
    cluster: &Cluster,
    ns: &str,
    timeout: &str,
) -> Result<std::process::Child> {
    let child = Command::new(env!("CARGO_BIN_EXE_todoctl"))
        .args([
            "--no-progress",
            "upgrade",
            "-n",
            ns,
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            timeout,
        ])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    harness::wait_for(
        "the upgrade to take the lock",
        Duration::from_secs(20),
        || async {
            let out = todoctl(cluster, ns, &["status", "-o", "json"], &[]);
            Ok(out.stdout.contains("locked_by").then_some(()))
        },
    )
    .await?;
    Ok(child)
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_upgrades_one_runs_the_other_is_locked() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("locks").await?;
    let ns = ns.name();
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));

    // The first upgrade holds the lock while it waits for a rollout that cannot finish.
    let mut slow = start_stuck_upgrade(&cluster, ns, "20s").await?;
    let out = todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "frontend.replicaCount=3"],
        &[],
    );
    clean_error(&out, 4);
    assert!(out.stderr.contains("is locked by"), "{}", out.stderr);
    let _ = slow.kill();
    let _ = slow.wait();
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_operation_leaves_a_lock_that_expires() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("sigkill").await?;
    let ns = ns.name();
    let ttl = [("TODOCTL_LOCK_TTL", "3")];
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &ttl,
    ));

    let bin = env!("CARGO_BIN_EXE_todoctl");
    let mut victim = Command::new(bin)
        .args([
            "--no-progress",
            "upgrade",
            "-n",
            ns,
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "60s",
        ])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("TODOCTL_LOCK_TTL", "3")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    harness::wait_for(
        "the upgrade to record its pending revision",
        Duration::from_secs(20),
        || async {
            Ok(statuses(&cluster, ns)
                .iter()
                .any(|(_, s)| s == "pending-upgrade")
                .then_some(()))
        },
    )
    .await?;
    victim.kill()?; // SIGKILL: no cleanup runs
    victim.wait()?;

    let out = todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.nodeSelector=null"],
        &ttl,
    );
    clean_error(&out, 4);
    tokio::time::sleep(Duration::from_secs(6)).await;
    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.nodeSelector=null"],
        &ttl,
    ));
    let h = history_json(&cluster, ns);
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
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("adopt").await?;
    let ns = ns.name();
    let client = cluster.client().await;
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

    let out = todoctl(&cluster, ns, &["install", "--set", ANY_NODE_PORT], &[]);
    clean_error(&out, 1);
    assert!(
        out.stderr.contains("configmap/backend-config"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--adopt"), "{}", out.stderr);
    let d = Api::<Deployment>::namespaced(client.clone(), ns);
    assert!(
        d.get_opt("backend-deployment").await?.is_none(),
        "nothing after the refusal was applied"
    );

    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--install", "--adopt", "--set", ANY_NODE_PORT],
        &[],
    ));
    let cm = Api::<ConfigMap>::namespaced(client.clone(), ns)
        .get("backend-config")
        .await?;
    assert!(cm.data.unwrap_or_default().contains_key("AGENT_MODEL"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn unlock_removes_a_dead_holders_lock_at_once() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("unlock").await?;
    let ns = ns.name();
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));
    let out = ok(todoctl(&cluster, ns, &["unlock", "--yes"], &[]));
    assert!(out.stdout.contains("is not locked"), "{}", out.stdout);

    let mut victim = start_stuck_upgrade(&cluster, ns, "60s").await?;
    victim.kill()?;
    victim.wait()?;

    // Without a terminal and without --yes, unlock refuses rather than guessing.
    let out = todoctl(&cluster, ns, &["unlock"], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);

    let out = ok(todoctl(&cluster, ns, &["unlock", "--yes"], &[]));
    assert!(
        out.stdout.contains("removed the lock held by"),
        "{}",
        out.stdout
    );
    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.nodeSelector=null"],
        &[],
    ));
    Ok(())
}
