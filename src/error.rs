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

/// One cause as a sentence. kube's API errors display their whole Status as a Debug dump; show
/// the server's message, code and reason instead.
fn describe(cause: Option<&(dyn std::error::Error + 'static)>) -> String {
    let Some(cause) = cause else {
        return String::new();
    };
    match cause.downcast_ref::<kube::Error>() {
        Some(kube::Error::Api(status)) => {
            format!("{} ({} {})", status.message, status.code, status.reason)
        }
        _ => cause.to_string(),
    }
}

/// Prints `error: ...` with its causes on stderr and picks the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let mut msg = format!("error: {}", describe(err.chain().next()));
    for cause in err.chain().skip(1) {
        let text = describe(Some(cause));
        // kube repeats its inner error in its own message; say each thing once.
        if !msg.ends_with(&text) {
            msg.push_str(&format!("\n  caused by: {text}"));
        }
    }
    eprintln!("{}", crate::ui::redact::scrub(&msg));
    if err.chain().any(|c| {
        let t = c.to_string();
        t.contains("Connection refused")
            || t.contains("tcp connect error")
            || t.contains("cannot reach the API server")
            || t.contains("Connect")
            || t.contains("timed out")
    }) {
        let at = crate::cluster::server_url()
            .map(|u| format!(" at {}", u.trim_end_matches('/')))
            .unwrap_or_default();
        eprintln!(
            "hint: the API server{at} did not answer; check that the cluster is running and that --kubeconfig and --context point at it"
        );
    }
    let code = if err
        .chain()
        .any(|c| c.downcast_ref::<crate::cancel::Interrupted>().is_some())
    {
        crate::cancel::EXIT_INTERRUPTED
    } else if err
        .chain()
        .any(|c| c.downcast_ref::<crate::cancel::LockLost>().is_some())
    {
        exit::LOCKED
    } else {
        match err.chain().find_map(|c| c.downcast_ref::<Failure>()) {
            Some(Failure::Timeout(_)) => exit::TIMEOUT,
            Some(Failure::Locked(_)) => exit::LOCKED,
            None => exit::ERROR,
        }
    };
    ExitCode::from(code)
}
