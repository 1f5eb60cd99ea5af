//! The release lock: one operation per release at a time, and never a release stuck behind a
//! process that died. It is a coordination.k8s.io/v1 Lease `todoctl.lock.<release>` in the
//! release namespace, renewed while the operation runs and taken over once it stops being renewed.
//!
//! The lease lives for `ttl` after its last renewal (default [`DEFAULT_TTL`]); the environment
//! variable `TODOCTL_LOCK_TTL` (whole seconds, see [`ttl_from_env`]) shortens or lengthens it.
//! Expiry is judged on the local clock with a grace of two seconds for clock skew between
//! machines, because kube does not hand out the server's Date header.
//!
//! Why this file is over 600 lines: about a hundred of them are unit tests, and the rest is one
//! protocol on one Lease (acquire, take over an expired holder, renew, notice the loss, release)
//! whose steps share the holder identity, the resource version preconditions and the wording
//! of "locked by ..." messages. Split, each half would have to know the other's invariants.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{DeleteParams, ObjectMeta, PostParams, Preconditions};
use kube::{Api, Client};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::cancel::{LockLost, StopReason, StopToken};
use crate::error::Failure;

/// How long a lock outlives its last renewal when nobody releases it.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

/// The environment variable that overrides [`DEFAULT_TTL`], in whole seconds.
pub const TTL_ENV: &str = "TODOCTL_LOCK_TTL";

/// Extra time before a lease counts as expired, so a holder whose clock runs a little behind
/// ours is not taken over while it is still alive.
pub const CLOCK_GRACE: Duration = Duration::from_secs(2);

use crate::cluster::apply::FIELD_MANAGER;
use crate::manifest::labels::{MANAGED_BY, MANAGER, RELEASE};

/// Create, read and take over can interleave with other processes; after this many rounds
/// something is fighting over the lease and the user should hear about it.
const ATTEMPTS: usize = 5;

/// The name of the Lease that locks `release`.
pub fn lease_name(release: &str) -> String {
    format!("todoctl.lock.{release}")
}

/// The lock TTL: `TODOCTL_LOCK_TTL` in seconds when it is set to a valid value, else
/// [`DEFAULT_TTL`]. Use [`parse_ttl`] to report a bad value instead of ignoring it.
pub fn ttl_from_env() -> Duration {
    std::env::var(TTL_ENV)
        .ok()
        .and_then(|v| parse_ttl(&v).ok())
        .unwrap_or(DEFAULT_TTL)
}

/// Reads a TTL in whole seconds, from 1 up to what a Lease can hold.
pub fn parse_ttl(value: &str) -> Result<Duration> {
    match value.trim().parse::<u32>() {
        Ok(secs) if secs >= 1 && i32::try_from(secs).is_ok() => {
            Ok(Duration::from_secs(secs.into()))
        }
        _ => bail!(
            "{TTL_ENV} is `{value}`, which is not a lock lifetime; give whole seconds from 1 to {}, for example `60`",
            i32::MAX
        ),
    }
}

/// Who holds a release lock, as read from its Lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// `<operation> by <user>@<host> pid <pid>`.
    pub identity: String,
    pub acquired: Option<Timestamp>,
    pub renewed: Option<Timestamp>,
    pub ttl: Duration,
}

