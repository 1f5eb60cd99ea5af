//! A release holding a CustomResourceDefinition and an object of its kind: the CRD must be
//! established and its kind discovered before the object is applied, every time, with and
//! without --wait; an invalid object of that kind is refused before it is written.

use anyhow::Result;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind};

use crate::command::TestEnv;
use crate::harness;
use crate::preflight::{versions, write_chart, written};

/// The CRD's group is the release namespace's, so parallel installs never share one.
pub const WIDGETS: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{{ release.namespace }}.todoctl.test
  annotations:
    todoctl.io/allow-cluster-scope: "true"
spec:
  group: {{ release.namespace }}.todoctl.test
  scope: Namespaced
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size:
                  type: integer
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: widget-settings
data:
  size: {{ values.size | string | quote }}
---
apiVersion: {{ release.namespace }}.todoctl.test/v1
kind: Widget
metadata:
  name: main
spec:
  size: {{ values.size }}
"#;

async fn widget_size(client: &kube::Client, ns: &str) -> Result<Option<i64>> {
    let gvk = GroupVersionKind::gvk(&format!("{ns}.todoctl.test"), "v1", "Widget");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "widgets");
    let w = Api::<DynamicObject>::namespaced_with(client.clone(), ns, &ar)
        .get_opt("main")
        .await?;
    Ok(w.and_then(|w| w.data.pointer("/spec/size").and_then(|v| v.as_i64())))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crd_and_its_object_install_every_time_and_upgrade() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let client = cluster.client().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let dir = tempfile::tempdir()?;
    write_chart(dir.path(), "size: 1\n", &[("widgets.yaml", WIDGETS)]);
    let chart = dir.path().to_string_lossy().into_owned();

    for round in 0..5 {
        let env = TestEnv::on(&cluster, &format!("crd-{round}")).await?;
        let ns = env.ns();
        // Half the rounds wait for readiness, half do not: the CRD wait holds either way.
        let wait: &[&str] = if round % 2 == 0 { &[] } else { &["--no-wait"] };
        let mut args = vec!["install", "--chart", &chart];
        args.extend(wait);
        let result = env.run(&args);
        let size = widget_size(&client, ns).await;
        let crd = format!("widgets.{ns}.todoctl.test");
        if round < 4 {
            let _ = crds.delete(&crd, &DeleteParams::default()).await;
        }
        let result = result.success();
        assert_eq!(size?, Some(1), "round {round}: {}", result.stderr);

        if round == 4 {
            // Upgrade: the object changes; then an object the CRD's schema rejects is
            // refused before anything is written.
            let mut args = vec!["upgrade", "--chart", &chart, "--set", "size=2"];
            args.extend(wait);
            env.ok(&args);
            assert_eq!(widget_size(&client, ns).await?, Some(2));

            let history = env.statuses();
            let before = versions(&client, ns).await?;
            let out = env.run(["upgrade", "--chart", &chart, "--set-string", "size=big"]);
            let after = versions(&client, ns).await?;
            let size = widget_size(&client, ns).await;
            let _ = crds.delete(&crd, &DeleteParams::default()).await;
            assert_eq!(size?, Some(2));
            let out = out.failure(1);
            insta::assert_snapshot!(out.error());
            assert_eq!(written(&before, &after), Vec::<String>::new());
            assert_eq!(env.statuses(), history);
        }
    }
    Ok(())
}
