//! Proves the test cluster is a real one: the controller-manager, the scheduler, KWOK (the fake
//! kubelet), the service node-port allocator and the volume binder all do their jobs, and pods
//! marked to fail do fail. If these fail, every other cluster test will too: start here.

use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod, Service};
use kube::Api;
use kube::api::{ListParams, PostParams};

use crate::harness::{self, NODE_NAME, wait_for};

const WAIT: Duration = Duration::from_secs(60);

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid object literal")
}

fn deployment(
    name: &str,
    replicas: i32,
    image: &str,
    annotations: serde_json::Value,
) -> Deployment {
    from_json(serde_json::json!({
        "metadata": { "name": name },
        "spec": {
            "replicas": replicas,
            "progressDeadlineSeconds": 5,
            "selector": { "matchLabels": { "app": name } },
            "template": {
                "metadata": { "labels": { "app": name }, "annotations": annotations },
                "spec": { "containers": [{
                    "name": "app",
                    "image": image,
                    "ports": [{ "containerPort": 8080 }],
                }]},
            },
        },
    }))
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[tokio::test(flavor = "multi_thread")]
async fn deployment_becomes_available() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("smoke-deploy").await?;
    let client = cluster.client().await;
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns.name());
    deployments
        .create(
            &PostParams::default(),
            &deployment("web", 2, "example.com/web:1.0", serde_json::json!({})),
        )
        .await
        .context("creating deployment/web")?;

    let result = wait_for(
        "deployment/web to be Available with 2 ready replicas",
        WAIT,
        || async {
            let d = deployments.get("web").await?;
            let status = d.status.unwrap_or_default();
            let available = status
                .conditions
                .unwrap_or_default()
                .iter()
                .any(|c| c.type_ == "Available" && c.status == "True");
            Ok((available && status.available_replicas == Some(2)).then_some(()))
        },
    )
    .await;
    if let Err(e) = result {
        let d = deployments.get("web").await?;
        bail!("{e}; last status: {:?}", d.status);
    }

    let replica_sets = Api::<ReplicaSet>::namespaced(client.clone(), ns.name())
        .list(&ListParams::default().labels("app=web"))
        .await?;
    ensure!(
        replica_sets.items.len() == 1,
        "expected one ReplicaSet from the controller-manager, found {}",
        replica_sets.items.len()
    );
    let pods = Api::<Pod>::namespaced(client, ns.name())
        .list(&ListParams::default().labels("app=web"))
        .await?;
    ensure!(
        pods.items.len() == 2,
        "expected 2 pods, found {}",
        pods.items.len()
    );
    for pod in &pods.items {
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        ensure!(
            node == Some(NODE_NAME),
            "pod/{name} is bound to {node:?}, not {NODE_NAME}"
        );
        ensure!(is_ready(pod), "pod/{name} is not Ready: {:?}", pod.status);
        let ip = pod.status.as_ref().and_then(|s| s.pod_ip.as_deref());
        ensure!(ip.is_some(), "pod/{name} has no podIP");
    }
    Ok(())
}

