//! Taking over an object another tool applied, without changing any of its fields: todoctl's
//! ownership marks are added, and the field ownership that tool's field managers hold moves to
//! todoctl's `Apply` entry, so that todoctl's next server-side apply meets no conflict and
//! removes what it no longer renders instead of leaving it orphaned. This is what kubectl's
//! `csaupgrade` does for `kubectl apply --server-side`: managedFields are rewritten, the
//! object's content is not.
//!
//! Only metadata changes, so no workload's `metadata.generation` moves and no pod is replaced.

use anyhow::{Result, anyhow};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Map, Value, json};

use super::apply::{FIELD_MANAGER, OWNER_ANNOTATION, api_error};
use crate::manifest::labels::{MANAGED_BY, MANAGER};

/// The annotation Helm writes on every object of a release, naming the release: the field
/// manager that owns it is Helm's.
pub const HELM_RELEASE_NAME: &str = "meta.helm.sh/release-name";

/// Field managers that are Helm's on every object of a Helm release: `helm` (the `helm`
/// command's: Helm 4 applies server-side under it, Helm 3 creates and patches under it as
/// `Update`), and `kubectl-client-side-apply` for objects made with `kubectl apply` before Helm
/// adopted them.
pub const KNOWN_HELM_MANAGERS: &[&str] = &["helm", "kubectl-client-side-apply"];

/// The field managers of Helm's on an object's managedFields `entries`: [`KNOWN_HELM_MANAGERS`]
/// and the managers of the top-level entries that own the [`HELM_RELEASE_NAME`] annotation.
/// Helm's field manager is not a fixed name: the `helm` command sets `helm`, but Helm's Go
/// library falls back to the base name of the running binary (`getManagedFieldsManager` in
/// Helm's pkg/kube), so a program built on it, such as Flux's `helm-controller`, writes under
/// its own name; it is found by the field Helm writes on every object. todoctl's own manager
/// is never one of them.
pub fn helm_managers(entries: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = KNOWN_HELM_MANAGERS.iter().map(|m| m.to_string()).collect();
    for e in entries {
        let top_level = e
            .get("subresource")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        let owns_release_name = e
            .pointer("/fieldsV1/f:metadata/f:annotations")
            .and_then(|a| a.get(format!("f:{HELM_RELEASE_NAME}")))
            .is_some();
        let Some(manager) = e.get("manager").and_then(Value::as_str) else {
            continue;
        };
        if top_level
            && owns_release_name
            && manager != FIELD_MANAGER
            && !out.iter().any(|m| m == manager)
        {
            out.push(manager.to_string());
        }
    }
    out
}

/// The mark of an object taken over in the release namespace, whose value is the release:
/// a label, because a Deployment's `metadata.generation` moves with every change of its
/// annotations (its strategy copies them to ReplicaSets) and an import must not move it. The
/// first todoctl apply adds the owner annotation as for every object.
pub const IMPORTED_INTO: &str = "todoctl.io/imported-into";

/// The release (`<namespace>/<release>`) that owns a live object: its `todoctl.io/owner`
/// annotation, or for an object an import took over, its namespace and `todoctl.io/imported-into` label.
pub fn owner_of(meta: &kube::api::ObjectMeta) -> Option<String> {
    if let Some(owner) = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(OWNER_ANNOTATION))
    {
        return Some(owner.clone());
    }
    let release = meta.labels.as_ref()?.get(IMPORTED_INTO)?;
    Some(super::apply::owner_value(
        meta.namespace.as_deref()?,
        release,
    ))
}

/// How many times a managedFields rewrite is retried when a controller wrote the object in
/// between (a Deployment's status follows its pods).
const ATTEMPTS: usize = 8;

