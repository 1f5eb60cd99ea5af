//! Reviewed deploys: `diff --out` saves what an upgrade would do as a plan, `show plan` prints
//! its diff again, and `apply` carries out exactly that plan, refusing one the cluster has
//! moved past (Terraform's `plan -out` / `apply PLAN`). The file format is `crate::plan`.

use std::path::Path;

use crate::context::{Context, Ui};
use anyhow::Result;

use super::diff::{DiffOptions, DiffResult};
use super::lifecycle::{chart_info, manifest_entries};
use crate::diff::{ObjectDiff, Summary, diff_object};
use crate::plan::{
    ClusterIdentity, Observed, Plan, PlanOptions, PlannedChange, PlannedKeep, PlannedRecord,
};

/// What the diff gathered for a plan, besides its options.
pub(super) struct Draft<'a> {
    pub base: Option<u64>,
    pub prepared: &'a super::Prepared,
    pub changes: Vec<PlannedChange>,
    pub observed: Vec<Observed>,
    pub kept: &'a [super::Kept],
}

/// Writes the plan of a diff to `path` (mode 0600, atomically).
pub(super) async fn save(
    ctx: &Context,
    opts: &DiffOptions,
    path: &Path,
    draft: Draft<'_>,
) -> Result<()> {
    let prepared = draft.prepared;
    let plan = Plan {
        release: opts.release.clone(),
        namespace: opts.namespace.clone(),
        created: ctx.clock.now(),
        todoctl_version: crate::release::TODOCTL_VERSION.to_string(),
        cluster: identity(ctx).await?,
        base: draft.base,
        options: PlanOptions {
            force_conflicts: opts.force_conflicts,
            adopt: opts.adopt,
            prune_crds: opts.keep.delete_crds,
            prune_pvcs: opts.keep.delete_pvcs,
            history_max: opts.history_max,
        },
        record: PlannedRecord {
            chart: chart_info(&prepared.chart),
            user_values: prepared.user_values.clone(),
            values: prepared.values.clone(),
            notes: prepared.notes.clone(),
            generated: prepared.generated.clone(),
            secret_paths: prepared.secret_paths.clone(),
            tests: manifest_entries(&prepared.tests),
            post_renderer: prepared.post_renderer.clone(),
        },
        objects: manifest_entries(&prepared.objects),
        changes: draft.changes,
        kept: draft
            .kept
            .iter()
            .map(|k| PlannedKeep {
                object: k.object.clone(),
                reason: k.reason.clone(),
            })
            .collect(),
        observed: draft.observed,
    };
    crate::plan::write(path, &plan)
}

/// The cluster the client talks to: its server URL and the UID of namespace `kube-system`
/// (`None` when the credentials may not read it).
pub async fn identity(ctx: &Context) -> Result<ClusterIdentity> {
    Ok(ClusterIdentity {
        server: ctx.cluster.server_url().to_string(),
        kube_system_uid: ctx.cluster.kube_system_uid().await?,
    })
}

/// One planned change as `diff` shows it, Secrets redacted unless `show_secrets`.
pub fn diff_of(change: &PlannedChange, show_secrets: bool) -> ObjectDiff {
    diff_object(
        &change.object,
        change.namespace.as_deref(),
        &change.kind,
        change.before.as_ref(),
        change.after.as_ref(),
        show_secrets,
    )
}

/// A saved plan, for `show plan`: what it is, and its diff.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownPlan {
    pub release: String,
    pub namespace: String,
    /// The revision the plan builds on; `None`: it installs the release.
    pub base: Option<u64>,
    #[serde(serialize_with = "crate::ui::time::serialize")]
    pub created: jiff::Timestamp,
    pub todoctl_version: String,
    pub server: String,
    pub chart: crate::release::ChartInfo,
    #[serde(flatten)]
    pub diff: DiffResult,
}

/// Reads the plan at `path` and its diff as `diff` printed it: Secret values redacted unless
/// `show_secrets`, and every secret value the plan holds remembered so that no output shows
/// it. Refuses a plan that is not one or was edited, as `apply` does.
pub fn show(ui: &Ui, path: &Path, show_secrets: bool) -> Result<ShownPlan> {
    let plan = crate::plan::read(path)?;
    remember_secrets(ui, &plan);
    let objects: Vec<ObjectDiff> = plan
        .changes
        .iter()
        .map(|c| diff_of(c, show_secrets))
        .collect();
    Ok(ShownPlan {
        release: plan.release.clone(),
        namespace: plan.namespace.clone(),
        base: plan.base,
        created: plan.created,
        todoctl_version: plan.todoctl_version.clone(),
        server: plan.cluster.server.clone(),
        chart: plan.record.chart.clone(),
        diff: DiffResult {
            summary: Summary::of(&objects),
            objects,
            kept: plan
                .kept
                .iter()
                .map(|k| super::Kept {
                    object: k.object.clone(),
                    reason: k.reason.clone(),
                })
                .collect(),
        },
    })
}

/// Registers every secret value a plan holds with the output scrubber.
pub(super) fn remember_secrets(ui: &Ui, plan: &Plan) {
    ui.remember_values(&plan.record.values, &plan.record.secret_paths);
    ui.remember_values(&plan.record.user_values, &plan.record.secret_paths);
    for e in plan.objects.iter().chain(&plan.record.tests) {
        ui.remember_object(&e.object);
    }
    for c in &plan.changes {
        for side in c.before.iter().chain(&c.after) {
            ui.remember_object(side);
        }
    }
}