impl Holder {
    fn from_lease(lease: &Lease) -> Holder {
        let spec = lease.spec.as_ref();
        let ttl = spec
            .and_then(|s| s.lease_duration_seconds)
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_TTL, Duration::from_secs);
        Holder {
            identity: spec
                .and_then(|s| s.holder_identity.clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "an unknown holder".to_string()),
            // A lease written by hand may lack the times; its creation is the best guess.
            acquired: spec
                .and_then(|s| s.acquire_time.as_ref())
                .map(|t| t.0)
                .or_else(|| lease.metadata.creation_timestamp.as_ref().map(|t| t.0)),
            renewed: spec.and_then(|s| s.renew_time.as_ref()).map(|t| t.0),
            ttl,
        }
    }

    /// The last sign of life: the renewal, else the acquisition.
    fn last_seen(&self) -> Option<Timestamp> {
        self.renewed.or(self.acquired)
    }

    /// Whether the holder stopped renewing long enough ago (ttl plus [`CLOCK_GRACE`]) that it
    /// must be gone. A lease with no times at all is nobody's.
    pub fn expired(&self, now: Timestamp) -> bool {
        match self.last_seen() {
            Some(seen) => now.duration_since(seen) > lifetime(self.ttl),
            None => true,
        }
    }

    /// How long until [`Holder::expired`] turns true, zero when it already is.
    pub fn expires_in(&self, now: Timestamp) -> Duration {
        let Some(seen) = self.last_seen() else {
            return Duration::ZERO;
        };
        let left = lifetime(self.ttl) - now.duration_since(seen);
        Duration::try_from(left).unwrap_or(Duration::ZERO)
    }

    /// "`upgrade by alice@ci-7 pid 4242` since 2026-11-26 04:12:31 UTC (renewed 3s ago)", for
    /// messages and `todoctl status`.
    pub fn describe(&self, now: Timestamp) -> String {
        let mut text = format!("`{}`", self.identity);
        if let Some(acquired) = self.acquired {
            text.push_str(&format!(
                " since {}",
                acquired.strftime("%Y-%m-%d %H:%M:%S UTC")
            ));
        }
        if let Some(renewed) = self.renewed {
            let ago = Duration::try_from(now.duration_since(renewed)).unwrap_or(Duration::ZERO);
            text.push_str(&format!(" (renewed {} ago)", seconds(ago)));
        }
        text
    }
}

fn lifetime(ttl: Duration) -> SignedDuration {
    SignedDuration::try_from(ttl + CLOCK_GRACE).unwrap_or(SignedDuration::MAX)
}

/// Whole seconds up to two minutes, then minutes, then hours: precise where it matters.
fn seconds(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

fn locked_message(namespace: &str, release: &str, holder: &Holder, now: Timestamp) -> String {
    // Rounded up so "within 0s" never appears for a lease that is still valid.
    let left = holder.expires_in(now) + Duration::from_millis(999);
    format!(
        "release `{release}` in namespace `{namespace}` is locked by {}; wait for it to finish, or if that process is gone the lock expires by itself within {}; `todoctl unlock -r {release} -n {namespace}` removes it now",
        holder.describe(now),
        seconds(Duration::from_secs(left.as_secs()))
    )
}

/// `<operation> by <user>@<host> pid <pid>`: enough to find the process or the CI job.
fn identity(operation: &str) -> String {
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    let host = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    format!("{operation} by {user}@{host} pid {}", std::process::id())
}

fn new_lease(name: &str, release: &str, identity: &str, ttl: Duration, now: Timestamp) -> Lease {
    Lease {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(
                [(MANAGED_BY, MANAGER), (RELEASE, release)]
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .into(),
            ),
            ..Default::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(identity.to_string()),
            acquire_time: Some(MicroTime(now)),
            renew_time: Some(MicroTime(now)),
            lease_duration_seconds: Some(i32::try_from(ttl.as_secs()).unwrap_or(i32::MAX)),
            lease_transitions: Some(0),
            ..Default::default()
        }),
    }
}

fn post_params() -> PostParams {
    PostParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..Default::default()
    }
}

fn api_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// The same acquisition of the same lease: what was written may have moved on (a renewal, a
/// label edit), but the holder did not change.
fn same_holder(a: &Lease, b: &Lease) -> bool {
    let spec = |l: &Lease| {
        l.spec
            .as_ref()
            .map(|s| (s.holder_identity.clone(), s.acquire_time.clone()))
    };
    a.metadata.uid.is_some() && a.metadata.uid == b.metadata.uid && spec(a) == spec(b)
}

/// Takes the lock on `release` for `operation` ("install", "upgrade", ...), with a stop token
/// of its own; see [`acquire_with`].
pub async fn acquire(
    client: &Client,
    namespace: &str,
    release: &str,
    operation: &str,
    ttl: Duration,
) -> Result<LockGuard> {
    acquire_with(
        client,
        namespace,
        release,
        operation,
        ttl,
        &StopToken::new(),
    )
    .await
}

