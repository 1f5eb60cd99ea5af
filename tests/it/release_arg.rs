//! Helm's positional release name (`todoctl status my-app`, `install RELEASE CHART`,
//! `rollback my-app 2`) beside `-r`, offline where parsing decides and on the cluster where the
//! release is what matters.

use anyhow::Result;
use clap::Parser;

use crate::command::{ANY_NODE_PORT, TestEnv, offline, repo};

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
        let r = offline(args).success();
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
    let mut errors = String::new();
    for args in [
        &["template", "one", "-r", "two"][..],
        &["status", "one", "--release", "two"],
        &["get", "values", "one", "-r", "two"],
        &["install", "one", "charts/todo-app", "--chart", "elsewhere"],
        &["rollback", "one", "2", "-r", "two"],
        &["install", "./charts/todo-app"],
    ] {
        let r = offline(args).failure(1);
        assert!(
            !r.stderr.contains("needs a cluster connection"),
            "refused before anything else: {r}"
        );
        errors.push_str(&r.transcript());
    }
    insta::assert_snapshot!(errors);
}

#[test]
fn every_release_command_takes_the_positional_form() {
    let mut errors = String::new();
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
        // Parsed, and stopped only for want of a cluster.
        errors.push_str(&offline(args).failure(1).transcript());
    }
    insta::assert_snapshot!(errors);
}

#[test]
fn show_takes_a_chart_directory_positionally() {
    let r = offline(&["show", "chart", "charts/todo-app"]).success();
    assert!(r.stdout.contains("name: todo-app"), "{}", r.stdout);
}

#[test]
fn rollback_revision_must_be_a_number() {
    let r = offline(&["rollback", "todo-app", "two"]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn lint_takes_a_chart_directory_alone() {
    offline(&["lint", "charts/todo-app"]).success();
    let r = offline(&["lint", "no/such/chart"]).failure(1);
    insta::assert_snapshot!(r.error());
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
        // A line ending in `\` goes on on the next, as in a shell.
        let mut joined: Vec<String> = Vec::new();
        let mut continued = false;
        for line in text.lines() {
            if continued && let Some(last) = joined.last_mut() {
                last.truncate(last.trim_end().trim_end_matches('\\').len());
                last.push(' ');
                last.push_str(line.trim_start());
            } else {
                joined.push(line.to_string());
            }
            continued = line.trim_end().ends_with('\\');
        }
        for line in &joined {
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
    let Some(env) = TestEnv::new("posrel").await? else {
        return Ok(());
    };
    let chart = repo().join("charts/todo-app");
    let chart = chart.to_str().expect("utf-8 path");

    let out = env.ok([
        "install",
        "shop",
        chart,
        "--set",
        ANY_NODE_PORT,
        "--no-wait",
    ]);
    assert!(
        out.stdout.contains("release `shop` revision 1"),
        "{}",
        out.stdout
    );
    env.ok([
        "upgrade",
        "shop",
        chart,
        "--set",
        "backend.replicaCount=3",
        "--no-wait",
    ]);
    let h = env.ok(["history", "shop", "-o", "json"]);
    let h: serde_json::Value = serde_json::from_str(&h.stdout)?;
    assert_eq!(h.as_array().map(Vec::len), Some(2), "{h}");

    let status = env.ok(["status", "shop"]);
    assert!(status.stdout.contains("NAME: shop"), "{}", status.stdout);
    let values = env.ok(["get", "values", "shop"]);
    assert!(
        values.stdout.contains("replicaCount: 3"),
        "{}",
        values.stdout
    );
    env.ok(["diff", "shop", chart]);

    // `rollback shop 1`, then a lone number with -r: both name revision 1 of `shop`.
    let out = env.ok(["rollback", "shop", "1", "--no-wait"]);
    assert!(
        out.stdout
            .contains("release `shop` rolled back to revision 1"),
        "{}",
        out.stdout
    );
    let out = env.ok(["rollback", "2", "-r", "shop", "--no-wait"]);
    assert!(
        out.stdout.contains("rolled back to revision 2"),
        "{}",
        out.stdout
    );
    let values = env.ok(["get", "values", "shop"]);
    assert!(
        values.stdout.contains("replicaCount: 3"),
        "{}",
        values.stdout
    );

    // The default release does not exist here: the name really was taken from the argument.
    let r = env.run(["status"]).failure(1);
    insta::assert_snapshot!(r.error());

    env.ok(["uninstall", "shop", "--no-wait"]);
    env.run(["history", "shop"]).failure(1);
    Ok(())
}
