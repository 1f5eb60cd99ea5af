//! Hostile input, table-driven: values files, `--set` expressions, templates, objects, charts and
//! kubeconfigs built to exhaust memory or the stack, loop, escape the release namespace or simply
//! be garbage. Every case must fail fast with exit code 1 and one `error:` message that names the
//! input, never a panic or a Debug dump; against the cluster, nothing may change.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{DeleteParams, ListParams};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;

use crate::command::{TestEnv, Todoctl};
use crate::harness;

/// Each case must finish within this; a hang is a failure, not a slow pass.
const TIME_LIMIT: Duration = Duration::from_secs(30);
/// An error message longer than this buries what went wrong.
const MAX_STDERR: usize = 8 * 1024;
/// Put on every object a hostile chart renders, so a listing finds whatever got through.
const MARK: &str = "todoctl.test/hostile";

/// One hostile input and what the error must say about it.
struct Case {
    name: &'static str,
    /// Files written into the case's directory (`{dir}` in `args`) before the run.
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    /// Text the error must contain: the input named, and why it was refused.
    says: Vec<&'static str>,
}

impl Case {
    fn new(name: &'static str, args: &[&str], says: &[&'static str]) -> Case {
        Case {
            name,
            files: Vec::new(),
            args: args.iter().map(|a| a.to_string()).collect(),
            says: says.to_vec(),
        }
    }

    fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Case {
        self.files.push((path.to_string(), bytes.into()));
        self
    }

    /// A chart in `{dir}/chart`: `templates/t.yaml` holds `template`, Chart.yaml and values.yaml
    /// are sane unless a later `.file` replaces them.
    fn chart(self, template: impl Into<Vec<u8>>) -> Case {
        self.file("chart/Chart.yaml", "name: hostile\nversion: 0.1.0\n")
            .file("chart/values.yaml", "x: 1\n")
            .file("chart/templates/t.yaml", template)
    }
}

/// A ConfigMap named `name`, with the hostile mark, and `extra` YAML under metadata.
fn config_map(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  labels:\n    {MARK}: \"{{{{ release.namespace }}}}\"\n{extra}data:\n  a: b\n"
    )
}

/// An object of `kind` with the hostile mark; `name` is made unique per namespace.
fn marked(api_version: &str, kind: &str, name: &str, rest: &str) -> String {
    format!(
        "apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}-{{{{ release.namespace }}}}\n  labels:\n    {MARK}: \"{{{{ release.namespace }}}}\"\n{rest}"
    )
}

fn nested_flow_map(levels: usize) -> String {
    format!("a: {}1{}\n", "{a: ".repeat(levels), "}".repeat(levels))
}

