//! Release record codec benchmarks: encoding (JSON + gzip) and decoding one todo-app revision, the
//! work every install, upgrade and history read does per record. Figures go in
//! docs/performance.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use todoctl::ops::{Generate, PrepareOptions, prepare};
use todoctl::release::{ChartInfo, FORMAT, ManifestEntry, Release, Status, decode, encode};
use todoctl::render::Capabilities;
use todoctl::values::ValueSources;

fn todo_app_record() -> Release {
    let prepared = prepare(
        &todoctl::ui::Ui::quiet(),
        &todoctl::cancel::StopToken::new(),
        &PrepareOptions {
            release: "todo-app".into(),
            namespace: "todo-app".into(),
            chart_dir: None,
            values: ValueSources::default(),
            previous_values: None,
            revision: 1,
            is_upgrade: false,
            capabilities: Capabilities::offline(None, &[]),
            generate: Generate::Placeholder,
            post_renderer: None,
        },
    )
    .expect("render");
    let now = jiff::Timestamp::now();
    Release {
        format: FORMAT,
        name: "todo-app".into(),
        namespace: "todo-app".into(),
        revision: 1,
        status: Status::Deployed,
        description: "Install complete".into(),
        chart: ChartInfo {
            name: prepared.chart.meta.name.clone(),
            version: prepared.chart.meta.version.clone(),
            app_version: prepared.chart.meta.app_version.clone(),
        },
        user_values: prepared.user_values,
        values: prepared.values,
        manifest: prepared
            .objects
            .iter()
            .map(|o| ManifestEntry {
                template: o.template.clone(),
                object: o.data.clone(),
            })
            .collect(),
        notes: prepared.notes,
        first_deployed: now,
        updated: now,
        todoctl_version: env!("CARGO_PKG_VERSION").into(),
        generated: prepared.generated,
        secret_paths: prepared.secret_paths,
        tests: Vec::new(),
        last_test: None,
        post_renderer: None,
    }
}

fn bench_record(c: &mut Criterion) {
    let record = todo_app_record();
    c.bench_function("record: encode a todo-app revision", |b| {
        b.iter(|| black_box(encode(&record)))
    });
    let bytes = encode(&record);
    c.bench_function("record: decode a todo-app revision", |b| {
        b.iter(|| black_box(decode(&bytes).expect("decode")))
    });
}

criterion_group!(benches, bench_record);
criterion_main!(benches);
