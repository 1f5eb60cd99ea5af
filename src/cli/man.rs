//! `todoctl generate-man DIR`: the manual pages, one per command, as roff (`todoctl.1`,
//! `todoctl-install.1`, `todoctl-get-values.1`, ...). Hidden: it is for packagers and for
//! `scripts/gen-completions`, which commits them under `man/`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

/// Write the manual pages of todoctl and each of its commands into DIR.
///
/// Examples:
///   todoctl generate-man man/
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// Directory to write the pages into (created when missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(args: &ManArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    clap_mangen::generate_to(super::command(), &args.dir)
        .with_context(|| format!("writing manual pages into {}", args.dir.display()))?;
    Ok(ExitCode::SUCCESS)
}
