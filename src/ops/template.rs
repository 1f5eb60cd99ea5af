//! `template`: render offline and lay the objects out as YAML documents.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use super::prepare::{PrepareOptions, prepare};
use crate::manifest::Object;

#[derive(Debug, Clone)]
pub struct TemplateOptions {
    pub render: PrepareOptions,
    /// Only objects from these templates (`templates/backend.yaml` or `backend.yaml`).
    pub show_only: Vec<String>,
    pub output_dir: Option<PathBuf>,
    /// Print the test objects too (after the others). Naming their template with --show-only
    /// asks for them as well.
    pub include_tests: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TemplateOutput {
    /// Multi-document YAML in apply order (empty when written to a directory).
    pub yaml: String,
    /// Files written under --output-dir.
    pub written: Vec<PathBuf>,
}

/// Renders `opts`; `stop` ends a running post-renderer (see [`prepare`]).
pub fn template(
    ui: &crate::ui::Ui,
    stop: &crate::cancel::StopToken,
    opts: &TemplateOptions,
) -> Result<TemplateOutput> {
    let prepared = prepare(ui, stop, &opts.render)?;
    let mut objects: Vec<&Object> = prepared.objects.iter().collect();
    if opts.include_tests || !opts.show_only.is_empty() {
        objects.extend(&prepared.tests);
    }
    if !opts.show_only.is_empty() {
        let wanted: Vec<String> = opts
            .show_only
            .iter()
            .map(|s| {
                if s.starts_with("templates/") {
                    s.clone()
                } else {
                    format!("templates/{s}")
                }
            })
            .collect();
        for w in &wanted {
            if !prepared.chart.templates.iter().any(|t| &t.name == w) {
                bail!(
                    "--show-only `{w}`: the chart has no such template; its templates are {}",
                    prepared
                        .chart
                        .templates
                        .iter()
                        .filter(|t| t.is_manifest())
                        .map(|t| format!("`{}`", t.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        objects.retain(|o| wanted.contains(&o.template));
    }

    match &opts.output_dir {
        None => {
            let documents: Vec<String> = objects
                .par_iter()
                .map(|o| document(o))
                .collect::<Result<_>>()?;
            let yaml = documents.concat();
            Ok(TemplateOutput {
                yaml,
                written: vec![],
            })
        }
        Some(dir) => {
            // One file per template, objects in apply order within it, as `helm template
            // --output-dir` lays them out.
            let mut per_file: BTreeMap<&str, String> = BTreeMap::new();
            for o in &objects {
                per_file
                    .entry(&o.template)
                    .or_default()
                    .push_str(&document(o)?);
            }
            let root = dir.join(&prepared.chart.meta.name);
            let mut written = Vec::new();
            for (template, text) in per_file {
                let path = root.join(template);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating directory `{}`", parent.display()))?;
                }
                std::fs::write(&path, text)
                    .with_context(|| format!("writing `{}`", path.display()))?;
                written.push(path);
            }
            Ok(TemplateOutput {
                yaml: String::new(),
                written,
            })
        }
    }
}

/// One YAML document with a comment naming the template it came from.
fn document(o: &Object) -> Result<String> {
    let body = crate::yaml::to_string(&o.data)
        .map_err(|e| anyhow::anyhow!("writing {} as YAML: {e}", o.reference()))?;
    Ok(format!("---\n# Source: {}\n{}", o.template, body))
}
