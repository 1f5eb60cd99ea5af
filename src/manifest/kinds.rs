//! What todoctl knows about each built-in kind, as one table: where it lives (apiVersion),
//! its scope, its naming rule, where its pod template sits, and the typed schema check.
//! Kinds not listed here (custom resources) pass through unchecked.

use k8s_openapi::api::{
    admissionregistration::v1 as admission, apps::v1 as apps, autoscaling::v1 as autoscaling_v1,
    autoscaling::v2 as autoscaling, batch::v1 as batch, coordination::v1 as coordination,
    core::v1 as core, discovery::v1 as discovery, networking::v1 as networking, node::v1 as node,
    policy::v1 as policy, rbac::v1 as rbac, scheduling::v1 as scheduling, storage::v1 as storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1 as apiregistration;
use serde_json::Value;

use super::validate::{FieldIssue, typed_check};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Namespaced,
    Cluster,
    /// A kind outside the table: only discovery against the cluster can tell.
    Unknown,
}

/// The naming rule the API server enforces for `metadata.name`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// DNS-1123 subdomain: up to 253 characters.
    Subdomain,
    /// DNS-1123 label: up to the given length (63, or less where the controller appends a
    /// suffix to build pod or job names).
    Label(usize),
    /// RFC 1035 label: like a DNS-1123 label but must start with a letter (Services).
    Rfc1035Label,
}

/// How a kind runs its pods, which decides the lint rules that apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    None,
    /// Expected to stay up: probes make sense.
    LongRunning,
    /// Runs to completion: probes would only get in the way.
    RunToCompletion,
}

pub struct KindInfo {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub scope: Scope,
    pub name_rule: NameRule,
    /// Path to the object holding the pod's `metadata` and `spec`; empty for a Pod itself.
    pub pod_template: Option<&'static [&'static str]>,
    pub workload: Workload,
    pub check: fn(&Value) -> Vec<FieldIssue>,
}

use NameRule::{Label, Rfc1035Label, Subdomain};
use Scope::{Cluster, Namespaced};
use Workload::{LongRunning, RunToCompletion};

const POD: Option<&[&str]> = Some(&[]);
const TEMPLATE: Option<&[&str]> = Some(&["spec", "template"]);
const JOB_TEMPLATE: Option<&[&str]> = Some(&["spec", "jobTemplate", "spec", "template"]);

const fn plain(
    api_version: &'static str,
    kind: &'static str,
    scope: Scope,
    check: fn(&Value) -> Vec<FieldIssue>,
) -> KindInfo {
    KindInfo {
        api_version,
        kind,
        scope,
        name_rule: Subdomain,
        pod_template: None,
        workload: Workload::None,
        check,
    }
}

const fn pods(
    api_version: &'static str,
    kind: &'static str,
    name_rule: NameRule,
    pod_template: Option<&'static [&'static str]>,
    workload: Workload,
    check: fn(&Value) -> Vec<FieldIssue>,
) -> KindInfo {
    KindInfo {
        api_version,
        kind,
        scope: Namespaced,
        name_rule,
        pod_template,
        workload,
        check,
    }
}

const fn named(mut info: KindInfo, name_rule: NameRule) -> KindInfo {
    info.name_rule = name_rule;
    info
}