/// Takes the lock on `release` for `operation` ("install", "upgrade", ...), and fires `stop`
/// when the lock is lost: deleted (`todoctl unlock`), taken over, or not renewed within its ttl
/// (measured from the moment each renewal was sent, so a process that was stopped counts its
/// lock lost before another process may take it over).
///
/// Fails at once with [`Failure::Locked`] when another live operation holds it. A lease whose
/// holder stopped renewing it (killed, lost CI job) is taken over; the guard's
/// [`LockGuard::took_over`] then names that holder so its pending revision can be marked failed.
/// The namespace must exist.
pub async fn acquire_with(
    client: &Client,
    namespace: &str,
    release: &str,
    operation: &str,
    ttl: Duration,
    stop: &StopToken,
) -> Result<LockGuard> {
    // Leases count whole seconds.
    let ttl = Duration::from_secs(ttl.as_secs().clamp(1, i32::MAX as u64));
    let api: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let name = lease_name(release);
    let identity = identity(operation);
    let step = |what: &str| {
        format!("locking release `{release}` in namespace `{namespace}`: {what} lease `{name}`")
    };
    for _ in 0..ATTEMPTS {
        let sent = tokio::time::Instant::now();
        let lease = new_lease(&name, release, &identity, ttl, Timestamp::now());
        match api.create(&post_params(), &lease).await {
            Ok(written) => {
                let start = Start {
                    identity,
                    ttl,
                    written,
                    sent,
                    took_over: None,
                };
                return Ok(LockGuard::start(api, namespace, release, start, stop));
            }
            Err(e) if api_code(&e) == Some(409) => {}
            Err(e) => return Err(e).with_context(|| step("creating")),
        }
        let Some(current) = api.get_opt(&name).await.with_context(|| step("reading"))? else {
            // Released between our create and our read: try again.
            continue;
        };
        let holder = Holder::from_lease(&current);
        let now = Timestamp::now();
        if !holder.expired(now) {
            let msg = locked_message(namespace, release, &holder, now);
            return Err(anyhow::Error::from(Failure::Locked(msg)));
        }
        // The resourceVersion we read makes the replace fail if anyone else wrote in between,
        // so of two processes taking over the same expired lease exactly one succeeds.
        let Some(version) = current.metadata.resource_version.clone() else {
            bail!(
                "{}: the API server returned it without a resourceVersion, so it cannot be taken over safely; remove it with `todoctl unlock -r {release} -n {namespace}`",
                step("taking over")
            );
        };
        let mut takeover = lease;
        takeover.metadata.resource_version = Some(version);
        if let Some(spec) = takeover.spec.as_mut() {
            let transitions = current
                .spec
                .as_ref()
                .and_then(|s| s.lease_transitions)
                .unwrap_or(0);
            spec.lease_transitions = Some(transitions.saturating_add(1));
        }
        let sent = tokio::time::Instant::now();
        match api.replace(&name, &post_params(), &takeover).await {
            Ok(written) => {
                let start = Start {
                    identity,
                    ttl,
                    written,
                    sent,
                    took_over: Some(holder),
                };
                return Ok(LockGuard::start(api, namespace, release, start, stop));
            }
            // Someone else took it over or removed it first: look again.
            Err(e) if matches!(api_code(&e), Some(409 | 404)) => {}
            Err(e) => return Err(e).with_context(|| step("taking over")),
        }
    }
    bail!(
        "could not lock release `{release}` in namespace `{namespace}`: lease `{name}` changed under every one of {ATTEMPTS} attempts; another process is competing for it, try again"
    )
}

