//! How a wait that did not succeed is told: every object still short of its goal, with its
//! state and diagnosis, and the next step. A timeout exits with code 3 (see
//! [`crate::error::report`]).

use std::fmt;
use std::time::Duration;

use super::plural;
use crate::error::Failure;

/// An object that did not become ready, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unready {
    pub reference: String,
    pub state: String,
    pub details: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The deadline passed with objects still unready. Exit code 3 through [`Self::into_anyhow`].
    Timeout {
        after: Duration,
        /// How many objects the wait was for, to say "2 of 7".
        total: usize,
        objects: Vec<Unready>,
    },
    /// Objects that will not become ready without a change.
    Failed { total: usize, objects: Vec<Unready> },
    /// The deadline passed with deleted objects still in the cluster, each with where it stands
    /// (`waiting for finalizers: example.com/hold`, `being deleted`). Exit code 3 through
    /// [`Self::into_anyhow`].
    NotDeleted {
        after: Duration,
        /// How many objects the wait was for, to say "1 of 3".
        total: usize,
        objects: Vec<Unready>,
    },
    /// The API server refused a read for a reason that retrying will not fix (forbidden, ...).
    Api { reference: String, message: String },
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let objects = match self {
            WaitError::Timeout {
                after,
                total,
                objects,
            } => {
                writeln!(
                    f,
                    "timed out after {} waiting for {} of {} to become ready:",
                    go_duration(*after),
                    objects.len(),
                    plural(*total as i64, "object")
                )?;
                objects
            }
            WaitError::Failed { total, objects } => {
                writeln!(
                    f,
                    "{} of {} will not become ready:",
                    objects.len(),
                    plural(*total as i64, "object")
                )?;
                objects
            }
            WaitError::NotDeleted {
                after,
                total,
                objects,
            } => {
                writeln!(
                    f,
                    "timed out after {} waiting for {} of {} to be deleted:",
                    go_duration(*after),
                    objects.len(),
                    plural(*total as i64, "object")
                )?;
                objects
            }
            WaitError::Api { reference, message } => {
                return write!(
                    f,
                    "could not read {reference} from the cluster: {}",
                    crate::ui::one_line(message)
                );
            }
        };
        // One line per object and per detail, whatever line breaks the cluster's messages hold.
        for o in objects {
            writeln!(f, "  {}: {}", o.reference, crate::ui::one_line(&o.state))?;
            for line in &o.details {
                writeln!(f, "    {}", crate::ui::one_line(line))?;
            }
        }
        match self {
            WaitError::Timeout { .. } => write!(
                f,
                "raise --timeout, or check the objects above (todoctl status shows them too)"
            ),
            // A finalizer is removed by the controller that set it; nothing todoctl does helps.
            WaitError::NotDeleted { .. } => write!(
                f,
                "a finalizer is removed by the controller that set it: check that it runs, or \
                 raise --timeout"
            ),
            _ => write!(
                f,
                "fix the cause above and apply again; waiting longer would not help"
            ),
        }
    }
}

impl WaitError {
    /// As an `anyhow::Error` whose exit code is 3 for a timeout (see `crate::error::report`).
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            WaitError::Timeout { .. } | WaitError::NotDeleted { .. } => {
                anyhow::Error::from(Failure::Timeout(self.to_string()))
            }
            other => anyhow::Error::from(other),
        }
    }
}

/// `5m0s`, `1h2m3s`, `1.5s`, `250ms`: Go's notation, which `--timeout` takes too.
pub(super) fn go_duration(d: Duration) -> String {
    let total = d.as_secs();
    let millis = d.subsec_millis();
    if total == 0 {
        return format!("{millis}ms");
    }
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let seconds = if millis == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{}s", format!("{millis:03}").trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cluster::readiness::diagnose::describe_pod;
    use crate::cluster::readiness::fixtures::crashing_pod;

    #[test]
    fn error_paragraphs() {
        let err = WaitError::Timeout {
            after: Duration::from_secs(300),
            total: 7,
            objects: vec![
                Unready {
                    reference: "deployment/backend".into(),
                    state: "1/2 replicas ready".into(),
                    details: vec![
                        "pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff".into(),
                    ],
                },
                Unready {
                    reference: "persistentvolumeclaim/data".into(),
                    state: "pvc pending".into(),
                    details: vec![],
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "timed out after 5m0s waiting for 2 of 7 objects to become ready:\n  \
             deployment/backend: 1/2 replicas ready\n    \
             pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff\n  \
             persistentvolumeclaim/data: pvc pending\n\
             raise --timeout, or check the objects above (todoctl status shows them too)"
        );
        let anyhow = err.into_anyhow();
        assert!(matches!(
            anyhow.downcast_ref::<Failure>(),
            Some(Failure::Timeout(_))
        ));

        let failed = WaitError::Failed {
            total: 1,
            objects: vec![Unready {
                reference: "job/migrate".into(),
                state: "job failed: BackoffLimitExceeded".into(),
                details: vec![],
            }],
        };
        assert_eq!(
            failed.to_string(),
            "1 of 1 object will not become ready:\n  job/migrate: job failed: \
             BackoffLimitExceeded\nfix the cause above and apply again; waiting longer would \
             not help"
        );
        assert!(failed.into_anyhow().downcast_ref::<Failure>().is_none());
    }

    #[test]
    fn cluster_messages_with_line_breaks_stay_on_their_lines() {
        let mut pod = crashing_pod("backend-7c9f-x2k", "CrashLoopBackOff", 3);
        pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"] =
            json!("back-off 40s restarting failed\ncontainer=backend\n");
        let line = describe_pod(&pod);
        assert_eq!(
            line,
            "pod backend-7c9f-x2k: container \"api\" CrashLoopBackOff (back-off 40s restarting \
             failed container=backend), restarted 3 times, last exit: Error, exit code 1"
        );
        let err = WaitError::Failed {
            total: 1,
            objects: vec![Unready {
                reference: "deployment/backend".into(),
                state: "0/2 replicas ready,\nnew pods cannot start".into(),
                details: vec!["event: BackOff: Back-off restarting\r\nfailed container\n".into()],
            }],
        };
        assert_eq!(
            err.to_string(),
            "1 of 1 object will not become ready:\n  \
             deployment/backend: 0/2 replicas ready, new pods cannot start\n    \
             event: BackOff: Back-off restarting failed container\n\
             fix the cause above and apply again; waiting longer would not help"
        );
        let api = WaitError::Api {
            reference: "deployment/backend".into(),
            message: "forbidden:\nno access".into(),
        };
        assert!(!api.to_string().contains('\n'), "{api}");
    }

    #[test]
    fn durations_read_like_go() {
        for (d, want) in [
            (Duration::from_secs(300), "5m0s"),
            (Duration::from_secs(5), "5s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_millis(250), "250ms"),
            (Duration::from_secs(3723), "1h2m3s"),
        ] {
            assert_eq!(go_duration(d), want);
        }
    }
}
