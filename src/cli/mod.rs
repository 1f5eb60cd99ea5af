//! The command line: clap definitions and the translation of flags into `ops` calls.
//!
//! Each subcommand lives in its own file with its Args struct and a `run` function; nothing below
//! this module knows clap exists.

mod apply;
mod args;
mod completion;
mod diff;
mod get;
mod hints;
mod history;
mod import;
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
    Apply(apply::ApplyPlanArgs),
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
    #[command(subcommand)]
    Import(import::ImportCommand),
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
    <Cli as Parser>::try_parse_from(hoist_namespace(std::env::args_os().collect()))
        .map_err(hints::with_helm_hint)
}

/// Helm's `-n` is a global flag, so Helm users type it before the command (`helm -n shop
/// list`); todoctl's is each command's own. `-n NAME`, `-nNAME`, `--namespace NAME` and
/// `--namespace=NAME` before the command move to the end of the arguments (before a `--`),
/// where the command reads them. Everything else stays as typed.
fn hoist_namespace(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use std::ffi::OsString;
    // Built only when a flag comes before the command, which most command lines do not have.
    let takes_value = std::cell::OnceCell::new();
    let mut out: Vec<OsString> = Vec::with_capacity(args.len());
    let mut moved: Vec<OsString> = Vec::new();
    let mut rest = args.into_iter();
    if let Some(program) = rest.next() {
        out.push(program);
    }
    // Up to the command: global flags, some of which take a value.
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy().into_owned();
        match text.as_str() {
            "-n" | "--namespace" => {
                moved.push(arg);
                moved.extend(rest.next());
            }
            _ if text.starts_with("--namespace=") || (text.starts_with("-n") && text.len() > 2) => {
                moved.push(arg);
            }
            _ if takes_value
                .get_or_init(global_flags_with_value)
                .contains(&text) =>
            {
                out.push(arg);
                out.extend(rest.next());
            }
            _ if text.starts_with('-') && text != "-" && text != "--" => out.push(arg),
            _ => {
                // The command: what follows is its own.
                out.push(arg);
                break;
            }
        }
    }
    let mut tail: Vec<OsString> = rest.collect();
    let at = tail.iter().position(|a| a == "--").unwrap_or(tail.len());
    tail.splice(at..at, moved);
    out.extend(tail);
    out
}

/// `--kubeconfig` and the other global flags that take a value, read from their definition.
fn global_flags_with_value() -> Vec<String> {
    <Cli as clap::CommandFactory>::command()
        .get_arguments()
        .filter(|a| a.is_global_set() && a.get_action().takes_values())
        .filter_map(|a| a.get_long().map(|long| format!("--{long}")))
        .collect()
}

/// Runs the parsed command line and reports its error, if any, through the run's UI (so
/// scrubbed of every secret the command saw); the exit code (non-zero for an error, and for
/// `diff --detailed-exitcode` with changes).
pub fn run(cli: Cli) -> ExitCode {
    crate::manifest::init_threads();
    let env = Env::new(cli.global);
    match dispatch(&cli.command, &env) {
        Ok(code) => code,
        Err(err) => crate::error::report(&env.ui, env.server.get().map(String::as_str), &err),
    }
}

fn dispatch(command: &Command, env: &Env) -> Result<ExitCode> {
    match command {
        Command::Template(a) => template::run(a, env),
        Command::Lint(a) => lint::run(a, env),
        Command::Completion(a) => completion::run(a, env),
        Command::GenerateMan(a) => man::run(a),
        Command::Install(a) => install::run(a, env),
        Command::Upgrade(a) => upgrade::run(a, env),
        Command::Apply(a) => apply::run(a, env),
        Command::Rollback(a) => rollback::run(a, env),
        Command::History(a) => history::run(a, env),
        Command::Status(a) => status::run(a, env),
        Command::Uninstall(a) => uninstall::run(a, env),
        Command::List(a) => list::run(a, env),
        Command::Diff(a) => diff::run(a, env),
        Command::Get(c) => get::run(c, env),
        Command::Import(c) => import::run(c, env),
        Command::Unlock(a) => unlock::run(a, env),
        Command::Show(c) => show::run(c, env),
        Command::Test(a) => test::run(a, env),
        Command::Version(a) => version::run(a, env),
    }
}

