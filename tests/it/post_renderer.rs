//! `--post-renderer` on template (offline) and install (on the real control plane): what comes
//! back is validated like rendered objects, a failing or hanging renderer is a clear error that
//! shows its stderr without secrets, a Ctrl-C stops it with its children and changes nothing, and
//! the revision records that one was used.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use kube::api::ListParams;

use crate::command::{ANY_NODE_PORT, Output, TestEnv, Todoctl};

/// A post-renderer script that adds a label to every object, as kustomize's commonLabels would.
fn labeller(dir: &Path) -> String {
    let path = dir.join("add-label.sh");
    std::fs::write(
        &path,
        "#!/bin/sh\nexec sed 's/^  labels:$/  labels:\\n    post-rendered: \"yes\"/'\n",
    )
    .unwrap();
    executable(&path);
    path.to_str().unwrap().to_string()
}

fn executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    executable(&path);
    path.to_str().unwrap().to_string()
}

/// `todoctl template ARGS`, offline.
fn template(args: &[&str]) -> Todoctl {
    Todoctl::offline().arg("template").args(args)
}

#[test]
fn template_pipes_the_objects_through_the_post_renderer() {
    let dir = tempfile::tempdir().unwrap();
    let renderer = labeller(dir.path());
    let out = template(&["--post-renderer", &renderer])
        .run()
        .success()
        .stdout;
    assert!(out.contains("post-rendered: \"yes\""), "{out}");
    // Each object still names the template it came from, and todoctl's labels survive.
    assert!(out.contains("# Source: templates/backend.yaml"), "{out}");
    assert!(
        out.contains("app.kubernetes.io/managed-by: todoctl"),
        "{out}"
    );

    // Arguments reach it: `sed -n` with a script that prints nothing returns no objects.
    let out = template(&[
        "--post-renderer",
        "sed",
        "--post-renderer-args",
        "-n",
        "--post-renderer-args",
        "/nothing/p",
    ])
    .run()
    .failure(1);
    insta::assert_snapshot!("no_objects", out.error());
}

#[test]
fn what_comes_back_is_validated_and_failures_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cret-from-values";
    // Invalid output: a Deployment without a selector.
    let broken = script(
        dir.path(),
        "broken.sh",
        "cat >/dev/null\nprintf 'apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: x\\nspec:\\n  replicas: many\\n'",
    );
    let out = template(&["--post-renderer", &broken]).run().failure(1);
    insta::assert_snapshot!("invalid_output", out.error());

    // A failing renderer: its code and the end of its stderr, with the secret it saw scrubbed.
    let failing = script(
        dir.path(),
        "failing.sh",
        "v=$(grep 'OPENAI_API_KEY:' | head -1 | sed 's/.*: //' | base64 -d)\necho \"saw $v\" >&2\necho 'patch not found' >&2\nexit 4",
    );
    let set = format!("secrets.openaiApiKey={secret}");
    let out = template(&["--set", &set, "--post-renderer", &failing])
        .forbid(secret)
        .run()
        .failure(1);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!("failing_renderer", out.error());

    // A hanging renderer is stopped at the timeout.
    let hanging = script(dir.path(), "hang.sh", "sleep 30");
    let started = std::time::Instant::now();
    let out = template(&["--post-renderer", &hanging])
        .env("TODOCTL_POST_RENDERER_TIMEOUT", "1")
        .run()
        .failure(1);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    insta::assert_snapshot!("hanging_renderer", out.error());

    let out = template(&["--post-renderer", "./no-such-program"])
        .run()
        .failure(1);
    insta::assert_snapshot!("missing_program", out.error());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_revision_records_the_post_renderer() -> Result<()> {
    let Some(env) = TestEnv::new("post-render").await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let renderer = labeller(dir.path());
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--no-wait",
        "--post-renderer",
        &renderer,
    ]);
    let meta = env.ok(["get", "metadata"]).stdout;
    assert!(
        meta.contains(&format!("POST_RENDERER: {renderer}\n")),
        "{meta}"
    );
    let history = env.history();
    assert_eq!(history[0]["post_renderer"], renderer.as_str());
    let manifest = env.ok(["get", "manifest"]).stdout;
    assert!(manifest.contains("post-rendered: \"yes\""), "{manifest}");
    // An upgrade without it renders without it and says so.
    env.ok(["upgrade", "--no-wait"]);
    let history = env.history();
    assert!(history[1].get("post_renderer").is_none(), "{history:?}");
    let failing = format!("{}/fail.sh", dir.path().display());
    std::fs::write(&failing, "#!/bin/sh\nexit 2\n")?;
    executable(Path::new(&failing));
    env.run(["upgrade", "--post-renderer", &failing]).failure(1);
    assert_eq!(env.history().len(), 2, "a refused upgrade records nothing");
    Ok(())
}

