//! `--post-renderer` on template (offline) and install (on the real control plane): what comes
//! back is validated like rendered objects, a failing or hanging renderer is a clear error that
//! shows its stderr without secrets, and the revision records that one was used.

use std::path::Path;

use anyhow::Result;

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl};

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
