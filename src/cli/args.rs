//! Flag groups shared by several commands.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::values::ValueSources;

/// Which release, where.
#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    /// Release name
    #[arg(
        short = 'r',
        long = "release",
        default_value = "todo-app",
        value_name = "NAME"
    )]
    pub release: String,
    /// Namespace of the release and its objects (created when missing)
    #[arg(
        short = 'n',
        long,
        default_value = "todo-app",
        value_name = "NAMESPACE"
    )]
    pub namespace: String,
}

/// Which chart.
#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    /// Chart directory (default: the todo-app chart built into todoctl)
    #[arg(long, value_name = "DIR")]
    pub chart: Option<PathBuf>,
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
    #[arg(long)]
    pub dry_run: bool,
    /// On failure, roll back to the previous revision (or uninstall a failed install)
    #[arg(long)]
    pub atomic: bool,
    /// Take over fields another field manager owns instead of failing on the conflict
    #[arg(long)]
    pub force_conflicts: bool,
    /// Take over existing objects that belong to no release or to another one
    #[arg(long)]
    pub adopt: bool,
    /// Keep at most this many revision records (0: keep all)
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub history_max: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Yaml,
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
