//! Parses the built-in chart's values.yaml once, at build time, into JSON the binary embeds, so
//! every run starts from parsed defaults instead of parsing YAML. A values.yaml that does not
//! parse embeds nothing: the chart then parses it at run time and reports the error as for any
//! other chart.

use std::path::Path;

fn main() {
    const VALUES: &str = "charts/todo-app/values.yaml";
    println!("cargo::rerun-if-changed={VALUES}");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("builtin-values.json");
    let json = std::fs::read_to_string(VALUES)
        .ok()
        .and_then(|text| serde_saphyr::from_str::<serde_json::Value>(&text).ok())
        .map(|value| value.to_string())
        .unwrap_or_default();
    std::fs::write(&out, json).expect("writing to OUT_DIR");
}
