//! The todo-app chart's production features on the real control plane: the production overlay,
//! migrations that gate the backend, an autoscaler's replica count surviving upgrades, and a
//! ServiceMonitor rendered only where its API exists. Offline checks of the same values at the end.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Secret};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::{Value, json};

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl, overlay};
use crate::harness;

/// The production overlay expects an external database.
const EXTERNAL_DB: &str = "secrets.databaseUrl=postgresql://u:p@db.example.invalid/todo";

async fn names<K>(client: &Client, ns: &str) -> Result<Vec<String>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    let mut names: Vec<String> = Api::<K>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await?
        .items
        .iter()
        .filter_map(|o| o.meta().name.clone())
        .collect();
    names.sort();
    Ok(names)
}

fn backend_image(d: &Deployment) -> Option<String> {
    d.spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.containers[0].image.clone())
}

fn condition_true(job: &Job, kind: &str) -> bool {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == kind && c.status == "True"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_production_overlay_installs_and_becomes_ready() -> Result<()> {
    let Some(env) = TestEnv::new("production").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;

    // cert-manager would write this Secret; here the test provides it.
    let tls: Secret = serde_json::from_value(json!({
        "metadata": { "name": "todo-app-tls" },
        "type": "kubernetes.io/tls",
        "stringData": { "tls.crt": "test certificate", "tls.key": "test key" },
    }))?;
    Api::<Secret>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &tls)
        .await?;

    let started = Instant::now();
    let out = env.ok([
        "install",
        "-f",
        &overlay("production"),
        "--set",
        ANY_NODE_PORT,
        "--set",
        EXTERNAL_DB,
    ]);
    let took = started.elapsed();
    // Shown with --nocapture: the figure docs quote for an install of this overlay.
    eprintln!("production overlay installed and ready in {took:.1?}");
    assert!(out.stdout.contains("revision 1 deployed"), "{}", out.stdout);
    assert!(
        out.stdout.contains("https://todo.example.com/"),
        "NOTES name the ingress host: {}",
        out.stdout
    );

    assert_eq!(
        names::<PodDisruptionBudget>(&client, ns).await?,
        ["backend", "frontend"]
    );
    assert_eq!(
        names::<HorizontalPodAutoscaler>(&client, ns).await?,
        ["backend", "frontend"]
    );
    assert_eq!(
        names::<NetworkPolicy>(&client, ns).await?,
        ["backend", "default-deny", "frontend"]
    );
    let ingress = Api::<Ingress>::namespaced(client.clone(), ns)
        .get("frontend")
        .await?;
    assert_eq!(
        ingress
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("cert-manager.io/cluster-issuer"))
            .map(String::as_str),
        Some("letsencrypt-prod")
    );
    let spec = ingress.spec.context("ingress spec")?;
    assert_eq!(
        spec.tls.as_ref().and_then(|t| t[0].secret_name.as_deref()),
        Some("todo-app-tls")
    );
    let job = Api::<Job>::namespaced(client.clone(), ns)
        .get("migrate-r1")
        .await?;
    assert!(condition_true(&job, "Complete"), "{:?}", job.status);

    // Autoscaled: the Deployments leave the count to the autoscalers.
    let backend = Api::<Deployment>::namespaced(client.clone(), ns)
        .get("backend-deployment")
        .await?;
    let spread = backend
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.topology_spread_constraints.clone())
        .unwrap_or_default();
    assert_eq!(spread.len(), 1);
    assert_eq!(spread[0].topology_key, "kubernetes.io/hostname");
    let manifest = env.ok(["get", "manifest"]).stdout;
    assert!(!manifest.contains("\n  replicas: "), "{manifest}");
    let status = env.ok(["status"]).stdout;
    assert!(status.contains("STATUS: deployed"), "{status}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_migration_job_completes_before_the_backend_changes() -> Result<()> {
    let Some(env) = TestEnv::new("migrate").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "migration.enabled=true,database.enabled=true,database.auth.password=test-only",
        "--set",
        "backup.enabled=true",
    ]);
    let jobs = Api::<Job>::namespaced(client.clone(), ns);
    assert!(condition_true(&jobs.get("migrate-r1").await?, "Complete"));
    // The backup CronJob and its claim come with the in-cluster database.
    assert!(
        Api::<CronJob>::namespaced(client.clone(), ns)
            .get_opt("postgres-backup")
            .await?
            .is_some()
    );
    let claim = Api::<PersistentVolumeClaim>::namespaced(client.clone(), ns)
        .get("postgres-backups")
        .await?;
    assert_eq!(claim.status.and_then(|s| s.phase).as_deref(), Some("Bound"));

    env.ok(["upgrade", "--set", "backend.image.tag=1.0.1"]);
    let job = jobs.get("migrate-r2").await?;
    assert!(condition_true(&job, "Complete"), "{:?}", job.status);
    let completed = job
        .status
        .and_then(|s| s.completion_time)
        .context("completion time of job/migrate-r2")?
        .0;

    let replica_sets = Api::<ReplicaSet>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels("app.kubernetes.io/name=backend"))
        .await?;
    let new_rs = replica_sets
        .items
        .iter()
        .find(|rs| {
            rs.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .and_then(|t| t.spec.as_ref())
                .and_then(|p| p.containers[0].image.as_deref())
                == Some("todo-backend:1.0.1")
        })
        .context("the backend ReplicaSet of image 1.0.1")?;
    let created = new_rs
        .metadata
        .creation_timestamp
        .as_ref()
        .context("creation time")?
        .0;
    assert!(
        completed <= created,
        "migration completed at {completed}, after the new backend ReplicaSet was created at {created}"
    );
    // The previous revision's Job is pruned: the new revision no longer renders it.
    assert!(jobs.get_opt("migrate-r1").await?.is_none());
    Ok(())
}

