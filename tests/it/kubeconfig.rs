//! Connection settings that are wrong in the usual ways: each error says which file, which
//! context, and what exists instead. Offline: every one is refused before a request is sent.

use std::path::Path;

use anyhow::Result;

use crate::cli::todoctl;
use crate::harness;

/// Two contexts, `dev` (current) and `prod`, whose server nobody will be asked about.
const TWO_CONTEXTS: &str = r#"apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://127.0.0.1:1
- name: prod-cluster
  cluster:
    server: https://127.0.0.1:2
users:
- name: dev-user
  user:
    token: dev-token
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
- name: prod
  context:
    cluster: prod-cluster
    user: dev-user
"#;

struct Run {
    code: i32,
    stderr: String,
}

fn status(env_kubeconfig: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = todoctl();
    if let Some(v) = env_kubeconfig {
        cmd.env("KUBECONFIG", v);
    }
    let out = cmd.arg("status").args(args).output().expect("run todoctl");
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn refused(r: &Run, says: &[&str]) {
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    for s in says {
        assert!(r.stderr.contains(s), "want {s:?} in:\n{}", r.stderr);
    }
    for bad in [
        "panicked",
        "Error {",
        "did not answer",
        "none is configured",
    ] {
        assert!(!r.stderr.contains(bad), "{bad:?} in:\n{}", r.stderr);
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p.to_str().expect("utf-8 path").to_string()
}

#[test]
fn an_unknown_context_lists_the_contexts_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let kc = write(dir.path(), "config", TWO_CONTEXTS);
    let r = status(None, &["--kubeconfig", &kc, "--context", "nope"]);
    refused(&r, &["--context `nope`", &kc, "`dev`, `prod`"]);
    assert!(!r.stderr.contains("current context"), "{}", r.stderr);
    // The same through $KUBECONFIG.
    let r = status(Some(&kc), &["--context", "nope"]);
    refused(&r, &["--context `nope`", "$KUBECONFIG", "`dev`, `prod`"]);
}

#[test]
fn a_missing_kubeconfig_env_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.yaml");
    let missing = missing.to_str().unwrap();
    refused(
        &status(Some(missing), &[]),
        &["$KUBECONFIG lists", missing, "does not exist"],
    );
    let also = dir.path().join("also-gone.yaml");
    let list = std::env::join_paths([missing, also.to_str().unwrap()]).unwrap();
    refused(
        &status(Some(list.to_str().unwrap()), &[]),
        &[missing, also.to_str().unwrap(), "do not exist"],
    );
}

#[test]
fn a_list_with_some_missing_files_uses_the_others_and_names_the_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let kc = write(dir.path(), "config", TWO_CONTEXTS);
    let missing = dir.path().join("gone.yaml");
    let list = std::env::join_paths([missing.as_path(), Path::new(&kc)]).unwrap();
    // The context lookup reads the file that exists, and the error says what was skipped.
    let r = status(Some(list.to_str().unwrap()), &["--context", "nope"]);
    refused(
        &r,
        &[
            "`dev`, `prod`",
            &kc,
            missing.to_str().unwrap(),
            "does not exist",
        ],
    );
}

#[test]
fn a_missing_kubeconfig_flag_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let r = status(None, &["--kubeconfig", missing.to_str().unwrap()]);
    refused(
        &r,
        &["--kubeconfig", missing.to_str().unwrap(), "does not exist"],
    );
    let r = status(None, &["--kubeconfig", dir.path().to_str().unwrap()]);
    refused(&r, &["is not a file"]);
}

#[test]
fn a_malformed_kubeconfig_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "apiVersion: v1\nclusters: [\n  - oops: {\n",
    );
    refused(
        &status(None, &["--kubeconfig", &bad]),
        &[&bad, "not a valid kubeconfig"],
    );
    let good = write(dir.path(), "good.yaml", TWO_CONTEXTS);
    let list = std::env::join_paths([Path::new(&good), Path::new(&bad)]).unwrap();
    refused(&status(Some(list.to_str().unwrap()), &[]), &[&bad]);
}

#[test]
fn no_current_context_and_dangling_names_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let none = write(
        dir.path(),
        "none.yaml",
        &TWO_CONTEXTS.replace("current-context: dev\n", ""),
    );
    refused(
        &status(None, &["--kubeconfig", &none]),
        &["sets no current context", "--context NAME", "`dev`, `prod`"],
    );
    let gone = write(
        dir.path(),
        "gone.yaml",
        &TWO_CONTEXTS.replace("current-context: dev", "current-context: staging"),
    );
    refused(
        &status(None, &["--kubeconfig", &gone]),
        &[
            "the current context `staging` is not defined",
            "`dev`, `prod`",
        ],
    );
    let dangling = write(
        dir.path(),
        "dangling.yaml",
        &TWO_CONTEXTS.replace("cluster: prod-cluster", "cluster: elsewhere"),
    );
    refused(
        &status(None, &["--kubeconfig", &dangling, "--context", "prod"]),
        &["context `prod` names cluster `elsewhere`", &dangling],
    );
}

/// kubectl's rule, on the real cluster: files that `$KUBECONFIG` lists but that do not exist are
/// skipped, and the rest is used.
#[test]
fn a_list_with_a_missing_file_reaches_the_cluster() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let list = std::env::join_paths([dir.path().join("gone.yaml"), cluster.kubeconfig.clone()])?;
    let out = todoctl()
        .env("KUBECONFIG", &list)
        .args(["list", "-A", "-v"])
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("gone.yaml`, which does not exist; skipped"),
        "{stderr}"
    );
    Ok(())
}
