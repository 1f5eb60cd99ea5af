//! Preparing a release: the shared first phase of every action that renders. The chart's
//! values with the user's on top (coalesced as Helm coalesces them), generated values filled,
//! secret values remembered, the schema checked; then the templates rendered (`crate::render`),
//! post-rendered, labelled, validated and ordered (Helm's install: values, then
//! `renderResources`). "Render" alone names only the template step.

use std::path::PathBuf;

use anyhow::{Result, bail};
use rayon::prelude::*;
use serde_json::Value;

use crate::cancel::StopToken;
use crate::chart::{self, Chart};
use crate::manifest::kinds::NameRule;
use crate::manifest::names::name_problem;
use crate::manifest::{self, Object};
use crate::render::{Capabilities, Engine, ReleaseInfo, RenderedFile};
use crate::ui::Ui;
use crate::values::{self, ValueSources};

/// What to prepare: the release, the chart, the values and what the cluster serves.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    pub release: String,
    pub namespace: String,
    pub chart_dir: Option<PathBuf>,
    pub values: ValueSources,
    /// Values recorded by the previous revision, under the new ones (upgrade without --reset-values).
    pub previous_values: Option<Value>,
    pub revision: u64,
    pub is_upgrade: bool,
    pub capabilities: Capabilities,
    /// How values the chart marks for generation get theirs.
    pub generate: Generate,
    /// `--post-renderer`: rewrites the rendered objects before they are labelled and validated.
    pub post_renderer: Option<super::PostRenderer>,
}

/// Where generated values (`x-todoctl-generate` in the schema) come from.
#[derive(Debug, Clone)]
pub enum Generate {
    /// Offline renders print a marked placeholder: a random value would differ on every run.
    Placeholder,
    /// A cluster operation: reuse what earlier revisions generated, and generate what is missing
    /// from a CSPRNG.
    Keep(serde_json::Map<String, Value>),
}

/// What offline renders put where a value will be generated at install.
pub const GENERATED_PLACEHOLDER: &str = "todoctl-generated-at-install";

impl PrepareOptions {
    /// Options for a render with no cluster (template, lint): revision 1, an install, with
    /// `capabilities` standing in for what a cluster would say about itself.
    pub fn offline(
        release: &str,
        namespace: &str,
        chart_dir: Option<PathBuf>,
        values: ValueSources,
        capabilities: Capabilities,
    ) -> PrepareOptions {
        PrepareOptions {
            release: release.to_string(),
            namespace: namespace.to_string(),
            chart_dir,
            values,
            previous_values: None,
            revision: 1,
            is_upgrade: false,
            capabilities,
            generate: Generate::Placeholder,
            post_renderer: None,
        }
    }
}

/// A prepared release: values, objects and notes, ready to apply or print.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub chart: Chart,
    /// What the user supplied (previous revision's values included), as recorded in a release.
    pub user_values: Value,
    /// Chart defaults with the user values on top: what templates saw.
    pub values: Value,
    /// Validated, labelled objects in apply order, test objects excepted.
    pub objects: Vec<Object>,
    /// Test objects (annotated `todoctl.io/test: "true"`), validated and labelled like the
    /// others, in apply order: recorded, and applied only by `todoctl test`.
    pub tests: Vec<Object>,
    pub notes: Option<String>,
    /// Values generated for this release (empty offline), to record and reuse.
    pub generated: serde_json::Map<String, Value>,
    /// Value paths the schema marks secret.
    pub secret_paths: Vec<String>,
    /// What each manifest template rendered, before parsing (lint reads its YAML text).
    pub rendered: Vec<crate::render::RenderedFile>,
    /// The post-renderer's command line, when one rewrote the objects.
    pub post_renderer: Option<String>,
}