/// Removes the lock on `release` whatever its state, and returns who held it (`None` when it was
/// not locked). The holder, if still running, notices at its next renewal and stops.
pub async fn force_unlock(
    client: &Client,
    namespace: &str,
    release: &str,
) -> Result<Option<Holder>> {
    let api: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let name = lease_name(release);
    let step = |what: &str| {
        format!("unlocking release `{release}` in namespace `{namespace}`: {what} lease `{name}`")
    };
    for _ in 0..ATTEMPTS {
        let Some(current) = api.get_opt(&name).await.with_context(|| step("reading"))? else {
            return Ok(None);
        };
        let holder = Holder::from_lease(&current);
        // The uid makes sure the holder we report is the one whose lease we deleted.
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: current.metadata.uid.clone(),
                resource_version: None,
            }),
            ..Default::default()
        };
        match api.delete(&name, &params).await {
            Ok(_) => return Ok(Some(holder)),
            Err(e) if api_code(&e) == Some(404) => return Ok(Some(holder)),
            // Deleted and locked again between our read and delete: report the new holder.
            Err(e) if api_code(&e) == Some(409) => {}
            Err(e) => return Err(e).with_context(|| step("deleting")),
        }
    }
    bail!(
        "could not unlock release `{release}` in namespace `{namespace}`: lease `{name}` was replaced under every one of {ATTEMPTS} attempts; another process keeps locking it, try again"
    )
}

/// Who holds the lock on `release`, if anyone; the holder may have expired (see
/// [`Holder::expired`]).
pub async fn holder(client: &Client, namespace: &str, release: &str) -> Result<Option<Holder>> {
    let api: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let name = lease_name(release);
    let lease = api.get_opt(&name).await.with_context(|| {
        format!(
            "reading the lock of release `{release}` in namespace `{namespace}` (lease `{name}`)"
        )
    })?;
    Ok(lease.as_ref().map(Holder::from_lease))
}

/// Who holds the lock on `release` and is still alive at `now` (not [`Holder::expired`]); none
/// when there is no lock, it expired, or it cannot be read.
pub async fn live_holder(
    client: &Client,
    namespace: &str,
    release: &str,
    now: Timestamp,
) -> Option<Holder> {
    let holder = holder(client, namespace, release).await.ok().flatten()?;
    (!holder.expired(now)).then_some(holder)
}

/// A lease just written by [`acquire_with`].
struct Start {
    identity: String,
    ttl: Duration,
    written: Lease,
    /// When the request that wrote it was sent: the lease's lifetime counts from then.
    sent: tokio::time::Instant,
    took_over: Option<Holder>,
}

/// A held release lock. It renews itself in the background; [`LockGuard::release`] gives it
/// up. Dropping the guard only stops the renewal, and the lease then expires after its ttl.
#[derive(Debug)]
pub struct LockGuard {
    /// The holder whose expired lease this lock took over, if any.
    pub took_over: Option<Holder>,
    api: Api<Lease>,
    namespace: String,
    release: String,
    identity: String,
    ttl: Duration,
    /// The lease as first written: its uid, holder and acquire time identify this lock.
    acquired: Lease,
    lost: watch::Receiver<Option<String>>,
    /// The operation's stop token, fired when the lock is lost.
    token: StopToken,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Lease>>,
}

