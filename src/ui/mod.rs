//! Terminal output: stdout carries data, stderr carries status and progress. Everything goes
//! through one [`Ui`], which the command layer builds and every operation receives; it owns the
//! `-v` level and the secret [`Scrubber`], so no line leaves todoctl unscrubbed.

pub mod out;
pub mod progress;
pub mod scrub;
pub mod table;
pub mod time;

use anyhow::Result;
use serde_json::Value;

use self::progress::Progress;
pub use self::scrub::Scrubber;

/// Where one run of todoctl writes: data on stdout, status, progress, warnings and `-v` logs on
/// stderr, each line scrubbed of every secret value remembered so far. Cheap to clone; clones
/// share the scrubber and the progress lines (jj passes its `Ui` to every command the same way).
#[derive(Clone)]
pub struct Ui {
    /// How many `-v` flags were given: lines of [`verbose`](Self::verbose) up to this level show.
    verbosity: u8,
    scrubber: Scrubber,
    pub progress: Progress,
}

impl std::fmt::Debug for Ui {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ui")
            .field("verbosity", &self.verbosity)
            .field("scrubber", &self.scrubber)
            .finish_non_exhaustive()
    }
}

impl Ui {
    /// A UI at `-v` level `verbosity` with a fresh scrubber and no progress lines (warnings,
    /// notices, data and logs are still written).
    pub fn new(verbosity: u8) -> Ui {
        Ui {
            verbosity,
            scrubber: Scrubber::default(),
            progress: Progress::hidden(),
        }
    }

    /// [`Ui::new`] at level 0: for unit tests and library callers that want no status lines.
    pub fn quiet() -> Ui {
        Ui::new(0)
    }

    /// This UI with progress lines on stderr: spinners when `bars` (`!--no-progress`) and
    /// stderr is a terminal, timestamped plain lines otherwise. Shares the scrubber.
    pub fn with_progress(&self, bars: bool) -> Ui {
        Ui {
            progress: Progress::new(bars, self.scrubber.clone()),
            ..self.clone()
        }
    }

    pub fn scrubber(&self) -> &Scrubber {
        &self.scrubber
    }

    /// `text` with every remembered secret replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }

    /// Remembers the values of a Secret object, to be scrubbed from all later output.
    pub fn remember_object(&self, object: &Value) {
        self.scrubber.remember_object(object);
    }

    /// Remembers the values at the given dotted paths (a chart schema's secret values).
    pub fn remember_values(&self, values: &Value, paths: &[String]) {
        self.scrubber.remember_values(values, paths);
    }

    /// A status line (`applying wave 2 of 3`); hidden where progress is hidden.
    pub fn status(&self, text: &str) {
        self.progress.message(text);
    }

    /// `warning: <text>` on stderr, always shown: something went wrong that does not fail the
    /// operation.
    pub fn warn(&self, text: &str) {
        out::stderr_fmt(format_args!("warning: {}\n", self.scrub(text)));
    }

    /// A line on stderr that is always shown, such as what a signal does.
    pub fn notice(&self, text: &str) {
        out::stderr_fmt(format_args!("{}\n", self.scrub(text)));
    }

    /// A `-v` log line on stderr (shown from `level` `-v` flags on), timestamped.
    pub fn verbose(&self, level: u8, message: impl AsRef<str>) {
        if self.verbosity >= level {
            let now = jiff::Zoned::now();
            out::stderr_fmt(format_args!(
                "{} {}\n",
                now.strftime("%H:%M:%S%.3f"),
                self.scrub(message.as_ref())
            ));
        }
    }

    /// Formatted stderr, scrubbed; the body of [`errln!`](crate::errln). Never fails: a status
    /// line is dropped when stderr is gone.
    pub fn err_fmt(&self, args: std::fmt::Arguments<'_>) {
        out::stderr_fmt(format_args!("{}", self.scrub(&args.to_string())));
    }

    /// Writes data to stdout, scrubbed. A closed pipe is not an error (see [`out`]).
    pub fn out(&self, text: &str) -> Result<()> {
        out::stdout_str(&self.scrub(text))
    }

    /// Formatted stdout, scrubbed; the body of [`out!`](crate::out) and [`outln!`](crate::outln).
    pub fn out_fmt(&self, args: std::fmt::Arguments<'_>) -> Result<()> {
        match args.as_str() {
            Some(s) => self.out(s),
            None => self.out(&args.to_string()),
        }
    }

    /// Bytes for stdout (a chart's files): scrubbed when they are text, as they are otherwise
    /// (no remembered secret is binary).
    pub fn out_bytes(&self, bytes: &[u8]) -> Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(text) if !self.scrubber.is_empty() => self.out(text),
            _ => out::stdout_bytes(bytes),
        }
    }

    /// Writes data the user asked to see with its secret values, unscrubbed: `template`'s
    /// objects (as `helm template` prints them) and `--show-secrets` output. Everything else
    /// goes through [`out`](Self::out).
    pub fn out_with_secrets(&self, text: &str) -> Result<()> {
        out::stdout_str(text)
    }
}

/// Whether stderr is a terminal, so progress bars and colour are worth drawing.
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// A count and its noun: `1 object`, `0 objects`, `2 objects` (the noun's plural is its
/// singular with an `s`).
pub fn plural<N>(n: N, word: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    if n == N::from(1) {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
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
