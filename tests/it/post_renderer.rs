//! `--post-renderer` on template (offline) and install (on the real control plane): what comes
//! back is validated like rendered objects, a failing or hanging renderer is a clear error that
//! shows its stderr without secrets, and the revision records that one was used.

use std::path::Path;

use anyhow::Result;

use crate::harness;
use crate::run::{self, ANY_NODE_PORT, clean_error, ok};

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

fn template(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = crate::cli::todoctl();
    cmd.arg("template").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn template_pipes_the_objects_through_the_post_renderer() {
    let dir = tempfile::tempdir().unwrap();
    let renderer = labeller(dir.path());
    let (code, out, err) = template(&["--post-renderer", &renderer], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("post-rendered: \"yes\""), "{out}");
    // Each object still names the template it came from, and todoctl's labels survive.
    assert!(out.contains("# Source: templates/backend.yaml"), "{out}");
    assert!(
        out.contains("app.kubernetes.io/managed-by: todoctl"),
        "{out}"
    );

    // Arguments reach it: `sed -n` with a script that prints nothing returns no objects.
    let (code, _, err) = template(
        &[
            "--post-renderer",
            "sed",
            "--post-renderer-args",
            "-n",
            "--post-renderer-args",
            "/nothing/p",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("--post-renderer `sed -n /nothing/p` returned no objects"),
        "{err}"
    );
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
    let (code, _, err) = template(&["--post-renderer", &broken], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("replicas"), "{err}");

    // A failing renderer: its code and the end of its stderr, with the secret it saw scrubbed.
    let failing = script(
        dir.path(),
        "failing.sh",
        "v=$(grep 'OPENAI_API_KEY:' | head -1 | sed 's/.*: //' | base64 -d)\necho \"saw $v\" >&2\necho 'patch not found' >&2\nexit 4",
    );
    let set = format!("secrets.openaiApiKey={secret}");
    let (code, out, err) = template(&["--set", &set, "--post-renderer", &failing], &[]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("exited with code 4"), "{err}");
    assert!(err.contains("patch not found"), "{err}");
    assert!(err.contains("saw <redacted>"), "{err}");
    assert!(!err.contains(secret), "{err}");

    // A hanging renderer is stopped at the timeout.
    let hanging = script(dir.path(), "hang.sh", "sleep 30");
    let started = std::time::Instant::now();
    let (code, _, err) = template(
        &["--post-renderer", &hanging],
        &[("TODOCTL_POST_RENDERER_TIMEOUT", "1")],
    );
    assert_eq!(code, 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert!(err.contains("did not finish within 1s"), "{err}");

    let (code, _, err) = template(&["--post-renderer", "./no-such-program"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("could not be started"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_revision_records_the_post_renderer() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("post-render").await?;
    let ns = ns.name();
    let dir = tempfile::tempdir()?;
    let renderer = labeller(dir.path());
    ok(run::todoctl(
        &cluster,
        ns,
        &[
            "install",
            "--set",
            ANY_NODE_PORT,
            "--no-wait",
            "--post-renderer",
            &renderer,
        ],
        &[],
    ));
    let meta = ok(run::todoctl(&cluster, ns, &["get", "metadata"], &[])).stdout;
    assert!(
        meta.contains(&format!("POST_RENDERER: {renderer}\n")),
        "{meta}"
    );
    let history = run::history_json(&cluster, ns);
    assert_eq!(history[0]["post_renderer"], renderer.as_str());
    let manifest = ok(run::todoctl(&cluster, ns, &["get", "manifest"], &[])).stdout;
    assert!(manifest.contains("post-rendered: \"yes\""), "{manifest}");
    // An upgrade without it renders without it and says so.
    ok(run::todoctl(&cluster, ns, &["upgrade", "--no-wait"], &[]));
    let history = run::history_json(&cluster, ns);
    assert!(history[1].get("post_renderer").is_none(), "{history:?}");
    let failing = format!("{}/fail.sh", dir.path().display());
    std::fs::write(&failing, "#!/bin/sh\nexit 2\n")?;
    executable(Path::new(&failing));
    let out = run::todoctl(&cluster, ns, &["upgrade", "--post-renderer", &failing], &[]);
    clean_error(&out, 1);
    assert_eq!(
        run::history_json(&cluster, ns).len(),
        2,
        "a refused upgrade records nothing"
    );
    Ok(())
}
