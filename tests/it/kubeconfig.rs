//! Connection settings that are wrong in the usual ways: each error says which file, which
//! context, and what exists instead. Offline: every one is refused before a request is sent.

use std::path::Path;

use anyhow::Result;

use crate::command::{Output, Todoctl};
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

fn status(env_kubeconfig: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Todoctl::offline();
    if let Some(v) = env_kubeconfig {
        cmd = cmd.env("KUBECONFIG", v);
    }
    cmd.arg("status").args(args).run()
}

/// Refused before any request: exit 1, a message from its first line, none of the texts of a
/// later stage. Returns the entry for the test's snapshot.
#[track_caller]
fn refused(r: &Output) -> String {
    let r = r.clone().failure(1);
    assert!(r.stderr.starts_with("error: "), "{r}");
    for bad in ["did not answer", "none is configured"] {
        assert!(!r.stderr.contains(bad), "{bad:?} in: {r}");
    }
    r.transcript()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p.to_str().expect("utf-8 path").to_string()
}

#[test]
fn an_unknown_context_lists_the_contexts_there_are() {
    let mut errors = String::new();
    let dir = tempfile::tempdir().unwrap();
    let kc = write(dir.path(), "config", TWO_CONTEXTS);
    let r = status(None, &["--kubeconfig", &kc, "--context", "nope"]);
    errors.push_str(&refused(&r));
    assert!(!r.stderr.contains("current context"), "{}", r.stderr);
    // The same through $KUBECONFIG.
    let r = status(Some(&kc), &["--context", "nope"]);
    errors.push_str(&refused(&r));
    insta::assert_snapshot!(errors);
}

#[test]
fn a_missing_kubeconfig_env_file_is_named() {
    let mut errors = String::new();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.yaml");
    let missing = missing.to_str().unwrap();
    errors.push_str(&refused(&status(Some(missing), &[])));
    let also = dir.path().join("also-gone.yaml");
    let list = std::env::join_paths([missing, also.to_str().unwrap()]).unwrap();
    errors.push_str(&refused(&status(Some(list.to_str().unwrap()), &[])));
    insta::assert_snapshot!(errors);
}

#[test]
fn a_list_with_some_missing_files_uses_the_others_and_names_the_missing_ones() {
    let mut errors = String::new();
    let dir = tempfile::tempdir().unwrap();
    let kc = write(dir.path(), "config", TWO_CONTEXTS);
    let missing = dir.path().join("gone.yaml");
    let list = std::env::join_paths([missing.as_path(), Path::new(&kc)]).unwrap();
    // The context lookup reads the file that exists, and the error says what was skipped.
    let r = status(Some(list.to_str().unwrap()), &["--context", "nope"]);
    errors.push_str(&refused(&r));
    insta::assert_snapshot!(errors);
}

#[test]
fn a_missing_kubeconfig_flag_file_is_named() {
    let mut errors = String::new();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let r = status(None, &["--kubeconfig", missing.to_str().unwrap()]);
    errors.push_str(&refused(&r));
    let r = status(None, &["--kubeconfig", dir.path().to_str().unwrap()]);
    errors.push_str(&refused(&r));
    insta::assert_snapshot!(errors);
}

#[test]
fn a_malformed_kubeconfig_names_the_file() {
    let mut errors = String::new();
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "apiVersion: v1\nclusters: [\n  - oops: {\n",
    );
    errors.push_str(&refused(&status(None, &["--kubeconfig", &bad])));
    let good = write(dir.path(), "good.yaml", TWO_CONTEXTS);
    let list = std::env::join_paths([Path::new(&good), Path::new(&bad)]).unwrap();
    errors.push_str(&refused(&status(Some(list.to_str().unwrap()), &[])));
    insta::assert_snapshot!(errors);
}

#[test]
fn no_current_context_and_dangling_names_are_explained() {
    let mut errors = String::new();
    let dir = tempfile::tempdir().unwrap();
    let none = write(
        dir.path(),
        "none.yaml",
        &TWO_CONTEXTS.replace("current-context: dev\n", ""),
    );
    errors.push_str(&refused(&status(None, &["--kubeconfig", &none])));
    let gone = write(
        dir.path(),
        "gone.yaml",
        &TWO_CONTEXTS.replace("current-context: dev", "current-context: staging"),
    );
    errors.push_str(&refused(&status(None, &["--kubeconfig", &gone])));
    let dangling = write(
        dir.path(),
        "dangling.yaml",
        &TWO_CONTEXTS.replace("cluster: prod-cluster", "cluster: elsewhere"),
    );
    errors.push_str(&refused(&status(
        None,
        &["--kubeconfig", &dangling, "--context", "prod"],
    )));
    insta::assert_snapshot!(errors);
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
    let out = Todoctl::offline()
        .env("KUBECONFIG", &list)
        .args(["list", "-A", "-v"])
        .run()
        .success();
    // A warning, not an error: the line that says so, whatever else -v prints.
    assert!(
        out.stderr
            .contains("gone.yaml`, which does not exist; skipped"),
        "{out}"
    );
    Ok(())
}
