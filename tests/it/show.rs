//! `todoctl show values|schema|chart|readme` and `todoctl version`, offline: what is printed is
//! the chart's file byte for byte, and a missing file is a clear error.

use std::path::{Path, PathBuf};

use crate::cli::todoctl;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = todoctl().args(args).output().expect("run todoctl");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn minimal_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "name: demo\nversion: 0.2.0\nappVersion: \"3\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        "# how many\nreplicas: 1 # inline\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n",
    )
    .unwrap();
}

#[test]
fn builtin_chart_files_are_printed_exactly() {
    let chart = repo().join("charts/todo-app");
    for (what, file) in [
        ("values", "values.yaml"),
        ("schema", "values.schema.json"),
        ("chart", "Chart.yaml"),
        ("readme", "README.md"),
    ] {
        let r = run(&["show", what]);
        assert_eq!(r.code, 0, "show {what}: {}", r.stderr);
        let expected = std::fs::read(chart.join(file)).unwrap();
        assert!(r.stdout == expected, "`show {what}` differs from {file}");
    }
    // Comments are what makes values.yaml useful; they must survive.
    let values = String::from_utf8(run(&["show", "values"]).stdout).unwrap();
    assert!(values.contains("# In-cluster PostgreSQL."), "{values}");
}

#[test]
fn the_readme_lists_the_main_values_and_overlays() {
    let readme = String::from_utf8(run(&["show", "readme"]).stdout).unwrap();
    for needle in [
        "database.enabled",
        "secrets.openaiApiKey",
        "values/local.yaml",
        "values/staging.yaml",
        "values/production.yaml",
        "todoctl test",
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
}

#[test]
fn a_chart_directory_is_read_as_written() {
    let dir = tempfile::tempdir().unwrap();
    minimal_chart(dir.path());
    let chart = dir.path().to_str().unwrap();
    let r = run(&["show", "values", "--chart", chart]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, b"# how many\nreplicas: 1 # inline\n");
    let r = run(&["show", "chart", "--chart", chart]);
    assert_eq!(
        String::from_utf8(r.stdout).unwrap(),
        "name: demo\nversion: 0.2.0\nappVersion: \"3\"\n"
    );
    // Helm finds a README whatever its case.
    std::fs::write(dir.path().join("readme.MD"), "# demo\n").unwrap();
    let r = run(&["show", "readme", "--chart", chart]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, b"# demo\n");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    minimal_chart(dir.path());
    let chart = dir.path().to_str().unwrap();
    let mut errors = String::new();
    for what in ["readme", "schema"] {
        let r = run(&["show", what, "--chart", chart]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        errors.push_str(&format!(
            "$ todoctl show {what}\n{}",
            r.stderr.replace(chart, "<chart>")
        ));
    }
    insta::assert_snapshot!(errors);

    // Not a chart at all: the loader's error, before any file is looked for.
    let empty = tempfile::tempdir().unwrap();
    let r = run(&["show", "values", "--chart", empty.path().to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("has no Chart.yaml"), "{}", r.stderr);
}

#[test]
fn version_without_a_cluster_reports_the_server_unreachable() {
    let r = run(&["version", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["todoctl"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["chart"]["name"], "todo-app");
    let chart_yaml = std::fs::read_to_string(repo().join("charts/todo-app/Chart.yaml")).unwrap();
    let version = v["chart"]["version"].as_str().unwrap();
    assert!(chart_yaml.contains(&format!("version: {version}\n")), "{v}");
    assert_eq!(v["server"]["reachable"], false);
    assert!(
        v["server"]["error"]
            .as_str()
            .unwrap()
            .contains("--kubeconfig"),
        "{v}"
    );

    // A kubeconfig pointing at a port where nothing listens: reported, within the timeout.
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:9\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let r = run(&["version", "--kubeconfig", kubeconfig.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let text = String::from_utf8(r.stdout).unwrap();
    assert!(
        text.contains(&format!("todoctl: {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("chart:   todo-app "), "{text}");
    assert!(
        text.contains("server:  unreachable at https://127.0.0.1:9"),
        "{text}"
    );

    // --client asks nobody.
    let r = run(&["version", "--client", "-o", "yaml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = String::from_utf8(r.stdout).unwrap();
    assert!(!text.contains("server"), "{text}");
}

#[test]
fn template_leaves_tests_out_unless_asked() {
    let text = |args: &[&str]| String::from_utf8(run(args).stdout).unwrap();
    let plain = text(&["template", "-f", "values/local.yaml"]);
    assert!(
        !plain.contains("todoctl.io/test"),
        "tests printed by default"
    );
    let with = text(&["template", "-f", "values/local.yaml", "--include-tests"]);
    for job in ["test-frontend", "test-backend", "test-database"] {
        assert!(
            with.contains(&format!("name: {job}\n")),
            "{job} missing:\n{with}"
        );
    }
    let only = text(&["template", "--show-only", "templates/tests.yaml"]);
    assert!(only.contains("name: test-backend\n"), "{only}");
    assert!(
        !only.contains("name: test-database\n"),
        "no database test without the database"
    );

    // Every test pod meets the restricted Pod Security Standard whatever the values say.
    let loose = text(&[
        "template",
        "--include-tests",
        "--set",
        "containerSecurityContext.readOnlyRootFilesystem=false",
        "--show-only",
        "tests.yaml",
    ]);
    for doc in loose.split("---\n").filter(|d| d.contains("kind: Job")) {
        for needle in [
            "runAsNonRoot: true",
            "allowPrivilegeEscalation: false",
            "- ALL",
            "type: RuntimeDefault",
        ] {
            assert!(doc.contains(needle), "{needle} missing in\n{doc}");
        }
    }
}
