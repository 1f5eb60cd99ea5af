//! What a Helm user types: Helm's aliases, Helm flags todoctl does not have (a hint, never a
//! wrong guess or a fake success), refused operations that change nothing, and diff taking
//! every flag of upgrade.

use anyhow::Result;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl, offline};
use crate::harness::{self, Cluster};

#[test]
fn version_on_a_subcommand_is_a_usage_error_not_a_deploy() {
    let mut errors = String::new();
    for args in [
        &["upgrade", "--version", "1.0.0"][..],
        &["install", "-V"],
        &["install", "--version=1.0.0"],
        &["diff", "--version", "2"],
        &["rollback", "-V"],
    ] {
        let r = offline(args).failure(1);
        assert!(r.stdout.is_empty(), "{r}");
        // No version number: nothing reads the flag as a chart version.
        assert!(!r.stderr.contains("0.1.0"), "{r}");
        errors.push_str(&r.transcript());
    }
    insta::assert_snapshot!("version_flags", errors);
    for args in [&["--version"][..], &["-V"]] {
        let r = offline(args).success();
        assert_eq!(
            r.stdout.trim(),
            format!("todoctl {}", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn helm_flags_todoctl_lacks_get_a_hint_instead_of_a_guess() {
    let mut errors = String::new();
    for args in [
        &["install", "--wait"][..],
        &["upgrade", "--wait=true"],
        &["install", "--create-namespace"],
        &["upgrade", "--reuse-values"],
        &["status", "--debug"],
        &["list", "--debug"],
        &["upgrade", "--description", "hotfix"],
        &["install", "--cleanup-on-fail"],
        &["upgrade", "--wait-for-jobs"],
        &["install", "--skip-crds"],
        &["upgrade", "--force"],
        &["install", "--server-side=true"],
    ] {
        let r = offline(args).failure(1);
        // clap's own guess for --wait is --no-wait, the opposite of what was meant.
        assert!(!r.stderr.contains("similar argument"), "{r}");
        errors.push_str(&r.transcript());
    }
    insta::assert_snapshot!("helm_flags", errors);
    // Other unknown flags keep clap's guesses.
    let r = offline(&["install", "--atomik"]).failure(1);
    insta::assert_snapshot!("unknown_flag", r.error());
}

#[test]
fn helm_4_flag_names_and_dry_run_modes_are_understood() {
    // Helm 4's names for --atomic and --adopt are the same flags.
    for args in [
        &["upgrade", "--rollback-on-failure", "--help"][..],
        &["install", "--take-ownership", "--help"],
    ] {
        offline(args).success();
    }
    let help = offline(&["upgrade", "--help"]).stdout;
    assert!(help.contains("rollback-on-failure"), "{help}");
    assert!(help.contains("take-ownership"), "{help}");
    // --dry-run=server is todoctl's --dry-run; =client points to template; nonsense is named.
    let mut errors = String::new();
    for args in [
        &["install", "--dry-run=client"][..],
        &["uninstall", "--dry-run=client"],
        &["upgrade", "--dry-run=maybe"],
    ] {
        errors.push_str(&offline(args).failure(1).transcript());
    }
    assert!(errors.contains("todoctl template"), "{errors}");
    assert!(errors.contains("`maybe` is not a dry-run mode"), "{errors}");
    // Without a cluster, `--dry-run=server` gets as far as connecting, like `--dry-run`.
    let server = offline(&["install", "--dry-run=server"]).failure(1);
    let plain = offline(&["install", "--dry-run"]).failure(1);
    assert_eq!(server.stderr, plain.stderr);
}

#[test]
fn helm_aliases_name_list_and_uninstall() {
    for alias in ["ls", "un", "del", "delete"] {
        offline(&[alias, "--help"]).success();
    }
    let help = offline(&["--help"]).stdout;
    assert!(help.contains("[aliases: un, del, delete]"), "{help}");
    assert!(help.contains("[alias: ls]"), "{help}");
    // The aliases run the command: without a cluster, they say so as the command does.
    let mut errors = String::new();
    for alias in ["ls", "un"] {
        errors.push_str(&offline(&[alias]).failure(1).transcript());
    }
    insta::assert_snapshot!("aliases_without_a_cluster", errors);
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
    let r = offline(&[
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
    ])
    .failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn values_with_two_revisions_are_a_usage_error() {
    let mut errors = String::new();
    for flag in [
        &["--set", "backend.replicaCount=4"][..],
        &["-f", "values/production.yaml"],
        &["--set-string", "a=b"],
        &["--chart", "charts/todo-app"],
        &["--reset-values"],
    ] {
        let mut args = vec!["diff", "--revision", "1", "--revision", "2"];
        args.extend(flag);
        errors.push_str(&offline(&args).failure(1).transcript());
    }
    insta::assert_snapshot!(errors);
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
    let out = Todoctl::offline()
        .args([
            "version",
            "--kubeconfig",
            kubeconfig.to_str().expect("utf-8"),
        ])
        .filter(&format!("127.0.0.1:{port}"), "127.0.0.1:<port>")
        .filter(env!("CARGO_PKG_VERSION"), "<version>")
        .run();
    let text = out.normalized(&format!("{}{}", out.stdout, out.stderr));
    assert!(!text.contains("no answer within"), "{text}");
    insta::assert_snapshot!(text);
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
    let env = TestEnv::on(&cluster, "refused").await?;
    let absent = format!("{}-absent", env.ns());
    let in_absent = || Todoctl::new(&cluster).namespace(&absent);
    let mut created = Vec::new();
    let mut errors = String::new();
    for args in [
        &["upgrade", "--set", "backend.replicaCount=3"][..],
        &["upgrade", "--dry-run"],
        &["rollback"],
        &["rollback", "1", "--dry-run"],
        &["uninstall"],
        &["uninstall", "--dry-run"],
        &["diff"],
    ] {
        let out = in_absent().args(args).run().failure(1);
        errors.push_str(&out.transcript());
        if namespace_exists(&cluster, &absent).await? {
            created.push(args.join(" "));
            let _ = Api::<Namespace>::all(env.client().await)
                .delete(&absent, &DeleteParams::background())
                .await;
        }
    }
    assert!(
        created.is_empty(),
        "these created namespace `{absent}`: {created:?}"
    );
    insta::assert_snapshot!("in_a_missing_namespace", errors);

    // In a namespace that exists, the refusal leaves no lock and no record behind.
    let leases = Api::<Lease>::namespaced(env.client().await, env.ns());
    let mut errors = String::new();
    for args in [&["upgrade"][..], &["rollback"], &["uninstall"]] {
        let out = env.run(args).failure(1);
        errors.push_str(&out.transcript());
        let left = leases.list(&ListParams::default()).await?.items;
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
    insta::assert_snapshot!("in_an_existing_namespace", errors);

    // upgrade --install installs, and so creates the namespace.
    let out = in_absent()
        .args(["upgrade", "--install", "--no-wait", "--set", ANY_NODE_PORT])
        .run()
        .success();
    let installed = namespace_exists(&cluster, &absent).await?;
    let _ = Api::<Namespace>::all(env.client().await)
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
    let env = TestEnv::on(&cluster, "refused-install").await?;
    let absent = format!("{}-new", env.ns());
    let install = [
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        "backend.resources.requests.cpu=2",
    ];
    let out = Todoctl::new(&cluster)
        .namespace(&absent)
        .args(install)
        .run()
        .failure(1);
    insta::assert_snapshot!(out.error());
    // Deleted, or on its way out with nothing in it.
    let left = Api::<Namespace>::all(env.client().await)
        .get_opt(&absent)
        .await?;
    if let Some(left) = left {
        assert!(
            left.metadata.deletion_timestamp.is_some(),
            "namespace `{absent}` was left behind: {left:?}"
        );
    }
    // Into a namespace that exists, the same refusal keeps the namespace (it is not todoctl's).
    env.run(install).failure(1);
    assert!(namespace_exists(&cluster, env.ns()).await?);
    let leases = Api::<Lease>::namespaced(env.client().await, env.ns());
    assert!(leases.list(&ListParams::default()).await?.items.is_empty());
    Ok(())
}

/// A namespace still being deleted (a refused install's own, a `kubectl delete namespace`)
/// takes nothing new: install waits for it to go and creates it again, so the retry right after
/// a refusal is not refused for it.
#[tokio::test(flavor = "multi_thread")]
async fn an_install_into_a_namespace_being_deleted_waits_and_creates_it_again() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let env = TestEnv::on(&cluster, "ns-going").await?;
    let target = format!("{}-again", env.ns());
    let client = env.client().await;
    let namespaces = Api::<Namespace>::all(client.clone());
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target}});
    namespaces
        .create(&PostParams::default(), &serde_json::from_value(namespace)?)
        .await?;
    // A finalizer on an object in it holds the namespace in Terminating until it is removed.
    let configmaps = Api::<ConfigMap>::namespaced(client.clone(), &target);
    let held = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "held", "finalizers": ["todoctl.test/hold"]}
    });
    configmaps
        .create(&PostParams::default(), &serde_json::from_value(held)?)
        .await?;
    namespaces.delete(&target, &DeleteParams::default()).await?;

    // Interrupted while it waits, before anything is recorded: it says so, and claims no record.
    let mut first = Todoctl::new(&cluster)
        .namespace(&target)
        .args(["install", "--no-wait", "--set", ANY_NODE_PORT])
        .spawn();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    std::process::Command::new("kill")
        .args(["-INT", &first.child().id().to_string()])
        .status()?;
    let out = first.wait();
    assert_eq!(out.code, 130, "{out}");
    assert!(
        out.stderr
            .contains("interrupted by SIGINT: stopped before finishing"),
        "{out}"
    );
    assert!(!out.stderr.contains("recorded"), "{out}");

    let install = Todoctl::new(&cluster)
        .namespace(&target)
        .args(["install", "--no-wait", "--set", ANY_NODE_PORT])
        .spawn();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let release = json!({"metadata": {"finalizers": null}});
    configmaps
        .patch("held", &PatchParams::default(), &Patch::Merge(&release))
        .await?;
    let out = install.wait().success();
    assert!(
        out.stderr.contains(&format!(
            "namespace `{target}` is being deleted; waiting for it to go, then creating it again"
        )),
        "{out}"
    );
    let created = namespaces.get(&target).await?;
    assert!(created.metadata.deletion_timestamp.is_none());
    namespaces.delete(&target, &DeleteParams::default()).await?;
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
        let r = offline(&[cmd, "--help"]).success();
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
    let Some(env) = TestEnv::new("diff-flags").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let out = env.run(["diff"]).failure(1);
    insta::assert_snapshot!("a_missing_release", out.error());
    let out = env.ok(["diff", "--install", "--set", ANY_NODE_PORT]);
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

    env.ok(["install", "--no-wait", "--set", ANY_NODE_PORT]);
    // Every upgrade flag is accepted; those about how an upgrade runs change nothing shown.
    let plain = env.ok(["diff", "--set", "backend.replicaCount=3"]);
    let all = env.ok([
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
    ]);
    assert_eq!(plain.stdout, all.stdout);

    // Another field manager owns a field of backend-config: diff fails as upgrade would, and
    // with --force-conflicts shows the forced value.
    let configs = Api::<ConfigMap>::namespaced(env.client().await, ns);
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
    let out = env.run(["diff"]).failure(1);
    insta::assert_snapshot!("a_conflict", out.error());
    let out = env.ok(["diff", "--force-conflicts"]);
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
    let Some(env) = TestEnv::new("rev-diff").await? else {
        return Ok(());
    };
    env.ok(["install", "--no-wait", "--set", ANY_NODE_PORT]);
    env.ok(["upgrade", "--no-wait", "--set", "backend.replicaCount=3"]);
    let out = env.ok(["diff", "--revision", "1", "--revision", "2"]);
    assert!(
        out.stdout.contains("--- revision 1 deployment/")
            && out.stdout.contains("+++ revision 2 deployment/"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("--- live"), "{}", out.stdout);

    let before = env.statuses();
    let out = env.ok(["rollback", "1", "--dry-run"]);
    assert!(out.stdout.starts_with("dry run:"), "{}", out.stdout);
    assert!(!out.stdout.contains("applied"), "{}", out.stdout);
    assert!(out.stdout.contains("nothing was changed"), "{}", out.stdout);
    assert_eq!(env.statuses(), before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn taking_over_another_release_is_todoctl_refusing() -> Result<()> {
    let Some(env) = TestEnv::new("not-yours").await? else {
        return Ok(());
    };
    env.ok(["install", "--no-wait", "--set", ANY_NODE_PORT]);
    let out = env
        .run(["install", "other", "--no-wait", "--set", ANY_NODE_PORT])
        .failure(1);
    insta::assert_snapshot!(out.error());
    Ok(())
}

/// The neighbour: some objects belong to another release, one to none. Only the one no release
/// owns is offered to --adopt.
#[tokio::test(flavor = "multi_thread")]
async fn objects_of_another_release_and_of_none_get_their_own_advice() -> Result<()> {
    let Some(env) = TestEnv::new("not-yours-mixed").await? else {
        return Ok(());
    };
    env.ok(["install", "--no-wait", "--set", ANY_NODE_PORT]);
    // As if made by hand: the owner annotation removed.
    let configmaps: Api<ConfigMap> = Api::namespaced(env.client().await, env.ns());
    let patch = json!({ "metadata": { "annotations": { "todoctl.io/owner": null } } });
    configmaps
        .patch(
            "frontend-config",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
    let out = env
        .run(["install", "other", "--no-wait", "--set", ANY_NODE_PORT])
        .failure(1);
    insta::assert_snapshot!(out.error());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_what_helm_list_shows_and_takes_its_filters() -> Result<()> {
    let Some(env) = TestEnv::installed("list-filters", &[]).await? else {
        return Ok(());
    };
    let chart = tempfile::tempdir()?;
    crate::preflight::write_chart(
        chart.path(),
        "x: 1\n",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept-{{ release.name }}\ndata:\n  x: \"{{ values.x }}\"\n",
        )],
    );
    let chart = chart.path().to_string_lossy().into_owned();
    env.ok(["install", "-r", "old", "--chart", &chart]);
    env.ok(["uninstall", "-r", "old", "--keep-history"]);

    // An uninstalled release is not listed by default, as in Helm; -a and --uninstalled show it.
    let names = |args: &[&str]| -> Vec<String> {
        env.ok([&["list", "-q"], args].concat())
            .stdout
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(names(&[]), ["todo-app"]);
    assert_eq!(names(&["-a"]), ["old", "todo-app"]);
    assert_eq!(names(&["--uninstalled"]), ["old"]);
    assert_eq!(names(&["-a", "-f", "^o"]), ["old"]);
    assert_eq!(names(&["-a", "-r", "-m", "1"]), ["todo-app"]);
    let table = env.ok(["list", "-a"]);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("old") && l.contains("uninstalled")),
        "{table}"
    );

    let bad = env.run(["list", "-f", "(unclosed"]);
    assert_ne!(bad.code, 0, "{bad}");
    assert!(
        bad.stderr
            .contains("--filter `(unclosed` is not a regular expression"),
        "{bad}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_port_taken_in_another_namespace_is_named_with_the_value_to_change() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let first = TestEnv::on(&cluster, "nodeport-a").await?;
    let second = TestEnv::on(&cluster, "nodeport-b").await?;
    // A port of its own: other tests use none (ANY_NODE_PORT) or 30080.
    let port = ["--no-wait", "--set", "frontend.service.nodePort=30979"];
    first.ok([&["install"][..], &port].concat());
    let refused = second.run([&["install"][..], &port].concat());
    assert_eq!(refused.code, 1, "{refused}");
    assert!(
        refused
            .stderr
            .contains("service/frontend-service: spec.ports[0].nodePort")
            && refused
                .stderr
                .contains("another Service in the cluster has that port")
            && refused
                .stderr
                .contains("--set frontend.service.nodePort=PORT"),
        "{refused}"
    );
    // Refused: nothing of it is left, and a free port goes through.
    second.ok(["install", "--no-wait", "--set", ANY_NODE_PORT]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_namespace_given_before_the_command_is_the_commands() -> Result<()> {
    let Some(env) = TestEnv::installed("ns-first", &[]).await? else {
        return Ok(());
    };
    // As `helm -n NS list`: the namespace flag may come before the command.
    let out = Todoctl::new(&env.cluster)
        .args(["-n", env.ns(), "list", "-q"])
        .run()
        .success();
    assert_eq!(out.stdout.trim(), "todo-app", "{out}");
    let out = Todoctl::new(&env.cluster)
        .args([&format!("--namespace={}", env.ns()), "get", "values"])
        .run()
        .success();
    assert!(!out.stdout.is_empty(), "{out}");
    Ok(())
}
