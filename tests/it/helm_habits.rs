//! What a Helm user types: Helm's aliases, Helm flags todoctl does not have (a hint, never a
//! wrong guess or a fake success), refused operations that change nothing, and diff taking
//! every flag of upgrade.

use anyhow::Result;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use serde_json::json;

use crate::cli::todoctl as offline;
use crate::harness::{self, Cluster};
use crate::run::{ANY_NODE_PORT, clean_error, ok, statuses, todoctl};

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
fn version_on_a_subcommand_is_a_usage_error_not_a_deploy() {
    for args in [
        &["upgrade", "--version", "1.0.0"][..],
        &["install", "-V"],
        &["install", "--version=1.0.0"],
        &["diff", "--version", "2"],
        &["rollback", "-V"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(!r.stderr.contains("0.1.0"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("--chart DIR"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("built into todoctl"), "{}", r.stderr);
    }
    insta::assert_snapshot!(
        "upgrade_version_flag",
        run(&["upgrade", "--version", "1.0.0"]).stderr
    );
    for args in [&["--version"][..], &["-V"]] {
        let r = run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout.trim(),
            format!("todoctl {}", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn helm_flags_todoctl_lacks_get_a_hint_instead_of_a_guess() {
    for (args, hint) in [
        (&["install", "--wait"][..], "waits for readiness by default"),
        (&["upgrade", "--wait=true"], "--no-wait turns waiting off"),
        (&["install", "--create-namespace"], "creates the namespace"),
        (
            &["upgrade", "--reuse-values"],
            "--reset-values starts again",
        ),
        (&["status", "--debug"], "use -v"),
        (&["list", "--debug"], "use -v"),
    ] {
        let r = run(args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(hint), "{args:?}: {}", r.stderr);
        // clap's own guess for --wait is --no-wait, the opposite of what was meant.
        assert!(!r.stderr.contains("similar argument"), "{}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    insta::assert_snapshot!("install_wait_flag", run(&["install", "--wait"]).stderr);
    // Other unknown flags keep clap's guesses.
    let r = run(&["install", "--atomik"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--atomic"), "{}", r.stderr);
}

#[test]
fn helm_aliases_name_list_and_uninstall() {
    for alias in ["ls", "un", "del", "delete"] {
        let r = run(&[alias, "--help"]);
        assert_eq!(r.code, 0, "{alias}: {}", r.stderr);
    }
    let help = run(&["--help"]).stdout;
    assert!(help.contains("[aliases: un, del, delete]"), "{help}");
    assert!(help.contains("[alias: ls]"), "{help}");
    // The aliases run the command: without a cluster, they say so as the command does.
    for alias in ["ls", "un"] {
        let r = run(&[alias]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("needs a cluster connection"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn diff_takes_every_flag_of_upgrade() {
    let longs = |cmd: &str| -> Vec<String> {
        todoctl::cli::command()
            .find_subcommand(cmd)
            .expect("subcommand")
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect()
    };
    let diff = longs("diff");
    let missing: Vec<String> = longs("upgrade")
        .into_iter()
        .filter(|l| !diff.contains(l))
        .collect();
    assert!(missing.is_empty(), "diff lacks upgrade's {missing:?}");
    // Parsed and accepted: the run only stops at the missing cluster connection.
    let r = run(&[
        "diff",
        "--force-conflicts",
        "--timeout",
        "1m",
        "--atomic",
        "--install",
        "--no-wait",
        "--adopt",
        "--history-max",
        "3",
        "--dry-run",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("needs a cluster connection"),
        "{}",
        r.stderr
    );
}

#[test]
fn values_with_two_revisions_are_a_usage_error() {
    for flag in [
        &["--set", "backend.replicaCount=4"][..],
        &["-f", "values/production.yaml"],
        &["--set-string", "a=b"],
        &["--chart", "charts/todo-app"],
        &["--reset-values"],
    ] {
        let mut args = vec!["diff", "--revision", "1", "--revision", "2"];
        args.extend(flag);
        let r = run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
        assert!(r.stderr.contains("--revision"), "{}", r.stderr);
    }
}

#[test]
fn version_says_connection_refused_when_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Bound and dropped: nothing listens on this port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n"
        ),
    )
    .expect("kubeconfig");
    let out = offline()
        .args([
            "version",
            "--kubeconfig",
            kubeconfig.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run todoctl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("connection refused"), "{text}");
    assert!(!text.contains("no answer within"), "{text}");
}

async fn namespace_exists(cluster: &Cluster, name: &str) -> Result<bool> {
    Ok(Api::<Namespace>::all(cluster.client().await)
        .get_opt(name)
        .await?
        .is_some())
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_operations_create_no_namespace_and_leave_nothing() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("refused").await?;
    let absent = format!("{}-absent", ns.name());
    let mut created = Vec::new();
    for args in [
        &["upgrade", "--set", "backend.replicaCount=3"][..],
        &["upgrade", "--dry-run"],
        &["rollback"],
        &["rollback", "1", "--dry-run"],
        &["uninstall"],
        &["uninstall", "--dry-run"],
        &["diff"],
    ] {
        let out = todoctl(&cluster, &absent, args, &[]);
        clean_error(&out, 1);
        assert!(out.stderr.contains("not found"), "{args:?}: {}", out.stderr);
        if namespace_exists(&cluster, &absent).await? {
            created.push(args.join(" "));
            let _ = Api::<Namespace>::all(cluster.client().await)
                .delete(&absent, &DeleteParams::background())
                .await;
        }
    }
    assert!(
        created.is_empty(),
        "these created namespace `{absent}`: {created:?}"
    );

    // In a namespace that exists, the refusal leaves no lock and no record behind.
    let leases = Api::<Lease>::namespaced(cluster.client().await, ns.name());
    for args in [&["upgrade"][..], &["rollback"], &["uninstall"]] {
        let out = todoctl(&cluster, ns.name(), args, &[]);
        clean_error(&out, 1);
        assert!(out.stderr.contains("not found"), "{args:?}: {}", out.stderr);
        let left = leases.list(&ListParams::default()).await?.items;
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }

    // upgrade --install installs, and so creates the namespace.
    let out = ok(todoctl(
        &cluster,
        &absent,
        &["upgrade", "--install", "--no-wait", "--set", ANY_NODE_PORT],
        &[],
    ));
    let installed = namespace_exists(&cluster, &absent).await?;
    let _ = Api::<Namespace>::all(cluster.client().await)
        .delete(&absent, &DeleteParams::background())
        .await;
    assert!(installed, "{}", out.stdout);
    Ok(())
}

/// An install the API server refuses (here: requests above limits, which only the server
/// checks) into a namespace it would create leaves no namespace behind: a refused operation
/// changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_install_removes_the_namespace_it_created() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("refused-install").await?;
    let absent = format!("{}-new", ns.name());
    let out = todoctl(
        &cluster,
        &absent,
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "backend.resources.requests.cpu=2",
        ],
        &[],
    );
    clean_error(&out, 1);
    assert!(out.stderr.contains("backend-deployment"), "{}", out.stderr);
    // Deleted, or on its way out with nothing in it.
    let left = Api::<Namespace>::all(cluster.client().await)
        .get_opt(&absent)
        .await?;
    if let Some(left) = left {
        assert!(
            left.metadata.deletion_timestamp.is_some(),
            "namespace `{absent}` was left behind: {left:?}"
        );
    }
    // Into a namespace that exists, the same refusal keeps the namespace (it is not todoctl's).
    let out = todoctl(
        &cluster,
        ns.name(),
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--set",
            "backend.resources.requests.cpu=2",
        ],
        &[],
    );
    clean_error(&out, 1);
    assert!(namespace_exists(&cluster, ns.name()).await?);
    let leases = Api::<Lease>::namespaced(cluster.client().await, ns.name());
    assert!(leases.list(&ListParams::default()).await?.items.is_empty());
    Ok(())
}

#[test]
fn namespace_help_says_which_command_creates_it() {
    for (cmd, says) in [
        ("install", "(created when missing)"),
        ("upgrade", "only by --install"),
        ("rollback", "never created"),
        ("uninstall", "never created"),
    ] {
        let r = run(&[cmd, "--help"]);
        assert_eq!(r.code, 0);
        let line = r
            .stdout
            .split("--namespace")
            .nth(1)
            .map(|s| s.replace('\n', " "))
            .unwrap_or_default();
        let line: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(line.contains(says), "{cmd}: {line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_of_a_missing_release_needs_install_and_forces_like_upgrade() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("diff-flags").await?;
    let ns = ns.name();
    let out = todoctl(&cluster, ns, &["diff"], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("not found"), "{}", out.stderr);
    assert!(out.stderr.contains("--install"), "{}", out.stderr);
    let out = ok(todoctl(
        &cluster,
        ns,
        &["diff", "--install", "--set", ANY_NODE_PORT],
        &[],
    ));
    assert!(
        out.stdout.contains("create deployment/backend"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("0 to change, 0 to delete"),
        "{}",
        out.stdout
    );

    ok(todoctl(
        &cluster,
        ns,
        &["install", "--no-wait", "--set", ANY_NODE_PORT],
        &[],
    ));
    // Every upgrade flag is accepted; those about how an upgrade runs change nothing shown.
    let plain = ok(todoctl(
        &cluster,
        ns,
        &["diff", "--set", "backend.replicaCount=3"],
        &[],
    ));
    let all = ok(todoctl(
        &cluster,
        ns,
        &[
            "diff",
            "--set",
            "backend.replicaCount=3",
            "--timeout",
            "1m",
            "--atomic",
            "--no-wait",
            "--history-max",
            "2",
            "--dry-run",
            "--install",
        ],
        &[],
    ));
    assert_eq!(plain.stdout, all.stdout);

    // Another field manager owns a field of backend-config: diff fails as upgrade would, and
    // with --force-conflicts shows the forced value.
    let configs = Api::<ConfigMap>::namespaced(cluster.client().await, ns);
    let live = configs.get("backend-config").await?;
    let (key, value) = live
        .data
        .unwrap_or_default()
        .into_iter()
        .next()
        .expect("backend-config has data");
    configs
        .patch(
            "backend-config",
            &PatchParams::apply("someone-else").force(),
            &Patch::Apply(json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "backend-config"},
                "data": {key.clone(): "changed-by-someone-else"},
            })),
        )
        .await?;
    let out = todoctl(&cluster, ns, &["diff"], &[]);
    clean_error(&out, 1);
    assert!(out.stderr.contains("conflict"), "{}", out.stderr);
    let out = ok(todoctl(&cluster, ns, &["diff", "--force-conflicts"], &[]));
    assert!(
        out.stdout.contains("-  changed-by-someone-else")
            || out.stdout.contains("changed-by-someone-else"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&value), "{}", out.stdout);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn revisions_diff_names_them_and_a_dry_run_rollback_applies_nothing() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("rev-diff").await?;
    let ns = ns.name();
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--no-wait", "--set", ANY_NODE_PORT],
        &[],
    ));
    ok(todoctl(
        &cluster,
        ns,
        &["upgrade", "--no-wait", "--set", "backend.replicaCount=3"],
        &[],
    ));
    let out = ok(todoctl(
        &cluster,
        ns,
        &["diff", "--revision", "1", "--revision", "2"],
        &[],
    ));
    assert!(
        out.stdout.contains("--- revision 1 deployment/")
            && out.stdout.contains("+++ revision 2 deployment/"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("--- live"), "{}", out.stdout);

    let before = statuses(&cluster, ns);
    let out = ok(todoctl(&cluster, ns, &["rollback", "1", "--dry-run"], &[]));
    assert!(out.stdout.starts_with("dry run:"), "{}", out.stdout);
    assert!(!out.stdout.contains("applied"), "{}", out.stdout);
    assert!(out.stdout.contains("nothing was changed"), "{}", out.stdout);
    assert_eq!(statuses(&cluster, ns), before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn taking_over_another_release_is_todoctl_refusing() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("not-yours").await?;
    let ns = ns.name();
    ok(todoctl(
        &cluster,
        ns,
        &["install", "--no-wait", "--set", ANY_NODE_PORT],
        &[],
    ));
    let out = todoctl(
        &cluster,
        ns,
        &["install", "other", "--no-wait", "--set", ANY_NODE_PORT],
        &[],
    );
    clean_error(&out, 1);
    assert!(
        out.stderr.contains("todoctl will not take over"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("belong"), "{}", out.stderr);
    assert!(out.stderr.contains("another namespace"), "{}", out.stderr);
    assert!(out.stderr.contains("--adopt"), "{}", out.stderr);
    assert!(!out.stderr.contains("API server rejects"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("fix the chart or values"),
        "{}",
        out.stderr
    );
    Ok(())
}
