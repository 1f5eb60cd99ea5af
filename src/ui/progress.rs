//! Progress of a rollout on stderr: one spinner line per object on a terminal, plain timestamped
//! lines elsewhere (CI logs, pipes), nothing at all when hidden. Stdout is never touched: it
//! carries data.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::Scrubber;

use crate::cluster::readiness::{Event, Observer};

/// How often a spinner turns; slower would look stuck, faster only costs redraws.
const TICK: Duration = Duration::from_millis(120);

const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏", " "];

/// Where progress goes. Cheap to clone; every clone writes to the same lines.
#[derive(Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

struct Inner {
    mode: Mode,
    lines: Mutex<Lines>,
    /// The UI's scrubber: object states quote the cluster, which may quote a secret back.
    scrubber: Scrubber,
}

enum Mode {
    Hidden,
    /// A log: one timestamped line per change of state.
    Plain,
    Bars(MultiProgress),
}

#[derive(Default)]
struct Lines {
    by_reference: HashMap<String, Line>,
    /// The widest reference so far, so the states line up in one column.
    width: usize,
}

struct Line {
    bar: Option<ProgressBar>,
    last: String,
    finished: bool,
}

impl Progress {
    /// Spinners when `enabled_bars` (the caller passes `!--no-progress`) and stderr is a terminal;
    /// plain timestamped lines on stderr otherwise; every line scrubbed by `scrubber`.
    pub fn new(enabled_bars: bool, scrubber: Scrubber) -> Progress {
        let mode = if enabled_bars && super::stderr_is_terminal() {
            Mode::Bars(MultiProgress::new())
        } else {
            Mode::Plain
        };
        Progress::with_mode(mode, scrubber)
    }

    /// Prints nothing: for tests and for `--output json`, where stderr should stay quiet.
    pub fn hidden() -> Progress {
        // Nothing is printed, so nothing needs scrubbing.
        Progress::with_mode(Mode::Hidden, Scrubber::default())
    }

    fn with_mode(mode: Mode, scrubber: Scrubber) -> Progress {
        Progress {
            inner: Arc::new(Inner {
                mode,
                lines: Mutex::new(Lines::default()),
                scrubber,
            }),
        }
    }

    /// Creates the line of `reference` (`deployment/backend`), showing "waiting", if it is new.
    pub fn ensure(&self, reference: &str) {
        self.inner.ensure(reference);
    }

    /// Shows `state` (`1/2 replicas ready`) for the object; plain output prints only changes.
    pub fn update(&self, reference: &str, state: &str) {
        self.inner.update(reference, state);
    }

    /// Marks the object ready.
    pub fn done(&self, reference: &str) {
        self.inner.finish(reference, true, "ready");
    }

    /// Marks the object failed, with the reason.
    pub fn failed(&self, reference: &str, why: &str) {
        self.inner.finish(reference, false, why);
    }

    /// A general status line, such as `applying wave 2 of 3 (2 objects)`.
    pub fn message(&self, text: &str) {
        let text = &self.inner.scrubber.scrub(&super::one_line(text));
        match &self.inner.mode {
            Mode::Hidden => {}
            Mode::Plain => plain_line(format_args!("{} {text}", clock())),
            // Printed above the spinners; if the terminal went away, fall back to a plain line.
            Mode::Bars(multi) => {
                if multi.println(text).is_err() {
                    plain_line(format_args!("{text}"));
                }
            }
        }
    }
}

/// The terminal side of the wait engine: one line per object, as for any other progress.
impl Observer for Progress {
    fn notify(&self, event: &Event<'_>) {
        match *event {
            Event::Started { reference } => self.inner.ensure(reference),
            Event::Progress { reference, state } => self.update(reference, state),
            Event::Reached { reference, goal } => {
                self.inner.finish(reference, true, goal.reached())
            }
            Event::Failed { reference, why } => self.failed(reference, why),
        }
    }
}

