//! Rules a chart lives by on a real cluster: an image bump touches only what runs the image,
//! nothing that changes between revisions sits in an immutable field, YAML reads as Kubernetes
//! and Helm read it, every served apiVersion is accepted, and the pods meet the `restricted`
//! Pod Security Standard.

use std::path::Path;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret};
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::{Value, json};

use crate::command::{ANY_NODE_PORT, TestEnv, offline, overlay, write_chart};
use crate::harness::{self, Cluster};

/// `kind/name` -> object, for every document `todoctl template` printed.
fn objects(yaml: &str) -> Vec<(String, Value)> {
    yaml.split("\n---\n")
        .filter_map(|d| {
            let v: Value = serde_saphyr::from_str(d).ok()?;
            let r = format!(
                "{}/{}",
                v["kind"].as_str()?.to_lowercase(),
                v["metadata"]["name"].as_str()?
            );
            Some((r, v))
        })
        .collect()
}

fn template(args: &[&str]) -> Vec<(String, Value)> {
    let mut all = vec!["template"];
    all.extend_from_slice(args);
    let out = offline(&all);
    assert_eq!(out.code, 0, "{all:?}: {}", out.stderr);
    objects(&out.stdout)
}

const DB: &str = "database.enabled=true,database.auth.password=test-only";

#[test]
fn an_image_bump_changes_only_the_objects_that_run_the_image() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "",
            "backend.image.tag=1.0.1",
            &["deployment/backend-deployment"],
        ),
        (
            "",
            "frontend.image.tag=1.0.1",
            &["deployment/frontend-deployment"],
        ),
        (
            DB,
            "database.image.tag=16.6-alpine",
            &["statefulset/postgres"],
        ),
        (
            "database.enabled=true,database.auth.password=test-only,backup.enabled=true",
            "backup.image.tag=16.6-alpine",
            &["cronjob/postgres-backup"],
        ),
        // The backup Job runs the database's image unless backup.image names another: pg_dump
        // must not be older than the server.
        (
            "database.enabled=true,database.auth.password=test-only,backup.enabled=true",
            "database.image.tag=16.6-alpine",
            &["statefulset/postgres", "cronjob/postgres-backup"],
        ),
        // The migration Job runs the backend image.
        (
            "migration.enabled=true",
            "backend.image.tag=1.0.1",
            &["deployment/backend-deployment", "job/migrate-r1"],
        ),
        // Every feature on: autoscalers, budgets, ingress, policies, monitor keep their labels.
        (
            "backend.autoscaling.enabled=true,backend.podDisruptionBudget.enabled=true,\
             ingress.enabled=true,networkPolicy.enabled=true,metrics.serviceMonitor.enabled=true",
            "backend.image.tag=1.0.1",
            &["deployment/backend-deployment"],
        ),
    ];
    for (base, bump, want) in cases {
        let mut args = vec!["--api-versions", "monitoring.coreos.com/v1"];
        if !base.is_empty() {
            args.extend(["--set", base]);
        }
        let before = template(&args);
        args.extend(["--set", bump]);
        let after = template(&args);
        assert_eq!(before.len(), after.len(), "{bump}");
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert_eq!(&changed, want, "--set {base} then --set {bump}");
    }
}

