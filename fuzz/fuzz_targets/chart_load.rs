//! Chart loading from arbitrary files: `Chart::from_files` either builds a chart or returns an
//! error whose message prints; it never panics, whatever Chart.yaml, values.yaml,
//! values.schema.json and templates hold.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use todoctl::chart::{Chart, ChartSource};

#[derive(Debug, Arbitrary)]
enum Name {
    ChartYaml,
    ValuesYaml,
    Schema,
    Template(String),
    Notes,
    Other(String),
}

#[derive(Debug, Arbitrary)]
struct File {
    name: Name,
    bytes: Vec<u8>,
}

fuzz_target!(|files: Vec<File>| {
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| {
            let name = match f.name {
                Name::ChartYaml => "Chart.yaml".to_string(),
                Name::ValuesYaml => "values.yaml".to_string(),
                Name::Schema => "values.schema.json".to_string(),
                Name::Template(t) => format!("templates/{t}.yaml"),
                Name::Notes => "templates/NOTES.txt".to_string(),
                Name::Other(o) => o,
            };
            (name, f.bytes)
        })
        .collect();
    match Chart::from_files(files, ChartSource::BuiltIn) {
        Ok(chart) => {
            let _ = chart.notes();
            let _ = chart.check_kube_version("v1.35.4");
        }
        Err(err) => {
            assert!(!format!("{err:#}").is_empty());
        }
    }
});
