//! Offline commands driven through the built binary: template, lint, completion, and the errors a
//! user sees for bad input.

use std::path::Path;

use crate::command::{Todoctl, offline, repo, write_chart};

/// Splits `template` output into (source, kind/name, document) triples.
fn documents(yaml: &str) -> Vec<(String, String, String)> {
    yaml.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            let source = d
                .lines()
                .find_map(|l| l.strip_prefix("# Source: "))
                .unwrap_or("")
                .to_string();
            let v: serde_json::Value = serde_saphyr::from_str(d).expect("valid YAML");
            let r = format!(
                "{}/{}",
                v["kind"].as_str().unwrap_or("").to_lowercase(),
                v["metadata"]["name"].as_str().unwrap_or("")
            );
            (source, r, d.to_string())
        })
        .collect()
}

const SEED_OBJECTS: &[&str] = &[
    "configmap/backend-config",
    "configmap/frontend-config",
    "deployment/backend-deployment",
    "deployment/frontend-deployment",
    "secret/app-secrets",
    "service/backend-service",
    "service/frontend-service",
];

#[test]
fn template_without_flags_renders_every_seed_object() {
    let r = offline(&["template"]).success();
    let refs: Vec<String> = documents(&r.stdout).into_iter().map(|d| d.1).collect();
    for want in SEED_OBJECTS {
        assert!(refs.iter().any(|r| r == want), "missing {want} in {refs:?}");
    }
    assert!(
        !refs.iter().any(|r| r.starts_with("statefulset/")),
        "database is off by default"
    );
    for d in documents(&r.stdout) {
        assert!(
            d.2.contains("app.kubernetes.io/managed-by: todoctl"),
            "{}",
            d.1
        );
        assert!(
            d.2.contains("app.kubernetes.io/instance: todo-app"),
            "{}",
            d.1
        );
    }
}

#[test]
fn template_objects_come_in_apply_order() {
    let r = offline(&[
        "template",
        "--set",
        "database.enabled=true,database.auth.password=test-only",
    ])
    .success();
    let refs: Vec<String> = documents(&r.stdout).into_iter().map(|d| d.1).collect();
    let pos = |p: &str| {
        refs.iter()
            .position(|r| r.starts_with(p))
            .unwrap_or_else(|| panic!("{p} in {refs:?}"))
    };
    assert!(pos("secret/") < pos("deployment/"));
    assert!(pos("configmap/") < pos("service/"));
    assert!(pos("service/") < pos("deployment/"));
    assert!(refs.iter().any(|r| r == "statefulset/postgres"), "{refs:?}");
}

#[test]
fn set_replica_count_changes_exactly_the_backend_replicas() {
    let base = offline(&["template"]);
    let four = offline(&["template", "--set", "backend.replicaCount=4"]).success();
    let a = documents(&base.stdout);
    let b = documents(&four.stdout);
    assert_eq!(a.len(), b.len());
    let changed: Vec<&String> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.2 != y.2)
        .map(|(x, _)| &x.1)
        .collect();
    assert_eq!(changed, vec!["deployment/backend-deployment"]);
    let (before, after) = a
        .iter()
        .zip(&b)
        .find(|(x, _)| x.1 == "deployment/backend-deployment")
        .map(|(x, y)| (&x.2, &y.2))
        .unwrap();
    let diff: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(x, y)| x != y)
        .collect();
    assert_eq!(diff, vec![("  replicas: 2", "  replicas: 4")]);
}

#[test]
fn overlays_render_and_pass_strict_lint() {
    for overlay in [
        "values/local.yaml",
        "values/staging.yaml",
        "values/production.yaml",
        "values/real-node.yaml",
    ] {
        offline(&["template", "-f", overlay]).success();
        offline(&["lint", "--strict", "-f", overlay]).success();
    }
    offline(&["lint", "--strict"]).success();
}

#[test]
fn snapshots_of_each_overlay() {
    insta::assert_snapshot!("template_default", offline(&["template"]).stdout);
    for overlay in ["local", "staging", "production", "real-node"] {
        let r = offline(&["template", "-f", &format!("values/{overlay}.yaml")]);
        insta::assert_snapshot!(format!("template_{overlay}"), r.stdout);
    }
}

#[test]
fn show_only_and_output_dir() {
    let r = offline(&["template", "--show-only", "templates/backend.yaml"]).success();
    let docs = documents(&r.stdout);
    assert!(!docs.is_empty());
    assert!(
        docs.iter().all(|d| d.0 == "templates/backend.yaml"),
        "{docs:?}"
    );

    let r = offline(&["template", "--show-only", "nope.yaml"]).failure(1);
    insta::assert_snapshot!(r.error());

    let dir = tempfile::tempdir().unwrap();
    offline(&["template", "--output-dir", dir.path().to_str().unwrap()]).success();
    assert!(dir.path().join("todo-app/templates/backend.yaml").is_file());
}

#[test]
fn lint_warns_and_strict_fails() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n      - name: c\n        image: nginx:latest\n",
        )],
        "{}\n",
    );
    let chart = dir.path().to_str().unwrap();
    let r = offline(&["lint", "--chart", chart]).success();
    insta::assert_snapshot!("lint_warning", r.normalized(&r.stderr));
    let r = offline(&["lint", "--strict", "--chart", chart]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn template_needs_no_kubeconfig_and_takes_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "sm.yaml",
            "{% if \"monitoring.coreos.com/v1\" in capabilities.api_versions %}\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: sm\n{% endif %}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kv\ndata:\n  kube: \"{{ capabilities.kube_version }}\"\n",
        )],
        "{}\n",
    );
    let chart = dir.path().to_str().unwrap();
    let r = offline(&["template", "--chart", chart, "--kube-version", "v1.33.1"]).success();
    assert!(!r.stdout.contains("ServiceMonitor"));
    assert!(r.stdout.contains("kube: v1.33.1"), "{}", r.stdout);
    let r = offline(&[
        "template",
        "--chart",
        chart,
        "--api-versions",
        "monitoring.coreos.com/v1",
    ]);
    assert!(r.stdout.contains("kind: ServiceMonitor"), "{}", r.stdout);
}

