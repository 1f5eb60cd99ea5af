//! The Secret release store against the real API server: records written, read, listed,
//! updated, pruned and deleted; chunked records; damaged and newer-format records.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{ListParams, ObjectMeta, PostParams};
use serde_json::json;
use todoctl::release::store::{CHUNK_SIZE, SECRET_TYPE, secret_name};
use todoctl::release::{
    ChartInfo, FORMAT, ManifestEntry, Release, SecretStore, Status, StoreError, TODOCTL_VERSION,
};

use crate::harness;

fn release(name: &str, namespace: &str, revision: u64, status: Status) -> Release {
    let at: jiff::Timestamp = "2026-11-20T12:00:00Z".parse().expect("a timestamp");
    Release {
        format: FORMAT,
        name: name.into(),
        namespace: namespace.into(),
        revision,
        status,
        description: if revision == 1 {
            "Install complete".into()
        } else {
            "Upgrade complete".into()
        },
        chart: ChartInfo {
            name: "todo-app".into(),
            version: "0.1.0".into(),
            app_version: Some("1.0.0".into()),
        },
        user_values: json!({ "replicas": revision, "db": { "password": "hunter2" } }),
        values: json!({ "replicas": revision, "image": { "tag": "1.0.0" } }),
        manifest: vec![ManifestEntry {
            template: "templates/backend.yaml".into(),
            object: json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": { "name": "backend", "namespace": namespace },
                "spec": { "replicas": revision },
            }),
        }],
        notes: None,
        first_deployed: at,
        updated: at + jiff::SignedDuration::from_secs(revision as i64),
        todoctl_version: TODOCTL_VERSION.into(),
        generated: Default::default(),
        secret_paths: Vec::new(),
        tests: Vec::new(),
        last_test: None,
        post_renderer: None,
    }
}

/// Revisions 1..=n: all superseded but the last, which is deployed.
async fn record_history(store: &SecretStore, name: &str, n: u64) -> Result<()> {
    for rev in 1..=n {
        let status = if rev == n {
            Status::Deployed
        } else {
            Status::Superseded
        };
        store
            .create(&release(name, &store.namespace, rev, status))
            .await?;
    }
    Ok(())
}

fn revisions(releases: &[Release]) -> Vec<u64> {
    releases.iter().map(|r| r.revision).collect()
}

async fn secret_names(secrets: &Api<Secret>, release: &str) -> Result<Vec<String>> {
    let list = secrets
        .list_metadata(&ListParams::default().labels(&format!("todoctl.io/release={release}")))
        .await?;
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|s| s.metadata.name)
        .collect();
    names.sort();
    Ok(names)
}

/// Text that gzip barely shrinks: `len` characters of a xorshift stream in the base64 alphabet
/// (6 bits of noise per byte, so about 3/4 of it survives compression).
fn noise(len: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut s = String::with_capacity(len + 10);
    while s.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.extend((0..10).map(|i| char::from(ALPHABET[((x >> (i * 6)) & 63) as usize])));
    }
    s.truncate(len);
    s
}

/// How many Secrets a record takes.
fn secrets_needed(r: &Release) -> usize {
    todoctl::release::encode(r).len().div_ceil(CHUNK_SIZE)
}