/// Built-in kinds at every apiVersion Kubernetes 1.29 to 1.35 serves them (HorizontalPodAutoscaler
/// at autoscaling/v2 and v1); the first entry of a kind is its preferred version. StatefulSet and Job names end up
/// in pod labels (63 characters); CronJob names get an 11-character suffix per run.
#[rustfmt::skip]
pub static KINDS: &[KindInfo] = &[
    named(plain("v1", "Namespace", Cluster, typed_check::<core::Namespace>), Label(63)),
    plain("v1", "ConfigMap", Namespaced, typed_check::<core::ConfigMap>),
    plain("v1", "Secret", Namespaced, typed_check::<core::Secret>),
    named(plain("v1", "Service", Namespaced, typed_check::<core::Service>), Rfc1035Label),
    plain("v1", "ServiceAccount", Namespaced, typed_check::<core::ServiceAccount>),
    plain("v1", "PersistentVolumeClaim", Namespaced, typed_check::<core::PersistentVolumeClaim>),
    plain("v1", "PersistentVolume", Cluster, typed_check::<core::PersistentVolume>),
    pods("v1", "Pod", Subdomain, POD, LongRunning, typed_check::<core::Pod>),
    plain("v1", "LimitRange", Namespaced, typed_check::<core::LimitRange>),
    plain("v1", "ResourceQuota", Namespaced, typed_check::<core::ResourceQuota>),
    plain("v1", "Endpoints", Namespaced, typed_check::<core::Endpoints>),
    pods("v1", "ReplicationController", Subdomain, TEMPLATE, LongRunning, typed_check::<core::ReplicationController>),
    pods("apps/v1", "Deployment", Subdomain, TEMPLATE, LongRunning, typed_check::<apps::Deployment>),
    pods("apps/v1", "StatefulSet", Label(63), TEMPLATE, LongRunning, typed_check::<apps::StatefulSet>),
    pods("apps/v1", "DaemonSet", Subdomain, TEMPLATE, LongRunning, typed_check::<apps::DaemonSet>),
    pods("apps/v1", "ReplicaSet", Subdomain, TEMPLATE, LongRunning, typed_check::<apps::ReplicaSet>),
    pods("batch/v1", "Job", Label(63), TEMPLATE, RunToCompletion, typed_check::<batch::Job>),
    pods("batch/v1", "CronJob", Label(52), JOB_TEMPLATE, RunToCompletion, typed_check::<batch::CronJob>),
    plain("networking.k8s.io/v1", "Ingress", Namespaced, typed_check::<networking::Ingress>),
    plain("networking.k8s.io/v1", "NetworkPolicy", Namespaced, typed_check::<networking::NetworkPolicy>),
    plain("networking.k8s.io/v1", "IngressClass", Cluster, typed_check::<networking::IngressClass>),
    plain("autoscaling/v2", "HorizontalPodAutoscaler", Namespaced, typed_check::<autoscaling::HorizontalPodAutoscaler>),
    plain("autoscaling/v1", "HorizontalPodAutoscaler", Namespaced, typed_check::<autoscaling_v1::HorizontalPodAutoscaler>),
    plain("policy/v1", "PodDisruptionBudget", Namespaced, typed_check::<policy::PodDisruptionBudget>),
    plain("rbac.authorization.k8s.io/v1", "Role", Namespaced, typed_check::<rbac::Role>),
    plain("rbac.authorization.k8s.io/v1", "RoleBinding", Namespaced, typed_check::<rbac::RoleBinding>),
    plain("rbac.authorization.k8s.io/v1", "ClusterRole", Cluster, typed_check::<rbac::ClusterRole>),
    plain("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", Cluster, typed_check::<rbac::ClusterRoleBinding>),
    plain("storage.k8s.io/v1", "StorageClass", Cluster, typed_check::<storage::StorageClass>),
    plain("storage.k8s.io/v1", "CSIDriver", Cluster, typed_check::<storage::CSIDriver>),
    plain("apiextensions.k8s.io/v1", "CustomResourceDefinition", Cluster, typed_check::<apiextensions::CustomResourceDefinition>),
    plain("scheduling.k8s.io/v1", "PriorityClass", Cluster, typed_check::<scheduling::PriorityClass>),
    plain("coordination.k8s.io/v1", "Lease", Namespaced, typed_check::<coordination::Lease>),
    plain("discovery.k8s.io/v1", "EndpointSlice", Namespaced, typed_check::<discovery::EndpointSlice>),
    plain("node.k8s.io/v1", "RuntimeClass", Cluster, typed_check::<node::RuntimeClass>),
    plain("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", Cluster, typed_check::<admission::MutatingWebhookConfiguration>),
    plain("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", Cluster, typed_check::<admission::ValidatingWebhookConfiguration>),
    plain("apiregistration.k8s.io/v1", "APIService", Cluster, typed_check::<apiregistration::APIService>),
];

pub fn lookup(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    KINDS
        .iter()
        .find(|k| k.api_version == api_version && k.kind == kind)
}

/// The table entry for a built-in kind written under an apiVersion Kubernetes does not serve
/// (`extensions/v1beta1` Ingress): worth an error, where a custom resource that happens to
/// share a kind name in its own group (`batch.volcano.sh` Job) is not. `served` lists the
/// `group/version`s the target cluster serves (discovery, or `--api-versions` offline); a
/// version in it is never refused, whatever this table holds.
pub fn served_instead(
    api_version: &str,
    kind: &str,
    served: &[String],
) -> Option<&'static KindInfo> {
    let (group, _) = super::split_api_version(api_version);
    let builtin_group = !group.contains('.') || group.ends_with(".k8s.io");
    if !builtin_group
        || lookup(api_version, kind).is_some()
        || served.iter().any(|v| v == api_version)
    {
        return None;
    }
    KINDS.iter().find(|k| k.kind == kind)
}

/// Kinds whose pods lint and labels look at.
pub fn pod_template(api_version: &str, kind: &str) -> Option<&'static [&'static str]> {
    lookup(api_version, kind).and_then(|k| k.pod_template)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_api_versions_match_the_typed_schemas() {
        // A table entry whose strings disagree with its type would reject every object.
        for info in KINDS {
            let obj = json!({"apiVersion": info.api_version, "kind": info.kind, "metadata": {"name": "x"}});
            let issues = (info.check)(&obj);
            assert!(
                issues.iter().all(|i| !i.message.contains("invalid value")),
                "{} {}: {:?}",
                info.api_version,
                info.kind,
                issues
            );
        }
    }

    #[test]
    fn removed_api_versions_point_at_the_served_one() {
        let ingress = served_instead("extensions/v1beta1", "Ingress", &[]).map(|k| k.api_version);
        assert_eq!(ingress, Some("networking.k8s.io/v1"));
        let hpa = served_instead("autoscaling/v2beta2", "HorizontalPodAutoscaler", &[]);
        assert_eq!(hpa.map(|k| k.api_version), Some("autoscaling/v2"));
        assert!(served_instead("batch.volcano.sh/v1alpha1", "Job", &[]).is_none());
        // Every version Kubernetes serves a kind at is accepted, not only the preferred one.
        assert!(served_instead("autoscaling/v1", "HorizontalPodAutoscaler", &[]).is_none());
        // A cluster (or --api-versions) that serves a version the table lacks is believed.
        let served = ["autoscaling/v2beta2".to_string()];
        assert!(
            served_instead("autoscaling/v2beta2", "HorizontalPodAutoscaler", &served).is_none()
        );
        assert!(served_instead("apps/v1", "Deployment", &[]).is_none());
        assert!(served_instead("example.com/v1", "Widget", &[]).is_none());
    }
}
