//! Proves the real node (`scripts/dev-cluster up --real-node`) runs pods: a container from an
//! image that was imported, never pulled, runs as a process on this machine under the restricted
//! Pod Security profile, its readiness probe is answered by it, its log comes back through the
//! kubelet, a node port on 127.0.0.1 reaches it, cluster DNS resolves its Service inside
//! another pod, and that pod reaches it through the Service.
//!
//! These tests run only with `TODOCTL_TEST_REAL_NODE=1` (`TODOCTL_TEST_REAL_NODE=1 scripts/test`
//! starts the cluster with its real node); without it they print a skip line, since the cluster
//! may have only KWOK's node.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use kube::Api;
use kube::api::{ListParams, LogParams, PostParams};

use crate::harness::{self, Cluster, wait_for};

/// The real node's name, taint/label key and test image (keep in step with
/// scripts/cluster/real-node.sh).
const REAL_NODE: &str = "real-node-0";
const REAL_NODE_KEY: &str = "todoctl.io/real-node";
const PROBE_IMAGE: &str = "todoctl.local/probe:1";

const WAIT: Duration = Duration::from_secs(120);

/// The cluster, when the real-node tests are asked for; `None` (after a skip line) otherwise.
fn real_node_cluster() -> Option<Cluster> {
    if !std::env::var("TODOCTL_TEST_REAL_NODE").is_ok_and(|v| v == "1") {
        let test = std::thread::current()
            .name()
            .unwrap_or("real node test")
            .to_string();
        let _ = writeln!(
            std::io::stderr(),
            "skipping {test}: TODOCTL_TEST_REAL_NODE is not 1 (run scripts/dev-cluster up --real-node, then the tests with it set)"
        );
        return None;
    }
    harness::cluster()
}

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid object literal")
}

/// A pod spec for the real node: tolerates its taint, selects its label, runs the probe image
/// as UID 1001 on a read-only root, as Pod Security's `restricted` profile asks.
fn probe_pod_spec(args: &[&str], restart: &str, probe: bool) -> serde_json::Value {
    let mut container = serde_json::json!({
        "name": "probe",
        "image": PROBE_IMAGE,
        "imagePullPolicy": "Never",
        "args": args,
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "capabilities": { "drop": ["ALL"] },
        },
    });
    if probe {
        container["ports"] = serde_json::json!([{ "containerPort": 8080 }]);
        container["readinessProbe"] = serde_json::json!({
            "httpGet": { "path": "/ready", "port": 8080 },
            "periodSeconds": 1,
        });
    }
    serde_json::json!({
        "restartPolicy": restart,
        "nodeSelector": { REAL_NODE_KEY: "true" },
        "tolerations": [{ "key": REAL_NODE_KEY, "operator": "Equal", "value": "true", "effect": "NoSchedule" }],
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": 1001,
            "runAsGroup": 1001,
            "seccompProfile": { "type": "RuntimeDefault" },
        },
        "containers": [container],
    })
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The pids of this machine's processes whose command line is `args` and whose environment
/// has `HOSTNAME=<hostname>` (the container runtime sets it to the pod's name).
fn processes(args: &[&str], hostname: &str) -> Vec<u32> {
    let want_cmdline: Vec<u8> = args
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    let want_env = format!("HOSTNAME={hostname}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == want_cmdline)
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|e| e.split(|b| *b == 0).any(|kv| kv == want_env.as_bytes()))
        })
        .collect()
}

