//! The one way a test runs the built todoctl: a builder for the command line, its output with
//! the checks every run gets, and fixtures for the setup tests repeat (a namespace on the test
//! cluster, a release installed in it, its history). Modelled on just's
//! `tests/test.rs` (`Test`) and jj's `TestEnvironment`:
//!
//! ```ignore
//! let Some(env) = TestEnv::installed("upgrade", &[]).await? else { return Ok(()) };
//! let out = env.todoctl().args(["rollback", "7"]).run().failure(1);
//! insta::assert_snapshot!(out.error());
//! Todoctl::offline().args(["template"]).run().success();
//! ```
//!
//! Error messages are checked as insta snapshots of [`Output::error`], where the test's namespace,
//! kubeconfig, temporary directories and the repository path are replaced by placeholders, so
//! a snapshot is the same on every run and a change of wording shows up in review.

// Each test module uses only part of this API.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use kube::{Api, Client};
use regex::Regex;
use serde_json::Value;

use crate::harness::{self, Cluster, TestNamespace};

/// Node ports are cluster-wide: tests let the API server pick one.
pub const ANY_NODE_PORT: &str = "frontend.service.nodePort=null";

/// Text that means todoctl printed a panic or a Rust `Debug` dump instead of a message, on
/// either stream of any run: `ApiError:` and `Status {` are how kube displays an API error.
const NOT_A_MESSAGE: &[&str] = &[
    "panicked",
    "RUST_BACKTRACE",
    "Error {",
    "ApiError:",
    "Status {",
];

/// A field of a `Debug` dump (`Os { code: 2, kind: NotFound, .. }`); checked only in the
/// stderr of a failure, because manifests on stdout are full of `kind:`.
const DEBUG_FIELD: &str = "kind:";

/// What differs from run to run in todoctl's messages, and what it reads as in a snapshot.
const VARYING: &[(&str, &str)] = &[
    // Measured durations (`timed out after 1.979s`).
    (r"\b\d+\.\d+(ms|s)\b", "<duration>"),
    // Times of day (`since 2026-11-29 18:48:01 UTC`).
    (
        r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?( UTC|Z)?",
        "<time>",
    ),
    // A lock holder (`upgrade by user@host pid 4242`) and how long ago it renewed or when it
    // expires.
    (r"\b[\w.-]+@[\w.-]+ pid \d+", "<user>@<host> pid <pid>"),
    (r"\b\d+s ago\b", "<n>s ago"),
    (
        r"expires by itself within \d+s",
        "expires by itself within <n>s",
    ),
    // A Service's cluster IP, from the test cluster's service range.
    (r"\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", "<cluster-ip>"),
    // How often a container has restarted so far.
    (r"restarted \d+ times", "restarted <n> times"),
];

/// The repository root: the working directory of every run, so relative paths such as
/// `values/local.yaml` name the repository's files.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of the repository's values overlay `values/<name>.yaml` (`local`, `staging`,
/// `production`), as an argument for `-f`.
pub fn overlay(name: &str) -> String {
    repo()
        .join("values")
        .join(format!("{name}.yaml"))
        .display()
        .to_string()
}

/// Writes a chart into `dir`: a Chart.yaml for `demo` 0.1.0 (appVersion `1`), `values` as
/// values.yaml, and each `(file name, text)` of `templates` under templates/.
pub fn write_chart(dir: &Path, templates: &[(&str, &str)], values: &str) {
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir.join("templates"))
        .unwrap_or_else(|e| panic!("creating {}/templates: {e}", dir.display()));
    write(
        dir.join("Chart.yaml"),
        "name: demo\nversion: 0.1.0\nappVersion: \"1\"\n",
    );
    write(dir.join("values.yaml"), values);
    for (name, text) in templates {
        write(dir.join("templates").join(name), text);
    }
}

/// One run of the built todoctl, set up step by step and started by [`Todoctl::run`].
#[must_use]
#[derive(Debug, Clone)]
pub struct Todoctl {
    args: Vec<OsString>,
    namespace: Option<String>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
    current_dir: PathBuf,
    forbidden: Vec<String>,
    filters: Vec<(String, String)>,
}

