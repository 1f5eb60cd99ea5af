//! `todoctl unlock`: remove a release's lock by hand.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::args::ReleaseArgs;
use crate::cluster::lock;

/// Remove the lock of a release whose operation you know is gone.
///
/// A lock whose holder died expires by itself within its time to live (60 s by default), and
/// the next operation takes over; this is for the impatient. Asks for confirmation unless --yes.
///
/// Examples:
///   todoctl unlock
///   todoctl unlock --yes -r todo-app -n todo-app
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct UnlockArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
}

pub fn run(args: &UnlockArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let (ns, rel) = (args.release.namespace.clone(), args.release.release.clone());
    let holder = {
        let (ns, rel) = (ns.clone(), rel.clone());
        env.block_on(|ctx| async move { lock::holder(ctx.client(), &ns, &rel).await })?
    };
    let Some(holder) = holder else {
        crate::outln!(ui, "release `{rel}` in namespace `{ns}` is not locked")?;
        return Ok(ExitCode::SUCCESS);
    };
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "release `{rel}` is locked by `{}`; pass --yes to remove the lock without a prompt",
                holder.identity
            );
        }
        // A prompt: no line break, the answer follows on the same line.
        ui.err_fmt(format_args!(
            "release `{rel}` is locked by `{}`. Remove the lock? Only do this if that operation is gone [y/N] ",
            holder.identity
        ));
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("not unlocked");
        }
    }
    env.block_on(|ctx| async move { lock::force_unlock(ctx.client(), &ns, &rel).await })?;
    crate::outln!(ui, "removed the lock held by `{}`", holder.identity)?;
    Ok(ExitCode::SUCCESS)
}