/// Inputs that the chart's templates, objects or metadata make hostile. `cmd` is the command
/// and its flags; the chart is at `{dir}/chart`.
fn chart_cases(cmd: &[&str]) -> Vec<Case> {
    let with = |name, says: &[&'static str]| {
        let mut args = cmd.to_vec();
        args.extend(["--chart", "{dir}/chart"]);
        Case::new(name, &args, says)
    };
    let long_name = "a".repeat(300);
    vec![
        with("template loops 10^9 times", &["templates/t.yaml", "range"])
            .chart("{% for i in range(1000000000) %}x{% endfor %}"),
        with("template loop nested 10^5 x 10^5", &["templates/t.yaml"])
            .chart("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"),
        with("macro recurses forever", &["templates/t.yaml", "recursion"])
            .chart("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
        with("template includes itself", &["templates/t.yaml"]).chart("{% include \"t.yaml\" %}"),
        with("template renders a 100 MB string", &["templates/t.yaml"])
            .chart("a: \"{{ 'x' * 100000000 }}\"\n"),
        with("template doubles a string 40 times", &["templates/t.yaml"]).chart(
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}a: {{ ns.s | length }}\n",
        ),
        with("template renders 10,000 nested lists", &["templates/t.yaml"])
            .chart("{{ '[' * 10000 }}{{ ']' * 10000 }}"),
        with("template renders a YAML alias bomb", &["templates/t.yaml"])
            .chart(include_bytes!("fixtures/hostile/billion-laughs.yaml").to_vec()),
        with("template is not UTF-8", &["templates/t.yaml", "UTF-8"])
            .chart(b"a: \"\xff\xfe\"\n".to_vec()),
        with("template syntax error", &["templates/t.yaml"]).chart("{% if %}\n"),
        with("template prints an undefined value", &["templates/t.yaml"])
            .chart("a: {{ nothing.here }}\n"),
        with("template includes a missing file", &["templates/t.yaml"])
            .chart("{% include \"missing.yaml\" %}"),
        with("template output is not YAML", &["templates/t.yaml"]).chart("a: [b\n  c: }\n"),
        with("template output is a scalar", &["templates/t.yaml"]).chart("just a string\n"),
        with("object without kind", &["templates/t.yaml"])
            .chart("apiVersion: v1\nmetadata:\n  name: a\n"),
        with("object name in uppercase", &["templates/t.yaml", "Bad_Name"])
            .chart(config_map("Bad_Name", "")),
        with("object name of 300 characters", &["templates/t.yaml", "name"])
            .chart(config_map(&long_name, "")),
        with("object name `..`", &["templates/t.yaml", "`..`"]).chart(config_map("\"..\"", "")),
        with("object name with a slash", &["templates/t.yaml", "a/b"])
            .chart(config_map("a/b", "")),
        with("object namespace invalid", &["templates/t.yaml", "Bad_NS"])
            .chart(config_map("a", "  namespace: Bad_NS\n")),
        with("object in kube-system", &["templates/t.yaml", "kube-system"])
            .chart(config_map("a", "  namespace: kube-system\n")),
        with("object in another namespace", &["templates/t.yaml", "other-ns"])
            .chart(config_map("a", "  namespace: other-ns\n")),
        with("ClusterRole not declared", &["templates/t.yaml", "ClusterRole", "allow-cluster-scope"])
            .chart(marked("rbac.authorization.k8s.io/v1", "ClusterRole", "hostile", "rules: []\n")),
        with(
            "ClusterRoleBinding not declared",
            &["templates/t.yaml", "ClusterRoleBinding", "allow-cluster-scope"],
        )
        .chart(marked(
            "rbac.authorization.k8s.io/v1",
            "ClusterRoleBinding",
            "hostile",
            "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: default\n  namespace: default\n",
        )),
        with("Namespace not declared", &["templates/t.yaml", "Namespace", "allow-cluster-scope"])
            .chart(marked("v1", "Namespace", "hostile", "")),
        with("cluster scope declared with the wrong value", &["templates/t.yaml", "allow-cluster-scope"])
            .chart(format!(
                "{}  annotations:\n    todoctl.io/allow-cluster-scope: \"yes\"\nrules: []\n",
                marked("rbac.authorization.k8s.io/v1", "ClusterRole", "hostile", "")
            )),
        with("Deployment replicas is a word", &["templates/t.yaml", "replicas"]).chart(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: many\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: [{name: a, image: a}]\n",
        ),
        with("label value of 100 characters", &["templates/t.yaml", "label value"])
            .chart(format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    k: {}\n",
                "v".repeat(100)
            )),
        with("annotations over 256 KiB", &["templates/t.yaml", "262144"]).chart(format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    big: {}\n",
            "x".repeat(300 * 1024)
        )),
        with("the same object twice", &["templates/t.yaml", "duplicate"])
            .chart(format!("{}---\n{}", config_map("a", ""), config_map("a", ""))),
        with("required value missing", &["templates/t.yaml", "set me"])
            .chart("a: {{ values.nope | required('set me') }}\n"),
        with("Chart.yaml missing", &["no Chart.yaml"])
            .file("chart/values.yaml", "x: 1\n")
            .file("chart/templates/t.yaml", config_map("a", "")),
        with("Chart.yaml empty", &["Chart.yaml"])
            .chart(config_map("a", ""))
            .file("chart/Chart.yaml", ""),
        with("Chart.yaml is garbage", &["Chart.yaml"])
            .chart(config_map("a", ""))
            .file("chart/Chart.yaml", b"\x00\x01{{{ not yaml ]]]\xff".to_vec()),
        with("Chart.yaml has a bad semver", &["Chart.yaml", "one.two", "semantic version"])
            .chart(config_map("a", ""))
            .file("chart/Chart.yaml", "name: hostile\nversion: one.two\n"),
        with("Chart.yaml has an invalid name", &["Chart.yaml", "Hostile_Chart"])
            .chart(config_map("a", ""))
            .file("chart/Chart.yaml", "name: Hostile_Chart\nversion: 0.1.0\n"),
        with("Chart.yaml has an unknown field", &["Chart.yaml", "dependencies"])
            .chart(config_map("a", ""))
            .file("chart/Chart.yaml", "name: hostile\nversion: 0.1.0\ndependencies: [x]\n"),
        with("Chart.yaml kubeVersion is not a range", &["Chart.yaml", "kubeVersion"])
            .chart(config_map("a", ""))
            .file("chart/Chart.yaml", "name: hostile\nversion: 0.1.0\nkubeVersion: \">>1\"\n"),
        with("chart values.yaml is a list", &["values.yaml"])
            .chart(config_map("a", ""))
            .file("chart/values.yaml", "- a\n- b\n"),
        with("values.schema.json is not JSON", &["values.schema.json"])
            .chart(config_map("a", ""))
            .file("chart/values.schema.json", "{ this is not json"),
        with("values.schema.json is not a schema", &["values.schema.json"])
            .chart(config_map("a", ""))
            .file("chart/values.schema.json", "{\"type\": 12, \"properties\": []}"),
        with("chart has no templates", &["no templates"])
            .file("chart/Chart.yaml", "name: hostile\nversion: 0.1.0\n")
            .file("chart/values.yaml", "x: 1\n"),
        with("chart file over 4 MiB", &["byte limit"])
            .chart(config_map("a", ""))
            .file("chart/templates/big.yaml", vec![b'#'; 5 * 1024 * 1024]),
    ]
}