/// The pods that set no placement of their own go where the image they run already is, as a
/// real node that only some pods tolerate shows (KWOK's untainted node runs anything): the
/// migration Job and the fetch tests with the backend, the backup Job and the database test with
/// the database.
#[test]
fn jobs_without_a_placement_of_their_own_run_where_their_image_runs() {
    let objects = template(&[
        "--include-tests",
        "--set",
        "migration.enabled=true,database.enabled=true,database.auth.password=test-only,backup.enabled=true",
        "--set-json",
        r#"backend.nodeSelector={"tier":"app"}"#,
        "--set-json",
        r#"backend.tolerations=[{"key":"app","operator":"Exists","effect":"NoSchedule"}]"#,
        "--set-json",
        r#"database.nodeSelector={"tier":"data"}"#,
    ]);
    let pod_spec = |name: &str| -> Value {
        let (_, o) = objects
            .iter()
            .find(|(r, _)| r == name)
            .unwrap_or_else(|| panic!("{name} is rendered"));
        let spec = if name.starts_with("cronjob/") {
            &o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        } else {
            &o["spec"]["template"]["spec"]
        };
        json!({"nodeSelector": spec["nodeSelector"], "tolerations": spec["tolerations"]})
    };
    let backend = json!({"nodeSelector": {"tier": "app"},
        "tolerations": [{"key": "app", "operator": "Exists", "effect": "NoSchedule"}]});
    let database = json!({"nodeSelector": {"tier": "data"}, "tolerations": null});
    for name in ["job/migrate-r1", "job/test-frontend", "job/test-backend"] {
        assert_eq!(pod_spec(name), backend, "{name}");
    }
    for name in ["cronjob/postgres-backup", "job/test-database"] {
        assert_eq!(pod_spec(name), database, "{name}");
    }
    // A placement of the migration Job's own wins.
    let objects = template(&[
        "--set",
        "migration.enabled=true",
        "--set-json",
        r#"backend.nodeSelector={"tier":"app"}"#,
        "--set-json",
        r#"migration.nodeSelector={"tier":"batch"}"#,
    ]);
    let (_, job) = objects
        .iter()
        .find(|(r, _)| r == "job/migrate-r1")
        .expect("job/migrate-r1");
    assert_eq!(
        job["spec"]["template"]["spec"]["nodeSelector"],
        json!({"tier": "batch"})
    );
}

#[test]
fn no_overlay_puts_changing_data_into_an_immutable_field() {
    for args in [
        vec![],
        vec!["-f", "local"],
        vec!["-f", "staging"],
        vec!["-f", "production"],
        vec!["-f", "real-node"],
        vec![
            "--set",
            "database.enabled=true,database.auth.password=test-only,backup.enabled=true,migration.enabled=true",
        ],
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| match *a {
                "local" | "staging" | "production" | "real-node" => overlay(a),
                other => other.to_string(),
            })
            .collect();
        let mut all = vec!["lint".to_string()];
        all.extend(args.iter().cloned());
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = offline(&all);
        assert_eq!(out.code, 0, "{all:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains("immutable-field"),
            "{all:?}: {}",
            out.stderr
        );
    }
    // The claim template carries no version at all.
    let objects = template(&["--set", DB]);
    let sts = &objects
        .iter()
        .find(|(r, _)| r == "statefulset/postgres")
        .expect("statefulset/postgres")
        .1;
    let labels = &sts["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"];
    assert!(labels.is_object(), "{sts}");
    assert!(
        labels.get("app.kubernetes.io/version").is_none(),
        "{labels}"
    );
}

#[test]
fn lint_finds_changing_data_in_immutable_fields_of_any_chart() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "db.yaml",
            "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: db
          image: postgres:{{ values.image.tag }}
          resources:
            limits: {cpu: 100m, memory: 64Mi}
            requests: {cpu: 100m, memory: 64Mi}
          livenessProbe: {tcpSocket: {port: 5432}}
          readinessProbe: {tcpSocket: {port: 5432}}
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          app.kubernetes.io/version: {{ values.image.tag | quote }}
          revision: \"r{{ release.revision }}\"
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
",
        )],
        "image:\n  repository: postgres\n  tag: \"16\"\n",
    );
    let chart = dir.path().to_str().unwrap();
    let out = offline(&["lint", "--chart", chart]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("immutable-field"))
        .collect();
    // The version label by its key; each changing label by comparing with the next revision.
    assert!(
        lines.iter().any(|l| l.contains("warning[version-in-immutable-field]: statefulset/db (templates/db.yaml): spec.volumeClaimTemplates[0].metadata.labels holds the label `app.kubernetes.io/version: 16`")),
        "{}",
        out.stderr
    );
    assert!(
        lines.iter().any(|l| l.contains("warning[changing-immutable-field]: statefulset/db (templates/db.yaml): spec.volumeClaimTemplates[0].metadata.labels.app.kubernetes.io/version changes from `16` to `16-next`")),
        "{}",
        out.stderr
    );
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    let strict = offline(&["lint", "--strict", "--chart", chart]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
}

