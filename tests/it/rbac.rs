//! todoctl as a user with only the Role of docs/rbac.md: a ServiceAccount in a test namespace, a
//! token from the TokenRequest API and a kubeconfig of its own. With exactly that Role every
//! release command works; with a narrower one the command fails with a `forbidden` error that
//! names the verb and resource, and the release's objects stay as they were. A refusal that is
//! not RBAC's (a ResourceQuota's) is not described as a missing permission.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ResourceQuota, ResourceQuotaSpec, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::{ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::config::Kubeconfig;
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;

use crate::command::{ANY_NODE_PORT, Output, TestEnv};
use crate::harness::{self, Cluster};

const ACCOUNT: &str = "todoctl-deployer";
const ROLE: &str = "todoctl";

/// The Role of docs/rbac.md, rule by rule: (API groups, resources, verbs). Keep the two in step.
const ROLE_RULES: &[(&[&str], &[&str], &[&str])] = &[
    // Release records and the chart's own Secrets.
    (
        &[""],
        &["secrets"],
        &["get", "list", "create", "update", "patch", "delete"],
    ),
    // The release lock.
    (
        &["coordination.k8s.io"],
        &["leases"],
        &["get", "create", "update", "delete"],
    ),
    // The objects the todo-app chart can render. Without the optional `watch`: every wait here
    // has its watches refused (403) and runs on the poll alone, and must still succeed.
    (
        &[""],
        &[
            "configmaps",
            "services",
            "serviceaccounts",
            "persistentvolumeclaims",
        ],
        &["get", "list", "create", "patch", "delete"],
    ),
    (
        &["apps"],
        &["deployments", "statefulsets"],
        &["get", "list", "create", "patch", "delete"],
    ),
    (
        &["batch"],
        &["jobs", "cronjobs"],
        &["get", "list", "create", "patch", "delete"],
    ),
    (
        &["autoscaling"],
        &["horizontalpodautoscalers"],
        &["get", "list", "create", "patch", "delete"],
    ),
    (
        &["networking.k8s.io"],
        &["ingresses", "networkpolicies"],
        &["get", "list", "create", "patch", "delete"],
    ),
    (
        &["policy"],
        &["poddisruptionbudgets"],
        &["get", "list", "create", "patch", "delete"],
    ),
    // Readiness and diagnosis.
    (
        &["", "apps"],
        &["pods", "events", "replicasets"],
        &["get", "list", "watch"],
    ),
    (&[""], &["pods/log"], &["get"]),
    // The release namespace itself: todoctl checks that it exists.
    (&[""], &["namespaces"], &["get"]),
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn rules(without: Option<(&str, &str)>) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    for (groups, resources, verbs) in ROLE_RULES {
        for resource in *resources {
            let verbs: Vec<&str> = verbs
                .iter()
                .copied()
                .filter(|v| {
                    !without.is_some_and(|(r, vs)| r == *resource && vs.split(',').any(|x| x == *v))
                })
                .collect();
            if verbs.is_empty() {
                continue;
            }
            out.push(PolicyRule {
                api_groups: Some(strings(groups)),
                resources: Some(vec![resource.to_string()]),
                verbs: strings(&verbs),
                ..Default::default()
            });
        }
    }
    out
}

/// Sets the Role to the documented one, less `without` (resource, verbs separated by commas).
pub(crate) async fn set_role(
    client: &Client,
    ns: &str,
    without: Option<(&str, &str)>,
) -> Result<()> {
    let role = Role {
        metadata: ObjectMeta {
            name: Some(ROLE.into()),
            ..Default::default()
        },
        rules: Some(rules(without)),
    };
    Api::<Role>::namespaced(client.clone(), ns)
        .patch(
            ROLE,
            &PatchParams::apply("todoctl-test").force(),
            &Patch::Apply(&role),
        )
        .await?;
    Ok(())
}