/// KWOK completes every pod of a Job, even one marked to fail, so this plays the node's part:
/// the migration pod is kept off the node by a selector, then reported failed (exit code 1) and
/// bound to the node, as a kubelet would leave a pod whose process exited with an error.
async fn fail_the_pod_of(client: &Client, ns: &str, job: &str) -> Result<()> {
    let pods = Api::<Pod>::namespaced(client.clone(), ns);
    let selector = format!("job-name={job}");
    let pod = harness::wait_for(
        &format!("a pod of job/{job}"),
        Duration::from_secs(60),
        || async {
            let list = pods.list(&ListParams::default().labels(&selector)).await?;
            Ok(list.items.into_iter().find_map(|p| p.metadata.name))
        },
    )
    .await?;
    let failed = json!({ "status": {
        "phase": "Failed",
        "containerStatuses": [{
            "name": "migrate", "image": "todo-backend:1.0.0", "imageID": "",
            "ready": false, "restartCount": 0,
            "state": { "terminated": { "exitCode": 1, "reason": "Error" } },
        }],
    } });
    pods.patch_status(&pod, &PatchParams::default(), &Patch::Merge(&failed))
        .await
        .with_context(|| format!("reporting pod {pod} failed"))?;
    let binding = json!({
        "apiVersion": "v1", "kind": "Binding", "metadata": { "name": pod },
        "target": { "apiVersion": "v1", "kind": "Node", "name": harness::NODE_NAME },
    });
    pods.create_subresource::<_, Value>("binding", &pod, &PostParams::default(), &binding)
        .await
        .with_context(|| format!("binding pod {pod}"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_migration_stops_the_upgrade_before_the_backend() -> Result<()> {
    let Some(env) = TestEnv::new("migfail").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "migration.enabled=true",
    ]);

    let upgrade = env
        .todoctl()
        .args([
            "upgrade",
            "--set",
            "backend.image.tag=1.0.1",
            "--set",
            "migration.backoffLimit=0",
            "--set",
            r"migration.nodeSelector.todoctl\.test/pool=none",
            "--timeout",
            "120s",
        ])
        .spawn();
    fail_the_pod_of(&client, ns, "migrate-r2").await?;
    let out = upgrade.wait().failure(1);
    let stderr = &out.stderr;
    // The message as a snapshot; the diagnosis under it (events, the log tail) as the words it
    // must hold, since which events the cluster has recorded by then varies.
    insta::assert_snapshot!(out.error_summary());
    assert!(stderr.contains("job/migrate-r2"), "{stderr}");
    assert!(stderr.contains("BackoffLimitExceeded"), "{stderr}");
    // The log tail: this cluster has no kubelet to read it from, and the error says so.
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("log of pod migrate-r2-") && l.contains("unavailable: ")),
        "{stderr}"
    );

    let backend = Api::<Deployment>::namespaced(client.clone(), ns)
        .get("backend-deployment")
        .await?;
    assert_eq!(
        backend_image(&backend).as_deref(),
        Some("todo-backend:1.0.0")
    );
    assert_eq!(
        backend
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("todoctl.io/depends-on"))
            .map(String::as_str),
        Some("job/migrate-r1"),
        "revision 2 never applied the backend"
    );
    let history = env.ok(["history", "-o", "json"]).stdout;
    let history: Vec<Value> = serde_json::from_str(&history)?;
    let statuses: Vec<&str> = history
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["deployed", "failed"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_keeps_the_replica_count_the_autoscaler_set() -> Result<()> {
    let Some(env) = TestEnv::new("hpa").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "backend.autoscaling.enabled=true,backend.autoscaling.maxReplicas=8",
    ]);
    let hpa = Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), ns)
        .get("backend")
        .await?;
    assert_eq!(hpa.spec.map(|s| s.max_replicas), Some(8));

    // What the autoscaler does: set spec.replicas as its own field manager.
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    deployments
        .patch(
            "backend-deployment",
            &PatchParams {
                field_manager: Some("hpa-sim".into()),
                ..PatchParams::default()
            },
            &Patch::Merge(json!({ "spec": { "replicas": 5 } })),
        )
        .await?;

    env.ok([
        "upgrade",
        "--set",
        "backend.config.maxConversationMessages=60",
    ]);
    let backend = deployments.get("backend-deployment").await?;
    assert_eq!(backend.spec.and_then(|s| s.replicas), Some(5));
    // The frontend has no autoscaler and keeps the count the chart sets.
    let frontend = deployments.get("frontend-deployment").await?;
    assert_eq!(frontend.spec.and_then(|s| s.replicas), Some(2));
    Ok(())
}

