//! A chart: `Chart.yaml` metadata, default values, an optional values schema and templates.
//!
//! Charts load from a directory or from the todo-app chart compiled into the binary; both end up
//! as the same in-memory [`Chart`], so nothing downstream knows where a chart came from.

mod schema;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use include_dir::{Dir, include_dir};
use serde::Deserialize;
use serde_json::Value;

pub use schema::{SchemaMarks, ValuesSchema};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/charts/todo-app");

/// The built-in chart's values.yaml parsed when todoctl was built (empty if that parse failed).
const BUILTIN_VALUES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin-values.json"));

/// A file of the built-in chart, as the binary embeds it (empty if the chart has no such file).
pub(crate) fn builtin_file(name: &str) -> &'static [u8] {
    BUILTIN.get_file(name).map_or(&[], |f| f.contents())
}

/// The largest file a chart may hold; larger ones are refused before they are read whole.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Where a chart was loaded from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartSource {
    BuiltIn,
    Dir(PathBuf),
}

impl fmt::Display for ChartSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartSource::BuiltIn => f.write_str("the built-in todo-app chart"),
            ChartSource::Dir(p) => write!(f, "chart `{}`", p.display()),
        }
    }
}

/// `Chart.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChartMeta {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub app_version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// A semver range of supported Kubernetes versions, e.g. `>=1.29.0-0`.
    #[serde(default)]
    pub kube_version: Option<String>,
}

/// One file under `templates/`, named relative to the chart root (`templates/backend.yaml`).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub name: String,
    pub source: String,
}

impl TemplateFile {
    /// The name without the `templates/` prefix, as templates refer to each other.
    pub fn short_name(&self) -> &str {
        self.name.strip_prefix("templates/").unwrap_or(&self.name)
    }

    /// Files whose name starts with `_` hold macros only and render no objects.
    pub fn is_helper(&self) -> bool {
        self.short_name()
            .rsplit('/')
            .next()
            .is_some_and(|base| base.starts_with('_'))
    }

    pub fn is_notes(&self) -> bool {
        self.short_name() == "NOTES.txt"
    }

    /// Whether the file renders Kubernetes objects.
    pub fn is_manifest(&self) -> bool {
        !self.is_helper() && (self.name.ends_with(".yaml") || self.name.ends_with(".yml"))
    }
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub meta: ChartMeta,
    pub version: semver::Version,
    pub kube_version: Option<semver::VersionReq>,
    pub values: Value,
    pub schema: Option<Value>,
    /// `schema`, compiled.
    pub validator: Option<ValuesSchema>,
    pub templates: Vec<TemplateFile>,
    pub source: ChartSource,
}

impl Chart {
    /// The todo-app chart compiled into the binary.
    pub fn builtin() -> Result<Chart> {
        let mut files = Vec::new();
        collect_builtin(&BUILTIN, &mut files);
        Chart::from_files(files, ChartSource::BuiltIn)
    }

