//! Terminal output: stdout carries data, stderr carries status and progress.

/// Whether stderr is a terminal, so progress bars and colour are worth drawing.
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}
pub mod progress;
pub mod table;
