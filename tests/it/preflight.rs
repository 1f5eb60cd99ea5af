//! A change the API server refuses changes nothing: install, upgrade and rollback dry-run the
//! whole revision first and list every rejection with its field and values. Each test counts
//! the objects written by the refused command (resourceVersions of everything in the
//! namespace before and after) and checks history and lock.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use kube::api::{DeleteParams, ListParams};
use kube::{Api, Client};

use crate::command::{Output, TestEnv};
use crate::harness;

/// Writes a chart with `values` and one template per entry into `dir`.
pub fn write_chart(dir: &Path, values: &str, templates: &[(&str, &str)]) {
    std::fs::create_dir_all(dir.join("templates")).expect("chart dir");
    std::fs::write(dir.join("Chart.yaml"), "name: probe\nversion: 0.1.0\n").expect("Chart.yaml");
    std::fs::write(dir.join("values.yaml"), values).expect("values.yaml");
    for (name, text) in templates {
        std::fs::write(dir.join("templates").join(name), text).expect("template");
    }
}

fn todoctl(env: &TestEnv, chart: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    let chart = chart.to_string_lossy().into_owned();
    if matches!(
        args.first(),
        Some(&"install") | Some(&"upgrade") | Some(&"diff")
    ) {
        all.extend(["--chart", &chart]);
    }
    let all: Vec<&str> = all.iter().map(|s| &**s).collect();
    env.run(&all)
}

/// `kind/name` -> what a write by todoctl changes, for every object a deploy could write in
/// `ns` (the release records and the lock included): generation, spec, data and todoctl's
/// own managedFields entries. Status and the metadata controllers write (a Job's status, a
/// Deployment's revision annotation) are left out, so their writes are not counted as the
/// command's.
pub async fn versions(client: &Client, ns: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    macro_rules! list {
        ($t:ty, $kind:literal) => {
            for o in Api::<$t>::namespaced(client.clone(), ns)
                .list(&ListParams::default())
                .await?
                .items
            {
                let v = serde_json::to_value(&o)?;
                out.insert(
                    format!("{}/{}", $kind, v["metadata"]["name"].as_str().unwrap_or("")),
                    fingerprint(&v),
                );
            }
        };
    }
    list!(ConfigMap, "configmap");
    list!(Secret, "secret");
    list!(Service, "service");
    list!(Deployment, "deployment");
    list!(Job, "job");
    list!(PersistentVolumeClaim, "persistentvolumeclaim");
    list!(k8s_openapi::api::apps::v1::StatefulSet, "statefulset");
    list!(Lease, "lease");
    Ok(out)
}

fn fingerprint(v: &serde_json::Value) -> String {
    let ours: Vec<&serde_json::Value> = v["metadata"]["managedFields"]
        .as_array()
        .map(|m| m.iter().filter(|e| e["manager"] == "todoctl").collect())
        .unwrap_or_default();
    serde_json::json!({
        "generation": v["metadata"]["generation"],
        "labels": v["metadata"]["labels"],
        "spec": v["spec"],
        "data": v["data"],
        "todoctl": ours,
    })
    .to_string()
}

/// How many objects differ between two snapshots: changed, created or deleted.
pub fn written(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
    out
}

/// The refused command wrote nothing, recorded nothing and left no lock.
async fn assert_untouched(
    client: &Client,
    ns: &str,
    before: &BTreeMap<String, String>,
    history: &[(u64, String)],
    after_history: &[(u64, String)],
) -> Result<()> {
    let after = versions(client, ns).await?;
    let changed = written(before, &after);
    assert!(changed.is_empty(), "the refused command wrote {changed:?}");
    assert_eq!(history, after_history, "history changed");
    let lease = Api::<Lease>::namespaced(client.clone(), ns)
        .get_opt("todoctl.lock.todo-app")
        .await?;
    assert!(lease.is_none(), "the lock was left behind");
    Ok(())
}

