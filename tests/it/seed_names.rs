//! The names operators of the Todo Chatbot type: Deployments `frontend-deployment` and
//! `backend-deployment`, pods labelled `app=frontend|backend|postgres`, and a release made before
//! the Deployments had those names upgrading to them without dropping ready pods.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ListParams, Patch, PatchParams};
use kube::{Api, Client};
use serde_json::json;

use crate::command::{ANY_NODE_PORT, TestEnv};
use crate::harness;

/// Names of the pods `selector` finds (what `kubectl get pods -l <selector>` lists).
async fn pods(client: &Client, ns: &str, selector: &str) -> Result<Vec<Pod>> {
    Ok(Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(selector))
        .await?
        .items)
}

/// The Deployment that owns `pod`, through its ReplicaSet `<deployment>-<hash>`.
fn deployment_of(pod: &Pod) -> Option<String> {
    let rs = pod
        .metadata
        .owner_references
        .as_ref()?
        .iter()
        .find(|o| o.kind == "ReplicaSet")?;
    rs.name.rsplit_once('-').map(|(d, _)| d.to_string())
}

fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_install_answers_the_operators_commands() -> Result<()> {
    let Some(env) = TestEnv::new("seednames").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "database.enabled=true,database.auth.password=test-only",
    ]);

    // kubectl get pods -l app=backend -n <ns>: the backend's pods, and only those.
    for (app, deployment, count) in [
        ("backend", Some("backend-deployment"), 2),
        ("frontend", Some("frontend-deployment"), 2),
        ("postgres", None, 1),
    ] {
        let found = pods(&client, ns, &format!("app={app}")).await?;
        assert_eq!(found.len(), count, "pods labelled app={app}");
        for pod in &found {
            let name = pod.metadata.name.clone().unwrap_or_default();
            match deployment {
                Some(d) => assert_eq!(deployment_of(pod).as_deref(), Some(d), "{name}"),
                None => assert_eq!(name, "postgres-0"),
            }
        }
    }

    // kubectl scale deployment backend-deployment --replicas=4 -n <ns>
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    deployments
        .patch_scale(
            "backend-deployment",
            &PatchParams::default(),
            &Patch::Merge(json!({ "spec": { "replicas": 4 } })),
        )
        .await
        .context("scaling deployment/backend-deployment")?;
    harness::wait_for(
        "4 ready pods labelled app=backend",
        Duration::from_secs(60),
        || {
            let client = client.clone();
            async move {
                let found = pods(&client, ns, "app=backend").await?;
                Ok((found.iter().filter(|p| is_ready(p)).count() == 4).then_some(()))
            }
        },
    )
    .await?;
    assert!(deployments.get_opt("frontend-deployment").await?.is_some());
    Ok(())
}

/// The built-in chart as it was before its Deployments took the seed's names: `frontend` and
/// `backend`, pods without the `app` label. Every rewrite must apply, so a change to the chart
/// that this no longer mirrors fails here rather than testing nothing.
fn chart_with_old_names(dir: &Path) -> Result<()> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/todo-app");
    copy_dir(&src, dir)?;
    let rewrites: &[(&str, &[(&str, &str)])] = &[
        (
            "templates/backend.yaml",
            &[("  name: backend-deployment\n", "  name: backend\n")],
        ),
        (
            "templates/frontend.yaml",
            &[
                ("  name: frontend-deployment\n", "  name: frontend\n"),
                (
                    "\"deployment/backend-deployment\"",
                    "\"deployment/backend\"",
                ),
            ],
        ),
        (
            "templates/autoscaling.yaml",
            &[("name: {{ name }}-deployment\n", "name: {{ name }}\n")],
        ),
        ("templates/_helpers.j2", &[("app: {{ name }}\n", "")]),
    ];
    for (file, pairs) in rewrites {
        let path = dir.join(file);
        let mut text = std::fs::read_to_string(&path)?;
        for (from, to) in *pairs {
            assert!(text.contains(from), "{file} no longer holds {from:?}");
            text = text.replace(from, to);
        }
        std::fs::write(&path, text)?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// One look at the backend during the upgrade.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    /// Ready, not terminating pods of the backend, whichever Deployment owns them.
    ready: usize,
    old_exists: bool,
    new_ready: i32,
}