/// Marks `name` as release `release`'s and moves the fields of Helm's field managers
/// ([`helm_managers`], read from the object) to todoctl's `Apply` entry. The marks are labels
/// (`app.kubernetes.io/managed-by: todoctl`, [`IMPORTED_INTO`]) for an object in the release
/// namespace `namespace`, and the
/// `todoctl.io/owner` annotation only for one outside it (cluster-scoped). The last-applied
/// annotation stays, owned by todoctl now, so the next todoctl apply removes it.
///
/// `Ok(None)`: the object does not exist. `Ok(Some(managers))`: taken over; `managers` are
/// the entries whose fields moved (`helm (Apply)`), empty when none of Helm's held any.
/// Errors: the object belongs to another todoctl release ([`owner_of`]), checked on the same
/// read the marks are written against, so that no release's object is taken from it.
pub async fn take_over(
    api: &Api<DynamicObject>,
    reference: &str,
    name: &str,
    namespace: Option<&str>,
    release: (&str, &str),
    now: jiff::Timestamp,
) -> Result<Option<Vec<String>>> {
    let (release_namespace, release) = release;
    let ours = super::apply::owner_value(release_namespace, release);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..Default::default()
    };
    let time = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    for _ in 0..ATTEMPTS {
        let Some(live) = api
            .get_opt(name)
            .await
            .map_err(|e| api_error(e, &format!("reading {reference}")))?
        else {
            return Ok(None);
        };
        if let Some(owner) = owner_of(&live.metadata)
            && owner != ours
        {
            return Err(anyhow!(
                "{reference} belongs to todoctl release `{owner}` (`<namespace>/<release>`), not to `{ours}`; it was left as it is"
            ));
        }
        // Written against the version just read: an owner set in between is a 409, read again.
        let mut marks = if namespace == Some(release_namespace) {
            json!({"metadata": {"labels": { MANAGED_BY: MANAGER, IMPORTED_INTO: release }}})
        } else {
            json!({"metadata": {
                "labels": { MANAGED_BY: MANAGER },
                "annotations": { OWNER_ANNOTATION: ours },
            }})
        };
        marks["metadata"]["resourceVersion"] = json!(live.metadata.resource_version);
        let marked = match api.patch(name, &params, &Patch::Merge(&marks)).await {
            Ok(o) => o,
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(None),
            Err(kube::Error::Api(s)) if s.code == 409 => continue,
            Err(e) => return Err(api_error(e, &format!("marking {reference} as todoctl's"))),
        };
        let entries: Vec<Value> = match &marked.metadata.managed_fields {
            Some(m) => m
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let api_version = marked
            .types
            .as_ref()
            .map(|t| t.api_version.clone())
            .unwrap_or_default();
        let from = helm_managers(&entries);
        let (rewritten, moved) = transferred(&entries, &from, &api_version, &time);
        if rewritten == entries {
            return Ok(Some(moved));
        }
        let body = json!({
            "metadata": {
                "resourceVersion": marked.metadata.resource_version,
                "managedFields": rewritten,
            }
        });
        match api.patch(name, &params, &Patch::Merge(&body)).await {
            Ok(_) => return Ok(Some(moved)),
            Err(kube::Error::Api(s)) if s.code == 409 => continue,
            Err(e) => {
                return Err(api_error(
                    e,
                    &format!("moving the field ownership of {reference} to `{FIELD_MANAGER}`"),
                ));
            }
        }
    }
    Err(anyhow!(
        "{reference} changed {ATTEMPTS} times while its field ownership was being moved to `{FIELD_MANAGER}`; run the command again"
    ))
}

/// The managedFields `entries` with every entry of a manager in `from` (and todoctl's own
/// `Update` entry, which the marks leave) merged into one `Apply` entry of todoctl's; entries
/// of subresources (status, scale) are left alone.
/// Returns the new entries and the moved ones as `manager (Operation)`.
pub fn transferred(
    entries: &[Value],
    from: &[String],
    api_version: &str,
    time: &str,
) -> (Vec<Value>, Vec<String>) {
    let field = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
    let mut kept = Vec::new();
    let mut union = Value::Object(Map::new());
    let mut moved = Vec::new();
    let mut own_apply = None;
    for e in entries {
        let manager = field(e, "manager").unwrap_or_default();
        let operation = field(e, "operation").unwrap_or_default();
        let top_level = field(e, "subresource").is_none_or(|s| s.is_empty());
        let theirs = from.contains(&manager);
        let ours = manager == FIELD_MANAGER;
        if !top_level || !(theirs || ours) {
            kept.push(e.clone());
            continue;
        }
        if theirs {
            moved.push(format!("{manager} ({operation})"));
        }
        if ours && operation == "Apply" {
            own_apply = Some(e.clone());
        }
        if let Some(f) = e.get("fieldsV1") {
            union_into(&mut union, f);
        }
    }
    if moved.is_empty() && own_apply.is_some() && kept.len() + 1 == entries.len() {
        // Already taken over: nothing to rewrite.
        return (entries.to_vec(), moved);
    }
    let api_version = own_apply
        .as_ref()
        .and_then(|e| field(e, "apiVersion"))
        .unwrap_or_else(|| api_version.to_string());
    kept.push(json!({
        "manager": FIELD_MANAGER,
        "operation": "Apply",
        "apiVersion": api_version,
        "time": time,
        "fieldsType": "FieldsV1",
        "fieldsV1": union,
    }));
    (kept, moved)
}

