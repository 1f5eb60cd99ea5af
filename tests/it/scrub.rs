//! Secret values reach no output, not even the error of a check that quotes a field: every
//! Secret a chart renders, or a post-renderer returns, is remembered as soon as it is parsed,
//! before the objects are checked.

use std::path::Path;

use anyhow::Result;

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl, write_chart};

const SENTINEL: &str = "pw-SENTINEL-5e0c93";

/// A chart whose template puts its Secret's password in a field that wants a boolean too: the
/// type check quotes the value it found.
fn misplaced_password(dir: &Path) -> String {
    let app = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: {SENTINEL}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\nimmutable: {SENTINEL}\n"
    );
    write_chart(dir, &[("app.yaml", &app)], "");
    dir.to_str().unwrap().to_string()
}

/// The refusal names the object and field and says what it found without the value.
#[track_caller]
fn refused_without_the_value(cmd: Todoctl) {
    let out = cmd.forbid(SENTINEL).run().failure(1);
    let error = out.error();
    assert!(
        error.contains("configmap/settings: immutable: wrong type: found string `"),
        "{out}"
    );
}

#[test]
fn a_type_error_quoting_a_secret_value_is_scrubbed_offline() {
    let dir = tempfile::tempdir().unwrap();
    let chart = misplaced_password(dir.path());
    refused_without_the_value(Todoctl::offline().args(["template", "--chart", &chart]));
    refused_without_the_value(Todoctl::offline().args(["lint", "--chart", &chart]));

    // A post-renderer that adds such a Secret and misplaces its value: its output is checked
    // like a render, and the Secret it returned is remembered as the chart's are.
    let renderer = dir.path().join("add-secret.sh");
    std::fs::write(
        &renderer,
        format!(
            "#!/bin/sh\ncat\nprintf -- '---\\napiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: extra\\nstringData:\\n  password: {SENTINEL}\\n---\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: settings\\nimmutable: {SENTINEL}\\n'\n"
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&renderer, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    refused_without_the_value(Todoctl::offline().args([
        "template",
        "--post-renderer",
        renderer.to_str().unwrap(),
    ]));
}

/// Install and upgrade refuse the chart with the same scrubbed error, and record nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_type_error_quoting_a_secret_value_is_scrubbed_on_the_cluster() -> Result<()> {
    let Some(env) = TestEnv::new("scrub").await? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let chart = misplaced_password(dir.path());
    refused_without_the_value(env.todoctl().args(["install", "--chart", &chart]));
    env.run(["history"]).failure(1);
    env.install(&["--no-wait"]);
    refused_without_the_value(env.todoctl().args([
        "upgrade",
        "--chart",
        &chart,
        "--set",
        ANY_NODE_PORT,
    ]));
    refused_without_the_value(env.todoctl().args(["diff", "--chart", &chart]));
    assert_eq!(env.history().len(), 1, "a refused upgrade records nothing");
    Ok(())
}
