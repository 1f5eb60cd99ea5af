//! What a prune (upgrade, rollback) or an uninstall leaves in the cluster, and why. Deleting
//! a CustomResourceDefinition deletes every object of its kind in the whole cluster, and
//! deleting a PersistentVolumeClaim may delete its volume's data: both are kept unless a flag
//! asks for their deletion. Objects annotated `todoctl.io/keep: "true"` or Helm's
//! `helm.sh/resource-policy: keep` (Helm's rule, so charts and imported releases written for
//! Helm keep what their authors meant to keep) are always kept.

use serde::Serialize;

use crate::cluster::apply::KEEP_ANNOTATION;
use crate::manifest::Object;

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
}
