//! diff, drift and secrets on the real control plane: what an upgrade would change, what someone
//! else changed, generated secrets that stay put, and secret values that never reach any output.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams};
use serde_json::{Value, json};

use crate::command::{ANY_NODE_PORT, Output, TestEnv};

async fn secret_data(env: &TestEnv) -> BTreeMap<String, Vec<u8>> {
    let s = Api::<Secret>::namespaced(env.client().await, env.ns())
        .get("app-secrets")
        .await
        .expect("app-secrets");
    s.data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}

/// What `kubectl edit` does: `change` merged into object `name` by another field manager.
async fn kubectl_edit<K>(api: &Api<K>, name: &str, change: Value) -> Result<()>
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let params = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..Default::default()
    };
    api.patch(name, &params, &Patch::Merge(change)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_shows_exactly_what_an_upgrade_would_change() -> Result<()> {
    let Some(env) = TestEnv::installed("diff", &[]).await? else {
        return Ok(());
    };
    let ns = env.ns();

    let out = env.run(["diff", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout.trim(),
        "0 to create, 0 to change, 0 to delete, 8 unchanged"
    );

    let out = env.run([
        "diff",
        "--detailed-exitcode",
        "--set",
        "backend.replicaCount=4",
    ]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("-  replicas: 2\n+  replicas: 4"),
        "{}",
        out.stdout
    );
    let minus = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .count();
    let plus = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .count();
    assert_eq!((minus, plus), (1, 1), "{}", out.stdout);

    let out = env.ok(["diff", "-o", "json", "--set", "backend.replicaCount=4"]);
    let v: Value = serde_json::from_str(&out.stdout)?;
    let changed: Vec<(&str, Vec<&str>)> = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["action"] != "unchanged")
        .map(|o| {
            (
                o["object"].as_str().unwrap(),
                o["changed_paths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        vec![("deployment/backend-deployment", vec!["spec.replicas"])]
    );

    // Nothing was changed by looking.
    let d = Api::<Deployment>::namespaced(env.client().await, ns)
        .get("backend-deployment")
        .await?;
    assert_eq!(d.spec.and_then(|s| s.replicas), Some(2));

    env.ok(["upgrade", "--set", "backend.replicaCount=4"]);
    let out = env.ok(["diff", "--revision", "1", "--revision", "2"]);
    assert!(out.stdout.contains("+  replicas: 4"), "{}", out.stdout);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn drift_is_reported_and_the_next_upgrade_repairs_it() -> Result<()> {
    let Some(env) = TestEnv::installed("drift", &[]).await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;

    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    kubectl_edit(
        &deployments,
        "backend-deployment",
        json!({"spec": {"replicas": 6}}),
    )
    .await?;
    Api::<ConfigMap>::namespaced(client.clone(), ns)
        .delete("frontend-config", &DeleteParams::default())
        .await?;

    let shown = env.ok(["status", "-o", "json", "-v"]);
    // Objects nobody touched are read from their kind's listing and not dry-run applied; the
    // edited one is.
    let untouched = |object: &str| {
        shown.stderr.contains(&format!(
            "dry run {object}: untouched since it was applied, not sent"
        ))
    };
    assert!(untouched("service/backend-service"), "{shown}");
    assert!(untouched("configmap/backend-config"), "{shown}");
    assert!(!untouched("deployment/backend-deployment"), "{shown}");
    let status: Value = serde_json::from_str(&shown.stdout)?;
    let object = |name: &str| {
        status["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["object"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        object("deployment/backend-deployment")["drift"],
        json!(["spec.replicas"]),
        "{status}"
    );
    assert!(
        object("configmap/frontend-config")["state"]
            .as_str()
            .unwrap_or("")
            .contains("missing"),
        "{status}"
    );

    let out = env.run(["diff", "--detailed-exitcode", "-v"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("-  replicas: 6\n+  replicas: 2"),
        "{}",
        out.stdout
    );
    // The diff of an upgrade leaves out the dry runs the upgrade would not need, as status
    // does, and still sees the edited and the deleted object.
    assert!(
        out.stderr
            .contains("dry run service/backend-service: untouched since it was applied, not sent"),
        "{out}"
    );
    assert!(
        out.stdout.contains("create configmap/frontend-config"),
        "{}",
        out.stdout
    );

    env.ok(["upgrade"]);
    let d = deployments.get("backend-deployment").await?;
    assert_eq!(d.spec.and_then(|s| s.replicas), Some(2));
    assert!(
        Api::<ConfigMap>::namespaced(client.clone(), ns)
            .get_opt("frontend-config")
            .await?
            .is_some()
    );
    let out = env.run(["diff", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    // Another *applier* owning a field is a real conflict, not drift.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "backend-config"}, "data": {"AGENT_MODEL": "other-model"}});
    Api::<ConfigMap>::namespaced(client.clone(), ns)
        .patch(
            "backend-config",
            &PatchParams::apply("another-deployer").force(),
            &Patch::Apply(&cm),
        )
        .await?;
    let out = env.run(["upgrade"]).failure(1);
    insta::assert_snapshot!(out.error());
    // status and diff show the same conflict; what they say to do names the commands that
    // take --force-conflicts, none of which is status.
    let shown = env.run(["status"]);
    assert!(
        shown.stdout.contains("another-deployer") || shown.stderr.contains("another-deployer"),
        "{shown}"
    );
    assert!(
        !format!("{}{}", shown.stdout, shown.stderr).contains("pass --force-conflicts"),
        "{shown}"
    );
    env.ok(["upgrade", "--force-conflicts"]);
    Ok(())
}

/// A rollback, like an upgrade, applies only what differs from the deployed revision: an object
/// both revisions recorded alike is left alone, unless someone changed it since, which the
/// rollback then restores.
#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_applies_only_what_changed_and_restores_what_someone_edited() -> Result<()> {
    let Some(env) = TestEnv::installed("rollback-skip", &[]).await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let replicas = env.replicas("backend-deployment").await;
    env.ok(["upgrade", "--set", "backend.replicaCount=5"]);

    // `kubectl edit` of an object revisions 1 and 2 recorded alike.
    let configmaps = Api::<ConfigMap>::namespaced(client.clone(), ns);
    let recorded = configmaps.get("backend-config").await?.data;
    kubectl_edit(
        &configmaps,
        "backend-config",
        json!({"data": {"AGENT_MODEL": "edited"}}),
    )
    .await?;

    let out = env.ok(["rollback", "1", "-v"]);
    let skipped = |object: &str| {
        out.stderr.contains(&format!(
            "apply {object}: unchanged since the last revision, not applied"
        ))
    };
    for object in [
        "configmap/frontend-config",
        "secret/app-secrets",
        "service/backend-service",
        "deployment/frontend-deployment",
    ] {
        assert!(skipped(object), "{object} was applied again: {out}");
    }
    assert!(!skipped("deployment/backend-deployment"), "{out}");
    assert!(!skipped("configmap/backend-config"), "{out}");
    // The summary counts what was sent apart from what was left alone (the check before the
    // deploy says the same of each object left alone).
    let left = out
        .stderr
        .lines()
        .filter_map(|l| l.split_once(": unchanged since the last revision, not applied"))
        .filter_map(|(head, _)| head.rsplit_once("apply ").map(|(_, o)| o.to_string()))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(
        out.stdout
            .contains(&format!(" applied and {left} unchanged")),
        "{out}"
    );
    assert_eq!(env.replicas("backend-deployment").await, replicas);
    assert_eq!(
        configmaps.get("backend-config").await?.data,
        recorded,
        "the edit was not undone"
    );
    let out = env.run(["diff", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    Ok(())
}

/// A dry run that is refused (another applier's fields) says nothing about an object's health:
/// `status` still reads readiness from the live object and names the refusal beside it, after
/// a refused upgrade too.
#[tokio::test(flavor = "multi_thread")]
async fn status_reads_health_when_the_drift_check_is_refused() -> Result<()> {
    let Some(env) = TestEnv::installed("status-refused", &[]).await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    // Another applier takes over the backend's replica count and the backend's ConfigMap data.
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "backend-deployment"}, "spec": {"replicas": 3}});
    Api::<Deployment>::namespaced(client.clone(), ns)
        .patch(
            "backend-deployment",
            &PatchParams::apply("argo").force(),
            &Patch::Apply(&deployment),
        )
        .await?;
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "backend-config"},
        "data": {"AGENT_MODEL": "other-model"}});
    Api::<ConfigMap>::namespaced(client.clone(), ns)
        .patch(
            "backend-config",
            &PatchParams::apply("argo").force(),
            &Patch::Apply(&cm),
        )
        .await?;
    // The upgrade is refused on the conflict ...
    let out = env.run(["upgrade", "--set", "backend.replicaCount=4"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);

    // ... and status still tells health from the live objects once the new pods are ready.
    let mut last = String::new();
    for _ in 0..60 {
        let out = env.ok(["status", "-o", "json"]);
        let status: Value = serde_json::from_str(&out.stdout)?;
        let object = |name: &str| {
            status["objects"]
                .as_array()
                .and_then(|a| a.iter().find(|o| o["object"] == name).cloned())
                .unwrap_or(Value::Null)
        };
        let backend = object("deployment/backend-deployment");
        let config = object("configmap/backend-config");
        last = out.stdout.clone();
        if backend["ready"] == json!(true) {
            assert_eq!(backend["state"], json!("ready"), "{last}");
            let details = backend["details"].to_string();
            assert!(details.contains("drift not checked"), "{last}");
            assert!(details.contains("argo"), "{last}");
            assert!(!last.contains("cannot be checked"), "{last}");
            assert_eq!(config["ready"], json!(true), "{last}");
            // The table says the same in its words.
            let table = env.ok(["status"]).stdout;
            assert!(!table.contains("cannot be checked"), "{table}");
            assert!(table.contains("drift not checked"), "{table}");
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("the backend never showed as ready: {last}");
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_secrets_survive_upgrades_and_rollbacks() -> Result<()> {
    let Some(env) = TestEnv::new("generated").await? else {
        return Ok(());
    };
    env.ok(["install", "-f", "values/local.yaml", "--set", ANY_NODE_PORT]);
    let first = secret_data(&env).await;
    let auth = first
        .get("BETTER_AUTH_SECRET")
        .cloned()
        .expect("generated auth secret");
    assert_eq!(auth.len(), 32, "32 generated characters");
    assert_ne!(auth, b"todoctl-generated-at-install".to_vec());
    assert!(first.contains_key("DATABASE_URL"));

    for n in [3, 4, 2] {
        let set = format!("backend.replicaCount={n}");
        env.ok(["upgrade", "--set", &set]);
        assert_eq!(
            secret_data(&env).await,
            first,
            "after upgrade to {n} replicas"
        );
    }
    env.ok([
        "upgrade",
        "--reset-values",
        "-f",
        "values/local.yaml",
        "--set",
        ANY_NODE_PORT,
    ]);
    assert_eq!(secret_data(&env).await, first, "after --reset-values");
    env.ok(["rollback", "2"]);
    assert_eq!(secret_data(&env).await, first, "after a rollback");

    // A value the user supplies wins over the generated one.
    env.ok([
        "upgrade",
        "--set",
        "secrets.betterAuthSecret=user-chosen-secret",
    ]);
    assert_eq!(
        secret_data(&env).await.get("BETTER_AUTH_SECRET").cloned(),
        Some(b"user-chosen-secret".to_vec())
    );

    // Offline, a marked placeholder instead of a random value.
    let out = env.ok(["template"]);
    assert!(
        out.stdout
            .contains("dG9kb2N0bC1nZW5lcmF0ZWQtYXQtaW5zdGFsbA=="),
        "the placeholder, base64"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_value_appears_in_no_output() -> Result<()> {
    let Some(env) = TestEnv::new("sentinel").await? else {
        return Ok(());
    };
    const SENTINEL: &str = "sk-SENTINEL-8c1f2e7d";
    const ENV_SENTINEL: &str = "db-SENTINEL-44aa91";
    let url = format!("postgresql://todo:{ENV_SENTINEL}@db.example.invalid:5432/todo");
    let set_key = format!("secrets.openaiApiKey={SENTINEL}");

    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut run = |label: &str, args: &[&str]| {
        let out = env
            .todoctl()
            .args(args)
            .env("TODO_DATABASE_URL", &url)
            .run();
        outputs.push((label.to_string(), out));
    };
    run(
        "install",
        &[
            "install",
            "-v",
            "--set",
            ANY_NODE_PORT,
            "--set",
            &set_key,
            "--set-env",
            "secrets.databaseUrl=TODO_DATABASE_URL",
        ],
    );
    run("diff", &["diff"]);
    run(
        "diff show",
        &["diff", "--set", "secrets.openaiApiKey=another-secret-value"],
    );
    run(
        "diff json",
        &["diff", "-o", "json", "--set", "backend.replicaCount=3"],
    );
    run(
        "upgrade -vv",
        &["upgrade", "-vv", "--set", "backend.replicaCount=3"],
    );
    run(
        "upgrade dry run",
        &["upgrade", "--dry-run", "--set", "backend.replicaCount=4"],
    );
    run("status", &["status"]);
    run("status json", &["status", "-o", "json"]);
    run("history", &["history"]);
    run("history yaml", &["history", "-o", "yaml"]);
    run("get values", &["get", "values"]);
    run("get values all", &["get", "values", "--all", "-o", "json"]);
    run("get manifest", &["get", "manifest"]);
    run("get notes", &["get", "notes"]);
    run("list", &["list", "-A"]);
    run(
        "bad value",
        &["upgrade", "--set", "backend.replicaCount=-1"],
    );
    run(
        "bad schema on a secret",
        &["upgrade", "--set", "secrets.openaiApiKey.nested=1"],
    );
    run("rollback", &["rollback", "1", "-v"]);
    run("unknown revision", &["rollback", "42"]);

    for (label, out) in &outputs {
        for s in [SENTINEL, ENV_SENTINEL] {
            assert!(
                !out.stdout.contains(s),
                "{label}: stdout shows a secret:\n{}",
                out.stdout
            );
            assert!(
                !out.stderr.contains(s),
                "{label}: stderr shows a secret:\n{}",
                out.stderr
            );
        }
    }
    assert_eq!(outputs[0].1.code, 0, "install: {}", outputs[0].1.stderr);
    assert!(
        outputs[0].1.stderr.contains("apply secret/app-secrets"),
        "-v logs API actions"
    );
    // The values did reach the cluster, and --show-secrets shows them on request.
    let data = secret_data(&env).await;
    assert_eq!(
        data.get("OPENAI_API_KEY").map(|v| v.as_slice()),
        Some(SENTINEL.as_bytes())
    );
    assert_eq!(
        data.get("DATABASE_URL").map(|v| v.as_slice()),
        Some(url.as_bytes())
    );
    let shown = env.ok(["get", "values", "--show-secrets"]);
    assert!(shown.stdout.contains(SENTINEL));
    Ok(())
}