/// What every command of one run receives (jj's `CommandHelper` and `Ui`): the global flags,
/// the UI it prints through, and, once a command has connected, the API server's URL, which
/// the hint of an "API server did not answer" error names.
pub struct Env {
    pub global: GlobalArgs,
    /// Stdout data and stderr status, scrubbed; no progress lines (see [`Env::with_context`]).
    pub ui: crate::ui::Ui,
    server: std::sync::OnceLock<String>,
}

impl Env {
    pub fn new(global: GlobalArgs) -> Env {
        Env {
            ui: crate::ui::Ui::new(global.verbose),
            global,
            server: std::sync::OnceLock::new(),
        }
    }

    /// How to reach the cluster, from --kubeconfig and --context.
    pub fn connection(&self) -> crate::cluster::Connection {
        crate::cluster::Connection {
            kubeconfig: self.global.kubeconfig.clone(),
            context: self.global.context.clone(),
        }
    }

    /// Runs one cluster action that only reads: [`with_context`](Self::with_context) without
    /// progress lines.
    fn block_on<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnOnce(crate::context::Context) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        self.run_with(self.ui.clone(), f)
    }

    /// Runs one cluster action on a fresh runtime, with the context every operation receives:
    /// the cluster connection, the UI with progress lines (unless --no-progress), a stop token
    /// that SIGINT and SIGTERM fire, and the system clock. The connection is resolved first, so
    /// a missing kubeconfig is reported before anything else happens.
    fn with_context<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnOnce(crate::context::Context) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        self.run_with(self.ui.with_progress(!self.global.no_progress), f)
    }

    /// The async runtime a command runs on: two worker threads, so the signal handler and the
    /// lock's renewal run beside an operation that keeps one busy.
    pub fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))
    }

    fn run_with<T, F, Fut>(&self, ui: crate::ui::Ui, f: F) -> Result<T>
    where
        F: FnOnce(crate::context::Context) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let runtime = Env::runtime()?;
        let conn = self.connection();
        runtime.block_on(async move {
            let cluster = crate::cluster::connect(&conn, &ui).await?;
            let _ = self.server.set(cluster.server_url().to_string());
            let ctx = crate::context::Context::new(cluster, ui);
            ctx.stop.install_handlers(&ctx.ui);
            f(ctx).await
        })
    }
}

/// The clap command, for completions and docs.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Data output for -o json and -o yaml.
fn print_data<T: serde::Serialize>(
    ui: &crate::ui::Ui,
    data: &T,
    format: OutputFormat,
) -> Result<()> {
    ui.out(&data_text(data, format)?)
}

/// `data` as -o json (with a final newline) or -o yaml prints it.
fn data_text<T: serde::Serialize>(data: &T, format: OutputFormat) -> Result<String> {
    Ok(match format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(data)?),
        _ => crate::yaml::to_string(data).map_err(|e| anyhow::anyhow!("writing YAML: {e}"))?,
    })
}

/// Data on stdout, scrubbed of remembered secrets unless the user asked to see them
/// (`--show-secrets`).
fn print_shown(ui: &crate::ui::Ui, text: &str, show_secrets: bool) -> Result<()> {
    if show_secrets {
        ui.out_with_secrets(text)
    } else {
        ui.out(text)
    }
}

/// Objects a prune or an uninstall left in place, one line each with the reason.
fn print_kept(ui: &crate::ui::Ui, kept: &[crate::ops::Kept]) -> Result<()> {
    for k in kept {
        crate::outln!(ui, "kept {}: {}", k.object, k.reason)?;
    }
    Ok(())
}