const APP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  greeting: {{ values.greeting | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {{ values.selector }}
  template:
    metadata:
      labels:
        app: {{ values.selector }}
    spec:
      containers:
        - name: app
          image: busybox:1.36
"#;

const DATABASE: &str = r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
spec:
  serviceName: postgres
  replicas: 1
  selector:
    matchLabels:
      app: postgres
  template:
    metadata:
      labels:
        app: postgres
    spec:
      containers:
        - name: postgres
          image: postgres:{{ values.dbTag }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          app.kubernetes.io/version: {{ values.dbTag | quote }}
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
"#;

#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_with_immutable_changes_is_refused_whole_and_writes_nothing() -> Result<()> {
    let Some(env) = TestEnv::new("preflight").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let dir = tempfile::tempdir()?;
    write_chart(
        dir.path(),
        "greeting: hello\nselector: app\ndbTag: 16-alpine\n",
        &[("app.yaml", APP), ("database.yaml", DATABASE)],
    );
    todoctl(&env, dir.path(), &["install", "--no-wait"]).success();
    let history = env.statuses();
    let before = versions(&client, ns).await?;

    // The ConfigMap comes in the first wave, the Deployment and StatefulSet later: without
    // the preflight the ConfigMap would be rewritten before the Deployment is refused.
    let out = todoctl(
        &env,
        dir.path(),
        &[
            "upgrade",
            "--no-wait",
            "--set",
            "greeting=changed",
            "--set",
            "selector=other",
            "--set",
            "dbTag=16.6-alpine",
        ],
    )
    .failure(1);
    insta::assert_snapshot!("refused_upgrade", out.stderr);
    assert_untouched(&client, ns, &before, &history, &env.statuses()).await?;

    // `diff` of the same upgrade says the same, every refused object with what to do about
    // it, instead of the API server's first 422.
    let diff = todoctl(
        &env,
        dir.path(),
        &[
            "diff",
            "--set",
            "greeting=changed",
            "--set",
            "selector=other",
            "--set",
            "dbTag=16.6-alpine",
        ],
    )
    .failure(1);
    let (_, refused) = out
        .stderr
        .split_once("refused, so nothing was applied or recorded:")
        .expect("the upgrade's refusal");
    assert!(
        diff.stderr.contains(&format!(
            "the upgrade this diff shows, of release `todo-app`, would be refused, so nothing was applied or recorded:{refused}"
        )),
        "{diff}"
    );

    // The same upgrade without the immutable changes goes through.
    todoctl(
        &env,
        dir.path(),
        &["upgrade", "--no-wait", "--set", "greeting=changed"],
    )
    .success();
    let cm = Api::<ConfigMap>::namespaced(client.clone(), ns)
        .get("app-config")
        .await?;
    assert_eq!(
        cm.data
            .unwrap_or_default()
            .get("greeting")
            .map(String::as_str),
        Some("changed")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_cluster_ip_and_a_job_template_change_are_refused_and_listed() -> Result<()> {
    let Some(env) = TestEnv::new("preflight-svc-job").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let dir = tempfile::tempdir()?;
    write_chart(
        dir.path(),
        "greeting: hello\nclusterIP: \"\"\ntag: \"1.36\"\n",
        &[(
            "objects.yaml",
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  greeting: {{ values.greeting | quote }}
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
{% if values.clusterIP %}
  clusterIP: {{ values.clusterIP }}
{% endif %}
  selector:
    app: db
  ports:
    - port: 5432
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:{{ values.tag }}
"#,
        )],
    );
    todoctl(&env, dir.path(), &["install", "--no-wait"]).success();
    let history = env.statuses();
    let before = versions(&client, ns).await?;
    let out = todoctl(
        &env,
        dir.path(),
        &[
            "upgrade",
            "--no-wait",
            "--set",
            "greeting=changed",
            "--set",
            "clusterIP=None",
            "--set-string",
            "tag=1.37",
        ],
    )
    .failure(1);
    insta::assert_snapshot!(out.error());
    assert_untouched(&client, ns, &before, &history, &env.statuses()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_into_an_immutable_change_is_refused_and_writes_nothing() -> Result<()> {
    let Some(env) = TestEnv::new("preflight-rollback").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let dir = tempfile::tempdir()?;
    write_chart(
        dir.path(),
        "greeting: hello\nselector: app\n",
        &[("app.yaml", APP)],
    );
    todoctl(&env, dir.path(), &["install", "--no-wait"]).success();
    // Revision 2 recreates the Deployment with another selector, which is allowed once the
    // old one is gone.
    Api::<Deployment>::namespaced(client.clone(), ns)
        .delete("app", &DeleteParams::foreground())
        .await?;
    harness::wait_for(
        "deployment/app to be deleted",
        std::time::Duration::from_secs(60),
        || {
            let api = Api::<Deployment>::namespaced(client.clone(), ns);
            async move { Ok(api.get_opt("app").await?.is_none().then_some(())) }
        },
    )
    .await?;
    todoctl(
        &env,
        dir.path(),
        &[
            "upgrade",
            "--no-wait",
            "--set",
            "greeting=second",
            "--set",
            "selector=other",
        ],
    )
    .success();
    let history = env.statuses();
    let before = versions(&client, ns).await?;

    let out = env.run(["rollback", "1", "--no-wait"]).failure(1);
    insta::assert_snapshot!(out.error());
    assert_untouched(&client, ns, &before, &history, &env.statuses()).await?;
    Ok(())
}
