//! What todoctl knows about each built-in kind, as one table keyed by API group and kind: the
//! versions it is served at (each with its typed schema check), its scope and naming rule, where
//! its pod template sits, its place in Helm's install and uninstall order and in the readiness
//! stages, its readiness rule, how its current pods are told apart, and the fields an update may
//! not change. Adding a kind is one row. Kinds not listed here (custom resources) pass through
//! unchecked, are ordered last, and are ready once applied.

use k8s_openapi::api::{
    admissionregistration::v1 as admission, apps::v1 as apps, autoscaling::v1 as autoscaling_v1,
    autoscaling::v2 as autoscaling, batch::v1 as batch, coordination::v1 as coordination,
    core::v1 as core, discovery::v1 as discovery, networking::v1 as networking, node::v1 as node,
    policy::v1 as policy, rbac::v1 as rbac, scheduling::v1 as scheduling, storage::v1 as storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1 as apiregistration;
use serde_json::Value;

use super::schema::{FieldIssue, typed_check};

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

/// Which readiness rule judges a kind (the rules are in `cluster::readiness::rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    PersistentVolumeClaim,
    Pod,
}

/// How to tell the pods of a workload's current rollout from those of the previous one: only
/// the current ones may fail a wait early, since old pods are about to be replaced anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rollout {
    /// Pods with the `pod-template-hash` of the ReplicaSet with the highest revision.
    NewestReplicaSet,
    /// Pods with `controller-revision-hash` equal to `status.updateRevision`.
    UpdateRevision,
    /// Pods with `pod-template-generation` equal to `metadata.generation`.
    TemplateGeneration,
    /// Pods the object owns directly.
    Owned,
}

/// The typed schema check of one served version.
pub type Check = fn(&Value) -> Vec<FieldIssue>;

/// One row of [`KINDS`].
pub struct KindInfo {
    /// API group, `""` for the core group.
    pub group: &'static str,
    pub kind: &'static str,
    /// Versions Kubernetes 1.29 to 1.35 serve the kind at, preferred first, each with its typed
    /// schema check. Empty for a kind that is only ordered (no longer served).
    pub versions: &'static [(&'static str, Check)],
    pub scope: Scope,
    pub name_rule: NameRule,
    /// Path to the object holding the pod's `metadata` and `spec`; empty for a Pod itself.
    pub pod_template: Option<&'static [&'static str]>,
    pub workload: Workload,
    /// Position in Helm's `InstallOrder` and `UninstallOrder` (pkg/release/util/kind_sorter.go),
    /// from 1; `None` for a kind Helm does not list, which is ordered as a custom resource.
    pub install: Option<u8>,
    pub uninstall: Option<u8>,
    /// Readiness stage for the waves ([`super::order::waves`]): 0 for cluster prerequisites (a
    /// CRD must be established before its custom resources), 1 for config, storage, access and
    /// services, 2 for the workloads that use them.
    pub stage: u8,
    pub readiness: Option<Readiness>,
    /// For workloads whose pods a wait inspects, to fail fast and to diagnose.
    pub rollout: Option<Rollout>,
    /// Fields an update may not change, as paths from the object's root.
    pub immutable: &'static [&'static [&'static str]],
    /// Fields the API server names by another field than the one charts set, in its
    /// rejections: (the field it names, the field charts set).
    pub aliases: &'static [(&'static str, &'static str)],
}

/// The stage of kinds without one of their own, custom resources included.
pub const DEFAULT_STAGE: u8 = 1;

impl KindInfo {
    /// `apps/v1`, `v1`: the preferred version, as written in a manifest.
    pub fn api_version(&self) -> String {
        let version = self.versions.first().map_or("", |(v, _)| *v);
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// The typed schema check of `version`, if the kind is served at it.
    pub fn check(&self, version: &str) -> Option<Check> {
        self.versions
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, check)| *check)
    }
}

use NameRule::{Label, Rfc1035Label, Subdomain};
use Scope::{Cluster, Namespaced};
use Workload::{LongRunning, RunToCompletion};