impl LockGuard {
    fn start(
        api: Api<Lease>,
        namespace: &str,
        release: &str,
        start: Start,
        token: &StopToken,
    ) -> LockGuard {
        let (lost_tx, lost) = watch::channel(None);
        let (stop, stop_rx) = oneshot::channel();
        let Start {
            identity,
            ttl,
            written,
            sent,
            took_over,
        } = start;
        let messages = LostMessages {
            release: release.to_string(),
            namespace: namespace.to_string(),
        };
        token.lease_valid_until(Some((sent + ttl, messages.stale(ttl))));
        token.confirm_with(Some(confirmer(api.clone(), &written, messages.clone())));
        let renewer = Renewer {
            api: api.clone(),
            lease: written.clone(),
            ttl,
            lost: lost_tx,
            token: token.clone(),
            messages,
        };
        let task = tokio::spawn(renewer.run(stop_rx));
        LockGuard {
            took_over,
            api,
            namespace: namespace.to_string(),
            release: release.to_string(),
            identity,
            ttl,
            acquired: written,
            lost,
            token: token.clone(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `<operation> by <user>@<host> pid <pid>`, as written in the lease.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// True once the lock was deleted, taken over or could not be renewed within its ttl. The
    /// operation must then stop: another one may already be changing the release.
    pub fn is_lost(&self) -> bool {
        self.lost.borrow().is_some() || matches!(self.token.reason(), Some(StopReason::LockLost(_)))
    }

    /// `Ok` while the lock is held, else the error to stop the operation with (exit code 4).
    pub fn ensure_held(&self) -> Result<()> {
        if let Some(reason) = self.lost.borrow().as_deref() {
            return Err(self.lost_error(reason));
        }
        match self.token.reason() {
            Some(StopReason::LockLost(message)) => Err(LockLost(message).into()),
            _ => Ok(()),
        }
    }

    /// The error to stop with once the lock is lost, naming who holds the lock now (one read of
    /// the lease); `None` while the lock is held.
    pub async fn lost_error_now(&self) -> Option<anyhow::Error> {
        let base = match self.ensure_held() {
            Ok(()) => return None,
            Err(e) => e.to_string(),
        };
        let now = match self.api.get_opt(&lease_name(&self.release)).await {
            Ok(Some(lease)) if !same_holder(&self.acquired, &lease) => format!(
                "; the lock is now held by {}",
                Holder::from_lease(&lease).describe(Timestamp::now())
            ),
            Ok(Some(_)) => String::new(),
            Ok(None) => "; nobody holds the lock now".to_string(),
            Err(_) => String::new(),
        };
        Some(LockLost(format!("{base}{now}")).into())
    }

    /// Resolves when the lock is lost, with the error to stop the operation with; for
    /// `tokio::select!` around a long wait.
    pub async fn lost(&self) -> anyhow::Error {
        let mut rx = self.lost.clone();
        let reason = match rx.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone().unwrap_or_default(),
            Err(_) => "its renewal stopped unexpectedly".to_string(),
        };
        self.lost_error(&reason)
    }

    fn lost_error(&self, reason: &str) -> anyhow::Error {
        LockLost(
            LostMessages {
                release: self.release.clone(),
                namespace: self.namespace.clone(),
            }
            .lost(reason),
        )
        .into()
    }

    /// Stops the renewal and deletes the lease, but only if it is still this lock's: a lease
    /// someone else took over is left alone. Releasing a lock that was lost is not a success:
    /// it fails with [`LockLost`], naming who holds the lock now, because whatever the
    /// operation did after the loss was not protected by it.
    pub async fn release(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        // The task hands back the last version it wrote, which the delete is conditioned on.
        let mut last = task.await.unwrap_or_else(|_| self.acquired.clone());
        if self.lost.borrow().is_some() {
            return Err(self
                .lost_error_now()
                .await
                .unwrap_or_else(|| self.lost_error("its renewal stopped")));
        }
        // Released on time, or counted lost only by the clock while still ours (the lease
        // read back below says which): delete it if it is still this lock's.
        self.token.lease_valid_until(None);
        self.token.confirm_with(None);
        let name = lease_name(&self.release);
        for _ in 0..ATTEMPTS {
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: last.metadata.uid.clone(),
                    resource_version: last.metadata.resource_version.clone(),
                }),
                ..Default::default()
            };
            let err = match self.api.delete(&name, &params).await {
                Ok(_) => return Ok(()),
                Err(e) if api_code(&e) == Some(404) => return Ok(()),
                Err(e) => e,
            };
            if api_code(&err) != Some(409) {
                return Err(err).with_context(|| self.release_step(&name));
            }
            // Written since our last renewal (a renewal whose answer never arrived, a label
            // edit): delete it if it is still ours, else it belongs to someone else now.
            match self.api.get_opt(&name).await {
                Ok(Some(current)) if same_holder(&self.acquired, &current) => last = current,
                Ok(_) => return Ok(()),
                Err(e) => return Err(e).with_context(|| self.release_step(&name)),
            }
        }
        bail!(
            "{}: it changed under every one of {ATTEMPTS} attempts; it expires by itself within {}",
            self.release_step(&name),
            seconds(self.ttl + CLOCK_GRACE)
        )
    }

    fn release_step(&self, name: &str) -> String {
        format!(
            "unlocking release `{}` in namespace `{}`: deleting lease `{name}` (it expires by itself within {})",
            self.release,
            self.namespace,
            seconds(self.ttl + CLOCK_GRACE)
        )
    }
}

