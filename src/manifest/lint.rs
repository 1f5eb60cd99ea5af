//! Best-practice warnings for the containers a chart runs: resources, probes, security
//! context, image tags. The rules are a table so `todoctl lint` can list and document them;
//! none of them stops an install.

use std::fmt;

use serde_json::Value;

use super::kinds::{self, Workload};
use super::{Object, get_path};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// `deployment/backend-deployment`; empty for a finding about a file.
    pub object: String,
    /// The template the object came from, or a file and line (`values.yaml:12`).
    pub template: String,
    /// Empty for a finding about the object or file as a whole.
    pub container: String,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: ", self.severity, self.rule)?;
        // Object rules have no container; file rules (values files) have no object either.
        match (self.object.is_empty(), self.container.is_empty()) {
            (true, _) => write!(f, "{}", self.template)?,
            (false, true) => write!(f, "{} ({})", self.object, self.template)?,
            (false, false) => write!(
                f,
                "{} container \"{}\" ({})",
                self.object, self.container, self.template
            )?,
        }
        write!(f, ": {}; {}", self.message, self.hint)
    }
}

/// Which containers a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every container and init container.
    AllContainers,
    /// Main containers of workloads that stay up (not Jobs or CronJobs, not init containers).
    LongRunningContainers,
}

/// What a rule sees: one container and the pod around it.
pub struct ContainerView<'a> {
    pub container: &'a Value,
    pub pod_spec: &'a Value,
}

pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub applies: Applies,
    pub summary: &'static str,
    /// Returns (message, hint) pairs; empty when the container is fine.
    pub check: fn(&ContainerView<'_>) -> Vec<(String, String)>,
}

pub static RULES: &[Rule] = &[
    Rule {
        id: "no-limits",
        severity: Severity::Warning,
        applies: Applies::AllContainers,
        summary: "containers should set CPU and memory limits",
        check: |c| missing_resources(c, "limits", "limit"),
    },
    Rule {
        id: "no-requests",
        severity: Severity::Warning,
        applies: Applies::AllContainers,
        summary: "containers should set CPU and memory requests",
        check: |c| missing_resources(c, "requests", "request"),
    },
    Rule {
        id: "no-liveness-probe",
        severity: Severity::Warning,
        applies: Applies::LongRunningContainers,
        summary: "long-running containers should have a liveness probe",
        check: |c| {
            missing(
                c.container,
                "livenessProbe",
                "no liveness probe",
                "add livenessProbe so a hung container is restarted",
            )
        },
    },
    Rule {
        id: "no-readiness-probe",
        severity: Severity::Warning,
        applies: Applies::LongRunningContainers,
        summary: "long-running containers should have a readiness probe",
        check: |c| {
            missing(
                c.container,
                "readinessProbe",
                "no readiness probe",
                "add readinessProbe so traffic and rollouts wait until it can serve",
            )
        },
    },
    Rule {
        id: "run-as-root",
        severity: Severity::Warning,
        applies: Applies::AllContainers,
        summary: "containers should not run as root",
        check: run_as_root,
    },
    Rule {
        id: "writable-root-fs",
        severity: Severity::Warning,
        applies: Applies::AllContainers,
        summary: "containers should have a read-only root filesystem",
        check: |c| {
            not_set_to(
                c.container,
                "readOnlyRootFilesystem",
                true,
                "root filesystem is writable",
                "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it must write",
            )
        },
    },
    Rule {
        id: "privilege-escalation",
        severity: Severity::Warning,
        applies: Applies::AllContainers,
        summary: "containers should not allow privilege escalation",
        check: |c| {
            not_set_to(
                c.container,
                "allowPrivilegeEscalation",
                false,
                "privilege escalation is allowed",
                "set securityContext.allowPrivilegeEscalation: false",
            )
        },
    },
    Rule {
        id: "latest-tag",
        severity: Severity::Warning,
        applies: Applies::AllContainers,
        summary: "images should be pinned to a version tag or digest",
        check: image_tag,
    },
];

