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

pub fn run(args: &CompletionArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut super::command(), "todoctl", &mut out);
    Ok(ExitCode::SUCCESS)
}