impl Drop for LockGuard {
    /// The crash path: no more renewals, and the lease expires after its ttl.
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Reads the lease and compares it with the one `acquired` wrote: `Err(reason)` when it is gone
/// or someone else's. A failed read proves nothing either way and passes (the renewal decides).
fn confirmer(api: Api<Lease>, acquired: &Lease, messages: LostMessages) -> crate::cancel::Confirm {
    let acquired = acquired.clone();
    std::sync::Arc::new(move || {
        let (api, acquired, messages) = (api.clone(), acquired.clone(), messages.clone());
        Box::pin(async move {
            let name = acquired.metadata.name.clone().unwrap_or_default();
            match api.get_opt(&name).await {
                Ok(Some(current)) if same_holder(&acquired, &current) => Ok(()),
                Ok(Some(current)) => Err(messages.lost(&format!(
                    "{} took its lease `{name}` over",
                    Holder::from_lease(&current).describe(Timestamp::now())
                ))),
                Ok(None) => Err(messages.lost(&format!(
                    "its lease `{name}` was deleted, most likely by `todoctl unlock`"
                ))),
                Err(_) => Ok(()),
            }
        })
    })
}

/// The sentences of a lost lock, for one release.
#[derive(Debug, Clone)]
struct LostMessages {
    release: String,
    namespace: String,
}

impl LostMessages {
    fn lost(&self, reason: &str) -> String {
        format!(
            "release `{}` in namespace `{}` is no longer locked by this operation: {reason}; another operation may be changing it, so this one stopped before its next write; check `todoctl status -r {} -n {}` before trying again",
            self.release, self.namespace, self.release, self.namespace
        )
    }

    fn stale(&self, ttl: Duration) -> String {
        self.lost(&format!(
            "its lease was not renewed within its lifetime of {} (this process was stopped, or could not reach the API server), so another operation may have taken it over",
            seconds(ttl)
        ))
    }
}

/// The background half of a [`LockGuard`].
struct Renewer {
    api: Api<Lease>,
    /// The version last written, whose resourceVersion the next renewal is conditioned on.
    lease: Lease,
    ttl: Duration,
    lost: watch::Sender<Option<String>>,
    token: StopToken,
    messages: LostMessages,
}

enum Renewal {
    Renewed,
    /// A temporary failure (network, server busy); try again soon.
    Retry(String),
    /// The lease is gone or someone else's.
    Lost(String),
}

impl Renewer {
    /// Renews every ttl/3, so two renewals can fail before the lease expires. Returns the last
    /// version written when told to stop or when the lock is lost.
    async fn run(mut self, mut stop: oneshot::Receiver<()>) -> Lease {
        let period = self.ttl / 3;
        let retry = (period / 4).max(Duration::from_millis(200));
        let mut last_renewed = tokio::time::Instant::now();
        let mut wait = period;
        loop {
            tokio::select! {
                biased;
                // Also resolves when the guard is dropped without release.
                _ = &mut stop => return self.lease,
                _ = tokio::time::sleep(wait) => {}
            }
            let sent = tokio::time::Instant::now();
            match self.renew().await {
                Renewal::Renewed => {
                    last_renewed = sent;
                    wait = period;
                    self.token
                        .lease_valid_until(Some((sent + self.ttl, self.messages.stale(self.ttl))));
                }
                Renewal::Retry(why) => {
                    // Past the ttl another process may rightly take the lease over.
                    if last_renewed.elapsed() >= self.ttl {
                        self.declare_lost(format!(
                            "its lease could not be renewed for {} ({why})",
                            seconds(self.ttl)
                        ));
                        return self.lease;
                    }
                    wait = retry;
                }
                Renewal::Lost(reason) => {
                    self.declare_lost(reason);
                    return self.lease;
                }
            }
        }
    }

    fn declare_lost(&self, reason: String) {
        self.token
            .fire(StopReason::LockLost(self.messages.lost(&reason)));
        let _ = self.lost.send(Some(reason));
    }

