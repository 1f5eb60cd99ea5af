//! Switching a union of the Kubernetes API under server-side apply: a discriminator whose
//! server-defaulted siblings stay behind (Deployment `strategy.type: Recreate` after the
//! defaulted `rollingUpdate`), a probe handler or volume source replaced by another. Each case
//! installs A, upgrades to B, rolls back to A and upgrades to B again, and checks that the
//! live object holds exactly the chosen member and that todoctl is left with its one Apply
//! entry in managedFields (no ownership residue that a later apply would meet as a conflict).

use std::path::Path;

use anyhow::Result;
use kube::api::{ApiResource, DynamicObject};
use kube::{Api, Client};
use serde_json::Value;

use crate::command::TestEnv;
use crate::harness::{self, Cluster};
use crate::preflight::write_chart;

/// One object whose `spec` fragment comes from the values (`values.fragment`, as JSON).
struct Case {
    name: &'static str,
    kind: &'static str,
    api_version: &'static str,
    /// The template; `FRAGMENT` is replaced by the values' fragment.
    template: &'static str,
    a: &'static str,
    b: &'static str,
    /// JSON pointer into the live object, and what it must hold after A and after B
    /// (`None`: absent).
    checks: &'static [(&'static str, Option<&'static str>, Option<&'static str>)],
}

const POD: &str = r#"      containers:
        - name: app
          image: busybox:1.36
"#;

fn deployment(extra_spec: &str, pod_extra: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n{extra_spec}  selector:\n    matchLabels:\n      app: app\n  template:\n    metadata:\n      labels:\n        app: app\n    spec:\n{pod_extra}"
    )
}

async fn live(client: &Client, ns: &str, case: &Case) -> Result<Value> {
    let gvk = kube::core::GroupVersionKind::try_from(&kube::core::TypeMeta {
        api_version: case.api_version.to_string(),
        kind: case.kind.to_string(),
    })?;
    let plural = format!("{}s", case.kind.to_lowercase());
    let ar = ApiResource::from_gvk_with_plural(&gvk, &plural);
    let obj = Api::<DynamicObject>::namespaced_with(client.clone(), ns, &ar)
        .get("app")
        .await?;
    Ok(serde_json::to_value(obj)?)
}

fn check(live: &Value, case: &Case, stage: &str, want_b: bool) {
    for (pointer, a, b) in case.checks {
        let want = if want_b { b } else { a };
        let got = live.pointer(pointer).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        assert_eq!(
            got.as_deref(),
            *want,
            "{}: after {stage}, {pointer} in {}",
            case.name,
            serde_json::to_string_pretty(live).unwrap_or_default()
        );
    }
    let ours: Vec<&Value> = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter(|e| e["manager"] == "todoctl")
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert_eq!(
        ours.iter()
            .map(|e| e["operation"].clone())
            .collect::<Vec<_>>(),
        vec![Value::String("Apply".into())],
        "{}: after {stage}, todoctl's managedFields entries",
        case.name
    );
}

async fn run_case(cluster: &Cluster, client: &Client, case: &Case) -> Result<()> {
    let env = TestEnv::on(cluster, &format!("switch-{}", case.name)).await?;
    let ns = env.ns();
    let dir = tempfile::tempdir()?;
    let chart = dir.path().join("chart");
    write_chart(&chart, "fragment: {}\n", &[("object.yaml", case.template)]);
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, case.a)?;
    std::fs::write(&b, case.b)?;
    let chart_arg = chart.to_string_lossy().into_owned();
    let step = |args: &[&str], values: &Path| {
        let values = values.to_string_lossy().into_owned();
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend([
            "--no-wait".into(),
            "--chart".into(),
            chart_arg.clone(),
            "-f".into(),
            values,
        ]);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        env.ok(&all)
    };
    step(&["install"], &a);
    check(&live(client, ns, case).await?, case, "install of A", false);
    step(&["upgrade", "--reset-values"], &b);
    check(&live(client, ns, case).await?, case, "upgrade to B", true);
    env.ok(["rollback", "1", "--no-wait"]);
    check(&live(client, ns, case).await?, case, "rollback to A", false);
    env.ok(["rollback", "2", "--no-wait"]);
    check(&live(client, ns, case).await?, case, "rollback to B", true);
    Ok(())
}