impl Todoctl {
    /// todoctl with no cluster to be found by accident: no `KUBECONFIG`, a `HOME` with no
    /// `.kube/config`, no colour.
    pub fn offline() -> Self {
        let mut cmd = Self::bare();
        cmd.env.push(("KUBECONFIG".into(), None));
        cmd.env.push((
            "HOME".into(),
            Some(repo().join("tests/it/fixtures/empty-home").into()),
        ));
        cmd
    }

    /// todoctl pointed at the test cluster (`KUBECONFIG`), with `--no-progress` given.
    pub fn new(cluster: &Cluster) -> Self {
        let mut cmd = Self::bare().kubeconfig(&cluster.kubeconfig);
        cmd.args.push("--no-progress".into());
        cmd
    }

    fn bare() -> Self {
        Self {
            args: Vec::new(),
            namespace: None,
            env: vec![("NO_COLOR".into(), Some("1".into()))],
            stdin: None,
            timeout: None,
            current_dir: repo(),
            forbidden: Vec::new(),
            filters: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// `-n NAMESPACE`, given after the other arguments; the name reads `<ns>` in
    /// [`Output::error`].
    pub fn namespace(mut self, ns: &str) -> Self {
        self.namespace = Some(ns.to_string());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// The kubeconfig todoctl reads (`KUBECONFIG`); reads `<kubeconfig>` in [`Output::error`].
    pub fn kubeconfig(self, path: &Path) -> Self {
        let shown = path.display().to_string();
        self.env("KUBECONFIG", path).filter(&shown, "<kubeconfig>")
    }

    /// Bytes written to todoctl's standard input (else it reads an empty one).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kills the run after `limit`; the test then fails naming the command.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.current_dir = dir.into();
        self
    }

    /// Text that must appear in neither output stream (a secret value, a record's content).
    pub fn forbid(mut self, text: &str) -> Self {
        self.forbidden.push(text.to_string());
        self
    }

    /// Replaces `text` with `placeholder` in [`Output::error`] and [`Output::normalized`], for a
    /// run-specific string the builder does not know of.
    pub fn filter(mut self, text: &str, placeholder: &str) -> Self {
        if !text.is_empty() {
            self.filters
                .push((text.to_string(), placeholder.to_string()));
        }
        self
    }

    /// The full argument list, as the binary receives it.
    fn argv(&self) -> Vec<OsString> {
        let mut argv = self.args.clone();
        if let Some(ns) = &self.namespace {
            argv.push("-n".into());
            argv.push(ns.into());
        }
        argv
    }

    /// The command as `todoctl a b c`, for failure messages.
    fn shown(&self) -> String {
        let mut line = String::from("todoctl");
        for arg in self.argv() {
            line.push(' ');
            line.push_str(&arg.to_string_lossy());
        }
        line
    }

    /// The process to start, for a test that runs todoctl in the background (it sets stdio and
    /// spawns it itself).
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_todoctl"));
        cmd.args(self.argv()).current_dir(&self.current_dir);
        for (key, value) in &self.env {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        cmd
    }

    /// Runs todoctl to the end. Every run is checked for a panic and for forbidden text.
    #[track_caller]
    pub fn run(self) -> Output {
        let mut cmd = assert_cmd::Command::from_std(self.command());
        if let Some(stdin) = &self.stdin {
            cmd.write_stdin(stdin.clone());
        }
        if let Some(limit) = self.timeout {
            cmd.timeout(limit);
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.shown()));
        self.finish(out)
    }

    /// Starts todoctl in the background with both streams piped (stdin empty), for a test that
    /// acts on the cluster while it runs; [`Running::wait`] gives its [`Output`].
    #[track_caller]
    pub fn spawn(self) -> Running {
        let child = self
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.shown()));
        Running { child, cmd: self }
    }

    /// The [`Output`] of a process started from [`Todoctl::command`] and collected by the test
    /// itself, with the checks [`Todoctl::run`] makes.
    #[track_caller]
    pub fn finish(self, out: std::process::Output) -> Output {
        let mut filters = Vec::new();
        if let Some(ns) = &self.namespace {
            filters.push((ns.clone(), "<ns>".to_string()));
        }
        filters.extend(self.filters.iter().cloned());
        let out = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            command: self.shown(),
            filters,
        };
        for bad in NOT_A_MESSAGE {
            assert!(
                !out.stdout.contains(bad) && !out.stderr.contains(bad),
                "`{bad}` in: {out}"
            );
        }
        for text in &self.forbidden {
            assert!(
                !out.stdout.contains(text) && !out.stderr.contains(text),
                "{}: forbidden text in the output",
                out.command
            );
        }
        out
    }
}

