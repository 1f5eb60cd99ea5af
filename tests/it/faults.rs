//! Interruptions, API server outages and concurrent operations on the real control plane: after
//! each, the next command succeeds without manual steps and the history stays consistent.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kube::api::ListParams;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::command::{ANY_NODE_PORT, Todoctl};
use crate::harness::{self, Cluster};

/// Short lock lifetime so a killed holder's lock expires quickly.
const TTL: &str = "2";

/// todoctl on `cluster` in `ns`, with the short lock lifetime.
fn todoctl(cluster: &Cluster, ns: &str, args: &[&str]) -> Todoctl {
    Todoctl::new(cluster)
        .namespace(ns)
        .args(args)
        .env("TODOCTL_LOCK_TTL", TTL)
}

/// Runs `args`, which must succeed; its stdout.
fn ok(cluster: &Cluster, ns: &str, args: &[&str]) -> String {
    todoctl(cluster, ns, args).run().success().stdout
}

/// Starts todoctl in the background with stderr piped.
fn spawn(cluster: &Cluster, ns: &str, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = todoctl(cluster, ns, args);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd.command()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning todoctl")
}

/// Reads the child's stderr until a line contains `marker` (returns false at EOF or timeout).
fn wait_for_line(child: &mut Child, marker: &str, timeout: Duration) -> bool {
    let Some(stderr) = child.stderr.take() else {
        return false;
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let marker = marker.to_string();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&marker) {
                let _ = tx.send(());
                // keep draining so the child never blocks on a full pipe
            }
        }
    });
    rx.recv_timeout(timeout).is_ok()
}

/// Reads the child's stderr in the background: waits until a line contains `marker` (false at
/// EOF or timeout), and hands back all of stderr once the child has exited.
fn stderr_until(
    child: &mut Child,
    marker: &str,
    timeout: Duration,
) -> (bool, std::thread::JoinHandle<String>) {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    let marker = marker.to_string();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&marker) {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    (rx.recv_timeout(timeout).is_ok(), reader)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interruption_while_waiting_says_once_that_its_revision_is_recorded_as_failed()
-> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("signal-words").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);
    let upgrade = [
        "upgrade",
        "--set",
        "backend.nodeSelector.disktype=none",
        "--timeout",
        "60s",
    ];
    // The interruption itself says nothing of records: the operation that recorded one says so.
    let mut child = spawn(
        &cluster,
        ns,
        &upgrade,
        &[("TODOCTL_TEST_PAUSE_AT", "waiting")],
    );
    let (paused, stderr) = stderr_until(&mut child, "paused at waiting", Duration::from_secs(30));
    assert!(paused);
    signal(&child, "-INT");
    assert_eq!(child.wait()?.code(), Some(130));
    let said = stderr.join().expect("reading stderr");
    assert_eq!(said.matches("recorded as failed").count(), 1, "{said}");
    assert!(said.contains("revision 2 is recorded as failed"), "{said}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_while_an_operation_runs_says_so_and_after_it_died_says_what_is_repaired()
-> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("dry-while-running").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);
    // An upgrade holding the lock with revision 2 pending, as one waiting for readiness does.
    let mut child = spawn(
        &cluster,
        ns,
        &[
            "upgrade",
            "--set",
            "backend.replicaCount=3",
            "--timeout",
            "60s",
        ],
        &[
            ("TODOCTL_TEST_PAUSE_AT", "waiting"),
            ("TODOCTL_LOCK_TTL", "2"),
        ],
    );
    assert!(wait_for_line(
        &mut child,
        "paused at waiting",
        Duration::from_secs(30)
    ));
    let dry_runs: [&[&str]; 3] = [
        &["upgrade", "--dry-run", "--set", "backend.replicaCount=2"],
        &["rollback", "1", "--dry-run"],
        &["uninstall", "--dry-run"],
    ];
    for args in dry_runs {
        let out = todoctl(&cluster, ns, args).run().success();
        assert!(
            out.stderr.contains("is changing release `todo-app` now"),
            "{args:?}: {out}"
        );
        assert!(!out.stderr.contains("interrupted"), "{args:?}: {out}");
    }
    // Still its: nothing was repaired under it.
    assert_eq!(
        history(&cluster, ns),
        vec![
            (1, "deployed".to_string()),
            (2, "pending-upgrade".to_string())
        ]
    );

    // Once it is dead and its lock expired, a dry run says what the next command repairs.
    child.kill()?;
    child.wait()?;
    std::thread::sleep(Duration::from_secs(5));
    let out = todoctl(&cluster, ns, &["uninstall", "--dry-run"])
        .run()
        .success();
    assert!(
        out.stderr
            .contains("revision 2 was left pending by an interrupted operation"),
        "{out}"
    );
    assert_eq!(
        history(&cluster, ns)[1],
        (2, "pending-upgrade".to_string()),
        "a dry run repaired it"
    );
    Ok(())
}

