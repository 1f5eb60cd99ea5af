//! Reviewed deploys on the real control plane: `diff --out` saves a plan, `show plan` prints it
//! again, `apply` carries out exactly that plan and refuses one the cluster has moved past.

use std::path::{Path, PathBuf};

use anyhow::Result;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl};

/// A plan file in a directory of its own, removed with it.
struct PlanFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl PlanFile {
    fn new() -> PlanFile {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("todo.plan");
        PlanFile { _dir: dir, path }
    }

    fn arg(&self) -> &str {
        self.path.to_str().expect("a UTF-8 temp path")
    }

    fn dir(&self) -> &Path {
        self._dir.path()
    }
}

/// Every value of the app's Secret longer than a few characters, base64-encoded as the API
/// server returns it and decoded.
async fn secret_values(env: &TestEnv) -> Vec<String> {
    let s = Api::<Secret>::namespaced(env.client().await, env.ns())
        .get("app-secrets")
        .await
        .expect("app-secrets");
    let mut out = Vec::new();
    for v in s.data.unwrap_or_default().into_values() {
        let plain = String::from_utf8_lossy(&v.0).into_owned();
        if plain.len() >= 8 {
            use base64::Engine as _;
            out.push(base64::engine::general_purpose::STANDARD.encode(&v.0));
            out.push(plain);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_out_saves_a_private_plan_that_show_plan_prints_again() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-save", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    let diff = env.run([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--detailed-exitcode",
        "--out",
        plan.arg(),
    ]);
    assert_eq!(diff.code, 2, "{diff}");
    assert!(diff.stderr.contains("plan saved to"), "{diff}");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&plan.path)?.permissions().mode() & 0o777,
        0o600
    );

    // The plan holds the secrets unredacted; nothing printed does.
    let text = std::fs::read_to_string(&plan.path)?;
    let secrets = secret_values(&env).await;
    assert!(!secrets.is_empty());
    assert!(secrets.iter().any(|s| text.contains(s.as_str())));

    let mut show = Todoctl::new(&env.cluster).args(["show", "plan", plan.arg()]);
    for s in &secrets {
        show = show.forbid(s);
    }
    let shown = show.clone().run().success();
    let (header, rest) = shown.stdout.split_once('\n').unwrap_or_default();
    assert!(
        header.starts_with(&format!(
            "plan for release `todo-app` in namespace `{}`: upgrades revision 1, chart todo-app ",
            env.ns()
        )),
        "{header}"
    );
    assert_eq!(rest, diff.stdout, "show plan prints the diff as diff did");
    assert!(
        rest.contains("change deployment/backend-deployment"),
        "{rest}"
    );
    for s in &secrets {
        assert!(!diff.stdout.contains(s.as_str()));
    }

    let json = show.args(["-o", "json"]).run().success().json();
    assert_eq!(json["base"], 1);
    assert_eq!(json["release"], "todo-app");
    assert_eq!(json["summary"]["update"], 1, "{json}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_or_foreign_file_is_not_shown_as_a_plan() -> Result<()> {
    let Some(env) = TestEnv::new("plan-edit").await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--install",
        "--set",
        ANY_NODE_PORT,
        "--out",
        plan.arg(),
    ]);
    let text = std::fs::read_to_string(&plan.path)?;
    assert!(
        text.contains("\"replicaCount\": 2"),
        "the plan holds the values"
    );
    std::fs::write(
        &plan.path,
        text.replacen("\"replicaCount\": 2", "\"replicaCount\": 5", 1),
    )?;
    let out = Todoctl::new(&env.cluster)
        .args(["show", "plan", plan.arg()])
        .run()
        .failure(1);
    insta::assert_snapshot!("show_plan_edited", out.error());

    let values = plan.dir().join("values.yaml");
    std::fs::write(&values, "replicaCount: 1\n")?;
    let out = Todoctl::offline()
        .args(["show", "plan"])
        .arg(&values)
        .run()
        .failure(1);
    insta::assert_snapshot!("show_plan_not_a_plan", out.error());
    Ok(())
}

