//! Proves the real node (`scripts/dev-cluster up --real-node`) runs pods: a container from an
//! image that was imported, never pulled, runs as a process on this machine under the restricted
//! Pod Security profile, its readiness probe is answered by it, its log comes back through the
//! kubelet, a node port on 127.0.0.1 reaches it, cluster DNS resolves its Service inside
//! another pod, and that pod reaches it through the Service.
//!
//! The todo app on the real node: its pods run and answer their probes under `restricted`, the
//! seed's network flow from node port 30080 to the database, its log commands, a failing
//! readiness probe and `--atomic`, and the backup and restore of docs/operations.md.
//!
//! These tests run only with `TODOCTL_TEST_REAL_NODE=1` (`scripts/test` sets it, unless it is
//! `0`, and starts the cluster with its real node); without it they print a skip line, since the
//! cluster may have only KWOK's node.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Service};
use kube::api::{ListParams, LogParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};

use crate::command::{ANY_NODE_PORT, Output, TestEnv, overlay, repo, statuses};
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
    http_get_path(port, "/")
}

/// GET http://127.0.0.1:PORT{path} with a plain socket (what `curl` does); the whole answer,
/// status line, headers and body.
fn http_get_path(port: u16, path: &str) -> Result<String> {
    let mut stream =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2))
            .with_context(|| format!("connecting to 127.0.0.1:{port}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())?;
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

// --- The todo app on the real node ----------------------------------------------------------
//
// The seed's promises, each proved on real containers: the chart's pods run and answer their
// probes under Pod Security `restricted`, the network flow from node port 30080 to the
// database, the operator's log commands, a failing readiness probe and `--atomic`, and the
// disaster recovery of docs/operations.md.

/// The database image of `values/real-node.yaml`.
const DATABASE_IMAGE: &str = "todoctl.local/postgres:15";

/// The pod network's gateway on the real node (docs/local-cluster.md): the kubelet's probes
/// come from it.
const NODE_BRIDGE_IP: &str = "10.89.0.1";

/// kubectl for the local cluster (`scripts/cluster/bin/kubectl`, what `scripts/dev-cluster env`
/// puts on PATH), pointed at the test cluster.
fn kubectl(cluster: &Cluster) -> std::process::Command {
    let mut cmd = std::process::Command::new(repo().join("scripts/cluster/bin/kubectl"));
    cmd.arg("--kubeconfig").arg(&cluster.kubeconfig);
    cmd
}

/// Runs `kubectl ARGS`, with `stdin` when given; its stdout, or an error with both streams.
/// Bounded: 5 minutes leave room for kubectl's own first build.
fn kubectl_run(cluster: &Cluster, args: &[&str], stdin: Option<&str>) -> Result<String> {
    let shown = format!("kubectl {}", args.join(" "));
    let mut cmd = assert_cmd::Command::from_std(kubectl(cluster));
    cmd.args(args).timeout(Duration::from_secs(300));
    if let Some(stdin) = stdin {
        cmd.write_stdin(stdin.to_string());
    }
    let out = cmd.output().with_context(|| format!("running {shown}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        out.status.success(),
        "{shown} failed ({}):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(stdout)
}

/// A namespace of its own, held by the API server to Pod Security `restricted`, and todoctl
/// pointed at it. Checks that the profile is enforced there: a pod that breaks it is refused.
async fn restricted_env(cluster: &Cluster, prefix: &str) -> Result<TestEnv> {
    let env = TestEnv::on(cluster, prefix).await?;
    let client = env.client().await;
    Api::<Namespace>::all(client.clone())
        .patch(
            env.ns(),
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({
                "metadata": { "labels": { "pod-security.kubernetes.io/enforce": "restricted" } }
            })),
        )
        .await
        .context("labelling the namespace for Pod Security `restricted`")?;
    let root: Pod = from_json(serde_json::json!({
        "metadata": { "name": "unrestricted" },
        "spec": { "containers": [{ "name": "c", "image": PROBE_IMAGE }] },
    }));
    let dry_run = PostParams {
        dry_run: true,
        ..Default::default()
    };
    match Api::<Pod>::namespaced(client, env.ns())
        .create(&dry_run, &root)
        .await
    {
        Err(kube::Error::Api(s))
            if s.code == 403 && s.message.contains("violates PodSecurity \"restricted") => {}
        other => bail!(
            "namespace {} does not enforce Pod Security `restricted`: a pod without its \
             security settings got {other:?}",
            env.ns()
        ),
    }
    Ok(env)
}

/// `todoctl install -f values/real-node.yaml --set database.enabled=true EXTRA`, which must
/// succeed (todoctl waits for every object to be ready).
fn install_app(env: &TestEnv, extra: &[&str]) -> Output {
    env.todoctl()
        .args([
            "install",
            "-f",
            &overlay("real-node"),
            "--set",
            "database.enabled=true",
            "--timeout",
            "90s",
        ])
        .args(extra)
        .timeout(Duration::from_secs(150))
        .run()
        .success()
}

/// (pid, uid) of this machine's processes whose environment has `HOSTNAME=<hostname>` (the
/// container runtime sets it to the pod's name).
fn pod_processes(hostname: &str) -> Vec<(u32, String)> {
    let want_env = format!("HOSTNAME={hostname}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|e| e.split(|b| *b == 0).any(|kv| kv == want_env.as_bytes()))
        })
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let uid = status.lines().find_map(|l| {
                l.strip_prefix("Uid:")
                    .and_then(|u| u.split_whitespace().next())
                    .map(str::to_string)
            })?;
            Some((pid, uid))
        })
        .collect()
}

