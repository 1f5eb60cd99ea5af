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
