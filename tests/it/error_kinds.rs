//! The kind of an error, not its text, picks the exit code and the hint: a readiness timeout
//! exits 3 without the "API server did not answer" hint, an API server that does not answer
//! gets that hint, and a lost lock exits 4.

use anyhow::Result;

use crate::command::{TestEnv, Todoctl};

#[tokio::test(flavor = "multi_thread")]
async fn a_readiness_timeout_exits_3_without_the_unreachable_hint() -> Result<()> {
    let Some(env) = TestEnv::installed("timeout-hint", &[]).await? else {
        return Ok(());
    };
    // A pod no node can run that is not yet known to be stuck: the wait runs out first.
    let out = env
        .run([
            "upgrade",
            "--set",
            "backend.nodeSelector.disktype=none",
            "--timeout",
            "2s",
        ])
        .failure(3);
    assert!(!out.stderr.contains("did not answer"), "{out}");
    assert!(!out.stderr.contains("hint:"), "{out}");
    // Which replicas the wait saw last depends on timing: the objects are left out.
    insta::assert_snapshot!(out.error_summary());
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
    let out = Todoctl::offline()
        .kubeconfig(&kubeconfig)
        .args(["--no-progress", "status"])
        .namespace("nowhere")
        .run()
        .failure(1);
    insta::assert_snapshot!(out.error());
}

/// An empty or malformed namespace is refused by name before any request; an empty one would
/// have listed the releases of every namespace.
#[test]
fn list_refuses_an_invalid_namespace_before_connecting() {
    for args in [
        &["list", "-n", ""][..],
        &["-n", "", "list"],
        &["--namespace=", "list"],
        &["list", "-n", "BAD_NS"],
    ] {
        let out = Todoctl::offline().args(args).run().failure(1);
        assert!(
            out.stderr
                .contains("is invalid: use at most 63 lowercase letters"),
            "{args:?}: {out}"
        );
    }
}
