//! The wait engine: it watches every object still short of its goal and polls it as a backstop,
//! judges it through a [`Reader`], and reports each change to an [`Observer`]. The goal is
//! readiness after an apply, or absence after a delete; the terminal progress
//! ([`crate::ui::progress::Progress`]) is one observer, the unit tests' recorder another.
//!
//! When it looks follows Helm 4's `--wait=watcher` (kstatus's watcher engine): after its first
//! read, each object gets one WATCH (`metadata.name=<name>`, from that read's resourceVersion)
//! for the whole wait, and any event makes the engine read and judge that object again at once,
//! instead of up to [`POLL`] later. What it decides is kstatus's polling engine unchanged: every
//! judgement comes from a fresh GET and the same [`assess`] rules, and every object is still read
//! every [`POLL`], so a watch that the server ends, refuses (403, 410 Gone) or loses only slows the
//! wait down to polling; no watch failure is ever an error.
//!
//! Why this file is over 600 lines: half of it is the engine's unit tests, with the scripted
//! reader and the recording observer they need; the engine itself is about 450 lines.

use std::future::Future;
use std::time::Duration;

use futures::FutureExt;
use futures::future::join_all;
use futures::stream::{self, BoxStream, StreamExt};
use kube::api::{DynamicObject, WatchEvent, WatchParams};
use kube::{Api, Client};
use serde_json::Value;
use tokio::time::Instant;

use super::diagnose::{DIAGNOSE_BUDGET, diagnose};
use super::error::{Unready, WaitError, go_duration};
use super::pods::{fail_fast, rollout};
use super::rules::{assess, deletion, has_rule};
use super::{State, text};
use crate::error::{describe_kube as describe_error, is_transient};

/// How often the wait reads each object it still waits for (one GET each), watched or not.
const POLL: Duration = Duration::from_millis(500);
/// How often the pods of an unready workload are checked for hopeless states (one or two LISTs).
const POD_CHECK: Duration = Duration::from_secs(2);
/// How long the API server keeps one watch open before it ends it in good order (and the engine
/// opens another after the object's next read). Under the client's 60 s read timeout, so a
/// quiet watch is ended by the server, not failed by the client.
const WATCH_TIMEOUT_SECS: u32 = 50;

/// What the wait waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// Ready by the [`super::rules`] table; kinds without a rule are not waited for.
    Ready,
    /// Gone from the cluster: deleted, finalizers done.
    Deleted,
}

impl Goal {
    /// How an object that reached the goal is shown: `ready`, `deleted`.
    pub fn reached(self) -> &'static str {
        match self {
            Goal::Ready => "ready",
            Goal::Deleted => "deleted",
        }
    }
}

/// One object to wait for.
pub struct WaitTarget {
    /// `deployment/backend`, as every message names it.
    pub reference: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub api: Api<DynamicObject>,
    /// `metadata.generation` returned by the apply; `None` when waiting for a deletion.
    pub generation: Option<i64>,
}

impl WaitTarget {
    /// An object as an apply returned it, to wait for until ready.
    pub fn applied(applied: &crate::cluster::apply::Applied) -> Self {
        WaitTarget {
            reference: applied.reference.clone(),
            kind: applied.kind.clone(),
            namespace: applied.namespace.clone().unwrap_or_default(),
            name: applied.name.clone(),
            api: applied.api.clone(),
            generation: applied.generation,
        }
    }

    /// An object this operation deleted, to wait for until gone; `api` is its kind's API in its
    /// namespace.
    pub fn deleted(object: &crate::manifest::Object, api: Api<DynamicObject>) -> Self {
        WaitTarget {
            reference: object.reference(),
            kind: object.kind().to_string(),
            namespace: object.namespace().unwrap_or_default().to_string(),
            name: object.name().to_string(),
            api,
            generation: None,
        }
    }
}

