//! What a prune (upgrade, rollback) or an uninstall leaves in the cluster, and why. Deleting
//! a CustomResourceDefinition deletes every object of its kind in the whole cluster, and
//! deleting a PersistentVolumeClaim may delete its volume's data: both are kept unless a flag
//! asks for their deletion. Objects annotated `todoctl.io/keep: "true"` or Helm's
//! `helm.sh/resource-policy: keep` (Helm's rule, so charts and imported releases written for
//! Helm keep what their authors meant to keep) are always kept. The claims a StatefulSet's
//! volumeClaimTemplates made are not objects of the release, but Kubernetes keeps them after the
//! StatefulSet is deleted, so they are reported as kept too (see [`ClaimTemplates`]).

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api, ListParams};
use serde::Serialize;
use serde_json::Value;

use crate::cluster::apply::KEEP_ANNOTATION;
use crate::manifest::{Object, get_path};

/// Helm's keep annotation and the value that keeps (Helm `pkg/kube` `ResourcePolicyAnno`).
pub const HELM_RESOURCE_POLICY: &str = "helm.sh/resource-policy";
pub const HELM_KEEP: &str = "keep";

/// Which removal is asked: the flags that lift the default keep differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// An object the new revision lacks (upgrade, rollback): `--prune-crds`, `--prune-pvcs`.
    Prune,
    /// `uninstall`: `--delete-crds`, `--delete-pvcs`.
    Uninstall,
}

/// The flags that lift the keep of CRDs and PersistentVolumeClaims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepRules {
    pub delete_crds: bool,
    pub delete_pvcs: bool,
}

/// An object left in the cluster, and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// `persistentvolumeclaim/data-postgres-0`
    pub object: String,
    pub reason: String,
}

impl KeepRules {
    /// Why `object` is kept rather than removed, or `None` when it is removed.
    pub fn reason(&self, object: &Object, removal: Removal) -> Option<String> {
        if object.annotation(KEEP_ANNOTATION) == Some("true") {
            return Some(format!("annotated `{KEEP_ANNOTATION}: \"true\"`"));
        }
        if object.annotation(HELM_RESOURCE_POLICY) == Some(HELM_KEEP) {
            return Some(format!("annotated `{HELM_RESOURCE_POLICY}: {HELM_KEEP}`"));
        }
        let flag = |what: &str| match removal {
            Removal::Prune => format!("--prune-{what}"),
            Removal::Uninstall => format!("--delete-{what}"),
        };
        match object.kind() {
            "CustomResourceDefinition" if !self.delete_crds => Some(format!(
                "deleting a CustomResourceDefinition deletes every object of its kind in the cluster; pass {} to delete it",
                flag("crds")
            )),
            "PersistentVolumeClaim" if !self.delete_pvcs => Some(format!(
                "a PersistentVolumeClaim holds data; pass {} to delete it",
                flag("pvcs")
            )),
            _ => None,
        }
    }

    /// Splits `objects` into those to remove and those kept (with their reasons).
    pub fn split(&self, objects: Vec<Object>, removal: Removal) -> (Vec<Object>, Vec<Kept>) {
        let mut remove = Vec::new();
        let mut kept = Vec::new();
        for o in objects {
            match self.reason(&o, removal) {
                Some(reason) => kept.push(Kept {
                    object: o.reference(),
                    reason,
                }),
                None => remove.push(o),
            }
        }
        (remove, kept)
    }
}

/// The claim templates of one StatefulSet and whether its claims go with it.
///
/// The StatefulSet controller names the claim of template `t` for pod `<set>-<ordinal>`
/// `<t>-<set>-<ordinal>` (Kubernetes `pkg/controller/statefulset` `getPersistentVolumeClaimName`)
/// and, unless `spec.persistentVolumeClaimRetentionPolicy.whenDeleted` is `Delete` (the default
/// is `Retain`), leaves those claims in place when the StatefulSet is deleted (KEP-1847).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimTemplates {
    /// `statefulset/postgres`
    pub statefulset: String,
    pub namespace: String,
    /// The volumeClaimTemplates' names, e.g. `data`.
    pub templates: Vec<String>,
    /// `whenDeleted: Delete`: the garbage collector deletes the claims with the StatefulSet.
    pub deleted_with_it: bool,
}

