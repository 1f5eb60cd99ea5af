//! Server-side apply of one object at a time, with todoctl's ownership rules, and deletion.
//!
//! Objects carry the annotation `todoctl.io/owner: <namespace>/<release>`. An existing object
//! without it (or with another release's) is refused unless the caller adopts it, so todoctl
//! never silently takes over what someone else created.
//!
//! The ownership check reads the live objects' metadata with one LIST per kind and namespace,
//! not one GET per object. An object the caller marks unchanged since the last applied revision
//! is not applied again when the live object still holds every value todoctl applies and
//! nobody else manages its fields (see [`super::untouched`]).
//!
//! Why this file is over 600 lines: the apply of one object is one sequence over the
//! [`Applier`]'s shared state (its mode, the per-kind listing cache, the objects marked
//! unchanged): resolve the kind, check ownership, skip if untouched, apply, retry a conflict,
//! switch a union the server cannot switch, delete. Its pure parts are already apart (the skip
//! decision in [`super::untouched`], the unions in [`super::unions`]); what is left would only
//! be cut into halves that reach into each other's private fields.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow, bail};
use kube::Client;
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, ObjectMeta, Patch, PatchParams, PropagationPolicy,
};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::Cluster;
use super::discovery::Resolved;
use crate::manifest::{Object, ObjectKey};

// Re-exported: the cluster layer's callers name it here; there is one definition, in error.rs.
pub use crate::error::api_error;

/// The field manager of every server-side apply todoctl makes (objects and the lock lease).
pub const FIELD_MANAGER: &str = "todoctl";
pub const OWNER_ANNOTATION: &str = "todoctl.io/owner";
pub const KEEP_ANNOTATION: &str = "todoctl.io/keep";

#[cfg(test)]
mod tests {