/// What the engine tells its observer, in the order it happens for each object: `Started`,
/// any number of `Progress`, then one of `Reached` or `Failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The wait takes the object on.
    Started { reference: &'a str },
    /// A poll saw the object short of its goal; `state` is its short status
    /// (`1/2 replicas ready`, `waiting for finalizers: ...`).
    Progress { reference: &'a str, state: &'a str },
    /// The object reached the goal.
    Reached { reference: &'a str, goal: Goal },
    /// The object will not reach the goal, the deadline passed first, or it could not be read.
    Failed { reference: &'a str, why: &'a str },
}

/// Receives the engine's events. Called from the engine's task only, between polls.
pub trait Observer: Sync {
    fn notify(&self, event: &Event<'_>);
}

/// One look at an object.
pub(super) enum Poll {
    /// Its state against the goal, and the object as read (`Value::Null` when it is gone).
    Seen(State, Value),
    /// The read failed in a way that may pass (connection refused, 429, 5xx); try again.
    Transient(String),
    /// The API server refused the read for a reason that retrying will not fix.
    Fatal(String),
}

/// What a watch tells the engine. A watch that fails or is refused simply ends, without
/// [`Watched::Closed`]: its object is then polled only, for the rest of the wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Watched {
    /// The object changed (added, modified or deleted): read and judge it again now.
    Changed,
    /// The API server ended the watch in good order (its timeout, [`WATCH_TIMEOUT_SECS`]): open
    /// another from the object's next read.
    Closed,
}

/// How the engine reads objects, learns of their changes and explains them (kstatus's status
/// readers). The cluster reader is the real one; unit tests script theirs.
pub(super) trait Reader: Sync {
    /// Reads `target` once, within `budget`, and judges it against `goal`. With `check_pods`,
    /// a waiting workload whose current pods cannot recover is failed at once.
    fn read(
        &self,
        target: &WaitTarget,
        goal: Goal,
        check_pods: bool,
        budget: Duration,
    ) -> impl Future<Output = Poll> + Send;

    /// The changes to `target` after `resource_version` (that of its last read), as they
    /// happen. Lazy: nothing is sent before the stream is first polled. The stream ends when the
    /// watch does, after [`Watched::Closed`] when the server closed it in good order.
    fn watch(&self, target: &WaitTarget, resource_version: &str) -> BoxStream<'static, Watched>;

    /// Why `live` is not ready, in lines for a person.
    fn diagnose(
        &self,
        target: &WaitTarget,
        live: &Value,
    ) -> impl Future<Output = Vec<String>> + Send;
}

/// Reads objects from the API server.
struct ClusterReader<'a> {
    client: &'a Client,
}

impl Reader for ClusterReader<'_> {
    async fn read(&self, t: &WaitTarget, goal: Goal, check_pods: bool, budget: Duration) -> Poll {
        let got = match tokio::time::timeout(budget, t.api.get_opt(&t.name)).await {
            Err(_) => return Poll::Transient("the request timed out".to_string()),
            Ok(got) => got,
        };
        let object = match (got, goal) {
            (Ok(Some(object)), _) => object,
            (Ok(None), Goal::Deleted) => return Poll::Seen(State::Ready, Value::Null),
            // It was applied moments ago: gone now means deleted while waiting (by hand, or with
            // its namespace), and waiting longer would not bring it back.
            (Ok(None), Goal::Ready) => {
                return Poll::Seen(
                    State::Failed(
                        "deleted while waiting: it no longer exists in the cluster".into(),
                    ),
                    Value::Null,
                );
            }
            (Err(e), _) if is_transient(&e) => return Poll::Transient(describe_error(&e)),
            (Err(e), _) => return Poll::Fatal(describe_error(&e)),
        };
        let live = match serde_json::to_value(&object) {
            Ok(live) => live,
            Err(e) => return Poll::Fatal(format!("the object could not be read: {e}")),
        };
        if goal == Goal::Deleted {
            return Poll::Seen(deletion(&live), live);
        }
        let mut state = assess(&t.kind, &live, t.generation);
        if check_pods && let State::Waiting(waiting) = &state {
            let check = fail_fast(self.client, &t.namespace, &t.kind, &live, t.generation);
            if let Ok(Some(why)) = tokio::time::timeout(budget, check).await {
                // The pods themselves are named in the diagnosis that follows.
                state = State::Failed(format!("{waiting}, new pods cannot start: {}", why.reason));
            }
        }
        Poll::Seen(state, live)
    }

    fn watch(&self, t: &WaitTarget, resource_version: &str) -> BoxStream<'static, Watched> {
        let api = t.api.clone();
        let params = WatchParams::default()
            .fields(&format!("metadata.name={}", t.name))
            .timeout(WATCH_TIMEOUT_SECS);
        let since = resource_version.to_string();
        async move {
            // Refused (403 without the watch verb, a 410 for a version already compacted) or
            // unreachable: no stream, and the object is polled as before.
            let Ok(events) = api.watch(&params, &since).await else {
                return stream::empty().boxed();
            };
            stream::unfold(Some(events.boxed()), |events| async move {
                let mut events = events?;
                loop {
                    match events.next().await {
                        Some(Ok(
                            WatchEvent::Added(_) | WatchEvent::Modified(_) | WatchEvent::Deleted(_),
                        )) => return Some((Watched::Changed, Some(events))),
                        Some(Ok(WatchEvent::Bookmark(_))) => {}
                        // 410 Gone mid-stream, a decoding or connection error: polling carries on.
                        Some(Ok(WatchEvent::Error(_)) | Err(_)) => return None,
                        None => return Some((Watched::Closed, None)),
                    }
                }
            })
            .boxed()
        }
        .flatten_stream()
        .boxed()
    }

    async fn diagnose(&self, t: &WaitTarget, live: &Value) -> Vec<String> {
        diagnose(self.client, &t.namespace, &t.kind, live).await
    }
}

