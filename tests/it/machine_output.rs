//! What `-o json` and `-o yaml` print is for programs: every timestamp is RFC 3339 in UTC to the
//! second (`2026-11-29T14:14:24Z`), as kubectl prints, on every command that has one.

use anyhow::Result;
use serde_json::Value;

use crate::command::{ANY_NODE_PORT, TestEnv};

/// `2026-11-29T14:14:24Z`: the layout, and a real point in time within a day of now.
#[track_caller]
fn assert_rfc3339(what: &str, v: &Value) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what}: not a string: {v}"));
    let b = s.as_bytes();
    let layout = s.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    assert!(
        layout,
        "{what}: `{s}` is not RFC 3339 like 2026-11-29T14:14:24Z"
    );
    let t: jiff::Timestamp = s.parse().unwrap_or_else(|e| panic!("{what}: `{s}`: {e}"));
    let age = jiff::Timestamp::now().duration_since(t);
    assert!(
        age.as_secs() >= -60 && age.as_secs() < 86_400,
        "{what}: `{s}` is not about now"
    );
}

fn parse(format: &str, text: &str) -> Value {
    match format {
        "json" => serde_json::from_str(text).expect("valid JSON"),
        _ => serde_saphyr::from_str(text).expect("valid YAML"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn timestamps_are_rfc3339_in_json_and_yaml() -> Result<()> {
    let Some(env) = TestEnv::new("rfc3339").await? else {
        return Ok(());
    };
    env.ok(["install", "--set", ANY_NODE_PORT, "--no-wait"]);
    env.ok(["upgrade", "--set", "backend.replicaCount=3", "--no-wait"]);

    for format in ["json", "yaml"] {
        let out = env.ok(["history", "-o", format]);
        let rows = parse(format, &out.stdout);
        let rows = rows.as_array().expect("a list of revisions");
        assert_eq!(rows.len(), 2, "{}", out.stdout);
        for r in rows {
            assert_rfc3339(&format!("history -o {format} updated"), &r["updated"]);
        }

        let out = env.ok(["status", "-o", format]);
        let status = parse(format, &out.stdout);
        assert_rfc3339(&format!("status -o {format} updated"), &status["updated"]);
        assert_rfc3339(
            &format!("status -o {format} first_deployed"),
            &status["first_deployed"],
        );
        let out = env.ok(["status", "--revision", "1", "-o", format]);
        let first = parse(format, &out.stdout);
        assert_eq!(first["first_deployed"], status["first_deployed"]);

        let out = env.ok(["list", "-o", format]);
        let rows = parse(format, &out.stdout);
        let rows = rows.as_array().expect("a list of releases");
        assert_eq!(rows.len(), 1, "{}", out.stdout);
        assert_rfc3339(&format!("list -o {format} updated"), &rows[0]["updated"]);

        let out = env.ok(["get", "metadata", "-o", format]);
        let meta = parse(format, &out.stdout);
        assert_rfc3339(
            &format!("get metadata -o {format} deployedAt"),
            &meta["deployedAt"],
        );
        assert_eq!(meta["deployedAt"], status["updated"]);
        let out = env.ok(["get", "all", "-o", format]);
        let all = parse(format, &out.stdout);
        assert_rfc3339(
            &format!("get all -o {format} metadata.deployedAt"),
            &all["metadata"]["deployedAt"],
        );
    }

    // Tables stay for people.
    let out = env.ok(["history"]);
    assert!(out.stdout.contains(" UTC "), "{}", out.stdout);
    let out = env.ok(["status"]);
    assert!(out.stdout.contains("LAST DEPLOYED: 20"), "{}", out.stdout);
    assert!(out.stdout.contains(" UTC\n"), "{}", out.stdout);
    Ok(())
}
