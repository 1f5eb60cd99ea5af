//! Terminal output: stdout carries data, stderr carries status and progress.

pub mod progress;
pub mod redact;
pub mod table;

use std::sync::atomic::{AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);

/// Whether stderr is a terminal, so progress bars and colour are worth drawing.
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Set once from `-v` flags.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// A `-v` log line on stderr, timestamped and scrubbed of secrets.
pub fn verbose(level: u8, message: impl AsRef<str>) {
    if VERBOSITY.load(Ordering::Relaxed) >= level {
        let now = jiff::Zoned::now();
        eprintln!(
            "{} {}",
            now.strftime("%H:%M:%S%.3f"),
            redact::scrub(message.as_ref())
        );
    }
}
