//! A release's revisions as read from the store, and the questions every action asks of them
//! (Helm's pkg/storage queries: the current revision, the last deployed one, the next number).

use std::collections::HashSet;
use std::fmt;

use super::import_marker::ImportMarker;
use super::{Release, Status};
use crate::manifest::{Object, ObjectKey};

/// The records of one release.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The records that could be read, by ascending revision.
    pub releases: Vec<Release>,
    /// The records that could not, by ascending revision.
    pub broken: Vec<BrokenRecord>,
    /// The marker of an import into the release, read with the records. While it is not
    /// committed, `releases` and `broken` are empty: the records so far are not the release's.
    pub import: Option<ImportMarker>,
}

/// A record Secret that exists but cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRecord {
    pub namespace: String,
    pub release: String,
    pub revision: u64,
    pub secret: String,
    /// Why, without the record's content.
    pub error: String,
    /// The record's format when a newer todoctl wrote it: this one must not change or delete it.
    pub newer_format: Option<u32>,
}

impl fmt::Display for BrokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "revision {} of release `{}` (Secret `{}` in namespace `{}`): {}",
            self.revision, self.release, self.secret, self.namespace, self.error
        )
    }
}

impl History {
    /// The release as it stands: its newest record, unless that says it was uninstalled.
    pub fn current(&self) -> Option<&Release> {
        self.releases
            .last()
            .filter(|r| r.status != Status::Uninstalled)
    }

    /// The newest revision recorded as deployed.
    pub fn last_deployed(&self) -> Option<&Release> {
        self.releases
            .iter()
            .rev()
            .find(|r| r.status == Status::Deployed)
    }

    /// One past every revision seen, unreadable records included, so a number is never reused.
    pub fn next_revision(&self) -> u64 {
        let good = self.releases.iter().map(|r| r.revision).max().unwrap_or(0);
        let broken = self.broken.iter().map(|b| b.revision).max().unwrap_or(0);
        good.max(broken) + 1
    }

    /// Objects the cluster may hold for this release: those of the last deployed revision and
    /// of every revision after it (a failed upgrade may have created some), each once.
    pub fn previous_objects(&self) -> Vec<Object> {
        let from = self.last_deployed().map(|r| r.revision).unwrap_or(0);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for r in self.releases.iter().filter(|r| r.revision >= from) {
            for o in r.objects() {
                let key: ObjectKey = o.key(&r.namespace);
                if seen.insert(key) {
                    out.push(o);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::codec;

    fn revision(n: u64, status: Status, config: &str) -> Release {
        let mut r = codec::tests::sample();
        r.revision = n;
        r.status = status;
        r.manifest[0].object["metadata"]["name"] = serde_json::json!(config);
        r
    }

    fn history(revisions: Vec<Release>) -> History {
        History {
            releases: revisions,
            ..History::default()
        }
    }

    #[test]
    fn current_is_the_newest_unless_uninstalled() {
        let h = history(vec![
            revision(1, Status::Superseded, "a"),
            revision(2, Status::Failed, "b"),
        ]);
        assert_eq!(h.current().map(|r| r.revision), Some(2));
        assert_eq!(h.last_deployed().map(|r| r.revision), None);
        let h = history(vec![
            revision(1, Status::Deployed, "a"),
            revision(2, Status::Uninstalled, "a"),
        ]);
        assert!(h.current().is_none());
        assert_eq!(h.last_deployed().map(|r| r.revision), Some(1));
    }

    #[test]
    fn next_revision_counts_unreadable_records() {
        let mut h = history(vec![revision(3, Status::Deployed, "a")]);
        assert_eq!(h.next_revision(), 4);
        h.broken.push(BrokenRecord {
            namespace: "ns".into(),
            release: "r".into(),
            revision: 7,
            secret: "s".into(),
            error: "bad".into(),
            newer_format: None,
        });
        assert_eq!(h.next_revision(), 8);
        assert_eq!(History::default().next_revision(), 1);
    }

    #[test]
    fn previous_objects_span_the_last_deployed_and_later_revisions() {
        let h = history(vec![
            revision(1, Status::Superseded, "old"),
            revision(2, Status::Deployed, "kept"),
            revision(3, Status::Failed, "created-by-a-failed-upgrade"),
            revision(4, Status::Failed, "kept"),
        ]);
        let names: Vec<String> = h
            .previous_objects()
            .iter()
            .map(|o| {
                o.data["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["kept", "created-by-a-failed-upgrade"]);
    }
}
