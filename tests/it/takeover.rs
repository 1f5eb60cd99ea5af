//! A lock that is lost stops its holder: an upgrade whose lock is removed (`unlock`) or expires
//! (the process stopped) while it waits must write nothing more, and whatever order things
//! happen in, the release ends with exactly one `deployed` revision and live objects that hold
//! what the newest record says. Also: an object changed under todoctl's own field manager is
//! restored by a plain upgrade.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::Value;
use todoctl::release::{SecretStore, Status};

use crate::command::{ANY_NODE_PORT, Output, TestEnv, Todoctl};
use crate::harness;

/// Lock lifetime of the first operation: renewed every 2 s, lost 6 s after its last renewal.
const TTL: &str = "6";

/// A todoctl run in the background whose stderr is collected line by line.
struct Background {
    cmd: Todoctl,
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Background {
    fn start(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Background {
        let mut cmd = env.todoctl().args(args).env("TODOCTL_LOCK_TTL", TTL);
        for (k, v) in vars {
            cmd = cmd.env(k, v);
        }
        let mut child = cmd
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning todoctl");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Background {
            cmd,
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits until a stderr line contains `marker`.
    fn wait_for_line(&mut self, marker: &str, timeout: Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.seen.iter().any(|l| l.contains(marker)) {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => bail!(
                    "no line with `{marker}` within {timeout:?}; stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status();
    }

    /// Waits for the process to exit; its output (stdout was not kept).
    fn finish(mut self, timeout: Duration) -> Result<Output> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
                    self.seen.push(line);
                }
                let mut stderr = self.seen.join("\n").into_bytes();
                stderr.push(b'\n');
                return Ok(self.cmd.clone().finish(std::process::Output {
                    status,
                    stdout: Vec::new(),
                    stderr,
                }));
            }
            if std::time::Instant::now() >= deadline {
                let _ = self.child.kill();
                bail!(
                    "the first operation did not stop within {timeout:?}; stderr:\n{}",
                    self.seen.join("\n")
                );
            }
            while let Ok(line) = self.lines.try_recv() {
                self.seen.push(line);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lost holder's exit: exit code 4, one error naming the loss (the snapshot `name`), no
/// panic, and no claim of success.
#[track_caller]
fn assert_stopped_by_loss(out: Output, name: &str) -> Output {
    let out = out.failure(4);
    // How the loss was seen (the lease deleted, or already taken over by the next operation)
    // and who holds the lock by the time the error is written depend on timing.
    let why = regex::Regex::new("no longer locked by this operation: .*?; another operation")
        .expect("a valid pattern");
    let now = regex::Regex::new("; (the lock is now held by [^\n]*|nobody holds the lock now)")
        .expect("a valid pattern");
    let error = out.error();
    let error = why.replace(
        &error,
        "no longer locked by this operation: <how>; another operation",
    );
    insta::assert_snapshot!(name, now.replace(&error, "; <who holds the lock now>"));
    out
}

/// Exactly one revision is `deployed`, it is the newest that did not fail, nothing is pending,
/// and every Deployment and ConfigMap of that revision holds live what its record says.
async fn assert_converged(env: &TestEnv) -> Result<()> {
    let (cluster, ns) = (&env.cluster, env.ns());
    let h = env.statuses();
    let deployed: Vec<u64> = h
        .iter()
        .filter(|(_, s)| s == "deployed")
        .map(|(r, _)| *r)
        .collect();
    ensure!(deployed.len() == 1, "not exactly one deployed: {h:?}");
    ensure!(
        !h.iter().any(|(_, s)| s.starts_with("pending")),
        "pending left: {h:?}"
    );
    let newest_good = h.iter().rev().find(|(_, s)| s != "failed").map(|(r, _)| *r);
    ensure!(Some(deployed[0]) == newest_good, "{h:?}");

    let client = cluster.client().await;
    let store = SecretStore::new(client.clone(), ns);
    let record = store
        .get("todo-app", deployed[0])
        .await?
        .context("the deployed revision has no record")?;
    ensure!(record.status == Status::Deployed);
    let mut compared = 0;
    for entry in &record.manifest {
        let kind = entry.object["kind"].as_str().unwrap_or_default();
        let name = entry.object["metadata"]["name"]
            .as_str()
            .unwrap_or_default();
        let live = match kind {
            "Deployment" => serde_json::to_value(
                Api::<Deployment>::namespaced(client.clone(), ns)
                    .get(name)
                    .await?,
            )?,
            "ConfigMap" => serde_json::to_value(
                Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(client.clone(), ns)
                    .get(name)
                    .await?,
            )?,
            _ => continue,
        };
        let mut differences = Vec::new();
        differ("", &entry.object, &live, &mut differences);
        ensure!(
            differences.is_empty(),
            "{kind}/{name} differs from revision {}: {differences:?}",
            deployed[0]
        );
        compared += 1;
    }
    ensure!(compared >= 2, "compared only {compared} objects");
    Ok(())
}

/// Paths where `live` does not hold a value of `recorded` (maps by key, lists by position).
fn differ(path: &str, recorded: &Value, live: &Value, out: &mut Vec<String>) {
    match (recorded, live) {
        (Value::Object(want), Value::Object(have)) => {
            for (k, v) in want {
                match have.get(k) {
                    Some(h) => differ(&format!("{path}.{k}"), v, h, out),
                    None if v.is_null() => {}
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(want), Value::Array(have)) if want.len() == have.len() => {
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                differ(&format!("{path}[{i}]"), w, h, out);
            }
        }
        (want, have) if want == have => {}
        // The API server writes resource quantities in canonical form (`1000m` as `1`).
        (Value::String(want), Value::String(have))
            if path.contains(".resources.")
                && amount(want).is_some()
                && amount(want) == amount(have) => {}
        (want, have) => out.push(format!("{path}: recorded {want}, live {have}")),
    }
}

/// A CPU or memory quantity in milli-units, for the suffixes the chart uses.
fn amount(q: &str) -> Option<u128> {
    let (number, factor) = [
        ("m", 1),
        ("Ki", 1_024_000),
        ("Mi", 1_048_576_000),
        ("Gi", 1_073_741_824_000),
    ]
    .iter()
    .find_map(|(s, f)| q.strip_suffix(s).map(|n| (n, *f)))
    .unwrap_or((q, 1000));
    number.parse::<u128>().ok().map(|n| n * factor)
}

/// The name of the `<app>` Deployment: `<app>-deployment`, or `<app>` before the chart's
/// rename.
async fn deployment_named(env: &TestEnv, app: &str) -> Result<String> {
    let (cluster, ns) = (&env.cluster, env.ns());
    let api = Api::<Deployment>::namespaced(cluster.client().await, ns);
    for name in [format!("{app}-deployment"), app.to_string()] {
        if api.get_opt(&name).await?.is_some() {
            return Ok(name);
        }
    }
    bail!("no Deployment `{app}-deployment` or `{app}` in namespace `{ns}`")
}

/// The instance: the first upgrade pauses while waiting, its lock is removed with
/// `unlock --yes`, a second upgrade completes, and then the first carries on: it must stop
/// before its next write.
#[tokio::test(flavor = "multi_thread")]
async fn unlocked_while_paused_the_first_upgrade_stops_before_its_next_write() -> Result<()> {
    let Some(env) = TestEnv::installed("takeover-unlock", &[]).await? else {
        return Ok(());
    };

    let mut first = Background::start(
        &env,
        &[
            "upgrade",
            "--set",
            "backend.replicaCount=5",
            "--set",
            "frontend.replicaCount=5",
        ],
        &[
            ("TODOCTL_TEST_PAUSE_AT", "waiting"),
            ("TODOCTL_TEST_PAUSE_SECS", "10"),
        ],
    );
    first.wait_for_line("paused at waiting", Duration::from_secs(30))?;
    env.ok(["unlock", "--yes"]);
    env.ok([
        "upgrade",
        "--set",
        "backend.replicaCount=3",
        "--set",
        "frontend.replicaCount=3",
    ]);
    let out = first.finish(Duration::from_secs(60))?;
    let out = assert_stopped_by_loss(out, "unlocked_while_paused");
    let stderr = &out.stderr;
    // It names who holds the lock now: the second upgrade, or nobody once that finished.
    assert!(
        stderr.contains("the lock is now held by") || stderr.contains("nobody holds the lock now"),
        "{stderr}"
    );
    assert_converged(&env).await?;
    let backend = deployment_named(&env, "backend").await?;
    assert_eq!(env.replicas(&backend).await, Some(3));

    // Plain upgrades after it keep the release where the newest record says.
    env.ok(["upgrade"]);
    assert_converged(&env).await?;
    assert_eq!(env.replicas(&backend).await, Some(3));
    Ok(())
}

/// A neighbour: the first upgrade really waits (on a pod no node can run), is stopped with
/// SIGSTOP until its lock expired and a second upgrade took it over and finished, then
/// continued with SIGCONT.
#[tokio::test(flavor = "multi_thread")]
async fn expired_while_stopped_the_first_upgrade_stops_when_continued() -> Result<()> {
    let Some(env) = TestEnv::installed("takeover-sigstop", &[]).await? else {
        return Ok(());
    };

    let mut first = Background::start(
        &env,
        &[
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--set",
            "backend.replicaCount=5",
            "--timeout",
            "90s",
        ],
        &[],
    );
    first.wait_for_line("applying wave", Duration::from_secs(30))?;
    harness::wait_for(
        "the first upgrade to record its pending revision",
        Duration::from_secs(30),
        || async {
            Ok(env
                .statuses()
                .iter()
                .any(|(_, s)| s == "pending-upgrade")
                .then_some(()))
        },
    )
    .await?;
    first.signal("-STOP");
    // Its lease expires 6 s after the last renewal, plus 2 s of clock grace.
    harness::wait_for(
        "the stopped upgrade's lock to be taken over",
        Duration::from_secs(40),
        || async {
            let out = env.run([
                "upgrade",
                "--set",
                "backend.nodeSelector=null",
                "--set",
                "backend.replicaCount=3",
            ]);
            match out.code {
                0 => Ok(Some(())),
                4 => Ok(None),
                _ => bail!("the second upgrade failed:\n{}", out.stderr),
            }
        },
    )
    .await?;
    first.signal("-CONT");
    let out = first.finish(Duration::from_secs(60))?;
    assert_stopped_by_loss(out, "expired_while_stopped");
    assert_converged(&env).await?;
    let backend = deployment_named(&env, "backend").await?;
    assert_eq!(env.replicas(&backend).await, Some(3));
    let h = env.statuses();
    assert!(h.iter().any(|(_, s)| s == "failed"), "{h:?}");
    Ok(())
}

/// A neighbour: the first upgrade waits on a pod no node can run (not paused), its lock is
/// removed, and a second upgrade runs: the first stops as soon as it notices, without writing.
#[tokio::test(flavor = "multi_thread")]
async fn unlocked_while_waiting_on_an_unschedulable_pod_the_first_upgrade_stops() -> Result<()> {
    let Some(env) = TestEnv::installed("takeover-waiting", &[]).await? else {
        return Ok(());
    };

    let mut first = Background::start(
        &env,
        &[
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--set",
            "frontend.replicaCount=5",
            "--timeout",
            "90s",
        ],
        &[],
    );
    first.wait_for_line("applying wave", Duration::from_secs(30))?;
    harness::wait_for(
        "the first upgrade to record its pending revision",
        Duration::from_secs(30),
        || async {
            Ok(env
                .statuses()
                .iter()
                .any(|(_, s)| s == "pending-upgrade")
                .then_some(()))
        },
    )
    .await?;
    env.ok(["unlock", "--yes"]);
    env.ok([
        "upgrade",
        "--set",
        "backend.nodeSelector=null",
        "--set",
        "frontend.replicaCount=3",
    ]);
    let out = first.finish(Duration::from_secs(60))?;
    assert_stopped_by_loss(out, "unlocked_while_waiting");
    assert_converged(&env).await?;
    let frontend = deployment_named(&env, "frontend").await?;
    assert_eq!(env.replicas(&frontend).await, Some(3));
    env.ok(["upgrade"]);
    assert_converged(&env).await?;
    Ok(())
}

/// Another process applies a different value under todoctl's own field manager (as a todoctl
/// that lost its lock would): a plain upgrade must see the difference in the live object and
/// restore the record's value, not skip the object as unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn a_plain_upgrade_restores_a_change_made_under_todoctls_field_manager() -> Result<()> {
    let Some(env) = TestEnv::installed("same-manager", &[]).await? else {
        return Ok(());
    };
    let (cluster, ns) = (&env.cluster, env.ns());
    let client = cluster.client().await;
    let record = SecretStore::new(client.clone(), ns)
        .latest("todo-app")
        .await?
        .context("no record after install")?;
    let backend = deployment_named(&env, "backend").await?;
    let mut object = record
        .manifest
        .iter()
        .map(|e| e.object.clone())
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == backend.as_str())
        .context("the record holds no backend Deployment")?;
    let recorded = object["spec"]["replicas"].as_i64().unwrap_or(1);
    object["spec"]["replicas"] = Value::from(recorded + 3);
    object["metadata"]["annotations"]["todoctl.io/owner"] = Value::from(format!("{ns}/todo-app"));
    Api::<Deployment>::namespaced(client.clone(), ns)
        .patch(
            &backend,
            &PatchParams::apply("todoctl").force(),
            &Patch::Apply(&object),
        )
        .await?;
    assert_eq!(
        env.replicas(&backend).await.map(i64::from),
        Some(recorded + 3)
    );

    env.ok(["upgrade"]);
    assert_eq!(env.replicas(&backend).await.map(i64::from), Some(recorded));
    assert_converged(&env).await?;
    Ok(())
}

/// The lost holder's own run ends in an error, never in success, even if it lost the lock only
/// after its last write: `clean_error` is the shape every failure has.
#[tokio::test(flavor = "multi_thread")]
async fn a_lock_lost_after_the_last_write_still_fails_the_operation() -> Result<()> {
    let Some(env) = TestEnv::installed("takeover-finished", &[]).await? else {
        return Ok(());
    };
    let mut first = Background::start(
        &env,
        &["upgrade", "--set", "frontend.replicaCount=3"],
        &[
            ("TODOCTL_TEST_PAUSE_AT", "finished"),
            ("TODOCTL_TEST_PAUSE_SECS", "5"),
        ],
    );
    first.wait_for_line("paused at finished", Duration::from_secs(60))?;
    env.ok(["unlock", "--yes"]);
    let out = first.finish(Duration::from_secs(60))?.failure(4);
    insta::assert_snapshot!(out.error());
    // It had recorded itself deployed before the loss and superseded nothing since; the next
    // operation finds the release consistent and supersedes the older revision.
    env.ok(["upgrade"]);
    assert_converged(&env).await?;
    Ok(())
}

/// Deletes the namespace (as `kubectl delete ns` does) and waits until it is gone.
async fn delete_namespace(env: &TestEnv) -> Result<()> {
    let (cluster, ns) = (&env.cluster, env.ns());
    use k8s_openapi::api::core::v1::Namespace;
    let api = Api::<Namespace>::all(cluster.client().await);
    api.delete(ns, &kube::api::DeleteParams::background())
        .await?;
    harness::wait_for(
        &format!("namespace `{ns}` to be gone"),
        Duration::from_secs(120),
        || async { Ok(api.get_opt(ns).await?.is_none().then_some(())) },
    )
    .await
}

/// The namespace is deleted while an install waits: the install stops waiting on objects that
/// no longer exist and says the namespace was deleted, instead of waiting for its timeout and
/// then failing on the record it can no longer update.
#[tokio::test(flavor = "multi_thread")]
async fn namespace_deleted_while_an_install_waits_is_named_promptly() -> Result<()> {
    let Some(env) = TestEnv::new("ns-deleted").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let mut first = Background::start(
        &env,
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "5m",
        ],
        &[],
    );
    first.wait_for_line("applying wave", Duration::from_secs(30))?;
    harness::wait_for(
        "the install to record its pending revision",
        Duration::from_secs(30),
        || async {
            Ok(env
                .statuses()
                .iter()
                .any(|(_, s)| s == "pending-install")
                .then_some(()))
        },
    )
    .await?;
    let started = std::time::Instant::now();
    delete_namespace(&env).await?;
    let out = first.finish(Duration::from_secs(90))?;
    let (code, stderr) = (out.code, &out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(100),
        "it waited on for {:?}",
        started.elapsed()
    );
    assert_ne!(code, 0, "{stderr}");
    assert_ne!(code, 3, "not a readiness timeout: {stderr}");
    assert!(
        stderr.contains(&format!("namespace `{ns}` was deleted"))
            || stderr.contains(&format!("namespace `{ns}` is being deleted")),
        "{stderr}"
    );
    assert!(!stderr.contains("404"), "{stderr}");
    assert!(!stderr.contains("todoctl unlock"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    Ok(())
}

/// The namespace is deleted while an install is paused, and the install is run again and
/// completes before the first one resumes: the first must not overwrite the rerun's record or
/// objects.
#[tokio::test(flavor = "multi_thread")]
async fn an_install_rerun_in_a_recreated_namespace_is_not_overwritten_by_the_first() -> Result<()> {
    let Some(env) = TestEnv::new("ns-rerun").await? else {
        return Ok(());
    };
    let mut first = Background::start(
        &env,
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "frontend.replicaCount=5",
        ],
        &[
            ("TODOCTL_TEST_PAUSE_AT", "waiting"),
            ("TODOCTL_TEST_PAUSE_SECS", "60"),
        ],
    );
    first.wait_for_line("paused at waiting", Duration::from_secs(30))?;
    delete_namespace(&env).await?;
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "frontend.replicaCount=3",
    ]);
    first.signal("-INT");
    let out = first.finish(Duration::from_secs(60))?;
    let (code, stderr) = (out.code, &out.stderr);
    assert_ne!(code, 0, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let h = env.statuses();
    assert_eq!(h, vec![(1, "deployed".to_string())], "{stderr}");
    assert_converged(&env).await?;
    let frontend = deployment_named(&env, "frontend").await?;
    assert_eq!(env.replicas(&frontend).await, Some(3));
    Ok(())
}
