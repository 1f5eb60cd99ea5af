//! status: a revision's record and the live health of each of its objects (readiness, drift
//! found with a server-side dry-run apply, and why what is not ready is not). Read-only; no lock.

use anyhow::Result;
use futures::StreamExt;
use kube::Client;
use serde::Serialize;

use super::get::get;
use crate::cluster::apply::{Applier, ApplyMode};
use crate::cluster::{lock, readiness};
use crate::context::Context;
use crate::release::Status;

/// The health of an object whose drift could not be checked: readiness from the live object,
/// and why the drift check was refused. Only an object that cannot be read at all is
/// "cannot be checked".
async fn health_without_drift(
    applier: &Applier,
    client: &Client,
    namespace: &str,
    o: &crate::manifest::Object,
    refused: &anyhow::Error,
) -> ObjectHealth {
    let reference = o.reference();
    let why = crate::ui::one_line(&crate::error::sentence(refused)).into_owned();
    let live = match applier.api_for(o).await {
        Ok((api, _)) => api.get_opt(o.name()).await.map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    let live = match live {
        Ok(Some(live)) => serde_json::to_value(&live).unwrap_or_default(),
        Ok(None) => {
            return ObjectHealth {
                object: reference,
                state: "missing: deleted since it was applied; `todoctl upgrade` recreates it"
                    .to_string(),
                ready: false,
                drift: vec![],
                details: vec![],
            };
        }
        Err(e) => {
            return ObjectHealth {
                object: reference,
                state: crate::ui::one_line(&format!(
                    "cannot be checked: {}",
                    crate::error::sentence(&e)
                ))
                .into_owned(),
                ready: false,
                drift: vec![],
                details: vec![why],
            };
        }
    };
    let generation = live
        .pointer("/metadata/generation")
        .and_then(|g| g.as_i64());
    let (state, ready) = match readiness::assess(o.kind(), &live, generation) {
        readiness::State::Ready => ("ready".to_string(), true),
        readiness::State::Waiting(s) => (s, false),
        readiness::State::Failed(s) => (format!("failed: {s}"), false),
    };
    let mut details = vec![format!("drift not checked: {why}")];
    if !ready {
        details.extend(
            readiness::diagnose(client, o.namespace().unwrap_or(namespace), o.kind(), &live)
                .await
                .iter()
                .map(|d| crate::ui::one_line(d).into_owned()),
        );
    }
    ObjectHealth {
        object: reference,
        state: crate::ui::one_line(&state).into_owned(),
        ready,
        drift: vec![],
        details,
    }
}

/// One row of `status`: the object's readiness read from the live object, and its drift from a
/// server-side dry-run apply of what revision `revision` recorded; with the claim templates of
/// a StatefulSet that uninstall would delete (its claims stay).
async fn object_health(
    applier: &Applier,
    client: &Client,
    namespace: &str,
    revision: u64,
    o: &crate::manifest::Object,
) -> (ObjectHealth, Option<super::keep::ClaimTemplates>) {
    let reference = o.reference();
    let applied = match applier.apply(o).await {
        Ok(a) => a,
        // The dry run that finds drift was refused (another manager's fields, an
        // immutable field a refused upgrade left behind): the object's health is still
        // read from the live object, and the refusal is said beside it.
        Err(e) => {
            return (
                health_without_drift(applier, client, namespace, o, &e).await,
                None,
            );
        }
    };
    let Some(live) = applied.before else {
        let health = ObjectHealth {
            object: reference,
            state: format!(
                "missing: deleted since revision {revision}; `todoctl upgrade` recreates it"
            ),
            ready: false,
            drift: vec![],
            details: vec![],
        };
        return (health, None);
    };
    let claims = if super::KeepRules::default()
        .reason(o, super::keep::Removal::Uninstall)
        .is_none()
    {
        super::keep::ClaimTemplates::of(&live, o.namespace().unwrap_or(namespace))
    } else {
        None
    };
    let drift = crate::diff::diff_object(
        &reference,
        o.namespace(),
        o.kind(),
        Some(&live),
        Some(&applied.live),
        false,
    )
    .changed_paths;
    let generation = live
        .pointer("/metadata/generation")
        .and_then(|g| g.as_i64());
    let (mut state, ready) = match readiness::assess(o.kind(), &live, generation) {
        readiness::State::Ready => ("ready".to_string(), true),
        readiness::State::Waiting(s) => (s, false),
        readiness::State::Failed(s) => (format!("failed: {s}"), false),
    };
    if !drift.is_empty() {
        state.push_str(&format!(
            "; drifted: {} changed since revision {} (`todoctl diff` shows how, `todoctl upgrade` restores it)",
            drift.join(", "),
            revision
        ));
    }
    let details = if ready {
        vec![]
    } else {
        readiness::diagnose(client, o.namespace().unwrap_or(namespace), o.kind(), &live).await
    };
    // Kubelet and event messages may hold line breaks; a status row is one line.
    let health = ObjectHealth {
        object: reference,
        state: crate::ui::one_line(&state).into_owned(),
        ready,
        drift,
        details: details
            .iter()
            .map(|d| crate::ui::one_line(d).into_owned())
            .collect(),
    };
    (health, claims)
}

/// Live health of one object of the release.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectHealth {
    pub object: String,
    pub state: String,
    pub ready: bool,
    /// Fields someone else changed since the revision was applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    pub status: String,
    pub description: String,
    pub chart: String,
    pub app_version: String,
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub first_deployed: jiff::Timestamp,
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub updated: jiff::Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_by: Option<String>,
    pub objects: Vec<ObjectHealth>,
    /// Objects `todoctl uninstall` would leave in the cluster, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_on_uninstall: Vec<super::Kept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The last `todoctl test` run against this revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_test: Option<crate::release::TestRun>,
}

