//! `todoctl get values|manifest|notes`: what a revision recorded.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::GlobalArgs;
use super::args::{OutputFormat, ReleaseArgs};
use crate::ops;

/// Show what a release revision recorded.
#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// The values the user supplied (--all: merged with the chart defaults)
    ///
    /// Examples:
    ///   todoctl get values
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

pub fn run(cmd: &GetCommand, g: &GlobalArgs) -> Result<ExitCode> {
    let args = match cmd {
        GetCommand::Values(v) => &v.get,
        GetCommand::Manifest(m) => &m.get,
        GetCommand::Notes(a) => a,
    };
    let (ns, rel, rev) = (
        args.release.namespace.clone(),
        args.release.release.clone(),
        args.revision,
    );
    let record = super::block_on(g, |client| async move {
        ops::record(client, &ns, &rel, rev).await
    })?;
    match cmd {
        GetCommand::Values(v) => {
            let values = if v.all {
                &record.values
            } else {
                &record.user_values
            };
            let values = if v.show_secrets {
                values.clone()
            } else {
                crate::diff::redact_values(values, &record.secret_paths)
            };
            let format = if v.output == OutputFormat::Table {
                OutputFormat::Yaml
            } else {
                v.output
            };
            super::print_data(&values, format)?;
        }
        GetCommand::Manifest(m) => {
            for e in &record.manifest {
                let object = if m.show_secrets {
                    e.object.clone()
                } else {
                    crate::diff::redact_secret(&e.object)
                };
                let body = crate::yaml::to_string(&object)
                    .map_err(|e| anyhow::anyhow!("writing YAML: {e}"))?;
                print!("---\n# Source: {}\n{body}", e.template);
            }
        }
        GetCommand::Notes(_) => match &record.notes {
            Some(n) => print!("{n}"),
            None => eprintln!("revision {} has no notes", record.revision),
        },
    }
    Ok(ExitCode::SUCCESS)
}