/// Polls every object of `targets` with a readiness rule until all are ready. An object that
/// will not become ready ends the wait at once; at the deadline the error names every unready
/// object with its state and a diagnosis. Transient API errors (connection refused, 429, 5xx)
/// are retried until the deadline. `observer` hears of every change.
pub async fn wait_ready<O: Observer + ?Sized>(
    client: &Client,
    targets: &[WaitTarget],
    timeout: Duration,
    observer: &O,
) -> Result<(), WaitError> {
    let reader = ClusterReader { client };
    run(&reader, targets, Goal::Ready, timeout, observer).await
}

/// Polls every object of `targets` until none exists any more (finalizers done). At the
/// deadline the error names those left (exit code 3 through [`WaitError::into_anyhow`]).
pub async fn wait_deleted<O: Observer + ?Sized>(
    client: &Client,
    targets: &[WaitTarget],
    timeout: Duration,
    observer: &O,
) -> Result<(), WaitError> {
    let reader = ClusterReader { client };
    run(&reader, targets, Goal::Deleted, timeout, observer).await
}

/// What the engine knows about one object it still waits for.
struct Pending<'a> {
    target: &'a WaitTarget,
    state: State,
    live: Option<Value>,
    last_pod_check: Option<Instant>,
    /// When it was last read: it is read again [`POLL`] later, or as soon as it changes.
    read_at: Option<Instant>,
    /// Its watch reported a change since it was last read.
    changed: bool,
    /// Its changes, from the first read that found it until the watch ends.
    watch: Option<BoxStream<'static, Watched>>,
    /// Whether the next read may open a watch: at first, and after the server closed one in
    /// good order; not after a watch failed or was refused.
    may_watch: bool,
}

impl Pending<'_> {
    fn due(&self, now: Instant, deadline: Instant) -> bool {
        self.changed
            || now >= deadline
            || self.read_at.is_none_or(|at| now.duration_since(at) >= POLL)
    }
}

