//! `show`: a chart's own files as they are written, for learning which values exist (Helm's
//! `helm show values|chart|readme|schema`).

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::chart::{self, Chart, ChartSource};

/// A file of a chart that `show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFile {
    /// `values.yaml`, comments included.
    Values,
    /// `values.schema.json`.
    Schema,
    /// `Chart.yaml`.
    Chart,
    /// The README, found as Helm finds it: `README.md`, `README.txt` or `README`, in any case.
    Readme,
}

impl ChartFile {
    /// The names this file may have at the chart's root, in order of preference.
    fn names(self) -> &'static [&'static str] {
        match self {
            ChartFile::Values => &["values.yaml"],
            ChartFile::Schema => &["values.schema.json"],
            ChartFile::Chart => &["Chart.yaml"],
            ChartFile::Readme => &["readme.md", "readme.txt", "readme"],
        }
    }

    /// What to do when a chart has no such file.
    fn missing_hint(self) -> &'static str {
        match self {
            ChartFile::Values => {
                "the chart takes no values of its own; add values.yaml with commented defaults"
            }
            ChartFile::Schema => {
                "its values are not checked before rendering; add values.schema.json (JSON Schema) to check them, and `todoctl show values` shows the defaults"
            }
            ChartFile::Chart => "a chart directory needs Chart.yaml",
            ChartFile::Readme => {
                "add README.md at the chart's root describing its values; `todoctl show values` shows the defaults with their comments"
            }
        }
    }
}

/// The bytes of `file` in the chart at `dir` (the built-in chart when `None`), exactly as
/// written. The chart is loaded first, so a broken chart is reported as such rather than half
/// shown.
///
/// Errors: the chart does not load (see [`Chart::load`]), or it has no such file (the message
/// names the chart, the names looked for, and what to do).
pub fn show(dir: Option<&Path>, file: ChartFile) -> Result<Vec<u8>> {
    let chart = Chart::load(dir)?;
    let found = match &chart.source {
        ChartSource::BuiltIn => builtin(file),
        ChartSource::Dir(dir) => from_dir(dir, file)?,
    };
    found.ok_or_else(|| {
        let names = match file {
            ChartFile::Readme => "README.md, README.txt or README".to_string(),
            other => other.names()[0].to_string(),
        };
        anyhow!("{} has no {names}; {}", chart.source, file.missing_hint())
    })
}

fn builtin(file: ChartFile) -> Option<Vec<u8>> {
    // The built-in chart's own spelling of each name.
    fn spelled(name: &'static str) -> &'static str {
        match name {
            "readme.md" => "README.md",
            "readme.txt" => "README.txt",
            "readme" => "README",
            other => other,
        }
    }
    file.names()
        .iter()
        .map(|&n| chart::builtin_file(spelled(n)))
        .find(|bytes| !bytes.is_empty())
        .map(<[u8]>::to_vec)
}

fn from_dir(dir: &Path, file: ChartFile) -> Result<Option<Vec<u8>>> {
    let entries: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading chart directory `{}`", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    for wanted in file.names() {
        // Only the README is matched without regard to case, as Helm does.
        let hit = entries.iter().find(|name| {
            if file == ChartFile::Readme {
                name.eq_ignore_ascii_case(wanted)
            } else {
                name == wanted
            }
        });
        if let Some(name) = hit {
            let path = dir.join(name);
            return std::fs::read(&path)
                .map(Some)
                .with_context(|| format!("reading `{}`", path.display()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_values_are_the_file_with_its_comments() {
        let shown = show(None, ChartFile::Values).unwrap();
        assert_eq!(shown, chart::builtin_file("values.yaml"));
        assert!(
            String::from_utf8(shown)
                .unwrap()
                .contains("# ServiceAccount shared")
        );
    }

    #[test]
    fn builtin_chart_has_every_file() {
        for file in [ChartFile::Schema, ChartFile::Chart, ChartFile::Readme] {
            assert!(!show(None, file).unwrap().is_empty(), "{file:?}");
        }
    }
}