/// Runs `todoctl ARGS` with no cluster (see [`Todoctl::offline`]); the caller checks the
/// outcome.
#[track_caller]
pub fn offline(args: &[&str]) -> Output {
    Todoctl::offline().args(args).run()
}

/// todoctl running in the background; see [`Todoctl::spawn`].
pub struct Running {
    child: Child,
    cmd: Todoctl,
}

impl Running {
    /// The process, to signal it or read its streams while it runs.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits for the end; what was not read from the streams yet is in the output.
    #[track_caller]
    pub fn wait(self) -> Output {
        let out = self
            .child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("waiting for {}: {e}", self.cmd.shown()));
        self.cmd.finish(out)
    }
}

/// What a run of todoctl gave: exit code and both streams, lossily decoded.
#[derive(Debug, Clone)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    command: String,
    filters: Vec<(String, String)>,
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\nexit code: {}\nstdout:\n{}\nstderr:\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

impl Output {
    /// Exit code 0.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "{self}");
        self
    }

    /// A failure a user can act on: exit `code`, an `error: ` line, no panic or Rust `Debug`
    /// dump ([`Todoctl::finish`] checked both streams for those already).
    #[track_caller]
    pub fn failure(self, code: i32) -> Self {
        assert_eq!(self.code, code, "{self}");
        assert!(
            self.stderr.lines().any(|l| l.starts_with("error: ")),
            "no `error:` line: {self}"
        );
        assert!(
            !self.stderr.contains(DEBUG_FIELD),
            "`{DEBUG_FIELD}` in: {self}"
        );
        self
    }

    /// The error message, for a snapshot: stderr from its first `error:` line on (status lines
    /// before it left out), normalized (see [`Output::normalized`]).
    #[track_caller]
    pub fn error(&self) -> String {
        let start = self
            .stderr
            .lines()
            .position(|l| l.starts_with("error:"))
            .unwrap_or_else(|| panic!("no `error:` line: {self}"));
        let text: Vec<&str> = self.stderr.lines().skip(start).collect();
        self.normalized(&text.join("\n"))
    }

    /// `$ todoctl ARGS` and the error, normalized: one entry of a snapshot that holds the
    /// errors of several runs.
    #[track_caller]
    pub fn transcript(&self) -> String {
        format!("$ {}\n{}\n", self.normalized(&self.command), self.error())
    }

    /// [`Output::error`] without the lines that list objects one by one (indented, other than
    /// `  caused by:`), for an error whose list depends on how far the cluster got.
    #[track_caller]
    pub fn error_summary(&self) -> String {
        let error = self.error();
        let kept: Vec<&str> = error
            .lines()
            .filter(|l| !l.starts_with("  ") || l.starts_with("  caused by:"))
            .collect();
        kept.join("\n")
    }

    /// `text` with what differs from run to run replaced: the namespace (`<ns>`), the kubeconfig
    /// (`<kubeconfig>`), strings given to [`Todoctl::filter`], temporary directories (`<tmp>`),
    /// the repository's path (`<repo>`), what [`VARYING`] lists (durations, times, lock holders)
    /// and the generated part of pod names (`backend-deployment-<hash>`).
    pub fn normalized(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (from, to) in &self.filters {
            text = text.replace(from, to);
        }
        let tmp = std::env::temp_dir();
        let tmp = regex::escape(tmp.to_string_lossy().trim_end_matches('/'));
        let tmp = Regex::new(&format!(r"{tmp}/\.tmp[A-Za-z0-9]+")).expect("a valid pattern");
        let text = tmp.replace_all(&text, "<tmp>");
        let text = text.replace(&repo().display().to_string(), "<repo>");
        let mut text = text;
        for (pattern, placeholder) in VARYING {
            let re = Regex::new(pattern).expect("a valid pattern");
            text = re.replace_all(&text, *placeholder).into_owned();
        }
        // The alphabet Kubernetes draws generated name suffixes from (apimachinery rand).
        let pod = Regex::new(
            r"-[bcdfghjklmnpqrstvwxz2456789]{5,10}(-[bcdfghjklmnpqrstvwxz2456789]{5})?\b",
        )
        .expect("a valid pattern");
        pod.replace_all(&text, "-<hash>").into_owned()
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self}"))
    }
}