const POD: Option<&[&str]> = Some(&[]);
const TEMPLATE: Option<&[&str]> = Some(&["spec", "template"]);
const JOB_TEMPLATE: Option<&[&str]> = Some(&["spec", "jobTemplate", "spec", "template"]);

/// A kind without pods, named as a subdomain, in stage 1, with nothing else to say.
const fn kind(
    group: &'static str,
    kind: &'static str,
    versions: &'static [(&'static str, Check)],
    scope: Scope,
) -> KindInfo {
    KindInfo {
        group,
        kind,
        versions,
        scope,
        name_rule: Subdomain,
        pod_template: None,
        workload: Workload::None,
        install: None,
        uninstall: None,
        stage: DEFAULT_STAGE,
        readiness: None,
        rollout: None,
        immutable: &[],
        aliases: &[],
    }
}

/// The builders below each fill some columns of a row, so a row reads left to right.
impl KindInfo {
    const fn order(mut self, install: u8, uninstall: u8) -> Self {
        self.install = Some(install);
        self.uninstall = Some(uninstall);
        self
    }
    const fn stage(mut self, stage: u8) -> Self {
        self.stage = stage;
        self
    }
    const fn named(mut self, name_rule: NameRule) -> Self {
        self.name_rule = name_rule;
        self
    }
    const fn pods(
        mut self,
        pod_template: Option<&'static [&'static str]>,
        workload: Workload,
    ) -> Self {
        self.pod_template = pod_template;
        self.workload = workload;
        self
    }
    const fn ready(mut self, readiness: Readiness, rollout: Option<Rollout>) -> Self {
        self.readiness = Some(readiness);
        self.rollout = rollout;
        self
    }
    const fn immutable(mut self, paths: &'static [&'static [&'static str]]) -> Self {
        self.immutable = paths;
        self
    }
    const fn aliases(mut self, aliases: &'static [(&'static str, &'static str)]) -> Self {
        self.aliases = aliases;
        self
    }
}

use Readiness as R;
use Rollout::{NewestReplicaSet, Owned, TemplateGeneration, UpdateRevision};

const SELECTOR: &[&str] = &["spec", "selector"];

