//! What the store decides by rule rather than by reading Secrets: which records a prune
//! deletes, and what an API server's refusal tells the user to do.

use crate::release::Status;

/// Which revisions `prune` deletes, given `(revision, status)` by ascending revision.
pub(crate) fn prune_plan(records: &[(u64, Option<Status>)], keep: usize) -> Vec<u64> {
    if keep == 0 || records.len() <= keep {
        return Vec::new();
    }
    let latest = records.iter().map(|r| r.0).max();
    let deployed = records
        .iter()
        .filter(|r| r.1 == Some(Status::Deployed))
        .map(|r| r.0)
        .max();
    let mut excess = records.len() - keep;
    let mut victims = Vec::new();
    for &(rev, status) in records {
        if excess == 0 {
            break;
        }
        if Some(rev) == latest || Some(rev) == deployed {
            continue;
        }
        let prunable = match status {
            Some(Status::Superseded) => true,
            Some(Status::Failed) => deployed.is_some_and(|d| rev < d),
            _ => false,
        };
        if prunable {
            victims.push(rev);
            excess -= 1;
        }
    }
    victims
}

/// kube's error text for API answers includes a Debug dump; this keeps the server's message and
/// adds what to do about the common refusals.
pub(super) fn api_error(err: kube::Error, namespace: &str) -> anyhow::Error {
    let place = if namespace.is_empty() {
        "all namespaces".to_string()
    } else {
        format!("namespace `{namespace}`")
    };
    match err {
        kube::Error::Api(status) => {
            let hint = if crate::error::denied_by_rbac(&status) {
                format!(
                    "; todoctl keeps release records in Secrets and needs get, list, create, update and delete on secrets in {place}"
                )
            } else {
                String::new()
            };
            let reason = if status.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", status.reason)
            };
            let kind = crate::error::kind_of_kube(&kube::Error::Api(status.clone()));
            crate::error::Error::anyhow(
                kind,
                format!(
                    "the API server answered {}{reason}: {}{hint}",
                    status.code, status.message
                ),
            )
        }
        other => anyhow::Error::new(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_latest_deployed_and_pending() {
        use Status::*;
        let recs = |v: &[Status]| -> Vec<(u64, Option<Status>)> {
            v.iter()
                .enumerate()
                .map(|(i, s)| (i as u64 + 1, Some(*s)))
                .collect()
        };
        // 1..5 superseded, 6 deployed: keep 3 -> drop 1, 2, 3.
        let h = recs(&[
            Superseded, Superseded, Superseded, Superseded, Superseded, Deployed,
        ]);
        assert_eq!(prune_plan(&h, 3), [1, 2, 3]);
        assert_eq!(prune_plan(&h, 0), Vec::<u64>::new());
        assert_eq!(prune_plan(&h, 10), Vec::<u64>::new());
        // Failed before the deployed one goes; failed after it (the latest) stays.
        let h = recs(&[Failed, Superseded, Deployed, Failed, Failed]);
        assert_eq!(prune_plan(&h, 2), [1, 2]);
        // Nothing deployed: failed records are the only evidence, keep them.
        let h = recs(&[Failed, Failed, Failed]);
        assert_eq!(prune_plan(&h, 1), Vec::<u64>::new());
        // Pending and unreadable (no status) records are never pruned.
        let mut h = recs(&[PendingUpgrade, Superseded, Deployed, Superseded]);
        h.push((5, None));
        h.push((6, Some(Deployed)));
        assert_eq!(prune_plan(&h, 1), [2, 4]);
        // Keep 1: only the latest and deployed survive (here they are the same).
        let h = recs(&[Superseded, Superseded, Deployed]);
        assert_eq!(prune_plan(&h, 1), [1, 2]);
    }

    #[test]
    fn api_errors_carry_no_debug_dump() {
        let status = kube::core::Status::failure(
            r#"secrets is forbidden: User "u" cannot list resource "secrets""#,
            "Forbidden",
        )
        .with_code(403);
        let msg = api_error(kube::Error::Api(status.boxed()), "todo").to_string();
        assert!(!msg.contains("Status {"), "{msg}");
        assert!(
            msg.contains("403 (Forbidden): secrets is forbidden"),
            "{msg}"
        );
        assert!(msg.contains("namespace `todo`"), "{msg}");
    }
}