/// A namespace of its own on the test cluster, and todoctl pointed at it (jj's
/// `TestEnvironment`). The namespace is deleted when this is dropped.
pub struct TestEnv {
    pub cluster: Cluster,
    ns: TestNamespace,
}

impl TestEnv {
    /// A fresh namespace named after `prefix`, or `None` when there is no test cluster and the
    /// test is skipped (see [`harness::cluster`]).
    pub async fn new(prefix: &str) -> Result<Option<Self>> {
        let Some(cluster) = harness::cluster() else {
            return Ok(None);
        };
        Self::on(&cluster, prefix).await.map(Some)
    }

    /// A further namespace on `cluster`, for a test that needs more than one.
    pub async fn on(cluster: &Cluster, prefix: &str) -> Result<Self> {
        let ns = cluster.namespace(prefix).await?;
        Ok(Self {
            cluster: cluster.clone(),
            ns,
        })
    }

    /// A fresh namespace with the todo-app release installed in it by
    /// `install --set ANY_NODE_PORT` and `extra` (revision 1, deployed).
    pub async fn installed(prefix: &str, extra: &[&str]) -> Result<Option<Self>> {
        let Some(env) = Self::new(prefix).await? else {
            return Ok(None);
        };
        env.install(extra);
        Ok(Some(env))
    }

    pub fn ns(&self) -> &str {
        self.ns.name()
    }

    /// An admin client for the cluster.
    pub async fn client(&self) -> Client {
        self.cluster.client().await
    }

    /// todoctl pointed at the cluster, `-n` this namespace.
    pub fn todoctl(&self) -> Todoctl {
        Todoctl::new(&self.cluster).namespace(self.ns())
    }

    /// Runs `todoctl ARGS -n NS`; the caller checks the outcome.
    #[track_caller]
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.todoctl().args(args).run()
    }

    /// Runs `todoctl ARGS -n NS` and asserts it succeeded.
    #[track_caller]
    pub fn ok<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(args).success()
    }

    /// `install --set ANY_NODE_PORT EXTRA`, which must succeed.
    #[track_caller]
    pub fn install(&self, extra: &[&str]) -> Output {
        self.todoctl()
            .args(["install", "--set", ANY_NODE_PORT])
            .args(extra)
            .run()
            .success()
    }

    /// `spec.replicas` of Deployment `name` in this namespace, read with the admin client;
    /// `None` when there is no such Deployment. Panics when the API server cannot be read.
    pub async fn replicas(&self, name: &str) -> Option<i32> {
        Api::<Deployment>::namespaced(self.client().await, self.ns())
            .get_opt(name)
            .await
            .unwrap_or_else(|e| panic!("reading deployment/{name} in {}: {e}", self.ns()))
            .and_then(|d| d.spec?.replicas)
    }

    /// `todoctl history -o json`, one object per revision, oldest first.
    #[track_caller]
    pub fn history(&self) -> Vec<Value> {
        let out = self.ok(["history", "-o", "json"]);
        match out.json() {
            Value::Array(rows) => rows,
            other => panic!("history is not a list: {other}"),
        }
    }

    /// (revision, status) of every revision, oldest first.
    #[track_caller]
    pub fn statuses(&self) -> Vec<(u64, String)> {
        self.history()
            .iter()
            .map(|r| {
                (
                    r["revision"].as_u64().unwrap_or(0),
                    r["status"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

/// `[(1, "deployed")]` as the owned pairs [`TestEnv::statuses`] returns.
pub fn statuses(rows: &[(u64, &str)]) -> Vec<(u64, String)> {
    rows.iter().map(|(r, s)| (*r, s.to_string())).collect()
}
