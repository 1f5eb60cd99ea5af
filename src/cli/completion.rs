//! `todoctl completion SHELL`: shell completion scripts.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use clap_complete::Shell;

/// Print a shell completion script.
///
/// Examples:
///   todoctl completion bash > /etc/bash_completion.d/todoctl
///   todoctl completion zsh > "${fpath[1]}/_todoctl"
///   todoctl completion fish > ~/.config/fish/completions/todoctl.fish
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionArgs, env: &super::Env) -> Result<ExitCode> {
    // clap_complete panics when its writer fails; a buffer cannot, and a closed stdout is
    // handled once, in ui::out.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::command(), "todoctl", &mut script);
    env.ui.out(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
