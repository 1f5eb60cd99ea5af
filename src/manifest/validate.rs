//! Checks rendered objects before anything reaches the cluster, collecting every problem so a
//! chart author fixes them in one round: typed schemas of built-in kinds (unknown fields and
//! wrong types with their paths, see [`super::schema`]), names and labels (the rules are in
//! [`super::names`]), duplicates and namespace boundaries.

use std::collections::BTreeMap;
use std::fmt;

use rayon::prelude::*;
use serde_json::Value;

use super::kinds::{self, NameRule, Scope};
use super::names::{label_value_problem, name_problem, qualified_name_problem};
use super::{Object, ObjectKey, get_path, with_deep_stack};

/// The annotation a chart sets on a cluster-scoped object to say it means it.
pub const ALLOW_CLUSTER_SCOPE: &str = "todoctl.io/allow-cluster-scope";

#[derive(Clone, Copy, Debug)]
pub struct ValidateOptions<'a> {
    pub release_namespace: &'a str,
    /// Namespaces besides the release namespace that objects may name.
    pub allowed_namespaces: &'a [String],
    /// `group/version`s the target cluster serves (`capabilities.api_versions`); an object at
    /// one of them is never refused for its apiVersion. Empty: only the kinds table decides.
    pub served_api_versions: &'a [String],
}

impl<'a> ValidateOptions<'a> {
    pub fn new(release_namespace: &'a str) -> Self {
        ValidateOptions {
            release_namespace,
            allowed_namespaces: &[],
            served_api_versions: &[],
        }
    }
}

/// One thing wrong with one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub template: String,
    /// `deployment/backend-deployment`
    pub object: String,
    /// `spec.template.spec.containers[0].image`; empty when the problem is the whole object.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.template, self.object)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found, one line each.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        let objects: std::collections::BTreeSet<(&str, &str)> = self
            .0
            .iter()
            .map(|p| (p.template.as_str(), p.object.as_str()))
            .collect();
        writeln!(
            f,
            "found {} in {} rendered by the chart; fix the templates named below",
            crate::ui::plural(n, "problem"),
            crate::ui::plural(objects.len(), "object")
        )?;
        for (i, p) in self.0.iter().enumerate() {
            if i + 1 < n {
                writeln!(f, "  {p}")?;
            } else {
                write!(f, "  {p}")?;
            }
        }
        Ok(())
    }
}

