//! One file per action. Each takes plain options (no clap) and returns data for the CLI to print.

mod change;
mod deploy;
mod diff;
mod keep;
mod lifecycle;
mod lint;
mod post_render;
mod preflight;
mod query;
mod render;
mod rollback;
mod show;
mod template;
mod test;
mod uninstall;
mod version;

pub use change::{ChangeOptions, ChangeOutcome, change};
pub use deploy::DeployReport;
pub use diff::{DiffOptions, DiffResult, diff, has_changes};
pub use keep::{KeepRules, Kept};
pub use lifecycle::{Keep, read_history_keeping};
pub use lint::{LintReport, lint};
pub use post_render::PostRenderer;
pub use query::{
    HistoryRow, ListRow, ObjectHealth, ReleaseMetadata, StatusReport, history, list, record,
    rfc3339, status, test_suite_line,
};
pub use render::{GENERATED_PLACEHOLDER, Generate, Prepared, RenderOptions, prepare};
pub use rollback::{RollbackOptions, RollbackOutcome, rollback};
pub use show::{ChartFile, show};
pub use template::{TemplateOptions, TemplateOutput, template};
pub use test::{
    Phase as TestPhase, PodLog, TEST_ANNOTATION, TestOptions, TestReport, TestResult, Verdict,
    judge, split_tests, test,
};
pub use uninstall::{UninstallOptions, UninstallOutcome, uninstall};
pub use version::{
    ChartVersion, SERVER_TIMEOUT, ServerVersion, VersionReport, client_versions, server_version,
};