// ---- bad input ----

#[test]
fn malformed_values_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(&f, "backend:\n  replicaCount: [1, 2\nfrontend: {}\n").unwrap();
    let r = offline(&["template", "-f", f.to_str().unwrap()]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn missing_values_file() {
    let r = offline(&["template", "-f", "no/such/file.yaml"]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn bad_set_expression_shows_a_caret() {
    let r = offline(&["template", "--set", "backend..replicaCount=4"]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn schema_violation_names_the_value_path() {
    let r = offline(&["template", "--set", "backend.replicaCount=many"]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn template_syntax_error_names_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[("a.yaml", "a: 1\nb: {{ values.x \n")],
        "x: 1\n",
    );
    let r = offline(&["template", "--chart", dir.path().to_str().unwrap()]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn undefined_value_names_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: \"{{ values.missing }}\"\n",
        )],
        "{}\n",
    );
    let r = offline(&["template", "--chart", dir.path().to_str().unwrap()]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn unknown_chart_dir() {
    let r = offline(&["template", "--chart", "no/such/chart"]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn invalid_object_names_kind_name_and_field() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: two\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.27\n        imagePullPolicyy: Always\n",
        )],
        "{}\n",
    );
    let r = offline(&["template", "--chart", dir.path().to_str().unwrap()]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn rendered_yaml_error_names_the_template() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n",
        )],
        "{}\n",
    );
    let r = offline(&["template", "--chart", dir.path().to_str().unwrap()]).failure(1);
    insta::assert_snapshot!(r.error());
}

/// A plan holds secret values unredacted and standard output carries the diff: `--out -` and
/// an empty `--out` are refused when the command line is read, before any cluster is looked
/// for, and no file is written.
#[test]
fn a_plan_needs_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut errors = String::new();
    for out in ["-", ""] {
        let r = Todoctl::offline()
            .current_dir(dir.path())
            .args(["diff", "--out", out])
            .run()
            .failure(1);
        errors.push_str(&r.error());
        errors.push('\n');
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    insta::assert_snapshot!(errors);
}

#[test]
fn invalid_release_name() {
    let r = offline(&["template", "--release", "Bad_Name"]).failure(1);
    insta::assert_snapshot!(r.error());
}

#[test]
fn cluster_commands_say_they_need_a_cluster() {
    let mut errors = String::new();
    for args in [
        &["install"][..],
        &["upgrade", "--set", "backend.replicaCount=4"],
        &["rollback", "2"],
        &["history"],
        &["status"],
        &["uninstall"],
        &["list"],
        &["diff"],
        &["get", "values"],
    ] {
        errors.push_str(&offline(args).failure(1).transcript());
    }
    insta::assert_snapshot!(errors);
}

#[test]
fn completions_are_fresh() {
    for (shell, file) in [
        ("bash", "todoctl.bash"),
        ("zsh", "_todoctl"),
        ("fish", "todoctl.fish"),
        ("powershell", "_todoctl.ps1"),
        ("elvish", "todoctl.elv"),
    ] {
        let r = offline(&["completion", shell]).success();
        let path = repo().join("completions").join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == r.stdout,
            "completions/{file} is stale: run `scripts/gen-completions` and commit the result"
        );
    }
}

#[test]
fn man_pages_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    offline(&["generate-man", dir.path().to_str().unwrap()]).success();
    let names = |d: &Path| {
        let mut n: Vec<String> = std::fs::read_dir(d)
            .map(|it| {
                it.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        n.sort();
        n
    };
    let fresh = names(dir.path());
    for page in [
        "todoctl.1",
        "todoctl-install.1",
        "todoctl-get-values.1",
        "todoctl-rollback.1",
    ] {
        assert!(fresh.iter().any(|n| n == page), "no {page} in {fresh:?}");
    }
    let stale = "man/ is stale: run `scripts/gen-completions` and commit the result";
    assert_eq!(names(&repo().join("man")), fresh, "{stale}");
    for page in &fresh {
        let want = std::fs::read_to_string(dir.path().join(page)).unwrap();
        let committed = std::fs::read_to_string(repo().join("man").join(page)).unwrap_or_default();
        assert!(committed == want, "man/{page}: {stale}");
    }
    let top = std::fs::read_to_string(dir.path().join("todoctl.1")).unwrap();
    assert!(top.contains(".TH todoctl 1"), "{top}");
    assert!(
        !fresh.iter().any(|n| n.contains("generate-man")),
        "{fresh:?}"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        "install",
        "upgrade",
        "rollback",
        "history",
        "status",
        "uninstall",
        "list",
        "template",
        "lint",
        "diff",
        "completion",
    ] {
        let r = offline(&[cmd, "--help"]).success();
        assert!(
            r.stdout.contains("Examples:"),
            "{cmd} --help has no example"
        );
    }
}

#[test]
fn set_null_deletes_a_chart_default() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n{% for k, v in values.data | items %}\n  {{ k }}: \"{{ v }}\"\n{% endfor %}\n",
        )],
        "data:\n  keep: a\n  drop: b\n",
    );
    let r = offline(&[
        "template",
        "--chart",
        dir.path().to_str().unwrap(),
        "--set",
        "data.drop=null",
    ])
    .success();
    assert!(r.stdout.contains("keep: a"), "{}", r.stdout);
    assert!(!r.stdout.contains("drop"), "{}", r.stdout);
}