/// A post-renderer that starts a child, writes both process ids to `pids` and hangs without
/// reading its input.
fn hanging_with_a_child(dir: &Path, pids: &Path) -> String {
    let pids = pids.display();
    script(
        dir,
        "hang-with-child.sh",
        &format!(
            "sleep 300 &\necho $! >{pids}.tmp\necho $$ >>{pids}.tmp\nmv {pids}.tmp {pids}\nwait"
        ),
    )
}

/// Starts `cmd` (whose post-renderer is [`hanging_with_a_child`] writing `pids`), sends it
/// SIGINT once the post-renderer runs, and returns how it ended and how long that took.
fn interrupted(cmd: Todoctl, pids: &Path) -> (Output, Duration) {
    let mut running = cmd.spawn();
    let started = Instant::now();
    while !pids.exists() {
        if let Ok(Some(status)) = running.child().try_wait() {
            panic!("todoctl ended ({status}) before the post-renderer ran");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the post-renderer never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let id = running.child().id().to_string();
    let sent = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &id])
        .status()
        .expect("running kill");
    assert!(killed.success());
    let out = running.wait();
    (out, sent.elapsed())
}

/// Every process in `pids` is gone (or a zombie waiting for init to reap it) within a moment:
/// SIGKILL lands a little after kill(2) returns.
fn all_gone(pids: &Path) {
    let text = std::fs::read_to_string(pids).unwrap();
    let state =
        |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let gone = |pid: &str| {
        let state = state(pid);
        state.is_empty() || state.contains(") Z ")
    };
    let started = Instant::now();
    for pid in text.split_whitespace() {
        while !gone(pid) && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            gone(pid),
            "process {pid} of the post-renderer still runs: {}",
            state(pid)
        );
    }
    std::fs::remove_file(pids).unwrap();
}

/// What an interrupted run must show: exit 130 within seconds (not the post-renderer's
/// timeout), an error that says the post-renderer was stopped and nothing changed, and no
/// process of the post-renderer left running.
#[track_caller]
fn stopped_at_once(out: Output, took: Duration, pids: &Path) {
    let out = out.failure(130);
    assert!(took < Duration::from_secs(10), "took {took:?}: {out}");
    assert!(
        out.stderr
            .contains("error: interrupted by SIGINT while --post-renderer `")
            && out
                .stderr
                .contains("ran: it was stopped, and nothing was changed"),
        "{out}"
    );
    all_gone(pids);
}

#[test]
fn ctrl_c_stops_a_hanging_post_renderer_of_template() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let renderer = hanging_with_a_child(dir.path(), &pids);
    let (out, took) = interrupted(template(&["--post-renderer", &renderer]), &pids);
    assert!(out.stdout.is_empty(), "{out}");
    stopped_at_once(out, took, &pids);
}

/// Install and upgrade run the post-renderer under the release lock: a Ctrl-C stops it, records
/// nothing and leaves no lock.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_hanging_post_renderer_and_changes_nothing() -> Result<()> {
    let Some(env) = TestEnv::new("post-render-int").await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let pids = dir.path().join("pids");
    let renderer = hanging_with_a_child(dir.path(), &pids);
    let leases = Api::<Lease>::namespaced(env.client().await, env.ns());

    let install = env.todoctl().args([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--post-renderer",
        &renderer,
    ]);
    let (out, took) = interrupted(install, &pids);
    stopped_at_once(out, took, &pids);
    env.run(["history"]).failure(1);
    assert!(leases.list(&ListParams::default()).await?.items.is_empty());

    env.install(&["--no-wait"]);
    for args in [
        &["upgrade", "--post-renderer", &renderer][..],
        &["diff", "--post-renderer", &renderer],
    ] {
        let (out, took) = interrupted(env.todoctl().args(args), &pids);
        stopped_at_once(out, took, &pids);
        assert_eq!(env.history().len(), 1, "{args:?} recorded a revision");
        assert!(
            leases.list(&ListParams::default()).await?.items.is_empty(),
            "{args:?} left its lock"
        );
    }
    Ok(())
}