    #[test]
    fn conflict_managers_are_parsed() {
        let msg = r#"Apply failed with 2 conflicts: conflict with "kubectl-edit" using apps/v1: .spec.replicas, conflict with "other" using apps/v1: .spec.x"#;
        assert_eq!(
            super::conflicting_managers(msg),
            vec!["kubectl-edit", "other"]
        );
        assert!(super::conflicting_managers("nothing").is_empty());
        // Several conflicts with one manager, as the API server words them.
        let msg = "Apply failed with 2 conflicts: conflicts with \"helm\" using apps/v1:\n- .metadata.labels.app.kubernetes.io/managed-by\n- .spec.replicas";
        assert_eq!(super::conflicting_managers(msg), vec!["helm"]);
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyMode {
    pub dry_run: bool,
    pub force_conflicts: bool,
    pub adopt: bool,
}

/// What the API server returned for an applied object.
#[derive(Clone)]
pub struct Applied {
    pub reference: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub api: Api<DynamicObject>,
    pub generation: Option<i64>,
    /// The object as the API server returned it from the apply.
    pub live: Value,
    /// The object before the apply, when it existed.
    pub before: Option<Value>,
    /// Field managers whose out-of-band edits this apply overwrote.
    pub restored_drift: Vec<String>,
    /// Whether the apply (or the dry-run apply) was sent; false for an object skipped as
    /// unchanged since the last applied revision and untouched in the cluster since, and for
    /// one a drift-finding dry run left out as untouched ([`Applier::skipping_untouched`]).
    pub written: bool,
}

/// One live object from a listing: its metadata, and its whole content for kinds whose objects
/// may be skipped as unchanged (the skip compares values).
#[derive(Clone)]
struct Live {
    meta: ObjectMeta,
    data: Option<Value>,
}

/// Live objects of one kind in one namespace, by name.
type Listing = Arc<HashMap<String, Live>>;
/// (apiVersion, kind, namespace) -> its listing, fetched once.
type Listings = HashMap<(String, String, String), Arc<OnceCell<Listing>>>;

pub struct Applier {
    cluster: Cluster,
    owner: String,
    release_namespace: String,
    mode: ApplyMode,
    /// Objects whose desired state equals what the last applied revisions applied.
    unchanged: HashSet<ObjectKey>,
    /// One metadata LIST per (apiVersion, kind, namespace), shared by concurrent applies.
    listings: Mutex<Listings>,
    /// In a dry run, leave out the dry-run apply of every untouched object, not only of those
    /// marked unchanged (see [`Applier::skipping_untouched`]).
    skip_untouched: bool,
}

impl Applier {
    pub fn new(cluster: &Cluster, release: &str, namespace: &str, mode: ApplyMode) -> Applier {
        Applier {
            cluster: cluster.clone(),
            owner: owner_value(namespace, release),
            release_namespace: namespace.to_string(),
            mode,
            unchanged: HashSet::new(),
            listings: Mutex::new(HashMap::new()),
            skip_untouched: false,
        }
    }

    /// For a dry run that looks for drift (`status`): an object whose live state is untouched
    /// (see [`super::untouched`]) is known to apply as a no-op, so it is read from one LIST of
    /// its kind and namespace and its dry-run apply is not sent; its [`Applied`] has the live
    /// object on both sides and `written: false`. Objects that are not untouched are read and
    /// dry-run applied one by one as before.
    pub fn skipping_untouched(mut self) -> Applier {
        self.skip_untouched = true;
        self
    }

    /// Marks objects (by key) whose desired state equals what every revision since the last
    /// deployed one applied: they are applied again only when the live object shows changes.
    pub fn with_unchanged(mut self, keys: HashSet<ObjectKey>) -> Applier {
        self.unchanged = keys;
        self
    }

    /// Whether `object` is one of those marked unchanged since the last applied revision.
    pub fn is_unchanged(&self, object: &Object) -> bool {
        self.unchanged
            .contains(&object.key(&self.release_namespace))
    }

    /// The live object `name` (its metadata, and its content for kinds that may be skipped),
    /// from one LIST of its kind and namespace per run.
    async fn live(
        &self,
        api: &Api<DynamicObject>,
        object: &Object,
        namespace: &str,
    ) -> Result<Option<Live>> {
        let cell = {
            let mut listings = self
                .listings
                .lock()
                .map_err(|_| anyhow!("the listing cache is poisoned"))?;
            listings
                .entry((
                    object.api_version().to_string(),
                    object.kind().to_string(),
                    namespace.to_string(),
                ))
                .or_default()
                .clone()
        };
        let listing = cell
            .get_or_try_init(|| async {
                self.cluster.ui().verbose(
                    2,
                    format!(
                        "reading the metadata of every {} in {}",
                        object.kind(),
                        if namespace.is_empty() {
                            "the cluster".to_string()
                        } else {
                            format!("namespace `{namespace}`")
                        }
                    ),
                );
                let started = std::time::Instant::now();
                let listing_failed =
                    |e| api_error(e, &format!("listing {} objects", object.kind()));
                let items: HashMap<String, Live> = if self.may_skip(object) {
                    api.list(&ListParams::default())
                        .await
                        .map_err(listing_failed)?
                        .items
                        .into_iter()
                        .filter_map(|o| {
                            let data = serde_json::to_value(&o).ok();
                            Some((
                                o.metadata.name.clone()?,
                                Live {
                                    meta: o.metadata,
                                    data,
                                },
                            ))
                        })
                        .collect()
                } else {
                    api.list_metadata(&ListParams::default().match_any())
                        .await
                        .map_err(listing_failed)?
                        .items
                        .into_iter()
                        .filter_map(|m| {
                            Some((
                                m.metadata.name.clone()?,
                                Live {
                                    meta: m.metadata,
                                    data: None,
                                },
                            ))
                        })
                        .collect()
                };
                self.cluster.ui().verbose(
                    2,
                    format!(
                        "listed {} {} objects in {:?}",
                        items.len(),
                        object.kind(),
                        started.elapsed()
                    ),
                );
                Ok::<_, anyhow::Error>(Arc::new(items))
            })
            .await?;
        Ok(listing.get(object.name()).cloned())
    }

    /// A consistent LIST waits until the API server's cache has caught up with etcd, which
    /// after a write to another resource (the lock, the release record) takes until etcd's next
    /// progress notification: about 100 ms per kind. The ownership check does not need that
    /// proof; the cache lags etcd by milliseconds, as if the check had run that much earlier.
    /// Only kinds with objects that may be skipped as unchanged are read consistently, and
    /// whole, because a skip relies on seeing every change made before this run.
    fn may_skip(&self, object: &Object) -> bool {
        (self.mode.dry_run && self.skip_untouched)
            || self
                .unchanged
                .iter()
                .any(|k| k.kind == object.kind() && k.group == object.group())
    }

    pub fn client(&self) -> &Client {
        &self.cluster.client
    }

    /// The connection this applier writes through.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The API handle for an object, by its apiVersion, kind and namespace.
    pub async fn api_for(&self, object: &Object) -> Result<(Api<DynamicObject>, Resolved)> {
        let resolved = self
            .cluster
            .resolve(object.api_version(), object.kind())
            .await
            .map_err(|e| anyhow!("{} ({}): {e}", object.reference(), object.template))?;
        let api = if resolved.namespaced {
            let ns = object.namespace().unwrap_or(&self.release_namespace);
            Api::namespaced_with(self.cluster.client.clone(), ns, &resolved.resource)
        } else {
            Api::all_with(self.cluster.client.clone(), &resolved.resource)
        };
        Ok((api, resolved))
    }

    /// Applies one object: ownership check, then server-side apply as field manager `todoctl`.
    pub async fn apply(&self, object: &Object) -> Result<Applied> {
        self.apply_as(object, self.mode.dry_run).await
    }

    /// What [`Applier::apply`] would do, as a server-side dry run that writes nothing: the same
    /// ownership check, conflict rules and skip of untouched objects, sharing this applier's
    /// listings so the real apply after it reads nothing twice. A rejection by the API server's
    /// validation comes back as a [`Rejection`] inside the error.
    pub async fn check(&self, object: &Object) -> Result<Applied> {
        self.apply_as(object, true).await
    }

    async fn apply_as(&self, object: &Object, dry_run: bool) -> Result<Applied> {
        let (api, resolved) = self.api_for(object).await?;
        let reference = object.reference();
        let name = object.name().to_string();

        let namespace = resolved.namespaced.then(|| {
            object
                .namespace()
                .unwrap_or(&self.release_namespace)
                .to_string()
        });
        // What is applied: the object with this release's owner annotation.
        let mut data = object.data.clone();
        set_annotation(&mut data, OWNER_ANNOTATION, &self.owner);
        // A dry run that may leave out untouched objects (status; diff of objects unchanged
        // since the last revision, as the upgrade it shows would) reads them from the listing.
        if self.mode.dry_run
            && (self.skip_untouched
                || self
                    .unchanged
                    .contains(&object.key(&self.release_namespace)))
            // A listing that cannot be read (no `list` permission on the kind) leaves the
            // object to the GET and dry run below, which may still be allowed.
            && let Ok(Some(live)) = self
                .live(&api, object, namespace.as_deref().unwrap_or_default())
                .await
            && let Some(live_data) = &live.data
            && super::untouched::untouched(&live.meta, live_data, &data)
        {
            self.cluster.ui().verbose(
                1,
                format!("dry run {reference}: untouched since it was applied, not sent"),
            );
            // A listing's items carry no apiVersion and kind of their own; they go first,
            // as in the object a GET returns, so that the two serialize alike (a plan's
            // fingerprint of what it read hashes the serialized object).
            let mut whole = serde_json::Map::new();
            whole.insert("apiVersion".into(), object.api_version().into());
            whole.insert("kind".into(), object.kind().into());
            if let Value::Object(fields) = live_data {
                for (k, v) in fields {
                    if k != "apiVersion" && k != "kind" {
                        whole.insert(k.clone(), v.clone());
                    }
                }
            }
            let whole = Value::Object(whole);
            return Ok(Applied {
                reference,
                kind: object.kind().to_string(),
                namespace,
                name,
                generation: live.meta.generation,
                api,
                live: whole.clone(),
                before: Some(whole),
                restored_drift: Vec::new(),
                written: false,
            });
        }
        // A dry run (diff, status) needs the whole live object; a real apply only its metadata,
        // and its content when it may be skipped.
        let mut live_data = None;
        let (existing, existing_meta) = if self.mode.dry_run {
            let full = api
                .get_opt(&name)
                .await
                .map_err(|e| api_error(e, &format!("reading {reference}")))?;
            let meta = full.as_ref().map(|o| o.metadata.clone());
            (full, meta)
        } else {
            let live = self
                .live(&api, object, namespace.as_deref().unwrap_or_default())
                .await?;
            live_data = live.as_ref().and_then(|l| l.data.clone());
            (None, live.map(|l| l.meta))
        };
        if let Some(live) = &existing_meta {
            let owner = super::ownership::owner_of(live);
            if owner.as_deref() != Some(self.owner.as_str()) && !self.mode.adopt {
                return Err(Takeover {
                    reference: reference.clone(),
                    whose: match &owner {
                        Some(o) => format!("it belongs to release `{o}`"),
                        None => "it was not created by todoctl".to_string(),
                    },
                    owner,
                    release: self.owner.clone(),
                }
                .into());
            }
        }

        if !self.mode.dry_run
            && self
                .unchanged
                .contains(&object.key(&self.release_namespace))
            && let Some(live) = &existing_meta
            && let Some(live_data) = &live_data
            && super::untouched::untouched(live, live_data, &data)
        {
            self.cluster.ui().verbose(
                1,
                format!("apply {reference}: unchanged since the last revision, not applied"),
            );
            return Ok(Applied {
                reference,
                kind: object.kind().to_string(),
                namespace,
                name,
                generation: live.generation,
                api,
                live: serde_json::json!({ "metadata": live }),
                before: None,
                restored_drift: Vec::new(),
                written: false,
            });
        }
        let params = |force: bool| {
            let mut p = PatchParams::apply(FIELD_MANAGER);
            if force {
                p = p.force();
            }
            if dry_run {
                p = p.dry_run();
            }
            p
        };
        let mut restored_drift = Vec::new();
        self.cluster.ui().verbose(
            1,
            format!(
                "apply {reference} ({}): server-side apply as `{FIELD_MANAGER}`{}{}",
                object.template,
                if self.mode.force_conflicts {
                    ", forcing conflicts"
                } else {
                    ""
                },
                if dry_run { ", dry run" } else { "" }
            ),
        );
        let attempt = async {
            Ok(
                match api
                    .patch(
                        &name,
                        &params(self.mode.force_conflicts),
                        &Patch::Apply(&data),
                    )
                    .await
                {
                    Ok(r) => r,
                    Err(kube::Error::Api(s)) if s.code == 409 => {
                        // Fields changed out of band (kubectl edit, patch, scale: Update operations) are
                        // drift, and the release's own values win. A field another *applier* declared is
                        // a real conflict between two owners: only --force-conflicts settles it.
                        let managers = conflicting_managers(&s.message);
                        let appliers: Vec<&String> = managers
                            .iter()
                            .filter(|m| {
                                manager_operation(existing_meta.as_ref(), m) != Some("Update")
                            })
                            .collect();
                        if managers.is_empty() || !appliers.is_empty() {
                            bail!(
                                "{reference}: {} also manage{} fields todoctl applies ({}); an install, upgrade or rollback with --force-conflicts takes them over, or change that tool's configuration",
                                appliers
                                    .iter()
                                    .map(|m| format!("`{m}`"))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                if appliers.len() == 1 { "s" } else { "" },
                                s.message
                            );
                        }
                        self.cluster.ui().verbose(
                            1,
                            format!(
                                "apply {reference}: restoring fields changed by {}",
                                managers.join(", ")
                            ),
                        );
                        restored_drift = managers;
                        api.patch(&name, &params(true), &Patch::Apply(&data))
                            .await
                            .map_err(|e| apply_error(e, object))?
                    }
                    Err(e) => return Err(apply_error(e, object)),
                },
            )
        };
        let result = match attempt.await {
            Ok(r) => r,
            Err(e) => match e.downcast::<Rejection>() {
                Ok(rejection) => {
                    let force = self.mode.force_conflicts || !restored_drift.is_empty();
                    self.switch(&api, object, &data, rejection, dry_run, force)
                        .await?
                }
                Err(e) => return Err(e),
            },
        };
        let live = serde_json::to_value(&result).unwrap_or(Value::Null);
        Ok(Applied {
            reference,
            kind: object.kind().to_string(),
            namespace,
            name,
            generation: result.metadata.generation,
            api,
            live,
            before: existing.and_then(|e| serde_json::to_value(&e).ok()),
            restored_drift,
            written: true,
        })
    }

    /// A rejected apply that switches a union member (see [`super::unions`]): when every
    /// cause of the rejection lies in a union the desired object switches, make the switch
    /// with a strategic merge patch, then apply. In a dry run both steps are checked (the
    /// switch as a dry-run patch, the rest as a dry-run apply with the unions as they are
    /// live) and the result shows the switch. Anything else is the rejection as it came.
    async fn switch(
        &self,
        api: &Api<DynamicObject>,
        object: &Object,
        data: &Value,
        rejection: Rejection,
        dry_run: bool,
        force: bool,
    ) -> Result<DynamicObject> {
        let name = object.name();
        let live = api
            .get_opt(name)
            .await
            .map_err(|e| api_error(e, &format!("reading {}", object.reference())))?
            .and_then(|o| serde_json::to_value(o).ok());
        let Some(live) = live else {
            return Err(rejection.into());
        };
        let Some(switch) = super::unions::switch_patch(object.kind(), data, &live) else {
            return Err(rejection.into());
        };
        let causes = rejection
            .status
            .details
            .as_ref()
            .map(|d| d.causes.clone())
            .unwrap_or_default();
        let explained = !causes.is_empty()
            && causes.iter().all(|c| {
                switch.paths.iter().any(|p| {
                    c.field == *p
                        || c.field.starts_with(&format!("{p}."))
                        || c.field.starts_with(&format!("{p}["))
                })
            });
        if !explained {
            return Err(rejection.into());
        }
        self.cluster.ui().verbose(
            1,
            format!(
                "apply {}: switching {} (clearing {})",
                object.reference(),
                switch.paths.join(", "),
                switch.cleared.join(", ")
            ),
        );
        let mut patch_params = PatchParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..Default::default()
        };
        let mut apply_params = PatchParams::apply(FIELD_MANAGER);
        if force {
            apply_params = apply_params.force();
        }
        if dry_run {
            patch_params = patch_params.dry_run();
            apply_params = apply_params.dry_run();
            api.patch(name, &patch_params, &Patch::Strategic(&switch.patch))
                .await
                .map_err(|e| apply_error(e, object))?;
            let mut restated = data.clone();
            super::unions::overlay(&mut restated, &switch.restore);
            let mut result = api
                .patch(name, &apply_params, &Patch::Apply(&restated))
                .await
                .map_err(|e| apply_error(e, object))?;
            let mut shown = serde_json::to_value(&result)?;
            super::unions::overlay(&mut shown, &switch.patch);
            result = serde_json::from_value(shown)?;
            return Ok(result);
        }
        api.patch(name, &patch_params, &Patch::Strategic(&switch.patch))
            .await
            .map_err(|e| apply_error(e, object))?;
        let applied = api
            .patch(name, &apply_params, &Patch::Apply(data))
            .await
            .map_err(|e| apply_error(e, object))?;
        self.forget_switch_owner(api, &applied).await;
        Ok(applied)
    }

    /// The switch patch left todoctl an `Update` entry in managedFields beside its `Apply`
    /// one; a later apply would meet it as a conflict with itself. Drop it, guarded by the
    /// resourceVersion and read again when a controller wrote in between (a Deployment's
    /// status follows every spec change); after a few tries the entry stays, which costs
    /// only the "unchanged" shortcut of later upgrades.
    async fn forget_switch_owner(&self, api: &Api<DynamicObject>, applied: &DynamicObject) {
        let name = applied.metadata.name.clone().unwrap_or_default();
        let mut current = Some(applied.clone());
        for _ in 0..5 {
            let Some(object) = current.take() else { return };
            let Some(entries) = &object.metadata.managed_fields else {
                return;
            };
            let kept: Vec<_> = entries
                .iter()
                .filter(|e| {
                    !(e.manager.as_deref() == Some(FIELD_MANAGER)
                        && e.operation.as_deref() == Some("Update")
                        && e.subresource.is_none())
                })
                .cloned()
                .collect();
            if kept.len() == entries.len() || kept.is_empty() {
                return;
            }
            let body = serde_json::json!({
                "metadata": {
                    "resourceVersion": object.metadata.resource_version,
                    "managedFields": kept,
                }
            });
            let params = PatchParams {
                field_manager: Some(FIELD_MANAGER.to_string()),
                ..Default::default()
            };
            match api.patch(&name, &params, &Patch::Merge(&body)).await {
                Ok(_) => return,
                Err(kube::Error::Api(s)) if s.code == 409 => {
                    current = api.get_opt(&name).await.ok().flatten();
                }
                Err(e) => {
                    self.cluster.ui().verbose(
                        1,
                        format!(
                            "could not drop the switch's field ownership entry: {}",
                            crate::error::describe_kube(&e)
                        ),
                    );
                    return;
                }
            }
        }
    }

    /// Deletes an object if it exists and no other release owns it (see
    /// [`super::ownership::owner_of`]). Says nothing itself: what was deleted or kept is the
    /// caller's to report, once (a dry run checks every deletion before the real one).
    pub async fn delete(&self, object: &Object) -> Result<Deletion> {
        self.delete_as(object, self.mode.dry_run).await
    }

    /// What [`Applier::delete`] would do, as a server-side dry run.
    pub async fn check_delete(&self, object: &Object) -> Result<Deletion> {
        self.delete_as(object, true).await
    }

    async fn delete_as(&self, object: &Object, dry_run: bool) -> Result<Deletion> {
        let (api, resolved) = self.api_for(object).await?;
        let reference = object.reference();
        // An object another release owns now (imported or adopted into it since this release
        // applied it) is that release's to delete: deleting it would take it from under its
        // owner. It is left in place, like an object that is already gone.
        let namespace = if resolved.namespaced {
            object.namespace().unwrap_or(&self.release_namespace)
        } else {
            ""
        };
        if let Some(live) = self.live(&api, object, namespace).await?
            && let Some(owner) = super::ownership::owner_of(&live.meta)
            && owner != self.owner
        {
            return Ok(Deletion::Kept { owner });
        }
        let dp = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            dry_run,
            ..Default::default()
        };
        self.cluster.ui().verbose(
            1,
            format!(
                "delete {reference}{}",
                if dp.dry_run { " (dry run)" } else { "" }
            ),
        );
        match api.delete(object.name(), &dp).await {
            Ok(_) => Ok(Deletion::Deleted),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(Deletion::Absent),
            Err(e) => Err(api_error(e, &format!("deleting {reference}"))),
        }
    }

