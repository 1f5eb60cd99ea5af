//! `todoctl show values|schema|chart|readme` and `todoctl version`, offline: what is printed is
//! the chart's file byte for byte, and a missing file is a clear error.

use std::path::Path;

use crate::command::{Todoctl, offline, repo};

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
        let r = offline(&["show", what]).success();
        let expected = std::fs::read(chart.join(file)).unwrap();
        assert!(
            r.stdout.as_bytes() == expected,
            "`show {what}` differs from {file}"
        );
    }
    // Comments are what makes values.yaml useful; they must survive.
    let values = offline(&["show", "values"]).success().stdout;
    assert!(values.contains("# In-cluster PostgreSQL."), "{values}");
}

#[test]
fn the_readme_lists_the_main_values_and_overlays() {
    let readme = offline(&["show", "readme"]).success().stdout;
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
    let r = offline(&["show", "values", "--chart", chart]).success();
    assert_eq!(r.stdout, "# how many\nreplicas: 1 # inline\n");
    let r = offline(&["show", "chart", "--chart", chart]);
    assert_eq!(r.stdout, "name: demo\nversion: 0.2.0\nappVersion: \"3\"\n");
    // Helm finds a README whatever its case.
    std::fs::write(dir.path().join("readme.MD"), "# demo\n").unwrap();
    let r = offline(&["show", "readme", "--chart", chart]).success();
    assert_eq!(r.stdout, "# demo\n");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    minimal_chart(dir.path());
    let chart = dir.path().to_str().unwrap();
    let mut errors = String::new();
    for what in ["readme", "schema"] {
        let r = Todoctl::offline()
            .args(["show", what, "--chart", chart])
            .filter(chart, "<chart>")
            .run()
            .failure(1);
        assert!(r.stdout.is_empty());
        errors.push_str(&format!("$ todoctl show {what}\n{}\n", r.error()));
    }
    insta::assert_snapshot!(errors);

    // Not a chart at all: the loader's error, before any file is looked for.
    let empty = tempfile::tempdir().unwrap();
    let r = offline(&["show", "values", "--chart", empty.path().to_str().unwrap()]).failure(1);
    insta::assert_snapshot!("not_a_chart", r.error());
}

#[test]
fn version_without_a_cluster_reports_the_server_unreachable() {
    let v = offline(&["version", "-o", "json"]).success().json();
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
    let r = Todoctl::offline()
        .args(["version", "--kubeconfig", kubeconfig.to_str().unwrap()])
        .filter(
            &format!("todoctl: {}", env!("CARGO_PKG_VERSION")),
            "todoctl: <version>",
        )
        .run()
        .success();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    insta::assert_snapshot!("version_unreachable", r.normalized(&r.stdout));

    // --client asks nobody.
    let text = offline(&["version", "--client", "-o", "yaml"])
        .success()
        .stdout;
    assert!(!text.contains("server"), "{text}");
}

#[test]
fn template_leaves_tests_out_unless_asked() {
    let text = |args: &[&str]| offline(args).stdout;
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
