//! `lint`: every check a render runs, then the best-practice rules, then a second render as the
//! next revision with every image tag changed, to find immutable fields that would refuse it.

use anyhow::{Context, Result};

use super::prepare::{PrepareOptions, prepare};
use crate::manifest::immutable;
use crate::manifest::lint::{Finding, Severity, check};
use crate::values::ValueSources;

#[derive(Debug, Clone)]
pub struct LintReport {
    /// `chart todo-app 0.1.0`, for the summary line.
    pub chart: String,
    pub objects: usize,
    pub warnings: Vec<Finding>,
}

/// Errors (values, templates, invalid objects) come back as `Err`; warnings in the report.
pub fn lint(ui: &crate::ui::Ui, opts: &PrepareOptions) -> Result<LintReport> {
    // Lint takes no --post-renderer, the one step a stop token ends.
    let stop = crate::cancel::StopToken::new();
    let prepared = prepare(ui, &stop, opts)?;
    // Test pods run in the cluster too: the same rules hold for them.
    let mut warnings = check(&[prepared.objects.as_slice(), &prepared.tests].concat());
    warnings.extend(immutable::version_labels(&prepared.objects));

    // The next revision as an upgrade that bumps every image renders it: the values this render
    // used, image tags changed, revision + 1. A chart whose next render fails is already
    // reported by the first render or is the schema's business (a tag pattern), not this rule's.
    let mut next_values = prepared.values.clone();
    let bumped = immutable::bump_image_tags(&mut next_values);
    let next = PrepareOptions {
        values: ValueSources::default(),
        previous_values: Some(next_values),
        revision: opts.revision + 1,
        is_upgrade: true,
        ..opts.clone()
    };
    if let Ok(next) = prepare(ui, &stop, &next) {
        let how = if bumped == 0 {
            "same values".to_string()
        } else {
            format!(
                "{bumped} image tag{} changed",
                if bumped == 1 { "" } else { "s" }
            )
        };
        warnings.extend(immutable::changing_fields(
            &prepared.objects,
            &next.objects,
            &opts.namespace,
            &how,
        ));
    }
    warnings.extend(boolean_words(opts, &prepared)?);
    Ok(LintReport {
        chart: format!(
            "chart {} {}",
            prepared.chart.meta.name, prepared.chart.meta.version
        ),
        objects: prepared.objects.len() + prepared.tests.len(),
        warnings,
    })
}

pub const BOOLEAN_WORD_RULE: &str = "yaml11-boolean";

/// Unquoted `yes`/`no`/`on`/`off`/`y`/`n` in the chart's values.yaml, the `-f` files and what
/// each template rendered: Kubernetes and Helm read them as booleans (YAML 1.1), and todoctl
/// does too, which surprises whoever meant the text (`country: NO`).
fn boolean_words(
    opts: &PrepareOptions,
    prepared: &super::prepare::Prepared,
) -> Result<Vec<Finding>> {
    // (file, text, whether the text is a template's output, whose lines are not the source's).
    let mut texts: Vec<(String, String, bool)> = Vec::new();
    match &opts.chart_dir {
        None => texts.push((
            "values.yaml".to_string(),
            String::from_utf8_lossy(crate::chart::builtin_file("values.yaml")).into_owned(),
            false,
        )),
        Some(dir) => {
            let path = dir.join("values.yaml");
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                texts.push((path.display().to_string(), text, false));
            }
        }
    }
    for path in &opts.values.files {
        // Standard input was read once already and cannot be read again.
        if path.as_os_str() == "-" {
            continue;
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading values file {}", path.display()))?;
        texts.push((path.display().to_string(), text, false));
    }
    for file in &prepared.rendered {
        texts.push((file.name.clone(), file.text.clone(), true));
    }
    let mut findings = Vec::new();
    for (name, text, rendered) in &texts {
        for w in crate::yaml::yaml11_boolean_words(text) {
            let reading = YAML11_TRUE.iter().any(|t| t.eq_ignore_ascii_case(&w.word));
            let (what, hint) = if w.is_key {
                (
                    format!("the key `{}` is read as the boolean {reading}", w.word),
                    format!("quote it (`\"{}\":`) if it is a name", w.word),
                )
            } else {
                (
                    format!("`{}` is read as the boolean {reading}, not as text", w.word),
                    format!(
                        "quote it (`\"{}\"`) if it is text, or write `{reading}` if it is a switch",
                        w.word
                    ),
                )
            };
            findings.push(Finding {
                rule: BOOLEAN_WORD_RULE,
                severity: Severity::Warning,
                object: String::new(),
                template: if *rendered {
                    format!("{name}, line {} of its output", w.line)
                } else {
                    format!("{name}:{}", w.line)
                },
                container: String::new(),
                message: what,
                hint,
            });
        }
    }
    Ok(findings)
}

/// The YAML 1.1 words for true; the others of `yaml11_boolean_words` mean false.
const YAML11_TRUE: &[&str] = &["y", "yes", "on"];