/// Node ports are cluster-wide, and the todo app's chart may ask for 30080 in tests that run at
/// the same time as this one. So this test never holds 30080: it checks with a server-side dry
/// run that 30080 can be allocated (or that some Service really holds it), and allocates a real
/// port by letting the API server pick one.
#[tokio::test(flavor = "multi_thread")]
async fn node_ports_are_allocated() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("smoke-nodeport").await?;
    let client = cluster.client().await;
    let services = Api::<Service>::namespaced(client.clone(), ns.name());
    let service = |name: &str, node_port: Option<i32>| -> Service {
        from_json(serde_json::json!({
            "metadata": { "name": name },
            "spec": {
                "type": "NodePort",
                "selector": { "app": name },
                "ports": [{ "port": 80, "targetPort": 8080, "nodePort": node_port }],
            },
        }))
    };
    let node_port_of = |s: &Service| {
        s.spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|p| p.first())
            .and_then(|p| p.node_port)
    };

    let created = services
        .create(&PostParams::default(), &service("any-port", None))
        .await
        .context("creating service/any-port")?;
    let port = node_port_of(&created).context("service/any-port got no nodePort")?;
    ensure!(
        (30000..=32767).contains(&port),
        "service/any-port got nodePort {port}, outside 30000-32767"
    );

    let dry_run = PostParams {
        dry_run: true,
        ..Default::default()
    };
    match services
        .create(&dry_run, &service("fixed-port", Some(30080)))
        .await
    {
        Ok(s) => ensure!(
            node_port_of(&s) == Some(30080),
            "asked for nodePort 30080, got {:?}",
            node_port_of(&s)
        ),
        Err(kube::Error::Api(e)) if e.message.contains("already allocated") => {
            let all = Api::<Service>::all(client)
                .list(&ListParams::default())
                .await?;
            ensure!(
                all.items.iter().any(|s| node_port_of(s) == Some(30080)),
                "nodePort 30080 reported as allocated but no Service holds it: {}",
                e.message
            );
        }
        Err(e) => return Err(e).context("dry-run create of a Service with nodePort 30080"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn persistent_volume_claim_binds() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("smoke-pvc").await?;
    let client = cluster.client().await;
    let claims = Api::<PersistentVolumeClaim>::namespaced(client.clone(), ns.name());
    let claim: PersistentVolumeClaim = from_json(serde_json::json!({
        "metadata": { "name": "data" },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": { "requests": { "storage": "1Gi" } },
        },
    }));
    claims
        .create(&PostParams::default(), &claim)
        .await
        .context("creating persistentvolumeclaim/data")?;

    let volume = wait_for("persistentvolumeclaim/data to be Bound", WAIT, || async {
        let c = claims.get("data").await?;
        let bound = c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
        Ok(bound.then(|| c.spec.and_then(|s| s.volume_name)).flatten())
    })
    .await?;
    let pv = Api::<PersistentVolume>::all(client).get(&volume).await?;
    let class = pv.spec.and_then(|s| s.storage_class_name);
    ensure!(
        class.as_deref() == Some("standard"),
        "persistentvolume/{volume} has storage class {class:?}, expected the default `standard`"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_marked_to_fail_never_become_ready() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("smoke-fail").await?;
    let client = cluster.client().await;
    let pods = Api::<Pod>::namespaced(client.clone(), ns.name());
    let deployments = Api::<Deployment>::namespaced(client, ns.name());
    // One Deployment per way of marking a pod (see scripts/cluster/kwok/stages.yaml).
    let annotated = serde_json::json!({ "todoctl.test/fail": "true" });
    for d in [
        deployment("by-annotation", 1, "example.com/web:1.0", annotated),
        deployment("by-tag", 1, "example.com/web:fail", serde_json::json!({})),
    ] {
        deployments.create(&PostParams::default(), &d).await?;
    }

    for app in ["by-annotation", "by-tag"] {
        let selector = format!("app={app}");
        let pod = wait_for(
            &format!("a pod of {app} in CrashLoopBackOff"),
            WAIT,
            || async {
                let list = pods.list(&ListParams::default().labels(&selector)).await?;
                Ok(list.items.into_iter().find(|p| {
                    p.status
                        .as_ref()
                        .and_then(|s| s.container_statuses.as_ref())
                        .and_then(|c| c.first())
                        .and_then(|c| c.state.as_ref())
                        .and_then(|s| s.waiting.as_ref())
                        .is_some_and(|w| w.reason.as_deref() == Some("CrashLoopBackOff"))
                }))
            },
        )
        .await?;
        let name = pod.metadata.name.clone().unwrap_or_default();
        ensure!(
            !is_ready(&pod),
            "pod/{name} is Ready although marked to fail"
        );
        let restarts = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|c| c.first())
            .map(|c| c.restart_count);
        ensure!(
            restarts.is_some_and(|n| n > 0),
            "pod/{name} shows no restarts: {restarts:?}"
        );

        // The rollout fails the way a real one does: no availability, then the deadline.
        let reason = wait_for(
            &format!("deployment/{app} to report ProgressDeadlineExceeded"),
            WAIT,
            || async {
                let d = deployments.get(app).await?;
                let status = d.status.unwrap_or_default();
                ensure!(
                    status.available_replicas.unwrap_or(0) == 0,
                    "deployment/{app} has available replicas although its pods fail"
                );
                Ok(status
                    .conditions
                    .unwrap_or_default()
                    .into_iter()
                    .find_map(|c| {
                        (c.type_ == "Progressing" && c.status == "False").then_some(c.reason)
                    }))
            },
        )
        .await?;
        ensure!(
            reason.as_deref() == Some("ProgressDeadlineExceeded"),
            "deployment/{app} stopped progressing for {reason:?}"
        );
        let pod = pods.get(&name).await?;
        ensure!(!is_ready(&pod), "pod/{name} became Ready later on");
    }
    Ok(())
}