    /// Load `--chart DIR`, or the built-in chart when `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Chart> {
        match dir {
            Some(dir) => Chart::load_dir(dir),
            None => Chart::builtin(),
        }
    }

    pub fn load_dir(dir: &Path) -> Result<Chart> {
        let meta = std::fs::metadata(dir).map_err(|e| {
            anyhow!(
                "cannot open chart directory `{}`: {e}; pass --chart with a directory that holds Chart.yaml, or leave it out to use the built-in todo-app chart",
                dir.display()
            )
        })?;
        if !meta.is_dir() {
            bail!(
                "`{}` is not a directory; --chart takes a chart directory that holds Chart.yaml",
                dir.display()
            );
        }
        let mut files = Vec::new();
        collect_dir(dir, dir, &mut files)?;
        Chart::from_files(files, ChartSource::Dir(dir.to_path_buf()))
    }

    /// Build a chart from `(path relative to the chart root, bytes)` pairs.
    pub fn from_files(files: Vec<(String, Vec<u8>)>, source: ChartSource) -> Result<Chart> {
        let find = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, b)| b);
        let text = |name: &str, bytes: &[u8]| -> Result<String> {
            String::from_utf8(bytes.to_vec())
                .map_err(|_| anyhow!("{source}: `{name}` is not valid UTF-8 text"))
        };

        let chart_yaml = find("Chart.yaml").ok_or_else(|| {
            anyhow!("{source} has no Chart.yaml; a chart directory needs Chart.yaml, values.yaml and templates/")
        })?;
        let meta: ChartMeta = crate::yaml::from_str(&text("Chart.yaml", chart_yaml)?)
            .map_err(|e| anyhow!("{source}: Chart.yaml: {e}"))?;
        if !is_chart_name(&meta.name) {
            bail!(
                "{source}: Chart.yaml: name `{}` is not a valid chart name; use lowercase letters, digits and `-`",
                meta.name
            );
        }
        let version = semver::Version::parse(&meta.version).map_err(|e| {
            anyhow!(
                "{source}: Chart.yaml: version `{}` is not a semantic version ({e}); use e.g. `1.2.3`",
                meta.version
            )
        })?;
        let kube_version = meta
            .kube_version
            .as_deref()
            .map(|r| {
                semver::VersionReq::parse(r).map_err(|e| {
                    anyhow!("{source}: Chart.yaml: kubeVersion `{r}` is not a version range ({e}); use e.g. `>=1.29.0-0`")
                })
            })
            .transpose()?;

        let values = match find("values.yaml") {
            Some(bytes) => {
                let v = parse_values(&text("values.yaml", bytes)?)
                    .map_err(|e| anyhow!("{source}: values.yaml: {e}"))?;
                match v {
                    Value::Null => Value::Object(Default::default()),
                    Value::Object(_) => v,
                    _ => bail!("{source}: values.yaml must be a map of values at the top level"),
                }
            }
            None => Value::Object(Default::default()),
        };

        let (schema, validator) = match find("values.schema.json") {
            Some(bytes) => {
                let s: Value = serde_json::from_slice(bytes).map_err(|e| {
                    anyhow!(
                        "{source}: values.schema.json:{}:{}: {e}",
                        e.line(),
                        e.column()
                    )
                })?;
                let validator = ValuesSchema::new(bytes, &s)
                    .map_err(|e| anyhow!("{source}: values.schema.json: {e}"))?;
                (Some(s), Some(validator))
            }
            None => (None, None),
        };

        let mut templates = Vec::new();
        for (name, bytes) in &files {
            if name.starts_with("templates/") {
                templates.push(TemplateFile {
                    name: name.clone(),
                    source: text(name, bytes)?,
                });
            }
        }
        templates.sort_by(|a, b| a.name.cmp(&b.name));
        if !templates.iter().any(TemplateFile::is_manifest) {
            bail!("{source} has no templates: put at least one *.yaml file under templates/");
        }

        Ok(Chart {
            meta,
            version,
            kube_version,
            values,
            schema,
            validator,
            templates,
            source,
        })
    }

    pub fn notes(&self) -> Option<&TemplateFile> {
        self.templates.iter().find(|t| t.is_notes())
    }

    /// Checks the chart's kubeVersion range against a cluster's version (`v1.35.4` or `1.35.4`).
    pub fn check_kube_version(&self, kube_version: &str) -> Result<()> {
        let Some(req) = &self.kube_version else {
            return Ok(());
        };
        let v = parse_kube_version(kube_version)?;
        if !req.matches(&v) {
            bail!(
                "{} requires Kubernetes `{req}`, but the target is `{kube_version}`",
                self.source
            );
        }
        Ok(())
    }
}

/// Chart names become object names and labels: a DNS-1123 label.
fn is_chart_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Parses `v1.35.4`, `1.35.4+k3s1` or `1.35` into a comparable version.
pub fn parse_kube_version(s: &str) -> Result<semver::Version> {
    let t = s.trim().trim_start_matches('v');
    let core = t.split(['+', '-']).next().unwrap_or(t);
    let mut parts: Vec<&str> = core.split('.').collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    semver::Version::parse(&parts[..3].join("."))
        .with_context(|| format!("`{s}` is not a Kubernetes version; use e.g. `v1.35.0`"))
}