/// Values files and `--set` flags; `cmd` is the command and its flags.
fn values_cases(cmd: &[&str]) -> Vec<Case> {
    let with = |name, extra: &[&str], says: &[&'static str]| {
        let mut args = cmd.to_vec();
        args.extend_from_slice(extra);
        Case::new(name, &args, says)
    };
    let long_key = format!("{}=1", "k".repeat(100_000));
    let deep_key = format!("{}=1", vec!["a"; 10_000].join("."));
    let deep_json = format!("a={}{}", "[".repeat(10_000), "]".repeat(10_000));
    vec![
        with(
            "values: billion laughs",
            &["-f", "{dir}/v.yaml"],
            &["{dir}/v.yaml", "refused"],
        )
        .file(
            "v.yaml",
            include_bytes!("fixtures/hostile/billion-laughs.yaml").to_vec(),
        ),
        with(
            "values: 10,000 nested maps",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "64 levels"],
        )
        .file("v.yaml", nested_flow_map(10_000)),
        with(
            "values: 10,000 nested lists",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "64 levels"],
        )
        .file(
            "v.yaml",
            format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        with(
            "values: 20,000 aliases",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "refused"],
        )
        .file(
            "v.yaml",
            format!("a: &a x\nb: [{}]\n", vec!["*a"; 20_000].join(",")),
        ),
        with(
            "values: 300,000 keys",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "refused"],
        )
        .file(
            "v.yaml",
            (0..300_000)
                .map(|i| format!("k{i}: 1\n"))
                .collect::<String>(),
        ),
        with(
            "values: invalid UTF-8",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "UTF-8"],
        )
        .file(
            "v.yaml",
            include_bytes!("fixtures/hostile/invalid-utf8.yaml").to_vec(),
        ),
        with(
            "values: binary garbage",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml"],
        )
        .file(
            "v.yaml",
            (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
        ),
        with(
            "values: a list at the top",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "map"],
        )
        .file("v.yaml", "- a\n- b\n"),
        with(
            "values: broken indentation",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml", "not valid YAML"],
        )
        .file("v.yaml", "a:\n  b: 1\n c: 2\n"),
        with(
            "values: undefined alias",
            &["-f", "{dir}/v.yaml"],
            &["v.yaml"],
        )
        .file("v.yaml", "a: *nowhere\n"),
        with("values: a directory", &["-f", "{dir}"], &["values file"]),
        with(
            "values: missing file",
            &["-f", "{dir}/none.yaml"],
            &["none.yaml", "does not exist"],
        ),
        with(
            "values: schema type mismatch",
            &["--set", "backend.replicaCount=many"],
            &["replicaCount"],
        ),
        with(
            "--set a[99999999]=1",
            &["--set", "a[99999999]=1"],
            &["--set", "99999999", "65536"],
        ),
        with("--set a[-1]=1", &["--set", "a[-1]=1"], &["--set", "-1"]),
        with(
            "--set index past u64",
            &["--set", "a[18446744073709551616]=1"],
            &["--set", "18446744073709551616"],
        ),
        with(
            "--set 10,000 nested keys",
            &["--set", &deep_key],
            &["--set"],
        ),
        with(
            "--set 100,000-character key",
            &["--set", &long_key],
            &["schema"],
        ),
        with("--set empty key", &["--set", "=1"], &["--set", "no key"]),
        with("--set no value", &["--set", "a"], &["--set", "no value"]),
        with(
            "--set unclosed bracket",
            &["--set", "a[=1"],
            &["--set", "closing"],
        ),
        with(
            "--set-json 10,000 nested lists",
            &["--set-json", &deep_json],
            &["--set-json", "recursion"],
        ),
        with(
            "--set-json broken JSON",
            &["--set-json", "a={bad"],
            &["--set-json"],
        ),
        with(
            "--set-file missing file",
            &["--set-file", "a={dir}/none"],
            &["--set-file", "does not exist"],
        ),
        with(
            "--set-file not UTF-8",
            &["--set-file", "a={dir}/bin"],
            &["--set-file", "UTF-8"],
        )
        .file("bin", b"\xff\xfe\x00".to_vec()),
        with(
            "--set-env unset variable",
            &["--set-env", "a=TODOCTL_HOSTILE_UNSET"],
            &["TODOCTL_HOSTILE_UNSET"],
        ),
    ]
}

