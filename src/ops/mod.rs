//! One file per action. Each takes plain options (no clap) and returns data for the CLI to print.

mod apply;
mod deploy;
mod diff;
mod get;
mod history;
pub(crate) mod import;
mod keep;
mod lifecycle;
mod lint;
mod list;
mod plan;
mod post_render;
mod preflight;
mod prepare;
mod rollback;
mod session;
mod show;
mod status;
mod template;
mod test;
mod uninstall;
mod upgrade;
mod version;

pub use apply::{ApplyOptions, ApplyOutcome, apply};
pub use deploy::DeployReport;
pub use diff::{DiffOptions, DiffResult, diff};
pub use get::{ReleaseMetadata, get};
pub use history::{HistoryRow, history};
pub use import::{ImportOptions, ImportReport, import};
pub use keep::{KeepRules, Kept};
pub use lint::{LintReport, lint};
pub use list::{ListFilter, ListRow, list};
pub use plan::{ShownPlan, show as show_plan};
pub use post_render::PostRenderer;
pub(crate) use prepare::check_namespace_name;
pub use prepare::{
    GENERATED_PLACEHOLDER, Generate, PrepareOptions, Prepared, prepare, run_blocking,
};
pub use rollback::{RollbackOptions, RollbackOutcome, rollback};
pub use session::{Keep, read_history_keeping};
pub use show::{ChartFile, show};
pub use status::{ObjectHealth, StatusReport, status, test_suite_line};
pub use template::{TemplateOptions, TemplateOutput, template};
pub use test::{
    Phase as TestPhase, PodLog, TEST_ANNOTATION, TestOptions, TestReport, TestResult, Verdict,
    judge, split_tests, test,
};
pub use uninstall::{UninstallOptions, UninstallOutcome, uninstall};
pub use upgrade::{ChangeMode, ChangeOptions, ChangeOutcome, change};
pub use version::{
    ChartVersion, SERVER_TIMEOUT, ServerVersion, VersionReport, client_versions, server_version,
};