fn collect_builtin(dir: &Dir<'static>, out: &mut Vec<(String, Vec<u8>)>) {
    for f in dir.files() {
        out.push((
            f.path().to_string_lossy().replace('\\', "/"),
            f.contents().to_vec(),
        ));
    }
    for d in dir.dirs() {
        collect_builtin(d, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading chart directory `{}`", dir.display()))?;
    for entry in entries {
        let entry =
            entry.with_context(|| format!("reading chart directory `{}`", dir.display()))?;
        let path = entry.path();
        let file_type = entry.file_type()?;
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with('.') || rel.contains("/.") {
            continue;
        }
        if file_type.is_dir() {
            collect_dir(root, &path, out)?;
        } else if file_type.is_file() {
            let len = entry.metadata()?.len();
            if len > MAX_FILE_BYTES {
                bail!(
                    "chart file `{}` is {len} bytes, over the {MAX_FILE_BYTES}-byte limit for chart files",
                    path.display()
                );
            }
            let bytes = std::fs::read(&path)
                .with_context(|| format!("reading chart file `{}`", path.display()))?;
            out.push((rel, bytes));
        }
    }
    Ok(())
}

/// Parses a chart's values.yaml; the built-in chart's, byte for byte, was parsed at build time.
fn parse_values(text: &str) -> Result<Value, String> {
    if text.as_bytes() == builtin_file("values.yaml")
        && let Ok(v) = serde_json::from_str(BUILTIN_VALUES_JSON)
    {
        return Ok(v);
    }
    crate::yaml::value_from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_values_parsed_at_build_time_match_the_yaml() {
        assert!(
            !BUILTIN_VALUES_JSON.is_empty(),
            "build.rs embedded no values"
        );
        let built: Value = serde_json::from_str(BUILTIN_VALUES_JSON).unwrap();
        let yaml = std::str::from_utf8(builtin_file("values.yaml")).unwrap();
        let parsed = crate::yaml::value_from_str(yaml).unwrap();
        // Equal values and equal key order (what templates iterate over).
        assert_eq!(built.to_string(), parsed.to_string());
        assert_eq!(Chart::builtin().unwrap().values, parsed);
    }

    #[test]
    fn a_chart_with_other_values_parses_its_own() {
        let v = parse_values("a: 1\n").unwrap();
        assert_eq!(v, serde_json::json!({"a": 1}));
    }

    #[test]
    fn builtin_chart_loads() {
        let c = Chart::builtin().expect("built-in chart");
        assert_eq!(c.meta.name, "todo-app");
        assert!(c.templates.iter().any(|t| t.is_manifest()));
        assert!(c.schema.is_some());
    }

    #[test]
    fn helper_and_notes_files_are_recognised() {
        let t = |n: &str| TemplateFile {
            name: n.into(),
            source: String::new(),
        };
        assert!(t("templates/_helpers.j2").is_helper());
        assert!(!t("templates/_helpers.j2").is_manifest());
        assert!(t("templates/NOTES.txt").is_notes());
        assert!(t("templates/backend.yaml").is_manifest());
        assert!(!t("templates/sub/_x.yaml").is_manifest());
    }

    #[test]
    fn kube_versions_parse() {
        assert_eq!(
            parse_kube_version("v1.35.4").unwrap(),
            semver::Version::new(1, 35, 4)
        );
        assert_eq!(
            parse_kube_version("1.30").unwrap(),
            semver::Version::new(1, 30, 0)
        );
        assert_eq!(
            parse_kube_version("v1.29.2+k3s1").unwrap(),
            semver::Version::new(1, 29, 2)
        );
        assert!(parse_kube_version("banana").is_err());
    }
}
