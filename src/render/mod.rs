//! The template engine: a minijinja environment with the chart's templates, todoctl's filters and
//! the render context (`values`, `release`, `chart`, `capabilities`).
//!
//! Rendering yields text per template; turning text into objects is `manifest`'s job.

mod filters;

use std::fmt::Write as _;

use anyhow::{Result, anyhow};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value, ValueKind};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::chart::Chart;

/// Instruction budget for one render: generous for real charts, finite for templates that loop
/// or recurse without end.
const FUEL: u64 = 50_000_000;

/// The Kubernetes version assumed when rendering without a cluster.
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// API versions every supported Kubernetes release serves; offline renders assume these.
const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// `release` in templates.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

/// `capabilities` in templates: what the target cluster serves.
#[derive(Debug, Clone, Serialize)]
pub struct Capabilities {
    pub kube_version: String,
    pub api_versions: Vec<String>,
}

impl Capabilities {
    /// Capabilities for a render with no cluster: the built-in API versions plus `extra`.
    pub fn offline(kube_version: Option<&str>, extra: &[String]) -> Capabilities {
        let mut api_versions: Vec<String> =
            BUILTIN_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        for v in extra {
            if !api_versions.contains(v) {
                api_versions.push(v.clone());
            }
        }
        Capabilities {
            kube_version: kube_version.unwrap_or(DEFAULT_KUBE_VERSION).to_string(),
            api_versions,
        }
    }
}

/// One template's output.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    /// Chart-relative name, e.g. `templates/backend.yaml`.
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Rendered {
    /// Outputs of the manifest templates, in template-name order.
    pub files: Vec<RenderedFile>,
    pub notes: Option<String>,
}

/// A chart compiled into a template environment, ready to render many times.
pub struct Engine<'c> {
    env: Environment<'c>,
    chart: &'c Chart,
}

impl<'c> Engine<'c> {
    pub fn new(chart: &'c Chart) -> Result<Engine<'c>> {
        let mut env = Environment::new();
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .map_err(|e| anyhow!("template syntax settings: {e}"))?,
        );
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_formatter(|out, _state, value| {
            if value.is_undefined() {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::UndefinedError,
                    "printing an undefined value; check the value's name, or give it a default with `| default(...)`",
                ));
            }
            out.write_str(&display(value)).map_err(minijinja::Error::from)
        });
        env.set_fuel(Some(FUEL));
        env.set_debug(false);

        env.add_filter("toyaml", filters::toyaml);
        env.add_filter("b64encode", filters::b64encode);
        env.add_filter("b64decode", filters::b64decode);
        env.add_filter("sha256", filters::sha256);
        env.add_filter("nindent", filters::nindent);
        env.add_filter("quote", filters::quote);
        env.add_filter("required", filters::required);
        env.add_filter("trunc", filters::trunc);
        env.add_function("required", filters::required);

        for t in &chart.templates {
            env.add_template_owned(t.short_name().to_string(), t.source.clone())
                .map_err(|e| anyhow!(describe_error(chart, &e)))?;
        }
        Ok(Engine { env, chart })
    }

    /// Renders every manifest template and NOTES.txt with the given values.
    pub fn render(
        &self,
        values: &serde_json::Value,
        release: &ReleaseInfo,
        capabilities: &Capabilities,
    ) -> Result<Rendered> {
        let ctx = context! {
            values => Value::from(Serde(values)),
            release => Value::from(Serde(release)),
            chart => context! {
                name => self.chart.meta.name.clone(),
                version => self.chart.meta.version.clone(),
                app_version => self.chart.meta.app_version.clone().unwrap_or_default(),
            },
            capabilities => Value::from(Serde(capabilities)),
        };
        // Each template renders on its own (one render cannot see another's output), so they
        // render on several threads; the first error in template order is the one reported.
        let outputs: Vec<Result<(&crate::chart::TemplateFile, String)>> = self
            .chart
            .templates
            .par_iter()
            .filter(|t| t.is_manifest() || t.is_notes())
            .map(|t| {
                let text = self
                    .env
                    .get_template(t.short_name())
                    .and_then(|tmpl| tmpl.render(&ctx))
                    .map_err(|e| anyhow!(describe_error(self.chart, &e)))?;
                Ok((t, text))
            })
            .collect();
        let mut files = Vec::new();
        let mut notes = None;
        for output in outputs {
            let (t, text) = output?;
            if t.is_notes() {
                notes = Some(text);
            } else {
                files.push(RenderedFile {
                    name: t.name.clone(),
                    text,
                });
            }
        }
        Ok(Rendered { files, notes })
    }
}

/// How a template prints a value: YAML-friendly scalars, JSON for maps and lists.
pub(crate) fn display(value: &Value) -> String {
    match value.kind() {
        ValueKind::None => "null".to_string(),
        ValueKind::Bool => if value.is_true() { "true" } else { "false" }.to_string(),
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable => {
            serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
        }
        _ => value.to_string(),
    }
}

/// `templates/x.yaml:LINE: what went wrong`, then the source line, for any minijinja error,
/// following the chain to the innermost template (an error inside a macro names the macro file).
fn describe_error(chart: &Chart, err: &minijinja::Error) -> String {
    describe_error_at(chart, err, 0)
}

