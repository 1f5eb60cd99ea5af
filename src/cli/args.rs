//! Flag groups shared by several commands.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::values::ValueSources;

/// Which release, where: Helm's positional `[RELEASE]`, or `-r/--release`, and `-n/--namespace`.
///
/// Flatten it into a command to give it both forms; the two are one setting, resolved while
/// parsing (the positional name, else `-r`, else `todo-app`), and giving both with different
/// names is a usage error.
#[derive(Debug, Clone)]
pub struct ReleaseArgs {
    /// The release name, resolved.
    pub release: String,
    /// Namespace of the release and its objects.
    pub namespace: String,
}

/// The release name a user gave, from either form: `None` when neither was given.
pub fn pick_release(positional: Option<&str>, flag: Option<&str>) -> Result<String, String> {
    // A release name never holds a `/`; a path there is a chart given where Helm wants the
    // release first (`helm install ./chart`, a habit from `--generate-name`).
    if let Some(p) = positional.filter(|p| p.contains('/')) {
        return Err(format!(
            "`{p}` is a path, not a release name: the release comes first and the chart second (`RELEASE CHART`, e.g. `todo-app {p}`), or give the chart as --chart {p}"
        ));
    }
    match (positional, flag) {
        (Some(p), Some(f)) if p != f => Err(format!(
            "the release is named twice, `{p}` (the RELEASE argument) and `{f}` (-r/--release); give one of them"
        )),
        (Some(name), _) | (None, Some(name)) => Ok(name.to_string()),
        (None, None) => Ok(DEFAULT_RELEASE.to_string()),
    }
}

/// The release everything defaults to: the todo app's.
pub const DEFAULT_RELEASE: &str = "todo-app";

/// The flag form alone (`-r`, `-n`), for commands whose positional arguments mean something
/// else (`lint [CHART]`, `rollback [RELEASE] [REVISION]`).
#[derive(Debug, Clone, Args)]
pub struct ReleaseFlags {
    /// Release name [default: todo-app]
    #[arg(short = 'r', long = "release", value_name = "NAME")]
    pub release: Option<String>,
    /// Namespace of the release and its objects
    #[arg(
        short = 'n',
        long,
        default_value = "todo-app",
        value_name = "NAMESPACE"
    )]
    pub namespace: String,
}

impl ReleaseFlags {
    /// The release and namespace, with `positional` as the RELEASE argument; an error when it
    /// and -r name different releases.
    pub fn resolve(&self, positional: Option<&str>) -> anyhow::Result<ReleaseArgs> {
        Ok(ReleaseArgs {
            release: pick_release(positional, self.release.as_deref())
                .map_err(anyhow::Error::msg)?,
            namespace: self.namespace.clone(),
        })
    }
}

/// What clap parses for [`ReleaseArgs`].
#[derive(Debug, Clone, Args)]
struct ReleaseArgsRaw {
    /// Release name [default: todo-app]; the same as -r
    #[arg(id = "release_name", value_name = "RELEASE")]
    name: Option<String>,
    #[command(flatten)]
    flags: ReleaseFlags,
}

impl clap::FromArgMatches for ReleaseArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let raw = ReleaseArgsRaw::from_arg_matches(matches)?;
        let release = pick_release(raw.name.as_deref(), raw.flags.release.as_deref())
            .map_err(|msg| clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, msg))?;
        Ok(Self {
            release,
            namespace: raw.flags.namespace,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for ReleaseArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ReleaseArgsRaw::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ReleaseArgsRaw::augment_args_for_update(cmd)
    }
}

/// Which chart: Helm's positional `[CHART]` after the release name, or `--chart DIR`; neither
/// means the todo-app chart built into todoctl. Giving both with different paths is a usage
/// error.
#[derive(Debug, Clone, Default)]
pub struct ChartArgs {
    /// The chart directory, resolved; `None` for the built-in chart.
    pub chart: Option<PathBuf>,
}

/// What clap parses for [`ChartArgs`].
#[derive(Debug, Clone, Args)]
struct ChartArgsRaw {
    /// Chart directory [default: the todo-app chart built into todoctl]; the same as --chart
    #[arg(id = "chart_dir", value_name = "CHART")]
    positional: Option<PathBuf>,
    /// Chart directory (default: the todo-app chart built into todoctl)
    #[arg(long, value_name = "DIR")]
    chart: Option<PathBuf>,
}

impl clap::FromArgMatches for ChartArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let raw = ChartArgsRaw::from_arg_matches(matches)?;
        let chart = match (raw.positional, raw.chart) {
            (Some(p), Some(f)) if p != f => {
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "the chart is named twice, `{}` (the CHART argument) and `{}` (--chart); give one of them",
                        p.display(),
                        f.display()
                    ),
                ));
            }
            (Some(p), _) => Some(p),
            (None, f) => f,
        };
        Ok(Self { chart })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for ChartArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ChartArgsRaw::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ChartArgsRaw::augment_args_for_update(cmd)
    }
}