/// `spec.replicas` of a Deployment in the test's namespace.
async fn replicas(env: &TestEnv, name: &str) -> i32 {
    Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(env.client().await, env.ns())
        .get(name)
        .await
        .expect("the deployment")
        .spec
        .and_then(|s| s.replicas)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_applies_once_and_then_is_refused_as_moved() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-apply", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.run([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ])
    .success();
    let out = env.ok(["apply", plan.arg()]);
    assert!(out.stdout.contains("revision 2 deployed"), "{out}");
    assert_eq!(replicas(&env, "backend-deployment").await, 3);
    assert_eq!(
        env.statuses(),
        vec![(1, "superseded".to_string()), (2, "deployed".to_string())]
    );
    let values = env.ok(["get", "values", "-o", "json"]).json();
    assert_eq!(values["backend"]["replicaCount"], 3, "{values}");

    // The same plan again: the release moved on to the revision it made.
    let out = env.run(["apply", plan.arg()]).failure(1);
    insta::assert_snapshot!("apply_after_it_applied", out.error());
    assert_eq!(env.statuses().len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_is_refused_after_an_upgrade_or_a_scale_and_changes_nothing() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-moved", &[]).await? else {
        return Ok(());
    };
    let leases =
        Api::<k8s_openapi::api::coordination::v1::Lease>::namespaced(env.client().await, env.ns());
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);

    // Someone scales a planned object.
    let api =
        Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(env.client().await, env.ns());
    api.patch_scale(
        "backend-deployment",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(serde_json::json!({"spec": {"replicas": 4}})),
    )
    .await?;
    let out = env.run(["apply", plan.arg()]).failure(1);
    insta::assert_snapshot!("apply_after_a_scale", out.error());
    assert_eq!(replicas(&env, "backend-deployment").await, 4);
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);
    assert!(leases.list(&Default::default()).await?.items.is_empty());

    // Someone upgrades.
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);
    env.ok(["upgrade", "--set", "frontend.replicaCount=1"]);
    let out = env.run(["apply", plan.arg()]).failure(1);
    insta::assert_snapshot!("apply_after_an_upgrade", out.error());
    // The upgrade restored the scaled replicas; the plan changed nothing more.
    assert_eq!(replicas(&env, "backend-deployment").await, 2);
    assert_eq!(env.statuses().len(), 2);
    assert!(leases.list(&Default::default()).await?.items.is_empty());

    // Another namespace than the plan's, and an edited plan.
    let out = Todoctl::new(&env.cluster)
        .args(["apply", plan.arg(), "-n", "elsewhere"])
        .filter(env.ns(), "<ns>")
        .run()
        .failure(1);
    insta::assert_snapshot!("apply_other_namespace", out.error());
    let text = std::fs::read_to_string(&plan.path)?;
    std::fs::write(
        &plan.path,
        text.replacen("\"replicaCount\": 3", "\"replicaCount\": 9", 1),
    )?;
    let out = env.run(["apply", plan.arg()]).failure(1);
    assert!(out.stderr.contains("does not match its checksum"), "{out}");
    assert_eq!(env.statuses().len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_plan_is_a_no_op_and_an_install_plan_installs() -> Result<()> {
    let Some(env) = TestEnv::new("plan-install").await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--install",
        "--set",
        crate::command::ANY_NODE_PORT,
        "--out",
        plan.arg(),
    ]);
    let out = env.ok(["apply", plan.arg(), "-o", "json"]).json();
    assert_eq!(out["revision"], 1, "{out}");
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);

    let empty = PlanFile::new();
    let diff = env.run(["diff", "--detailed-exitcode", "--out", empty.arg()]);
    assert_eq!(diff.code, 0, "{diff}");
    let out = env.ok(["apply", empty.arg()]);
    assert!(out.stdout.contains("the plan changes nothing"), "{out}");
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);

    // Too old a plan.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let out = env
        .run(["apply", empty.arg(), "--max-age", "1s"])
        .failure(1);
    assert!(out.stderr.contains("longer than --max-age 1s"), "{out}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_apply_recovers_like_a_killed_upgrade() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-kill", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.nodeSelector.disktype=none",
        "--out",
        plan.arg(),
    ]);
    let mut victim = env
        .todoctl()
        .args(["apply", plan.arg(), "--timeout", "60s"])
        .env("TODOCTL_LOCK_TTL", "3")
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    crate::harness::wait_for(
        "the apply to record its pending revision",
        std::time::Duration::from_secs(30),
        || async {
            Ok(env
                .statuses()
                .iter()
                .any(|(_, s)| s == "pending-upgrade")
                .then_some(()))
        },
    )
    .await?;
    victim.kill()?;
    victim.wait()?;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    env.todoctl()
        .args(["upgrade", "--set", "backend.nodeSelector=null"])
        .env("TODOCTL_LOCK_TTL", "3")
        .run()
        .success();
    let h = env.history();
    assert_eq!(h[1]["status"], "failed", "{h:?}");
    assert!(
        h[1]["description"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted"),
        "{h:?}"
    );
    assert_eq!(h[2]["status"], "deployed", "{h:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_without_n_takes_the_plans_namespace() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-ns", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);
    // Neither -n nor -r: both are the plan's, whatever namespace it is for.
    let out = Todoctl::new(&env.cluster)
        .args(["apply", plan.arg(), "--no-wait"])
        .run()
        .success();
    assert!(out.stdout.contains("revision 2 deployed"), "{out}");
    assert_eq!(replicas(&env, "backend-deployment").await, 3);

    // -n of the plan's namespace is accepted; -n of another is refused before anything is read.
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=2",
        "--out",
        plan.arg(),
    ]);
    let out = Todoctl::new(&env.cluster)
        .args(["apply", plan.arg(), "-n", "todo-app"])
        .filter(env.ns(), "<ns>")
        .run()
        .failure(1);
    insta::assert_snapshot!("apply_default_namespace_given", out.error());
    assert_eq!(env.statuses().len(), 2);
    let out = Todoctl::new(&env.cluster)
        .args(["apply", plan.arg(), "--no-wait", "-n", env.ns()])
        .run()
        .success();
    assert!(out.stdout.contains("revision 3 deployed"), "{out}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_of_values_only_or_on_a_failed_revision_records_a_revision() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-values", &[]).await? else {
        return Ok(());
    };
    // Values that change no object (the Ingress is disabled) are still the revision's values.
    let plan = PlanFile::new();
    let diff = env.run([
        "diff",
        "--set",
        "ingress.host=todo.example.org",
        "--detailed-exitcode",
        "--out",
        plan.arg(),
    ]);
    assert_eq!(diff.code, 0, "{diff}");
    let out = env.ok(["apply", plan.arg(), "-o", "json"]).json();
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(out["revision"], 2, "{out}");
    assert_eq!(out["status"], "deployed", "{out}");
    assert_eq!(
        env.statuses(),
        vec![(1, "superseded".to_string()), (2, "deployed".to_string())]
    );
    // The next upgrade builds on them.
    env.ok(["upgrade", "--set", "backend.replicaCount=3"]);
    let values = env.ok(["get", "values", "-o", "json"]).json();
    assert_eq!(values["ingress"]["host"], "todo.example.org", "{values}");

    // A failed current revision whose objects the plan leaves as they are: the apply records
    // a new revision rather than leaving the release failed.
    env.run([
        "upgrade",
        "--set",
        "backend.nodeSelector.disktype=none",
        "--timeout",
        "3s",
    ])
    .failure(3);
    assert_eq!(env.statuses()[3], (4, "failed".to_string()));
    let plan = PlanFile::new();
    let diff = env.run([
        "diff",
        "--set",
        "backend.nodeSelector.disktype=none",
        "--detailed-exitcode",
        "--out",
        plan.arg(),
    ]);
    assert_eq!(diff.code, 0, "{diff}");
    let out = env
        .ok(["apply", plan.arg(), "--no-wait", "-o", "json"])
        .json();
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(out["revision"], 5, "{out}");
    assert_eq!(out["status"], "deployed", "{out}");
    assert_eq!(env.statuses()[4], (5, "deployed".to_string()));

    // Only now is an empty plan a no-op, and -o json says what the current revision is.
    let plan = PlanFile::new();
    env.ok(["diff", "--out", plan.arg()]);
    let out = env.ok(["apply", plan.arg(), "-o", "json"]).json();
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(out["revision"], 5, "{out}");
    assert_eq!(out["status"], "deployed", "{out}");
    assert_eq!(env.statuses().len(), 5);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_written_since_the_plan_is_not_a_change() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-status", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);
    // A status field appears, written by another manager through the status subresource, as
    // a controller does during a rollout: a new resourceVersion and a new managedFields entry
    // of subresource `status`, nothing else.
    let api =
        Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(env.client().await, env.ns());
    for (name, manager) in [
        ("backend-deployment", "rollout-watcher"),
        ("frontend-deployment", "rollout-watcher"),
    ] {
        api.patch_status(
            name,
            &kube::api::PatchParams {
                field_manager: Some(manager.to_string()),
                ..Default::default()
            },
            &kube::api::Patch::Merge(serde_json::json!({"status": {"unavailableReplicas": 1}})),
        )
        .await?;
    }
    let out = env.ok(["apply", plan.arg(), "--no-wait"]);
    assert!(out.stdout.contains("revision 2 deployed"), "{out}");
    assert_eq!(replicas(&env, "backend-deployment").await, 3);
    Ok(())
}

