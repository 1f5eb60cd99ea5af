//! The context every cluster operation receives, built once by the command layer: the client,
//! the UI, the stop token and the clock. Nothing below reaches for a process-wide static to
//! find them, so an operation can be run twice in one process (tests) and every way of stopping
//! it (a signal, a lost lock) reaches the same checks.

use kube::Client;

use crate::cancel::StopToken;
use crate::ui::progress::Progress;

/// What an operation needs from the world around it. Cheap to clone: every clone shares the
/// client's connections, the progress lines and the stop token.
#[derive(Clone)]
pub struct Context {
    pub client: Client,
    pub ui: Ui,
    /// Fires on SIGINT/SIGTERM and when the release lock is lost; deploy, wait and record
    /// check it before every write.
    pub stop: StopToken,
    pub clock: Clock,
}

impl Context {
    /// A context with the system clock and a fresh stop token that only `stop.fire` fires
    /// (the command layer also hooks it to the signals).
    pub fn new(client: Client, ui: Ui) -> Context {
        Context {
            client,
            ui,
            stop: StopToken::new(),
            clock: Clock::System,
        }
    }
}

/// Status output on stderr, scrubbed of every remembered secret before it is written. Stdout
/// carries data and is written by the command layer, not by operations.
#[derive(Clone)]
pub struct Ui {
    pub progress: Progress,
}

impl Ui {
    pub fn new(progress: Progress) -> Ui {
        Ui { progress }
    }

    /// A UI that prints no status lines (warnings and notices still go to stderr).
    pub fn quiet() -> Ui {
        Ui::new(Progress::hidden())
    }

    /// A status line (`applying wave 2 of 3`); hidden where progress is hidden.
    pub fn status(&self, text: &str) {
        self.progress.message(text);
    }

    /// `warning: <text>` on stderr, always shown: something went wrong that does not fail the
    /// operation.
    pub fn warn(&self, text: &str) {
        crate::ui::out::stderr_fmt(format_args!(
            "warning: {}\n",
            crate::ui::redact::scrub(text)
        ));
    }

    /// A line on stderr that is always shown, such as what a signal does.
    pub fn notice(&self, text: &str) {
        crate::ui::out::stderr_fmt(format_args!("{}\n", crate::ui::redact::scrub(text)));
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
