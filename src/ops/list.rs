//! list: the latest revision of every release in a namespace, or in all of them. Read-only.

use anyhow::Result;
use serde::Serialize;

use crate::release::ReleaseStore;

/// One line of `todoctl list`.
#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    pub status: String,
    pub chart: String,
    pub app_version: String,
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub updated: jiff::Timestamp,
}

/// The latest revision of every release in `namespace`, or everywhere (`None`), sorted by
/// namespace and name.
pub async fn list(store: &dyn ReleaseStore, namespace: Option<&str>) -> Result<Vec<ListRow>> {
    let mut rows: Vec<ListRow> = store
        .list(namespace)
        .await?
        .iter()
        .map(|r| ListRow {
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            revision: r.revision,
            status: r.status.to_string(),
            chart: format!("{}-{}", r.chart.name, r.chart.version),
            app_version: r.chart.app_version.clone().unwrap_or_default(),
            updated: r.updated,
        })
        .collect();
    rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok(rows)
}
