//! `todoctl test`: run a release's tests (Helm's `helm test`).

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Args;

use super::args::{OutputFormat, ReleaseArgs, parse_duration};
use crate::ops;
use crate::ui::table;

/// Run the tests of a release against its deployed revision.
///
/// Tests are the chart's objects annotated `todoctl.io/test: "true"` (Pods and Jobs, with any
/// objects they need); install and upgrade record them but never apply them. `todoctl test`
/// applies them, waits until each passed or failed, prints the result of each, and deletes them
/// again unless --keep. It fails, naming each failed test and why, when one fails. Holds the
/// release lock while it runs; adds no revision, but records the run in the tested one
/// (`todoctl status` shows it).
///
/// Examples:
///   todoctl test
///   todoctl test --logs
///   todoctl test --keep --timeout 2m
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct TestArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// How long all tests together may run, e.g. 90s, 5m
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    /// Print the logs of the test pods
    #[arg(long)]
    pub logs: bool,
    /// Leave the test objects in the cluster afterwards, for a look (the next run replaces them)
    #[arg(long)]
    pub keep: bool,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &TestArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let opts = ops::TestOptions {
        release: args.release.release.clone(),
        namespace: args.release.namespace.clone(),
        timeout: args.timeout,
        logs: args.logs,
        keep: args.keep,
    };
    let report = env.with_context(|ctx| async move { ops::test(&ctx, &opts).await })?;
    if args.output != OutputFormat::Table {
        super::print_data(ui, &report, args.output)?;
    } else if report.results.is_empty() {
        crate::errln!(
            ui,
            "revision {} of release `{}` has no tests: its chart has no objects annotated `{}: \"true\"`",
            report.revision,
            report.release,
            ops::TEST_ANNOTATION
        );
    } else {
        crate::outln!(
            ui,
            "release `{}` revision {} in namespace `{}`:",
            report.release,
            report.revision,
            report.namespace
        )?;
        table::print(
            ui,
            &["TEST", "RESULT"],
            report.results.iter().map(|r| {
                let result = match &r.reason {
                    Some(why) => format!("{}: {why}", r.phase.as_str()),
                    None => r.phase.as_str().to_string(),
                };
                vec![r.test.clone(), result]
            }),
        )?;
        for r in report.failed().filter(|r| !r.details.is_empty()) {
            crate::outln!(ui, "\n{}:", r.test)?;
            for d in &r.details {
                crate::outln!(ui, "  {d}")?;
            }
        }
        for l in &report.logs {
            match (&l.log, &l.unavailable) {
                (Some(log), _) => {
                    crate::outln!(ui, "\nPOD LOGS: {} (container {})", l.pod, l.container)?;
                    crate::out!(ui, "{log}")?;
                    if !log.is_empty() && !log.ends_with('\n') {
                        crate::outln!(ui)?;
                    }
                }
                (None, Some(why)) => crate::outln!(
                    ui,
                    "\nPOD LOGS: {} (container {}): unavailable: {why}",
                    l.pod,
                    l.container
                )?,
                (None, None) => {}
            }
        }
        if report.kept {
            crate::outln!(
                ui,
                "\nthe test objects were kept (--keep); the next `todoctl test` replaces them"
            )?;
        }
    }
    let failed: Vec<_> = report.failed().collect();
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let names = failed
        .iter()
        .map(|r| match &r.reason {
            Some(why) => format!("{} ({}: {why})", r.test, r.phase.as_str()),
            None => format!("{} ({})", r.test, r.phase.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let hint = if report.kept {
        "the test objects were kept for a look"
    } else {
        "`todoctl test --logs` prints their logs, `--keep` leaves them for a look"
    };
    let message = format!(
        "{} of {} of release `{}` failed: {names}; {hint}",
        failed.len(),
        crate::ui::plural(report.results.len(), "test"),
        report.release
    );
    // Only timeouts: exit code 3, as for every wait that runs out.
    if failed.iter().all(|r| r.phase == ops::TestPhase::TimedOut) {
        return Err(crate::error::Failure::Timeout(format!(
            "{message}; raise --timeout if they need longer"
        ))
        .into());
    }
    Err(anyhow!(message))
}
