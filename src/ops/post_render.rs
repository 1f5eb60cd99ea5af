//! `--post-renderer`: an outside program that rewrites the rendered objects before they are
//! validated and applied (Helm's hook for kustomize and friends). It reads the rendered YAML
//! documents on stdin and writes YAML documents on stdout.
//!
//! The program sees every rendered object, Secrets and their values included: run only programs
//! you trust with them. Its stderr is shown when it fails; like every error it reaches the user
//! through `error::report`, which scrubs it of every secret value todoctl knows.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use crate::cancel::StopToken;
use crate::error::{Error, Kind};

/// How long a post-renderer may run unless `TODOCTL_POST_RENDERER_TIMEOUT` (seconds) says
/// otherwise: kustomize takes well under a second; a program that takes this long is stuck.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of a failing post-renderer's stderr shown in the error: its last ones, where the
/// reason usually is.
const STDERR_LINES: usize = 20;

/// A post-renderer: a command (a path, or a name looked up on $PATH) and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRenderer {
    pub command: String,
    pub args: Vec<String>,
}

impl PostRenderer {
    /// The command line as recorded in a revision and shown in messages: `kustomize-wrap --x`.
    pub fn display(&self) -> String {
        std::iter::once(self.command.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// [`DEFAULT_TIMEOUT`], or `TODOCTL_POST_RENDERER_TIMEOUT` seconds.
    pub fn timeout_from_env() -> Result<Duration> {
        match std::env::var("TODOCTL_POST_RENDERER_TIMEOUT") {
            Err(_) => Ok(DEFAULT_TIMEOUT),
            Ok(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    anyhow!(
                        "TODOCTL_POST_RENDERER_TIMEOUT is `{s}`; give a whole number of seconds, e.g. 60"
                    )
                }),
        }
    }

    /// Runs the program with `input` on stdin and returns its stdout. Blocks the calling thread
    /// until it ends: call it off the async workers (`spawn_blocking`).
    ///
    /// Errors, each naming the command: it cannot be started (not found, not executable); it
    /// exits non-zero or is killed by a signal (with the end of its stderr, which
    /// `error::report` scrubs of secrets as it prints it); it runs longer than `timeout` (it
    /// and its children are killed); its output is not UTF-8; `stop` fires while it runs (it
    /// and its children are killed; the error is of kind `Interrupted` after a signal, the
    /// lock-lost error after a lost lock). The program runs in its own process group, so a
    /// Ctrl-C at the terminal reaches only todoctl, and `stop` is how it reaches the program.
    pub fn run(&self, input: &str, timeout: Duration, stop: &StopToken) -> Result<String> {
        let shown = self.display();
        // Stopped before it starts (a signal during rendering): nothing to kill.
        stop.check().map_err(|e| stopped(&shown, e))?;
        let mut command = Command::new(&self.command);
        command
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so a timeout kills whatever it started too (a shell script's
        // children would otherwise keep running and hold its output open).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|e| {
            anyhow!(
                "--post-renderer `{shown}` could not be started: {e}; give the path of an executable, or the name of one on $PATH"
            )
        })?;

        // stdin, stdout and stderr each on their own thread: a program that writes before it
        // has read everything must not deadlock against us.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input = input.as_bytes().to_vec();
        let writer = std::thread::spawn(move || {
            // A program that exits without reading all of its input closes the pipe; its exit
            // status tells what happened.
            let _ = stdin.write_all(&input);
        });
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let out_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stdout.read_to_end(&mut buf);
            buf
        });
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let err_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            buf
        });

        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= timeout => {
                    kill_group(&mut child);
                    bail!(
                        "--post-renderer `{shown}` did not finish within {}s and was stopped; check that it reads its input from stdin and ends, or raise TODOCTL_POST_RENDERER_TIMEOUT (seconds)",
                        timeout.as_secs()
                    );
                }
                Ok(None) => {
                    if let Err(e) = stop.check() {
                        kill_group(&mut child);
                        return Err(stopped(&shown, e));
                    }
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) => {
                    kill_group(&mut child);
                    bail!("--post-renderer `{shown}`: waiting for it failed: {e}");
                }
            }
        };
        let _ = writer.join();
        let stdout = out_reader.join().unwrap_or_default();
        let stderr = err_reader.join().unwrap_or_default();
        if !status.success() {
            let how = match status.code() {
                Some(code) => format!("exited with code {code}"),
                None => "was killed by a signal".to_string(),
            };
            let stderr = tail(&String::from_utf8_lossy(&stderr));
            let said = if stderr.is_empty() {
                " and wrote nothing to stderr".to_string()
            } else {
                format!("; its stderr ends:\n{stderr}")
            };
            bail!("--post-renderer `{shown}` {how}{said}");
        }
        String::from_utf8(stdout)
            .map_err(|_| anyhow!("--post-renderer `{shown}` wrote output that is not UTF-8 text; it must write YAML documents"))
    }
}

