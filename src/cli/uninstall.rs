//! `todoctl uninstall`: remove a release's objects.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use super::args::{ReleaseArgs, WaitArgs};

/// Delete every object of a release, in reverse dependency order, and wait until they are gone.
///
/// The release records are deleted too, unless --keep-history is given. The namespace stays.
///
/// Examples:
///   todoctl uninstall
///   todoctl uninstall --keep-history
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct UninstallArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Keep the release records (history) after deleting the objects
    #[arg(long)]
    pub keep_history: bool,
    /// Show what would be deleted, delete nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &UninstallArgs, g: &GlobalArgs) -> Result<ExitCode> {
    let _ = args;
    super::needs_cluster("uninstall", g)
}
