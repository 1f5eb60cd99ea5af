//! `todoctl import helm`: bring a running Helm release under todoctl.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use super::args::{OutputFormat, ValuesArgs};
use crate::ops;
use crate::release::helm::Driver;

/// Bring a release another tool deployed under todoctl, without replacing a pod.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    Helm(HelmArgs),
}

/// Where Helm keeps its records (Helm's --helm-driver / HELM_DRIVER).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum HelmDriver {
    #[default]
    Secret,
    Configmap,
}

/// Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without
/// replacing a pod.
///
/// Every stored Helm revision becomes a todoctl revision of the same number (status, times,
/// chart, user-supplied values, notes, objects; Helm's hooks are left out), so `todoctl
/// history`, `get values`, `get manifest`, `diff --revision` and `rollback N` work on them.
/// The live objects get todoctl's ownership marks and Helm's field ownership (Helm 4's `helm`
/// Apply entries, Helm 3's `helm` Update entries); no field changes, so no pod is replaced.
/// Helm's records are first written to a backup file, then labelled `todoctl.io/imported-to`
/// (or deleted with --delete-helm-records). The first `todoctl upgrade` after the import
/// renders todoctl's chart with the imported values: --dry-run shows what it will change.
/// -f/--set map the Helm values onto todoctl's chart; they are recorded with the revision
/// the next upgrade starts from. See docs/migrating-from-helm.md.
///
/// Examples:
///   todoctl import helm todo-app-local -n todo-app --dry-run
///   todoctl import helm todo-app-local -n todo-app --set database.persistence.existingClaim=postgres-pvc
///   todoctl import helm todo-app-local -n todo-app --helm-driver configmap -o json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct HelmArgs {
    /// The Helm release to import
    #[arg(value_name = "HELM_RELEASE")]
    pub helm_release: String,
    /// Name of the todoctl release to create [default: HELM_RELEASE]
    #[arg(short = 'r', long = "release", value_name = "NAME")]
    pub release: Option<String>,
    /// Namespace of the Helm release; the todoctl release goes in the same one
    #[arg(
        short = 'n',
        long,
        default_value = "todo-app",
        value_name = "NAMESPACE"
    )]
    pub namespace: String,
    /// Where Helm keeps its records (Helm's --helm-driver)
    #[arg(long, value_enum, default_value_t, value_name = "DRIVER")]
    pub helm_driver: HelmDriver,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Show what would be imported and what the first upgrade would change; change nothing
    #[arg(long, num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "server", value_parser = super::args::parse_dry_run, value_name = "MODE")]
    pub dry_run: bool,
    /// Delete Helm's records after the import instead of labelling them (a backup is
    /// written first either way)
    #[arg(long)]
    pub delete_helm_records: bool,
    /// Directory for the backup of Helm's records (a file readable only by you: they hold
    /// the release's values)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub backup_dir: PathBuf,
    /// Output format of the report
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(cmd: &ImportCommand, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let ImportCommand::Helm(args) = cmd;
    let opts = ops::ImportOptions {
        helm_release: args.helm_release.clone(),
        release: args
            .release
            .clone()
            .unwrap_or_else(|| args.helm_release.clone()),
        namespace: args.namespace.clone(),
        driver: match args.helm_driver {
            HelmDriver::Secret => Driver::Secret,
            HelmDriver::Configmap => Driver::ConfigMap,
        },
        values: args.values.sources(),
        dry_run: args.dry_run,
        delete_helm_records: args.delete_helm_records,
        backup_dir: args.backup_dir.clone(),
    };
    let report = env.with_context(|ctx| async move { ops::import(&ctx, &opts).await })?;
    if args.output != OutputFormat::Table {
        super::print_data(ui, &report, args.output)?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = &report;
    if r.resumed && r.dry_run {
        crate::outln!(
            ui,
            "dry run: the import of Helm release `{}` as todoctl release `{}` in namespace `{}` stopped after recording {}; running it again without --dry-run finishes it; nothing was changed",
            r.helm_release,
            r.release,
            r.namespace,
            crate::ui::plural(r.revisions.len(), "revision")
        )?;
    } else if r.resumed {
        crate::outln!(
            ui,
            "finished the import of Helm release `{}` as todoctl release `{}` in namespace `{}`, which had stopped after recording {} ({:.1}s)",
            r.helm_release,
            r.release,
            r.namespace,
            crate::ui::plural(r.revisions.len(), "revision"),
            r.elapsed_seconds
        )?;
    } else if r.dry_run {
        crate::outln!(
            ui,
            "dry run: would import Helm release `{}` as todoctl release `{}` in namespace `{}`, {}; nothing was changed",
            r.helm_release,
            r.release,
            r.namespace,
            crate::ui::plural(r.revisions.len(), "revision")
        )?;
    } else {
        crate::outln!(
            ui,
            "imported Helm release `{}` as todoctl release `{}` in namespace `{}`, {} ({:.1}s)",
            r.helm_release,
            r.release,
            r.namespace,
            crate::ui::plural(r.revisions.len(), "revision"),
            r.elapsed_seconds
        )?;
    }
    for rev in &r.revisions {
        crate::outln!(
            ui,
            "  revision {:<4} {:<11} {:<20} {}",
            rev.revision,
            rev.status.as_str(),
            rev.chart,
            rev.description
        )?;
    }
    for o in &r.objects {
        let from = if o.from.is_empty() {
            String::new()
        } else {
            format!(" (fields of {})", o.from.join(", "))
        };
        crate::outln!(ui, "{} {}{from}", o.state, o.object)?;
    }
    super::print_kept(ui, &r.kept)?;
    if r.hooks_skipped > 0 {
        crate::outln!(
            ui,
            "{} Helm hook objects were not imported: todoctl does not run Helm hooks",
            r.hooks_skipped
        )?;
    }
    crate::outln!(
        ui,
        "Helm's {} {}{}",
        crate::ui::plural(r.helm_records.count, "record"),
        r.helm_records.action,
        r.helm_records
            .backup
            .as_ref()
            .map(|p| format!(" (backup: {})", p.display()))
            .unwrap_or_default()
    )?;
    if let Some(diff) = &r.diff {
        crate::outln!(
            ui,
            "\nwhat the first `todoctl upgrade` will change (Helm's last manifest against todoctl's chart):"
        )?;
        for o in diff
            .objects
            .iter()
            .filter(|o| o.action != crate::diff::Action::Unchanged)
        {
            let verb = match o.action {
                crate::diff::Action::Create => "create",
                crate::diff::Action::Update => "change",
                crate::diff::Action::Delete => "delete",
                crate::diff::Action::Unchanged => "unchanged",
            };
            crate::outln!(ui, "{verb} {}", o.object)?;
            crate::out!(ui, "{}", o.diff)?;
            if !o.diff.ends_with('\n') && !o.diff.is_empty() {
                crate::outln!(ui)?;
            }
        }
        crate::outln!(ui, "{}", diff.summary)?;
    }
    Ok(ExitCode::SUCCESS)
}