/// The error of a run that its stop token ended (`stopped` is the token's error): after a
/// signal, an interruption that says the program was stopped and nothing changed (the token's
/// own message speaks of a recorded revision, and none is recorded before the objects are
/// prepared); otherwise the token's error, which says how the lock was lost.
fn stopped(shown: &str, stopped: anyhow::Error) -> anyhow::Error {
    match stopped.downcast_ref::<crate::cancel::Interrupted>() {
        Some(crate::cancel::Interrupted(signal)) => Error::anyhow(
            Kind::Interrupted,
            format!(
                "interrupted by {signal} while --post-renderer `{shown}` ran: it was stopped, and nothing was changed"
            ),
        ),
        None => stopped,
    }
}

/// The last [`STDERR_LINES`] lines, each indented.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let skip = lines.len().saturating_sub(STDERR_LINES);
    lines[skip..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kills the child and every process in its group, then reaps it.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The group was created with the child's pid as its id (process_group(0)).
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) with a negative pid signals that process group; it touches no
            // memory of ours. The group holds only processes this run started.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> PostRenderer {
        PostRenderer {
            command: "sh".into(),
            args: vec!["-c".into(), script.into()],
        }
    }

    #[test]
    fn output_is_what_the_program_wrote() {
        let out = sh("sed s/a/b/")
            .run("a: 1\n", DEFAULT_TIMEOUT, &StopToken::new())
            .unwrap();
        assert_eq!(out, "b: 1\n");
    }

    #[test]
    fn a_large_input_does_not_deadlock() {
        // Bigger than a pipe buffer both ways.
        let input = "k: v\n".repeat(200_000);
        let out = sh("cat")
            .run(&input, DEFAULT_TIMEOUT, &StopToken::new())
            .unwrap();
        assert_eq!(out.len(), input.len());
    }

    #[test]
    fn failure_shows_the_code_and_the_end_of_stderr() {
        let err = sh("cat >/dev/null; echo first >&2; echo 'no such patch' >&2; exit 3")
            .run("a: 1\n", DEFAULT_TIMEOUT, &StopToken::new())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "--post-renderer `sh -c cat >/dev/null; echo first >&2; echo 'no such patch' >&2; exit 3` exited with code 3; its stderr ends:\n  | first\n  | no such patch"
        );
    }

    #[test]
    fn a_missing_program_is_named() {
        let err = PostRenderer {
            command: "./no-such-renderer".into(),
            args: vec![],
        }
        .run("", DEFAULT_TIMEOUT, &StopToken::new())
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("--post-renderer `./no-such-renderer` could not be started:"),
            "{err}"
        );
    }

    #[test]
    fn a_hanging_program_is_stopped_with_its_children() {
        let started = Instant::now();
        // The shell starts a child that would hold stdout open for a minute.
        let err = sh("sleep 60; echo done")
            .run("", Duration::from_secs(1), &StopToken::new())
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(err.contains("did not finish within 1s"), "{err}");
    }

    #[test]
    fn a_stop_kills_the_program_and_says_so() {
        let stop = StopToken::new();
        let firing = stop.clone();
        let pids = tempfile::NamedTempFile::new().unwrap();
        let script = format!("sleep 60 & echo $! >{}; wait", pids.path().display());
        let written = pids.path().to_path_buf();
        // Fired once the program runs (its child's pid written), as a Ctrl-C would be.
        std::thread::spawn(move || {
            let waiting = Instant::now();
            while std::fs::read_to_string(&written)
                .unwrap_or_default()
                .trim()
                .is_empty()
                && waiting.elapsed() < Duration::from_secs(20)
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            firing.fire(crate::cancel::StopReason::Signal("SIGINT"));
        });
        let started = Instant::now();
        let err = sh(&script).run("", DEFAULT_TIMEOUT, &stop).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(crate::error::kind(&err), Kind::Interrupted);
        assert_eq!(
            err.to_string(),
            format!(
                "interrupted by SIGINT while --post-renderer `sh -c {script}` ran: it was stopped, and nothing was changed"
            )
        );
        // The program's own child was killed with it: SIGKILL lands a moment after kill(2)
        // returns, and the child stays a zombie until init reaps it.
        let pid = std::fs::read_to_string(pids.path()).unwrap();
        let gone = || {
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
                .map_or(true, |stat| stat.contains(") Z "))
        };
        let killed = Instant::now();
        while !gone() && killed.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(gone(), "sleep {pid} still runs");

        // A lost lock stops it with the lock's own error.
        let lost = StopToken::new();
        lost.fire(crate::cancel::StopReason::LockLost("taken over".into()));
        let err = sh("cat").run("", DEFAULT_TIMEOUT, &lost);
        assert_eq!(err.unwrap_err().to_string(), "taken over");
    }
}