/// Adds every field of the set `from` to the set `into` (managedFields' FieldsV1 tries).
fn union_into(into: &mut Value, from: &Value) {
    let (Some(into), Some(from)) = (into.as_object_mut(), from.as_object()) else {
        return;
    };
    for (k, v) in from {
        match into.get_mut(k) {
            Some(existing) => union_into(existing, v),
            None => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(manager: &str, operation: &str, fields: Value) -> Value {
        json!({"manager": manager, "operation": operation, "apiVersion": "apps/v1",
               "time": "2026-11-29T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields})
    }

    #[test]
    fn helm_entries_become_one_todoctl_apply_entry() {
        let status = json!({"manager": "kube-controller-manager", "operation": "Update",
            "apiVersion": "apps/v1", "subresource": "status", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {}}});
        let entries = vec![
            entry(
                "helm",
                "Update",
                json!({"f:metadata": {"f:annotations": {".": {}, "f:meta.helm.sh/release-name": {},
                    "f:kubectl.kubernetes.io/last-applied-configuration": {}}},
                    "f:spec": {"f:replicas": {}}}),
            ),
            entry(
                "todoctl",
                "Update",
                json!({"f:metadata": {"f:annotations": {"f:todoctl.io/owner": {}}}}),
            ),
            status.clone(),
        ];
        let from = helm_managers(&entries);
        let (out, moved) = transferred(&entries, &from, "apps/v1", "2026-11-29T12:00:00Z");
        assert_eq!(moved, vec!["helm (Update)".to_string()]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0], status);
        assert_eq!(out[1]["manager"], "todoctl");
        assert_eq!(out[1]["operation"], "Apply");
        assert_eq!(
            out[1]["fieldsV1"],
            json!({"f:metadata": {"f:annotations": {".": {}, "f:meta.helm.sh/release-name": {},
                "f:kubectl.kubernetes.io/last-applied-configuration": {},
                "f:todoctl.io/owner": {}}}, "f:spec": {"f:replicas": {}}})
        );
        // A second pass changes nothing.
        let (again, moved) = transferred(&out, &helm_managers(&out), "apps/v1", "later");
        assert_eq!(again, out);
        assert!(moved.is_empty());
    }

    #[test]
    fn other_managers_keep_their_fields() {
        let entries = vec![
            entry(
                "helm",
                "Apply",
                json!({"f:metadata": {"f:annotations": {"f:meta.helm.sh/release-name": {}}},
                    "f:spec": {"f:replicas": {}}}),
            ),
            entry(
                "kubectl-edit",
                "Update",
                json!({"f:spec": {"f:paused": {}}}),
            ),
        ];
        let (out, moved) = transferred(&entries, &helm_managers(&entries), "apps/v1", "t");
        assert_eq!(moved, vec!["helm (Apply)".to_string()]);
        assert_eq!(out[0]["manager"], "kubectl-edit");
        assert_eq!(
            out[1]["fieldsV1"],
            json!({"f:metadata": {"f:annotations": {"f:meta.helm.sh/release-name": {}}},
                "f:spec": {"f:replicas": {}}})
        );
    }

    #[test]
    fn helm_is_the_manager_of_the_release_name_whatever_its_binary_is_called() {
        let release_name =
            json!({"f:metadata": {"f:annotations": {"f:meta.helm.sh/release-name": {}}}});
        let mut status = entry("helm3", "Update", release_name.clone());
        status["subresource"] = json!("status");
        let entries = vec![
            entry("helm3", "Update", release_name.clone()),
            entry("helm-controller", "Apply", release_name.clone()),
            // Already taken over: todoctl's own entry holds it.
            entry("todoctl", "Apply", release_name),
            entry(
                "kubectl-edit",
                "Update",
                json!({"f:spec": {"f:paused": {}}}),
            ),
            entry(
                "kube-controller-manager",
                "Update",
                json!({"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}),
            ),
            status,
        ];
        assert_eq!(
            helm_managers(&entries),
            vec![
                "helm",
                "kubectl-client-side-apply",
                "helm3",
                "helm-controller"
            ]
        );
    }
}