    async fn renew(&mut self) -> Renewal {
        let name = self.lease.metadata.name.clone().unwrap_or_default();
        let mut next = self.lease.clone();
        if let Some(spec) = next.spec.as_mut() {
            spec.renew_time = Some(MicroTime(Timestamp::now()));
        }
        let err = match self.api.replace(&name, &post_params(), &next).await {
            Ok(written) => {
                self.lease = written;
                return Renewal::Renewed;
            }
            Err(e) => e,
        };
        let deleted = || {
            Renewal::Lost(format!(
                "its lease `{name}` was deleted, most likely by `todoctl unlock`"
            ))
        };
        match api_code(&err) {
            Some(404) => deleted(),
            Some(409) => match self.api.get_opt(&name).await {
                Ok(Some(current)) if same_holder(&self.lease, &current) => {
                    // Only edited (labels, annotations): still ours, renew on top of it.
                    self.lease = current;
                    Renewal::Retry("the lease was edited meanwhile".to_string())
                }
                Ok(Some(current)) => Renewal::Lost(format!(
                    "{} took its lease `{name}` over",
                    Holder::from_lease(&current).describe(Timestamp::now())
                )),
                Ok(None) => deleted(),
                Err(e) => Renewal::Retry(crate::error::describe_kube(&e)),
            },
            _ => Renewal::Retry(crate::error::describe_kube(&err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }

    fn alice() -> Holder {
        Holder {
            identity: "upgrade by alice@ci-7 pid 4242".to_string(),
            acquired: Some(ts("2026-11-26T04:12:31.250Z")),
            renewed: Some(ts("2026-11-26T04:14:00Z")),
            ttl: DEFAULT_TTL,
        }
    }

    #[test]
    fn locked_message_names_holder_times_and_ways_out() {
        let msg = locked_message("todo-app", "todo-app", &alice(), ts("2026-11-26T04:14:03Z"));
        assert_eq!(
            msg,
            "release `todo-app` in namespace `todo-app` is locked by `upgrade by alice@ci-7 pid 4242` since 2026-11-26 04:12:31 UTC (renewed 3s ago); wait for it to finish, or if that process is gone the lock expires by itself within 59s; `todoctl unlock -r todo-app -n todo-app` removes it now"
        );
    }

    #[test]
    fn expiry_counts_from_the_last_renewal_plus_grace() {
        let h = alice();
        assert!(!h.expired(ts("2026-11-26T04:15:00Z")));
        assert!(!h.expired(ts("2026-11-26T04:15:02Z")));
        assert!(h.expired(ts("2026-11-26T04:15:02.001Z")));
        assert_eq!(
            h.expires_in(ts("2026-11-26T04:15:01Z")),
            Duration::from_secs(1)
        );
        assert_eq!(h.expires_in(ts("2026-11-26T05:00:00Z")), Duration::ZERO);
    }

    #[test]
    fn a_lease_without_times_is_expired() {
        let h = Holder {
            acquired: None,
            renewed: None,
            ..alice()
        };
        assert!(h.expired(ts("2026-11-26T04:15:00Z")));
    }

    #[test]
    fn ttl_values() {
        assert_eq!(parse_ttl("2").ok(), Some(Duration::from_secs(2)));
        assert_eq!(parse_ttl(" 60 ").ok(), Some(Duration::from_secs(60)));
        for bad in ["0", "-1", "1.5", "ten", "", "3000000000"] {
            let err = parse_ttl(bad).expect_err(bad).to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn lease_carries_labels_identity_and_times() {
        let now = ts("2026-11-26T04:12:31Z");
        let lease = new_lease(
            "todoctl.lock.todo-app",
            "todo-app",
            "install by bob@box pid 1",
            Duration::from_secs(60),
            now,
        );
        let labels = lease.metadata.labels.clone().unwrap_or_default();
        assert_eq!(labels["app.kubernetes.io/managed-by"], "todoctl");
        assert_eq!(labels["todoctl.io/release"], "todo-app");
        let holder = Holder::from_lease(&lease);
        assert_eq!(holder.identity, "install by bob@box pid 1");
        assert_eq!(holder.acquired, Some(now));
        assert_eq!(holder.renewed, Some(now));
        assert_eq!(holder.ttl, Duration::from_secs(60));
    }

    #[test]
    fn identity_names_operation_user_host_and_pid() {
        let id = identity("rollback");
        assert!(id.starts_with("rollback by "), "{id}");
        assert!(
            id.ends_with(&format!(" pid {}", std::process::id())),
            "{id}"
        );
        assert!(id.contains('@'), "{id}");
    }
}
