//! `todoctl-bench-timer OUT CMD [ARGS...]`: runs CMD (stdin, stdout and stderr inherited), then
//! appends `<wall ms> <peak RSS KiB>` to OUT and exits with CMD's status.
//!
//! The clock runs from just before the spawn to the reaping of the child, so the figure holds
//! only the command's own start, work and exit: no shell, `date` or `time` process around it,
//! which would add a millisecond or more to both tools and hide a short command's ratio.
//! Memory is the child's `ru_maxrss` from `wait4`, as `/usr/bin/time -f %M` reports it.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, cmd, rest @ ..] = args.as_slice() else {
        eprintln!("usage: todoctl-bench-timer OUT CMD [ARGS...]");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let child = match Command::new(cmd).args(rest).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("todoctl-bench-timer: cannot run `{cmd}`: {e}");
            return ExitCode::from(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped; both pointers are valid for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    if reaped != pid {
        eprintln!("todoctl-bench-timer: wait4: {}", std::io::Error::last_os_error());
        return ExitCode::from(127);
    }
    let line = format!("{:.3} {}\n", elapsed.as_secs_f64() * 1000.0, usage.ru_maxrss);
    if let Err(e) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .and_then(|mut f| f.write_all(line.as_bytes()))
    {
        eprintln!("todoctl-bench-timer: writing `{out}`: {e}");
        return ExitCode::from(127);
    }
    if libc::WIFEXITED(status) {
        ExitCode::from(libc::WEXITSTATUS(status) as u8)
    } else {
        ExitCode::from(128 + libc::WTERMSIG(status) as u8)
    }
}