/// Runs every rule over every container of every pod-bearing object.
pub fn check(objects: &[Object]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in objects {
        let Some((info, _)) = kinds::lookup(object.api_version(), object.kind()) else {
            continue;
        };
        let Some(template) = info.pod_template else {
            continue;
        };
        let mut spec_path = template.to_vec();
        spec_path.push("spec");
        let Some(pod_spec) = get_path(&object.data, &spec_path) else {
            continue;
        };
        for (list, is_init) in [("initContainers", true), ("containers", false)] {
            let Some(containers) = pod_spec.get(list).and_then(Value::as_array) else {
                continue;
            };
            for container in containers {
                let view = ContainerView {
                    container,
                    pod_spec,
                };
                let name = container.get("name").and_then(Value::as_str).unwrap_or("");
                for rule in RULES {
                    let applies = match rule.applies {
                        Applies::AllContainers => true,
                        Applies::LongRunningContainers => {
                            !is_init && info.workload == Workload::LongRunning
                        }
                    };
                    if !applies {
                        continue;
                    }
                    for (message, hint) in (rule.check)(&view) {
                        findings.push(Finding {
                            rule: rule.id,
                            severity: rule.severity,
                            object: object.reference(),
                            template: object.template.clone(),
                            container: name.to_string(),
                            message,
                            hint,
                        });
                    }
                }
            }
        }
    }
    findings
}

fn missing_resources(c: &ContainerView<'_>, section: &str, noun: &str) -> Vec<(String, String)> {
    ["cpu", "memory"]
        .into_iter()
        .filter(|res| {
            get_path(c.container, &["resources", section, res]).is_none_or(Value::is_null)
        })
        .map(|res| {
            (
                format!("no {res} {noun}"),
                format!("set resources.{section}.{res}"),
            )
        })
        .collect()
}

fn missing(container: &Value, field: &str, message: &str, hint: &str) -> Vec<(String, String)> {
    if container.get(field).is_none_or(Value::is_null) {
        vec![(message.to_string(), hint.to_string())]
    } else {
        Vec::new()
    }
}

fn not_set_to(
    container: &Value,
    field: &str,
    want: bool,
    message: &str,
    hint: &str,
) -> Vec<(String, String)> {
    let value = get_path(container, &["securityContext", field]).and_then(Value::as_bool);
    if value == Some(want) {
        Vec::new()
    } else {
        vec![(message.to_string(), hint.to_string())]
    }
}

/// The container's own securityContext wins over the pod's, as in the kubelet.
fn effective<'a>(c: &ContainerView<'a>, field: &str) -> Option<&'a Value> {
    get_path(c.container, &["securityContext", field])
        .filter(|v| !v.is_null())
        .or_else(|| get_path(c.pod_spec, &["securityContext", field]).filter(|v| !v.is_null()))
}

fn run_as_root(c: &ContainerView<'_>) -> Vec<(String, String)> {
    let user = effective(c, "runAsUser").and_then(Value::as_i64);
    if user == Some(0) {
        return vec![(
            "runs as root (runAsUser 0)".to_string(),
            "set securityContext.runAsUser to a non-zero user".to_string(),
        )];
    }
    let non_root = effective(c, "runAsNonRoot").and_then(Value::as_bool) == Some(true);
    // A non-zero user already rules root out, whatever the image says.
    if non_root || user.is_some() {
        return Vec::new();
    }
    vec![(
        "may run as root".to_string(),
        "set securityContext.runAsNonRoot: true on the pod or container".to_string(),
    )]
}

