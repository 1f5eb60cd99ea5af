//! Waiting for applied objects against the real control plane: workloads, claims and jobs become
//! ready; crash-looping pods fail the wait early; an unschedulable pod is named in the timeout;
//! a deletion is waited for until the object is gone, finalizers included.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret};
use kube::api::{ApiResource, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::{Api, Client, Resource};
use serde_json::{Value, json};
use todoctl::cluster::readiness::{WaitError, WaitTarget, wait_deleted, wait_ready};
use todoctl::error::Failure;
use todoctl::ui::progress::Progress;

use crate::command::TestEnv;
use crate::harness;

/// Server-side applies `object` the way todoctl does and returns what to wait for, with the
/// generation the apply returned.
async fn apply<K: Resource<DynamicType = ()>>(
    client: &Client,
    namespace: &str,
    object: Value,
) -> Result<WaitTarget> {
    let resource = ApiResource::erase::<K>(&());
    let api = Api::<DynamicObject>::namespaced_with(client.clone(), namespace, &resource);
    let name = object["metadata"]["name"]
        .as_str()
        .context("the test object has a name")?
        .to_string();
    let mut object = object;
    object["apiVersion"] = json!(resource.api_version);
    object["kind"] = json!(resource.kind);
    let reference = format!("{}/{name}", resource.kind.to_lowercase());
    let applied = api
        .patch(
            &name,
            &PatchParams::apply("todoctl-test"),
            &Patch::Apply(&object),
        )
        .await
        .with_context(|| format!("applying {reference}"))?;
    Ok(WaitTarget {
        reference,
        kind: resource.kind.clone(),
        namespace: namespace.to_string(),
        name,
        api,
        generation: applied.metadata.generation,
    })
}

fn deployment(name: &str, replicas: i32, pod_spec: Value, annotations: Value) -> Value {
    let mut pod_spec = pod_spec;
    pod_spec["containers"] = json!([{ "name": "api", "image": "example.com/backend:1.0" }]);
    json!({
        "metadata": { "name": name },
        "spec": {
            "replicas": replicas,
            "selector": { "matchLabels": { "app": name } },
            "template": {
                "metadata": { "labels": { "app": name }, "annotations": annotations },
                "spec": pod_spec,
            },
        },
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn deployment_claim_and_config_become_ready() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("ready").await?;
    let client = cluster.client().await;
    let targets = vec![
        apply::<ConfigMap>(
            &client,
            ns.name(),
            json!({ "metadata": { "name": "settings" }, "data": { "mode": "test" } }),
        )
        .await?,
        apply::<Deployment>(
            &client,
            ns.name(),
            deployment("backend", 2, json!({}), json!({})),
        )
        .await?,
        apply::<PersistentVolumeClaim>(
            &client,
            ns.name(),
            json!({
                "metadata": { "name": "data" },
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": { "requests": { "storage": "1Gi" } },
                },
            }),
        )
        .await?,
    ];
    wait_ready(
        &client,
        &targets,
        Duration::from_secs(60),
        &Progress::hidden(),
    )
    .await
    .map_err(WaitError::into_anyhow)?;

    let live = Api::<Deployment>::namespaced(client, ns.name())
        .get("backend")
        .await?;
    let available = live.status.and_then(|s| s.available_replicas);
    ensure!(
        available == Some(2),
        "wait_ready returned with {available:?} available replicas of deployment/backend"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn job_completes() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("ready-job").await?;
    let client = cluster.client().await;
    let job = apply::<Job>(
        &client,
        ns.name(),
        json!({
            "metadata": { "name": "migrate" },
            "spec": {
                "backoffLimit": 0,
                "template": { "spec": {
                    "restartPolicy": "Never",
                    "containers": [{ "name": "migrate", "image": "example.com/migrate:1.0" }],
                }},
            },
        }),
    )
    .await?;
    wait_ready(
        &client,
        &[job],
        Duration::from_secs(60),
        &Progress::hidden(),
    )
    .await
    .map_err(WaitError::into_anyhow)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn crash_looping_pods_fail_the_wait_early() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("ready-crash").await?;
    let client = cluster.client().await;
    // A long progress deadline, so that only the pod check can end the wait early.
    let mut object = deployment(
        "backend",
        2,
        json!({}),
        json!({ "todoctl.test/fail": "true" }),
    );
    object["spec"]["progressDeadlineSeconds"] = json!(600);
    let target = apply::<Deployment>(&client, ns.name(), object).await?;

    let timeout = Duration::from_secs(120);
    let started = Instant::now();
    let result = wait_ready(&client, &[target], timeout, &Progress::hidden()).await;
    let took = started.elapsed();
    let Err(err) = result else {
        bail!("a deployment of crash-looping pods was reported ready");
    };
    let text = err.to_string();
    eprintln!("{text}");
    ensure!(
        matches!(err, WaitError::Failed { .. }),
        "expected a failure, got: {text}"
    );
    ensure!(
        took < Duration::from_secs(30),
        "the wait took {took:?}; it should fail long before its {timeout:?} timeout"
    );
    ensure!(
        text.contains("deployment/backend:") && text.contains("CrashLoopBackOff"),
        "the error does not name the object and the crash loop: {text}"
    );
    ensure!(
        text.contains("restarted 3 times"),
        "the error does not give the restart count: {text}"
    );
    // Not a timeout: the exit code is the general one.
    ensure!(err.into_anyhow().downcast_ref::<Failure>().is_none());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn rollout_to_failing_pods_fails_while_old_pods_still_serve() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("ready-upgrade").await?;
    let client = cluster.client().await;
    let first = apply::<Deployment>(
        &client,
        ns.name(),
        deployment("backend", 2, json!({}), json!({})),
    )
    .await?;
    wait_ready(
        &client,
        &[first],
        Duration::from_secs(60),
        &Progress::hidden(),
    )
    .await
    .map_err(WaitError::into_anyhow)?;

    let mut broken = deployment(
        "backend",
        2,
        json!({}),
        json!({ "todoctl.test/fail": "true" }),
    );
    broken["spec"]["progressDeadlineSeconds"] = json!(600);
    let second = apply::<Deployment>(&client, ns.name(), broken).await?;
    ensure!(
        second.generation == Some(2),
        "the upgrade applied generation {:?}",
        second.generation
    );
    let started = Instant::now();
    let result = wait_ready(
        &client,
        &[second],
        Duration::from_secs(120),
        &Progress::hidden(),
    )
    .await;
    let Err(err) = result else {
        bail!("an upgrade to crash-looping pods was reported ready");
    };
    let text = err.to_string();
    ensure!(
        matches!(err, WaitError::Failed { .. }) && started.elapsed() < Duration::from_secs(30),
        "expected an early failure, got after {:?}: {text}",
        started.elapsed()
    );
    ensure!(text.contains("CrashLoopBackOff"), "{text}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn unschedulable_pods_are_named_in_the_timeout() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("ready-timeout").await?;
    let client = cluster.client().await;
    let target = apply::<Deployment>(
        &client,
        ns.name(),
        deployment(
            "backend",
            1,
            json!({ "nodeSelector": { "todoctl.test/no-such-node": "true" } }),
            json!({}),
        ),
    )
    .await?;
    let timeout = Duration::from_secs(5);
    let started = Instant::now();
    let result = wait_ready(&client, &[target], timeout, &Progress::hidden()).await;
    let took = started.elapsed();
    let Err(err) = result else {
        bail!("a deployment with an unsatisfiable nodeSelector was reported ready");
    };
    let text = err.to_string();
    eprintln!("{text}");
    let WaitError::Timeout { after, objects, .. } = &err else {
        bail!("expected a timeout, got: {text}");
    };
    ensure!(*after == timeout, "{text}");
    ensure!(
        took < timeout + Duration::from_secs(10),
        "the wait overran its {timeout:?} timeout: {took:?}"
    );
    ensure!(
        objects.len() == 1 && objects[0].reference == "deployment/backend",
        "{text}"
    );
    ensure!(
        objects[0]
            .details
            .iter()
            .any(|d| d.starts_with("pod backend-") && d.contains("unschedulable")),
        "the details do not name the unschedulable pod: {text}"
    );
    ensure!(
        text.starts_with("timed out after 5s waiting for 1 of 1 object to become ready:"),
        "{text}"
    );
    // The exit code for timeouts.
    ensure!(matches!(
        err.into_anyhow().downcast_ref::<Failure>(),
        Some(Failure::Timeout(_))
    ));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deletion_is_waited_for_until_its_finalizers_are_done() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("ready-deleted").await?;
    let client = cluster.client().await;
    let held = apply::<ConfigMap>(
        &client,
        ns.name(),
        json!({ "metadata": { "name": "held", "finalizers": ["todoctl.test/hold"] } }),
    )
    .await?;
    let gone = apply::<ConfigMap>(
        &client,
        ns.name(),
        json!({ "metadata": { "name": "gone" } }),
    )
    .await?;
    for t in [&held, &gone] {
        t.api.delete(&t.name, &DeleteParams::default()).await?;
    }
    let targets = [held, gone];

    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let result = wait_deleted(&client, &targets, timeout, &Progress::hidden()).await;
    ensure!(
        started.elapsed() < timeout + Duration::from_secs(10),
        "the wait overran its {timeout:?} timeout"
    );
    let Err(err) = result else {
        bail!("a ConfigMap held by a finalizer was reported deleted");
    };
    // Each object left is named with what holds it; those gone are not.
    let text = err.to_string();
    ensure!(
        text == "timed out after 2s waiting for 1 of 2 objects to be deleted:\n  \
                 configmap/held: waiting for finalizers: todoctl.test/hold\n\
                 a finalizer is removed by the controller that set it: check that it runs, or \
                 raise --timeout",
        "{text}"
    );
    ensure!(matches!(
        err.into_anyhow().downcast_ref::<Failure>(),
        Some(Failure::Timeout(_))
    ));

    // Once the finalizer is done, the same wait ends.
    targets[0]
        .api
        .patch(
            "held",
            &PatchParams::default(),
            &Patch::Merge(json!({ "metadata": { "finalizers": null } })),
        )
        .await?;
    wait_deleted(
        &client,
        &targets,
        Duration::from_secs(30),
        &Progress::hidden(),
    )
    .await
    .map_err(WaitError::into_anyhow)?;
    Ok(())
}

/// Through the binary: an uninstall whose wait runs out names every object still there with the
/// finalizers that hold it, and the time as given; once they are done, uninstall finishes.
#[tokio::test(flavor = "multi_thread")]
async fn an_uninstall_held_by_finalizers_names_each_object_and_its_finalizers() -> Result<()> {
    let Some(env) = TestEnv::installed("ready-uninstall-held", &[]).await? else {
        return Ok(());
    };
    let client = env.client().await;
    let config_maps = Api::<ConfigMap>::namespaced(client.clone(), env.ns());
    let secrets = Api::<Secret>::namespaced(client.clone(), env.ns());
    let hold =
        |finalizers: Value| Patch::Merge(json!({ "metadata": { "finalizers": finalizers } }));
    let params = PatchParams::default();
    config_maps
        .patch(
            "backend-config",
            &params,
            &hold(json!(["todoctl.test/hold"])),
        )
        .await?;
    secrets
        .patch(
            "app-secrets",
            &params,
            &hold(json!(["todoctl.test/a", "todoctl.test/b"])),
        )
        .await?;

    let out = env.run(["uninstall", "--timeout", "20s"]).failure(3);
    let error = out.error();
    // Gone objects are counted, never listed: the line of each held one says what holds it.
    ensure!(
        error.contains("waiting for 2 of ")
            && error.contains(
                "  secret/app-secrets: waiting for finalizers: todoctl.test/a, todoctl.test/b"
            )
            && error
                .contains("  configmap/backend-config: waiting for finalizers: todoctl.test/hold")
            && error.contains("timed out after 20s ")
            && !error.contains("deployment/"),
        "{out}"
    );
    insta::assert_snapshot!(error);

    config_maps
        .patch("backend-config", &params, &hold(Value::Null))
        .await?;
    secrets
        .patch("app-secrets", &params, &hold(Value::Null))
        .await?;
    env.ok(["uninstall"]);
    ensure!(config_maps.get_opt("backend-config").await?.is_none());
    ensure!(secrets.get_opt("app-secrets").await?.is_none());
    Ok(())
}