/// A chart whose Deployment mounts a ConfigMap with modes written the ways people write them.
fn modes_chart(dir: &Path) {
    write_chart(
        dir,
        &[(
            "app.yaml",
            "apiVersion: v1
kind: ConfigMap
metadata:
  name: files
data:
  plain: \"0400\"
  word: {{ values.country | tojson | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector:
    matchLabels: {app: modes}
  template:
    metadata:
      labels: {app: modes}
    spec:
      containers:
        - name: app
          image: busybox:1.36
      volumes:
        - {name: a, configMap: {name: files, defaultMode: 0400}}
        - {name: b, configMap: {name: files, defaultMode: 0644}}
        - {name: c, configMap: {name: files, defaultMode: 0755}}
        - {name: d, configMap: {name: files, defaultMode: 0o400}}
        - {name: e, configMap: {name: files, defaultMode: 08}}
        - {name: f, configMap: {name: files, defaultMode: 0x1F}}
        - {name: g, configMap: {name: files, defaultMode: {{ values.mode }}}}
        - {name: h, secret: {secretName: s, defaultMode: {{ values.octal }}}}
",
        )],
        "mode: 0644\noctal: 0o755\ncountry: NO\n",
    );
}

const MODES: [i64; 8] = [256, 420, 493, 256, 8, 31, 420, 493];

fn modes_of(deployment: &Value) -> Vec<i64> {
    deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["configMap"]["defaultMode"]
                .as_i64()
                .or(v["secret"]["defaultMode"].as_i64())
                .unwrap_or(-1)
        })
        .collect()
}

#[test]
fn leading_zero_integers_read_as_kubernetes_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    modes_chart(dir.path());
    let objects = template(&["--chart", dir.path().to_str().unwrap()]);
    let get = |r: &str| &objects.iter().find(|(x, _)| x == r).unwrap().1;
    assert_eq!(modes_of(get("deployment/app")), MODES);
    // Quoted, it stays text; `NO` in values is YAML 1.1's false, as Helm reads it.
    assert_eq!(get("configmap/files")["data"]["plain"], "0400");
    assert_eq!(get("configmap/files")["data"]["word"], "false");

    // A negative octal where a mode belongs: the error shows what it means, and suggests no
    // edit that would change that meaning.
    let bad = tempfile::tempdir().unwrap();
    write_chart(
        bad.path(),
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: -0400\n",
        )],
        "",
    );
    let out = offline(&["template", "--chart", bad.path().to_str().unwrap()]).failure(1);
    insta::assert_snapshot!(out.error());
}

#[test]
fn duplicate_keys_in_values_files_are_errors_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut errors = String::new();
    for (name, text) in [
        (
            "top.yaml",
            "image:\n  repository: a\n  tag: b\nimage:\n  pullPolicy: Always\n",
        ),
        (
            "nested.yaml",
            "backend:\n  image:\n    tag: \"1\"\n    tag: \"2\"\n",
        ),
        (
            "deep.yaml",
            "backend:\n  config:\n    agentModel: a\n  replicaCount: 2\n  config:\n    corsOrigins: b\n",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let out = offline(&["template", "-f", path]).failure(1);
        errors.push_str(&out.transcript());
    }
    insta::assert_snapshot!(errors);
    // Each names the file and the line of the repeated key (top.yaml:4, nested.yaml:4,
    // deep.yaml:5), as the snapshot shows. The same key in sibling mappings is no duplicate.
    let fine = dir.path().join("fine.yaml");
    std::fs::write(
        &fine,
        "frontend:\n  replicaCount: 1\nbackend:\n  replicaCount: 1\n",
    )
    .unwrap();
    assert_eq!(offline(&["template", "-f", fine.to_str().unwrap()]).code, 0);
}

