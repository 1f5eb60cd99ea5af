//! Helm flags that todoctl does not have, and what to type instead.
//!
//! clap's own "a similar argument exists" guess is wrong for these (`--wait` suggests
//! `--no-wait`, the opposite), and `--version` on a subcommand must not look like success: in
//! Helm it picks a chart version, so a script would think it deployed one.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// Helm's `--version` (and `-V`) on a subcommand picks a chart version.
const CHART_VERSION: &str = "todoctl does not pick chart versions by flag: the chart is the one given with --chart DIR (or the CHART argument), else the todo-app chart built into todoctl; `todoctl --version` prints todoctl's own version";

/// (the flag as typed, what to do instead). Matched on the flag's name, without a `=value`.
const HELM_FLAGS: &[(&str, &str)] = &[
    ("--version", CHART_VERSION),
    ("-V", CHART_VERSION),
    (
        "--wait",
        "todoctl waits for readiness by default; --no-wait turns waiting off and --timeout sets how long to wait",
    ),
    (
        "--create-namespace",
        "install (and upgrade --install when it installs) creates the namespace when it is missing; no flag is needed",
    ),
    (
        "--reuse-values",
        "upgrade reuses the previous revision's values by default; --reset-values starts again from the chart defaults",
    ),
    ("--debug", "use -v (repeat it, -vv, for more) to say more"),
    (
        "--description",
        "todoctl writes each revision's description itself (`Install complete`, `Rollback to 2`, the error of a failed one); `todoctl history` shows them",
    ),
    (
        "--cleanup-on-fail",
        "a refused install or upgrade changes nothing, and --atomic rolls a failed one back (a failed install is uninstalled)",
    ),
    (
        "--wait-for-jobs",
        "todoctl waits for the revision's Jobs to complete by default, as for every other object; --no-wait turns waiting off",
    ),
    (
        "--skip-crds",
        "todoctl applies the chart's CustomResourceDefinitions like its other objects, first; leave them out of the chart or values to skip them (--prune-crds is about deleting ones a revision drops)",
    ),
    (
        "--force",
        "todoctl applies server-side: --force-conflicts takes over fields another manager owns; an object whose immutable field changed is deleted by you (`kubectl delete`) and created again by the next upgrade",
    ),
    (
        "--server-side",
        "todoctl always applies server-side; no flag is needed",
    ),
];

/// What to type instead of a Helm flag todoctl does not have, for the flag as typed
/// (`--wait`, `--version=1.2.3`); `None` for any other argument.
pub fn helm_flag_hint(arg: &str) -> Option<&'static str> {
    let name = arg.split_once('=').map_or(arg, |(name, _)| name);
    HELM_FLAGS
        .iter()
        .find(|(flag, _)| *flag == name)
        .map(|(_, hint)| *hint)
}

/// A clap error about an unknown Helm flag, with clap's guesses replaced by the hint; any other
/// error unchanged. The argument is read from the error's context, not its text.
pub fn with_helm_hint(mut err: clap::Error) -> clap::Error {
    if err.kind() != ErrorKind::UnknownArgument {
        return err;
    }
    let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg) else {
        return err;
    };
    let Some(hint) = helm_flag_hint(arg) else {
        return err;
    };
    // The usage clap shows with a guess is built around the guessed flag.
    for guess in [
        ContextKind::Usage,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
        ContextKind::Suggested,
    ] {
        err.remove(guess);
    }
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![hint.to_string().into()]),
    );
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_flag_name_with_or_without_a_value() {
        assert!(helm_flag_hint("--version").is_some());
        assert!(helm_flag_hint("--version=1.0.0").is_some());
        assert!(helm_flag_hint("-V").is_some());
        assert!(helm_flag_hint("--wait=false").is_some());
        assert!(helm_flag_hint("--no-wait").is_none());
        assert!(helm_flag_hint("--verbose").is_none());
    }
}
