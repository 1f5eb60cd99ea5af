//! Knowing when applied objects are ready (or gone), and saying exactly why when they are not.
//! Split the way kstatus splits `pkg/kstatus/status` and `pkg/kstatus/polling`:
//!
//! - [`rules`]: readiness rules per kind (kubectl's rollout-status rules for workloads), chosen by
//!   the kinds table's `readiness` column; pure functions of the live object.
//! - [`pods`]: which pods belong to a workload's current rollout, and which of them cannot
//!   recover (the fail-fast table).
//! - [`diagnose`]: why an object is not ready, in lines for a person (pods, log tails, events).
//! - [`wait`]: the engine that watches objects (and polls them as a backstop) until each
//!   reaches its goal (ready, or deleted) and reports every change to an [`Observer`]; the
//!   terminal progress is one observer.
//! - [`error`]: how a wait that did not succeed is told.

pub mod diagnose;
pub mod error;
pub mod pods;
pub mod rules;
pub mod wait;

use serde_json::Value;

pub use diagnose::diagnose;
pub use error::{Unready, WaitError};
pub use rules::assess;
pub use wait::{Event, Goal, Observer, WaitTarget, wait_deleted, wait_ready};

/// Where an object stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Ready,
    /// Not yet ready, with a short status such as `1/2 replicas ready`.
    Waiting(String),
    /// Will not become ready without a change, such as `job failed: BackoffLimitExceeded`.
    Failed(String),
}

impl State {
    /// The short status shown next to the object.
    pub fn text(&self) -> &str {
        match self {
            State::Ready => "ready",
            State::Waiting(s) | State::Failed(s) => s,
        }
    }
}

pub(super) fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

pub(super) fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// `status.conditions[type == kind]`.
pub(super) fn condition<'a>(v: &'a Value, kind: &str) -> Option<&'a Value> {
    v.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

pub(super) fn condition_true(v: &Value, kind: &str) -> bool {
    condition(v, kind).and_then(|c| text(c, "/status")) == Some("True")
}

/// `reason: message` of a condition, or whichever of the two is there.
pub(super) fn reason_message(v: &Value) -> String {
    let reason = text(v, "/reason").unwrap_or_default();
    let message = text(v, "/message").unwrap_or_default().trim();
    match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason} ({})", message.trim_end_matches('.')),
        (false, true) => reason.to_string(),
        (true, false) => message.trim_end_matches('.').to_string(),
        (true, true) => "no reason given".to_string(),
    }
}

pub(super) use crate::ui::plural;

/// Objects shared by the unit tests of the submodules.
#[cfg(test)]
pub(crate) mod fixtures {
    use serde_json::{Value, json};

    /// A pod of `deployment/backend` whose container `api` waits in `reason`.
    pub fn crashing_pod(name: &str, reason: &str, restarts: i64) -> Value {
        json!({
            "metadata": { "name": name, "labels": { "app": "backend", "pod-template-hash": "new" } },
            "status": {
                "phase": "Running",
                "conditions": [{ "type": "PodScheduled", "status": "True" },
                               { "type": "Ready", "status": "False", "reason": "ContainersNotReady" }],
                "containerStatuses": [{
                    "name": "api", "ready": false, "restartCount": restarts,
                    "lastState": { "terminated": { "exitCode": 1, "reason": "Error" } },
                    "state": { "waiting": { "reason": reason,
                        "message": "back-off 40s restarting failed container" } },
                }],
            },
        })
    }
}
