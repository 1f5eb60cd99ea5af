//! `todoctl get values|manifest|notes|metadata|all`: what a revision recorded.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::args::{OutputFormat, ReleaseArgs};
use crate::ops;
use crate::release::{ManifestEntry, Release};
use serde_json::Value;

/// Show what a release revision recorded.
#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// The values the user supplied (--all: merged with the chart defaults)
    ///
    /// Examples:
    ///   todoctl get values
    ///   todoctl get values todo-app -n staging
    ///   todoctl get values --all --revision 2 -o json
    #[command(verbatim_doc_comment)]
    Values(GetValuesArgs),
    /// The rendered objects that were applied (Secret values redacted unless --show-secrets)
    ///
    /// Examples:
    ///   todoctl get manifest
    ///   todoctl get manifest --revision 1
    #[command(verbatim_doc_comment)]
    Manifest(GetManifestArgs),
    /// The notes shown after install or upgrade
    ///
    /// Examples:
    ///   todoctl get notes
    #[command(verbatim_doc_comment)]
    Notes(GetArgs),
    /// The revision's facts: release, chart, versions, namespace, revision, status, deploy time
    ///
    /// Examples:
    ///   todoctl get metadata
    ///   todoctl get metadata --revision 2 -o json
    #[command(verbatim_doc_comment)]
    Metadata(GetMetadataArgs),
    /// Everything a revision recorded: metadata, last test run, values, test objects, manifest
    /// and notes
    /// (secret values redacted unless --show-secrets)
    ///
    /// Examples:
    ///   todoctl get all
    ///   todoctl get all --revision 1 -o yaml
    #[command(verbatim_doc_comment)]
    All(GetAllArgs),
}

#[derive(Debug, Args)]
pub struct GetMetadataArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GetAllArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// Show secret values and Secret data instead of <redacted>
    #[arg(long)]
    pub show_secrets: bool,
    /// Output format (table prints sections of text and YAML, as Helm does)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// The revision (default: the latest)
    #[arg(long)]
    pub revision: Option<u64>,
}

