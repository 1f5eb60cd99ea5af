//! `todoctl rollback`: re-apply a stored revision.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{ApplyArgs, ReleaseArgs, WaitArgs};
use crate::ops;

/// Roll a release back to an earlier revision.
///
/// Re-applies the stored manifest of REVISION (default: the revision deployed before the
/// current one), deletes what that revision did not have, and records a new revision
/// "Rollback to N".
///
/// Examples:
///   todoctl rollback
///   todoctl rollback 2
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct RollbackArgs {
    /// The revision to return to (default: the previous deployed revision)
    pub revision: Option<u64>,
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

pub fn run(args: &RollbackArgs, g: &GlobalArgs) -> Result<ExitCode> {
    let opts = ops::RollbackOptions {
        release: args.release.release.clone(),
        namespace: args.release.namespace.clone(),
        revision: args.revision,
        wait: args.wait.budget(),
        dry_run: args.apply.dry_run,
        force_conflicts: args.apply.force_conflicts,
        adopt: args.apply.adopt,
        history_max: args.apply.history_max,
    };
    let progress = super::progress(g);
    let out = super::block_on(g, |client| async move {
        ops::rollback(client, &opts, &progress).await
    })?;
    println!(
        "release `{}` rolled back to revision {}: revision {} is {} ({} objects applied{}) in {:.1}s",
        out.release.name,
        out.target,
        out.release.revision,
        if args.apply.dry_run {
            "a dry run".to_string()
        } else {
            out.release.status.to_string()
        },
        out.report.applied,
        super::pruned_note(&out.report.pruned),
        out.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
