//! The order objects are applied and deleted in, and the waves that gate workloads on the
//! readiness of what they need. Kind order follows Helm's install order so charts behave as
//! their authors expect; waves add what Helm lacks: `todoctl.io/depends-on`.

use std::collections::BTreeSet;

use super::kinds::{self, KindInfo};
use super::{ManifestError, Object};

pub const DEPENDS_ON: &str = "todoctl.io/depends-on";

/// Where an object's kind sits in Helm's install order and uninstall order and in the
/// readiness stages, from the kinds table; kinds outside it (custom resources) have no place.
fn row(object: &Object) -> Option<&'static KindInfo> {
    kinds::of(object.api_version(), object.kind())
}

fn install_rank(object: &Object) -> u8 {
    row(object).and_then(|k| k.install).unwrap_or(u8::MAX)
}

fn uninstall_rank(object: &Object) -> Option<u8> {
    row(object).and_then(|k| k.uninstall)
}

fn stage(object: &Object) -> u8 {
    row(object).map_or(kinds::DEFAULT_STAGE, |k| k.stage)
}

/// Install order: by kind, unknown kinds last and alphabetically, then by name; stable, so
/// equal objects keep the order the chart rendered them in.
pub fn sort_for_apply(objects: &mut [Object]) {
    // Each object's key is read once, not at every comparison (a read is a lookup by key in
    // each map on the way).
    objects.sort_by_cached_key(|o| (install_rank(o), o.kind().to_owned(), o.name().to_owned()));
}

/// The install order of two objects, as `sort_for_apply` sorts them: by kind's rank, unknown
/// kinds last and alphabetically, then by name.
fn install_order(a: &Object, b: &Object) -> std::cmp::Ordering {
    install_rank(a)
        .cmp(&install_rank(b))
        .then_with(|| a.kind().cmp(b.kind()))
        .then_with(|| a.name().cmp(b.name()))
}

/// Uninstall order: Helm's uninstall list, unknown kinds first (custom resources must go
/// while their CRD and controller still exist).
pub fn sort_for_delete(objects: &mut [Object]) {
    objects.sort_by(|a, b| {
        let rank = |o: &Object| uninstall_rank(o).unwrap_or(u8::MAX);
        let unknown = |o: &Object| uninstall_rank(o).is_none();
        unknown(b)
            .cmp(&unknown(a))
            .then_with(|| rank(a).cmp(&rank(b)))
            .then_with(|| a.kind().cmp(b.kind()))
            .then_with(|| b.name().cmp(a.name()))
    });
}

struct Dependency {
    kind: String,
    name: String,
    optional: bool,
}

fn parse_depends_on(object: &Object) -> Result<Vec<Dependency>, ManifestError> {
    let Some(raw) = object.annotation(DEPENDS_ON) else {
        return Ok(Vec::new());
    };
    let mut deps = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (target, optional) = match entry.strip_suffix('?') {
            Some(t) => (t.trim(), true),
            None => (entry, false),
        };
        let bad = || ManifestError::BadDependency {
            template: object.template.clone(),
            object: object.reference(),
            entry: entry.to_string(),
        };
        let (kind, name) = target.split_once('/').ok_or_else(bad)?;
        let (kind, name) = (kind.trim(), name.trim());
        if kind.is_empty() || name.is_empty() || name.contains('/') {
            return Err(bad());
        }
        deps.push(Dependency {
            kind: kind.to_lowercase(),
            name: name.to_string(),
            optional,
        });
    }
    Ok(deps)
}

/// Groups of indexes into `objects`, to apply one after another, each waiting for the
/// previous one to be ready. An object goes in the first wave after everything it depends
/// on: its `todoctl.io/depends-on` targets and, by stage, the config, storage and services a
/// workload needs. Objects with a `depends-on` of their own are ordered by it alone, which
/// keeps a user's explicit order from ever forming a cycle with the implicit one.
pub fn waves(objects: &[Object]) -> Result<Vec<Vec<usize>>, ManifestError> {
    let n = objects.len();
    let mut explicit: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, object) in objects.iter().enumerate() {
        for dep in parse_depends_on(object)? {
            let targets: Vec<usize> = objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.kind().to_lowercase() == dep.kind && o.name() == dep.name)
                .map(|(j, _)| j)
                .collect();
            if targets.is_empty() && !dep.optional {
                return Err(ManifestError::UnknownDependency {
                    template: object.template.clone(),
                    object: object.reference(),
                    target: format!("{}/{}", dep.kind, dep.name),
                });
            }
            explicit[i].extend(targets);
        }
    }

    let plain: Vec<bool> = explicit.iter().map(Vec::is_empty).collect();
    let stages: Vec<u8> = objects.iter().map(stage).collect();
    let mut edges = explicit;
    for i in 0..n {
        if !plain[i] {
            continue;
        }
        for j in 0..n {
            if plain[j] && stages[j] < stages[i] {
                edges[i].push(j);
            }
        }
    }

    let mut level: Vec<Option<usize>> = vec![None; n];
    let mut on_path = vec![false; n];
    let mut path = Vec::new();
    for i in 0..n {
        visit(i, &edges, &mut level, &mut on_path, &mut path, objects)?;
    }

    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, l) in level.iter().enumerate() {
        let l = l.unwrap_or_default();
        if out.len() <= l {
            out.resize_with(l + 1, Vec::new);
        }
        out[l].push(i);
    }
    for wave in &mut out {
        wave.sort_by(|&a, &b| install_order(&objects[a], &objects[b]));
    }
    out.retain(|w| !w.is_empty());
    Ok(out)
}