pub async fn status(
    ctx: &Context,
    namespace: &str,
    release: &str,
    revision: Option<u64>,
) -> Result<StatusReport> {
    let client = ctx.client().clone();
    let store = crate::release::SecretStore::new(ctx.client().clone(), namespace);
    let record = get(&ctx.ui, &store, release, revision).await?;
    // A dry-run apply of each recorded object, compared with the live one, shows drift: what
    // someone else changed since todoctl applied it. Nothing is changed.
    let applier = Applier::new(
        &ctx.cluster,
        release,
        namespace,
        ApplyMode {
            dry_run: true,
            force_conflicts: false,
            adopt: true,
        },
    )
    // An untouched object has no drift: its dry run is left out, and it is read from one
    // LIST of its kind instead of a GET of its own.
    .skipping_untouched();
    let mut objects = Vec::new();
    // The StatefulSets uninstall would delete, as they are live: the claims they made stay.
    let mut claim_sets = Vec::new();
    if record.status != Status::Uninstalled {
        // Each object's dry run and reads are independent: several at once, as the apply
        // sends them, with the rows in the record's order.
        let record_objects = record.objects();
        let healths: Vec<_> = futures::stream::iter(
            record_objects
                .iter()
                .map(|o| object_health(&applier, &client, namespace, record.revision, o)),
        )
        .buffered(super::deploy::APPLY_CONCURRENCY)
        .collect()
        .await;
        for (health, claims) in healths {
            objects.push(health);
            claim_sets.extend(claims);
        }
    }
    let kept_on_uninstall = if record.status == Status::Uninstalled {
        Vec::new()
    } else {
        let own: Vec<String> = record.objects().iter().map(|o| o.reference()).collect();
        let mut kept = super::KeepRules::default()
            .split(record.objects(), super::keep::Removal::Uninstall)
            .1;
        kept.extend(super::keep::statefulset_claims(&client, &claim_sets, &own).await);
        kept
    };
    // An expired lock is held by nobody: its holder stopped without releasing it.
    let locked_by = lock::live_holder(&client, namespace, release, ctx.clock.now())
        .await
        .map(|h| h.identity);
    Ok(StatusReport {
        name: record.name.clone(),
        namespace: record.namespace.clone(),
        revision: record.revision,
        status: record.status.to_string(),
        description: record.description.clone(),
        chart: format!("{}-{}", record.chart.name, record.chart.version),
        app_version: record.chart.app_version.clone().unwrap_or_default(),
        first_deployed: record.first_deployed,
        updated: record.updated,
        locked_by,
        objects,
        kept_on_uninstall,
        notes: record.notes.clone(),
        last_test: record.last_test.clone(),
    })
}

/// `TEST SUITE:` of `status` and `get all`: `None`, or when the last run ended and how.
pub fn test_suite_line(last: Option<&crate::release::TestRun>) -> String {
    match last {
        None => "None".to_string(),
        Some(run) => format!(
            "last run {}: {}",
            crate::ui::time::human(run.completed),
            run.summary()
        ),
    }
}