    /// Whether an object still exists (for waiting on deletion).
    pub async fn exists(&self, object: &Object) -> Result<bool> {
        let (api, _) = self.api_for(object).await?;
        Ok(api
            .get_opt(object.name())
            .await
            .map_err(|e| api_error(e, &format!("reading {}", object.reference())))?
            .is_some())
    }
}

/// What [`Applier::delete`] did with one object (or, as a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// Deleted (or accepted by the API server's dry run).
    Deleted,
    /// Not there: deleted already.
    Absent,
    /// Left in place: another release (`<namespace>/<release>`) owns it now.
    Kept { owner: String },
}

impl Deletion {
    /// The reason a kept object stays, as uninstall and prune report it: `it belongs to release
    /// `todo-app/shop` now, so this release does not delete it`.
    pub fn kept_reason(owner: &str) -> String {
        format!("it belongs to release `{owner}` now, so this release does not delete it")
    }
}

/// An object todoctl itself refuses to apply: it exists and belongs to another release, or to
/// no todoctl release, and --adopt was not given. Not the API server's doing.
#[derive(Debug)]
pub struct Takeover {
    /// `configmap/backend-config`
    pub reference: String,
    /// `it belongs to release `shop`` or `it was not created by todoctl`.
    pub whose: String,
    /// The release that owns it (`<namespace>/<release>`), if one does.
    pub owner: Option<String>,
    /// The release that would take it over.
    pub release: String,
}

