//! `todoctl rollback`: re-apply a stored revision.

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Args;

use super::args::{ApplyArgs, ReleaseArgs, ReleaseFlags, WaitArgs};
use crate::ops;

/// Roll a release back to an earlier revision.
///
/// Re-applies the stored manifest of REVISION (default: the revision deployed before the
/// current one), deletes what that revision did not have, and records a new revision
/// "Rollback to N". As in Helm, the release comes first; a lone number is a revision of the
/// release given by -r (default: todo-app).
///
/// Examples:
///   todoctl rollback
///   todoctl rollback 2
///   todoctl rollback todo-app 2
///   todoctl rollback -r todo-app -n staging 3
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(mut_arg("namespace", |a| a.help("Namespace of the release and its objects (never created: a missing one means the release is not found)")))]
pub struct RollbackArgs {
    /// Release name [default: todo-app]; a lone number is the REVISION
    #[arg(value_name = "RELEASE")]
    pub first: Option<String>,
    /// The revision to return to (default, or 0 as in Helm: the previous deployed revision)
    #[arg(value_name = "REVISION")]
    pub revision: Option<String>,
    #[command(flatten)]
    pub release: ReleaseFlags,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

impl RollbackArgs {
    /// (release, revision) from `[RELEASE] [REVISION]` and -r: `rollback 2` is revision 2 of
    /// the default release, `rollback todo-app 2` and `rollback todo-app` name the release.
    /// Revision 0 is the previous deployed revision, as in `helm rollback RELEASE 0`.
    pub fn target(&self) -> Result<(ReleaseArgs, Option<u64>)> {
        let revision = |s: &str| match s.parse::<u64>() {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(anyhow!(
                "revision `{s}` is not a revision number; `todoctl history` lists the revisions"
            )),
        };
        match (self.first.as_deref(), self.revision.as_deref()) {
            (Some(n), None) if n.bytes().all(|b| b.is_ascii_digit()) => {
                Ok((self.release.resolve(None)?, revision(n)?))
            }
            (name, rev) => Ok((
                self.release.resolve(name)?,
                rev.map(revision).transpose()?.flatten(),
            )),
        }
    }
}

pub fn run(args: &RollbackArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let (release, revision) = args.target()?;
    let opts = ops::RollbackOptions {
        release: release.release,
        namespace: release.namespace,
        revision,
        wait: args.wait.budget(),
        dry_run: args.apply.dry_run,
        force_conflicts: args.apply.force_conflicts,
        adopt: args.apply.adopt,
        history_max: args.apply.history_max,
        keep: args.apply.keep(),
    };
    let out = env.with_context(|ctx| async move { ops::rollback(&ctx, &opts).await })?;
    if args.apply.dry_run {
        crate::outln!(
            ui,
            "dry run: release `{}` would roll back to revision {} as revision {}; the API server accepted its {}{}; nothing was changed or recorded",
            out.release.name,
            out.target,
            out.release.revision,
            crate::ui::plural(out.report.applied, "object"),
            super::would_delete_note(" and the deletion of ", &out.report.pruned),
        )?;
        super::print_would_keep(ui, &out.report.kept)?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        ui,
        "release `{}` rolled back to revision {}: revision {} is {} ({}{}) in {:.1}s",
        out.release.name,
        out.target,
        out.release.revision,
        out.release.status,
        super::applied_note(&out.report),
        super::pruned_note(&out.report.pruned),
        out.elapsed.as_secs_f64()
    )?;
    super::print_kept(ui, &out.report.kept)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn target(args: &[&str]) -> Result<(String, Option<u64>), String> {
        let cli = Cli::try_parse_from(["todoctl", "rollback"].iter().chain(args))
            .map_err(|e| e.to_string())?;
        let Command::Rollback(a) = cli.command else {
            unreachable!("parsed as rollback")
        };
        a.target()
            .map(|(r, rev)| (r.release, rev))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_lone_number_is_a_revision_and_a_name_comes_first() {
        let t = |args: &[&str]| target(args).expect("accepted");
        assert_eq!(t(&[]), ("todo-app".into(), None));
        assert_eq!(t(&["2"]), ("todo-app".into(), Some(2)));
        assert_eq!(t(&["2", "-r", "shop"]), ("shop".into(), Some(2)));
        assert_eq!(t(&["shop"]), ("shop".into(), None));
        assert_eq!(t(&["shop", "3"]), ("shop".into(), Some(3)));
        assert_eq!(t(&["shop", "3", "-r", "shop"]), ("shop".into(), Some(3)));
        assert_eq!(t(&["-r", "shop"]), ("shop".into(), None));
        // Helm's 0: the previous deployed revision.
        assert_eq!(t(&["0"]), ("todo-app".into(), None));
        assert_eq!(t(&["shop", "0"]), ("shop".into(), None));
    }

    #[test]
    fn contradictions_and_non_numbers_are_refused() {
        let e = target(&["shop", "3", "-r", "cart"]).expect_err("two names");
        assert!(e.contains("`shop`") && e.contains("`cart`"), "{e}");
        let e = target(&["shop", "three"]).expect_err("not a number");
        assert!(e.contains("revision `three`"), "{e}");
    }
}
