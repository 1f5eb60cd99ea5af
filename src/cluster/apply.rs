//! Server-side apply of one object at a time, with todoctl's ownership rules, and deletion.
//!
//! Objects carry the annotation `todoctl.io/owner: <namespace>/<release>`. An existing object
//! without it (or with another release's) is refused unless the caller adopts it, so todoctl
//! never silently takes over what someone else created.

use anyhow::{Result, anyhow, bail};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::discovery::{Resolved, Resolver};
use crate::manifest::Object;

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
}

pub struct Applier {
    client: Client,
    resolver: Resolver,
    owner: String,
    release_namespace: String,
    mode: ApplyMode,
}

impl Applier {
    pub fn new(client: Client, release: &str, namespace: &str, mode: ApplyMode) -> Applier {
        Applier {
            resolver: Resolver::new(client.clone()),
            client,
            owner: owner_value(namespace, release),
            release_namespace: namespace.to_string(),
            mode,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The API handle for an object, by its apiVersion, kind and namespace.
    pub async fn api_for(&self, object: &Object) -> Result<(Api<DynamicObject>, Resolved)> {
        let resolved = self
            .resolver
            .resolve(object.api_version(), object.kind())
            .await
            .map_err(|e| anyhow!("{} ({}): {e}", object.reference(), object.template))?;
        let api = if resolved.namespaced {
            let ns = object.namespace().unwrap_or(&self.release_namespace);
            Api::namespaced_with(self.client.clone(), ns, &resolved.resource)
        } else {
            Api::all_with(self.client.clone(), &resolved.resource)
        };
        Ok((api, resolved))
    }

    /// Applies one object: ownership check, then server-side apply as field manager `todoctl`.
    pub async fn apply(&self, object: &Object) -> Result<Applied> {
        let (api, resolved) = self.api_for(object).await?;
        let reference = object.reference();
        let name = object.name().to_string();

        let existing = api
            .get_opt(&name)
            .await
            .map_err(|e| api_error(e, &format!("reading {reference}")))?;
        if let Some(live) = &existing {
            let owner = live.annotations().get(OWNER_ANNOTATION).cloned();
            if owner.as_deref() != Some(self.owner.as_str()) && !self.mode.adopt {
                let whose = match owner {
                    Some(o) => format!("it belongs to release `{o}`"),
                    None => "it was not created by todoctl".to_string(),
                };
                bail!(
                    "{reference} already exists in the cluster and {whose}; todoctl will not take it over silently: pass --adopt to manage it as part of release `{}`, or delete or rename it",
                    self.owner
                );
            }
        }

        let mut data = object.data.clone();
        set_annotation(&mut data, OWNER_ANNOTATION, &self.owner);
        let params = |force: bool| {
            let mut p = PatchParams::apply(FIELD_MANAGER);
            if force {
                p = p.force();
            }
            if self.mode.dry_run {
                p = p.dry_run();
            }
            p
        };
        let mut restored_drift = Vec::new();
        crate::ui::verbose(
            1,
            format!(
                "apply {reference} ({}): server-side apply as `{FIELD_MANAGER}`{}{}",
                object.template,
                if self.mode.force_conflicts {
                    ", forcing conflicts"
                } else {
                    ""
                },
                if self.mode.dry_run { ", dry run" } else { "" }
            ),
        );
        let result = match api
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
                    .filter(|m| manager_operation(existing.as_ref(), m) != Some("Update"))
                    .collect();
                if managers.is_empty() || !appliers.is_empty() {
                    bail!(
                        "{reference}: {} also manage{} fields todoctl applies ({}); pass --force-conflicts to take them over, or change that tool's configuration",
                        appliers
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if appliers.len() == 1 { "s" } else { "" },
                        s.message
                    );
                }
                crate::ui::verbose(
                    1,
                    format!(
                        "apply {reference}: restoring fields changed by {}",
                        managers.join(", ")
                    ),
                );
                restored_drift = managers;
                api.patch(&name, &params(true), &Patch::Apply(&data))
                    .await
                    .map_err(|e| {
                        api_error(e, &format!("applying {reference} ({})", object.template))
                    })?
            }
            Err(e) => {
                return Err(api_error(
                    e,
                    &format!("applying {reference} ({})", object.template),
                ));
            }
        };
        let live = serde_json::to_value(&result).unwrap_or(Value::Null);
        Ok(Applied {
            reference,
            kind: object.kind().to_string(),
            namespace: resolved.namespaced.then(|| {
                object
                    .namespace()
                    .unwrap_or(&self.release_namespace)
                    .to_string()
            }),
            name,
            generation: result.metadata.generation,
            api,
            live,
            before: existing.and_then(|e| serde_json::to_value(&e).ok()),
            restored_drift,
        })
    }

    /// Deletes an object if it exists; returns whether there was anything to delete.
    pub async fn delete(&self, object: &Object) -> Result<bool> {
        let (api, _) = self.api_for(object).await?;
        let reference = object.reference();
        let mut dp = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..Default::default()
        };
        if self.mode.dry_run {
            dp.dry_run = true;
        }
        crate::ui::verbose(
            1,
            format!(
                "delete {reference}{}",
                if dp.dry_run { " (dry run)" } else { "" }
            ),
        );
        match api.delete(object.name(), &dp).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
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

/// Manager names from a 409 apply conflict: `conflict with "kubectl-edit" using apps/v1: .spec.replicas`.
fn conflicting_managers(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find("conflict with \"") {
        rest = &rest[i + "conflict with \"".len()..];
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
fn manager_operation<'a>(live: Option<&'a DynamicObject>, manager: &str) -> Option<&'a str> {
    live?
        .metadata
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

/// An API error as one sentence: the step, the server's message, and a hint for the usual causes.
pub fn api_error(err: kube::Error, step: &str) -> anyhow::Error {
    match err {
        kube::Error::Api(s) => {
            let hint = match s.code {
                401 => "; the credentials in the kubeconfig were refused",
                403 => {
                    "; the kubeconfig's user lacks permission for this (docs/rbac.md lists what todoctl needs)"
                }
                404 => "",
                422 => "; the API server rejected the object as invalid",
                _ => "",
            };
            anyhow!("{step}: {} ({}){hint}", s.message, s.code)
        }
        other => anyhow!("{step}: cannot reach the API server: {other}"),
    }
}