/// A minimal ServiceMonitor CRD. CRDs are cluster-wide and shared by tests running at the same
/// time: created when missing, never deleted.
async fn ensure_service_monitor_crd(client: &Client) -> Result<()> {
    let crds = Api::<CustomResourceDefinition>::all(client.clone());
    let name = "servicemonitors.monitoring.coreos.com";
    if crds.get_opt(name).await?.is_none() {
        let crd: CustomResourceDefinition = serde_json::from_value(json!({
            "metadata": { "name": name },
            "spec": {
                "group": "monitoring.coreos.com",
                "scope": "Namespaced",
                "names": { "kind": "ServiceMonitor", "listKind": "ServiceMonitorList",
                           "plural": "servicemonitors", "singular": "servicemonitor" },
                "versions": [{
                    "name": "v1", "served": true, "storage": true,
                    "schema": { "openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": true } },
                }],
            },
        }))?;
        match crds.create(&PostParams::default(), &crd).await {
            Ok(_) => {}
            // Another test created it in the meantime.
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(e) => return Err(e).context("creating the ServiceMonitor CRD"),
        }
    }
    harness::wait_for(
        "the ServiceMonitor CRD to be established",
        Duration::from_secs(30),
        || async {
            let crd = crds.get(name).await?;
            let established = crd.status.and_then(|s| s.conditions).is_some_and(|c| {
                c.iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            });
            Ok(established.then_some(()))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_monitor_is_applied_where_its_api_exists() -> Result<()> {
    let Some(env) = TestEnv::new("monitor").await? else {
        return Ok(());
    };
    let client = env.client().await;
    ensure_service_monitor_crd(&client).await?;
    let ns = env.ns();
    // A discovery cache of its own: one written before the CRD existed would hide the API.
    let cache = tempfile::tempdir()?;
    env.todoctl()
        .env("XDG_CACHE_HOME", cache.path())
        .args(["install", "--set", ANY_NODE_PORT])
        .args(["--set", "metrics.serviceMonitor.enabled=true"])
        .run()
        .success();
    let resource = ApiResource {
        group: "monitoring.coreos.com".into(),
        version: "v1".into(),
        api_version: "monitoring.coreos.com/v1".into(),
        kind: "ServiceMonitor".into(),
        plural: "servicemonitors".into(),
    };
    let monitor = Api::<DynamicObject>::namespaced_with(client.clone(), ns, &resource)
        .get("backend")
        .await?;
    assert_eq!(monitor.data["spec"]["endpoints"][0]["port"], "http");
    assert_eq!(
        monitor.data["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "backend"
    );
    Ok(())
}

// ---- offline ----

fn template(args: &[&str]) -> String {
    Todoctl::offline()
        .arg("template")
        .args(args)
        .run()
        .success()
        .stdout
}

fn kinds_and_names(yaml: &str) -> Vec<String> {
    yaml.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .filter_map(|d| serde_saphyr::from_str::<Value>(d).ok())
        .map(|v| {
            format!(
                "{}/{}",
                v["kind"].as_str().unwrap_or("").to_lowercase(),
                v["metadata"]["name"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn the_service_monitor_needs_its_api_version() {
    let on = "metrics.serviceMonitor.enabled=true";
    let without = kinds_and_names(&template(&["--set", on]));
    assert!(!without.iter().any(|r| r.starts_with("servicemonitor/")));
    let with = kinds_and_names(&template(&[
        "--set",
        on,
        "--api-versions",
        "monitoring.coreos.com/v1",
    ]));
    assert!(
        with.contains(&"servicemonitor/backend".to_string()),
        "{with:?}"
    );
    // Off, the API alone renders nothing.
    let off = kinds_and_names(&template(&["--api-versions", "monitoring.coreos.com/v1"]));
    assert!(!off.iter().any(|r| r.starts_with("servicemonitor/")));
}

#[test]
fn every_feature_is_off_by_default() {
    let refs = kinds_and_names(&template(&[]));
    for kind in [
        "ingress/",
        "horizontalpodautoscaler/",
        "poddisruptionbudget/",
        "networkpolicy/",
        "job/",
        "cronjob/",
    ] {
        assert!(
            !refs.iter().any(|r| r.starts_with(kind)),
            "{kind} in {refs:?}"
        );
    }
}

#[test]
fn the_database_features_render_and_pass_strict_lint() {
    let set = "database.enabled=true,database.auth.password=test-only,backup.enabled=true,\
               migration.enabled=true,networkPolicy.enabled=true";
    let refs = kinds_and_names(&template(&["--set", set]));
    for want in [
        "cronjob/postgres-backup",
        "persistentvolumeclaim/postgres-backups",
        "job/migrate-r1",
        "networkpolicy/postgres",
        "networkpolicy/backend",
        "networkpolicy/frontend",
    ] {
        assert!(refs.iter().any(|r| r == want), "missing {want} in {refs:?}");
    }
    // A single pod gets no disruption budget: it would block every node drain.
    let one = kinds_and_names(&template(&[
        "--set",
        "backend.podDisruptionBudget.enabled=true,backend.replicaCount=1",
    ]));
    assert!(!one.iter().any(|r| r.starts_with("poddisruptionbudget/")));

    Todoctl::offline()
        .args(["lint", "--strict", "--set", set])
        .run()
        .success();
    // The backup keeps no dump older than the retention period (7 days = 10080 minutes).
    let yaml = template(&["--set", set]);
    assert!(yaml.contains("-mmin \"+$RETENTION_MINUTES\""), "{yaml}");
    assert!(yaml.contains("value: \"10080\""), "{yaml}");
}

#[test]
fn bad_feature_values_are_schema_errors() {
    let mut errors = String::new();
    // Each error names the value path (`ingress.tls.secretName`, ...).
    for set in [
        "ingress.tls.secretName=Not_A_Name",
        "migration.image.tag=latest",
        "backend.autoscaling.minReplicas=0",
        "networkPolicy.defaultDenyy=true",
    ] {
        let out = Todoctl::offline()
            .args(["template", "--set", set])
            .run()
            .failure(1);
        errors.push_str(&out.transcript());
    }
    insta::assert_snapshot!(errors);
}