#[tokio::test(flavor = "multi_thread")]
async fn create_get_update_latest_and_history() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());

    assert!(store.latest("todo").await?.is_none());
    assert!(store.get("todo", 1).await?.is_none());
    assert!(store.history("todo").await?.releases.is_empty());

    record_history(&store, "todo", 3).await?;
    let second = release("todo", ns.name(), 2, Status::Superseded);
    assert_eq!(store.get("todo", 2).await?, Some(second.clone()));

    // Creating an existing revision is the typed error callers branch on.
    let err = store.create(&second).await.expect_err("revision 2 exists");
    assert!(
        matches!(
            err.downcast_ref::<StoreError>(),
            Some(StoreError::RevisionExists { revision: 2, .. })
        ),
        "{err:#}"
    );

    // Revision 4 fails; the status label follows the record.
    store
        .create(&release("todo", ns.name(), 4, Status::PendingUpgrade))
        .await?;
    let mut failed = release("todo", ns.name(), 4, Status::Failed);
    failed.description = "Upgrade failed: deployment/backend did not become ready".into();
    store.update(&failed).await?;
    assert_eq!(store.latest("todo").await?, Some(failed.clone()));
    let secrets = Api::<Secret>::namespaced(store.client.clone(), ns.name());
    let stored = secrets.get(&secret_name("todo", 4)).await?;
    assert_eq!(
        stored
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("todoctl.io/status"))
            .map(String::as_str),
        Some("failed")
    );
    assert_eq!(stored.type_.as_deref(), Some(SECRET_TYPE));

    // Updating a revision that was never recorded names it.
    let err = store
        .update(&release("todo", ns.name(), 9, Status::Deployed))
        .await
        .expect_err("no revision 9");
    assert!(
        matches!(
            err.downcast_ref::<StoreError>(),
            Some(StoreError::NotFound { revision: 9, .. })
        ),
        "{err:#}"
    );

    // Another release in the namespace does not leak into this history.
    record_history(&store, "other", 1).await?;
    let history = store.history("todo").await?;
    assert_eq!(revisions(&history.releases), [1, 2, 3, 4]);
    assert!(history.broken.is_empty());
    assert_eq!(history.releases[3], failed);

    assert!(store.delete("todo", 4).await?);
    assert!(!store.delete("todo", 4).await?);
    assert_eq!(
        store.latest("todo").await?.map(|r| r.revision),
        Some(3),
        "latest after deleting 4"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_delete_all_and_list() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store-prune").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());

    // 1-3 superseded, 4 failed, 5 deployed, 6 failed (latest).
    for (rev, status) in [
        (1, Status::Superseded),
        (2, Status::Superseded),
        (3, Status::Superseded),
        (4, Status::Failed),
        (5, Status::Deployed),
        (6, Status::Failed),
    ] {
        store
            .create(&release("todo", ns.name(), rev, status))
            .await?;
    }
    assert_eq!(store.prune("todo", 0).await?, Vec::<u64>::new());
    assert_eq!(store.prune("todo", 4).await?, [1, 2]);
    assert_eq!(
        revisions(&store.history("todo").await?.releases),
        [3, 4, 5, 6]
    );
    // Keep 1: the deployed and the latest survive whatever `keep` says.
    assert_eq!(store.prune("todo", 1).await?, [3, 4]);
    assert_eq!(revisions(&store.history("todo").await?.releases), [5, 6]);

    // list: the latest record of each release, in one namespace or all.
    record_history(&store, "api", 2).await?;
    let listed = store.list(Some(ns.name())).await?;
    let names: Vec<(&str, u64)> = listed
        .iter()
        .map(|r| (r.name.as_str(), r.revision))
        .collect();
    assert_eq!(names, [("api", 2), ("todo", 6)]);
    let everywhere = store.list(None).await?;
    ensure!(
        everywhere
            .iter()
            .any(|r| r.namespace == ns.name() && r.name == "api" && r.revision == 2),
        "list(None) misses release `api` in `{}`",
        ns.name()
    );

    assert_eq!(store.delete_all("todo").await?, 2);
    assert!(store.history("todo").await?.releases.is_empty());
    assert_eq!(revisions(&store.history("api").await?.releases), [1, 2]);
    assert_eq!(store.delete_all("todo").await?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn chunked_record_round_trips() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store-chunks").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());
    let secrets = Api::<Secret>::namespaced(store.client.clone(), ns.name());

    // 4 MB of noise: about 3 MB gzip'd, four Secrets' worth.
    let mut big = release("big", ns.name(), 1, Status::PendingInstall);
    big.manifest.push(ManifestEntry {
        template: "templates/blob.yaml".into(),
        object: json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": { "name": "blob" },
            "data": { "blob": noise(4_000_000) },
        }),
    });
    let needed = secrets_needed(&big);
    assert!(needed >= 4, "{needed} Secrets");
    store.create(&big).await?;
    let main = secret_name("big", 1);
    let mut expected = vec![main.clone()];
    expected.extend((2..=needed).map(|i| format!("{main}.c{i}")));
    assert_eq!(secret_names(&secrets, "big").await?, expected);
    assert_eq!(store.get("big", 1).await?.as_ref(), Some(&big));
    assert_eq!(store.latest("big").await?.as_ref(), Some(&big));

    // Revision 2 is small; the history reassembles 1 from the same listing.
    store
        .create(&release("big", ns.name(), 2, Status::Deployed))
        .await?;
    let history = store.history("big").await?;
    assert!(history.broken.is_empty(), "{:?}", history.broken);
    assert_eq!(history.releases[0], big);
    let listed = store.list(Some(ns.name())).await?;
    assert_eq!(revisions(&listed), [2]);

    // Updating to a smaller record removes the chunks it no longer needs; a bigger one adds.
    big.status = Status::Failed;
    big.manifest[1].object["data"]["blob"] = json!(noise(1_500_000));
    let fewer = secrets_needed(&big);
    assert!(fewer < needed && fewer > 1, "{fewer} Secrets");
    store.update(&big).await?;
    assert_eq!(secret_names(&secrets, "big").await?.len(), fewer + 1);
    assert_eq!(store.get("big", 1).await?.as_ref(), Some(&big));
    big.manifest[1].object["data"]["blob"] = json!(noise(6_000_000));
    let more = secrets_needed(&big);
    assert!(more > needed, "{more} Secrets");
    store.update(&big).await?;
    assert_eq!(secret_names(&secrets, "big").await?.len(), more + 1);
    assert_eq!(store.get("big", 1).await?.as_ref(), Some(&big));

    assert!(store.delete("big", 1).await?);
    assert_eq!(
        secret_names(&secrets, "big").await?,
        [secret_name("big", 2)]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_record_is_reported_and_the_rest_load() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store-broken").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());
    let secrets = Api::<Secret>::namespaced(store.client.clone(), ns.name());
    record_history(&store, "todo", 3).await?;

    // Damage revision 2 the way a hand edit would: valid base64, broken gzip.
    let name = secret_name("todo", 2);
    let mut damaged = secrets.get(&name).await?;
    let data = damaged.data.as_mut().context("record has data")?;
    let bytes = &mut data.get_mut("release").context("release key")?.0;
    let mid = bytes.len() / 2;
    bytes.truncate(mid);
    secrets
        .replace(&name, &PostParams::default(), &damaged)
        .await?;

    let history = store.history("todo").await?;
    assert_eq!(revisions(&history.releases), [1, 3]);
    assert_eq!(history.broken.len(), 1);
    let broken = &history.broken[0];
    assert_eq!(
        (broken.revision, broken.secret.as_str()),
        (2, name.as_str())
    );
    assert!(broken.error.contains("not valid gzip"), "{}", broken.error);

    let err = store.get("todo", 2).await.expect_err("damaged");
    let msg = format!("{err:#}");
    assert!(msg.contains(&name) && msg.contains("revision 2"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");

    // The latest is readable, so list and latest are unaffected.
    assert_eq!(store.latest("todo").await?.map(|r| r.revision), Some(3));
    Ok(())
}

/// Read-only commands keep one record whole and only the summary of the others; the newest
/// readable record counts as the latest even when a newer one is broken.
#[tokio::test(flavor = "multi_thread")]
async fn reads_that_keep_one_record_whole() -> Result<()> {
    use todoctl::ops::{Keep, read_history_keeping};
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store-keep").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());
    let secrets = Api::<Secret>::namespaced(store.client.clone(), ns.name());
    record_history(&store, "todo", 4).await?;

    let mut visited = Vec::new();
    store
        .history_with("todo", |r, latest| visited.push((r.revision, latest)))
        .await?;
    assert_eq!(visited, [(4, true), (3, false), (2, false), (1, false)]);

    // Break the newest record: revision 3 is then the latest readable one.
    let name = secret_name("todo", 4);
    let mut damaged = secrets.get(&name).await?;
    let data = damaged.data.as_mut().context("record has data")?;
    data.get_mut("release")
        .context("release key")?
        .0
        .truncate(10);
    secrets
        .replace(&name, &PostParams::default(), &damaged)
        .await?;

    let whole = |h: &todoctl::release::History| -> Vec<u64> {
        h.releases
            .iter()
            .filter(|r| !r.manifest.is_empty() && !r.values.is_null())
            .map(|r| r.revision)
            .collect()
    };
    let latest =
        read_history_keeping(&todoctl::ui::Ui::quiet(), &store, "todo", Keep::Latest).await?;
    assert_eq!(revisions(&latest.releases), [1, 2, 3]);
    assert_eq!(whole(&latest), [3]);
    // Summaries stay: status, chart and description of every readable revision.
    assert!(latest.releases.iter().all(|r| r.chart.name == "todo-app"));
    assert_eq!(latest.releases[0].description, "Install complete");

    let second =
        read_history_keeping(&todoctl::ui::Ui::quiet(), &store, "todo", Keep::Revision(2)).await?;
    assert_eq!(whole(&second), [2]);
    assert_eq!(
        second.releases[1],
        release("todo", ns.name(), 2, Status::Superseded)
    );

    let all = read_history_keeping(&todoctl::ui::Ui::quiet(), &store, "todo", Keep::All).await?;
    assert_eq!(whole(&all), [1, 2, 3]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn newer_format_record_is_never_changed() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store-newer").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());
    let secrets = Api::<Secret>::namespaced(store.client.clone(), ns.name());
    store
        .create(&release("todo", ns.name(), 1, Status::Superseded))
        .await?;

    // What a future todoctl might write as revision 2: a shape this build does not know.
    let newer = FORMAT + 1;
    let json = json!({ "format": newer, "name": "todo", "revision": 2, "spec": {} });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json.to_string().as_bytes())?;
    let name = secret_name("todo", 2);
    let labels = [
        ("app.kubernetes.io/managed-by", "todoctl".to_string()),
        ("todoctl.io/release", "todo".to_string()),
        ("todoctl.io/revision", "2".to_string()),
        ("todoctl.io/status", "superseded".to_string()),
        ("todoctl.io/format", newer.to_string()),
    ];
    secrets
        .create(
            &PostParams::default(),
            &Secret {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    labels: Some(labels.map(|(k, v)| (k.to_string(), v)).into()),
                    ..Default::default()
                },
                type_: Some(SECRET_TYPE.into()),
                data: Some([("release".to_string(), ByteString(gz.finish()?))].into()),
                ..Default::default()
            },
        )
        .await?;

    store
        .create(&release("todo", ns.name(), 3, Status::Deployed))
        .await?;

    let is_newer = |err: &anyhow::Error| {
        matches!(
            err.downcast_ref::<StoreError>(),
            Some(StoreError::NewerFormat { found, .. }) if *found == newer
        )
    };
    let err = store
        .update(&release("todo", ns.name(), 2, Status::Superseded))
        .await
        .expect_err("update refused");
    assert!(is_newer(&err), "{err:#}");
    assert!(err.to_string().contains("upgrade todoctl"), "{err}");
    let err = store.delete("todo", 2).await.expect_err("delete refused");
    assert!(is_newer(&err), "{err:#}");
    let err = store
        .delete_all("todo")
        .await
        .expect_err("delete_all refused");
    assert!(is_newer(&err), "{err:#}");
    // Nothing was deleted, not even the old revisions.
    assert_eq!(secret_names(&secrets, "todo").await?.len(), 3);

    // Pruning passes over it although its label says `superseded`.
    assert_eq!(store.prune("todo", 1).await?, [1]);
    let history = store.history("todo").await?;
    assert_eq!(revisions(&history.releases), [3]);
    assert_eq!(history.broken.len(), 1);
    assert!(
        history.broken[0].error.contains("newer todoctl"),
        "{}",
        history.broken[0].error
    );
    assert_eq!(store.latest("todo").await?.map(|r| r.revision), Some(3));
    Ok(())
}

/// A record the size of the built-in chart's: eight objects, about 8 KB of JSON.
fn typical(name: &str, namespace: &str, revision: u64, status: Status) -> Release {
    let mut r = release(name, namespace, revision, status);
    r.manifest = (0..8)
        .map(|i| ManifestEntry {
            template: format!("templates/part-{i}.yaml"),
            object: json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": format!("todo-app-{i}"),
                    "namespace": namespace,
                    "labels": { "app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": name },
                },
                "spec": {
                    "replicas": revision,
                    "template": { "spec": { "containers": [{
                        "name": "app",
                        "image": format!("ghcr.io/example/todo-{i}:1.0.{revision}"),
                        "env": (0..12).map(|e| json!({ "name": format!("SETTING_{e}"), "value": format!("value-{i}-{e}-{revision}") })).collect::<Vec<_>>(),
                        "readinessProbe": { "httpGet": { "path": "/healthz", "port": 8080 }, "periodSeconds": 5 },
                        "resources": { "requests": { "cpu": "100m", "memory": "128Mi" } },
                    }]}},
                },
            }),
        })
        .collect();
    r
}

