//! `todoctl get metadata`, `todoctl get all` and `todoctl version` against the real control
//! plane: Helm's layout, RFC 3339 times, secrets redacted unless asked for.

use anyhow::Result;
use serde_json::Value;

use crate::command::{ANY_NODE_PORT, TestEnv, Todoctl};
use crate::harness;

/// A secret the tests look for in every output.
const OPENAI_KEY: &str = "sk-get-all-s3cr3t";

fn is_rfc3339_seconds(s: &str) -> bool {
    // 2026-11-29T14:14:24Z
    s.len() == 20
        && s.as_bytes()[10] == b'T'
        && s.ends_with('Z')
        && s.parse::<jiff::Timestamp>().is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_and_all_show_a_revision_with_secrets_redacted() -> Result<()> {
    let Some(env) = TestEnv::new("get-all").await? else {
        return Ok(());
    };
    let ns = env.ns();
    let key = format!("secrets.openaiApiKey={OPENAI_KEY}");
    env.ok([
        "install",
        "--set",
        ANY_NODE_PORT,
        "--set",
        &key,
        "--no-wait",
    ]);
    env.ok(["upgrade", "--set", "backend.replicaCount=1", "--no-wait"]);

    // get metadata: the latest revision, and --revision for an older one.
    let meta: Value = serde_json::from_str(&env.ok(["get", "metadata", "-o", "json"]).stdout)?;
    assert_eq!(meta["name"], "todo-app");
    assert_eq!(meta["chart"], "todo-app");
    assert_eq!(meta["namespace"], ns);
    assert_eq!(meta["revision"], 2);
    assert_eq!(meta["status"], "deployed");
    assert!(
        meta["version"].is_string() && meta["appVersion"].is_string(),
        "{meta}"
    );
    let at = meta["deployedAt"].as_str().unwrap_or_default();
    assert!(is_rfc3339_seconds(at), "deployedAt `{at}` is not RFC 3339");

    let yaml = env
        .ok(["get", "metadata", "--revision", "1", "-o", "yaml"])
        .stdout;
    assert!(yaml.contains("revision: 1\n"), "{yaml}");
    assert!(yaml.contains("status: superseded\n"), "{yaml}");

    let table = env.ok(["get", "metadata"]).stdout;
    let keys: Vec<&str> = table.lines().filter_map(|l| l.split(':').next()).collect();
    assert_eq!(
        keys,
        [
            "NAME",
            "CHART",
            "VERSION",
            "APP_VERSION",
            "NAMESPACE",
            "REVISION",
            "STATUS",
            "DEPLOYED_AT"
        ],
        "{table}"
    );

    // get all: every section, in Helm's order, secrets redacted.
    let all = env.ok(["get", "all", "--revision", "1"]).stdout;
    let order: Vec<usize> = [
        "NAME: todo-app",
        "REVISION: 1",
        "USER-SUPPLIED VALUES:",
        "COMPUTED VALUES:",
        "MANIFEST:",
        "kind: Deployment",
        "NOTES:",
    ]
    .iter()
    .map(|s| {
        all.find(s)
            .unwrap_or_else(|| panic!("`{s}` missing from get all:\n{all}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{all}");
    assert!(
        !all.contains(OPENAI_KEY),
        "a secret leaked into get all:\n{all}"
    );
    assert!(all.contains("<redacted>"), "{all}");

    let json: Value = serde_json::from_str(&env.ok(["get", "all", "-o", "json"]).stdout)?;
    assert_eq!(json["metadata"]["revision"], 2);
    assert_eq!(json["user_values"]["backend"]["replicaCount"], 1);
    assert!(json["manifest"].as_array().is_some_and(|m| !m.is_empty()));
    assert!(!json.to_string().contains(OPENAI_KEY));

    // --show-secrets shows them, on request only.
    let shown = env.ok(["get", "all", "--show-secrets"]).stdout;
    assert!(shown.contains(OPENAI_KEY));

    // Mistakes: a revision that does not exist, a release that does not exist.
    let out = env.run(["get", "metadata", "--revision", "9"]).failure(1);
    insta::assert_snapshot!("a_missing_revision", out.error());
    let out = env.run(["get", "all", "-r", "nope"]).failure(1);
    insta::assert_snapshot!("a_missing_release", out.error());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn version_reports_the_api_server() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let out = Todoctl::new(&cluster)
        .args(["version", "-o", "json"])
        .run()
        .success();
    let v: Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(v["server"]["reachable"], true, "{v}");
    let server = v["server"]["version"].as_str().unwrap_or_default();
    assert!(server.starts_with("v1."), "{v}");
    assert!(
        v["server"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")),
        "{v}"
    );
    assert_eq!(v["todoctl"], env!("CARGO_PKG_VERSION"));
    Ok(())
}
