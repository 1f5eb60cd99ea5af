//! Running the built todoctl against the test cluster, shared by the cluster test modules.

use serde_json::Value;

use crate::harness::Cluster;

/// Node ports are cluster-wide: tests let the API server pick one.
pub const ANY_NODE_PORT: &str = "frontend.service.nodePort=null";

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs todoctl in namespace `ns` with extra environment variables.
pub fn todoctl(cluster: &Cluster, ns: &str, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = cluster.todoctl();
    cmd.args(args).args(["-n", ns]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running todoctl");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The run succeeded; its output otherwise in the failure message.
pub fn ok(out: Out) -> Out {
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    out
}

/// A failure a user can act on: the expected exit code, an `error:` line, no panic.
pub fn clean_error(out: &Out, code: i32) {
    assert_eq!(
        out.code, code,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(out.stderr.contains("error: "), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// `todoctl history -o json`, parsed.
pub fn history_json(cluster: &Cluster, ns: &str) -> Vec<Value> {
    let out = ok(todoctl(cluster, ns, &["history", "-o", "json"], &[]));
    serde_json::from_str(&out.stdout).expect("history json")
}

/// (revision, status) pairs, oldest first.
pub fn statuses(cluster: &Cluster, ns: &str) -> Vec<(u64, String)> {
    history_json(cluster, ns)
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