/// Starts `todoctl ARGS -n NS` paused once its revision is recorded pending, and waits until
/// the release's newest revision has `status`.
async fn paused_at_recorded(env: &TestEnv, args: &[&str], status: &str) -> crate::command::Running {
    let running = env
        .todoctl()
        .args(args)
        .env("TODOCTL_TEST_PAUSE_AT", "recorded")
        .env("TODOCTL_TEST_PAUSE_SECS", "60")
        .spawn();
    crate::harness::wait_for(
        &format!("a {status} revision"),
        std::time::Duration::from_secs(30),
        || async {
            // Until an install records its revision, the release does not exist.
            let history = env.run(["history", "-o", "json"]);
            let newest = (history.code == 0)
                .then(|| history.json())
                .and_then(|h| h.as_array().and_then(|rows| rows.last()).cloned());
            Ok(newest.is_some_and(|r| r["status"] == status).then_some(()))
        },
    )
    .await
    .expect("the operation to record its revision");
    running
}

#[tokio::test(flavor = "multi_thread")]
async fn no_plan_is_made_on_a_pending_revision() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-pending", &[]).await? else {
        return Ok(());
    };
    let mut upgrade = paused_at_recorded(
        &env,
        &["upgrade", "--set", "backend.replicaCount=3"],
        "pending-upgrade",
    )
    .await;
    let plan = PlanFile::new();
    let out = env
        .run([
            "diff",
            "--set",
            "frontend.replicaCount=1",
            "--out",
            plan.arg(),
        ])
        .failure(1);
    insta::assert_snapshot!("diff_out_on_pending_upgrade", out.error());
    assert!(!plan.path.exists());
    upgrade.child().kill()?;
    upgrade.wait();

    // Its neighbours: an install and a rollback in progress.
    let env = TestEnv::on(&env.cluster, "plan-pending-install").await?;
    let mut install = paused_at_recorded(
        &env,
        &["install", "--set", ANY_NODE_PORT],
        "pending-install",
    )
    .await;
    let out = env
        .run(["diff", "--install", "--out", plan.arg()])
        .failure(1);
    assert!(out.stderr.contains("is pending-install"), "{out}");
    assert!(!plan.path.exists());
    install.child().kill()?;
    install.wait();

    let env = TestEnv::on(&env.cluster, "plan-pending-rollback").await?;
    env.install(&[]);
    env.ok(["upgrade", "--no-wait", "--set", "backend.replicaCount=3"]);
    let mut rollback = paused_at_recorded(&env, &["rollback"], "pending-rollback").await;
    let out = env.run(["diff", "--out", plan.arg()]).failure(1);
    assert!(out.stderr.contains("is pending-rollback"), "{out}");
    assert!(!plan.path.exists());
    rollback.child().kill()?;
    rollback.wait();
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_takes_over_an_object_only_with_adopt() -> Result<()> {
    let Some(env) = TestEnv::new("plan-adopt").await? else {
        return Ok(());
    };
    // An object of the chart that exists already, created by someone else.
    let configs =
        Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(env.client().await, env.ns());
    configs
        .create(
            &Default::default(),
            &serde_json::from_value(serde_json::json!({
                "metadata": {"name": "backend-config"},
                "data": {"LOG_LEVEL": "debug"},
            }))?,
        )
        .await?;
    // A plan without --adopt is refused when it is made, not when it is applied.
    let plan = PlanFile::new();
    let out = env
        .run([
            "diff",
            "--install",
            "--set",
            ANY_NODE_PORT,
            "--out",
            plan.arg(),
        ])
        .failure(1);
    insta::assert_snapshot!("diff_out_takeover_without_adopt", out.error());
    assert!(!plan.path.exists());
    // A plain diff still shows it as it would be after --adopt.
    env.ok(["diff", "--install", "--set", ANY_NODE_PORT]);

    env.ok([
        "diff",
        "--install",
        "--adopt",
        "--set",
        ANY_NODE_PORT,
        "--out",
        plan.arg(),
    ]);
    let out = env.ok(["apply", plan.arg(), "--no-wait"]);
    assert!(out.stdout.contains("revision 1 deployed"), "{out}");
    let cm = configs.get("backend-config").await?;
    let labels = cm.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str),
        Some("todoctl"),
        "{labels:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_object_whose_kind_is_gone_was_deleted_since_the_plan() -> Result<()> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let Some(env) = TestEnv::new("plan-gone").await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    crate::preflight::write_chart(
        dir.path(),
        "size: 1\n",
        &[("widgets.yaml", crate::crds::WIDGETS)],
    );
    let chart = dir.path().to_string_lossy().into_owned();
    env.ok(["install", "--chart", &chart, "--no-wait"]);
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--chart",
        &chart,
        "--set",
        "size=2",
        "--out",
        plan.arg(),
    ]);

    // The CRD goes, and every object of its kind with it.
    let crds: Api<CustomResourceDefinition> = Api::all(env.client().await);
    let crd = format!("widgets.{}.todoctl.test", env.ns());
    crds.delete(&crd, &Default::default()).await?;
    crate::harness::wait_for(
        "the CRD to be deleted",
        std::time::Duration::from_secs(60),
        || async { Ok(crds.get_opt(&crd).await?.is_none().then_some(())) },
    )
    .await?;
    let out = env.run(["apply", plan.arg(), "--no-wait"]).failure(1);
    insta::assert_snapshot!("apply_after_its_kind_went", out.error());
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);
    Ok(())
}