#[test]
fn lint_warns_about_every_unquoted_yaml11_boolean_word() {
    // A chart without a schema, so that every word reaches the templates as the boolean.
    let chart = tempfile::tempdir().unwrap();
    write_chart(
        chart.path(),
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  country: {{ values.country | tojson | quote }}\n",
        )],
        "country: NO\n",
    );
    let chart = chart.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("v.yaml");
    std::fs::write(
        &values,
        "more:\n  a: Yes\n  b: ON\n  c: off\n  d: n\n  e: \"no\"\n  f: nope\n  g: 'y'\n",
    )
    .unwrap();
    let values = values.to_str().unwrap();
    let out = offline(&["lint", "--chart", chart, "-f", values]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warned: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("warning[yaml11-boolean]"))
        .collect();
    let chart_values = format!("{chart}/values.yaml");
    for (file, line, word, reading) in [
        (chart_values.as_str(), 1, "NO", false),
        (values, 2, "Yes", true),
        (values, 3, "ON", true),
        (values, 4, "off", false),
        (values, 5, "n", false),
    ] {
        assert!(
            warned.iter().any(|l| l.contains(&format!(
                "{file}:{line}: `{word}` is read as the boolean {reading}"
            ))),
            "{word}: {}",
            out.stderr
        );
    }
    assert_eq!(warned.len(), 5, "{}", out.stderr);
    // As Helm reads it: the country is the boolean false.
    let rendered = template(&["--chart", chart]);
    assert_eq!(rendered[0].1["data"]["country"], "false");

    // In a template's output too: a value that was text in values.yaml comes out unquoted
    // (a custom resource, which todoctl passes unchecked, would receive the boolean).
    let chart = tempfile::tempdir().unwrap();
    write_chart(
        chart.path(),
        &[(
            "cr.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  mode: {{ values.flag }}\n  quoted: {{ values.flag | quote }}\n",
        )],
        "flag: \"on\"\n",
    );
    let out = offline(&["lint", "--chart", chart.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warned: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("warning[yaml11-boolean]"))
        .collect();
    assert_eq!(warned.len(), 1, "{}", out.stderr);
    assert!(
        warned[0]
            .contains("templates/cr.yaml, line 6 of its output: `on` is read as the boolean true"),
        "{}",
        out.stderr
    );
    // The built-in chart and its overlays have none.
    for o in ["local", "staging", "production"] {
        let out = offline(&["lint", "-f", &overlay(o)]);
        assert!(
            !out.stderr.contains("yaml11-boolean"),
            "{o}: {}",
            out.stderr
        );
    }
}

