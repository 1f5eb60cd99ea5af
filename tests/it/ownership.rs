//! A release never deletes an object another release owns now (imported or adopted into it
//! after this release applied it): uninstall and prune keep it and say whose it is.

use anyhow::Result;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::json;

use crate::command::TestEnv;

/// Marks `name` as release `other`'s, as an import or `--adopt` into `other` would.
async fn give_to<K>(api: &Api<K>, ns: &str, name: &str, other: &str) -> Result<()>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let patch =
        json!({ "metadata": { "annotations": { "todoctl.io/owner": format!("{ns}/{other}") } } });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_keeps_an_object_another_release_owns_now() -> Result<()> {
    let Some(env) = TestEnv::installed("own-uninstall", &[]).await? else {
        return Ok(());
    };
    let ns = env.ns();
    let configmaps: Api<ConfigMap> = Api::namespaced(env.client().await, ns);
    give_to(&configmaps, ns, "backend-config", "second").await?;

    let out = env.ok(["uninstall"]);
    assert!(
        out.stderr.contains(&format!(
            "kept configmap/backend-config: it belongs to release `{ns}/second` now"
        )),
        "{}",
        out.stderr
    );
    assert!(configmaps.get_opt("backend-config").await?.is_some());
    assert!(
        configmaps.get_opt("frontend-config").await?.is_none(),
        "the release's own objects are deleted"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prune_keeps_an_object_another_release_owns_now() -> Result<()> {
    let Some(env) = TestEnv::installed(
        "own-prune",
        &[
            "--set",
            "backend.podDisruptionBudget.enabled=true,backend.replicaCount=2",
        ],
    )
    .await?
    else {
        return Ok(());
    };
    let ns = env.ns();
    let pdbs: Api<PodDisruptionBudget> = Api::namespaced(env.client().await, ns);
    let listed = pdbs.list(&ListParams::default()).await?;
    let name = listed.items[0]
        .metadata
        .name
        .clone()
        .expect("a PodDisruptionBudget has a name");
    give_to(&pdbs, ns, &name, "second").await?;

    let out = env.ok([
        "upgrade",
        "--set",
        "backend.podDisruptionBudget.enabled=false",
    ]);
    assert!(
        out.stderr.contains(&format!(
            "kept poddisruptionbudget/{name}: it belongs to release `{ns}/second` now"
        )),
        "{}",
        out.stderr
    );
    assert!(pdbs.get_opt(&name).await?.is_some());
    Ok(())
}