/// What a dry run would keep of the objects the revision lacks, and why.
fn print_would_keep(ui: &crate::ui::Ui, kept: &[crate::ops::Kept]) -> Result<()> {
    for k in kept {
        crate::outln!(ui, "would keep {}: {}", k.object, k.reason)?;
    }
    Ok(())
}

/// `{lead}2 (configmap/a, secret/b)`, e.g. ` and delete 2 (...)`: what a dry run's prune would
/// delete, or nothing.
fn would_delete_note(lead: &str, pruned: &[String]) -> String {
    if pruned.is_empty() {
        String::new()
    } else {
        format!("{lead}{} ({})", pruned.len(), pruned.join(", "))
    }
}

/// `3 objects applied`, or `3 objects applied and 5 unchanged` when the deploy left objects
/// unchanged since the last revision alone.
fn applied_note(report: &crate::ops::DeployReport) -> String {
    let applied = format!("{} applied", crate::ui::plural(report.applied, "object"));
    match report.unchanged {
        0 => applied,
        n => format!("{applied} and {n} unchanged"),
    }
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
fn run_change(opts: crate::ops::ChangeOptions, env: &Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let out = {
        let opts = opts.clone();
        env.with_context(|ctx| async move { crate::ops::change(&ctx, &opts).await })?
    };
    let r = &out.release;
    if out.dry_run {
        crate::outln!(
            ui,
            "dry run: release `{}` revision {} would apply {}{} in namespace `{}`; nothing was changed or recorded",
            r.name,
            r.revision,
            crate::ui::plural(r.manifest.len(), "object"),
            would_delete_note(" and delete ", &out.report.pruned),
            r.namespace
        )?;
        print_would_keep(ui, &out.report.kept)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_change(ui, &out, opts.wait.is_some())?;
    Ok(ExitCode::SUCCESS)
}

/// The summary of a revision that ran (install, upgrade, apply of a plan), its kept objects and
/// its notes; `waited`: whether readiness was waited for.
fn print_change(ui: &crate::ui::Ui, out: &crate::ops::ChangeOutcome, waited: bool) -> Result<()> {
    let r = &out.release;
    crate::outln!(
        ui,
        "release `{}` revision {} {} in namespace `{}`: {} in {}{}{} ({:.1}s)",
        r.name,
        r.revision,
        r.status,
        r.namespace,
        applied_note(&out.report),
        crate::ui::plural(out.report.waves, "wave"),
        if waited {
            ", all ready"
        } else {
            ", not waited for"
        },
        pruned_note(&out.report.pruned),
        out.elapsed.as_secs_f64()
    )?;
    print_kept(ui, &out.report.kept)?;
    if let Some(notes) = &r.notes {
        crate::outln!(
            ui,
            "
NOTES:
{}",
            notes.trim_end()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_before_the_command_moves_after_it() {
        let args = |line: &str| -> Vec<String> {
            hoist_namespace(line.split(' ').map(Into::into).collect())
                .into_iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            args("todoctl -n shop list"),
            ["todoctl", "list", "-n", "shop"]
        );
        assert_eq!(
            args("todoctl --namespace=shop --context c get values -o json"),
            [
                "todoctl",
                "--context",
                "c",
                "get",
                "values",
                "-o",
                "json",
                "--namespace=shop"
            ]
        );
        assert_eq!(
            args("todoctl -nshop upgrade --post-renderer x -- -n"),
            [
                "todoctl",
                "upgrade",
                "--post-renderer",
                "x",
                "-nshop",
                "--",
                "-n"
            ]
        );
        // After the command, and without one, nothing moves.
        assert_eq!(
            args("todoctl list -n shop"),
            ["todoctl", "list", "-n", "shop"]
        );
        assert_eq!(
            args("todoctl --kubeconfig -n"),
            ["todoctl", "--kubeconfig", "-n"]
        );
    }
}