impl std::fmt::Display for Takeover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} already exists in the cluster and {}; todoctl will not take it over silently: install release `{}` in another namespace (-n), ",
            self.reference, self.whose, self.release
        )?;
        // An object another release manages stays that release's: taking it with --adopt would
        // change it under that release (its selector, its labels), so it is not offered.
        match self.owner {
            Some(_) => write!(f, "or change the release that owns it instead"),
            None => write!(
                f,
                "pass --adopt to manage the object as part of it, or delete or rename the object"
            ),
        }
    }
}

impl std::error::Error for Takeover {}

/// An apply the API server refused as invalid (422): the object and the server's own account,
/// whose `details.causes` name each field. Displays as every other API error does.
#[derive(Debug)]
pub struct Rejection {
    pub reference: String,
    pub template: String,
    pub status: kube::core::Status,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "applying {} ({}): {} (422); the API server rejected the object as invalid",
            self.reference, self.template, self.status.message
        )
    }
}

impl std::error::Error for Rejection {}

fn apply_error(err: kube::Error, object: &Object) -> anyhow::Error {
    match err {
        kube::Error::Api(s) if s.code == 422 => Rejection {
            reference: object.reference(),
            template: object.template.clone(),
            status: *s,
        }
        .into(),
        e => api_error(
            e,
            &format!("applying {} ({})", object.reference(), object.template),
        ),
    }
}

