//! Helm's positional release name (`todoctl status my-app`, `install RELEASE CHART`,
//! `rollback my-app 2`) beside `-r`, offline where parsing decides and on the cluster where the
//! release is what matters.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;

use crate::cli::todoctl as offline;
use crate::harness;
use crate::run::{ANY_NODE_PORT, ok, todoctl};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = offline().args(args).output().expect("run todoctl");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn template_takes_release_and_chart_positionally() {
    let chart = repo().join("charts/todo-app");
    let chart = chart.to_str().expect("utf-8 path");
    for args in [
        &["template", "my-app"][..],
        &["template", "my-app", chart],
        &["template", "-r", "my-app"],
        &["template", "my-app", "-r", "my-app", "--chart", chart],
        &["template", "--chart", chart, "my-app"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stdout.contains("app.kubernetes.io/instance: my-app"),
            "{args:?}"
        );
        assert!(
            !r.stdout.contains("app.kubernetes.io/instance: todo-app"),
            "{args:?}"
        );
    }
}

#[test]
fn a_release_or_chart_named_twice_differently_is_a_usage_error() {
    for (args, says) in [
        (
            &["template", "one", "-r", "two"][..],
            "`one` (the RELEASE argument) and `two` (-r/--release)",
        ),
        (
            &["status", "one", "--release", "two"],
            "`one` (the RELEASE argument) and `two`",
        ),
        (&["get", "values", "one", "-r", "two"], "named twice"),
        (
            &["install", "one", "charts/todo-app", "--chart", "elsewhere"],
            "the chart is named twice",
        ),
        (&["rollback", "one", "2", "-r", "two"], "named twice"),
        (
            &["install", "./charts/todo-app"],
            "the release comes first and the chart second",
        ),
    ] {
        let r = run(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(
            !r.stderr.contains("needs a cluster connection"),
            "refused before anything else: {}",
            r.stderr
        );
    }
}

#[test]
fn every_release_command_takes_the_positional_form() {
    for args in [
        &["install", "todo-app", "-f", "values/local.yaml"][..],
        &["install", "my-app", "charts/todo-app"],
        &["upgrade", "todo-app", "--set", "backend.replicaCount=4"],
        &["upgrade", "my-app", "charts/todo-app", "--install"],
        &["rollback", "2"],
        &["rollback", "todo-app"],
        &["rollback", "todo-app", "2"],
        &["rollback", "-r", "todo-app", "2"],
        &["history", "todo-app"],
        &["status", "todo-app"],
        &["uninstall", "todo-app"],
        &["diff", "todo-app", "--set", "backend.replicaCount=4"],
        &["diff", "todo-app", "charts/todo-app"],
        &["get", "values", "todo-app"],
        &["get", "manifest", "todo-app", "--revision", "1"],
        &["get", "notes", "todo-app"],
        &["get", "metadata", "todo-app"],
        &["get", "all", "todo-app", "-o", "json"],
        &["unlock", "todo-app", "--yes"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        // Parsed, and stopped only for want of a cluster.
        assert!(
            r.stderr.contains("needs a cluster connection"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn show_takes_a_chart_directory_positionally() {
    let r = run(&["show", "chart", "charts/todo-app"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("name: todo-app"), "{}", r.stdout);
}

#[test]
fn rollback_revision_must_be_a_number() {
    let r = run(&["rollback", "todo-app", "two"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("revision `two`"), "{}", r.stderr);
}

#[test]
fn lint_takes_a_chart_directory_alone() {
    let r = run(&["lint", "charts/todo-app"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["lint", "no/such/chart"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no/such/chart"), "{}", r.stderr);
}

/// Every `todoctl ...` command line that the docs, the overlays and the chart's own comments
/// tell people to type parses.
#[test]
fn documented_command_lines_parse() {
    let mut files = vec![
        repo().join("README.md"),
        repo().join("charts/todo-app/values.yaml"),
    ];
    for dir in ["docs", "values"] {
        for entry in std::fs::read_dir(repo().join(dir)).expect("a folder") {
            let path = entry.expect("an entry").path();
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("md" | "yaml")
            ) {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let mut in_code = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                continue;
            }
            let yaml_comment = file.extension().is_some_and(|e| e == "yaml");
            let body = line.trim_start().trim_start_matches('#').trim_start();
            if !(in_code || yaml_comment) || !body.starts_with("todoctl ") {
                continue;
            }
            // Shell comments after the command, and quoting, as a shell would see them.
            let command = body.split(" # ").next().unwrap_or(body).trim_end();
            let words = shell_words(command);
            if let Err(e) = todoctl::cli::Cli::try_parse_from(&words) {
                panic!(
                    "{}: `{command}` does not parse:\n{e}",
                    file.strip_prefix(repo()).unwrap_or(file).display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} command lines found");
}

/// Splits like a shell: whitespace separates, quotes group, `$VAR` stays as written.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lifecycle_by_positional_release_name() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("posrel").await?;
    let ns = ns.name();
    let chart = repo().join("charts/todo-app");
    let chart = chart.to_str().expect("utf-8 path");

    let out = ok(todoctl(
        &cluster,
        ns,
        &[
            "install",
            "shop",
            chart,
            "--set",
            ANY_NODE_PORT,
            "--no-wait",
        ],
        &[],
    ));
    assert!(
        out.stdout.contains("release `shop` revision 1"),
        "{}",
        out.stdout
    );
    ok(todoctl(
        &cluster,
        ns,
        &[
            "upgrade",
            "shop",
            chart,
            "--set",
            "backend.replicaCount=3",
            "--no-wait",
        ],
        &[],
    ));
    let h = ok(todoctl(
        &cluster,
        ns,
        &["history", "shop", "-o", "json"],
        &[],
    ));
    let h: serde_json::Value = serde_json::from_str(&h.stdout)?;
    assert_eq!(h.as_array().map(Vec::len), Some(2), "{h}");

    let status = ok(todoctl(&cluster, ns, &["status", "shop"], &[]));
    assert!(status.stdout.contains("NAME: shop"), "{}", status.stdout);
    let values = ok(todoctl(&cluster, ns, &["get", "values", "shop"], &[]));
    assert!(
        values.stdout.contains("replicaCount: 3"),
        "{}",
        values.stdout
    );
    ok(todoctl(&cluster, ns, &["diff", "shop", chart], &[]));

    // `rollback shop 1`, then a lone number with -r: both name revision 1 of `shop`.
    let out = ok(todoctl(
        &cluster,
        ns,
        &["rollback", "shop", "1", "--no-wait"],
        &[],
    ));
    assert!(
        out.stdout
            .contains("release `shop` rolled back to revision 1"),
        "{}",
        out.stdout
    );
    let out = ok(todoctl(
        &cluster,
        ns,
        &["rollback", "2", "-r", "shop", "--no-wait"],
        &[],
    ));
    assert!(
        out.stdout.contains("rolled back to revision 2"),
        "{}",
        out.stdout
    );
    let values = ok(todoctl(&cluster, ns, &["get", "values", "shop"], &[]));
    assert!(
        values.stdout.contains("replicaCount: 3"),
        "{}",
        values.stdout
    );

    // The default release does not exist here: the name really was taken from the argument.
    let r = todoctl(&cluster, ns, &["status"], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("`todo-app` not found"), "{}", r.stderr);

    ok(todoctl(
        &cluster,
        ns,
        &["uninstall", "shop", "--no-wait"],
        &[],
    ));
    let r = todoctl(&cluster, ns, &["history", "shop"], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    Ok(())
}
