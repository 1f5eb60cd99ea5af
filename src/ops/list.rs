//! list: the latest revision of every release in a namespace, or in all of them. Read-only.

use anyhow::Result;
use serde::Serialize;

use crate::release::{ReleaseStore, Status};

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

/// Which releases `list` shows and in what order: Helm's `helm list` flags (pkg/action/list.go).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// The statuses shown; empty: Helm's default, deployed and failed. Ignored with `all`.
    pub statuses: Vec<Status>,
    /// `-a`: every status.
    pub all: bool,
    /// `-f`: names matching this regular expression.
    pub name: Option<regex::Regex>,
    /// `-d`: by last update, oldest first (else by namespace and name).
    pub by_date: bool,
    /// `-r`: the order reversed.
    pub reverse: bool,
    /// `--offset`: rows skipped, after sorting.
    pub offset: usize,
    /// `-m`: at most this many rows (0: no limit).
    pub max: usize,
}

impl ListFilter {
    fn shows(&self, row: &ListRow, status: Status) -> bool {
        let wanted = if self.all {
            true
        } else if self.statuses.is_empty() {
            matches!(status, Status::Deployed | Status::Failed)
        } else {
            self.statuses.contains(&status)
        };
        wanted && self.name.as_ref().is_none_or(|re| re.is_match(&row.name))
    }
}

/// The latest revision of every release in `namespace`, or everywhere (`None`), that `filter`
/// shows: sorted by namespace and name (or by date), then offset and limited.
pub async fn list(
    store: &dyn ReleaseStore,
    namespace: Option<&str>,
    filter: &ListFilter,
) -> Result<Vec<ListRow>> {
    let mut rows: Vec<ListRow> = store
        .list(namespace)
        .await?
        .iter()
        .map(|r| (r, row(r)))
        .filter(|(r, row)| filter.shows(row, r.status))
        .map(|(_, row)| row)
        .collect();
    if filter.by_date {
        rows.sort_by_key(|r| r.updated);
    } else {
        rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    }
    if filter.reverse {
        rows.reverse();
    }
    let rows = rows.into_iter().skip(filter.offset);
    Ok(if filter.max == 0 {
        rows.collect()
    } else {
        rows.take(filter.max).collect()
    })
}

fn row(r: &crate::release::Release) -> ListRow {
    ListRow {
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        revision: r.revision,
        status: r.status.to_string(),
        chart: format!("{}-{}", r.chart.name, r.chart.version),
        app_version: r.chart.app_version.clone().unwrap_or_default(),
        updated: r.updated,
    }
}