/// Kubeconfigs and connection flags; `{silent}` is a port that accepts and never answers.
fn kubeconfig_cases() -> Vec<Case> {
    let closed = include_bytes!("fixtures/hostile/kubeconfig-closed-port.yaml").to_vec();
    let silent = String::from_utf8_lossy(&closed).replace("127.0.0.1:1", "127.0.0.1:{silent}");
    let kc = |name, cmd: &str, says: &[&'static str]| {
        Case::new(name, &[cmd, "--kubeconfig", "{dir}/kubeconfig"], says)
    };
    vec![
        kc("kubeconfig: closed port, status", "status", &["API server"])
            .file("kubeconfig", closed.clone()),
        kc(
            "kubeconfig: closed port, history",
            "history",
            &["API server"],
        )
        .file("kubeconfig", closed.clone()),
        kc(
            "kubeconfig: closed port, install",
            "install",
            &["API server"],
        )
        .file("kubeconfig", closed.clone()),
        kc(
            "kubeconfig: closed port, uninstall",
            "uninstall",
            &["API server"],
        )
        .file("kubeconfig", closed.clone()),
        kc(
            "kubeconfig: closed port names the server",
            "status",
            &["127.0.0.1:1"],
        )
        .file("kubeconfig", closed.clone()),
        kc(
            "kubeconfig: server never answers",
            "history",
            &["API server"],
        )
        .file("kubeconfig", silent.clone()),
        kc("kubeconfig: garbage", "status", &["{dir}/kubeconfig"]).file(
            "kubeconfig",
            include_bytes!("fixtures/hostile/kubeconfig-garbage").to_vec(),
        ),
        kc("kubeconfig: no contexts", "status", &["{dir}/kubeconfig"]).file(
            "kubeconfig",
            include_bytes!("fixtures/hostile/kubeconfig-no-contexts.yaml").to_vec(),
        ),
        kc(
            "kubeconfig: CA is not a certificate",
            "status",
            &["API server"],
        )
        .file(
            "kubeconfig",
            include_bytes!("fixtures/hostile/kubeconfig-bad-ca.yaml").to_vec(),
        ),
        kc(
            "kubeconfig: missing file",
            "status",
            &["{dir}/kubeconfig", "does not exist"],
        ),
        Case::new(
            "kubeconfig: context that does not exist",
            &[
                "status",
                "--kubeconfig",
                "{dir}/kubeconfig",
                "--context",
                "no-such-context",
            ],
            &["no-such-context"],
        )
        .file("kubeconfig", closed.clone()),
        Case::new(
            "flags: invalid release name",
            &["template", "-r", "Bad_Release"],
            &["Bad_Release", "--release"],
        ),
        Case::new(
            "flags: invalid namespace",
            &["template", "-n", "Bad_NS"],
            &["Bad_NS", "--namespace"],
        ),
        Case::new(
            "flags: 64-character namespace",
            &["template", "-n", &"n".repeat(64)],
            &["--namespace"],
        ),
        Case::new(
            "flags: garbage timeout",
            &["install", "--timeout", "soon"],
            &["soon"],
        ),
        Case::new(
            "flags: unknown flag on diff --detailed-exitcode",
            &["diff", "--detailed-exitcode", "--bogus"],
            &["--bogus"],
        ),
    ]
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

fn substitute(arg: &str, dir: &Path, silent: u16) -> String {
    arg.replace("{dir}", &dir.display().to_string())
        .replace("{silent}", &silent.to_string())
}

fn write_files(case: &Case, dir: &Path, silent: u16) {
    for (path, bytes) in &case.files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        let bytes = match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("{silent}") => substitute(text, dir, silent).into_bytes(),
            _ => bytes.clone(),
        };
        std::fs::write(&path, bytes).expect("writing a case file");
    }
}