/// Values on top of the chart's defaults, merged in Helm's order: files, --set-json, --set,
/// --set-string, --set-file.
#[derive(Debug, Clone, Default, Args)]
pub struct ValuesArgs {
    /// A values file (YAML); repeat to layer several, later files win
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)
    #[arg(long, value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Set a value, always as a string
    #[arg(long, value_name = "PATH=STRING")]
    pub set_string: Vec<String>,
    /// Set a value from JSON: `path={"a":1}`
    #[arg(long, value_name = "PATH=JSON")]
    pub set_json: Vec<String>,
    /// Set a value to a file's contents: `path=FILE`
    #[arg(long, value_name = "PATH=FILE")]
    pub set_file: Vec<String>,
    /// Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`,
    /// so secrets stay off the command line
    #[arg(long, value_name = "PATH=ENV_VAR")]
    pub set_env: Vec<String>,
}

impl ValuesArgs {
    pub fn sources(&self) -> ValueSources {
        ValueSources {
            files: self.values.clone(),
            set_json: self.set_json.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            set_env: self.set_env.clone(),
        }
    }
}

/// `--post-renderer`: a program that rewrites the rendered objects (Helm's flag of that name).
#[derive(Debug, Clone, Default, Args)]
pub struct PostRenderArgs {
    /// A program that reads the rendered YAML on stdin and writes the objects to use on stdout,
    /// e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it
    /// may run, default 60)
    #[arg(long, value_name = "CMD")]
    pub post_renderer: Option<String>,
    /// An argument for the post-renderer (repeatable)
    #[arg(
        long,
        value_name = "ARG",
        requires = "post_renderer",
        allow_hyphen_values = true
    )]
    pub post_renderer_args: Vec<String>,
}

impl PostRenderArgs {
    pub fn renderer(&self) -> Option<crate::ops::PostRenderer> {
        self.post_renderer
            .as_ref()
            .map(|command| crate::ops::PostRenderer {
                command: command.clone(),
                args: self.post_renderer_args.clone(),
            })
    }
}

/// Offline stand-ins for what a cluster would tell about itself.
#[derive(Debug, Clone, Default, Args)]
pub struct CapabilityArgs {
    /// Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)
    #[arg(long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,
}

impl CapabilityArgs {
    /// What `template` and `lint` render: revision 1 of an install, with these capabilities.
    pub fn prepare_options(
        &self,
        release: &ReleaseArgs,
        chart: &ChartArgs,
        values: &ValuesArgs,
    ) -> crate::ops::PrepareOptions {
        crate::ops::PrepareOptions::offline(
            &release.release,
            &release.namespace,
            chart.chart.clone(),
            values.sources(),
            crate::render::Capabilities::offline(self.kube_version.as_deref(), &self.api_versions),
        )
    }
}

/// Waiting for readiness.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Return as soon as everything is applied; do not wait for readiness
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for readiness before failing, e.g. 90s, 5m
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
}

impl WaitArgs {
    /// The readiness budget, or `None` with --no-wait.
    pub fn budget(&self) -> Option<Duration> {
        (!self.no_wait).then_some(self.timeout)
    }
}

/// How objects are applied and recorded.
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// Ask the API server to validate and dry-run every change; change and record nothing
    #[arg(long, num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "server", value_parser = parse_dry_run, value_name = "MODE")]
    pub dry_run: bool,
    /// On failure, roll back to the previous revision (or uninstall a failed install)
    #[arg(long, visible_alias = "rollback-on-failure")]
    pub atomic: bool,
    /// Take over fields another field manager owns instead of failing on the conflict
    #[arg(long)]
    pub force_conflicts: bool,
    /// Take over existing objects that belong to no release or to another one
    #[arg(long, visible_alias = "take-ownership")]
    pub adopt: bool,
    /// Keep at most this many revision records (0: keep all)
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub history_max: usize,
    /// Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)
    #[arg(long)]
    pub prune_pvcs: bool,
    /// Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting
    /// one deletes every object of its kind in the cluster)
    #[arg(long)]
    pub prune_crds: bool,
}

impl ApplyArgs {
    /// What a prune may delete beyond the default keep rules.
    pub fn keep(&self) -> crate::ops::KeepRules {
        crate::ops::KeepRules {
            delete_crds: self.prune_crds,
            delete_pvcs: self.prune_pvcs,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Yaml,
}

/// `--dry-run` as Helm users type it: bare or `=server` (the API server's dry run, the only kind
/// todoctl does), `=none`/`=false` (none). `=client` is Helm's offline render, which is
/// `todoctl template`.
pub fn parse_dry_run(s: &str) -> Result<bool, String> {
    match s {
        "server" | "true" => Ok(true),
        "none" | "false" => Ok(false),
        "client" => Err("todoctl's dry run always asks the API server (`--dry-run` is `--dry-run=server`); `todoctl template` renders and checks offline, as Helm's `--dry-run=client` does".to_string()),
        other => Err(format!("`{other}` is not a dry-run mode; use `--dry-run` (the API server's dry run) or `todoctl template` (offline)")),
    }
}

/// Parses `300`, `90s`, `5m`, `1h30m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration; use e.g. `5m` or `90s`".into());
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("`{s}` is not a duration; use e.g. `5m`, `90s` or `1h30m`"))?;
        num.clear();
        total += match c {
            'h' => n * 3600,
            'm' => n * 60,
            's' => n,
            _ => {
                return Err(format!(
                    "`{s}` is not a duration; use e.g. `5m`, `90s` or `1h30m`"
                ));
            }
        };
    }
    if !num.is_empty() {
        return Err(format!(
            "`{s}` is not a duration; put a unit after `{num}` (h, m or s)"
        ));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("5m3").is_err());
        assert!(parse_duration("").is_err());
    }
}