/// Built-in kinds. StatefulSet and Job names end up in pod labels (63 characters); CronJob names
/// get an 11-character suffix per run. Immutable fields are from the API server's update
/// validation: `ValidateDeploymentUpdate`, `ValidateReplicaSetUpdate` and
/// `ValidateDaemonSetUpdate` (selector), `ValidateStatefulSetUpdate` (everything but replicas,
/// template, updateStrategy, minReadySeconds, ordinals, revisionHistoryLimit and the claim
/// retention policy), `ValidateJobUpdate` (selector, template) and
/// `ValidatePersistentVolumeClaimUpdate` (everything but the requested size, which may only
/// grow). Helm's order lists also name `SecretList`, `RoleList` and the like: no API serves
/// objects of those kinds (a List is unpacked before its items are applied), so they have no
/// row. PodSecurityPolicy is no longer served but keeps its place in the order.
#[rustfmt::skip]
pub static KINDS: &[KindInfo] = &[
    kind("", "Namespace", &[("v1", typed_check::<core::Namespace>)], Cluster).named(Label(63)).order(2, 37).stage(0),
    kind("", "ConfigMap", &[("v1", typed_check::<core::ConfigMap>)], Namespaced).order(11, 28),
    kind("", "Secret", &[("v1", typed_check::<core::Secret>)], Namespaced).order(9, 30),
    kind("", "Service", &[("v1", typed_check::<core::Service>)], Namespaced).named(Rfc1035Label).order(24, 6)
        .aliases(&[("spec.clusterIPs[0]", "spec.clusterIP")]),
    kind("", "ServiceAccount", &[("v1", typed_check::<core::ServiceAccount>)], Namespaced).order(8, 31),
    kind("", "PersistentVolumeClaim", &[("v1", typed_check::<core::PersistentVolumeClaim>)], Namespaced).order(14, 25)
        .ready(R::PersistentVolumeClaim, None)
        .immutable(&[&["spec", "accessModes"], &["spec", "storageClassName"], SELECTOR, &["spec", "volumeMode"]]),
    kind("", "PersistentVolume", &[("v1", typed_check::<core::PersistentVolume>)], Cluster).order(13, 26),
    kind("", "Pod", &[("v1", typed_check::<core::Pod>)], Namespaced).pods(POD, LongRunning).order(26, 14).stage(2)
        .ready(R::Pod, None),
    kind("", "LimitRange", &[("v1", typed_check::<core::LimitRange>)], Namespaced).order(5, 34),
    kind("", "ResourceQuota", &[("v1", typed_check::<core::ResourceQuota>)], Namespaced).order(4, 35),
    kind("", "Endpoints", &[("v1", typed_check::<core::Endpoints>)], Namespaced),
    kind("", "ReplicationController", &[("v1", typed_check::<core::ReplicationController>)], Namespaced)
        .pods(TEMPLATE, LongRunning).order(27, 13).stage(2),
    kind("apps", "Deployment", &[("v1", typed_check::<apps::Deployment>)], Namespaced).pods(TEMPLATE, LongRunning)
        .order(29, 11).stage(2).ready(R::Deployment, Some(NewestReplicaSet)).immutable(&[SELECTOR]),
    kind("apps", "StatefulSet", &[("v1", typed_check::<apps::StatefulSet>)], Namespaced).named(Label(63))
        .pods(TEMPLATE, LongRunning).order(31, 9).stage(2).ready(R::StatefulSet, Some(UpdateRevision))
        .immutable(&[SELECTOR, &["spec", "serviceName"], &["spec", "volumeClaimTemplates"], &["spec", "podManagementPolicy"]]),
    kind("apps", "DaemonSet", &[("v1", typed_check::<apps::DaemonSet>)], Namespaced).pods(TEMPLATE, LongRunning)
        .order(25, 15).stage(2).ready(R::DaemonSet, Some(TemplateGeneration)).immutable(&[SELECTOR]),
    kind("apps", "ReplicaSet", &[("v1", typed_check::<apps::ReplicaSet>)], Namespaced).pods(TEMPLATE, LongRunning)
        .order(28, 12).stage(2).ready(R::ReplicaSet, Some(Owned)).immutable(&[SELECTOR]),
    kind("batch", "Job", &[("v1", typed_check::<batch::Job>)], Namespaced).named(Label(63))
        .pods(TEMPLATE, RunToCompletion).order(32, 8).stage(2).ready(R::Job, Some(Owned))
        .immutable(&[SELECTOR, &["spec", "template"]]),
    kind("batch", "CronJob", &[("v1", typed_check::<batch::CronJob>)], Namespaced).named(Label(52))
        .pods(JOB_TEMPLATE, RunToCompletion).order(33, 7).stage(2),
    kind("networking.k8s.io", "Ingress", &[("v1", typed_check::<networking::Ingress>)], Namespaced).order(35, 4),
    kind("networking.k8s.io", "NetworkPolicy", &[("v1", typed_check::<networking::NetworkPolicy>)], Namespaced).order(3, 36),
    kind("networking.k8s.io", "IngressClass", &[("v1", typed_check::<networking::IngressClass>)], Cluster).order(34, 5).stage(0),
    kind("autoscaling", "HorizontalPodAutoscaler", &[
        ("v2", typed_check::<autoscaling::HorizontalPodAutoscaler>),
        ("v1", typed_check::<autoscaling_v1::HorizontalPodAutoscaler>),
    ], Namespaced).order(30, 10),
    kind("policy", "PodDisruptionBudget", &[("v1", typed_check::<policy::PodDisruptionBudget>)], Namespaced).order(7, 32),
    kind("policy", "PodSecurityPolicy", &[], Cluster).order(6, 33),
    kind("rbac.authorization.k8s.io", "Role", &[("v1", typed_check::<rbac::Role>)], Namespaced).order(20, 19),
    kind("rbac.authorization.k8s.io", "RoleBinding", &[("v1", typed_check::<rbac::RoleBinding>)], Namespaced).order(22, 17),
    kind("rbac.authorization.k8s.io", "ClusterRole", &[("v1", typed_check::<rbac::ClusterRole>)], Cluster).order(16, 23),
    kind("rbac.authorization.k8s.io", "ClusterRoleBinding", &[("v1", typed_check::<rbac::ClusterRoleBinding>)], Cluster).order(18, 21),
    kind("storage.k8s.io", "StorageClass", &[("v1", typed_check::<storage::StorageClass>)], Cluster).order(12, 27).stage(0),
    kind("storage.k8s.io", "CSIDriver", &[("v1", typed_check::<storage::CSIDriver>)], Cluster),
    kind("apiextensions.k8s.io", "CustomResourceDefinition", &[("v1", typed_check::<apiextensions::CustomResourceDefinition>)], Cluster)
        .order(15, 24).stage(0),
    kind("scheduling.k8s.io", "PriorityClass", &[("v1", typed_check::<scheduling::PriorityClass>)], Cluster).order(1, 38).stage(0),
    kind("coordination.k8s.io", "Lease", &[("v1", typed_check::<coordination::Lease>)], Namespaced),
    kind("discovery.k8s.io", "EndpointSlice", &[("v1", typed_check::<discovery::EndpointSlice>)], Namespaced),
    kind("node.k8s.io", "RuntimeClass", &[("v1", typed_check::<node::RuntimeClass>)], Cluster),
    kind("admissionregistration.k8s.io", "MutatingWebhookConfiguration", &[("v1", typed_check::<admission::MutatingWebhookConfiguration>)], Cluster)
        .order(37, 2),
    kind("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", &[("v1", typed_check::<admission::ValidatingWebhookConfiguration>)], Cluster)
        .order(38, 1),
    kind("apiregistration.k8s.io", "APIService", &[("v1", typed_check::<apiregistration::APIService>)], Cluster).order(36, 3),
];