/// Runs `case`; `namespace` goes after the case's own flags unless it names one itself.
fn run(mut cmd: Todoctl, case: &Case, dir: &Path, silent: u16, namespace: Option<&str>) -> Outcome {
    write_files(case, dir, silent);
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| substitute(a, dir, silent))
        .collect();
    cmd = cmd.args(&args);
    if let Some(ns) = namespace
        && !case.args.iter().any(|a| a == "-n")
    {
        cmd = cmd.namespace(ns);
    }
    let started = Instant::now();
    let out = cmd.env_remove("RUST_BACKTRACE").timeout(TIME_LIMIT).run();
    Outcome {
        // Killed at the time limit: no exit code.
        code: (out.code != -1).then_some(out.code),
        stderr: out.stderr,
        elapsed: started.elapsed(),
    }
}

/// What is wrong with how `case` failed, if anything.
fn judge(case: &Case, out: &Outcome, dir: &Path, silent: u16) -> Vec<String> {
    let mut wrong = Vec::new();
    let err = &out.stderr;
    if out.elapsed >= TIME_LIMIT || out.code.is_none() {
        wrong.push(format!("did not finish within {}s", TIME_LIMIT.as_secs()));
    } else if out.code != Some(1) {
        wrong.push(format!("exit code {:?}, not 1", out.code));
    }
    if !err.starts_with("error: ") {
        wrong.push("stderr does not start with `error: `".into());
    }
    if err.matches("\nerror: ").count() > 0 {
        wrong.push("more than one `error:` paragraph".into());
    }
    for bad in [
        "panicked",
        "RUST_BACKTRACE",
        "Error {",
        "{ kind: ",
        ", kind: ",
        "Os {",
        "Status {",
    ] {
        if err.contains(bad) {
            wrong.push(format!("stderr has `{bad}`"));
        }
    }
    if err.len() > MAX_STDERR {
        wrong.push(format!("stderr is {} bytes, over {MAX_STDERR}", err.len()));
    }
    for says in &case.says {
        let says = substitute(says, dir, silent);
        if !err.contains(&says) {
            wrong.push(format!("stderr does not mention `{says}`"));
        }
    }
    wrong
}

fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(600).collect();
    if cut.len() < text.len() {
        format!("{cut}... ({} bytes)", text.len())
    } else {
        cut
    }
}

/// A port that accepts connections and never answers, for as long as the test runs.
fn silent_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(64) {
            held.push(stream);
        }
    });
    port
}

fn offline_cases() -> Vec<Case> {
    let mut cases = chart_cases(&["template"]);
    cases.extend(values_cases(&["template"]));
    cases.extend(kubeconfig_cases());
    cases.extend([
        Case::new(
            "lint: recursing macro",
            &["lint", "--chart", "{dir}/chart"],
            &["recursion"],
        )
        .chart("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
        Case::new(
            "chart dir is a file",
            &["template", "--chart", "{dir}/file"],
            &["not a directory"],
        )
        .file("file", "x"),
        Case::new(
            "chart dir is missing",
            &["template", "--chart", "{dir}/none"],
            &["{dir}/none"],
        ),
        Case::new(
            "chart kubeVersion excludes the target",
            &[
                "template",
                "--chart",
                "{dir}/chart",
                "--kube-version",
                "v1.35.0",
            ],
            &["requires Kubernetes"],
        )
        .chart(config_map("a", ""))
        .file(
            "chart/Chart.yaml",
            "name: hostile\nversion: 0.1.0\nkubeVersion: \">=99.0.0\"\n",
        ),
    ]);
    cases
}

fn check_offline(cases: &[Case]) -> Vec<String> {
    let silent = silent_port();
    let mut failures = Vec::new();
    for case in cases {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = run(Todoctl::offline(), case, dir.path(), silent, None);
        let wrong = judge(case, &out, dir.path(), silent);
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  ({:.1}s) {}",
                case.name,
                wrong.join("; "),
                out.elapsed.as_secs_f64(),
                excerpt(&out.stderr)
            ));
        }
    }
    failures
}