/// `status` names the lock's holder while it lives, and nobody once the lock expired with its
/// holder gone.
#[tokio::test(flavor = "multi_thread")]
async fn status_names_a_live_lock_holder_and_not_an_expired_one() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("status-lock").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);
    let mut child = spawn(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.replicaCount=3"],
        &[
            ("TODOCTL_TEST_PAUSE_AT", "waiting"),
            ("TODOCTL_LOCK_TTL", "2"),
        ],
    );
    assert!(wait_for_line(
        &mut child,
        "paused at waiting",
        Duration::from_secs(30)
    ));
    let locked_by = || -> Result<serde_json::Value> {
        let out = todoctl(&cluster, ns, &["status", "-o", "json"])
            .run()
            .success();
        Ok(serde_json::from_str::<serde_json::Value>(&out.stdout)?["locked_by"].clone())
    };
    let holder = locked_by()?;
    assert!(
        holder
            .as_str()
            .is_some_and(|h| h.starts_with("upgrade by ")),
        "{holder}"
    );

    child.kill()?;
    child.wait()?;
    // TTL 2 s and 2 s of clock grace after the last renewal.
    std::thread::sleep(Duration::from_secs(5));
    assert!(locked_by()?.is_null(), "an expired lock is shown as held");
    Ok(())
}

fn signal(child: &Child, sig: &str) {
    let _ = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status();
}

