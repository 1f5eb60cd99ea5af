//! The one way todoctl writes to stdout and stderr, below [`Ui`](super::Ui): the UI scrubs a
//! line, this writes it. Nothing outside `ui` calls these writers; code writes through its UI.
//!
//! `println!` panics when its reader has gone away (`todoctl history | head -1` closes the pipe
//! after one line, and the next write fails with EPIPE). Here a closed stdout means the reader
//! has what it wanted: the rest of the data is dropped without a word and the command finishes
//! with the exit code it would have had (0 on success), as ripgrep does. Any other write
//! error (a full disk behind a redirect) is an error. Status lines on stderr never fail a
//! command: when stderr is gone, they are dropped.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;

/// Set once stdout's reader is gone; later writes are skipped without a system call.
///
/// The one process-wide flag left, on purpose: it describes the process's real stdout (file
/// descriptor 1), of which there is one however many UIs write to it, and once its reader has
/// gone it is gone for every one of them.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout and flushes it. A closed pipe is not an error (see the module
/// documentation); any other failure is, naming stdout.
pub(super) fn stdout_str(text: &str) -> Result<()> {
    stdout_bytes(text.as_bytes())
}

/// [`stdout_str`] for bytes that are printed as they are (a chart's files).
pub(super) fn stdout_bytes(bytes: &[u8]) -> Result<()> {
    write_to(&mut io::stdout().lock(), bytes, &STDOUT_CLOSED)
        .map_err(|e| anyhow::anyhow!("writing to stdout: {e}"))
}

/// Writes to stderr, dropping the text when stderr cannot be written.
pub(super) fn stderr_fmt(args: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.flush());
}

/// Writes `bytes` unless the reader is known to be gone; EPIPE marks it gone and is not an error.
fn write_to(w: &mut impl Write, bytes: &[u8], closed: &AtomicBool) -> io::Result<()> {
    if closed.load(Ordering::Relaxed) {
        return Ok(());
    }
    match w.write_all(bytes).and_then(|()| w.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            closed.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => other,
    }
}

/// `print!` through a UI (`out!(ui, "...")`): scrubbed, and quiet when stdout's reader is gone;
/// evaluates to `anyhow::Result<()>`.
#[macro_export]
macro_rules! out {
    ($ui:expr, $($arg:tt)*) => {
        $ui.out_fmt(format_args!($($arg)*))
    };
}

/// `println!` through a UI (`outln!(ui, "...")`): scrubbed, and quiet when stdout's reader is
/// gone; evaluates to `anyhow::Result<()>`.
#[macro_export]
macro_rules! outln {
    ($ui:expr) => {
        $ui.out("\n")
    };
    ($ui:expr, $($arg:tt)*) => {
        $ui.out_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` through a UI (`errln!(ui, "...")`): scrubbed, and never panics (a status line is
/// dropped when stderr is gone).
#[macro_export]
macro_rules! errln {
    ($ui:expr, $($arg:tt)*) => {
        $ui.err_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose reader left after `room` bytes.
    struct Pipe {
        room: usize,
        got: Vec<u8>,
        other: Option<io::ErrorKind>,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if let Some(kind) = self.other {
                return Err(kind.into());
            }
            if self.got.len() >= self.room {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room - self.got.len());
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_gone_reader_ends_output_quietly_and_for_good() {
        let closed = AtomicBool::new(false);
        let mut pipe = Pipe {
            room: 4,
            got: vec![],
            other: None,
        };
        write_to(&mut pipe, b"one\ntwo\n", &closed).expect("EPIPE is not an error");
        assert!(closed.load(Ordering::Relaxed));
        pipe.room = 100;
        write_to(&mut pipe, b"three\n", &closed).expect("skipped");
        assert_eq!(
            pipe.got, b"one\n",
            "nothing is written after the reader left"
        );
    }

    #[test]
    fn other_write_errors_are_errors() {
        let closed = AtomicBool::new(false);
        let mut full = Pipe {
            room: 100,
            got: vec![],
            other: Some(io::ErrorKind::StorageFull),
        };
        let err = write_to(&mut full, b"x", &closed).expect_err("a full disk fails the command");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert!(!closed.load(Ordering::Relaxed));
    }
}