#[test]
fn offline_hostile_inputs_fail_cleanly() {
    let cases = offline_cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let failures = check_offline(&cases);
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Everything a hostile chart could have created or changed: the objects in the test namespace,
/// and marked ClusterRoles, ClusterRoleBindings, Namespaces and ConfigMaps anywhere (kube-system,
/// other-ns), each with its resourceVersion.
async fn snapshot(client: &Client, ns: &str) -> Result<BTreeMap<String, String>> {
    async fn add<K>(out: &mut BTreeMap<String, String>, api: Api<K>, lp: &ListParams) -> Result<()>
    where
        K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
    {
        for o in api.list_metadata(lp).await?.items {
            let meta = o.metadata;
            out.insert(
                format!(
                    "{}/{}/{}",
                    K::kind(&()),
                    meta.namespace.unwrap_or_default(),
                    meta.name.unwrap_or_default()
                ),
                meta.resource_version.unwrap_or_default(),
            );
        }
        Ok(())
    }
    let c = client.clone();
    let all = ListParams::default();
    let marked = ListParams::default().labels(&format!("{MARK}={ns}"));
    let mut out = BTreeMap::new();
    add(&mut out, Api::<ConfigMap>::namespaced(c.clone(), ns), &all).await?;
    add(&mut out, Api::<Secret>::namespaced(c.clone(), ns), &all).await?;
    add(&mut out, Api::<Service>::namespaced(c.clone(), ns), &all).await?;
    add(&mut out, Api::<Deployment>::namespaced(c.clone(), ns), &all).await?;
    add(
        &mut out,
        Api::<ServiceAccount>::namespaced(c.clone(), ns),
        &all,
    )
    .await?;
    add(&mut out, Api::<Role>::namespaced(c.clone(), ns), &all).await?;
    add(
        &mut out,
        Api::<RoleBinding>::namespaced(c.clone(), ns),
        &all,
    )
    .await?;
    add(&mut out, Api::<Lease>::namespaced(c.clone(), ns), &all).await?;
    add(&mut out, Api::<ClusterRole>::all(c.clone()), &marked).await?;
    add(&mut out, Api::<ClusterRoleBinding>::all(c.clone()), &marked).await?;
    add(&mut out, Api::<Namespace>::all(c.clone()), &marked).await?;
    add(&mut out, Api::<ConfigMap>::all(c.clone()), &marked).await?;
    Ok(out)
}

/// Changes between two snapshots, one line each.
fn changes(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            None => out.push(format!("deleted {k}")),
            Some(w) if w != v => out.push(format!("changed {k}")),
            Some(_) => {}
        }
    }
    for k in after.keys().filter(|k| !before.contains_key(*k)) {
        out.push(format!("created {k}"));
    }
    out
}

fn cluster_cases() -> Vec<Case> {
    // Every chart case as an upgrade of an installed release, and the ones that escape the
    // namespace also as a first install.
    let mut cases = chart_cases(&["upgrade", "-r", "demo", "--no-wait"]);
    for mut case in chart_cases(&["install", "-r", "fresh", "--no-wait"])
        .into_iter()
        .filter(|c| {
            c.says
                .iter()
                .any(|s| ["kube-system", "other-ns", "allow-cluster-scope"].contains(s))
        })
    {
        case.name = match case.name {
            "object in kube-system" => "install: object in kube-system",
            "object in another namespace" => "install: object in another namespace",
            "ClusterRole not declared" => "install: ClusterRole not declared",
            "ClusterRoleBinding not declared" => "install: ClusterRoleBinding not declared",
            "Namespace not declared" => "install: Namespace not declared",
            _ => "install: cluster scope declared with the wrong value",
        };
        cases.push(case);
    }
    for case in values_cases(&[
        "upgrade",
        "-r",
        "demo",
        "--no-wait",
        "--chart",
        "{dir}/chart",
    ])
    .into_iter()
    // The schema cases need the built-in chart's values.schema.json.
    .filter(|c| !c.name.contains("schema") && !c.says.contains(&"schema"))
    {
        cases.push(case.chart(config_map("demo", "")));
    }
    cases.extend([
        Case::new(
            "install over an existing release",
            &["install", "-r", "demo", "--chart", "{dir}/chart"],
            &["already exists"],
        )
        .chart(config_map("demo", "")),
        Case::new(
            "install: invalid release name",
            &["install", "-r", "Evil", "--chart", "{dir}/chart"],
            &["Evil"],
        )
        .chart(config_map("demo", "")),
        Case::new(
            "install: invalid namespace",
            &[
                "install",
                "-r",
                "evil",
                "-n",
                "Bad_NS",
                "--chart",
                "{dir}/chart",
            ],
            &["Bad_NS"],
        )
        .chart(config_map("demo", "")),
        Case::new(
            "rollback to a revision that never was",
            &["rollback", "-r", "demo", "99"],
            &["99"],
        ),
        Case::new(
            "upgrade of a release that is not there",
            &["upgrade", "-r", "ghost"],
            &["ghost", "not found"],
        ),
    ]);
    cases
}