/// Loads the chart, merges and validates values, renders, parses and validates the objects.
/// Nothing here touches a cluster; every error names its file, flag, template or object. Every
/// secret value (the schema's secret values, Secret objects) is remembered by `ui`, so nothing
/// it writes afterwards shows them. `stop` ends a running post-renderer (see
/// [`PostRenderer::run`](super::PostRenderer::run)); a post-renderer blocks this thread, so an
/// async caller runs this through [`run_blocking`].
pub fn prepare(ui: &Ui, stop: &StopToken, opts: &PrepareOptions) -> Result<Prepared> {
    manifest::init_threads();
    check_release_name(&opts.release, &opts.namespace)?;
    let chart = Chart::load(opts.chart_dir.as_deref())?;
    chart.check_kube_version(&opts.capabilities.kube_version)?;

    // Nulls survive this layering so that coalescing can delete the chart defaults they name.
    let mut user_map = match &opts.previous_values {
        Some(Value::Object(m)) => m.clone(),
        _ => Default::default(),
    };
    if let Value::Object(new_values) = opts.values.user_values()? {
        values::merge_maps(&mut user_map, new_values);
    }
    let user_values = Value::Object(user_map);
    let mut merged = values::coalesce(chart.values.clone(), &user_values);
    let marks = chart
        .schema
        .as_ref()
        .map(chart::SchemaMarks::from_schema)
        .unwrap_or_default();
    let generated = fill_generated(&mut merged, &user_values, &marks, &opts.generate)?;
    ui.remember_values(&merged, &marks.secret);
    // Checking the values and compiling the templates do not depend on each other: on two
    // threads at once. A values error still comes first.
    let (checked, engine) = rayon::join(
        || match &chart.validator {
            Some(validator) => validator.validate(&merged),
            None => Ok(()),
        },
        || Engine::new(&chart),
    );
    checked?;
    let engine = engine?;
    let release = ReleaseInfo {
        name: opts.release.clone(),
        namespace: opts.namespace.clone(),
        revision: opts.revision,
        is_install: !opts.is_upgrade,
        is_upgrade: opts.is_upgrade,
    };
    let rendered = engine.render(&merged, &release, &opts.capabilities)?;

    let mut objects = parse_files(ui, &rendered.files)?;
    if let Some(post) = &opts.post_renderer {
        objects = post_render(ui, stop, post, objects, &opts.namespace)?;
    }
    manifest::labels::apply_standard(
        &mut objects,
        &opts.release,
        &opts.namespace,
        &chart.meta.name,
        &chart.meta.version,
    );
    let validate_options = manifest::ValidateOptions {
        served_api_versions: &opts.capabilities.api_versions,
        ..manifest::ValidateOptions::new(&opts.namespace)
    };
    manifest::validate::validate(&objects, &validate_options)
        .map_err(|problems| anyhow::anyhow!("{problems}"))?;
    manifest::order::sort_for_apply(&mut objects);
    let (tests, objects) = super::test::split_tests(objects)?;

    Ok(Prepared {
        chart,
        user_values,
        values: merged,
        objects,
        tests,
        notes: rendered.notes,
        generated,
        secret_paths: marks.secret,
        post_renderer: opts
            .post_renderer
            .as_ref()
            .map(super::PostRenderer::display),
        rendered: rendered.files,
    })
}

/// The objects of the rendered files, in the files' order, parsed on several threads, with
/// every Secret's values remembered by `ui` at once: the checks that follow (an object's
/// types, the post-renderer's stderr) may quote any field of any object, and what they print
/// must already be scrubbed. If a file does not parse, the objects of the files that did are
/// remembered before its error is returned.
fn parse_files(ui: &Ui, files: &[RenderedFile]) -> Result<Vec<Object>> {
    let parsed: Vec<_> = files
        .par_iter()
        .map(|file| manifest::parse::documents(&file.name, &file.text))
        .collect();
    for o in parsed.iter().flatten().flatten() {
        ui.remember_object(&o.data);
    }
    let mut objects = Vec::new();
    for result in parsed {
        objects.extend(result?);
    }
    Ok(objects)
}

/// The objects of one text (the post-renderer's output), `source` naming it in errors, with
/// every Secret's values remembered by `ui` at once, as `parse_files` does.
fn parse_text(ui: &Ui, source: &str, text: &str) -> Result<Vec<Object>> {
    let objects = manifest::parse::documents(source, text)?;
    for o in &objects {
        ui.remember_object(&o.data);
    }
    Ok(objects)
}

/// Pipes the rendered objects through the post-renderer and parses what it returns as rendered
/// objects are parsed. A returned object keeps the template of the rendered object with the
/// same kind, namespace and name, so messages still point at a file; a new one is named after
/// the post-renderer. Labels are applied afterwards, so a post-renderer cannot drop them.
fn post_render(
    ui: &Ui,
    stop: &StopToken,
    post: &super::PostRenderer,
    objects: Vec<Object>,
    namespace: &str,
) -> Result<Vec<Object>> {
    let mut input = String::new();
    for o in &objects {
        let body = crate::yaml::to_string(&o.data)
            .map_err(|e| anyhow::anyhow!("writing {} as YAML: {e}", o.reference()))?;
        input.push_str(&format!("---\n# Source: {}\n{body}", o.template));
    }
    let output = post.run(&input, super::PostRenderer::timeout_from_env()?, stop)?;
    let source = format!("the output of --post-renderer `{}`", post.display());
    let mut returned = parse_text(ui, &source, &output)?;
    if returned.is_empty() {
        bail!(
            "--post-renderer `{}` returned no objects; it must write the YAML documents it read, changed as it likes, to stdout",
            post.display()
        );
    }
    for o in &mut returned {
        let key = o.key(namespace);
        if let Some(original) = objects.iter().find(|r| r.key(namespace) == key) {
            o.template = original.template.clone();
        }
    }
    Ok(returned)
}

