//! One file per action. Each takes plain options (no clap) and returns data for the CLI to print.

mod change;
mod deploy;
mod diff;
mod lifecycle;
mod lint;
mod query;
mod render;
mod rollback;
mod template;
mod uninstall;

pub use change::{ChangeOptions, ChangeOutcome, change};
pub use deploy::DeployReport;
pub use diff::{DiffOptions, DiffResult, diff, has_changes};
pub use lifecycle::{Keep, read_history_keeping};
pub use lint::{LintReport, lint};
pub use query::{HistoryRow, ListRow, ObjectHealth, StatusReport, history, list, record, status};
pub use render::{GENERATED_PLACEHOLDER, Generate, Prepared, RenderOptions, prepare};
pub use rollback::{RollbackOptions, RollbackOutcome, rollback};
pub use template::{TemplateOptions, TemplateOutput, template};
pub use uninstall::{UninstallOptions, UninstallOutcome, uninstall};
