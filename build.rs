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
        // The scalar rules of src/yaml.rs `options()`; a test checks that both read alike.
        .and_then(|text| {
            let mut options = serde_saphyr::Options::default();
            options.legacy_octal_numbers = true;
            options.strict_booleans = false;
            options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
            serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options).ok()
        })
        .map(|value| value.to_string())
        .unwrap_or_default();
    std::fs::write(&out, json).expect("writing to OUT_DIR");
}