#[derive(Debug, Args)]
pub struct GetManifestArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// Show Secret values instead of <redacted>
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct GetValuesArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// All computed values, not only those the user supplied
    #[arg(short, long)]
    pub all: bool,
    /// Show secret values instead of <redacted>
    #[arg(long)]
    pub show_secrets: bool,
    /// Output format (table prints YAML)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(cmd: &GetCommand, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let args = match cmd {
        GetCommand::Values(v) => &v.get,
        GetCommand::Manifest(m) => &m.get,
        GetCommand::Notes(a) => a,
        GetCommand::Metadata(m) => &m.get,
        GetCommand::All(a) => &a.get,
    };
    let (ns, rel, rev) = (
        args.release.namespace.clone(),
        args.release.release.clone(),
        args.revision,
    );
    let record = env.block_on(|ctx| async move {
        let store = crate::release::SecretStore::new(ctx.client().clone(), &ns);
        ops::get(&ctx.ui, &store, &rel, rev).await
    })?;
    match cmd {
        GetCommand::Values(v) => {
            let values = if v.all {
                &record.values
            } else {
                &record.user_values
            };
            let values = shown_values(values, &record, v.show_secrets);
            let format = if v.output == OutputFormat::Table {
                OutputFormat::Yaml
            } else {
                v.output
            };
            super::print_shown(ui, &super::data_text(&values, format)?, v.show_secrets)?;
        }
        GetCommand::Manifest(m) => super::print_shown(
            ui,
            &manifest_text(&record.manifest, m.show_secrets)?,
            m.show_secrets,
        )?,
        GetCommand::Notes(_) => match &record.notes {
            Some(n) => crate::out!(ui, "{n}")?,
            None => crate::errln!(ui, "revision {} has no notes", record.revision),
        },
        GetCommand::Metadata(m) => {
            let meta = ops::ReleaseMetadata::of(&record, ui.scrubber());
            match m.output {
                OutputFormat::Table => crate::out!(ui, "{}", metadata_text(&meta))?,
                other => super::print_data(ui, &meta, other)?,
            }
        }
        GetCommand::All(a) => print_all(ui, &record, a)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Values as `get` shows them: the schema's secret values redacted unless asked for.
fn shown_values(values: &Value, record: &Release, show_secrets: bool) -> Value {
    if show_secrets {
        values.clone()
    } else {
        crate::diff::redact_values(values, &record.secret_paths)
    }
}

/// Objects as YAML documents with their template named, Secret data redacted unless asked for.
fn manifest_text(entries: &[ManifestEntry], show_secrets: bool) -> Result<String> {
    let mut out = String::new();
    for e in entries {
        let object = if show_secrets {
            e.object.clone()
        } else {
            crate::diff::redact_secret(&e.object)
        };
        let body =
            crate::yaml::to_string(&object).map_err(|e| anyhow::anyhow!("writing YAML: {e}"))?;
        out.push_str(&format!("---\n# Source: {}\n{body}", e.template));
    }
    Ok(out)
}

/// `NAME: ...` lines, Helm's `get metadata` layout.
fn metadata_text(m: &ops::ReleaseMetadata) -> String {
    let mut out = format!(
        "NAME: {}\nCHART: {}\nVERSION: {}\nAPP_VERSION: {}\nNAMESPACE: {}\nREVISION: {}\nSTATUS: {}\nDEPLOYED_AT: {}\n",
        m.name,
        m.chart,
        m.version,
        m.app_version.as_deref().unwrap_or(""),
        m.namespace,
        m.revision,
        m.status,
        m.deployed_at,
    );
    if let Some(p) = &m.post_renderer {
        out.push_str(&format!("POST_RENDERER: {p}\n"));
    }
    out
}

/// Everything in one document, for machines (`get all -o json|yaml`).
#[derive(serde::Serialize)]
struct All {
    metadata: ops::ReleaseMetadata,
    user_values: Value,
    values: Value,
    manifest: Vec<Value>,
    tests: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_test: Option<crate::release::TestRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
}

fn print_all(ui: &crate::ui::Ui, record: &Release, a: &GetAllArgs) -> Result<()> {
    let meta = ops::ReleaseMetadata::of(record, ui.scrubber());
    let user_values = shown_values(&record.user_values, record, a.show_secrets);
    let values = shown_values(&record.values, record, a.show_secrets);
    if a.output != OutputFormat::Table {
        let objects = |entries: &[ManifestEntry]| -> Vec<Value> {
            entries
                .iter()
                .map(|e| {
                    if a.show_secrets {
                        e.object.clone()
                    } else {
                        crate::diff::redact_secret(&e.object)
                    }
                })
                .collect()
        };
        let text = super::data_text(
            &All {
                metadata: meta,
                user_values,
                values,
                manifest: objects(&record.manifest),
                tests: objects(&record.tests),
                last_test: record.last_test.clone(),
                notes: record.notes.clone(),
            },
            a.output,
        )?;
        return super::print_shown(ui, &text, a.show_secrets);
    }
    let yaml =
        |v: &Value| crate::yaml::to_string(v).map_err(|e| anyhow::anyhow!("writing YAML: {e}"));
    let mut out = metadata_text(&meta);
    out.push_str(&format!(
        "TEST SUITE: {}\n",
        ops::test_suite_line(record.last_test.as_ref())
    ));
    out.push_str("USER-SUPPLIED VALUES:\n");
    out.push_str(&yaml(&user_values)?);
    out.push_str("\nCOMPUTED VALUES:\n");
    out.push_str(&yaml(&values)?);
    out.push_str("\nTESTS:\n");
    out.push_str(&manifest_text(&record.tests, a.show_secrets)?);
    out.push_str("\nMANIFEST:\n");
    out.push_str(&manifest_text(&record.manifest, a.show_secrets)?);
    if let Some(notes) = &record.notes {
        out.push_str("\nNOTES:\n");
        out.push_str(notes.trim_end());
        out.push('\n');
    }
    super::print_shown(ui, &out, a.show_secrets)
}
