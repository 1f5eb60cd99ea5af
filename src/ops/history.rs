//! history: the revisions of a release, oldest first, as Helm's `helm history` lists them.
//! Read-only; no lock.

use anyhow::{Result, bail};
use serde::Serialize;

use super::session::{Keep, read_history_keeping};
use crate::context::Context;
use crate::release::{Release, SecretStore};
use crate::ui::Scrubber;

/// One line of `todoctl history`.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub revision: u64,
    /// When the revision was last written; `None` for a record that cannot be read.
    #[serde(serialize_with = "crate::ui::time::serialize_opt")]
    pub updated: Option<jiff::Timestamp>,
    pub status: String,
    pub chart: String,
    pub app_version: String,
    /// The description, with the post-renderer named when one rewrote the revision's objects.
    pub description: String,
    /// The `--post-renderer` command line the revision was rendered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
}

pub async fn history(
    ctx: &Context,
    namespace: &str,
    release: &str,
    max: usize,
) -> Result<Vec<HistoryRow>> {
    super::prepare::check_release_name(release, namespace)?;
    let store = SecretStore::new(ctx.client().clone(), namespace);
    let h = read_history_keeping(&ctx.ui, &store, release, Keep::Latest).await?;
    if h.releases.is_empty() && h.broken.is_empty() {
        bail!(
            "release `{release}` not found in namespace `{namespace}`; `todoctl list -A` shows every release"
        );
    }
    let mut rows: Vec<HistoryRow> = h
        .releases
        .iter()
        .map(|r| row(r, ctx.ui.scrubber()))
        .collect();
    for b in &h.broken {
        rows.push(HistoryRow {
            revision: b.revision,
            updated: None,
            status: "unreadable".into(),
            chart: String::new(),
            app_version: String::new(),
            description: format!("record `{}` cannot be read: {}", b.secret, b.error),
            post_renderer: None,
        });
    }
    rows.sort_by_key(|r| r.revision);
    let skip = rows.len().saturating_sub(max);
    Ok(rows.into_iter().skip(skip).collect())
}

fn row(r: &Release, scrubber: &Scrubber) -> HistoryRow {
    HistoryRow {
        revision: r.revision,
        updated: Some(r.updated),
        status: r.status.to_string(),
        chart: format!("{}-{}", r.chart.name, r.chart.version),
        app_version: r.chart.app_version.clone().unwrap_or_default(),
        description: scrubber.scrub(&match &r.post_renderer {
            Some(p) => format!("{} (post-renderer `{p}`)", r.description),
            None => r.description.clone(),
        }),
        post_renderer: r.post_renderer.as_deref().map(|p| scrubber.scrub(p)),
    }
}
