//! The context every cluster operation receives, built once by the command layer: the cluster
//! connection, the UI, the stop token and the clock. Nothing below reaches for a process-wide
//! static to find them, so an operation can be run twice in one process (tests) and every way of
//! stopping it (a signal, a lost lock) reaches the same checks.

use kube::Client;

use crate::cancel::StopToken;
use crate::cluster::Cluster;
pub use crate::ui::Ui;

/// What an operation needs from the world around it (Helm's `action.Configuration`). Cheap to
/// clone: every clone shares the client's connections, the discovery catalogue, the UI's
/// scrubber and progress lines, and the stop token.
#[derive(Clone)]
pub struct Context {
    /// The API server: client, URL and discovery catalogue.
    pub cluster: Cluster,
    /// Data on stdout, status on stderr, every line scrubbed of remembered secrets.
    pub ui: Ui,
    /// Fires on SIGINT/SIGTERM and when the release lock is lost; deploy, wait and record
    /// check it before every write.
    pub stop: StopToken,
    pub clock: Clock,
}

impl Context {
    /// A context with the system clock and a fresh stop token that only `stop.fire` fires
    /// (the command layer also hooks it to the signals).
    pub fn new(cluster: Cluster, ui: Ui) -> Context {
        Context {
            cluster,
            ui,
            stop: StopToken::new(),
            clock: Clock::System,
        }
    }

    /// The cluster's client, for requests outside the cluster module.
    pub fn client(&self) -> &Client {
        &self.cluster.client
    }
}

/// Where operations read the time for records: the system clock, or a fixed instant in unit
/// tests so records compare equal.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(jiff::Timestamp),
}

impl Clock {
    pub fn now(&self) -> jiff::Timestamp {
        match self {
            Clock::System => jiff::Timestamp::now(),
            Clock::Fixed(t) => *t,
        }
    }
}
