//! The command line: clap definitions and the translation of flags into `ops` calls.
//!
//! Each subcommand lives in its own file with its Args struct and a `run` function; nothing below
//! this module knows clap exists.

mod args;
mod completion;
mod diff;
mod get;
mod history;
mod install;
mod lint;
mod list;
mod rollback;
mod status;
mod template;
mod uninstall;
mod upgrade;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use args::{
    ApplyArgs, CapabilityArgs, ChartArgs, OutputFormat, ReleaseArgs, ValuesArgs, WaitArgs,
};

/// Deploys the Todo Chatbot (or any todoctl chart) to Kubernetes: renders templates with values,
/// shows what would change, applies in dependency order, waits until ready, and records every
/// revision for history and rollback.
#[derive(Debug, Parser)]
#[command(
    name = "todoctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Examples:\n  todoctl install\n  todoctl upgrade --set backend.replicaCount=4\n  todoctl rollback 2\n  todoctl history"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context)
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Never draw progress bars, even on a terminal
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Say more about what is happening (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Install(install::InstallArgs),
    Upgrade(upgrade::UpgradeArgs),
    Rollback(rollback::RollbackArgs),
    History(history::HistoryArgs),
    Status(status::StatusArgs),
    Uninstall(uninstall::UninstallArgs),
    List(list::ListArgs),
    Template(template::TemplateArgs),
    Lint(lint::LintArgs),
    Diff(diff::DiffArgs),
    #[command(subcommand)]
    Get(get::GetCommand),
    Completion(completion::CompletionArgs),
}

/// Runs the parsed command line; the exit code of a successful run (non-zero only for
/// `diff --detailed-exitcode`).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    match &cli.command {
        Command::Template(a) => template::run(a, g),
        Command::Lint(a) => lint::run(a, g),
        Command::Completion(a) => completion::run(a),
        Command::Install(a) => install::run(a, g),
        Command::Upgrade(a) => upgrade::run(a, g),
        Command::Rollback(a) => rollback::run(a, g),
        Command::History(a) => history::run(a, g),
        Command::Status(a) => status::run(a, g),
        Command::Uninstall(a) => uninstall::run(a, g),
        Command::List(a) => list::run(a, g),
        Command::Diff(a) => diff::run(a, g),
        Command::Get(c) => get::run(c, g),
    }
}

/// The clap command, for completions and docs.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Commands that act on a cluster resolve their connection first, so a missing kubeconfig is
/// reported as such before anything else happens.
fn needs_cluster(command: &str, g: &GlobalArgs) -> Result<ExitCode> {
    let source = crate::cluster::find_kubeconfig(g.kubeconfig.as_deref())?;
    anyhow::bail!(
        "`todoctl {command}` is not available in this build (it would use {source}); `todoctl template` and `todoctl lint` work without a cluster"
    )
}