/// (revision, status) pairs, oldest first.
fn history(cluster: &Cluster, ns: &str) -> Vec<(u64, String)> {
    let out = ok(cluster, ns, &["history", "-o", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&out).expect("history json");
    rows.iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// No gaps in revision numbers, nothing pending, exactly one deployed and it is the newest
/// revision that is not failed.
fn assert_consistent(h: &[(u64, String)], what: &str) {
    // Old records are pruned (--history-max 10), so revisions need not start at 1.
    for pair in h.windows(2) {
        assert_eq!(
            pair[1].0,
            pair[0].0 + 1,
            "{what}: revisions have a gap: {h:?}"
        );
    }
    assert!(
        !h.iter().any(|(_, s)| s.starts_with("pending")),
        "{what}: pending left: {h:?}"
    );
    let deployed: Vec<u64> = h
        .iter()
        .filter(|(_, s)| s == "deployed")
        .map(|(r, _)| *r)
        .collect();
    assert_eq!(deployed.len(), 1, "{what}: {h:?}");
    let newest_good = h.iter().rev().find(|(_, s)| s != "failed").map(|(r, _)| *r);
    assert_eq!(Some(deployed[0]), newest_good, "{what}: {h:?}");
}

/// Retries `args` until it succeeds or `timeout` passes (a killed holder's lock must expire).
fn eventually_ok(cluster: &Cluster, ns: &str, args: &[&str], timeout: Duration) -> String {
    let start = Instant::now();
    loop {
        let out = todoctl(cluster, ns, args).run();
        if out.code == 0 {
            return out.stdout;
        }
        assert_eq!(out.code, 4, "only a held lock may refuse: {out}");
        assert!(
            start.elapsed() < timeout,
            "still locked after {timeout:?}: {out}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_every_phase_leaves_a_state_the_next_command_fixes() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("sigkill-phases").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);

    let mut tried = 0;
    for (n, phase) in ["locked", "recorded", "applying", "waiting", "finished"]
        .iter()
        .enumerate()
    {
        let set = format!("backend.replicaCount={}", 3 + n % 2);
        let mut child = spawn(
            &cluster,
            ns,
            &["upgrade", "--set", &set],
            &[("TODOCTL_TEST_PAUSE_AT", phase)],
        );
        assert!(
            wait_for_line(
                &mut child,
                &format!("paused at {phase}"),
                Duration::from_secs(30)
            ),
            "upgrade never reached phase {phase}"
        );
        child.kill()?; // SIGKILL
        child.wait()?;
        tried += 1;
        eventually_ok(
            &cluster,
            ns,
            &["upgrade", "--set", "frontend.replicaCount=2"],
            Duration::from_secs(20),
        );
        assert_consistent(&history(&cluster, ns), &format!("after a kill at {phase}"));
    }

    for phase in ["locked", "recorded", "applying", "finished"] {
        let mut child = spawn(
            &cluster,
            ns,
            &["rollback"],
            &[("TODOCTL_TEST_PAUSE_AT", phase)],
        );
        assert!(
            wait_for_line(
                &mut child,
                &format!("paused at {phase}"),
                Duration::from_secs(30)
            ),
            "rollback never reached phase {phase}"
        );
        child.kill()?;
        child.wait()?;
        tried += 1;
        eventually_ok(&cluster, ns, &["rollback"], Duration::from_secs(20));
        assert_consistent(
            &history(&cluster, ns),
            &format!("after a rollback killed at {phase}"),
        );
    }
    assert_eq!(tried, 9);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_and_sigterm_fail_the_revision_and_release_the_lock() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("signals").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);
    for sig in ["-INT", "-TERM"] {
        let mut child = spawn(
            &cluster,
            ns,
            &[
                "upgrade",
                "--set",
                "backend.nodeSelector.disktype=none",
                "--timeout",
                "60s",
            ],
            &[("TODOCTL_TEST_PAUSE_AT", "waiting")],
        );
        assert!(wait_for_line(
            &mut child,
            "paused at waiting",
            Duration::from_secs(30)
        ));
        signal(&child, sig);
        let status = child.wait()?;
        assert_eq!(status.code(), Some(130), "{sig}");
        // The lock is released at once: no waiting for it to expire.
        ok(
            &cluster,
            ns,
            &["upgrade", "--set", "backend.nodeSelector=null"],
        );
        let h = history(&cluster, ns);
        assert_consistent(&h, sig);
        assert!(h.iter().any(|(_, s)| s == "failed"), "{h:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_upgrades_of_one_release_exactly_one_runs() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("parallel").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);
    // Each upgrade waits for a rollout that cannot finish, so the winner holds the lock for 8 s.
    let children: Vec<Child> = (0..4)
        .map(|_| {
            spawn(
                &cluster,
                ns,
                &[
                    "upgrade",
                    "--set",
                    "backend.nodeSelector.disktype=none",
                    "--timeout",
                    "8s",
                ],
                &[],
            )
        })
        .collect();
    let mut codes = Vec::new();
    for mut c in children {
        codes.push(c.wait()?.code().unwrap_or(-1));
    }
    codes.sort();
    assert_eq!(
        codes,
        vec![3, 4, 4, 4],
        "one ran (and timed out), three were refused as locked"
    );
    ok(
        &cluster,
        ns,
        &["upgrade", "--set", "backend.nodeSelector=null"],
    );
    assert_consistent(&history(&cluster, ns), "after parallel upgrades");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn operations_on_different_releases_do_not_interfere() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let a = cluster.namespace("indep-a").await?;
    let b = cluster.namespace("indep-b").await?;
    let c = cluster.namespace("indep-c").await?;
    let children: Vec<Child> = [a.name(), b.name(), c.name()]
        .iter()
        .map(|ns| spawn(&cluster, ns, &["install", "--set", ANY_NODE_PORT], &[]))
        .collect();
    for mut ch in children {
        assert_eq!(ch.wait()?.code(), Some(0));
    }
    for ns in [a.name(), b.name(), c.name()] {
        assert_eq!(history(&cluster, ns), vec![(1, "deployed".to_string())]);
    }
    Ok(())
}

/// A TCP forwarder in front of the API server that can refuse and cut connections, to play an
/// API server that goes away and comes back. TLS passes through untouched.
struct Outage {
    port: u16,
    down: Arc<AtomicBool>,
}

impl Outage {
    async fn start(upstream: String) -> Result<Outage> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let down = Arc::new(AtomicBool::new(false));
        let flag = down.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if flag.load(Ordering::SeqCst) {
                    drop(inbound); // closed at once: the client sees a reset connection
                    continue;
                }
                let upstream = upstream.clone();
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = async {
                            while !flag.load(Ordering::SeqCst) {
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                        } => {}
                    }
                });
            }
        });
        Ok(Outage { port, down })
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// The cluster's kubeconfig with its server replaced by the forwarder.
fn kubeconfig_via(
    cluster: &Cluster,
    port: u16,
    dir: &std::path::Path,
) -> Result<(std::path::PathBuf, String)> {
    let text = std::fs::read_to_string(&cluster.kubeconfig)?;
    let server_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("server:"))
        .context("kubeconfig has no server")?;
    let url = server_line
        .trim_start()
        .trim_start_matches("server:")
        .trim();
    let authority = url
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string();
    if !authority.starts_with("127.0.0.1:") {
        bail!("expected the local cluster at 127.0.0.1, found {url}");
    }
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        text.replace(url, &format!("https://127.0.0.1:{port}")),
    )?;
    Ok((path, authority))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_server_outage_mid_install_is_retried_or_fails_cleanly_and_a_rerun_converges()
-> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let (_, upstream) = kubeconfig_via(&cluster, 1, dir.path())?;
    let outage = Outage::start(upstream).await?;
    let (kubeconfig, _) = kubeconfig_via(&cluster, outage.port, dir.path())?;
    let client = cluster.client().await;

    // An outage in the middle of an install (after its revision is recorded, before anything is
    // applied), shorter than the retry budget: retried, and the install completes.
    let ns = cluster.namespace("outage-short").await?;
    let mut child = Todoctl::new(&cluster)
        .kubeconfig(&kubeconfig)
        .args(["-v", "install", "--set", ANY_NODE_PORT])
        .namespace(ns.name())
        .env("TODOCTL_TEST_PAUSE_AT", "recorded")
        .env("TODOCTL_TEST_PAUSE_SECS", "2")
        .command()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().context("stderr")?;
    let lines = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    outage.set_down(true);
    tokio::time::sleep(Duration::from_secs(3)).await;
    outage.set_down(false);
    let code = child.wait()?.code();
    let lines = lines.join().unwrap_or_default();
    assert_eq!(code, Some(0), "{}", lines.join("\n"));
    assert!(
        lines.iter().any(|l| l.contains("retry")),
        "a retry was logged: {}",
        lines.join("\n")
    );
    let n = Api::<Deployment>::namespaced(client.clone(), ns.name())
        .list(&ListParams::default())
        .await?
        .items
        .len();
    assert_eq!(n, 2);
    assert_consistent(&history(&cluster, ns.name()), "after the short outage");

    // An outage longer than the retry budget: a clear error, then a rerun converges with no
    // duplicated or orphaned objects.
    let ns3 = cluster.namespace("outage-long").await?;
    outage.set_down(true);
    let through_outage = |args: &[&str]| {
        todoctl(&cluster, ns3.name(), args)
            .kubeconfig(&kubeconfig)
            .filter(&format!("127.0.0.1:{}", outage.port), "127.0.0.1:<port>")
            .run()
    };
    let out = through_outage(&["install", "--set", ANY_NODE_PORT]).failure(1);
    // How the dropped connection reads (an EOF in the TLS handshake, a reset) depends on timing.
    let dropped = regex::Regex::new("cannot reach the API server: .*")?;
    insta::assert_snapshot!(dropped.replace(
        &out.error(),
        "cannot reach the API server: <the connection dropped>"
    ));
    outage.set_down(false);
    through_outage(&["upgrade", "--install", "--set", ANY_NODE_PORT]).success();
    let n = Api::<Deployment>::namespaced(client.clone(), ns3.name())
        .list(&ListParams::default())
        .await?
        .items
        .len();
    assert_eq!(n, 2);
    assert_consistent(&history(&cluster, ns3.name()), "after the long outage");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uninstall_stopped_by_sigterm_records_failed_and_a_rerun_finishes() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("uninstall-sigterm").await?;
    let ns = ns.name();
    ok(&cluster, ns, &["install", "--set", ANY_NODE_PORT]);
    for sig in ["-TERM", "-INT"] {
        let mut child = spawn(
            &cluster,
            ns,
            &["uninstall", "--keep-history"],
            &[("TODOCTL_TEST_PAUSE_AT", "uninstalling")],
        );
        assert!(wait_for_line(
            &mut child,
            "paused at uninstalling",
            Duration::from_secs(30)
        ));
        signal(&child, sig);
        let status = child.wait()?;
        assert_eq!(status.code(), Some(130), "{sig}");
        let h = history(&cluster, ns);
        assert_eq!(
            h.last().map(|(_, s)| s.as_str()),
            Some("failed"),
            "{sig}: {h:?}"
        );
        assert!(!h.iter().any(|(_, s)| s == "uninstalling"), "{sig}: {h:?}");
        // The lock was released: a new operation starts at once. Reinstall for the next signal.
        if sig == "-TERM" {
            ok(&cluster, ns, &["upgrade", "--set", ANY_NODE_PORT]);
        }
    }
    ok(&cluster, ns, &["uninstall"]);
    assert!(history_or_none(&cluster, ns));
    Ok(())
}

/// True when the release has no records left (history fails or lists nothing).
fn history_or_none(cluster: &Cluster, ns: &str) -> bool {
    let out = todoctl(cluster, ns, &["history", "-o", "json"]).run();
    out.code != 0 || serde_json::from_str::<Vec<Value>>(&out.stdout).is_ok_and(|v| v.is_empty())
}