/// The ServiceAccount, its RoleBinding and a kubeconfig with a fresh token; returns the
/// kubeconfig's path (inside `dir`).
pub(crate) async fn deployer(
    cluster: &Cluster,
    client: &Client,
    ns: &str,
    dir: &Path,
) -> Result<PathBuf> {
    let pp = PostParams::default();
    let accounts = Api::<ServiceAccount>::namespaced(client.clone(), ns);
    accounts
        .create(
            &pp,
            &ServiceAccount {
                metadata: ObjectMeta {
                    name: Some(ACCOUNT.into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await?;
    set_role(client, ns, None).await?;
    Api::<RoleBinding>::namespaced(client.clone(), ns)
        .create(
            &pp,
            &RoleBinding {
                metadata: ObjectMeta {
                    name: Some(ROLE.into()),
                    ..Default::default()
                },
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "Role".into(),
                    name: ROLE.into(),
                },
                subjects: Some(vec![Subject {
                    kind: "ServiceAccount".into(),
                    name: ACCOUNT.into(),
                    namespace: Some(ns.into()),
                    ..Default::default()
                }]),
            },
        )
        .await?;
    let token = accounts
        .create_token_request(
            ACCOUNT,
            &pp,
            &TokenRequest {
                spec: TokenRequestSpec {
                    audiences: vec![],
                    expiration_seconds: Some(3600),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await?
        .status
        .context("the TokenRequest has a status")?
        .token;

    // The admin kubeconfig's cluster (server and CA), with the token as the only credential.
    let admin = Kubeconfig::read_from(&cluster.kubeconfig)?;
    let server = admin.clusters.first().context("a cluster")?;
    let cluster_yaml = serde_json::to_value(server)?;
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster_yaml],
        "users": [{ "name": ACCOUNT, "user": { "token": token } }],
        "contexts": [{ "name": ACCOUNT, "context": { "cluster": server.name, "user": ACCOUNT, "namespace": ns } }],
        "current-context": ACCOUNT,
    });
    let path = dir.join("kubeconfig");
    std::fs::write(&path, serde_json::to_vec(&kubeconfig)?)?;
    Ok(path)
}

/// `todoctl ARGS -n NS` as the deployer whose kubeconfig is `kubeconfig`.
pub(crate) fn todoctl(env: &TestEnv, kubeconfig: &Path, args: &[&str]) -> Output {
    env.todoctl()
        .kubeconfig(kubeconfig)
        .args(args)
        .timeout(std::time::Duration::from_secs(180))
        .run()
}

/// The release's objects (not its records or lock): kind/name -> resourceVersion.
async fn objects(client: &Client, ns: &str) -> Result<BTreeMap<String, String>> {
    async fn add<K>(out: &mut BTreeMap<String, String>, api: Api<K>) -> Result<()>
    where
        K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
    {
        let lp = ListParams::default().labels("app.kubernetes.io/managed-by=todoctl");
        for o in api.list_metadata(&lp).await?.items {
            let name = o.metadata.name.unwrap_or_default();
            if name.starts_with("todoctl.release.") {
                continue;
            }
            out.insert(
                format!("{}/{name}", K::kind(&())),
                o.metadata.resource_version.unwrap_or_default(),
            );
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    add(&mut out, Api::<ConfigMap>::namespaced(client.clone(), ns)).await?;
    add(&mut out, Api::<Secret>::namespaced(client.clone(), ns)).await?;
    add(&mut out, Api::<Service>::namespaced(client.clone(), ns)).await?;
    add(
        &mut out,
        Api::<ServiceAccount>::namespaced(client.clone(), ns),
    )
    .await?;
    add(&mut out, Api::<Deployment>::namespaced(client.clone(), ns)).await?;
    add(&mut out, Api::<StatefulSet>::namespaced(client.clone(), ns)).await?;
    Ok(out)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_works_with_exactly_the_documented_role() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let env = TestEnv::on(&cluster, "rbac").await?;
    let ns = env.ns();
    let client = cluster.client().await;
    let dir = tempfile::tempdir()?;
    let kc = deployer(&cluster, &client, ns, dir.path()).await?;

    let steps: &[&[&str]] = &[
        &["install", "--set", ANY_NODE_PORT],
        &["upgrade", "--set", "backend.replicaCount=3"],
        &[
            "upgrade",
            "--set",
            "database.enabled=true,database.auth.password=rbac-test-only",
        ],
        &["history"],
        &["status"],
        &["diff", "--set", "backend.replicaCount=4"],
        &["get", "values"],
        &["rollback", "1"],
        &["uninstall"],
    ];
    for args in steps {
        todoctl(&env, &kc, args).success();
    }
    assert!(objects(&client, ns).await?.is_empty());
    Ok(())
}

/// One verb taken away, and the command that needs it.
struct Narrower {
    resource: &'static str,
    verb: &'static str,
    command: &'static [&'static str],
}

fn narrower_cases() -> Vec<Narrower> {
    let upgrade: &'static [&'static str] = &["upgrade", "--set", "backend.replicaCount=3"];
    let case = |resource, verb, command| Narrower {
        resource,
        verb,
        command,
    };
    vec![
        case("secrets", "create", upgrade),
        case("secrets", "list", &["history"]),
        case("secrets", "list", &["status"]),
        case("namespaces", "get", upgrade),
        case("deployments", "patch", upgrade),
        case(
            "deployments",
            "patch",
            &["diff", "--set", "backend.replicaCount=3"],
        ),
        case("leases", "create", upgrade),
        case("deployments", "delete", &["uninstall"]),
    ]
}

/// Runs each case as the deployer with one verb taken away; returns what went wrong and the
/// errors for a snapshot.
async fn check_narrower(prefix: &str, cases: &[Narrower]) -> Result<(Vec<String>, String)> {
    let Some(cluster) = harness::cluster() else {
        return Ok((Vec::new(), String::new()));
    };
    let env = TestEnv::on(&cluster, prefix).await?;
    let ns = env.ns();
    let client = cluster.client().await;
    let dir = tempfile::tempdir()?;
    let kc = deployer(&cluster, &client, ns, dir.path()).await?;
    todoctl(&env, &kc, &["install", "--set", ANY_NODE_PORT]).success();
    let mut failures = Vec::new();
    let mut errors = String::new();
    // A message cut short with `…` is cut at a width, so where depends on the length of the
    // namespace's name: the part after the refused verb and resource is left out.
    let cut = regex::Regex::new(r#"(cannot \w+ resource "\w+")[^\n]*…"#)?;
    for case in cases {
        set_role(&client, ns, Some((case.resource, case.verb))).await?;
        let before = objects(&client, ns).await?;
        let out = todoctl(&env, &kc, case.command);
        let after = objects(&client, ns).await?;
        set_role(&client, ns, None).await?;
        let mut wrong = Vec::new();
        if out.code != 1 {
            wrong.push(format!("exit code {}", out.code));
        }
        if !out.stderr.contains("error: ") {
            wrong.push("no `error: ` in stderr".into());
        } else {
            // What it says (the verb and resource refused) is in the snapshot.
            errors.push_str(&format!(
                "# without {} {}\n{}",
                case.verb,
                case.resource,
                cut.replace_all(&out.transcript(), "$1 <cut off>…")
            ));
        }
        for bad in ["panicked", "Error {", "Status {", ", kind: "] {
            if out.stderr.contains(bad) {
                wrong.push(format!("`{bad}` in stderr"));
            }
        }
        if before != after {
            wrong.push("the release's objects changed".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "without {} {} ({}): {}\n{}",
                case.verb,
                case.resource,
                case.command.join(" "),
                wrong.join("; "),
                out.stderr
            ));
        }
    }
    // With the full Role back the release works as before.
    todoctl(&env, &kc, &["upgrade", "--set", "backend.replicaCount=2"]).success();
    Ok((failures, errors))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_narrower_role_is_refused_by_name_and_changes_nothing() -> Result<()> {
    let Some(_) = harness::cluster() else {
        return Ok(());
    };
    let (failures, errors) = check_narrower("rbac-narrow", &narrower_cases()).await?;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!(errors);
    Ok(())
}

/// An API error on one object that todoctl reports beside other output rather than as the
/// command's error (a status row, a warning) reads as the server's message and code, never as
/// kube's `Debug` dump of the server's Status: `status` with `get` on ConfigMaps refused, and an
/// upgrade whose pruning of old records is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_request_beside_the_output_is_a_sentence() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let env = TestEnv::on(&cluster, "rbac-sentence").await?;
    let ns = env.ns();
    let client = cluster.client().await;
    let dir = tempfile::tempdir()?;
    let kc = deployer(&cluster, &client, ns, dir.path()).await?;
    todoctl(&env, &kc, &["install", "--set", ANY_NODE_PORT]).success();

    let frontend_config = |status: &crate::command::Output| -> String {
        status
            .stdout
            .lines()
            .find(|l| l.contains("configmap/frontend-config"))
            .unwrap_or_else(|| panic!("no row for configmap/frontend-config: {status}"))
            .to_string()
    };

    // Without `get` on ConfigMaps, status still checks them: it reads untouched objects from
    // their kind's listing.
    set_role(&client, ns, Some(("configmaps", "get"))).await?;
    let status = todoctl(&env, &kc, &["status"]).success();
    let row = frontend_config(&status);
    assert!(
        row.contains("ready") && !row.contains("cannot be checked"),
        "{status}"
    );

    // Without `get` and `list`, the refusal is said in the object's row.
    set_role(&client, ns, Some(("configmaps", "get,list"))).await?;
    let status = todoctl(&env, &kc, &["status"]).success();
    let row = frontend_config(&status);
    assert!(
        row.contains("cannot be checked: ")
            && row.contains(r#"configmaps "frontend-config" is forbidden"#)
            && row.contains("(403 Forbidden)"),
        "{status}"
    );
    set_role(&client, ns, None).await?;

    set_role(&client, ns, Some(("secrets", "delete"))).await?;
    let upgrade = todoctl(
        &env,
        &kc,
        &[
            "upgrade",
            "--history-max",
            "1",
            "--set",
            "backend.replicaCount=2",
        ],
    )
    .success();
    let warning = upgrade
        .stderr
        .lines()
        .find(|l| l.contains("could not prune old revisions"))
        .unwrap_or_else(|| panic!("no warning about pruning: {upgrade}"));
    assert!(
        warning.contains(r#"secrets "todoctl.release.v1.todo-app.v1" is forbidden"#)
            && warning.contains("403"),
        "{upgrade}"
    );
    set_role(&client, ns, None).await?;
    Ok(())
}

/// Sets a ResourceQuota in `ns` that allows `hard` (resource -> count) and waits until the
/// quota controller has counted what is there: until then admission refuses everything it
/// covers with "status unknown for quota".
async fn set_quota(client: &Client, ns: &str, hard: &[(&str, &str)]) -> Result<()> {
    let quotas = Api::<ResourceQuota>::namespaced(client.clone(), ns);
    let quota = ResourceQuota {
        metadata: ObjectMeta {
            name: Some("limits".into()),
            ..Default::default()
        },
        spec: Some(ResourceQuotaSpec {
            hard: Some(
                hard.iter()
                    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
                    .collect(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    };
    quotas
        .patch(
            "limits",
            &PatchParams::apply("todoctl-test").force(),
            &Patch::Apply(&quota),
        )
        .await?;
    let started = std::time::Instant::now();
    loop {
        let q = quotas.get("limits").await?;
        let counted = q.status.and_then(|s| s.hard).unwrap_or_default();
        if hard
            .iter()
            .all(|(k, v)| counted.get(*k).map(|q| q.0.as_str()) == Some(*v))
        {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the quota controller never counted quota `limits`"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// A ResourceQuota answers 403 Forbidden as RBAC does: the error quotes the quota and does not
/// speak of a missing permission, for an object of the chart (ConfigMaps, refused by the
/// preflight's dry run) and for the release's record (Secrets, refused to the release store).
#[tokio::test(flavor = "multi_thread")]
async fn a_quota_refusal_is_not_described_as_missing_rbac() -> Result<()> {
    let Some(env) = TestEnv::new("quota").await? else {
        return Ok(());
    };
    let client = env.client().await;
    let quota_not_rbac = |out: &Output, what: &str| {
        let error = out.error();
        assert!(
            error.contains("exceeded quota: limits") && error.contains(what),
            "{out}"
        );
        assert!(
            !error.contains("rbac")
                && !error.contains("permission")
                && !error.contains("needs get"),
            "{out}"
        );
    };

    set_quota(&client, env.ns(), &[("configmaps", "0")]).await?;
    let out = env
        .run(["install", "--set", ANY_NODE_PORT, "--no-wait"])
        .failure(1);
    quota_not_rbac(&out, "configmap/");
    set_quota(&client, env.ns(), &[("configmaps", "10")]).await?;

    // Room for the Secrets there are, not for the upgrade's record.
    env.install(&["--no-wait"]);
    let secrets = Api::<Secret>::namespaced(client.clone(), env.ns())
        .list_metadata(&ListParams::default())
        .await?
        .items
        .len()
        .to_string();
    set_quota(&client, env.ns(), &[("secrets", &secrets)]).await?;
    let out = env.run(["upgrade", "--no-wait"]).failure(1);
    quota_not_rbac(&out, "todoctl.release.v1.todo-app.v2");
    assert_eq!(env.history().len(), 1, "{out}");
    Ok(())
}
