//! `todoctl rollback`: re-apply a stored revision.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{ApplyArgs, ReleaseArgs, WaitArgs};

/// Roll a release back to an earlier revision.
///
/// Re-applies the stored manifest of REVISION (default: the previous deployed revision),
/// deletes what that revision did not have, and records a new revision "rollback to N".
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
    let _ = args;
    super::needs_cluster("rollback", g)
}