/// Rewrites the plan in `file` with `edit` and a checksum that matches again, as someone who
/// knows the format could.
fn rewrite(file: &PlanFile, edit: impl FnOnce(&mut serde_json::Value)) -> Result<()> {
    use sha2::Digest as _;
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file.path)?)?;
    edit(&mut v["plan"]);
    let digest = sha2::Sha256::digest(serde_json::to_vec(&v["plan"])?);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    v["checksum"] = serde_json::json!(format!("sha256:{hex}"));
    std::fs::write(&file.path, serde_json::to_vec_pretty(&v)?)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_whose_objects_are_not_its_diff_is_refused_as_damaged() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-damaged", &[]).await? else {
        return Ok(());
    };
    let configs =
        Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(env.client().await, env.ns());
    // An object the diff never showed, slipped into what the plan applies.
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);
    rewrite(&plan, |p| {
        let objects = p["objects"].as_array_mut().expect("objects");
        let mut extra = objects
            .iter()
            .find(|e| e["object"]["metadata"]["name"] == "backend-config")
            .expect("backend-config")
            .clone();
        extra["object"]["metadata"]["name"] = serde_json::json!("smuggled");
        objects.push(extra);
    })?;
    let out = env.run(["apply", plan.arg()]).failure(1);
    insta::assert_snapshot!("apply_damaged_unshown_object", out.error());

    // Its neighbours: an object shown but no longer applied, and one changed to what todoctl
    // never renders (another namespace than the release's).
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);
    rewrite(&plan, |p| {
        let objects = p["objects"].as_array_mut().expect("objects");
        objects.retain(|e| e["object"]["metadata"]["name"] != "frontend-config");
    })?;
    let out = env.run(["apply", plan.arg()]).failure(1);
    assert!(
        out.stderr
            .contains("its diff shows configmap/frontend-config that it does not apply"),
        "{out}"
    );
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.replicaCount=3",
        "--out",
        plan.arg(),
    ]);
    rewrite(&plan, |p| {
        for e in p["objects"].as_array_mut().expect("objects") {
            if e["object"]["metadata"]["name"] == "backend-config" {
                e["object"]["metadata"]["namespace"] = serde_json::json!("kube-system");
            }
        }
    })?;
    let out = env.run(["apply", plan.arg()]).failure(1);
    assert!(
        out.stderr
            .contains("is damaged: it applies objects todoctl would not render"),
        "{out}"
    );

    assert!(configs.get_opt("smuggled").await?.is_none());
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);
    assert_eq!(replicas(&env, "backend-deployment").await, 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_the_cluster_now_refuses_says_to_plan_again() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-refused", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok([
        "diff",
        "--set",
        "backend.podDisruptionBudget.enabled=true",
        "--out",
        plan.arg(),
    ]);
    // Since the plan, a quota forbids the object it creates: no object it read moved, and the
    // API server refuses its dry run.
    Api::<k8s_openapi::api::core::v1::ResourceQuota>::namespaced(env.client().await, env.ns())
        .create(
            &Default::default(),
            &serde_json::from_value(serde_json::json!({
                "metadata": {"name": "no-budgets"},
                "spec": {"hard": {"count/poddisruptionbudgets.policy": "0"}},
            }))?,
        )
        .await?;
    let out = env.run(["apply", plan.arg()]).failure(1);
    assert!(out.stderr.contains("poddisruptionbudget/backend"), "{out}");
    assert!(
        out.stderr
            .contains("and run `todoctl diff --out` again, review the new plan, and apply that"),
        "{out}"
    );
    assert!(!out.stderr.contains("the command again"), "{out}");
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);
    let leases =
        Api::<k8s_openapi::api::coordination::v1::Lease>::namespaced(env.client().await, env.ns());
    assert!(leases.list(&Default::default()).await?.items.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_dated_later_than_now_is_held_to_max_age() -> Result<()> {
    let Some(env) = TestEnv::installed("plan-future", &[]).await? else {
        return Ok(());
    };
    let plan = PlanFile::new();
    env.ok(["diff", "--out", plan.arg()]);
    let dated = |ahead: jiff::SignedDuration| -> Result<()> {
        let created = jiff::Timestamp::now() + ahead;
        rewrite(&plan, |p| {
            p["created"] = serde_json::json!(created.to_string())
        })
    };
    // More than a day ahead, as a wrong clock makes it: its age is unknown.
    dated(jiff::SignedDuration::from_hours(25))?;
    let out = env.run(["apply", plan.arg(), "--max-age", "1h"]).failure(1);
    assert!(
        out.stderr
            .contains("later than this machine's clock and more than --max-age 1h"),
        "{out}"
    );
    assert!(
        out.stderr.contains("run `todoctl diff --out` again"),
        "{out}"
    );
    let out = env.run(["apply", plan.arg()]).failure(1);
    assert!(out.stderr.contains("more than --max-age 24h0m"), "{out}");
    // Without a limit, its date does not matter; a skew within --max-age is let through.
    let out = env.ok(["apply", plan.arg(), "--max-age", "0"]);
    assert!(out.stdout.contains("the plan changes nothing"), "{out}");
    dated(jiff::SignedDuration::from_mins(10))?;
    let out = env.ok(["apply", plan.arg(), "--max-age", "1h"]);
    assert!(out.stdout.contains("the plan changes nothing"), "{out}");
    assert_eq!(env.statuses(), vec![(1, "deployed".to_string())]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_plan_file_says_how_to_make_one() -> Result<()> {
    let Some(env) = TestEnv::new("plan-missing").await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("nope.plan");
    let out = env.run(["apply", &path.to_string_lossy()]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr.contains(&format!(
            "plan file {} does not exist; make a plan with `todoctl diff --out {}`",
            path.display(),
            path.display()
        )),
        "{out}"
    );
    assert!(!out.stderr.contains("os error"), "{out}");
    Ok(())
}