impl ClaimTemplates {
    /// From a StatefulSet (its JSON, live or as recorded) in `namespace`; `None` for another
    /// kind or a StatefulSet without volumeClaimTemplates.
    pub fn of(statefulset: &Value, namespace: &str) -> Option<Self> {
        let str_at = |path: &[&str]| get_path(statefulset, path).and_then(Value::as_str);
        if str_at(&["kind"]) != Some("StatefulSet") {
            return None;
        }
        let templates: Vec<String> = get_path(statefulset, &["spec", "volumeClaimTemplates"])
            .and_then(Value::as_array)?
            .iter()
            .filter_map(|t| get_path(t, &["metadata", "name"]).and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        if templates.is_empty() {
            return None;
        }
        let name = str_at(&["metadata", "name"])?;
        Some(ClaimTemplates {
            statefulset: format!("statefulset/{name}"),
            namespace: namespace.to_string(),
            templates,
            deleted_with_it: str_at(&[
                "spec",
                "persistentVolumeClaimRetentionPolicy",
                "whenDeleted",
            ]) == Some("Delete"),
        })
    }

    fn set_name(&self) -> &str {
        self.statefulset
            .strip_prefix("statefulset/")
            .unwrap_or(&self.statefulset)
    }

    /// Whether `claim` is the claim of one of the templates for some ordinal.
    pub fn made(&self, claim: &str) -> bool {
        self.templates.iter().any(|t| {
            claim
                .strip_prefix(t.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .and_then(|rest| rest.strip_prefix(self.set_name()))
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|ordinal| {
                    !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit())
                })
        })
    }

    fn reason(&self, claim: &str) -> String {
        format!(
            "made by {} from its volumeClaimTemplates, not by the chart; Kubernetes keeps it after the StatefulSet is deleted (persistentVolumeClaimRetentionPolicy.whenDeleted is Retain) and it holds data; `kubectl delete pvc {claim} -n {}` deletes it",
            self.statefulset, self.namespace
        )
    }
}

