//! Errors callers branch on, and the one place that turns an error into a message and an exit
//! code.

use std::process::ExitCode;

/// Exit codes, documented in the README.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    pub const ERROR: u8 = 1;
    /// `diff --detailed-exitcode`: there are changes.
    pub const CHANGES: u8 = 2;
    pub const TIMEOUT: u8 = 3;
    pub const LOCKED: u8 = 4;
}

/// Failures with their own exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Objects did not become ready in time.
    #[error("{0}")]
    Timeout(String),
    /// Another operation holds the release lock.
    #[error("{0}")]
    Locked(String),
}

/// Prints `error: ...` with its causes on stderr and picks the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let mut msg = format!("error: {err}");
    for cause in err.chain().skip(1) {
        msg.push_str(&format!("\n  caused by: {cause}"));
    }
    eprintln!("{}", crate::ui::redact::scrub(&msg));
    if err.chain().any(|c| {
        let t = c.to_string();
        t.contains("Connection refused")
            || t.contains("tcp connect error")
            || t.contains("cannot reach the API server")
    }) {
        eprintln!(
            "hint: the API server did not answer; check that the cluster is running and that --kubeconfig and --context point at it"
        );
    }
    let code = if err
        .chain()
        .any(|c| c.downcast_ref::<crate::cancel::Interrupted>().is_some())
    {
        crate::cancel::EXIT_INTERRUPTED
    } else {
        match err.downcast_ref::<Failure>() {
            Some(Failure::Timeout(_)) => exit::TIMEOUT,
            Some(Failure::Locked(_)) => exit::LOCKED,
            None => exit::ERROR,
        }
    };
    ExitCode::from(code)
}
