//! `todoctl uninstall`: remove a release's objects.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{ReleaseArgs, WaitArgs};
use crate::ops;
use crate::ui::plural;

/// Delete every object of a release, in reverse dependency order, and wait until they are gone.
///
/// The release records are deleted too, unless --keep-history is given. The namespace stays.
///
/// Some objects are kept, and the output names each with the reason:
///   CustomResourceDefinitions (deleting one deletes every object of its kind in the
///     whole cluster), unless --delete-crds is given;
///   PersistentVolumeClaims (they hold data), unless --delete-pvcs is given;
///   the claims a StatefulSet made from its volumeClaimTemplates (not objects of the
///     release: Kubernetes keeps them unless the StatefulSet's
///     persistentVolumeClaimRetentionPolicy.whenDeleted is Delete), whatever the flags;
///   objects annotated `todoctl.io/keep: "true"` or `helm.sh/resource-policy: keep`, always.
///
/// Examples:
///   todoctl uninstall
///   todoctl uninstall todo-app -n staging
///   todoctl uninstall --keep-history
///   todoctl uninstall --delete-pvcs
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(mut_arg("namespace", |a| a.help("Namespace of the release and its objects (never created: a missing one means the release is not found)")))]
pub struct UninstallArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Keep the release records (history) after deleting the objects
    #[arg(long)]
    pub keep_history: bool,
    /// Show what would be deleted, delete nothing
    #[arg(long, num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "server", value_parser = super::args::parse_dry_run, value_name = "MODE")]
    pub dry_run: bool,
    /// Delete the release's CustomResourceDefinitions too, and with them every object of
    /// their kinds in the cluster
    #[arg(long)]
    pub delete_crds: bool,
    /// Delete the release's PersistentVolumeClaims too, and with them the data of volumes
    /// whose reclaim policy is Delete
    #[arg(long)]
    pub delete_pvcs: bool,
}

pub fn run(args: &UninstallArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let opts = ops::UninstallOptions {
        release: args.release.release.clone(),
        namespace: args.release.namespace.clone(),
        wait: args.wait.budget(),
        keep_history: args.keep_history,
        dry_run: args.dry_run,
        keep: ops::KeepRules {
            delete_crds: args.delete_crds,
            delete_pvcs: args.delete_pvcs,
        },
    };
    let out = env.with_context(|ctx| async move { ops::uninstall(&ctx, &opts).await })?;
    if args.dry_run {
        crate::outln!(ui, "would delete {}:", plural(out.deleted.len(), "object"))?;
        for d in &out.deleted {
            crate::outln!(ui, "  {d}")?;
        }
        if !out.kept.is_empty() {
            crate::outln!(ui, "would keep {}:", plural(out.kept.len(), "object"))?;
            for k in &out.kept {
                crate::outln!(ui, "  {}: {}", k.object, k.reason)?;
            }
        }
    } else {
        crate::outln!(
            ui,
            "release `{}` uninstalled: {} deleted in {:.1}s{}",
            args.release.release,
            plural(out.deleted.len(), "object"),
            out.elapsed.as_secs_f64(),
            if out.kept_history {
                "; its history is kept"
            } else {
                ""
            }
        )?;
        super::print_kept(ui, &out.kept)?;
    }
    Ok(ExitCode::SUCCESS)
}