/// Sets every value the schema marks for generation that the user did not supply: from an
/// earlier revision, a fresh CSPRNG value, or the offline placeholder. Returns what a cluster
/// operation must record.
fn fill_generated(
    merged: &mut Value,
    user_values: &Value,
    marks: &chart::SchemaMarks,
    mode: &Generate,
) -> Result<serde_json::Map<String, Value>> {
    let mut generated = serde_json::Map::new();
    for (path, length) in &marks.generate {
        let supplied = values::get_path(user_values, path)
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
        if supplied {
            continue;
        }
        let value = match mode {
            Generate::Placeholder => Value::String(GENERATED_PLACEHOLDER.to_string()),
            Generate::Keep(previous) => {
                let v = match previous.get(path) {
                    Some(v) => v.clone(),
                    None => Value::String(random_secret(*length)?),
                };
                generated.insert(path.clone(), v.clone());
                v
            }
        };
        values::set_path(merged, path, value)
            .map_err(|e| anyhow::anyhow!("setting generated value `{path}`: {e}"))?;
    }
    Ok(generated)
}

/// Letters and digits only, so a generated value is safe in URLs, env vars and YAML.
fn random_secret(length: usize) -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(length);
    let mut buf = [0u8; 64];
    while out.len() < length {
        getrandom::fill(&mut buf)
            .map_err(|e| anyhow::anyhow!("reading the system's random source: {e}"))?;
        // Rejection sampling keeps every character equally likely.
        for b in buf {
            if (b as usize) < 248 && out.len() < length {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

/// The release and namespace names of a command, checked before any request: a bad one is the
/// user's typo, named with its flag.
pub(crate) fn check_release_name(release: &str, namespace: &str) -> Result<()> {
    crate::release::check_release_name(release).map_err(|e| anyhow::anyhow!("{e} (--release)"))?;
    check_namespace_name(namespace)
}

/// A namespace name given with --namespace, checked before any request (an empty one would
/// address every namespace).
pub(crate) fn check_namespace_name(namespace: &str) -> Result<()> {
    if name_problem(namespace, NameRule::Label(63)).is_some() {
        bail!(
            "namespace `{namespace}` is invalid: use at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit (--namespace)"
        );
    }
    Ok(())
}

/// What the user wants prepared, on top of a release's history: the previous revision's
/// values unless `reset_values`, and the values generated before. Shared by upgrade, its dry
/// run and diff, so all three render the same objects for the same flags.
pub struct PrepareRequest<'a> {
    pub release: &'a str,
    pub namespace: &'a str,
    pub chart_dir: Option<&'a std::path::Path>,
    pub values: &'a crate::values::ValueSources,
    pub is_upgrade: bool,
    pub reset_values: bool,
    /// For a release that generated nothing yet: generate now (install) or print the
    /// placeholder (diff, where a fresh random value would only be noise).
    pub generate_new: bool,
    pub post_renderer: Option<&'a super::PostRenderer>,
}

/// Prepares `req` on top of `history` with the cluster's capabilities (one discovery).
pub async fn prepare_release(
    ctx: &crate::context::Context,
    history: &crate::release::History,
    req: &PrepareRequest<'_>,
) -> Result<Prepared> {
    let base = history.last_deployed().or(history.current());
    let previous_values = match (req.is_upgrade, req.reset_values, base) {
        (true, false, Some(r)) => Some(r.user_values.clone()),
        _ => None,
    };
    let generate = match base {
        Some(r) => Generate::Keep(r.generated.clone()),
        None if req.generate_new => Generate::Keep(Default::default()),
        None => Generate::Placeholder,
    };
    let capabilities = ctx.cluster.capabilities().await?;
    let opts = PrepareOptions {
        release: req.release.to_string(),
        namespace: req.namespace.to_string(),
        chart_dir: req.chart_dir.map(std::path::Path::to_path_buf),
        values: req.values.clone(),
        previous_values,
        revision: history.next_revision(),
        is_upgrade: req.is_upgrade,
        capabilities,
        generate,
        post_renderer: req.post_renderer.cloned(),
    };
    let (ui, stop) = (ctx.ui.clone(), ctx.stop.clone());
    run_blocking(move || prepare(&ui, &stop, &opts)).await
}

/// Runs `f` on tokio's blocking threads and returns what it returns: for work that blocks
/// (rendering, a post-renderer program), which on an async worker would stall the signal
/// handler and the lock's renewal. A panic in `f` goes on unwinding here.
pub async fn run_blocking<T, F>(f: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        // A blocking task cannot be cancelled, so the only error is its panic.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