/// Checks all objects and returns every problem found.
pub fn validate(objects: &[Object], opts: &ValidateOptions<'_>) -> Result<(), Problems> {
    // Each object is checked on its own, on several threads; problems keep the objects' order.
    let mut problems: Vec<Problem> = objects
        .par_iter()
        .flat_map_iter(|object| {
            with_deep_stack(|| {
                let mut problems = Vec::new();
                check_object(object, opts, &mut problems);
                problems
            })
        })
        .collect();
    check_duplicates(objects, opts.release_namespace, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

fn check_object(object: &Object, opts: &ValidateOptions<'_>, out: &mut Vec<Problem>) {
    let mut push = |path: &str, message: String| {
        out.push(Problem {
            template: object.template.clone(),
            object: object.reference(),
            path: path.to_string(),
            message,
        })
    };
    let (api_version, kind) = (object.api_version(), object.kind());
    let info = kinds::lookup(api_version, kind);
    if info.is_none()
        && let Some(served) = kinds::served_instead(api_version, kind, opts.served_api_versions)
    {
        push(
            "apiVersion",
            format!(
                "`{api_version}` does not serve {kind}; use `apiVersion: {}`",
                served.api_version()
            ),
        );
    }
    if let Some((_, check)) = info {
        for issue in check(&object.data) {
            push(&issue.path, issue.message);
        }
    }

    let name = object.name();
    let rule = info.map_or(NameRule::Subdomain, |(i, _)| i.name_rule);
    if let Some(why) = name_problem(name, rule) {
        push(
            "metadata.name",
            format!("`{name}` is not a valid {kind} name: {why}"),
        );
    }
    if let Some(ns) = object.namespace()
        && let Some(why) = name_problem(ns, NameRule::Label(63))
    {
        push(
            "metadata.namespace",
            format!("`{ns}` is not a valid namespace name: {why}"),
        );
    }

    let mut label_paths: Vec<Vec<&str>> = vec![vec!["metadata", "labels"]];
    if let Some(template) = info
        .and_then(|(i, _)| i.pod_template)
        .filter(|t| !t.is_empty())
    {
        let mut path = template.to_vec();
        path.extend(["metadata", "labels"]);
        label_paths.push(path);
    }
    for path in &label_paths {
        if let Some(Value::Object(labels)) = get_path(&object.data, path) {
            let at = path.join(".");
            for (key, value) in labels {
                if let Some(why) = qualified_name_problem(key) {
                    push(&at, format!("label key `{key}` is invalid: {why}"));
                }
                match value.as_str() {
                    Some(v) => {
                        if let Some(why) = label_value_problem(v) {
                            push(
                                &key_path(&at, key),
                                format!("label value `{v}` is invalid: {why}"),
                            );
                        }
                    }
                    // Built-in kinds already got a typed error for this.
                    None if info.is_none() => push(
                        &key_path(&at, key),
                        "label values must be strings; quote the value in the template".to_string(),
                    ),
                    None => {}
                }
            }
        }
    }
    if let Some(Value::Object(annotations)) = get_path(&object.data, &["metadata", "annotations"]) {
        let mut total = 0;
        for (key, value) in annotations {
            total += key.len() + value.as_str().map_or(0, str::len);
            if let Some(why) = qualified_name_problem(key) {
                push(
                    "metadata.annotations",
                    format!("annotation key `{key}` is invalid: {why}"),
                );
            }
        }
        if total > 256 * 1024 {
            push(
                "metadata.annotations",
                format!(
                    "annotations total {total} bytes, over the 262144-byte limit; move large data into a ConfigMap"
                ),
            );
        }
    }

    check_namespace(
        object,
        opts,
        info.map_or(Scope::Unknown, |(i, _)| i.scope),
        &mut push,
    );
}

/// `metadata.labels["app.kubernetes.io/name"]`: keys with dots or slashes would read as
/// nested fields otherwise.
fn key_path(parent: &str, key: &str) -> String {
    if key.contains(['.', '/']) {
        format!("{parent}[\"{key}\"]")
    } else {
        format!("{parent}.{key}")
    }
}

fn check_namespace(
    object: &Object,
    opts: &ValidateOptions<'_>,
    scope: Scope,
    push: &mut impl FnMut(&str, String),
) {
    match scope {
        Scope::Cluster => {
            if object.annotation(ALLOW_CLUSTER_SCOPE) != Some("true") {
                push(
                    "",
                    format!(
                        "{} is cluster-scoped and would affect the whole cluster, not just this release; add the annotation `{ALLOW_CLUSTER_SCOPE}: \"true\"` if that is intended",
                        object.kind()
                    ),
                );
            }
        }
        Scope::Namespaced | Scope::Unknown => {
            if let Some(ns) = object.namespace()
                && ns != opts.release_namespace
                && !opts.allowed_namespaces.iter().any(|a| a == ns)
            {
                push(
                    "metadata.namespace",
                    format!(
                        "namespace `{ns}` is outside the release namespace `{}`; remove `metadata.namespace` or allow the namespace explicitly",
                        opts.release_namespace
                    ),
                );
            }
        }
    }
}

fn check_duplicates(objects: &[Object], release_namespace: &str, out: &mut Vec<Problem>) {
    let mut seen: BTreeMap<ObjectKey, &Object> = BTreeMap::new();
    for object in objects {
        let key = object.key(release_namespace);
        if let Some(first) = seen.get(&key) {
            out.push(Problem {
                template: object.template.clone(),
                object: object.reference(),
                path: String::new(),
                message: format!(
                    "duplicate of the object rendered by {}; give one of them another name",
                    first.template
                ),
            });
        } else {
            seen.insert(key, object);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::schema::typed_check;
    use k8s_openapi::api::apps::v1::Deployment;
    use serde_json::json;

    fn obj(template: &str, data: Value) -> Object {
        Object::new(template, data)
    }

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "backend", "labels": {"app": "backend"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "backend"}},
                "template": {
                    "metadata": {"labels": {"app": "backend"}},
                    "spec": {"containers": [{"name": "api", "image": "todo/api:1.0", "imagePullPolicy": "IfNotPresent"}]}
                }
            }
        })
    }

    fn problems(objects: &[Object]) -> Vec<String> {
        match validate(objects, &ValidateOptions::new("todo")) {
            Ok(()) => Vec::new(),
            Err(p) => p.0.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_clean_deployment_passes() {
        assert_eq!(
            problems(&[obj("templates/backend.yaml", deployment())]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn serde_ignored_sees_unknown_fields_through_k8s_openapi() {
        let mut v = deployment();
        v["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = json!("Always");
        v["spec"]["strategyy"] = json!({});
        let issues = typed_check::<Deployment>(&v);
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.template.spec.containers[0].imagePullPolicyy",
                "spec.strategyy"
            ]
        );
    }

    #[test]
    fn unknown_field_is_reported_with_its_path() {
        let mut v = deployment();
        v["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = json!("Always");
        insta::assert_snapshot!(problems(&[obj("templates/backend.yaml", v)]).join("\n"));
    }

    #[test]
    fn wrong_type_is_reported_with_path_and_expected_type() {
        // The unknown field after the type error is found too, and cutting out `port` (a
        // required field) does not add a bogus `missing field`.
        let mut v = deployment();
        v["spec"]["replicas"] = json!("3");
        let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "backend"},
            "spec": {"ports": [{"port": "http"}]}});
        svc["spec"]["selectorr"] = json!({});
        insta::assert_snapshot!(
            problems(&[
                obj("templates/backend.yaml", v),
                obj("templates/svc.yaml", svc)
            ])
            .join("\n")
        );
    }

    #[test]
    fn all_problems_are_collected() {
        let mut bad = deployment();
        bad["metadata"]["name"] = json!("Backend_1");
        bad["metadata"]["labels"] =
            json!({"-bad": "ok", "app.kubernetes.io/part-of": "todo app", "tier": 3});
        bad["metadata"]["annotations"] = json!({"example.com/": "x", "Bad_Prefix/x": "y"});
        bad["spec"]["template"]["metadata"]["labels"]["x"] = json!("a".repeat(64));
        let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1api"}, "spec": {}});
        let ns =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "todo.prod"}});
        let err = validate(
            &[
                obj("templates/backend.yaml", bad),
                obj("templates/svc.yaml", service),
                obj("templates/ns.yaml", ns),
            ],
            &ValidateOptions::new("todo"),
        )
        .expect_err("invalid");
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn duplicates_name_both_templates() {
        let a = obj(
            "templates/a.yaml",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}),
        );
        let b = obj(
            "templates/b.yaml",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "todo"}}),
        );
        let other_kind = obj(
            "templates/c.yaml",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cfg"}}),
        );
        insta::assert_snapshot!(problems(&[a, b, other_kind]).join("\n"));
    }

    #[test]
    fn foreign_namespace_is_refused_unless_allowed() {
        let o = obj(
            "templates/cm.yaml",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "kube-system"}}),
        );
        let custom = obj(
            "templates/cr.yaml",
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "other"}}),
        );
        insta::assert_snapshot!(problems(&[o.clone(), custom]).join("\n"));
        let allowed = vec!["kube-system".to_string()];
        let opts = ValidateOptions {
            allowed_namespaces: &allowed,
            ..ValidateOptions::new("todo")
        };
        assert_eq!(validate(&[o], &opts), Ok(()));
    }

    #[test]
    fn cluster_scoped_is_refused_unless_annotated() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"}});
        let pv =
            json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "data"}});
        insta::assert_snapshot!(
            problems(&[
                obj("templates/rbac.yaml", role.clone()),
                obj("templates/pv.yaml", pv)
            ])
            .join("\n")
        );
        let mut allowed = role;
        allowed["metadata"]["annotations"] = json!({ALLOW_CLUSTER_SCOPE: "true"});
        assert_eq!(
            problems(&[obj("templates/rbac.yaml", allowed)]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn removed_api_version_names_the_served_one() {
        let ing = json!({"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": {}});
        let hpa = json!({"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}});
        insta::assert_snapshot!(
            problems(&[
                obj("templates/ing.yaml", ing),
                obj("templates/hpa.yaml", hpa)
            ])
            .join("\n")
        );
    }

    #[test]
    fn custom_resources_pass_through() {
        let cr = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"anything": [1, {"goes": true}]}});
        let volcano = json!({"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"tasks": []}});
        assert_eq!(
            problems(&[obj("t.yaml", cr), obj("t.yaml", volcano)]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn secret_data_must_be_base64_and_crd_schemas_are_free_form() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "not base64!"}});
        let found = problems(&[obj("templates/secret.yaml", secret)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("data.password"), "{found:?}");
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com", "annotations": {ALLOW_CLUSTER_SCOPE: "true"}},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
        });
        assert_eq!(
            problems(&[obj("templates/crd.yaml", crd)]),
            Vec::<String>::new()
        );
    }
}
