//! Interruption: SIGINT and SIGTERM ask the running operation to stop at the next safe point
//! (between objects, or while waiting), record its revision as failed and release its lock.
//! A second signal exits at once; the lock then expires by itself.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

static CANCELLED: AtomicBool = AtomicBool::new(false);
static NOTIFY: Notify = Notify::const_new();

/// Exit code after an interruption (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, thiserror::Error)]
#[error(
    "interrupted by {0}: stopped before finishing; the revision is recorded as failed and the lock released"
)]
pub struct Interrupted(pub &'static str);

static SIGNAL: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Starts listening for SIGINT and SIGTERM on the current runtime.
pub fn install_handlers() {
    tokio::spawn(async {
        let first = wait_for_signal().await;
        let _ = SIGNAL.set(first);
        CANCELLED.store(true, Ordering::SeqCst);
        NOTIFY.notify_waiters();
        eprintln!(
            "{first} received: stopping at the next safe point (send it again to exit at once)"
        );
        let second = wait_for_signal().await;
        eprintln!("{second} received again: exiting now; the release lock expires by itself");
        std::process::exit(EXIT_INTERRUPTED.into());
    });
}

async fn wait_for_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            std::future::pending::<()>().await;
            unreachable!()
        };
        tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

pub fn is_cancelled() -> bool {
    CANCELLED.load(Ordering::SeqCst)
}

/// `Err(Interrupted)` once a signal arrived.
pub fn check() -> anyhow::Result<()> {
    if is_cancelled() {
        return Err(Interrupted(SIGNAL.get().copied().unwrap_or("a signal")).into());
    }
    Ok(())
}

/// Resolves when a signal arrives (at once if one already has).
pub async fn cancelled() -> Interrupted {
    loop {
        let notified = NOTIFY.notified();
        if is_cancelled() {
            return Interrupted(SIGNAL.get().copied().unwrap_or("a signal"));
        }
        notified.await;
    }
}

/// Fault-injection hook for the interruption tests: with `TODOCTL_TEST_PAUSE_AT=<phase>` in the
/// environment, the operation prints `paused at <phase>` on stderr when it reaches that phase and
/// waits there until killed or interrupted, or for `TODOCTL_TEST_PAUSE_SECS` seconds when that
/// is set. Phases: `locked`, `recorded`, `applying`, `waiting`, `finished`. Without the variable
/// this does nothing.
pub async fn test_pause(phase: &str) {
    if std::env::var("TODOCTL_TEST_PAUSE_AT").ok().as_deref() != Some(phase) {
        return;
    }
    eprintln!("paused at {phase}");
    match std::env::var("TODOCTL_TEST_PAUSE_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(secs) => {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
                _ = cancelled() => {}
            }
        }
        None => {
            let _ = cancelled().await;
        }
    }
}