/// Reads a history of 100 revisions whole, and prints what it cost: a figure to read, not a
/// limit to assert (machines are shared; benches/ measures it).
#[tokio::test(flavor = "multi_thread")]
async fn history_of_100_revisions() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("store-100").await?;
    let store = SecretStore::new(cluster.client().await, ns.name());
    let creates = (1..=100u64).map(|rev| {
        let store = store.clone();
        let ns = ns.name().to_string();
        async move {
            let status = if rev == 100 {
                Status::Deployed
            } else {
                Status::Superseded
            };
            store.create(&typical("todo", &ns, rev, status)).await
        }
    });
    futures::future::try_join_all(creates).await?;

    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let history = store.history("todo").await?;
        times.push(start.elapsed());
        assert_eq!(history.releases.len(), 100);
    }
    times.sort();
    // The share of the time that is the API server's and the transfer's.
    let secrets = Api::<Secret>::namespaced(store.client.clone(), ns.name());
    let start = Instant::now();
    let raw = secrets
        .list(&ListParams::default().labels("todoctl.io/release=todo"))
        .await?;
    let list_time = start.elapsed();
    let bytes: usize = raw
        .items
        .iter()
        .filter_map(|s| s.data.as_ref()?.get("release"))
        .map(|b| b.0.len())
        .sum();
    let start = Instant::now();
    let latest = store.latest("todo").await?;
    let latest_time = start.elapsed();
    assert_eq!(latest.map(|r| r.revision), Some(100));
    let _ = writeln!(
        std::io::stderr(),
        "history of 100 revisions ({bytes} record bytes): median {:?}, max {:?}; the LIST alone: {list_time:?}; latest: {latest_time:?}",
        times[2],
        times[4],
    );
    Ok(())
}