/// Every pod in `ns` (the release's pods, nothing else runs there): Running and Ready on the
/// real node, each container containerd's and ready, each backed by processes of this machine
/// running as UID 1001. Returns them by their `app` label, which must be exactly `backend`,
/// `frontend` and `postgres`.
async fn app_pods(client: &Client, ns: &str) -> Result<BTreeMap<String, Pod>> {
    let pods = Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await
        .context("listing the release's pods")?;
    let mut by_app = BTreeMap::new();
    for pod in pods.items {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
        ensure!(
            node.as_deref() == Some(REAL_NODE),
            "pod/{name} runs on {node:?}, not on {REAL_NODE}"
        );
        let status = pod.status.clone().unwrap_or_default();
        ensure!(
            status.phase.as_deref() == Some("Running") && is_ready(&pod),
            "pod/{name} is not Running and Ready: phase {:?}",
            status.phase
        );
        let containers = status.container_statuses.unwrap_or_default();
        ensure!(!containers.is_empty(), "pod/{name} has no container status");
        for c in &containers {
            let id = c.container_id.clone().unwrap_or_default();
            ensure!(
                c.ready && id.starts_with("containerd://"),
                "pod/{name}'s container {} is not a ready containerd container: ready {}, id `{id}`",
                c.name,
                c.ready
            );
        }
        let processes = pod_processes(&name);
        ensure!(
            !processes.is_empty(),
            "no process of pod/{name} on this machine"
        );
        for (pid, uid) in &processes {
            ensure!(
                uid == "1001",
                "pod/{name}'s process {pid} runs as UID {uid}, not 1001"
            );
        }
        let app = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app"))
            .cloned()
            .unwrap_or_default();
        ensure!(
            by_app.insert(app.clone(), pod).is_none(),
            "more than one pod with app={app} in {ns}"
        );
    }
    let apps: Vec<&str> = by_app.keys().map(String::as_str).collect();
    ensure!(
        apps == ["backend", "frontend", "postgres"],
        "the release's pods are {apps:?}, not backend, frontend and postgres"
    );
    Ok(by_app)
}

fn pod_name(pod: &Pod) -> String {
    pod.metadata.name.clone().unwrap_or_default()
}

fn pod_ip(pod: &Pod) -> String {
    pod.status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default()
}