impl Inner {
    /// A poisoned lock only means another thread panicked mid-update; the lines are still usable.
    fn lock(&self) -> MutexGuard<'_, Lines> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ensure(&self, reference: &str) {
        let mut lines = self.lock();
        self.ensure_locked(&mut lines, reference);
    }

    fn ensure_locked(&self, lines: &mut Lines, reference: &str) {
        if lines.by_reference.contains_key(reference) {
            return;
        }
        let width = lines.width.max(reference.chars().count());
        let bar = match &self.mode {
            // Styled before it is added, so no frame is drawn without the object's name.
            Mode::Bars(multi) => {
                let bar = ProgressBar::new_spinner()
                    .with_style(spinner_style(width))
                    .with_prefix(reference.to_string())
                    .with_message("waiting");
                let bar = multi.add(bar);
                bar.enable_steady_tick(TICK);
                Some(bar)
            }
            _ => None,
        };
        lines.by_reference.insert(
            reference.to_string(),
            Line {
                bar,
                last: String::new(),
                finished: false,
            },
        );
        if width > lines.width {
            lines.width = width;
            // Restyle every spinner so the state column stays aligned as longer names arrive.
            for line in lines.by_reference.values() {
                if let (Some(bar), false) = (&line.bar, line.finished) {
                    bar.set_style(spinner_style(width));
                }
            }
        }
    }

    fn update(&self, reference: &str, state: &str) {
        let mut lines = self.lock();
        self.ensure_locked(&mut lines, reference);
        let Some(line) = lines.by_reference.get_mut(reference) else {
            return;
        };
        if line.finished || line.last == state {
            return;
        }
        line.last = state.to_string();
        let state = &self.scrubber.scrub(&super::one_line(state));
        match (&self.mode, &line.bar) {
            (Mode::Bars(_), Some(bar)) => bar.set_message(state.to_string()),
            (Mode::Plain, _) => plain_line(format_args!("{} {reference}: {state}", clock())),
            _ => {}
        }
    }

    fn finish(&self, reference: &str, ok: bool, text: &str) {
        let mut lines = self.lock();
        self.ensure_locked(&mut lines, reference);
        let width = lines.width;
        let Some(line) = lines.by_reference.get_mut(reference) else {
            return;
        };
        if line.finished {
            return;
        }
        line.finished = true;
        line.last = text.to_string();
        let text = &self.scrubber.scrub(&super::one_line(text));
        match (&self.mode, &line.bar) {
            (Mode::Bars(_), Some(bar)) => {
                bar.set_style(finished_style(width, if ok { "✔" } else { "✘" }));
                bar.finish_with_message(text.to_string());
            }
            (Mode::Plain, _) => plain_line(format_args!("{} {reference}: {text}", clock())),
            _ => {}
        }
    }
}

/// One plain line on stderr, already scrubbed.
fn plain_line(args: std::fmt::Arguments<'_>) {
    super::out::stderr_fmt(format_args!("{args}\n"));
}

fn spinner_style(width: usize) -> ProgressStyle {
    // The template is a constant; the fallback only guards against a future indicatif change.
    ProgressStyle::with_template(&format!("{{spinner}} {{prefix:<{width}}}  {{msg}}"))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .tick_strings(SPINNER)
}

fn finished_style(width: usize, mark: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!("{mark} {{prefix:<{width}}}  {{msg}}"))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// Local wall-clock time, `04:12:31`: enough to read a CI log against the cluster's events.
fn clock() -> String {
    jiff::Zoned::now().strftime("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn progress_is_shared_across_tasks() {
        assert_send_sync::<Progress>();
    }

    #[test]
    fn plain_lines_are_recorded_only_on_change() {
        let progress = Progress::hidden();
        let line = "deployment/backend";
        progress.ensure(line);
        progress.update(line, "1/2 replicas ready");
        progress.update(line, "1/2 replicas ready");
        progress.update(line, "2/2 replicas ready");
        progress.done(line);
        // Finished lines keep their last word: a late update does not revive them.
        progress.update(line, "0/2 replicas ready");
        let lines = progress.inner.lock();
        let state = &lines.by_reference["deployment/backend"];
        assert!(state.finished);
        assert_eq!(state.last, "ready");
        assert_eq!(lines.width, "deployment/backend".len());
    }

    #[test]
    fn clock_is_hours_minutes_seconds() {
        let text = clock();
        assert_eq!(text.len(), 8, "{text}");
        assert_eq!(text.matches(':').count(), 2, "{text}");
    }
}
