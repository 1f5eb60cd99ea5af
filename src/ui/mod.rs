//! Terminal output: stdout carries data, stderr carries status and progress.

pub mod out;
pub mod progress;
pub mod redact;
pub mod table;
pub mod time;

use std::sync::atomic::{AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);

/// Whether stderr is a terminal, so progress bars and colour are worth drawing.
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// `text` on one line: every line break, with the whitespace around it, becomes one space.
///
/// Messages from the cluster (kubelet waiting reasons, events, conditions, API errors) may end
/// in or contain a newline (`back-off 40s restarting failed container=backend\n`); shown
/// inside a progress line, a status row or an error's list they would break it.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for part in text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    std::borrow::Cow::Owned(out)
}

/// Set once from `-v` flags.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// A `-v` log line on stderr, timestamped and scrubbed of secrets.
pub fn verbose(level: u8, message: impl AsRef<str>) {
    if VERBOSITY.load(Ordering::Relaxed) >= level {
        let now = jiff::Zoned::now();
        crate::errln!(
            "{} {}",
            now.strftime("%H:%M:%S%.3f"),
            redact::scrub(message.as_ref())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn cluster_messages_fold_onto_one_line() {
        assert_eq!(
            one_line("back-off 40s restarting failed container=backend\n"),
            "back-off 40s restarting failed container=backend"
        );
        assert_eq!(
            one_line("admission webhook denied:\r\n  field a\n\n  field b "),
            "admission webhook denied: field a field b"
        );
        assert_eq!(
            one_line("  spaced  already one line "),
            "  spaced  already one line "
        );
    }
}