/// The engine: reads every target at once, then each again when its watch reports a change or
/// [`POLL`] after its last read, until every target reached `goal`, one fails, or the deadline
/// passes.
pub(super) async fn run<R: Reader, O: Observer + ?Sized>(
    reader: &R,
    targets: &[WaitTarget],
    goal: Goal,
    timeout: Duration,
    observer: &O,
) -> Result<(), WaitError> {
    let start = Instant::now();
    let deadline = start + timeout;
    let total = targets.len();
    let mut pending: Vec<Pending<'_>> = targets
        .iter()
        .filter(|t| goal == Goal::Deleted || has_rule(&t.kind))
        .map(|t| {
            observer.notify(&Event::Started {
                reference: &t.reference,
            });
            Pending {
                target: t,
                state: State::Waiting("waiting".to_string()),
                live: None,
                last_pod_check: None,
                read_at: None,
                changed: false,
                watch: None,
                may_watch: true,
            }
        })
        .collect();

    while !pending.is_empty() {
        let now = Instant::now();
        let due: Vec<bool> = pending.iter().map(|p| p.due(now, deadline)).collect();
        // The first pod check waits one interval: pods of a fresh rollout have barely started.
        let checks: Vec<bool> = pending
            .iter()
            .zip(&due)
            .map(|(p, due)| {
                *due && goal == Goal::Ready
                    && rollout(&p.target.kind).is_some()
                    && now.duration_since(start) >= POD_CHECK
                    && p.last_pod_check
                        .is_none_or(|at| now.duration_since(at) >= POD_CHECK)
            })
            .collect();
        let budget = deadline.saturating_duration_since(now).max(POLL);
        let polls = join_all(
            pending
                .iter()
                .zip(&due)
                .zip(&checks)
                .filter(|((_, due), _)| **due)
                .map(|((p, _), check)| reader.read(p.target, goal, *check, budget)),
        )
        .await;

        let mut failed = false;
        let read = pending
            .iter_mut()
            .zip(due)
            .zip(checks)
            .filter(|((_, due), _)| *due);
        for (((p, _), check), poll) in read.zip(polls) {
            p.read_at = Some(now);
            p.changed = false;
            if check {
                p.last_pod_check = Some(now);
            }
            let reference = p.target.reference.as_str();
            match poll {
                Poll::Seen(state, live) => {
                    observer.notify(&match &state {
                        State::Ready => Event::Reached { reference, goal },
                        State::Waiting(s) => Event::Progress {
                            reference,
                            state: s,
                        },
                        State::Failed(s) => {
                            failed = true;
                            Event::Failed { reference, why: s }
                        }
                    });
                    p.live = Some(live);
                    p.state = state;
                }
                Poll::Transient(why) => {
                    // Keep the last known state; say why it is stale only if nothing better exists.
                    if p.live.is_none() {
                        p.state = State::Waiting(format!("could not read it yet: {why}"));
                    }
                }
                Poll::Fatal(message) => {
                    observer.notify(&Event::Failed {
                        reference,
                        why: &message,
                    });
                    return Err(WaitError::Api {
                        reference: reference.to_string(),
                        message,
                    });
                }
            }
        }
        if failed {
            let bad: Vec<&Pending<'_>> = pending
                .iter()
                .filter(|p| matches!(p.state, State::Failed(_)))
                .collect();
            let objects = unready(reader, &bad).await;
            return Err(WaitError::Failed { total, objects });
        }
        pending.retain(|p| p.state != State::Ready);
        if pending.is_empty() {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            let what = match goal {
                Goal::Ready => "ready",
                Goal::Deleted => "deleted",
            };
            for p in &pending {
                let why = format!(
                    "not {what} after {} ({})",
                    go_duration(timeout),
                    p.state.text()
                );
                observer.notify(&Event::Failed {
                    reference: &p.target.reference,
                    why: &why,
                });
            }
            if goal == Goal::Deleted {
                // Where each stands is all there is to say: nothing to diagnose in a deletion.
                return Err(WaitError::NotDeleted {
                    after: timeout,
                    total,
                    objects: pending
                        .iter()
                        .map(|p| Unready {
                            reference: p.target.reference.clone(),
                            state: p.state.text().to_string(),
                            details: Vec::new(),
                        })
                        .collect(),
                });
            }
            let left: Vec<&Pending<'_>> = pending.iter().collect();
            let objects = unready(reader, &left).await;
            return Err(WaitError::Timeout {
                after: timeout,
                total,
                objects,
            });
        }
        for p in &mut pending {
            // A watch from the version just read: no change after that read can be missed.
            let version = p
                .live
                .as_ref()
                .and_then(|l| text(l, "/metadata/resourceVersion"));
            if p.watch.is_none()
                && p.may_watch
                && let Some(version) = version
            {
                p.watch = Some(reader.watch(p.target, version));
                p.may_watch = false;
            }
        }
        let next_read = pending
            .iter()
            .filter_map(|p| p.read_at)
            .map(|at| at + POLL)
            .min()
            .unwrap_or(now)
            .min(deadline);
        tokio::select! {
            () = tokio::time::sleep_until(next_read) => {}
            () = changes(&mut pending) => {}
        }
    }
    Ok(())
}