/// Errors inside includes nest once per level; a template that includes itself would print
/// hundreds of levels, so only the first few are shown.
fn describe_error_at(chart: &Chart, err: &minijinja::Error, depth: usize) -> String {
    let mut out = String::new();
    let name = err.name().unwrap_or("template");
    let path = chart
        .templates
        .iter()
        .find(|t| t.short_name() == name)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("templates/{name}"));
    let detail = err
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| err.kind().to_string());
    match err.line() {
        Some(line) => {
            let _ = write!(out, "{path}:{line}: {detail}");
            if let Some(src) = chart
                .templates
                .iter()
                .find(|t| t.short_name() == name)
                .and_then(|t| t.source.lines().nth(line.saturating_sub(1)))
            {
                let _ = write!(out, "\n   {line} | {}", src.trim_end());
            }
        }
        None => {
            let _ = write!(out, "{path}: {detail}");
        }
    }
    if err.kind() == minijinja::ErrorKind::OutOfFuel {
        out.push_str("\nthe template ran too long (an endless loop or recursion?)");
    }
    if let Some(source) =
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        if depth >= 4 {
            out.push_str("\ncaused by: … (more nested template errors)");
        } else {
            out.push_str("\ncaused by: ");
            out.push_str(&describe_error_at(chart, source, depth + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Chart, ChartSource};

    fn chart(files: &[(&str, &str)]) -> Chart {
        let mut all: Vec<(String, Vec<u8>)> = vec![(
            "Chart.yaml".into(),
            b"name: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n".to_vec(),
        )];
        all.extend(
            files
                .iter()
                .map(|(n, s)| (n.to_string(), s.as_bytes().to_vec())),
        );
        Chart::from_files(all, ChartSource::BuiltIn).unwrap()
    }

    fn release() -> ReleaseInfo {
        ReleaseInfo {
            name: "demo".into(),
            namespace: "ns".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        }
    }

    fn render(files: &[(&str, &str)], values: serde_json::Value) -> Result<Rendered> {
        let c = chart(files);
        let e = Engine::new(&c)?;
        e.render(&values, &release(), &Capabilities::offline(None, &[]))
    }

    #[test]
    fn scalars_print_as_yaml() {
        let r = render(
            &[(
                "templates/a.yaml",
                "a: {{ values.b }}\nn: {{ values.n }}\nl: {{ values.l }}\nz: {{ values.z }}\n",
            )],
            serde_json::json!({"b": true, "n": 3, "l": [1, "x"], "z": null}),
        )
        .unwrap();
        assert_eq!(r.files[0].text, "a: true\nn: 3\nl: [1,\"x\"]\nz: null\n");
    }

    #[test]
    fn printing_undefined_is_an_error_with_location() {
        let err = render(
            &[("templates/a.yaml", "a: 1\nb: {{ values.nope }}\n")],
            serde_json::json!({}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("templates/a.yaml:2:"), "{err}");
        assert!(err.contains("values.nope"), "{err}");
    }

    #[test]
    fn undefined_is_false_in_conditions_and_defaults_work() {
        let r = render(
            &[(
                "templates/a.yaml",
                "{% if values.x %}x{% endif %}d: {{ values.y | default(5) }}\n",
            )],
            serde_json::json!({}),
        )
        .unwrap();
        assert_eq!(r.files[0].text, "d: 5\n");
    }

    #[test]
    fn syntax_errors_name_template_and_line() {
        let c = chart(&[("templates/a.yaml", "a: 1\n{% if %}\n")]);
        let err = Engine::new(&c).err().unwrap().to_string();
        assert!(err.starts_with("templates/a.yaml:2:"), "{err}");
    }

    #[test]
    fn macros_from_helper_files() {
        let r = render(
            &[
                (
                    "templates/_h.j2",
                    "{% macro name(x) %}app-{{ x }}{% endmacro %}",
                ),
                (
                    "templates/a.yaml",
                    "{% import \"_h.j2\" as h %}\nname: {{ h.name(release.name) }}\n",
                ),
            ],
            serde_json::json!({}),
        )
        .unwrap();
        assert_eq!(r.files.len(), 1);
        assert_eq!(r.files[0].text, "name: app-demo\n");
    }

    #[test]
    fn toyaml_and_nindent() {
        let r = render(
            &[(
                "templates/a.yaml",
                "r:{{ values.r | toyaml | nindent(2) }}\n",
            )],
            serde_json::json!({"r": {"cpu": "100m", "count": 1}}),
        )
        .unwrap();
        assert_eq!(r.files[0].text, "r:\n  cpu: 100m\n  count: 1\n");
    }

    #[test]
    fn endless_recursion_stops() {
        let err = render(
            &[(
                "templates/a.yaml",
                "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\n",
            )],
            serde_json::json!({}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("templates/a.yaml"), "{err}");
    }

    #[test]
    fn required_message_is_shown() {
        let err = render(
            &[(
                "templates/a.yaml",
                "k: {{ values.k | required(\"set k with --set k=...\") }}\n",
            )],
            serde_json::json!({}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("set k with --set k=..."), "{err}");
    }

    #[test]
    fn notes_render_separately() {
        let r = render(
            &[
                ("templates/a.yaml", "a: 1\n"),
                ("templates/NOTES.txt", "hi {{ release.name }}\n"),
            ],
            serde_json::json!({}),
        )
        .unwrap();
        assert_eq!(r.notes.as_deref(), Some("hi demo\n"));
        assert_eq!(r.files.len(), 1);
    }
}
