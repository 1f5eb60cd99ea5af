//! The kind of an error, not its text, picks the exit code and the hint: a readiness timeout
//! exits 3 without the "API server did not answer" hint, an API server that does not answer
//! gets that hint, and a lost lock exits 4.

use anyhow::Result;

use crate::harness;
use crate::run::{ANY_NODE_PORT, clean_error, ok, todoctl};

/// The error text with the test's namespace and timings replaced, for a snapshot.
fn stable(stderr: &str, ns: &str) -> String {
    let mut out = Vec::new();
    for line in stderr.lines().filter(|l| {
        l.starts_with("error:") || l.starts_with("hint:") || l.starts_with("  caused by:")
    }) {
        out.push(line.replace(ns, "<ns>"));
    }
    out.join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_readiness_timeout_exits_3_without_the_unreachable_hint() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("timeout-hint").await?;
    let ns = ns.name();
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--set", ANY_NODE_PORT],
        &[],
    ));
    // A pod no node can run that is not yet known to be stuck: the wait runs out first.
    let out = todoctl(
        &cluster,
        ns,
        &[
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "2s",
        ],
        &[],
    );
    clean_error(&out, 3);
    assert!(!out.stderr.contains("did not answer"), "{}", out.stderr);
    assert!(!out.stderr.contains("hint:"), "{}", out.stderr);
    let text = stable(&out.stderr, ns);
    assert!(
        text.starts_with("error: upgrade of release `todo-app` failed; revision 2 is recorded as failed and revision 1 stays the deployed one"),
        "{text}"
    );
    Ok(())
}

#[test]
fn an_api_server_that_does_not_answer_gets_the_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("config");
    // Port 9 (discard) on localhost: nothing listens, the connection is refused.
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:9\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .expect("write kubeconfig");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_todoctl"))
        .env("KUBECONFIG", &kubeconfig)
        .args(["--no-progress", "status", "-n", "nowhere"])
        .output()
        .expect("run todoctl");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    insta::assert_snapshot!(stable(&stderr, "nowhere"));
}
