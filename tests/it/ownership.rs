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
    let kept = format!("configmap/backend-config: it belongs to release `{ns}/second` now");

    // The dry run says what the uninstall does: the object is kept, not deleted.
    let dry = env.ok(["uninstall", "--dry-run"]);
    let (would_delete, would_keep) = dry
        .stdout
        .split_once("would keep 1 object:")
        .unwrap_or_else(|| panic!("the dry run keeps nothing: {dry}"));
    assert!(!would_delete.contains("configmap/backend-config"), "{dry}");
    assert!(would_delete.contains("configmap/frontend-config"), "{dry}");
    assert!(would_keep.contains(&kept), "{dry}");
    assert!(configmaps.get_opt("frontend-config").await?.is_some());

    let out = env.ok(["uninstall"]);
    // Said once while it runs (its check before deleting says nothing), and in the summary.
    assert_eq!(out.stderr.matches(&kept).count(), 1, "{out}");
    assert!(out.stdout.contains(&format!("kept {kept}")), "{out}");
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
    // Said once: the preflight's dry run of the deletion says nothing.
    let kept = format!("kept poddisruptionbudget/{name}: it belongs to release `{ns}/second` now");
    assert_eq!(out.stderr.matches(&kept).count(), 1, "{out}");
    assert!(pdbs.get_opt(&name).await?.is_some());
    Ok(())
}