async fn run_cases(cases: &[Case]) -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let client = cluster.client().await;
    for case in cases {
        run_case(&cluster, &client, case).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn workload_update_strategies_switch_both_ways() -> Result<()> {
    let deployment_strategy = deployment(
        "{% if values.strategy %}  strategy: {{ values.strategy | tojson }}\n{% endif %}",
        POD,
    );
    let deployment_strategy: &'static str = Box::leak(deployment_strategy.into_boxed_str());
    run_cases(&[
        Case {
            name: "deployment-default-to-recreate",
            kind: "Deployment",
            api_version: "apps/v1",
            template: deployment_strategy,
            a: "strategy: null\n",
            b: "strategy: {type: Recreate}\n",
            checks: &[
                (
                    "/spec/strategy/type",
                    Some("RollingUpdate"),
                    Some("Recreate"),
                ),
                ("/spec/strategy/rollingUpdate/maxSurge", Some("25%"), None),
            ],
        },
        Case {
            name: "deployment-rollingupdate-to-recreate",
            kind: "Deployment",
            api_version: "apps/v1",
            template: deployment_strategy,
            a: "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n",
            b: "strategy: {type: Recreate}\n",
            checks: &[
                (
                    "/spec/strategy/type",
                    Some("RollingUpdate"),
                    Some("Recreate"),
                ),
                ("/spec/strategy/rollingUpdate/maxSurge", Some("1"), None),
            ],
        },
        Case {
            name: "statefulset-default-to-ondelete",
            kind: "StatefulSet",
            api_version: "apps/v1",
            template: r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: app
spec:
  serviceName: app
  replicas: 1
{% if values.strategy %}
  updateStrategy: {{ values.strategy | tojson }}
{% endif %}
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: busybox:1.36
"#,
            a: "strategy: null\n",
            b: "strategy: {type: OnDelete}\n",
            checks: &[
                (
                    "/spec/updateStrategy/type",
                    Some("RollingUpdate"),
                    Some("OnDelete"),
                ),
                (
                    "/spec/updateStrategy/rollingUpdate/partition",
                    Some("0"),
                    None,
                ),
            ],
        },
        Case {
            name: "daemonset-default-to-ondelete",
            kind: "DaemonSet",
            api_version: "apps/v1",
            template: r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: app
spec:
{% if values.strategy %}
  updateStrategy: {{ values.strategy | tojson }}
{% endif %}
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: busybox:1.36
"#,
            a: "strategy: null\n",
            b: "strategy: {type: OnDelete}\n",
            checks: &[(
                "/spec/updateStrategy/type",
                Some("RollingUpdate"),
                Some("OnDelete"),
            )],
        },
    ])
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn probe_handlers_and_volume_sources_switch_both_ways() -> Result<()> {
    let probe = deployment(
        "",
        r#"      containers:
        - name: app
          image: busybox:1.36
          livenessProbe: {{ values.probe | tojson }}
          lifecycle:
            preStop: {{ values.preStop | tojson }}
"#,
    );
    let volume = deployment(
        "",
        r#"      containers:
        - name: app
          image: busybox:1.36
      volumes:
        - {{ values.volume | tojson }}
"#,
    );
    run_cases(&[
        Case {
            name: "probe-httpget-to-exec",
            kind: "Deployment",
            api_version: "apps/v1",
            template: Box::leak(probe.into_boxed_str()),
            a: "probe: {httpGet: {path: /healthz, port: 8080}}\npreStop: {httpGet: {path: /stop, port: 8080}}\n",
            b: "probe: {exec: {command: [\"true\"]}}\npreStop: {exec: {command: [\"true\"]}}\n",
            checks: &[
                (
                    "/spec/template/spec/containers/0/livenessProbe/httpGet/scheme",
                    Some("HTTP"),
                    None,
                ),
                (
                    "/spec/template/spec/containers/0/livenessProbe/exec/command/0",
                    None,
                    Some("true"),
                ),
                (
                    "/spec/template/spec/containers/0/lifecycle/preStop/httpGet/scheme",
                    Some("HTTP"),
                    None,
                ),
            ],
        },
        Case {
            name: "volume-configmap-to-secret",
            kind: "Deployment",
            api_version: "apps/v1",
            template: Box::leak(volume.into_boxed_str()),
            a: "volume: {name: data, configMap: {name: settings}}\n",
            b: "volume: {name: data, secret: {secretName: settings}}\n",
            checks: &[
                ("/spec/template/spec/volumes/0/configMap/defaultMode", Some("420"), None),
                ("/spec/template/spec/volumes/0/secret/secretName", None, Some("settings")),
            ],
        },
    ])
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn service_types_and_session_affinity_switch_both_ways() -> Result<()> {
    const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: app
spec: {{ values.spec | tojson }}
"#;
    run_cases(&[
        Case {
            name: "service-nodeport-to-clusterip",
            kind: "Service",
            api_version: "v1",
            template: SERVICE,
            a: "spec: {type: NodePort, selector: {app: app}, ports: [{port: 80}]}\n",
            b: "spec: {type: ClusterIP, selector: {app: app}, ports: [{port: 80}]}\n",
            checks: &[
                ("/spec/type", Some("NodePort"), Some("ClusterIP")),
                ("/spec/externalTrafficPolicy", Some("Cluster"), None),
            ],
        },
        Case {
            name: "service-loadbalancer-to-clusterip",
            kind: "Service",
            api_version: "v1",
            template: SERVICE,
            a: "spec: {type: LoadBalancer, externalTrafficPolicy: Local, selector: {app: app}, ports: [{port: 80}]}\n",
            b: "spec: {type: ClusterIP, selector: {app: app}, ports: [{port: 80}]}\n",
            checks: &[
                ("/spec/type", Some("LoadBalancer"), Some("ClusterIP")),
                ("/spec/allocateLoadBalancerNodePorts", Some("true"), None),
            ],
        },
        Case {
            name: "service-clusterip-to-externalname",
            kind: "Service",
            api_version: "v1",
            template: SERVICE,
            a: "spec: {type: ClusterIP, selector: {app: app}, ports: [{port: 80}]}\n",
            b: "spec: {type: ExternalName, externalName: db.example.com}\n",
            checks: &[
                ("/spec/type", Some("ClusterIP"), Some("ExternalName")),
                ("/spec/externalName", None, Some("db.example.com")),
            ],
        },
        Case {
            name: "service-affinity-clientip-to-none",
            kind: "Service",
            api_version: "v1",
            template: SERVICE,
            a: "spec: {sessionAffinity: ClientIP, selector: {app: app}, ports: [{port: 80}]}\n",
            b: "spec: {sessionAffinity: None, selector: {app: app}, ports: [{port: 80}]}\n",
            checks: &[
                ("/spec/sessionAffinity", Some("ClientIP"), Some("None")),
                ("/spec/sessionAffinityConfig/clientIP/timeoutSeconds", Some("10800"), None),
            ],
        },
    ])
    .await
}
