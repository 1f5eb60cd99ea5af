//! One file per action. Each takes plain options (no clap) and returns data for the CLI to print.

mod lint;
mod render;
mod template;

pub use lint::{LintReport, lint};
pub use render::{Prepared, RenderOptions, prepare};
pub use template::{TemplateOptions, TemplateOutput, template};
