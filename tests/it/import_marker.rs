//! The import marker `todoctl import helm` leaves when it stops, against the real API server:
//! while the import has not committed no read shows the release (`history`, `status`, `get`,
//! `list`, `list -A`), once it has every read does, and the next command that takes the lock
//! undoes or finishes it, also for a marker written without the release label.

use anyhow::Result;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{DeleteParams, ObjectMeta, PostParams};
use serde_json::json;

use crate::command::TestEnv;

const MARKER: &str = "todoctl.import.v1.todo-app";

/// The marker of an import of Helm release `todo-app-local` into `todo-app` that took over no
/// object and no Helm record, at `phase`, as docs/release-format.md describes it; without the
/// release label when `release_label` is false (as an earlier todoctl wrote it).
fn marker(phase: &str, release_label: bool) -> Secret {
    let mut labels = vec![
        ("app.kubernetes.io/managed-by", "todoctl"),
        ("todoctl.io/import-of", "todo-app"),
    ];
    if release_label {
        labels.push(("todoctl.io/release", "todo-app"));
    }
    let plan = json!({
        "helm_release": "todo-app-local",
        "driver": "secret",
        "delete_helm_records": false,
        "objects": [],
        "helm_records": [],
    });
    Secret {
        metadata: ObjectMeta {
            name: Some(MARKER.into()),
            labels: Some(
                labels
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Default::default()
        },
        type_: Some("todoctl.io/import.v1".into()),
        data: Some(
            [
                ("phase".to_string(), ByteString(phase.as_bytes().to_vec())),
                (
                    "plan".to_string(),
                    ByteString(plan.to_string().into_bytes()),
                ),
            ]
            .into(),
        ),
        ..Default::default()
    }
}

/// The names of the releases `todoctl list ARGS -o json` shows in `ns`.
fn listed(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let out = env.ok([&["list", "-o", "json"], args].concat());
    out.json()
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["namespace"] == env.ns())
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_read_shows_a_release_whose_import_has_not_committed() -> Result<()> {
    let Some(env) = TestEnv::installed("marker-reads", &["--no-wait"]).await? else {
        return Ok(());
    };
    let secrets = Api::<Secret>::namespaced(env.client().await, env.ns());
    secrets
        .create(&PostParams::default(), &marker("records", true))
        .await?;
    for args in [
        &["history"][..],
        &["status"],
        &["get", "values"],
        &["get", "manifest"],
    ] {
        let out = env.run(args);
        assert_ne!(out.code, 0, "the uncommitted import shows: {out}");
        assert!(out.stderr.contains("not found"), "{out}");
    }
    assert_eq!(listed(&env, &[]), Vec::<String>::new(), "list");
    assert_eq!(listed(&env, &["-A"]), Vec::<String>::new(), "list -A");

    // Committed: the records are the release's, and every read agrees.
    secrets.delete(MARKER, &DeleteParams::default()).await?;
    secrets
        .create(&PostParams::default(), &marker("takeover", true))
        .await?;
    assert_eq!(env.statuses().len(), 1);
    env.ok(["status"]);
    assert_eq!(listed(&env, &[]), ["todo-app"]);
    assert_eq!(listed(&env, &["-A"]), ["todo-app"]);

    // The next command under the lock finishes the takeover, then does its own work.
    let out = env.ok(["upgrade", "--no-wait"]);
    assert!(
        out.stderr
            .contains("its takeover of the objects was finished now"),
        "{out}"
    );
    assert!(
        secrets.get_opt(MARKER).await?.is_none(),
        "the marker is left"
    );
    assert_eq!(env.statuses().len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_marker_without_the_release_label_is_still_undone_by_the_next_command() -> Result<()> {
    let Some(env) = TestEnv::installed("marker-old", &["--no-wait"]).await? else {
        return Ok(());
    };
    let secrets = Api::<Secret>::namespaced(env.client().await, env.ns());
    secrets
        .create(&PostParams::default(), &marker("records", false))
        .await?;
    // The records belong to the import that stopped: the upgrade deletes them first, and then
    // finds no release to upgrade.
    let out = env.run(["upgrade", "--no-wait"]);
    assert!(
        out.stderr
            .contains("stopped before it was complete; what it had written (1 record) was deleted"),
        "{out}"
    );
    assert_ne!(out.code, 0, "{out}");
    assert!(
        secrets.get_opt(MARKER).await?.is_none(),
        "the marker is left"
    );
    let left = secrets
        .list(&kube::api::ListParams::default().labels("todoctl.io/release=todo-app"))
        .await?;
    assert!(left.items.is_empty(), "records left: {}", left.items.len());
    Ok(())
}
