//! Values benchmarks: layering a values file and --set flags over the todo-app chart's
//! defaults, as every render does before templating. Figures go in docs/performance.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use todoctl::chart::Chart;
use todoctl::values::{ValueSources, coalesce};

fn bench_values(c: &mut Criterion) {
    let chart = Chart::builtin().expect("chart");
    let defaults: Value = chart.values.clone();
    let production =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("values/production.yaml");
    let sources = ValueSources {
        files: vec![production],
        set: vec![
            "backend.replicaCount=4".into(),
            "frontend.service.nodePort=null".into(),
            "backend.extraEnv[0].name=LOG_LEVEL,backend.extraEnv[0].value=debug".into(),
        ],
        set_string: vec!["backend.image.tag=1.2.3".into()],
        ..Default::default()
    };

    c.bench_function("values: read -f and --set flags", |b| {
        b.iter(|| black_box(sources.user_values().expect("values")))
    });
    let user = sources.user_values().expect("values");
    c.bench_function("values: merge user values over chart defaults", |b| {
        b.iter(|| black_box(coalesce(defaults.clone(), &user)))
    });
}

criterion_group!(benches, bench_values);
criterion_main!(benches);
