//! Damaged release state on the real control plane, driven through the commands a user runs: a
//! record with broken gzip, one with broken JSON, a revision missing from the middle of history,
//! and a record from a newer todoctl. The rest of the history must stay usable, errors must name
//! the record, and a newer-format record must never be changed or deleted.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, Client};
use serde_json::Value;
use todoctl::release::store::{DATA_KEY, secret_name, secrets_for};
use todoctl::release::{Status, decode};

use crate::command::{ANY_NODE_PORT, Output, TestEnv};

const RELEASE: &str = "todo-app";
/// Put into a damaged record where serde would quote it; it must never reach any output.
const SENTINEL: &str = "corrupt-sentinel-4f1c9e";

/// `todoctl ARGS -n NS`, with a time limit and the record content barred from its output.
fn todoctl(env: &TestEnv, args: &[&str]) -> Output {
    env.todoctl()
        .args(args)
        .timeout(Duration::from_secs(180))
        .forbid(SENTINEL)
        .run()
}

/// Exit 1 with one `error:` message and nothing before it; the entry for the test's snapshot.
#[track_caller]
fn refused(out: Output) -> String {
    let out = out.failure(1);
    assert!(out.stderr.starts_with("error: "), "{out}");
    // Where in the record JSON a field sits depends on the length of the namespace's name.
    let position = regex::Regex::new(r"at line \d+ column \d+").expect("a valid pattern");
    position
        .replace_all(&out.transcript(), "at line <n> column <n>")
        .into_owned()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip into memory");
    gz.finish().expect("gzip into memory")
}