/// Resolves as soon as the watch of one of `pending` reports a change (marking each object that
/// changed); never when none is watched. Watches that ended are dropped: their objects are
/// polled only, or watched again from their next read when the server closed the watch.
fn changes<'a, 'b>(pending: &'a mut [Pending<'b>]) -> impl Future<Output = ()> + use<'a, 'b> {
    std::future::poll_fn(move |cx| {
        let mut woken = false;
        for p in pending.iter_mut() {
            while let Some(watch) = p.watch.as_mut() {
                match watch.poll_next_unpin(cx) {
                    std::task::Poll::Ready(Some(Watched::Changed)) => {
                        p.changed = true;
                        woken = true;
                    }
                    std::task::Poll::Ready(Some(Watched::Closed)) => {
                        p.watch = None;
                        p.may_watch = true;
                    }
                    std::task::Poll::Ready(None) => p.watch = None,
                    std::task::Poll::Pending => break,
                }
            }
        }
        if woken {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
}

/// Diagnoses `pending` within [`DIAGNOSE_BUDGET`], for the error.
async fn unready<R: Reader>(reader: &R, pending: &[&Pending<'_>]) -> Vec<Unready> {
    join_all(pending.iter().map(|p| async move {
        let t = p.target;
        let details = match &p.live {
            Some(live) if !live.is_null() => {
                tokio::time::timeout(DIAGNOSE_BUDGET, reader.diagnose(t, live))
                    .await
                    .unwrap_or_else(|_| {
                        vec!["the cluster did not answer in time for details".into()]
                    })
            }
            _ => Vec::new(),
        };
        Unready {
            reference: t.reference.clone(),
            state: p.state.text().to_string(),
            details,
        }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, VecDeque};
    use std::sync::Mutex;

    use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
    use kube::discovery::ApiResource;
    use serde_json::json;

    use super::*;

    /// Plays each object's polls in order, repeating the last one. Its watches are the
    /// receivers a test gave it, one per watch opened, in order; past those, a watch that never
    /// reports anything.
    struct Script {
        polls: Mutex<HashMap<String, VecDeque<Poll>>>,
        /// The `check_pods` flag of every read, to see when pods are looked at.
        checks: Mutex<Vec<bool>>,
        watches: Mutex<HashMap<String, VecDeque<UnboundedReceiver<Watched>>>>,
        /// Every watch opened: the object and the resourceVersion it starts from.
        opened: Mutex<Vec<(String, String)>>,
    }

    impl Script {
        fn new(polls: Vec<(&str, Vec<Poll>)>) -> Script {
            Script {
                polls: Mutex::new(
                    polls
                        .into_iter()
                        .map(|(r, p)| (r.to_string(), p.into()))
                        .collect(),
                ),
                checks: Mutex::new(Vec::new()),
                watches: Mutex::new(HashMap::new()),
                opened: Mutex::new(Vec::new()),
            }
        }

        /// The sender of the next watch opened on `reference`.
        fn watched(&self, reference: &str) -> UnboundedSender<Watched> {
            let (tx, rx) = unbounded();
            self.watches
                .lock()
                .unwrap()
                .entry(reference.to_string())
                .or_default()
                .push_back(rx);
            tx
        }

        fn opened(&self) -> Vec<(String, String)> {
            self.opened.lock().unwrap().clone()
        }

        fn reads(&self) -> usize {
            self.checks.lock().unwrap().len()
        }
    }

    fn copy(poll: &Poll) -> Poll {
        match poll {
            Poll::Seen(s, v) => Poll::Seen(s.clone(), v.clone()),
            Poll::Transient(s) => Poll::Transient(s.clone()),
            Poll::Fatal(s) => Poll::Fatal(s.clone()),
        }
    }

    impl Reader for Script {
        async fn read(&self, t: &WaitTarget, _: Goal, check_pods: bool, _: Duration) -> Poll {
            self.checks.lock().unwrap().push(check_pods);
            let mut polls = self.polls.lock().unwrap();
            let queue = polls.get_mut(&t.reference).expect("a scripted object");
            if queue.len() > 1 {
                queue.pop_front().expect("not empty")
            } else {
                copy(queue.front().expect("at least one poll"))
            }
        }

        fn watch(&self, t: &WaitTarget, version: &str) -> BoxStream<'static, Watched> {
            self.opened
                .lock()
                .unwrap()
                .push((t.reference.clone(), version.to_string()));
            match self
                .watches
                .lock()
                .unwrap()
                .get_mut(&t.reference)
                .and_then(VecDeque::pop_front)
            {
                Some(rx) => rx.boxed(),
                None => stream::pending().boxed(),
            }
        }

        async fn diagnose(&self, t: &WaitTarget, live: &Value) -> Vec<String> {
            vec![format!("{} diagnosed at {}", t.reference, live["at"])]
        }
    }

    /// The test observer: every event, as a line.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl Observer for Recorder {
        fn notify(&self, event: &Event<'_>) {
            let line = match event {
                Event::Started { reference } => format!("{reference} started"),
                Event::Progress { reference, state } => format!("{reference}: {state}"),
                Event::Reached { reference, goal } => format!("{reference} {}", goal.reached()),
                Event::Failed { reference, why } => format!("{reference} failed: {why}"),
            };
            self.0.lock().unwrap().push(line);
        }
    }

    impl Recorder {
        fn lines(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }

    /// A target whose API handle is never used: the scripted reader answers instead.
    fn target(kind: &str, name: &str) -> WaitTarget {
        let config = kube::Config::new("http://127.0.0.1:9".parse().expect("a URL"));
        let client = Client::try_from(config).expect("a client without a connection");
        let resource = ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&());
        WaitTarget {
            reference: format!("{}/{name}", kind.to_lowercase()),
            kind: kind.to_string(),
            namespace: "todo-app".into(),
            name: name.into(),
            api: Api::namespaced_with(client, "todo-app", &resource),
            generation: Some(1),
        }
    }

    fn seen(state: State, at: i64) -> Poll {
        Poll::Seen(state, json!({ "at": at }))
    }

    fn waiting(s: &str) -> State {
        State::Waiting(s.to_string())
    }

    /// A look at an object as the API server returns it, at `version`.
    fn seen_at(state: State, version: &str) -> Poll {
        Poll::Seen(state, json!({ "metadata": { "resourceVersion": version } }))
    }

    /// Runs the engine on `targets` for `goal` (30 s) while `change` reports a change `after`
    /// the start; the engine's outcome.
    async fn run_with_change(
        script: &Script,
        targets: &[WaitTarget],
        goal: Goal,
        recorder: &Recorder,
        change: UnboundedSender<Watched>,
        after: Duration,
    ) -> Result<(), WaitError> {
        let engine = run(script, targets, goal, Duration::from_secs(30), recorder);
        let changed = async {
            tokio::time::sleep(after).await;
            change.unbounded_send(Watched::Changed).expect("watched");
        };
        tokio::join!(engine, changed).0
    }

    #[tokio::test(start_paused = true)]
    async fn a_change_wakes_the_engine_long_before_the_next_poll() {
        let script = Script::new(vec![(
            "deployment/backend",
            vec![
                seen_at(waiting("1/2 replicas ready"), "41"),
                seen_at(State::Ready, "42"),
            ],
        )]);
        let change = script.watched("deployment/backend");
        let recorder = Recorder::default();
        let started = Instant::now();
        let targets = [target("Deployment", "backend")];
        let waited = run_with_change(
            &script,
            &targets,
            Goal::Ready,
            &recorder,
            change,
            Duration::from_millis(30),
        )
        .await;
        waited.expect("ready");
        // Judged again when the change came, not at the next poll.
        assert_eq!(started.elapsed(), Duration::from_millis(30));
        assert_eq!(script.reads(), 2);
        // One watch, from the version of the first read.
        assert_eq!(
            script.opened(),
            [("deployment/backend".to_string(), "41".to_string())]
        );
        assert_eq!(
            recorder.lines(),
            [
                "deployment/backend started",
                "deployment/backend: 1/2 replicas ready",
                "deployment/backend ready",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn only_the_object_that_changed_is_read_again() {
        let script = Script::new(vec![
            (
                "deployment/backend",
                vec![
                    seen_at(waiting("0/1 replicas ready"), "7"),
                    seen_at(State::Ready, "8"),
                ],
            ),
            (
                "statefulset/db",
                vec![
                    seen_at(waiting("0/1 replicas ready"), "5"),
                    seen_at(State::Ready, "6"),
                ],
            ),
        ]);
        let change = script.watched("deployment/backend");
        let recorder = Recorder::default();
        let started = Instant::now();
        let targets = [target("Deployment", "backend"), target("StatefulSet", "db")];
        let waited = run_with_change(
            &script,
            &targets,
            Goal::Ready,
            &recorder,
            change,
            Duration::from_millis(30),
        )
        .await;
        waited.expect("ready");
        // The unchanged one waits for its poll.
        assert_eq!(started.elapsed(), POLL);
        assert_eq!(script.reads(), 4);
        assert_eq!(
            recorder.lines()[4..],
            ["deployment/backend ready", "statefulset/db ready"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_watch_that_fails_leaves_the_object_to_polling() {
        let script = Script::new(vec![(
            "deployment/backend",
            vec![
                seen_at(waiting("0/2 replicas ready"), "3"),
                seen_at(waiting("1/2 replicas ready"), "4"),
                seen_at(State::Ready, "5"),
            ],
        )]);
        // Refused at once: the stream ends without a word.
        drop(script.watched("deployment/backend"));
        let recorder = Recorder::default();
        let started = Instant::now();
        run(
            &script,
            &[target("Deployment", "backend")],
            Goal::Ready,
            Duration::from_secs(30),
            &recorder,
        )
        .await
        .expect("ready, by polling");
        assert_eq!(started.elapsed(), 2 * POLL);
        assert_eq!(script.reads(), 3);
        // Not tried again.
        assert_eq!(script.opened().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_watch_the_server_closed_is_opened_again_from_the_next_read() {
        let script = Script::new(vec![(
            "configmap/backend-config",
            vec![
                seen_at(waiting("waiting for finalizers: example.com/hold"), "10"),
                seen_at(waiting("waiting for finalizers: example.com/hold"), "11"),
                Poll::Seen(State::Ready, Value::Null),
            ],
        )]);
        let first = script.watched("configmap/backend-config");
        first.unbounded_send(Watched::Closed).expect("watched");
        let second = script.watched("configmap/backend-config");
        let recorder = Recorder::default();
        let started = Instant::now();
        let targets = [target("ConfigMap", "backend-config")];
        let waited = run_with_change(
            &script,
            &targets,
            Goal::Deleted,
            &recorder,
            second,
            POLL + Duration::from_millis(100),
        )
        .await;
        waited.expect("gone");
        assert_eq!(started.elapsed(), POLL + Duration::from_millis(100));
        assert_eq!(
            script.opened(),
            [
                ("configmap/backend-config".to_string(), "10".to_string()),
                ("configmap/backend-config".to_string(), "11".to_string()),
            ]
        );
    }

    #[tokio::test]
    async fn every_change_is_reported_and_kinds_without_a_rule_are_not_waited_for() {
        let script = Script::new(vec![
            (
                "deployment/backend",
                vec![
                    seen(waiting("0/1 replicas ready"), 1),
                    seen(waiting("0/1 replicas ready"), 2),
                    seen(State::Ready, 3),
                ],
            ),
            ("job/migrate", vec![seen(State::Ready, 1)]),
        ]);
        let targets = [
            target("Deployment", "backend"),
            target("ConfigMap", "backend-config"),
            target("Job", "migrate"),
        ];
        let recorder = Recorder::default();
        run(
            &script,
            &targets,
            Goal::Ready,
            Duration::from_secs(30),
            &recorder,
        )
        .await
        .expect("all ready");
        assert_eq!(
            recorder.lines(),
            [
                "deployment/backend started",
                "job/migrate started",
                "deployment/backend: 0/1 replicas ready",
                "job/migrate ready",
                "deployment/backend: 0/1 replicas ready",
                "deployment/backend ready",
            ]
        );
        // Pods are not looked at before the first interval has passed.
        assert!(script.checks.lock().unwrap().iter().all(|c| !c));
    }

    #[tokio::test]
    async fn an_object_that_cannot_become_ready_ends_the_wait_at_once() {
        let script = Script::new(vec![
            (
                "job/migrate",
                vec![seen(
                    State::Failed("job failed: BackoffLimitExceeded".into()),
                    1,
                )],
            ),
            (
                "deployment/backend",
                vec![seen(waiting("0/1 replicas ready"), 1)],
            ),
        ]);
        let targets = [target("Job", "migrate"), target("Deployment", "backend")];
        let recorder = Recorder::default();
        let started = Instant::now();
        let err = run(
            &script,
            &targets,
            Goal::Ready,
            Duration::from_secs(60),
            &recorder,
        )
        .await
        .expect_err("a failed job");
        assert!(started.elapsed() < Duration::from_secs(5));
        let WaitError::Failed { total, objects } = err else {
            panic!("not a failure: {err}");
        };
        assert_eq!(total, 2);
        assert_eq!(
            objects,
            [Unready {
                reference: "job/migrate".into(),
                state: "job failed: BackoffLimitExceeded".into(),
                details: vec!["job/migrate diagnosed at 1".into()],
            }]
        );
        assert!(
            recorder
                .lines()
                .contains(&"job/migrate failed: job failed: BackoffLimitExceeded".to_string())
        );
    }

    #[tokio::test]
    async fn the_deadline_names_what_is_left_with_its_last_known_state() {
        let script = Script::new(vec![
            (
                "deployment/backend",
                vec![seen(waiting("1/2 replicas ready"), 7)],
            ),
            (
                "statefulset/db",
                vec![Poll::Transient("connection refused".into())],
            ),
        ]);
        let targets = [target("Deployment", "backend"), target("StatefulSet", "db")];
        let recorder = Recorder::default();
        let err = run(
            &script,
            &targets,
            Goal::Ready,
            Duration::from_millis(20),
            &recorder,
        )
        .await
        .expect_err("a timeout");
        let WaitError::Timeout { objects, total, .. } = &err else {
            panic!("not a timeout: {err}");
        };
        assert_eq!(*total, 2);
        assert_eq!(objects[0].details, ["deployment/backend diagnosed at 7"]);
        // Never read: its state says why, and there is nothing to diagnose.
        assert_eq!(
            objects[1].state,
            "could not read it yet: connection refused"
        );
        assert!(objects[1].details.is_empty());
        let lines = recorder.lines();
        assert!(
            lines.contains(
                &"deployment/backend failed: not ready after 20ms (1/2 replicas ready)".to_string()
            ),
            "{lines:?}"
        );
    }

    #[tokio::test]
    async fn a_refused_read_ends_the_wait_with_the_api_error() {
        let script = Script::new(vec![("pod/web", vec![Poll::Fatal("forbidden".into())])]);
        let recorder = Recorder::default();
        let err = run(
            &script,
            &[target("Pod", "web")],
            Goal::Ready,
            Duration::from_secs(30),
            &recorder,
        )
        .await
        .expect_err("forbidden");
        assert_eq!(
            err.to_string(),
            "could not read pod/web from the cluster: forbidden"
        );
        assert_eq!(
            recorder.lines(),
            ["pod/web started", "pod/web failed: forbidden"]
        );
    }

    #[tokio::test]
    async fn deletions_are_waited_for_every_kind_until_the_object_is_gone() {
        let script = Script::new(vec![
            (
                "configmap/backend-config",
                vec![
                    seen(waiting("waiting for finalizers: example.com/hold"), 1),
                    Poll::Seen(State::Ready, Value::Null),
                ],
            ),
            (
                "service/backend-service",
                vec![Poll::Seen(State::Ready, Value::Null)],
            ),
        ]);
        let targets = [
            target("ConfigMap", "backend-config"),
            target("Service", "backend-service"),
        ];
        let recorder = Recorder::default();
        run(
            &script,
            &targets,
            Goal::Deleted,
            Duration::from_secs(30),
            &recorder,
        )
        .await
        .expect("all gone");
        assert_eq!(
            recorder.lines(),
            [
                "configmap/backend-config started",
                "service/backend-service started",
                "configmap/backend-config: waiting for finalizers: example.com/hold",
                "service/backend-service deleted",
                "configmap/backend-config deleted",
            ]
        );
        // Pods are never looked at for a deletion.
        assert!(script.checks.lock().unwrap().iter().all(|c| !c));
    }

    #[tokio::test]
    async fn a_deletion_past_the_deadline_names_the_objects_left() {
        let script = Script::new(vec![(
            "configmap/backend-config",
            vec![seen(waiting("waiting for finalizers: example.com/hold"), 1)],
        )]);
        let recorder = Recorder::default();
        let err = run(
            &script,
            &[target("ConfigMap", "backend-config")],
            Goal::Deleted,
            Duration::from_millis(20),
            &recorder,
        )
        .await
        .expect_err("a timeout");
        assert_eq!(
            err.to_string(),
            "timed out after 20ms waiting for 1 of 1 object to be deleted:\n  \
             configmap/backend-config: waiting for finalizers: example.com/hold\n\
             a finalizer is removed by the controller that set it: check that it runs, or raise \
             --timeout"
        );
        assert!(matches!(
            err.into_anyhow().downcast_ref::<crate::error::Failure>(),
            Some(crate::error::Failure::Timeout(_))
        ));
        assert_eq!(
            recorder.lines().last().map(String::as_str),
            Some(
                "configmap/backend-config failed: not deleted after 20ms (waiting for finalizers: example.com/hold)"
            )
        );
    }
}