/// GET http://127.0.0.1:PORT/ with a plain socket; the whole answer.
fn http_get(port: u16) -> Result<String> {
    let mut stream =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2))
            .with_context(|| format!("connecting to 127.0.0.1:{port}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_run_as_processes_with_node_ports_and_cluster_dns() -> Result<()> {
    let Some(cluster) = real_node_cluster() else {
        return Ok(());
    };
    let client = cluster.client().await;
    let node = Api::<Node>::all(client.clone())
        .get(REAL_NODE)
        .await
        .with_context(|| format!("node/{REAL_NODE} (is the cluster up with --real-node?)"))?;
    ensure!(
        node.spec.and_then(|s| s.taints).is_some_and(|t| t
            .iter()
            .any(|t| t.key == REAL_NODE_KEY && t.effect == "NoSchedule")),
        "node/{REAL_NODE} lacks its NoSchedule taint `{REAL_NODE_KEY}`"
    );

    let ns = cluster.namespace("real-node").await?;
    // The namespace enforces the restricted profile: every pod here must pass it.
    let namespaces = Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone());
    namespaces
        .patch(
            ns.name(),
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(serde_json::json!({
                "metadata": { "labels": { "pod-security.kubernetes.io/enforce": "restricted" } }
            })),
        )
        .await
        .context("labelling the namespace for Pod Security `restricted`")?;

    let deployments = Api::<Deployment>::namespaced(client.clone(), ns.name());
    let deployment: Deployment = from_json(serde_json::json!({
        "metadata": { "name": "probe" },
        "spec": {
            "replicas": 1,
            "selector": { "matchLabels": { "app": "probe" } },
            "template": {
                "metadata": { "labels": { "app": "probe" } },
                "spec": probe_pod_spec(&["serve", ":8080"], "Always", true),
            },
        },
    }));
    deployments
        .create(&PostParams::default(), &deployment)
        .await
        .context("creating deployment/probe")?;
    let services = Api::<Service>::namespaced(client.clone(), ns.name());
    let service: Service = from_json(serde_json::json!({
        "metadata": { "name": "probe" },
        "spec": {
            "type": "NodePort",
            "selector": { "app": "probe" },
            "ports": [{ "port": 80, "targetPort": 8080 }],
        },
    }));
    let service = services
        .create(&PostParams::default(), &service)
        .await
        .context("creating service/probe")?;
    let spec = service.spec.unwrap_or_default();
    let cluster_ip = spec.cluster_ip.context("service/probe has no cluster IP")?;
    let node_port = spec
        .ports
        .and_then(|p| p.first().and_then(|p| p.node_port))
        .context("service/probe has no node port")?;

    // Ready means the kubelet's readiness probe reached the process in the container.
    let pods = Api::<Pod>::namespaced(client.clone(), ns.name());
    let pod = wait_for(
        "the probe pod to be Ready on the real node",
        WAIT,
        || async {
            let list = pods
                .list(&ListParams::default().labels("app=probe"))
                .await?;
            Ok(list.items.into_iter().find(is_ready))
        },
    )
    .await?;
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    ensure!(
        spec.node_name.as_deref() == Some(REAL_NODE),
        "pod/{pod_name} ran on {:?}, not on {REAL_NODE}",
        spec.node_name
    );
    let status = pod.status.clone().unwrap_or_default();
    let container_id = status
        .container_statuses
        .and_then(|c| c.first().and_then(|c| c.container_id.clone()))
        .unwrap_or_default();
    ensure!(
        container_id.starts_with("containerd://"),
        "pod/{pod_name}'s container is not containerd's: `{container_id}`"
    );
    let pids = processes(&["/probe", "serve", ":8080"], &pod_name);
    ensure!(
        !pids.is_empty(),
        "no process `/probe serve :8080` of pod/{pod_name} on this machine"
    );
    let uid = std::fs::read_to_string(format!("/proc/{}/status", pids[0]))?
        .lines()
        .find_map(|l| {
            l.strip_prefix("Uid:")
                .map(|u| u.split_whitespace().next().unwrap_or("").to_string())
        })
        .unwrap_or_default();
    ensure!(
        uid == "1001",
        "pod/{pod_name}'s process runs as UID {uid}, not 1001"
    );

    // A node port on 127.0.0.1 reaches it, through kube-proxy's rules.
    let answer = wait_for(
        &format!("127.0.0.1:{node_port} (service/probe's node port) to answer"),
        WAIT,
        || async move {
            Ok(
                tokio::task::spawn_blocking(move || http_get(node_port as u16))
                    .await?
                    .ok()
                    .filter(|a| a.lines().next().is_some_and(|l| l.contains(" 200 "))),
            )
        },
    )
    .await?;
    ensure!(
        answer.ends_with(&format!("probe {pod_name}\n")),
        "127.0.0.1:{node_port} answered, but not from pod/{pod_name}:\n{answer}"
    );

    // Its log, through the kubelet (what `kubectl logs` does).
    let log = pods
        .logs(&pod_name, &LogParams::default())
        .await
        .with_context(|| format!("reading the log of pod/{pod_name}"))?;
    ensure!(
        log.contains(&format!("probe {pod_name} serving on :8080")),
        "pod/{pod_name}'s log lacks its start line:\n{log}"
    );

    // Cluster DNS: another pod resolves the Service by its short name, as the app's pods do.
    let (phase, log) = run_pod(&pods, "resolve", &["resolve", "probe"]).await?;
    if phase != "Succeeded" {
        bail!("pod/resolve could not resolve `probe` (phase {phase}):\n{log}");
    }
    ensure!(
        log.contains(&format!("probe {cluster_ip}")),
        "pod/resolve resolved `probe`, but not to service/probe's {cluster_ip}:\n{log}"
    );

    // Pod to Service to pod, as the frontend reaches the backend: routed through this machine.
    let (phase, log) = run_pod(&pods, "fetch", &["get", "http://probe/"]).await?;
    ensure!(
        phase == "Succeeded" && log.contains(&format!("probe {pod_name}")),
        "pod/fetch did not reach pod/{pod_name} through http://probe/ (phase {phase}):\n{log}"
    );
    Ok(())
}

/// Runs the probe image with `args` as pod `name` on the real node until it ends; its phase
/// (`Succeeded` or `Failed`) and its log.
async fn run_pod(pods: &Api<Pod>, name: &str, args: &[&str]) -> Result<(String, String)> {
    let pod: Pod = from_json(serde_json::json!({
        "metadata": { "name": name },
        "spec": probe_pod_spec(args, "Never", false),
    }));
    pods.create(&PostParams::default(), &pod)
        .await
        .with_context(|| format!("creating pod/{name}"))?;
    let phase = wait_for(&format!("pod/{name} to finish"), WAIT, || async {
        let pod = pods.get(name).await?;
        let phase = pod.status.and_then(|s| s.phase).unwrap_or_default();
        Ok(matches!(phase.as_str(), "Succeeded" | "Failed").then_some(phase))
    })
    .await?;
    let log = pods
        .logs(name, &LogParams::default())
        .await
        .with_context(|| format!("reading the log of pod/{name}"))?;
    Ok((phase, log))
}