/// (revision, status) of `history -o json`.
fn history(env: &TestEnv) -> Vec<(u64, String, String)> {
    env.history()
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
                r["description"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn revisions_and_statuses(rows: &[(u64, String, String)]) -> Vec<(u64, &str)> {
    rows.iter().map(|r| (r.0, r.1.as_str())).collect()
}

/// Every record Secret of the release: name -> (resourceVersion, hash of the data). A hash, so a
/// failed comparison prints no record content.
async fn records(client: &Client, ns: &str) -> Result<BTreeMap<String, (String, u64)>> {
    let list = Api::<Secret>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(&format!("todoctl.io/release={RELEASE}")))
        .await?;
    Ok(list
        .items
        .into_iter()
        .map(|s| {
            let data = s
                .data
                .as_ref()
                .and_then(|d| d.get(DATA_KEY))
                .map(|b| {
                    let mut h = DefaultHasher::new();
                    b.0.hash(&mut h);
                    h.finish()
                })
                .unwrap_or_default();
            (
                s.metadata.name.clone().unwrap_or_default(),
                (
                    s.metadata.resource_version.clone().unwrap_or_default(),
                    data,
                ),
            )
        })
        .collect())
}

/// Replaces the bytes of revision `revision`'s record, keeping its labels.
async fn damage(client: &Client, ns: &str, revision: u64, bytes: Vec<u8>) -> Result<()> {
    let api = Api::<Secret>::namespaced(client.clone(), ns);
    let name = secret_name(RELEASE, revision);
    let mut secret = api.get(&name).await?;
    secret.data = Some([(DATA_KEY.to_string(), ByteString(bytes))].into());
    api.replace(&name, &PostParams::default(), &secret).await?;
    Ok(())
}

/// How each record gets damaged, and what `history` must say about it.
struct Damage {
    revision: u64,
    how: &'static str,
    /// In history's description of the unreadable record.
    says: &'static str,
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_and_missing_records_leave_the_rest_usable() -> Result<()> {
    let Some(env) = TestEnv::new("corrupt").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let mut errors = String::new();

    // Revisions 1..=5: backend replicas 2 (the default), 3, 4, 5, 6.
    todoctl(&env, &["install", "--set", ANY_NODE_PORT]).success();
    for n in 3..=6 {
        let set = format!("backend.replicaCount={n}");
        todoctl(&env, &["upgrade", "--set", &set]).success();
    }
    assert_eq!(env.replicas("backend-deployment").await, Some(6));

    let secrets = Api::<Secret>::namespaced(client.clone(), ns);
    let good = secrets
        .get(&secret_name(RELEASE, 2))
        .await?
        .data
        .and_then(|mut d| d.remove(DATA_KEY))
        .context("record data")?
        .0;
    let cases = [
        Damage {
            revision: 2,
            how: "gzip cut in half",
            says: "not valid gzip",
        },
        Damage {
            revision: 3,
            how: "JSON with a wrong type",
            says: "not a valid todoctl release",
        },
    ];
    for case in &cases {
        let bytes = match case.revision {
            2 => good[..good.len() / 2].to_vec(),
            _ => {
                let mut v: Value = serde_json::from_slice(&decode_raw(&good))?;
                // serde would quote this string in its error; the record must not leak.
                v["revision"] = Value::String(SENTINEL.into());
                gzip(&serde_json::to_vec(&v)?)
            }
        };
        damage(&client, ns, case.revision, bytes)
            .await
            .with_context(|| case.how)?;
    }
    // Revision 4 disappears from the middle of the history.
    secrets
        .delete(&secret_name(RELEASE, 4), &DeleteParams::default())
        .await?;
    let before = records(&client, ns).await?;

    let rows = history(&env);
    assert_eq!(
        revisions_and_statuses(&rows),
        [
            (1, "superseded"),
            (2, "unreadable"),
            (3, "unreadable"),
            (5, "deployed")
        ]
    );
    for case in &cases {
        let row = rows.iter().find(|r| r.0 == case.revision).context("row")?;
        let secret = secret_name(RELEASE, case.revision);
        assert!(row.2.contains(&secret), "{}: {}", case.how, row.2);
        assert!(row.2.contains(case.says), "{}: {}", case.how, row.2);
    }
    let table = todoctl(&env, &["history"]).success().stdout;
    assert!(table.contains("todoctl.release.v1.todo-app.v2"), "{table}");

    let status = todoctl(&env, &["status"]).success().stdout;
    assert!(status.contains("STATUS: deployed"), "{status}");
    assert!(status.contains("REVISION: 5"), "{status}");
    let values = todoctl(&env, &["get", "values", "--revision", "1", "-o", "json"]).success();
    let values: Value = serde_json::from_str(&values.stdout)?;
    assert_eq!(values["frontend"]["service"]["nodePort"], Value::Null);
    todoctl(&env, &["get", "manifest"]).success();

    // Reading, or rolling back to, a broken or missing revision is refused by name, and
    // nothing changes.
    for case in &cases {
        let rev = case.revision.to_string();
        errors.push_str(&refused(todoctl(
            &env,
            &["get", "manifest", "--revision", &rev],
        )));
        errors.push_str(&refused(todoctl(&env, &["rollback", &rev])));
    }
    errors.push_str(&refused(todoctl(&env, &["rollback", "4"])));
    insta::assert_snapshot!(errors);
    assert_eq!(records(&client, ns).await?, before);
    assert_eq!(env.replicas("backend-deployment").await, Some(6));

    // Good revisions still work: a rollback becomes revision 6 (after the highest seen), an
    // upgrade revision 7, and the broken records stay as they were.
    let out = todoctl(&env, &["rollback", "1"]).success();
    assert!(out.stdout.contains("revision 6"), "{}", out.stdout);
    assert_eq!(env.replicas("backend-deployment").await, Some(2));
    todoctl(&env, &["upgrade", "--set", "backend.replicaCount=3"]).success();
    assert_eq!(env.replicas("backend-deployment").await, Some(3));
    let rows = history(&env);
    assert_eq!(
        revisions_and_statuses(&rows),
        [
            (1, "superseded"),
            (2, "unreadable"),
            (3, "unreadable"),
            (5, "superseded"),
            (6, "superseded"),
            (7, "deployed")
        ]
    );
    let after = records(&client, ns).await?;
    for rev in [2, 3] {
        let name = secret_name(RELEASE, rev);
        assert_eq!(after.get(&name), before.get(&name), "{name} was changed");
    }

    // Damaged records of this format do not block an uninstall, which removes them too.
    todoctl(&env, &["uninstall"]).success();
    assert!(records(&client, ns).await?.is_empty());
    assert_eq!(env.replicas("backend-deployment").await, None);
    Ok(())
}

/// The gzip'd JSON of a record, unpacked without looking at it.
fn decode_raw(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a record todoctl wrote is gzip");
    out
}

/// Writes revision `revision` as a todoctl of format 99 would: the layout of `secrets_for`, the
/// format in the record and in its label, status `status`.
async fn write_newer(client: &Client, ns: &str, revision: u64, status: Status) -> Result<()> {
    let api = Api::<Secret>::namespaced(client.clone(), ns);
    let base = api.get(&secret_name(RELEASE, 1)).await?;
    let bytes = base
        .data
        .and_then(|mut d| d.remove(DATA_KEY))
        .context("record data")?
        .0;
    let mut record = decode(&bytes)?;
    record.format = 99;
    record.revision = revision;
    record.status = status;
    record.description = "Upgrade complete".into();
    for secret in secrets_for(&record)? {
        api.create(&PostParams::default(), &secret).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn newer_format_record_is_never_overwritten_or_deleted() -> Result<()> {
    let Some(env) = TestEnv::new("corrupt-newer").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let mut errors = String::new();

    todoctl(&env, &["install", "--set", ANY_NODE_PORT]).success();
    write_newer(&client, ns, 2, Status::Superseded).await?;
    let newer = secret_name(RELEASE, 2);
    let newer = newer.as_str();
    let before = records(&client, ns).await?;
    assert!(before.contains_key(newer), "{newer} was not written");
    let check = |now: &BTreeMap<String, (String, u64)>, what: &str| {
        assert_eq!(now.get(newer), before.get(newer), "{what} changed {newer}");
    };

    let rows = history(&env);
    assert_eq!(
        revisions_and_statuses(&rows),
        [(1, "deployed"), (2, "unreadable")]
    );
    assert!(rows[1].2.contains(newer), "{}", rows[1].2);
    assert!(
        rows[1].2.contains("newer todoctl (format 99"),
        "{}",
        rows[1].2
    );
    errors.push_str(&refused(todoctl(
        &env,
        &["get", "values", "--revision", "2"],
    )));
    errors.push_str(&refused(todoctl(&env, &["rollback", "2"])));
    insta::assert_snapshot!(errors);

    // Upgrades and rollbacks work around it; pruning down to one record passes over it.
    todoctl(&env, &["upgrade", "--set", "backend.replicaCount=3"]).success();
    todoctl(&env, &["rollback", "1", "--history-max", "1"]).success();
    check(&records(&client, ns).await?, "upgrade or rollback");
    let rows = history(&env);
    assert!(
        rows.iter().any(|r| r.0 == 2 && r.1 == "unreadable"),
        "{rows:?}"
    );
    assert_eq!(
        rows.last().map(|r| (r.0, r.1.as_str())),
        Some((4, "deployed"))
    );

    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_refuses_before_deleting_anything_when_a_newer_record_exists() -> Result<()> {
    let Some(env) = TestEnv::new("corrupt-uninstall").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;
    let mut errors = String::new();
    todoctl(&env, &["install", "--set", ANY_NODE_PORT]).success();
    write_newer(&client, ns, 2, Status::Superseded).await?;
    let newer = secret_name(RELEASE, 2);
    let before = records(&client, ns).await?;

    // docs/release-format.md, "Format versions": `uninstall` refuses before deleting anything.
    for args in [&["uninstall"][..], &["uninstall", "--keep-history"]] {
        errors.push_str(&refused(todoctl(&env, args)));
        let now = records(&client, ns).await?;
        assert_eq!(
            now.get(&newer),
            before.get(&newer),
            "{args:?} changed {newer}"
        );
        assert_eq!(
            env.replicas("backend-deployment").await,
            Some(2),
            "{args:?} deleted the release's objects although it refused"
        );
    }
    insta::assert_snapshot!(errors);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn newer_format_latest_record_is_not_overwritten_by_an_upgrade() -> Result<()> {
    let Some(env) = TestEnv::new("corrupt-newest").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let client = env.client().await;

    // A newer todoctl deployed revision 2 after this one installed revision 1.
    todoctl(&env, &["install", "--set", ANY_NODE_PORT]).success();
    write_newer(&client, ns, 2, Status::Deployed).await?;
    let newer = secret_name(RELEASE, 2);
    let newer = newer.as_str();
    let before = records(&client, ns).await?;

    let out = todoctl(&env, &["upgrade", "--set", "backend.replicaCount=3"]);
    let after = records(&client, ns).await?;
    assert_eq!(
        after.get(newer),
        before.get(newer),
        "upgrade changed {newer}"
    );
    if out.code == 0 {
        // Allowed: the upgrade is recorded as revision 3, past the newer record.
        assert!(
            after.contains_key(&secret_name(RELEASE, 3)),
            "no record of revision 3"
        );
    } else {
        insta::assert_snapshot!(refused(out));
    }
    Ok(())
}