/// The row of `group` and `kind`, whatever the version.
pub fn get(group: &str, kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.group == group && k.kind == kind)
}

/// The row of an object's kind (`apiVersion` and `kind` as written in it), whatever the version.
pub fn of(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    get(super::split_api_version(api_version).0, kind)
}

/// The built-in kind called `kind`, for callers that know only the name: an object whose group
/// was already checked against the table (the wait after an apply judged it by group and kind).
pub fn named(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The row of a kind at a version it is served at, with that version's schema check.
pub fn lookup(api_version: &str, kind: &str) -> Option<(&'static KindInfo, Check)> {
    let (_, version) = super::split_api_version(api_version);
    let info = of(api_version, kind)?;
    Some((info, info.check(version)?))
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
    KINDS
        .iter()
        .find(|k| k.kind == kind && !k.versions.is_empty())
}

/// Kinds whose pods lint and labels look at.
pub fn pod_template(api_version: &str, kind: &str) -> Option<&'static [&'static str]> {
    lookup(api_version, kind).and_then(|(k, _)| k.pod_template)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_api_versions_match_the_typed_schemas() {
        // A table entry whose strings disagree with its type would reject every object.
        for info in KINDS {
            for (version, check) in info.versions {
                let api_version = if info.group.is_empty() {
                    version.to_string()
                } else {
                    format!("{}/{version}", info.group)
                };
                let obj = json!({"apiVersion": api_version, "kind": info.kind, "metadata": {"name": "x"}});
                let issues = check(&obj);
                assert!(
                    issues.iter().all(|i| !i.message.contains("invalid value")),
                    "{api_version} {}: {:?}",
                    info.kind,
                    issues
                );
            }
        }
    }

    #[test]
    fn removed_api_versions_point_at_the_served_one() {
        let ingress = served_instead("extensions/v1beta1", "Ingress", &[]).map(|k| k.api_version());
        assert_eq!(ingress.as_deref(), Some("networking.k8s.io/v1"));
        let hpa = served_instead("autoscaling/v2beta2", "HorizontalPodAutoscaler", &[]);
        assert_eq!(
            hpa.map(|k| k.api_version()).as_deref(),
            Some("autoscaling/v2")
        );
        // A kind no longer served at all has nothing to point at.
        assert!(served_instead("policy/v1beta1", "PodSecurityPolicy", &[]).is_none());
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
