//! What a prune and an uninstall keep: CustomResourceDefinitions and PersistentVolumeClaims
//! unless a flag asks for their deletion, objects annotated `todoctl.io/keep: "true"` or
//! `helm.sh/resource-policy: keep` always; `diff`, `status` and the commands' output say what
//! is kept and why.

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, Client};

use crate::command::{Output, TestEnv};
use crate::harness;
use crate::preflight::write_chart;
use serde_json::json;

const OBJECTS: &str = r#"{% if values.pvc %}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
{% endif %}
{% if values.crd %}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.{{ release.namespace }}.todoctl.test
  annotations:
    todoctl.io/allow-cluster-scope: "true"
spec:
  group: {{ release.namespace }}.todoctl.test
  scope: Namespaced
  names:
    kind: Gadget
    listKind: GadgetList
    plural: gadgets
    singular: gadget
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
{% endif %}
{% if values.extra %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: helm-kept
  annotations:
    helm.sh/resource-policy: keep
data:
  a: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  a: b
{% endif %}
"#;

const NONE: &[&str] = &[
    "--set",
    "pvc=false",
    "--set",
    "crd=false",
    "--set",
    "extra=false",
];

struct Release<'a> {
    env: &'a TestEnv,
    chart: String,
}

impl Release<'_> {
    fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        if matches!(
            args.first(),
            Some(&"install") | Some(&"upgrade") | Some(&"diff")
        ) {
            all.extend(["--chart", &self.chart]);
        }
        if matches!(
            args.first(),
            Some(&"install") | Some(&"upgrade") | Some(&"uninstall")
        ) {
            all.push("--no-wait");
        }
        self.env.run(&all)
    }
}

async fn exists(client: &Client, ns: &str) -> Result<(bool, bool, bool, bool)> {
    let pvc = Api::<PersistentVolumeClaim>::namespaced(client.clone(), ns)
        .get_opt("data")
        .await?
        .is_some_and(|p| p.metadata.deletion_timestamp.is_none());
    let crd = Api::<CustomResourceDefinition>::all(client.clone())
        .get_opt(&format!("gadgets.{ns}.todoctl.test"))
        .await?
        .is_some_and(|c| c.metadata.deletion_timestamp.is_none());
    let cms = Api::<ConfigMap>::namespaced(client.clone(), ns);
    let helm_kept = cms.get_opt("helm-kept").await?.is_some();
    let plain = cms.get_opt("plain").await?.is_some();
    Ok((pvc, crd, helm_kept, plain))
}

async fn delete_crd(client: &Client, ns: &str) {
    let _ = Api::<CustomResourceDefinition>::all(client.clone())
        .delete(
            &format!("gadgets.{ns}.todoctl.test"),
            &DeleteParams::default(),
        )
        .await;
}

