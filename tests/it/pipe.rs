//! A reader that goes away (`todoctl history | head -1`, `| grep -q x`, `| true`) ends todoctl
//! quietly with the exit code the command would have had: every command family is run with a
//! stdout whose reading end is already closed, so every write to it fails with EPIPE.

use std::process::{Command, Stdio};

use anyhow::Result;

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl};

pub struct Closed {
    pub code: Option<i32>,
    pub stderr: String,
}

/// Runs `cmd` with stdout a pipe nobody reads (closed before the start) and stdin empty.
pub fn with_closed_stdout(mut cmd: Command) -> Closed {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = cmd
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("running todoctl");
    Closed {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Exit `code`, nothing about the pipe or a panic on stderr.
#[track_caller]
pub fn quiet(what: &str, r: &Closed, code: i32) {
    assert_eq!(r.code, Some(code), "{what}: stderr:\n{}", r.stderr);
    for bad in [
        "panicked",
        "Broken pipe",
        "broken pipe",
        "RUST_BACKTRACE",
        "stdout",
    ] {
        assert!(!r.stderr.contains(bad), "{what}: stderr:\n{}", r.stderr);
    }
}

/// The binary with no cluster and the repository as working directory.
fn offline_cmd(args: &[&str]) -> Command {
    Todoctl::offline().args(args).command()
}

#[test]
fn offline_commands_end_quietly_when_the_reader_is_gone() {
    for args in [
        &["template"][..],
        &["template", "-f", "values/production.yaml"],
        &["lint"],
        &["completion", "bash"],
        &["completion", "zsh"],
        &["--help"],
        &["install", "--help"],
        &["--version"],
        &["version"],
        &["version", "-o", "json"],
        &["show", "values"],
        &["show", "readme"],
        &["show", "chart", "charts/todo-app"],
    ] {
        quiet(
            &format!("{args:?}"),
            &with_closed_stdout(offline_cmd(args)),
            0,
        );
    }
}

#[test]
fn a_failing_command_keeps_its_exit_code_and_error_when_stdout_is_gone() {
    let r = with_closed_stdout(offline_cmd(&["template", "--set", "a..b=1"]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    insta::assert_snapshot!(r.stderr);
}

#[test]
fn status_lines_on_a_closed_stderr_do_not_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("rendered");
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let (reader2, writer2) = std::io::pipe().expect("a pipe");
    drop(reader2);
    let status = offline_cmd(&["template", "--output-dir", out_dir.to_str().expect("utf-8")])
        .stdout(writer)
        .stderr(writer2)
        .status()
        .expect("running todoctl");
    assert_eq!(status.code(), Some(0));
    let written = std::fs::read_dir(&out_dir).map_or(0, |d| d.count());
    assert!(written > 0, "nothing written under {}", out_dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_commands_end_quietly_when_the_reader_is_gone() -> Result<()> {
    let Some(env) = TestEnv::new("pipe").await? else {
        return Ok(());
    };
    let cluster_cmd = |args: &[&str]| env.todoctl().args(args).command();

    // The operation completes and is recorded even though nobody reads its summary.
    let r = with_closed_stdout(cluster_cmd(&[
        "install",
        "--set",
        ANY_NODE_PORT,
        "--no-wait",
    ]));
    quiet("install", &r, 0);
    let r = with_closed_stdout(cluster_cmd(&[
        "upgrade",
        "--set",
        "backend.replicaCount=3",
        "--no-wait",
    ]));
    quiet("upgrade", &r, 0);
    let history = env.ok(["history"]);
    assert!(history.stdout.contains("\n2 "), "{}", history.stdout);

    for args in [
        &["history"][..],
        &["history", "-o", "json"],
        &["history", "-o", "yaml"],
        &["status"],
        &["status", "-o", "json"],
        &["list"],
        &["list", "-o", "yaml"],
        &["get", "manifest"],
        &["get", "values", "--all"],
        &["get", "notes"],
        &["get", "metadata"],
        &["get", "metadata", "-o", "json"],
        &["get", "all"],
        &["get", "all", "-o", "yaml"],
        &["diff", "--set", "backend.replicaCount=5"],
        &["diff", "--set", "backend.replicaCount=5", "-o", "json"],
        &["upgrade", "--dry-run"],
        &["uninstall", "--dry-run"],
        &["unlock", "--yes"],
    ] {
        let r = with_closed_stdout(cluster_cmd(args));
        quiet(&format!("{args:?}"), &r, 0);
    }
    // The exit code says what it says with or without a reader.
    let r = with_closed_stdout(cluster_cmd(&[
        "diff",
        "--set",
        "backend.replicaCount=5",
        "--detailed-exitcode",
    ]));
    quiet("diff --detailed-exitcode", &r, 2);

    let r = with_closed_stdout(cluster_cmd(&["rollback", "1", "--no-wait"]));
    quiet("rollback", &r, 0);
    let r = with_closed_stdout(cluster_cmd(&["uninstall", "--no-wait"]));
    quiet("uninstall", &r, 0);
    let after = env.run(["history"]);
    assert_ne!(after.code, 0, "the release is gone: {}", after.stdout);
    Ok(())
}