fn image_tag(c: &ContainerView<'_>) -> Vec<(String, String)> {
    let Some(image) = c.container.get("image").and_then(Value::as_str) else {
        return Vec::new();
    };
    if image.contains('@') {
        return Vec::new();
    }
    // The tag follows the last `:` after the last `/`; a `:` before it is a registry port.
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':').map(|(_, tag)| tag) {
        Some("latest") => vec![(
            format!("image `{image}` uses the `latest` tag"),
            "pin a version tag or a digest so upgrades and rollbacks are reproducible".to_string(),
        )],
        Some(_) => Vec::new(),
        None => vec![(
            format!("image `{image}` has no tag, which means `latest`"),
            "pin a version tag or a digest so upgrades and rollbacks are reproducible".to_string(),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn clean_container() -> Value {
        json!({
            "name": "api",
            "image": "registry.example.com:5000/todo/api:1.4.2",
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
            "securityContext": {"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false}
        })
    }

    fn deployment(container: Value) -> Object {
        Object::new(
            "templates/backend.yaml",
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "backend"},
                "spec": {"template": {"spec": {
                    "securityContext": {"runAsNonRoot": true},
                    "containers": [container]
                }}}
            }),
        )
    }

    fn rules_fired(objects: &[Object]) -> Vec<&'static str> {
        check(objects).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn clean_deployment_has_no_findings() {
        assert_eq!(check(&[deployment(clean_container())]), Vec::new());
        let digest = {
            let mut c = clean_container();
            c["image"] = json!("todo/api@sha256:abcd");
            c
        };
        assert_eq!(check(&[deployment(digest)]), Vec::new());
    }

    #[test]
    fn every_rule_fires() {
        let mut c = clean_container();
        c["resources"] = json!({"limits": {"cpu": "1"}});
        c.as_object_mut().expect("map").remove("livenessProbe");
        c.as_object_mut().expect("map").remove("readinessProbe");
        c["securityContext"] = json!({"runAsUser": 0});
        c["image"] = json!("todo/api:latest");
        let mut obj = deployment(c);
        obj.data["spec"]["template"]["spec"]["initContainers"] = json!([{"name": "init", "image": "busybox", "securityContext": {"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false},
                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}}]);
        let text: Vec<String> = check(&[obj]).iter().map(ToString::to_string).collect();
        insta::assert_snapshot!(text.join("\n"));
    }

    #[test]
    fn each_rule_id_is_covered() {
        let mut c = clean_container();
        c["resources"] = json!({});
        c.as_object_mut().expect("map").remove("livenessProbe");
        c.as_object_mut().expect("map").remove("readinessProbe");
        c["securityContext"] = json!({});
        c["image"] = json!("todo/api");
        let mut obj = deployment(c);
        obj.data["spec"]["template"]["spec"]["securityContext"] = json!({});
        let fired = rules_fired(&[obj]);
        for rule in RULES {
            assert!(fired.contains(&rule.id), "{} did not fire", rule.id);
        }
    }

    #[test]
    fn probes_are_not_required_of_jobs_or_init_containers() {
        let mut c = clean_container();
        c.as_object_mut().expect("map").remove("livenessProbe");
        c.as_object_mut().expect("map").remove("readinessProbe");
        let job = Object::new(
            "templates/migrate.yaml",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
                "spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [c.clone()]}}}}),
        );
        let cron = Object::new(
            "templates/cleanup.yaml",
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cleanup"},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [c.clone()]}}}}}}),
        );
        assert_eq!(rules_fired(&[job, cron]), Vec::<&str>::new());
        let mut init = deployment(clean_container());
        init.data["spec"]["template"]["spec"]["initContainers"] = json!([c]);
        assert_eq!(rules_fired(&[init]), Vec::<&str>::new());
    }

    #[test]
    fn pod_and_container_security_contexts_combine() {
        let mut c = clean_container();
        c["securityContext"]["runAsUser"] = json!(1000);
        let mut obj = deployment(c);
        obj.data["spec"]["template"]["spec"]["securityContext"] = json!({});
        assert_eq!(rules_fired(&[obj]), Vec::<&str>::new());

        let mut c = clean_container();
        c["securityContext"]["runAsNonRoot"] = json!(false);
        assert_eq!(rules_fired(&[deployment(c)]), ["run-as-root"]);

        let mut pod = Object::new(
            "templates/pod.yaml",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug"},
                "spec": {"securityContext": {"runAsUser": 0}, "containers": [clean_container()]}}),
        );
        assert_eq!(rules_fired(std::slice::from_ref(&pod)), ["run-as-root"]);
        pod.data["spec"]["containers"][0]["securityContext"]["runAsUser"] = json!(10001);
        assert_eq!(rules_fired(&[pod]), Vec::<&str>::new());
    }

    #[test]
    fn image_tags() {
        let fires = |image: &str| {
            let mut c = clean_container();
            c["image"] = json!(image);
            rules_fired(&[deployment(c)]) == ["latest-tag"]
        };
        assert!(fires("nginx"));
        assert!(fires("nginx:latest"));
        assert!(fires("localhost:5000/nginx"));
        assert!(!fires("localhost:5000/nginx:1.27"));
        assert!(!fires("nginx@sha256:0123"));
        assert!(!fires("nginx:1.27@sha256:0123"));
    }

    #[test]
    fn other_kinds_are_not_linted() {
        let cm = Object::new(
            "templates/cm.yaml",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
        );
        let cr = Object::new(
            "templates/cr.yaml",
            json!({"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}}),
        );
        assert!(check(&[cm, cr]).is_empty());
    }
}
