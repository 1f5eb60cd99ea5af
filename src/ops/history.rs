//! history: the revisions of a release, oldest first, as Helm's `helm history` lists them.
//! Read-only; no lock.

use anyhow::Result;
use serde::Serialize;

use super::session::{Keep, LIST_RELEASES, read_history_keeping, release_not_found};
use crate::context::Ui;
use crate::release::{Release, ReleaseStore};
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

/// The newest `max` revisions of `release`, oldest first; unreadable records are rows too.
/// Errors: no record of the release at all, or the store cannot be read.
pub async fn history(
    ui: &Ui,
    store: &dyn ReleaseStore,
    release: &str,
    max: usize,
) -> Result<Vec<HistoryRow>> {
    let namespace = store.namespace();
    super::prepare::check_release_name(release, namespace)?;
    let h = read_history_keeping(ui, store, release, Keep::Latest).await?;
    if h.releases.is_empty() && h.broken.is_empty() {
        return Err(release_not_found(release, namespace, LIST_RELEASES));
    }
    let mut rows: Vec<HistoryRow> = h.releases.iter().map(|r| row(r, ui.scrubber())).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::session::{Keep, read_history_keeping};
    use crate::release::{MemoryStore, Status, StoreError, codec};

    /// A store holding revisions 1..=n of `todo-app`, the last deployed, the others superseded.
    async fn store_with(n: u64) -> MemoryStore {
        let store = MemoryStore::new("todo");
        for revision in 1..=n {
            let mut r = codec::tests::sample();
            r.revision = revision;
            r.status = if revision == n {
                Status::Deployed
            } else {
                Status::Superseded
            };
            r.description = format!("revision {revision}");
            store.create(&r).await.expect("a new revision is recorded");
        }
        store
    }

    #[tokio::test]
    async fn history_lists_the_newest_revisions_oldest_first() {
        let store = store_with(5).await;
        let rows = history(&Ui::quiet(), &store, "todo-app", 3)
            .await
            .expect("history");
        let revisions: Vec<u64> = rows.iter().map(|r| r.revision).collect();
        assert_eq!(revisions, [3, 4, 5]);
        assert_eq!(rows[2].status, "deployed");
        assert_eq!(rows[0].chart, "todo-app-1.2.0");

        let err = history(&Ui::quiet(), &store, "other", 10)
            .await
            .expect_err("no such release");
        assert!(
            format!("{err:#}").contains("release `other` not found in namespace `todo`"),
            "{err:#}"
        );
    }

    #[tokio::test]
    async fn get_picks_the_latest_or_the_revision_asked_for() {
        let store = store_with(3).await;
        let latest = crate::ops::get(&Ui::quiet(), &store, "todo-app", None)
            .await
            .expect("latest");
        assert_eq!(latest.revision, 3);
        let second = crate::ops::get(&Ui::quiet(), &store, "todo-app", Some(2))
            .await
            .expect("revision 2");
        assert_eq!(second.description, "revision 2");
        assert!(
            !second.manifest.is_empty(),
            "the revision asked for is read whole"
        );
        let err = crate::ops::get(&Ui::quiet(), &store, "todo-app", Some(9))
            .await
            .expect_err("no revision 9");
        assert!(format!("{err:#}").contains("has no revision 9"), "{err:#}");
    }

    #[tokio::test]
    async fn a_read_for_the_latest_revision_drops_the_others_objects() {
        let store = store_with(3).await;
        let h = read_history_keeping(&Ui::quiet(), &store, "todo-app", Keep::Latest)
            .await
            .expect("history");
        let whole: Vec<bool> = h.releases.iter().map(|r| !r.manifest.is_empty()).collect();
        assert_eq!(whole, [false, false, true]);
        let h = read_history_keeping(&Ui::quiet(), &store, "todo-app", Keep::All)
            .await
            .expect("history");
        assert!(h.releases.iter().all(|r| !r.manifest.is_empty()));
    }

    #[tokio::test]
    async fn list_shows_the_latest_revision_of_each_release() {
        let store = store_with(2).await;
        let mut api = codec::tests::sample();
        api.name = "api".into();
        api.revision = 1;
        store.create(&api).await.expect("recorded");
        let rows = crate::ops::list(&store, Some("todo"), &Default::default())
            .await
            .expect("list");
        let seen: Vec<(&str, u64)> = rows.iter().map(|r| (r.name.as_str(), r.revision)).collect();
        assert_eq!(seen, [("api", 1), ("todo-app", 2)]);
    }

    #[tokio::test]
    async fn list_filters_and_orders_as_helm_list_does() {
        use crate::ops::ListFilter;
        let store = MemoryStore::new("todo");
        // (name, status, updated seconds)
        for (name, status, at) in [
            ("web", Status::Deployed, 30),
            ("api", Status::Failed, 10),
            ("old", Status::Uninstalled, 20),
            ("new", Status::PendingInstall, 40),
            ("gone", Status::Uninstalling, 50),
        ] {
            let mut r = codec::tests::sample();
            r.name = name.into();
            r.revision = 1;
            r.status = status;
            r.updated = jiff::Timestamp::from_second(at).expect("a time");
            store.create(&r).await.expect("recorded");
        }
        let names = |filter: ListFilter| {
            let store = &store;
            async move {
                crate::ops::list(store, Some("todo"), &filter)
                    .await
                    .expect("list")
                    .into_iter()
                    .map(|r| r.name)
                    .collect::<Vec<_>>()
            }
        };
        // Helm's default: deployed and failed, by name.
        assert_eq!(names(ListFilter::default()).await, ["api", "web"]);
        assert_eq!(
            names(ListFilter {
                all: true,
                ..Default::default()
            })
            .await,
            ["api", "gone", "new", "old", "web"]
        );
        assert_eq!(
            names(ListFilter {
                statuses: vec![Status::Uninstalled, Status::PendingInstall],
                ..Default::default()
            })
            .await,
            ["new", "old"]
        );
        assert_eq!(
            names(ListFilter {
                all: true,
                name: Some(regex::Regex::new("^(o|n)").expect("a regex")),
                ..Default::default()
            })
            .await,
            ["new", "old"]
        );
        let by_date = ListFilter {
            all: true,
            by_date: true,
            ..Default::default()
        };
        assert_eq!(
            names(by_date.clone()).await,
            ["api", "old", "web", "new", "gone"]
        );
        assert_eq!(
            names(ListFilter {
                reverse: true,
                offset: 1,
                max: 2,
                ..by_date
            })
            .await,
            ["new", "web"]
        );
    }

    #[tokio::test]
    async fn the_memory_store_keeps_the_secret_stores_rules() {
        let store = store_with(6).await;
        let mut again = codec::tests::sample();
        again.revision = 6;
        let err = store.create(&again).await.expect_err("revision 6 is taken");
        assert!(matches!(
            err.downcast_ref::<StoreError>(),
            Some(StoreError::RevisionExists { revision: 6, .. })
        ));
        again.revision = 7;
        let err = store
            .update(&again)
            .await
            .expect_err("revision 7 has no record");
        assert!(matches!(
            err.downcast_ref::<StoreError>(),
            Some(StoreError::NotFound { revision: 7, .. })
        ));
        // The prune policy is the Secret store's: the oldest superseded go first.
        assert_eq!(store.prune("todo-app", 4).await.expect("pruned"), [1, 2]);
        assert_eq!(store.delete_all("todo-app").await.expect("deleted"), 4);
        assert!(
            store
                .history("todo-app")
                .await
                .expect("read")
                .releases
                .is_empty()
        );
    }
}
