//! The stop token: one value that tells a running operation to stop at its next safe point
//! (before the next object or record write, or while waiting), whichever way the stop comes.
//!
//! Two things fire it. SIGINT and SIGTERM ([`install_handlers`]): the operation records its
//! revision as failed and releases its lock; a second signal exits at once and the lock then
//! expires by itself. And the loss of the release lock (cluster::lock): another operation may
//! already be changing the release, so this one must write nothing more, not even its own record.
//! A lock is also counted lost once it went unrenewed for its whole lifetime (the process was
//! stopped, or the API server did not answer): by then another process may rightly have taken
//! it over, and only a renewal could prove otherwise.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::time::Instant;

/// Exit code after an interruption (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Says only what every interruption shares: what was recorded (a failed revision, or nothing
/// yet) is for the operation that knows it to add as context.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {0}: stopped before finishing")]
pub struct Interrupted(pub &'static str);

/// The operation lost its release lock and stopped; the message says how and what to do.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct LockLost(pub String);

/// Why a [`StopToken`] fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// `SIGINT`, `SIGTERM` (or Ctrl-C).
    Signal(&'static str),
    /// The release lock is no longer this operation's; the sentence says why.
    LockLost(String),
}

impl StopReason {
    fn to_error(&self) -> anyhow::Error {
        match self {
            StopReason::Signal(s) => Interrupted(s).into(),
            StopReason::LockLost(why) => LockLost(why.clone()).into(),
        }
    }
}

/// A lock whose validity the token watches: past `valid_until` without a renewal the token
/// fires with `message`.
#[derive(Debug, Clone)]
struct Lease {
    valid_until: Instant,
    message: String,
}

/// Asks the cluster whether the lock is still this operation's: `Err(sentence)` when it is not.
pub type Confirm =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// Cheap to clone; every clone sees the same stop. The first reason to fire wins.
#[derive(Clone)]
pub struct StopToken {
    reason: Arc<watch::Sender<Option<StopReason>>>,
    lease: Arc<Mutex<Option<Lease>>>,
    confirm: Arc<Mutex<Option<Confirm>>>,
}

impl std::fmt::Debug for StopToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopToken")
            .field("reason", &*self.reason.borrow())
            .finish_non_exhaustive()
    }
}

impl Default for StopToken {
    fn default() -> Self {
        StopToken::new()
    }
}

impl StopToken {
    pub fn new() -> StopToken {
        StopToken {
            reason: Arc::new(watch::channel(None).0),
            lease: Arc::default(),
            confirm: Arc::default(),
        }
    }

    /// [`check`](Self::check), and then, when a lock registered a way to confirm it, one read
    /// of the lock. A renewal every ttl/3 notices a lost lock only that late; before a step
    /// that starts new writes (the next wave, the final record) this closes the gap to one
    /// request. A lock found lost fires the token.
    pub async fn confirm(&self) -> anyhow::Result<()> {
        self.check()?;
        let confirm = self.confirm.lock().ok().and_then(|c| c.clone());
        if let Some(confirm) = confirm
            && let Err(lost) = confirm().await
        {
            self.fire(StopReason::LockLost(lost));
        }
        self.check()
    }

    /// Registers (or with `None` removes) how [`confirm`](Self::confirm) reads the lock.
    pub fn confirm_with(&self, confirm: Option<Confirm>) {
        if let Ok(mut c) = self.confirm.lock() {
            *c = confirm;
        }
    }