/// Depth-first longest path: an object's wave is one past the latest wave it depends on.
fn visit(
    i: usize,
    edges: &[Vec<usize>],
    level: &mut [Option<usize>],
    on_path: &mut [bool],
    path: &mut Vec<usize>,
    objects: &[Object],
) -> Result<usize, ManifestError> {
    if let Some(l) = level[i] {
        return Ok(l);
    }
    if on_path[i] {
        let start = path.iter().position(|&p| p == i).unwrap_or_default();
        let mut cycle: Vec<String> = path[start..]
            .iter()
            .map(|&p| objects[p].reference())
            .collect();
        cycle.push(objects[i].reference());
        return Err(ManifestError::DependencyCycle { cycle });
    }
    on_path[i] = true;
    path.push(i);
    let mut l = 0;
    let deps: BTreeSet<usize> = edges[i].iter().copied().collect();
    for d in deps {
        l = l.max(visit(d, edges, level, on_path, path, objects)? + 1);
    }
    path.pop();
    on_path[i] = false;
    level[i] = Some(l);
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Helm's `InstallOrder` (pkg/release/util/kind_sorter.go), as Helm has it.
    static HELM_INSTALL_ORDER: &[&str] = &[
        "PriorityClass",
        "Namespace",
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "PodSecurityPolicy",
        "PodDisruptionBudget",
        "ServiceAccount",
        "Secret",
        "SecretList",
        "ConfigMap",
        "StorageClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "CustomResourceDefinition",
        "ClusterRole",
        "ClusterRoleList",
        "ClusterRoleBinding",
        "ClusterRoleBindingList",
        "Role",
        "RoleList",
        "RoleBinding",
        "RoleBindingList",
        "Service",
        "DaemonSet",
        "Pod",
        "ReplicationController",
        "ReplicaSet",
        "Deployment",
        "HorizontalPodAutoscaler",
        "StatefulSet",
        "Job",
        "CronJob",
        "IngressClass",
        "Ingress",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];

    /// Helm's `UninstallOrder`, as Helm has it.
    static HELM_UNINSTALL_ORDER: &[&str] = &[
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
        "Ingress",
        "IngressClass",
        "Service",
        "CronJob",
        "Job",
        "StatefulSet",
        "HorizontalPodAutoscaler",
        "Deployment",
        "ReplicaSet",
        "ReplicationController",
        "Pod",
        "DaemonSet",
        "RoleBindingList",
        "RoleBinding",
        "RoleList",
        "Role",
        "ClusterRoleBindingList",
        "ClusterRoleBinding",
        "ClusterRoleList",
        "ClusterRole",
        "CustomResourceDefinition",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "StorageClass",
        "ConfigMap",
        "SecretList",
        "Secret",
        "ServiceAccount",
        "PodDisruptionBudget",
        "PodSecurityPolicy",
        "LimitRange",
        "ResourceQuota",
        "NetworkPolicy",
        "Namespace",
        "PriorityClass",
    ];

    #[test]
    fn the_kinds_table_keeps_helms_order() {
        // List kinds are Helm's own: no API serves objects of them.
        let helm = |order: &[&'static str]| -> Vec<&'static str> {
            order
                .iter()
                .copied()
                .filter(|k| !k.ends_with("List"))
                .collect()
        };
        let ordered = |rank: fn(&KindInfo) -> Option<u8>| -> Vec<&'static str> {
            let mut rows: Vec<(u8, &str)> = kinds::KINDS
                .iter()
                .filter_map(|k| Some((rank(k)?, k.kind)))
                .collect();
            rows.sort();
            rows.into_iter().map(|(_, k)| k).collect()
        };
        assert_eq!(ordered(|k| k.install), helm(HELM_INSTALL_ORDER));
        assert_eq!(ordered(|k| k.uninstall), helm(HELM_UNINSTALL_ORDER));
    }

    fn obj(kind: &str, name: &str) -> Object {
        let api_version = match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" => "apps/v1",
            "Job" | "CronJob" => "batch/v1",
            "Ingress" | "NetworkPolicy" => "networking.k8s.io/v1",
            "Widget" | "Gadget" => "example.com/v1",
            _ => "v1",
        };
        Object::new(
            format!("templates/{name}.yaml"),
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}),
        )
    }

    fn depends(mut o: Object, on: &str) -> Object {
        o.data["metadata"]["annotations"] = json!({DEPENDS_ON: on});
        o
    }

    fn refs(objects: &[Object]) -> Vec<String> {
        objects.iter().map(Object::reference).collect()
    }

    fn wave_refs(objects: &[Object]) -> Vec<Vec<String>> {
        waves(objects)
            .expect("waves")
            .into_iter()
            .map(|w| w.into_iter().map(|i| objects[i].reference()).collect())
            .collect()
    }

    #[test]
    fn shuffled_objects_sort_into_install_order() {
        let mut objects = vec![
            obj("Widget", "w"),
            obj("Ingress", "web"),
            obj("Deployment", "frontend"),
            obj("Service", "backend"),
            obj("Job", "migrate"),
            obj("Deployment", "backend"),
            obj("ConfigMap", "cfg"),
            obj("Gadget", "g"),
            obj("StatefulSet", "postgres"),
            obj("Secret", "creds"),
            obj("Namespace", "todo"),
            obj("ServiceAccount", "backend"),
            obj("PersistentVolumeClaim", "data"),
        ];
        sort_for_apply(&mut objects);
        insta::assert_yaml_snapshot!(refs(&objects));
        sort_for_delete(&mut objects);
        insta::assert_yaml_snapshot!("delete_order", refs(&objects));
    }

    #[test]
    fn sort_is_stable_for_equal_objects() {
        let mut a = obj("ConfigMap", "same");
        a.template = "templates/first.yaml".into();
        let mut b = obj("ConfigMap", "same");
        b.template = "templates/second.yaml".into();
        let mut objects = vec![a, b];
        sort_for_apply(&mut objects);
        assert_eq!(objects[0].template, "templates/first.yaml");
    }

    #[test]
    fn config_and_services_come_before_workloads() {
        let objects = vec![
            obj("Deployment", "backend"),
            obj("Service", "backend"),
            obj("ConfigMap", "cfg"),
            obj("Deployment", "frontend"),
        ];
        assert_eq!(
            wave_refs(&objects),
            [
                vec!["configmap/cfg", "service/backend"],
                vec!["deployment/backend", "deployment/frontend"]
            ]
        );
    }

    #[test]
    fn depends_on_chain_makes_waves() {
        let objects = vec![
            depends(obj("Deployment", "frontend"), "deployment/backend"),
            depends(
                obj("Deployment", "backend"),
                "statefulset/postgres, job/migrate",
            ),
            depends(obj("Job", "migrate"), "statefulset/postgres"),
            obj("StatefulSet", "postgres"),
            obj("Secret", "creds"),
            obj("Deployment", "worker"),
        ];
        insta::assert_yaml_snapshot!(wave_refs(&objects));
    }

    #[test]
    fn cycle_is_an_error_naming_the_objects() {
        let objects = vec![
            depends(obj("Deployment", "a"), "deployment/b"),
            depends(obj("Deployment", "b"), "statefulset/c"),
            depends(obj("StatefulSet", "c"), "deployment/a"),
        ];
        let err = waves(&objects).expect_err("cycle");
        insta::assert_snapshot!(err.to_string());
        let selfish = vec![depends(obj("Deployment", "a"), "deployment/a")];
        assert!(matches!(
            waves(&selfish),
            Err(ManifestError::DependencyCycle { .. })
        ));
    }

    #[test]
    fn optional_dependency_on_a_missing_object_is_ignored() {
        let objects = vec![depends(
            obj("Deployment", "backend"),
            "statefulset/postgres?, secret/creds",
        )];
        let err = waves(&objects).expect_err("creds missing");
        insta::assert_snapshot!(err.to_string());
        let objects = vec![
            depends(obj("Deployment", "backend"), "statefulset/postgres?"),
            obj("ConfigMap", "cfg"),
        ];
        assert_eq!(
            wave_refs(&objects),
            [vec!["configmap/cfg"], vec!["deployment/backend"]]
        );
    }

    #[test]
    fn optional_dependency_that_exists_is_honoured() {
        let objects = vec![
            depends(obj("Deployment", "backend"), " StatefulSet/postgres ? "),
            obj("StatefulSet", "postgres"),
        ];
        assert_eq!(
            wave_refs(&objects),
            [vec!["statefulset/postgres"], vec!["deployment/backend"]]
        );
    }

    #[test]
    fn malformed_entry_is_an_error() {
        let objects = vec![depends(obj("Deployment", "backend"), "postgres")];
        insta::assert_snapshot!(waves(&objects).expect_err("bad").to_string());
    }

    #[test]
    fn custom_resources_wait_for_their_crd() {
        let mut crd = obj("CustomResourceDefinition", "widgets.example.com");
        crd.data["apiVersion"] = json!("apiextensions.k8s.io/v1");
        let objects = vec![obj("Widget", "w"), crd];
        assert_eq!(
            wave_refs(&objects),
            [
                vec!["customresourcedefinition/widgets.example.com"],
                vec!["widget/w"]
            ]
        );
        assert!(waves(&[]).expect("empty").is_empty());
    }
}
