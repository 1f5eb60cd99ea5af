use std::process::ExitCode;

use clap::error::ErrorKind;

fn main() -> ExitCode {
    let cli = match todoctl::cli::parse() {
        Ok(cli) => cli,
        // Help and version go to stdout with success; every usage error exits 1, because 2 means
        // "there are changes" to `diff --detailed-exitcode`.
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(todoctl::error::exit::ERROR),
            };
        }
    };
    todoctl::cli::run(cli)
}
