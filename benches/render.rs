//! Render benchmarks: the built-in todo-app chart, and a generated chart with 1,000 objects.
//! Figures go in docs/performance.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use todoctl::chart::Chart;
use todoctl::ops::{Generate, PrepareOptions, prepare};
use todoctl::render::Capabilities;
use todoctl::values::ValueSources;

fn options(chart_dir: Option<std::path::PathBuf>) -> PrepareOptions {
    PrepareOptions {
        release: "todo-app".into(),
        namespace: "todo-app".into(),
        chart_dir,
        values: ValueSources::default(),
        previous_values: None,
        revision: 1,
        is_upgrade: false,
        capabilities: Capabilities::offline(None, &[]),
        generate: Generate::Placeholder,
        post_renderer: None,
    }
}

/// A chart whose one template loops out `count` ConfigMaps and Deployments.
fn big_chart(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
    std::fs::write(dir.path().join("Chart.yaml"), "name: big\nversion: 1.0.0\n").expect("write");
    std::fs::write(
        dir.path().join("values.yaml"),
        format!("count: {}\nimage: nginx:1.27\n", count / 2),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("templates/objects.yaml"),
        r#"{% for i in range(values.count) %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-{{ i }}
data:
  index: "{{ i }}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{{ i }}
  annotations:
    checksum/config: {{ ("config-" ~ i) | sha256 }}
spec:
  replicas: 1
  selector:
    matchLabels: {app: app-{{ i }}}
  template:
    metadata:
      labels: {app: app-{{ i }}}
    spec:
      containers:
        - name: app
          image: {{ values.image }}
          resources:
            limits: {cpu: 100m, memory: 64Mi}
{% endfor %}
"#,
    )
    .expect("write");
    dir
}

fn bench_render(c: &mut Criterion) {
    let ui = todoctl::ui::Ui::quiet();
    // No post-renderer: nothing for a stop token to end.
    let stop = todoctl::cancel::StopToken::new();
    let todo = options(None);
    c.bench_function("render todo-app chart", |b| {
        b.iter(|| black_box(prepare(&ui, &stop, &todo).expect("render")))
    });

    let dir = big_chart(1000);
    let big = options(Some(dir.path().to_path_buf()));
    assert_eq!(
        prepare(&ui, &stop, &big).expect("render").objects.len(),
        1000
    );
    c.bench_function("render 1000-object chart", |b| {
        b.iter(|| black_box(prepare(&ui, &stop, &big).expect("render")))
    });

    c.bench_function("load built-in chart", |b| {
        b.iter(|| black_box(Chart::builtin().expect("chart")))
    });
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