fn chart() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    write_chart(
        dir.path(),
        "pvc: true\ncrd: true\nextra: true\n",
        &[("objects.yaml", OBJECTS)],
    );
    Ok(dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_keeps_crds_claims_and_annotated_objects_unless_asked() -> Result<()> {
    let Some(env) = TestEnv::new("keep-prune").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let dir = chart()?;
    let r = Release {
        env: &env,
        chart: dir.path().to_string_lossy().into_owned(),
    };
    let result = async {
        r.run(&["install"]).success();

        let diff = r.run(&[&["diff"], NONE].concat()).success();
        for line in [
            "keep persistentvolumeclaim/data: a PersistentVolumeClaim holds data; pass --prune-pvcs to delete it",
            "keep customresourcedefinition/gadgets.",
            "keep configmap/helm-kept: annotated `helm.sh/resource-policy: keep`",
            "delete configmap/plain",
        ] {
            assert!(diff.stdout.contains(line), "diff lacks `{line}`:\n{}", diff.stdout);
        }

        let up = r.run(&[&["upgrade"], NONE].concat()).success();
        for line in [
            "kept persistentvolumeclaim/data: a PersistentVolumeClaim holds data; pass --prune-pvcs to delete it",
            "kept customresourcedefinition/gadgets.",
            "kept configmap/helm-kept: annotated `helm.sh/resource-policy: keep`",
        ] {
            assert!(up.stdout.contains(line), "upgrade lacks `{line}`:\n{}", up.stdout);
        }
        assert_eq!(exists(&client, ns).await?, (true, true, true, false));

        // Back in the chart, then out again with the flags: now they go.
        r.run(&["upgrade", "--reset-values"]).success();
        r.run(&[&["upgrade", "--prune-pvcs", "--prune-crds"], NONE].concat()).success();
        harness::wait_for(
            "the pruned claim and CRD to be gone",
            std::time::Duration::from_secs(60),
            || async {
                let (pvc, crd, helm_kept, _) = exists(&client, ns).await?;
                Ok((!pvc && !crd && helm_kept).then_some(()))
            },
        )
        .await
    }
    .await;
    delete_crd(&client, ns).await;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_keeps_crds_claims_and_annotated_objects_and_says_why() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let client = cluster.client().await;
    let dir = chart()?;
    let chart = dir.path().to_string_lossy().into_owned();

    let ns1 = TestEnv::on(&cluster, "keep-uninstall").await?;
    let ns2 = TestEnv::on(&cluster, "keep-uninstall-flags").await?;
    let result = async {
        let r = Release {
            env: &ns1,
            chart: chart.clone(),
        };
        r.run(&["install"]).success();
        let status = r.run(&["status"]).success();
        assert!(status.stdout.contains("KEPT BY UNINSTALL:"), "{}", status.stdout);
        assert!(
            status.stdout.contains(
                "persistentvolumeclaim/data: a PersistentVolumeClaim holds data; pass --delete-pvcs to delete it"
            ),
            "{}",
            status.stdout
        );
        let dry = r.run(&["uninstall", "--dry-run"]).success();
        assert!(dry.stdout.contains("would keep 3 objects:"), "{}", dry.stdout);
        let out = r.run(&["uninstall"]).success();
        for line in [
            "kept persistentvolumeclaim/data: a PersistentVolumeClaim holds data; pass --delete-pvcs to delete it",
            "kept customresourcedefinition/gadgets.",
            "deleting a CustomResourceDefinition deletes every object of its kind in the cluster; pass --delete-crds to delete it",
            "kept configmap/helm-kept: annotated `helm.sh/resource-policy: keep`",
        ] {
            assert!(out.stdout.contains(line), "uninstall lacks `{line}`:\n{}", out.stdout);
        }
        assert_eq!(exists(&client, ns1.ns()).await?, (true, true, true, false));

        let r = Release {
            env: &ns2,
            chart: chart.clone(),
        };
        r.run(&["install"]).success();
        let out = r.run(&["uninstall", "--delete-crds", "--delete-pvcs"]).success();
        assert!(!out.stdout.contains("kept persistentvolumeclaim"), "{}", out.stdout);
        harness::wait_for(
            "the claim and CRD to be gone",
            std::time::Duration::from_secs(60),
            || async {
                let (pvc, crd, helm_kept, plain) = exists(&client, ns2.ns()).await?;
                Ok((!pvc && !crd && helm_kept && !plain).then_some(()))
            },
        )
        .await
    }
    .await;
    delete_crd(&client, ns1.ns()).await;
    delete_crd(&client, ns2.ns()).await;
    result
}

/// The claim `data-postgres-0` of the todo-app's StatefulSet, unless it is gone or going.
async fn data_claim(client: &Client, ns: &str) -> Result<bool> {
    Ok(Api::<PersistentVolumeClaim>::namespaced(client.clone(), ns)
        .get_opt("data-postgres-0")
        .await?
        .is_some_and(|p| p.metadata.deletion_timestamp.is_none()))
}

/// Installs the todo app and waits until the StatefulSet controller made the database's claim.
async fn installed_with_claim(prefix: &str) -> Result<Option<(TestEnv, Client)>> {
    let Some(env) = TestEnv::installed(
        prefix,
        &[
            "--set",
            "database.enabled=true,database.auth.password=test-only",
        ],
    )
    .await?
    else {
        return Ok(None);
    };
    let client = env.client().await;
    harness::wait_for(
        "the StatefulSet controller to make data-postgres-0",
        std::time::Duration::from_secs(60),
        || async { Ok(data_claim(&client, env.ns()).await?.then_some(())) },
    )
    .await?;
    Ok(Some((env, client)))
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_names_the_claims_a_statefulset_made_and_keeps() -> Result<()> {
    let Some((env, client)) = installed_with_claim("keep-sts-claims").await? else {
        return Ok(());
    };
    let line = "persistentvolumeclaim/data-postgres-0: made by statefulset/postgres from its volumeClaimTemplates";
    let status = env.run(["status"]).success();
    assert!(
        status.stdout.contains("KEPT BY UNINSTALL:"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains(&format!("  {line}")),
        "{}",
        status.stdout
    );
    let json = env.run(["status", "-o", "json"]).success();
    let report: serde_json::Value = serde_json::from_str(&json.stdout)?;
    assert_eq!(
        report["kept_on_uninstall"][0]["object"], "persistentvolumeclaim/data-postgres-0",
        "{}",
        json.stdout
    );
    let dry = env.run(["uninstall", "--dry-run"]).success();
    assert!(dry.stdout.contains(&format!("  {line}")), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("would keep 1 object:"),
        "{}",
        dry.stdout
    );

    let out = env.run(["uninstall", "--keep-history"]).success();
    assert!(
        out.stdout.contains(&format!("kept {line}")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!(
            "`kubectl delete pvc data-postgres-0 -n {}` deletes it",
            env.ns()
        )),
        "{}",
        out.stdout
    );
    let kept = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("kept "))
        .count();
    assert_eq!(kept, 1, "{}", out.stdout);
    assert!(data_claim(&client, env.ns()).await?, "the claim is gone");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_does_not_report_claims_whose_retention_policy_deletes_them() -> Result<()> {
    let Some((env, client)) = installed_with_claim("keep-sts-claims-delete").await? else {
        return Ok(());
    };
    Api::<StatefulSet>::namespaced(client.clone(), env.ns())
        .patch(
            "postgres",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"persistentVolumeClaimRetentionPolicy": {
                "whenDeleted": "Delete"}}})),
        )
        .await?;
    let status = env.run(["status"]).success();
    assert!(
        !status.stdout.contains("KEPT BY UNINSTALL:"),
        "{}",
        status.stdout
    );
    let dry = env.run(["uninstall", "--dry-run"]).success();
    assert!(!dry.stdout.contains("would keep"), "{}", dry.stdout);
    let out = env.run(["uninstall"]).success();
    assert!(
        out.stderr.contains("deleted statefulset/postgres"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("kept"), "{}", out.stdout);
    assert!(!out.stderr.contains("kept"), "{}", out.stderr);
    // The garbage collector deletes it, as the policy says.
    harness::wait_for(
        "the garbage collector to delete data-postgres-0",
        std::time::Duration::from_secs(60),
        || async { Ok((!data_claim(&client, env.ns()).await?).then_some(())) },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn objects_an_uninstalled_release_kept_are_offered_to_the_next_release_with_adopt()
-> Result<()> {
    let Some(env) = TestEnv::new("keep-then-adopt").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let dir = chart()?;
    let r = Release {
        env: &env,
        chart: dir.path().to_string_lossy().into_owned(),
    };
    let result = async {
        r.run(&["install", "-r", "first"]).success();
        r.run(&["uninstall", "-r", "first"]).success();
        assert_eq!(exists(&client, ns).await?, (true, true, true, false));

        // The claim, the CRD and the annotated ConfigMap still name `first`, which is gone:
        // upgrading it is no way on; --adopt is.
        let refused = r.run(&["install", "-r", "second"]).failure(1);
        for object in [
            "persistentvolumeclaim/data",
            "customresourcedefinition/gadgets.",
            "configmap/helm-kept",
        ] {
            let said = format!("kept by release `{ns}/first`, which no longer exists");
            assert!(
                refused
                    .stderr
                    .lines()
                    .any(|l| l.contains(object) && l.contains(&said)),
                "{object}: {refused}"
            );
        }
        assert!(refused.stderr.contains("pass --adopt"), "{refused}");
        assert!(
            !refused.stderr.contains("upgrade that release"),
            "{refused}"
        );
        // Refused, so nothing of `second` exists.
        assert!(r.run(&["history", "-r", "second"]).code != 0);

        r.run(&["install", "-r", "second", "--adopt"]).success();
        Ok(())
    }
    .await;
    delete_crd(&client, ns).await;
    result
}