/// Runs `cases` against a namespace holding release `demo` (one ConfigMap); returns what went
/// wrong, and checks that `demo` is still at its one deployed revision.
async fn check_cluster(prefix: &str, cases: &[Case]) -> Result<Vec<String>> {
    let Some(cluster) = harness::cluster() else {
        return Ok(Vec::new());
    };
    let env = TestEnv::on(&cluster, prefix).await?;
    let ns = env.ns();
    let client = cluster.client().await;

    let base = tempfile::tempdir()?;
    let case = Case::new("base", &[], &[]).chart(config_map("demo", ""));
    write_files(&case, base.path(), 0);
    env.todoctl()
        .args(["install", "-r", "demo", "--chart"])
        .arg(base.path().join("chart"))
        .run()
        .success();

    let mut failures = Vec::new();
    for case in cases {
        let dir = tempfile::tempdir()?;
        let before = snapshot(&client, ns).await?;
        let out = run(Todoctl::new(&cluster), case, dir.path(), 0, Some(ns));
        let mut wrong = judge(case, &out, dir.path(), 0);
        let changed = changes(&before, &snapshot(&client, ns).await?);
        if !changed.is_empty() {
            wrong.push(format!("the cluster changed: {}", changed.join(", ")));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  ({:.1}s) {}",
                case.name,
                wrong.join("; "),
                out.elapsed.as_secs_f64(),
                excerpt(&out.stderr)
            ));
        }
    }

    let out = env.run(["history", "-r", "demo", "-o", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out.stdout)?;
    let revisions: Vec<(u64, String)> = rows
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    if revisions != [(1, "deployed".to_string())] {
        failures.push(format!("release `demo` changed: {revisions:?}"));
    }
    Ok(failures)
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_hostile_inputs_are_refused_and_change_nothing() -> Result<()> {
    let cases = cluster_cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let failures = check_cluster("hostile", &cases).await?;
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    Ok(())
}

/// The positive control: the same ClusterRole the hostile cases are refused for goes through once
/// the chart declares it, and goes away with the release.
#[tokio::test(flavor = "multi_thread")]
async fn declared_cluster_scope_is_allowed() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let env = TestEnv::on(&cluster, "hostile-declared").await?;
    let ns = env.ns();
    let client = cluster.client().await;
    let roles = Api::<ClusterRole>::all(client.clone());
    let name = format!("hostile-{ns}");

    let dir = tempfile::tempdir()?;
    let case = Case::new("declared", &[], &[]).chart(format!(
        "{}  annotations:\n    todoctl.io/allow-cluster-scope: \"true\"\nrules: []\n",
        marked("rbac.authorization.k8s.io/v1", "ClusterRole", "hostile", "")
    ));
    write_files(&case, dir.path(), 0);
    let out = env
        .todoctl()
        .args(["install", "-r", "declared", "--chart"])
        .arg(dir.path().join("chart"))
        .run();
    let installed = out.code == 0;
    let found = roles.get_opt(&name).await?;
    let out2 = env.run(["uninstall", "-r", "declared"]);
    let gone = roles.get_opt(&name).await?.is_none();
    if !gone {
        let _ = roles.delete(&name, &DeleteParams::default()).await;
    }
    assert!(installed, "{out}");
    assert!(found.is_some(), "clusterrole/{name} was not created");
    out2.success();
    assert!(gone, "uninstall left clusterrole/{name}");
    Ok(())
}