/// Manager names from a 409 apply conflict: `conflict with "kubectl-edit" using apps/v1: .spec.replicas`.
fn conflicting_managers(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    // One conflict reads `conflict with "helm"`, several `conflicts with "helm" using apps/v1:`.
    while let Some(i) = rest.find(" with \"") {
        rest = &rest[i + " with \"".len()..];
        if let Some(end) = rest.find('"') {
            let name = rest[..end].to_string();
            if !out.contains(&name) {
                out.push(name);
            }
            rest = &rest[end..];
        }
    }
    out
}

/// `Apply` or `Update`, as the live object's managedFields record for `manager`.
fn manager_operation<'a>(live: Option<&'a ObjectMeta>, manager: &str) -> Option<&'a str> {
    live?
        .managed_fields
        .as_ref()?
        .iter()
        .filter(|m| m.manager.as_deref() == Some(manager))
        .filter_map(|m| m.operation.as_deref())
        .max_by_key(|op| (*op == "Apply") as u8)
}

pub fn owner_value(namespace: &str, release: &str) -> String {
    format!("{namespace}/{release}")
}

fn set_annotation(data: &mut Value, key: &str, value: &str) {
    let Some(root) = data.as_object_mut() else {
        return;
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Default::default()));
    let Some(meta) = meta.as_object_mut() else {
        return;
    };
    let ann = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(ann) = ann.as_object_mut() {
        ann.insert(key.to_string(), Value::String(value.to_string()));
    }
}
