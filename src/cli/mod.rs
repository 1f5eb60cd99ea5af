//! The command line: clap definitions and the translation of flags into `ops` calls.
//!
//! Each subcommand lives in its own file with its Args struct and a `run` function; nothing below
//! this module knows clap exists.

mod args;
mod completion;
mod diff;
mod get;
mod hints;
mod history;
mod install;
mod lint;
mod list;
mod man;
mod rollback;
mod show;
mod status;
mod template;
mod test;
mod uninstall;
mod unlock;
mod upgrade;
mod version;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use args::{
    ApplyArgs, CapabilityArgs, ChartArgs, OutputFormat, PostRenderArgs, ReleaseArgs, ValuesArgs,
    WaitArgs,
};

/// Deploys the Todo Chatbot (or any todoctl chart) to Kubernetes: renders templates with values,
/// shows what would change, applies in dependency order, waits until ready, and records every
/// revision for history and rollback.
#[derive(Debug, Parser)]
// The version is the top-level `--version` (and `todoctl version`) only: on a subcommand Helm's
// `--version` picks a chart version, and printing ours there would look like a deploy.
#[command(name = "todoctl", version, max_term_width = 100)]
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
    #[command(visible_aliases = ["un", "del", "delete"])]
    Uninstall(uninstall::UninstallArgs),
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    Template(template::TemplateArgs),
    Lint(lint::LintArgs),
    Diff(diff::DiffArgs),
    #[command(subcommand)]
    Get(get::GetCommand),
    Unlock(unlock::UnlockArgs),
    #[command(subcommand)]
    Show(show::ShowCommand),
    Test(test::TestArgs),
    Version(version::VersionArgs),
    Completion(completion::CompletionArgs),
    #[command(hide = true)]
    GenerateMan(man::ManArgs),
}

/// Parses the process's arguments; a usage error names what to type instead of a Helm flag
/// todoctl does not have.
pub fn parse() -> Result<Cli, clap::Error> {
    <Cli as Parser>::try_parse().map_err(hints::with_helm_hint)
}

/// Runs the parsed command line; the exit code of a successful run (non-zero only for
/// `diff --detailed-exitcode`).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    crate::ui::set_verbosity(g.verbose);
    match &cli.command {
        Command::Template(a) => template::run(a, g),
        Command::Lint(a) => lint::run(a, g),
        Command::Completion(a) => completion::run(a),
        Command::GenerateMan(a) => man::run(a),
        Command::Install(a) => install::run(a, g),
        Command::Upgrade(a) => upgrade::run(a, g),
        Command::Rollback(a) => rollback::run(a, g),
        Command::History(a) => history::run(a, g),
        Command::Status(a) => status::run(a, g),
        Command::Uninstall(a) => uninstall::run(a, g),
        Command::List(a) => list::run(a, g),
        Command::Diff(a) => diff::run(a, g),
        Command::Get(c) => get::run(c, g),
        Command::Unlock(a) => unlock::run(a, g),
        Command::Show(c) => show::run(c),
        Command::Test(a) => test::run(a, g),
        Command::Version(a) => version::run(a, g),
    }
}

/// The clap command, for completions and docs.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Runs one cluster action that only reads, with a client; see [`with_context`].
fn block_on<T, F, Fut>(g: &GlobalArgs, f: F) -> Result<T>
where
    F: FnOnce(kube::Client) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    with_context(g, crate::context::Ui::quiet(), |ctx| f(ctx.client))
}

/// Runs one cluster action on a fresh runtime, with the context every operation receives: the
/// client, `ui`, a stop token that SIGINT and SIGTERM fire, and the system clock. The connection
/// is resolved first, so a missing kubeconfig is reported before anything else happens.
fn with_context<T, F, Fut>(g: &GlobalArgs, ui: crate::context::Ui, f: F) -> Result<T>
where
    F: FnOnce(crate::context::Context) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    crate::cluster::find_kubeconfig(g.kubeconfig.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))?;
    let conn = crate::cluster::Connection {
        kubeconfig: g.kubeconfig.clone(),
        context: g.context.clone(),
    };
    runtime.block_on(async move {
        let client = crate::cluster::connect(&conn).await?;
        let ctx = crate::context::Context::new(client, ui);
        ctx.stop.install_handlers(&ctx.ui);
        f(ctx).await
    })
}

fn progress(g: &GlobalArgs) -> crate::ui::progress::Progress {
    crate::ui::progress::Progress::new(!g.no_progress && crate::ui::stderr_is_terminal())
}

/// The UI of a command that shows progress.
fn ui(g: &GlobalArgs) -> crate::context::Ui {
    crate::context::Ui::new(progress(g))
}

/// Data output for -o json and -o yaml.
fn print_data<T: serde::Serialize>(data: &T, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => crate::outln!("{}", serde_json::to_string_pretty(data)?),
        _ => crate::out!(
            "{}",
            crate::yaml::to_string(data).map_err(|e| anyhow::anyhow!("writing YAML: {e}"))?
        ),
    }
}

/// Objects a prune or an uninstall left in place, one line each with the reason.
fn print_kept(kept: &[crate::ops::Kept]) -> Result<()> {
    for k in kept {
        crate::outln!("kept {}: {}", k.object, k.reason)?;
    }
    Ok(())
}

fn pruned_note(pruned: &[String]) -> String {
    if pruned.is_empty() {
        String::new()
    } else {
        format!(", {} deleted: {}", pruned.len(), pruned.join(", "))
    }
}

fn change_options(
    release: &ReleaseArgs,
    chart: &ChartArgs,
    values: &ValuesArgs,
    wait: &WaitArgs,
    apply: &ApplyArgs,
    post: &PostRenderArgs,
    mode: crate::ops::ChangeMode,
) -> crate::ops::ChangeOptions {
    crate::ops::ChangeOptions {
        release: release.release.clone(),
        namespace: release.namespace.clone(),
        chart_dir: chart.chart.clone(),
        values: values.sources(),
        mode,
        reset_values: false,
        wait: wait.budget(),
        dry_run: apply.dry_run,
        atomic: apply.atomic,
        force_conflicts: apply.force_conflicts,
        adopt: apply.adopt,
        history_max: apply.history_max,
        keep: apply.keep(),
        post_renderer: post.renderer(),
    }
}

/// install and upgrade print the same summary and notes.
fn run_change(opts: crate::ops::ChangeOptions, g: &GlobalArgs) -> Result<ExitCode> {
    let out = {
        let opts = opts.clone();
        with_context(g, ui(g), |ctx| async move {
            crate::ops::change(&ctx, &opts).await
        })?
    };
    let r = &out.release;
    if out.dry_run {
        crate::outln!(
            "dry run: release `{}` revision {} would apply {} objects in namespace `{}`; nothing was changed or recorded",
            r.name,
            r.revision,
            r.manifest.len(),
            r.namespace
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "release `{}` revision {} {} in namespace `{}`: {} objects applied in {} wave{}{}{} ({:.1}s)",
        r.name,
        r.revision,
        r.status,
        r.namespace,
        out.report.applied,
        out.report.waves,
        if out.report.waves == 1 { "" } else { "s" },
        if opts.wait.is_some() {
            ", all ready"
        } else {
            ", not waited for"
        },
        pruned_note(&out.report.pruned),
        out.elapsed.as_secs_f64()
    )?;
    print_kept(&out.report.kept)?;
    if let Some(notes) = &r.notes {
        crate::outln!(
            "
NOTES:
{}",
            notes.trim_end()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
