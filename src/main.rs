use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = todoctl::cli::Cli::parse();
    match todoctl::cli::run(cli) {
        Ok(code) => code,
        Err(err) => todoctl::error::report(&err),
    }
}