    /// Stops the operation for `reason`, unless it was already stopped for another.
    pub fn fire(&self, reason: StopReason) {
        self.reason.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(reason);
            true
        });
    }

    /// Why the token fired, if it did (a lease past its validity counts as fired).
    pub fn reason(&self) -> Option<StopReason> {
        self.expire_lease();
        self.reason.borrow().clone()
    }

    pub fn is_stopped(&self) -> bool {
        self.reason().is_some()
    }

    /// `Ok` while the operation may go on, else the error to stop it with: [`Interrupted`] after
    /// a signal, [`LockLost`] once the lock is gone. Call it before every write.
    pub fn check(&self) -> anyhow::Result<()> {
        match self.reason() {
            None => Ok(()),
            Some(reason) => Err(reason.to_error()),
        }
    }

    /// Resolves, with the error to stop with, when the token fires (at once if it has); for
    /// `tokio::select!` around a long wait.
    pub async fn stopped(&self) -> anyhow::Error {
        let mut rx = self.reason.subscribe();
        loop {
            if let Some(reason) = self.reason() {
                return reason.to_error();
            }
            let deadline = self
                .lease
                .lock()
                .ok()
                .and_then(|l| l.as_ref().map(|l| l.valid_until));
            match deadline {
                Some(deadline) => {
                    tokio::select! {
                        _ = rx.changed() => {}
                        _ = tokio::time::sleep_until(deadline) => {}
                    }
                }
                None => {
                    let _ = rx.changed().await;
                }
            }
        }
    }

    /// Watches a lock: unless renewed again (another call) before `valid_until`, the token
    /// fires then with `message`. `None` stops watching (the lock was released).
    pub fn lease_valid_until(&self, valid_until: Option<(Instant, String)>) {
        if let Ok(mut lease) = self.lease.lock() {
            *lease = valid_until.map(|(valid_until, message)| Lease {
                valid_until,
                message,
            });
        }
        // Wake `stopped()` so it sleeps towards the new deadline.
        self.reason.send_modify(|_| {});
    }

    fn expire_lease(&self) {
        let expired = self.lease.lock().ok().and_then(|mut lease| {
            let l = lease.as_ref()?;
            if Instant::now() < l.valid_until {
                return None;
            }
            lease.take().map(|l| l.message)
        });
        if let Some(message) = expired {
            self.fire(StopReason::LockLost(message));
        }
    }

    /// Starts listening for SIGINT and SIGTERM on the current runtime: the first fires this
    /// token, the second exits the process at once.
    pub fn install_handlers(&self, ui: &crate::ui::Ui) {
        let token = self.clone();
        let ui = ui.clone();
        tokio::spawn(async move {
            let first = wait_for_signal().await;
            token.fire(StopReason::Signal(first));
            ui.notice(&format!(
                "{first} received: stopping at the next safe point (send it again to exit at once)"
            ));
            let second = wait_for_signal().await;
            ui.notice(&format!(
                "{second} received again: exiting now; the release lock expires by itself"
            ));
            std::process::exit(EXIT_INTERRUPTED.into());
        });
    }

    /// Fault-injection hook for the interruption tests: with `TODOCTL_TEST_PAUSE_AT=<phase>` in the
    /// environment, the operation prints `paused at <phase>` on stderr when it reaches that phase
    /// and waits there until killed or interrupted by a signal, or for `TODOCTL_TEST_PAUSE_SECS`
    /// seconds when that is set. Phases: `locked`, `recorded`, `applying`, `waiting`, `finished`,
    /// `uninstalling` (the record marked, nothing deleted yet). A lost lock does not end the pause:
    /// the pause stands for a process that is busy elsewhere, and what follows it must notice.
    /// Without the variable this does nothing.
    pub async fn test_pause(&self, ui: &crate::ui::Ui, phase: &str) {
        if std::env::var("TODOCTL_TEST_PAUSE_AT").ok().as_deref() != Some(phase) {
            return;
        }
        ui.notice(&format!("paused at {phase}"));
        let signalled = async {
            let mut rx = self.reason.subscribe();
            let _ = rx
                .wait_for(|r| matches!(r, Some(StopReason::Signal(_))))
                .await;
        };
        match std::env::var("TODOCTL_TEST_PAUSE_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        {
            Some(secs) => {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
                    _ = signalled => {}
                }
            }
            None => signalled.await,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn first_reason_wins_and_check_returns_its_error() {
        let token = StopToken::new();
        assert!(token.check().is_ok());
        token.fire(StopReason::LockLost("taken over by someone".into()));
        token.fire(StopReason::Signal("SIGINT"));
        let err = token.check().expect_err("stopped");
        assert!(err.downcast_ref::<LockLost>().is_some(), "{err}");
        assert_eq!(err.to_string(), "taken over by someone");
        let clone = token.clone();
        assert!(clone.is_stopped());
    }

    #[tokio::test]
    async fn a_lease_past_its_validity_fires_the_token() {
        let token = StopToken::new();
        token.lease_valid_until(Some((
            Instant::now() + Duration::from_millis(50),
            "not renewed".into(),
        )));
        assert!(token.check().is_ok());
        let err = tokio::time::timeout(Duration::from_secs(5), token.stopped())
            .await
            .expect("stopped() resolves when the lease runs out");
        assert_eq!(err.to_string(), "not renewed");
        assert!(token.check().is_err());
    }

    #[tokio::test]
    async fn renewing_moves_the_deadline_and_releasing_stops_watching() {
        let token = StopToken::new();
        token.lease_valid_until(Some((Instant::now(), "stale".into())));
        token.lease_valid_until(Some((
            Instant::now() + Duration::from_secs(60),
            "stale".into(),
        )));
        assert!(token.check().is_ok());
        token.lease_valid_until(None);
        assert!(token.check().is_ok());
    }

    #[tokio::test]
    async fn stopped_wakes_on_a_signal() {
        let token = StopToken::new();
        let waiter = {
            let token = token.clone();
            tokio::spawn(async move { token.stopped().await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        token.fire(StopReason::Signal("SIGTERM"));
        let err = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        assert!(err.downcast_ref::<Interrupted>().is_some(), "{err}");
    }
}