async fn sample(client: &Client, ns: &str, started: Instant) -> Result<Sample> {
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    let ready = pods(
        client,
        ns,
        "app.kubernetes.io/name=backend,app.kubernetes.io/instance=todo-app",
    )
    .await?
    .iter()
    .filter(|p| is_ready(p))
    .count();
    let old_exists = deployments.get_opt("backend").await?.is_some();
    let new_ready = deployments
        .get_opt("backend-deployment")
        .await?
        .and_then(|d| d.status)
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    Ok(Sample {
        at: started.elapsed(),
        ready,
        old_exists,
        new_ready,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_with_the_old_names_upgrades_without_dropping_ready_pods() -> Result<()> {
    let Some(env) = TestEnv::new("renamed").await? else {
        return Ok(());
    };
    let ns = env.ns().to_string();
    let client = env.client().await;
    let old = tempfile::tempdir()?;
    chart_with_old_names(old.path())?;
    let old_chart = old.path().to_str().context("utf-8 temp dir")?.to_string();

    env.ok(["install", "--chart", &old_chart, "--set", ANY_NODE_PORT]);
    let deployments = Api::<Deployment>::namespaced(client.clone(), &ns);
    assert!(deployments.get_opt("backend").await?.is_some());
    assert!(deployments.get_opt("backend-deployment").await?.is_none());

    // Watch the backend while one plain upgrade to the built-in chart runs.
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let watcher = {
        let (client, ns, done) = (client.clone(), ns.clone(), done.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !done.load(Ordering::SeqCst) {
                samples.push(sample(&client, &ns, started).await?);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            samples.push(sample(&client, &ns, started).await?);
            anyhow::Ok(samples)
        })
    };
    let upgrade = {
        let upgrade = env.todoctl().args(["upgrade", "--set", ANY_NODE_PORT]);
        tokio::task::spawn_blocking(move || upgrade.run()).await?
    };
    done.store(true, Ordering::SeqCst);
    let samples = watcher.await??;
    let upgrade = upgrade.success();
    assert!(
        upgrade
            .stdout
            .split([' ', ',', '\n'])
            .any(|w| w == "deployment/backend"),
        "the old Deployment is reported deleted: {}",
        upgrade.stdout
    );

    // The chart's defaults: 2 backend replicas, rollingUpdate.maxUnavailable 1.
    let floor = 2 - 1;
    let min = samples.iter().map(|s| s.ready).min().unwrap_or(0);
    let max = samples.iter().map(|s| s.ready).max().unwrap_or(0);
    eprintln!(
        "{} samples over {:.1?}: ready backend pods between {min} and {max}",
        samples.len(),
        started.elapsed()
    );
    assert!(
        min >= floor,
        "ready backend pods fell to {min}: {samples:?}"
    );
    // The old Deployment went only after the new one was ready.
    let gone = samples
        .iter()
        .position(|s| !s.old_exists)
        .with_context(|| format!("deployment/backend never went away: {samples:?}"))?;
    let ready_at = samples
        .iter()
        .find(|s| s.new_ready == 2)
        .map(|s| s.at)
        .with_context(|| {
            format!("deployment/backend-deployment never became ready: {samples:?}")
        })?;
    eprintln!(
        "deployment/backend-deployment ready at {ready_at:.1?}, deployment/backend gone at {:.1?}",
        samples[gone].at
    );
    assert!(
        samples[..=gone].iter().any(|s| s.new_ready == 2),
        "deployment/backend was pruned before deployment/backend-deployment was ready: {samples:?}"
    );
    assert_eq!(samples.last().map(|s| s.ready), Some(2), "{samples:?}");
    assert_eq!(
        pods(&client, &ns, "app=backend").await?.len(),
        2,
        "the new pods carry app=backend"
    );
    assert!(deployments.get_opt("frontend").await?.is_none());
    assert!(deployments.get_opt("frontend-deployment").await?.is_some());

    // And back: a rollback to the old revision renames them again, the same way.
    env.ok(["rollback", "1"]);
    assert!(deployments.get_opt("backend").await?.is_some());
    assert!(deployments.get_opt("backend-deployment").await?.is_none());
    assert!(deployments.get_opt("frontend").await?.is_some());
    Ok(())
}