/// The claims of `sets` that stay after the StatefulSets are deleted, with the reason; those
/// named in `skip` (references of the release's own objects, reported by [`KeepRules`]) are left
/// out. One LIST of PersistentVolumeClaims per namespace. A LIST that fails is not an error
/// (the uninstall itself is done by then): each set's claims are reported by their name pattern,
/// as not listed, with the error.
pub async fn statefulset_claims(
    client: &kube::Client,
    sets: &[ClaimTemplates],
    skip: &[String],
) -> Vec<Kept> {
    let retained: Vec<&ClaimTemplates> = sets.iter().filter(|s| !s.deleted_with_it).collect();
    let mut namespaces: Vec<&str> = retained.iter().map(|s| s.namespace.as_str()).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let mut kept = Vec::new();
    for ns in namespaces {
        let here = retained.iter().filter(|s| s.namespace == ns);
        let api = Api::<PersistentVolumeClaim>::namespaced(client.clone(), ns);
        match api.list(&ListParams::default()).await {
            Ok(list) => {
                let mut names: Vec<&str> = list
                    .items
                    .iter()
                    // A claim being deleted does not stay.
                    .filter(|c| c.metadata.deletion_timestamp.is_none())
                    .filter_map(|c| c.metadata.name.as_deref())
                    .collect();
                names.sort_unstable();
                for set in here {
                    for claim in names.iter().filter(|n| set.made(n)) {
                        let object = format!("persistentvolumeclaim/{claim}");
                        if !skip.contains(&object) {
                            kept.push(Kept {
                                reason: set.reason(claim),
                                object,
                            });
                        }
                    }
                }
            }
            Err(err) => {
                for set in here {
                    for t in &set.templates {
                        kept.push(Kept {
                            object: format!(
                                "persistentvolumeclaim/{t}-{}-<ordinal>",
                                set.set_name()
                            ),
                            reason: format!(
                                "the claims {} made from its volumeClaimTemplates could not be listed ({err}); Kubernetes keeps them after the StatefulSet is deleted; `kubectl get pvc -n {ns}` lists them",
                                set.statefulset
                            ),
                        });
                    }
                }
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(kind: &str, annotations: serde_json::Value) -> Object {
        Object::new(
            "t.yaml",
            json!({"apiVersion": "v1", "kind": kind,
                   "metadata": {"name": "x", "annotations": annotations}}),
        )
    }

    #[test]
    fn crds_pvcs_and_annotated_objects_are_kept_unless_asked() {
        let rules = KeepRules::default();
        let pvc = obj("PersistentVolumeClaim", json!({}));
        assert!(
            rules
                .reason(&pvc, Removal::Uninstall)
                .is_some_and(|r| r.contains("--delete-pvcs"))
        );
        assert!(
            rules
                .reason(&pvc, Removal::Prune)
                .is_some_and(|r| r.contains("--prune-pvcs"))
        );
        let lifted = KeepRules {
            delete_crds: true,
            delete_pvcs: true,
        };
        assert_eq!(lifted.reason(&pvc, Removal::Prune), None);
        assert_eq!(
            lifted.reason(
                &obj("CustomResourceDefinition", json!({})),
                Removal::Uninstall
            ),
            None
        );
        assert!(
            rules
                .reason(
                    &obj("CustomResourceDefinition", json!({})),
                    Removal::Uninstall
                )
                .is_some()
        );
        // The annotations keep whatever the flags say.
        let helm = obj("ConfigMap", json!({"helm.sh/resource-policy": "keep"}));
        assert!(lifted.reason(&helm, Removal::Uninstall).is_some());
        let ours = obj("PersistentVolumeClaim", json!({"todoctl.io/keep": "true"}));
        assert!(lifted.reason(&ours, Removal::Prune).is_some());
        assert_eq!(
            rules.reason(&obj("ConfigMap", json!({})), Removal::Prune),
            None
        );
    }

    #[test]
    fn a_statefulsets_claims_are_named_template_set_ordinal() {
        let set = |policy: serde_json::Value| {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                   "metadata": {"name": "postgres"},
                   "spec": {"persistentVolumeClaimRetentionPolicy": policy,
                            "volumeClaimTemplates": [{"metadata": {"name": "data"}},
                                                     {"metadata": {"name": "wal"}}]}})
        };
        let t = ClaimTemplates::of(&set(json!({})), "todo-app").expect("has templates");
        assert_eq!(t.statefulset, "statefulset/postgres");
        assert!(!t.deleted_with_it);
        for claim in ["data-postgres-0", "wal-postgres-12"] {
            assert!(t.made(claim), "{claim}");
        }
        // Another set's claims (`postgres-x`), a pattern without ordinal, another template.
        for claim in [
            "data-postgres-x-0",
            "data-postgres-",
            "data-postgres",
            "logs-postgres-0",
            "data-postgres-0a",
        ] {
            assert!(!t.made(claim), "{claim}");
        }
        let deleting = ClaimTemplates::of(&set(json!({"whenDeleted": "Delete"})), "ns");
        assert!(deleting.is_some_and(|t| t.deleted_with_it));
        let bare = json!({"kind": "StatefulSet", "metadata": {"name": "x"}, "spec": {}});
        assert_eq!(ClaimTemplates::of(&bare, "ns"), None);
        let deployment = json!({"kind": "Deployment", "metadata": {"name": "x"},
                                "spec": {"volumeClaimTemplates": [{"metadata": {"name": "d"}}]}});
        assert_eq!(ClaimTemplates::of(&deployment, "ns"), None);
    }
}