#[test]
fn every_served_hpa_version_is_accepted_offline() {
    let dir = tempfile::tempdir().unwrap();
    hpa_chart(dir.path());
    let objects = template(&["--chart", dir.path().to_str().unwrap()]);
    assert!(
        objects
            .iter()
            .any(|(r, _)| r == "horizontalpodautoscaler/web-v1")
    );
    assert!(
        objects
            .iter()
            .any(|(r, _)| r == "horizontalpodautoscaler/web-v2")
    );
    // A version no supported Kubernetes serves is still refused, with the one to use...
    let old = tempfile::tempdir().unwrap();
    write_chart(
        old.path(),
        &[(
            "hpa.yaml",
            "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n",
        )],
        "",
    );
    let old = old.path().to_str().unwrap();
    let out = offline(&["template", "--chart", old]).failure(1);
    insta::assert_snapshot!(out.error());
    // ... unless the target says it serves it.
    let out = offline(&[
        "template",
        "--chart",
        old,
        "--api-versions",
        "autoscaling/v2beta2",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

fn hpa_chart(dir: &Path) {
    write_chart(
        dir,
        &[(
            "web.yaml",
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources: {requests: {cpu: 100m}}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: web-v1
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  targetCPUUtilizationPercentage: 80
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web-v2
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
",
        )],
        "",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_autoscaling_v1_hpa_installs() -> Result<()> {
    let Some(env) = TestEnv::new("hpav1").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let dir = tempfile::tempdir()?;
    hpa_chart(dir.path());
    env.ok(["install", "--chart", dir.path().to_str().unwrap()]);
    let hpa = Api::<HorizontalPodAutoscaler>::namespaced(env.client().await, ns)
        .get("web-v1")
        .await?;
    assert_eq!(
        hpa.spec.and_then(|s| s.target_cpu_utilization_percentage),
        Some(80)
    );
    // Unchanged on a second look: diff against the cluster agrees with what was applied.
    let out = env.run([
        "diff",
        "--detailed-exitcode",
        "--chart",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn octal_modes_reach_the_cluster_as_kubernetes_reads_them() -> Result<()> {
    let Some(env) = TestEnv::new("octal").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let dir = tempfile::tempdir()?;
    modes_chart(dir.path());
    let chart = dir.path().to_str().unwrap();
    // The Secret of volume `h` does not exist; the pod need not start for this check.
    env.ok(["install", "--chart", chart, "--no-wait"]);
    let live = Api::<Deployment>::namespaced(env.client().await, ns)
        .get("app")
        .await?;
    assert_eq!(modes_of(&serde_json::to_value(&live)?), MODES);

    // A duplicate key in a values file refuses the upgrade and changes nothing.
    let dup = dir.path().join("dup.yaml");
    std::fs::write(&dup, "mode: 0600\nmode: 0640\n")?;
    let out = env
        .run(["upgrade", "--chart", chart, "-f", dup.to_str().unwrap()])
        .failure(1);
    insta::assert_snapshot!(out.error());
    let history = env.history();
    assert_eq!(history.len(), 1, "no revision recorded: {history:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_image_upgrades_in_place() -> Result<()> {
    let Some(env) = TestEnv::new("dbimage").await? else {
        return Ok(());
    };
    let ns = env.ns();
    env.ok(["install", "--set", ANY_NODE_PORT, "--set", DB]);
    let out = env.run([
        "upgrade",
        "--set",
        ANY_NODE_PORT,
        "--set",
        DB,
        "--set",
        "database.image.tag=16.6-alpine",
    ]);
    let out = out.success();
    assert!(out.stdout.contains("revision 2 deployed"), "{}", out.stdout);
    let sts = Api::<StatefulSet>::namespaced(env.client().await, ns)
        .get("postgres")
        .await?;
    let image = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers[0].image.clone());
    assert_eq!(image.as_deref(), Some("postgres:16.6-alpine"));
    // And back, by rollback: the claim template is the same in both revisions.
    env.ok(["rollback", "1"]);
    Ok(())
}

/// A namespace that the API server holds to the `restricted` Pod Security Standard.
async fn restricted_namespace(cluster: &Cluster, prefix: &str) -> Result<TestEnv> {
    let env = TestEnv::on(cluster, prefix).await?;
    let patch = json!({"metadata": {"labels": {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }}});
    Api::<Namespace>::all(env.client().await)
        .patch(env.ns(), &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(env)
}

/// Pods, and the reasons any controller could not create one (`FailedCreate` events).
async fn admission(client: &Client, ns: &str) -> Result<(Vec<String>, Vec<String>)> {
    let pods: Vec<String> = Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    let refused: Vec<String> =
        Api::<k8s_openapi::api::core::v1::Event>::namespaced(client.clone(), ns)
            .list(&ListParams::default())
            .await?
            .items
            .into_iter()
            .filter(|e| e.reason.as_deref() == Some("FailedCreate"))
            .map(|e| e.message.unwrap_or_default())
            .collect();
    Ok((pods, refused))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_overlay_is_admitted_under_the_restricted_pod_security_standard() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let client = cluster.client().await;

    // The control: the namespace label really is enforced here.
    let control = restricted_namespace(&cluster, "psa-control").await?;
    let root: Pod = serde_json::from_value(json!({
        "metadata": {"name": "root"},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]},
    }))?;
    let refused = Api::<Pod>::namespaced(client.clone(), control.ns())
        .create(&PostParams::default(), &root)
        .await;
    assert!(
        matches!(&refused, Err(kube::Error::Api(s)) if s.code == 403 && s.message.contains("restricted")),
        "a root pod was not refused: {refused:?}"
    );

    let external_db = "secrets.databaseUrl=postgresql://u:p@db.example.invalid/todo";
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("psa-default", vec![]),
        (
            "psa-local",
            vec![
                "-f".into(),
                overlay("local"),
                "--set".into(),
                "backup.enabled=true,migration.enabled=true".into(),
            ],
        ),
        (
            "psa-staging",
            vec![
                "-f".into(),
                overlay("staging"),
                "--set".into(),
                external_db.into(),
            ],
        ),
        (
            "psa-production",
            vec![
                "-f".into(),
                overlay("production"),
                "--set".into(),
                external_db.into(),
            ],
        ),
    ];
    for (prefix, args) in cases {
        let env = restricted_namespace(&cluster, prefix).await?;
        let ns = env.ns();
        let tls: Secret = serde_json::from_value(json!({
            "metadata": {"name": "todo-app-tls"},
            "type": "kubernetes.io/tls",
            "stringData": {"tls.crt": "test certificate", "tls.key": "test key"},
        }))?;
        Api::<Secret>::namespaced(client.clone(), ns)
            .create(&PostParams::default(), &tls)
            .await?;
        let mut all = vec!["install", "--set", ANY_NODE_PORT];
        all.extend(args.iter().map(String::as_str));
        let out = env.run(&all);
        let (pods, refused) = admission(&client, ns).await?;
        assert!(refused.is_empty(), "{prefix}: pods refused: {refused:?}");
        out.success();
        assert!(!pods.is_empty(), "{prefix}: no pods");

        // The backup CronJob's Job, as `kubectl create job --from=cronjob/postgres-backup` makes it.
        if let Some(cron) = Api::<CronJob>::namespaced(client.clone(), ns)
            .get_opt("postgres-backup")
            .await?
        {
            let template = cron
                .spec
                .context("cronjob spec")?
                .job_template
                .spec
                .context("job template spec")?;
            let job = Job {
                metadata: kube::api::ObjectMeta {
                    name: Some("postgres-backup-manual".into()),
                    ..Default::default()
                },
                spec: Some(template),
                ..Default::default()
            };
            Api::<Job>::namespaced(client.clone(), ns)
                .create(&PostParams::default(), &job)
                .await?;
            harness::wait_for(
                "the backup Job's pod",
                std::time::Duration::from_secs(60),
                || {
                    let client = client.clone();
                    async move {
                        let (pods, refused) = admission(&client, ns).await?;
                        anyhow::ensure!(refused.is_empty(), "backup pod refused: {refused:?}");
                        Ok(pods
                            .iter()
                            .any(|p| p.starts_with("postgres-backup-manual-"))
                            .then_some(()))
                    }
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// The built-in chart as it was when its claim template carried the database image's tag.
fn chart_with_versioned_claim_template(dir: &Path) -> Result<()> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/todo-app");
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", src.display()))
        .arg(dir)
        .status()?;
    anyhow::ensure!(copy.success(), "copying the chart");
    let path = dir.join("templates/postgres.yaml");
    let text = std::fs::read_to_string(&path)?;
    let from = "{{ h.stableLabels(\"postgres\", \"database\") | indent(10) }}";
    assert!(text.contains(from), "postgres.yaml no longer holds {from}");
    std::fs::write(
        &path,
        text.replace(
            from,
            "{{ h.labels(\"postgres\", \"database\", db.image.tag) | indent(10) }}",
        ),
    )?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_installed_with_a_versioned_claim_template_moves_over_as_documented()
-> Result<()> {
    let Some(env) = TestEnv::new("oldclaim").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let old = tempfile::tempdir()?;
    chart_with_versioned_claim_template(old.path())?;
    let old = old.path().to_str().context("utf-8 temp dir")?;
    env.ok([
        "install",
        "--chart",
        old,
        "--set",
        ANY_NODE_PORT,
        "--set",
        DB,
    ]);
    let claims =
        Api::<k8s_openapi::api::core::v1::PersistentVolumeClaim>::namespaced(client.clone(), ns);
    let claim_uid = claims.get("data-postgres-0").await?.metadata.uid;

    // The claim template's labels cannot change: refused, nothing recorded.
    let upgrade = ["upgrade", "--set", ANY_NODE_PORT, "--set", DB];
    let out = env.run(upgrade).failure(1);
    insta::assert_snapshot!(out.error());
    assert_eq!(env.history().len(), 1);

    // docs/operations.md: delete the StatefulSet alone, keeping its pod and claim, and upgrade.
    let statefulsets = Api::<StatefulSet>::namespaced(client.clone(), ns);
    statefulsets
        .delete(
            "postgres",
            &kube::api::DeleteParams {
                propagation_policy: Some(kube::api::PropagationPolicy::Orphan),
                ..Default::default()
            },
        )
        .await?;
    harness::wait_for(
        "statefulset/postgres to go",
        std::time::Duration::from_secs(30),
        || {
            let statefulsets = statefulsets.clone();
            async move {
                Ok(statefulsets
                    .get_opt("postgres")
                    .await?
                    .is_none()
                    .then_some(()))
            }
        },
    )
    .await?;
    env.ok(upgrade);
    assert_eq!(claims.get("data-postgres-0").await?.metadata.uid, claim_uid);
    let sts = statefulsets.get("postgres").await?;
    let labels = sts
        .spec
        .and_then(|s| s.volume_claim_templates)
        .and_then(|t| t[0].metadata.labels.clone())
        .unwrap_or_default();
    assert!(
        !labels.contains_key("app.kubernetes.io/version"),
        "{labels:?}"
    );
    // From here on the database image upgrades like any other.
    let mut bump = upgrade.to_vec();
    bump.extend(["--set", "database.image.tag=16.6-alpine"]);
    env.ok(&bump);
    Ok(())
}
