//! `lint`: every check a render runs, then the best-practice rules.

use anyhow::Result;

use super::render::{RenderOptions, prepare};
use crate::manifest::lint::{Finding, check};

#[derive(Debug, Clone)]
pub struct LintReport {
    /// `chart todo-app 0.1.0`, for the summary line.
    pub chart: String,
    pub objects: usize,
    pub warnings: Vec<Finding>,
}

/// Errors (values, templates, invalid objects) come back as `Err`; warnings in the report.
pub fn lint(opts: &RenderOptions) -> Result<LintReport> {
    let prepared = prepare(opts)?;
    Ok(LintReport {
        chart: format!(
            "chart {} {}",
            prepared.chart.meta.name, prepared.chart.meta.version
        ),
        objects: prepared.objects.len(),
        warnings: check(&prepared.objects),
    })
}