/// An HTTP answer split into its status code and body.
fn status_and_body(answer: &str) -> (u16, String) {
    let code = answer
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

/// Waits until `GET http://127.0.0.1:PORT{path}` answers 200 (a Service's node port answers
/// once kube-proxy has written its rules, which may be a moment after its pods turned Ready);
/// the body. The last answer is in the error.
async fn wait_for_200(port: u16, path: &'static str) -> Result<String> {
    let last = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = last.clone();
    wait_for(
        &format!("http://127.0.0.1:{port}{path} to answer 200"),
        Duration::from_secs(30),
        || {
            let seen = seen.clone();
            async move {
                let answer = tokio::task::spawn_blocking(move || http_get_path(port, path)).await?;
                let answer = match answer {
                    Ok(a) => a,
                    Err(e) => format!("{e:#}"),
                };
                let (code, body) = status_and_body(&answer);
                *seen.lock().expect("not poisoned") = answer;
                Ok((code == 200).then_some(body))
            }
        },
    )
    .await
    .with_context(|| format!("its last answer:\n{}", last.lock().expect("not poisoned")))
}

/// Waits until `GET http://127.0.0.1:PORT/api/health` answers 200 and says the frontend reached
/// the backend through `backend-service`, and the backend reached the database at
/// `postgres-service`; the parsed answer.
async fn wait_for_app_health(port: u16) -> Result<serde_json::Value> {
    let found = wait_for_200(port, "/api/health").await?;
    let health: serde_json::Value = serde_json::from_str(&found)
        .with_context(|| format!("/api/health answered 200 with no JSON:\n{found}"))?;
    ensure!(
        health["status"] == "ok"
            && health["backend"] == "http://backend-service:8000/health"
            && health["backend_status"] == 200
            && health["backend_health"]["status"] == "ok"
            && health["backend_health"]["database"]
                .as_str()
                .is_some_and(|d| d.starts_with("reachable: todo@postgres-service:5432/todo")),
        "/api/health did not go frontend -> backend-service -> postgres-service: {health:#}"
    );
    Ok(health)
}

/// The node port the API server gave `frontend-service`.
async fn frontend_node_port(client: &Client, ns: &str) -> Result<u16> {
    let service = Api::<Service>::namespaced(client.clone(), ns)
        .get("frontend-service")
        .await
        .context("reading service/frontend-service")?;
    let port = service
        .spec
        .and_then(|s| s.ports)
        .and_then(|p| p.first().and_then(|p| p.node_port))
        .context("service/frontend-service has no node port")?;
    Ok(u16::try_from(port)?)
}

/// Waits until no Service holds node port `port`: an earlier run's namespace may still be
/// going away. A holder that stays is named in the error.
async fn wait_for_node_port_free(client: &Client, port: i32) -> Result<()> {
    let services = Api::<Service>::all(client.clone());
    let holder = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = holder.clone();
    wait_for(
        &format!("node port {port} to be free"),
        Duration::from_secs(90),
        || {
            let seen = seen.clone();
            let services = services.clone();
            async move {
                let list = services.list(&ListParams::default()).await?;
                let held = list.items.iter().find(|s| {
                    s.spec
                        .as_ref()
                        .and_then(|s| s.ports.as_ref())
                        .is_some_and(|p| p.iter().any(|p| p.node_port == Some(port)))
                });
                *seen.lock().expect("not poisoned") = held
                    .map(|s| {
                        format!(
                            "service/{} in namespace {}",
                            s.metadata.name.clone().unwrap_or_default(),
                            s.metadata.namespace.clone().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                Ok(held.is_none().then_some(()))
            }
        },
    )
    .await
    .with_context(|| format!("held by {}", holder.lock().expect("not poisoned")))
}

#[tokio::test(flavor = "multi_thread")]
async fn todo_app_runs_on_the_real_node_and_answers_on_node_port_30080() -> Result<()> {
    let Some(cluster) = real_node_cluster() else {
        return Ok(());
    };
    let env = restricted_env(&cluster, "rn-app").await?;
    let ns = env.ns().to_string();
    let client = env.client().await;
    // The chart's default node port: the seed's `curl http://<node-ip>:30080`.
    wait_for_node_port_free(&client, 30080).await?;
    install_app(&env, &[]);

    // Every pod Running and Ready on the real node as processes of this machine, admitted in
    // a namespace that enforces `restricted`.
    let pods = app_pods(&client, &ns).await?;
    ensure!(
        frontend_node_port(&client, &ns).await? == 30080,
        "frontend-service does not have node port 30080"
    );

    // Their readiness probes are answered by those processes: the kubelet's GETs, from the
    // node's side of the pod network, are in the stand-ins' own logs.
    let pods_api = Api::<Pod>::namespaced(client.clone(), &ns);
    for (app, probe) in [("backend", "GET /health 200"), ("frontend", "GET / 200")] {
        let name = pod_name(&pods[app]);
        let log = pods_api
            .logs(&name, &LogParams::default())
            .await
            .with_context(|| format!("reading the log of pod/{name}"))?;
        ensure!(
            log.lines()
                .any(|l| l.contains(probe) && l.contains(&format!("from {NODE_BRIDGE_IP}:"))),
            "pod/{name}'s log shows no probe `{probe}` from the kubelet ({NODE_BRIDGE_IP}):\n{log}"
        );
    }

    // The way in: 127.0.0.1:30080 reaches the frontend...
    let body = wait_for_200(30080, "/").await?;
    ensure!(
        body.contains("served by <code>todo-frontend</code>"),
        "http://127.0.0.1:30080/ did not answer from the frontend:\n{body}"
    );
    // ...whose /api/health goes through backend-service to the database at postgres-service.
    wait_for_app_health(30080).await?;

    // The seed's operator commands print the backend's log, and the request just made is in it,
    // coming from the frontend's pod.
    let frontend_ip = pod_ip(&pods["frontend"]);
    let from_frontend = format!("from {frontend_ip}:");
    let log = kubectl_run(
        &cluster,
        &["logs", "-l", "app=backend", "-n", &ns, "--tail=100"],
        None,
    )?;
    ensure!(
        log.contains("todo-backend: listening on :8000")
            && log
                .lines()
                .any(|l| l.contains("GET /health 200") && l.contains(&from_frontend)),
        "`kubectl logs -l app=backend --tail=100` lacks the backend's start and the frontend's \
         request ({from_frontend}):\n{log}"
    );

    // `kubectl logs -f` prints the log so far, then follows it: a new request shows up.
    let mut follow = kubectl(&cluster)
        .args(["logs", "-f", "deployment/backend-deployment", "-n", &ns])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting kubectl logs -f")?;
    let stdout = follow.stdout.take().context("kubectl's stdout")?;
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let followed = (|| -> Result<()> {
        let mut printed = Vec::new();
        let next = |printed: &mut Vec<String>, want: &dyn Fn(&str) -> bool| -> Result<()> {
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match lines.recv_timeout(left) {
                    Ok(line) => {
                        let hit = want(&line);
                        printed.push(line);
                        if hit {
                            return Ok(());
                        }
                    }
                    Err(_) => bail!(
                        "`kubectl logs -f deployment/backend-deployment` printed, in 30 s:\n{}",
                        printed.join("\n")
                    ),
                }
            }
        };
        let is_request = |l: &str| l.contains("GET /health 200") && l.contains(&from_frontend);
        next(&mut printed, &|l| {
            l.contains("todo-backend: listening on :8000")
        })?;
        // The log so far comes at once; then only the kubelet's probes, every 2 s.
        while let Ok(line) = lines.recv_timeout(Duration::from_millis(1500)) {
            printed.push(line);
        }
        let earlier = printed.iter().filter(|l| is_request(l)).count();
        ensure!(
            earlier > 0,
            "`kubectl logs -f` did not print the log so far:\n{}",
            printed.join("\n")
        );
        let answer = http_get_path(30080, "/api/health")?;
        ensure!(
            status_and_body(&answer).0 == 200,
            "/api/health failed while following the log:\n{answer}"
        );
        // The request just made, printed while kubectl follows.
        next(&mut printed, &is_request)?;
        ensure!(
            printed.iter().filter(|l| is_request(l)).count() == earlier + 1,
            "`kubectl logs -f` followed, but not with exactly the new request:\n{}",
            printed.join("\n")
        );
        Ok(())
    })();
    let _ = follow.kill();
    let _ = follow.wait();
    followed
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_readiness_probe_fails_the_upgrade_and_atomic_rolls_back_to_pods_that_answer()
-> Result<()> {
    let Some(cluster) = real_node_cluster() else {
        return Ok(());
    };
    let env = restricted_env(&cluster, "rn-probe").await?;
    let ns = env.ns().to_string();
    let client = env.client().await;
    install_app(&env, &["--set", ANY_NODE_PORT]);
    let port = frontend_node_port(&client, &ns).await?;
    wait_for_app_health(port).await?;

    // The stand-in's failure switch: every /health answers 503, so the readiness probe fails.
    let failing = [
        "--set",
        "backend.extraEnv[0].name=TODO_BACKEND_FAIL_HEALTH",
        "--set-string",
        "backend.extraEnv[0].value=1",
        "--timeout",
        "12s",
    ];
    let probe_failed = "Readiness probe failed: HTTP probe failed with statuscode: 503";
    let out = env
        .todoctl()
        .arg("upgrade")
        .args(failing)
        .timeout(Duration::from_secs(60))
        .run()
        .failure(3);
    ensure!(
        out.stderr.contains(probe_failed)
            && out
                .stderr
                .contains("deployment/backend-deployment: 0/1 replicas ready"),
        "the failed upgrade does not report the kubelet's probe failure `{probe_failed}`:\n{out}"
    );

    let out = env
        .todoctl()
        .args(["upgrade", "--atomic"])
        .args(failing)
        .timeout(Duration::from_secs(90))
        .run()
        .failure(3);
    ensure!(
        out.stderr.contains(probe_failed)
            && out
                .stderr
                .contains("--atomic rolled back to revision 1 (recorded as revision 4)"),
        "`upgrade --atomic` does not report the probe failure and the rollback:\n{out}"
    );
    ensure!(
        env.statuses()
            == statuses(&[
                (1, "superseded"),
                (2, "failed"),
                (3, "failed"),
                (4, "deployed")
            ]),
        "history after the rollback: {:?}",
        env.statuses()
    );
    // Back to pods that answer: the backend without the switch, Ready, reached through the
    // frontend.
    let backend = Api::<Deployment>::namespaced(client.clone(), &ns)
        .get("backend-deployment")
        .await?;
    let env_vars = serde_json::to_string(
        &backend
            .spec
            .and_then(|s| s.template.spec)
            .map(|s| s.containers)
            .unwrap_or_default(),
    )?;
    ensure!(
        !env_vars.contains("TODO_BACKEND_FAIL_HEALTH"),
        "the rollback left the failure switch on backend-deployment: {env_vars}"
    );
    let pods_api = Api::<Pod>::namespaced(client.clone(), &ns);
    wait_for(
        "the failed revisions' backend pods to be gone",
        Duration::from_secs(60),
        || async {
            let list = pods_api
                .list(&ListParams::default().labels("app=backend"))
                .await?;
            Ok((list.items.len() == 1).then_some(()))
        },
    )
    .await?;
    app_pods(&client, &ns).await?;
    wait_for_app_health(port).await?;
    Ok(())
}

/// The first fenced block of `docs/operations.md` after `marker` that begins right after it
/// (a here-document's body up to `EOF`, or a ```yaml block), with the list item's indent removed.
fn docs_block(docs: &str, marker: &str, end: &str) -> Result<String> {
    let start = docs
        .find(marker)
        .with_context(|| format!("docs/operations.md no longer has `{marker}`"))?
        + marker.len();
    let rest = &docs[start..];
    let stop = rest
        .find(end)
        .with_context(|| format!("no `{}` after `{marker}`", end.trim()))?;
    let block = &rest[..stop];
    let indent = block
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(0);
    Ok(block
        .lines()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Runs `sql` with psql inside the database's pod (the socket needs no password); its output.
fn psql(cluster: &Cluster, ns: &str, sql: &str) -> Result<String> {
    kubectl_run(
        cluster,
        &[
            "-n",
            ns,
            "exec",
            "postgres-0",
            "--",
            "psql",
            "-U",
            "todo",
            "-d",
            "todo",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        ],
        None,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_from_the_cronjob_restores_a_dropped_table_as_the_operations_guide_says()
-> Result<()> {
    let Some(cluster) = real_node_cluster() else {
        return Ok(());
    };
    let docs = std::fs::read_to_string(repo().join("docs/operations.md"))?;
    let env = restricted_env(&cluster, "rn-restore").await?;
    let ns = env.ns().to_string();
    install_app(&env, &["--set", ANY_NODE_PORT]);
    let kubectl = |args: &[&str]| -> Result<String> {
        let mut all = vec!["-n", ns.as_str()];
        all.extend_from_slice(args);
        kubectl_run(&cluster, &all, None)
    };

    psql(
        &cluster,
        &ns,
        "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL); \
         INSERT INTO notes VALUES (1, 'buy milk'), (2, 'call the bank');",
    )?;

    // "Taking a backup now", as the guide gives it.
    for step in [
        "kubectl -n todo-app create job --from=cronjob/postgres-backup backup-before-1-1-0",
        "kubectl -n todo-app wait --for=condition=complete job/backup-before-1-1-0 --timeout=30m",
        "kubectl -n todo-app logs job/backup-before-1-1-0",
    ] {
        ensure!(
            docs.contains(step),
            "docs/operations.md no longer says `{step}`"
        );
    }
    kubectl(&[
        "create",
        "job",
        "--from=cronjob/postgres-backup",
        "backup-before-1-1-0",
    ])?;
    kubectl(&[
        "wait",
        "--for=condition=complete",
        "job/backup-before-1-1-0",
        "--timeout=60s",
    ])?;
    let log = kubectl(&["logs", "job/backup-before-1-1-0"])?;
    let dump = log
        .lines()
        .find_map(|l| l.strip_prefix("wrote "))
        .and_then(|l| l.split_whitespace().next())
        .with_context(|| format!("the backup Job's log names no dump:\n{log}"))?
        .to_string();
    ensure!(
        dump.starts_with("/backups/todo-") && dump.ends_with(".sql.gz"),
        "the backup Job wrote `{dump}`, not /backups/<database>-<UTC time>.sql.gz"
    );

    // After the dump: a row it lacks, a table it does not know; then the mistake.
    psql(
        &cluster,
        &ns,
        "INSERT INTO notes VALUES (3, 'after the backup'); CREATE TABLE later (x int); \
         INSERT INTO later VALUES (7);",
    )?;
    psql(&cluster, &ns, "DROP TABLE notes;")?;
    ensure!(
        psql(&cluster, &ns, "SELECT count(*) FROM notes;").is_err(),
        "the table `notes` is still there after DROP TABLE"
    );

    // "Restoring", step by step.
    kubectl(&["scale", "deployment/backend-deployment", "--replicas=0"])?;
    let manifest = docs_block(
        &docs,
        "kubectl -n todo-app apply -f - <<'EOF'\n",
        "\n   EOF",
    )?;
    let mut pod: serde_json::Value = serde_saphyr::from_str(&manifest)
        .with_context(|| format!("the guide's restore pod is not YAML:\n{manifest}"))?;
    // What the guide says to change for the real node: the database's image, never pulled,
    // and the database's node selector and tolerations (its ```yaml block).
    let placement = docs_block(
        &docs,
        "`imagePullPolicy: Never` on the container):\n\n   ```yaml\n",
        "```",
    )?;
    let placement: serde_json::Value = serde_saphyr::from_str(&placement)
        .with_context(|| format!("the guide's placement is not YAML:\n{placement}"))?;
    pod["spec"]["containers"][0]["image"] = DATABASE_IMAGE.into();
    pod["spec"]["containers"][0]["imagePullPolicy"] = "Never".into();
    for key in ["nodeSelector", "tolerations"] {
        ensure!(
            !placement[key].is_null(),
            "the guide's placement for the real node lacks {key}: {placement}"
        );
        pod["spec"][key] = placement[key].clone();
    }
    kubectl_run(
        &cluster,
        &["-n", &ns, "apply", "-f", "-"],
        Some(&serde_json::to_string(&pod)?),
    )?;
    kubectl(&[
        "wait",
        "--for=condition=ready",
        "pod/postgres-restore",
        "--timeout=60s",
    ])?;
    let listing = kubectl(&["exec", "postgres-restore", "--", "ls", "-l", "/backups"])?;
    let file = dump.trim_start_matches("/backups/");
    ensure!(
        listing.contains(file),
        "`ls -l /backups` in the restore pod does not list {file}:\n{listing}"
    );

    // The guide's restore command, with this dump's name.
    let command = docs
        .lines()
        .find(|l| l.contains("gunzip -c /backups/"))
        .and_then(|l| l.trim().strip_prefix('\'')?.strip_suffix('\''))
        .context(
            "docs/operations.md no longer has the restore command `'gunzip -c /backups/...'`",
        )?;
    let dump_name = regex::Regex::new(r"/backups/\S+\.sql\.gz")?;
    ensure!(
        dump_name.is_match(command),
        "the guide's restore command names no dump: {command}"
    );
    let command = dump_name.replace(command, dump.as_str()).into_owned();
    kubectl(&["exec", "postgres-restore", "--", "sh", "-ec", &command])?;

    let rows = psql(&cluster, &ns, "SELECT id, body FROM notes ORDER BY id;")?;
    ensure!(
        rows == "1|buy milk\n2|call the bank\n",
        "the restored table holds:\n{rows}"
    );
    let later = psql(&cluster, &ns, "SELECT x FROM later;")?;
    ensure!(
        later == "7\n",
        "the table created after the dump was not left as it was: {later}"
    );

    // Step 4: the pod goes (quickly: its grace period), the backend comes back and reaches
    // the database.
    let started = std::time::Instant::now();
    kubectl(&["delete", "pod", "postgres-restore"])?;
    ensure!(
        started.elapsed() < Duration::from_secs(15),
        "deleting the restore pod took {:?}",
        started.elapsed()
    );
    kubectl(&["scale", "deployment/backend-deployment", "--replicas=1"])?;
    kubectl(&[
        "rollout",
        "status",
        "deployment/backend-deployment",
        "--timeout=60s",
    ])?;
    let port = frontend_node_port(&env.client().await, &ns).await?;
    wait_for_app_health(port).await?;
    Ok(())
}
