//! The check before any write: every object of a revision goes through a server-side dry-run
//! apply and every object it would prune through a dry-run delete, concurrently, so a change
//! the API server refuses is found while nothing has been written yet. Each rejection is
//! named by object, field and change; immutable fields show their old and new values, since
//! the server's own message often does not (a StatefulSet's says only "spec: Forbidden").
//!
//! Objects that can only be checked once something earlier in the revision exists (a custom
//! resource whose CustomResourceDefinition the revision adds or changes, an object in a
//! namespace the revision creates) are handed back as deferred: the deploy checks them before
//! the wave that writes them.
//!
//! Why this file is over 600 lines: the check itself is about 600 (the dry runs, and the
//! wording of each refusal by who refused and what to do); the rest is its unit tests.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::StreamExt;
use serde_json::Value;

use super::deploy::{APPLY_CONCURRENCY, prune_set};
use super::keep::KeepRules;
use crate::cluster::apply::{Applier, Rejection, Takeover};
use crate::manifest::{Object, ObjectKey, kinds};

/// What a refusal tells the user to run once its cause is fixed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Retry {
    /// The same command, with other flags if need be (install, upgrade, rollback).
    #[default]
    Command,
    /// `todoctl diff --out` again: `apply` carries out a saved plan, whose flags and objects
    /// cannot change.
    Plan,
}

impl Retry {
    /// How to avoid objects that other releases manage. --adopt is not offered: it would take
    /// them from under their release (a Deployment's selector cannot even change).
    fn owned(self) -> &'static str {
        match self {
            Retry::Command => {
                "install this release in another namespace (-n), or upgrade that release instead"
            }
            Retry::Plan => {
                "make the plan for another namespace (`todoctl diff -n NAMESPACE --out`), or for that release"
            }
        }
    }

    /// How to take over objects of no release, or avoid them.
    fn takeover(self) -> &'static str {
        match self {
            Retry::Command => {
                "install this release in another namespace (-n), or pass --adopt to manage them as part of it"
            }
            Retry::Plan => {
                "make a new plan with `todoctl diff --adopt --out` to manage them as part of it, review it, and apply that"
            }
        }
    }

    /// What follows a fix: `run the command again`.
    fn again(self) -> &'static str {
        match self {
            Retry::Command => "run the command again",
            Retry::Plan => "run `todoctl diff --out` again, review the new plan, and apply that",
        }
    }
}

/// How a refusal names the operation ("upgrade of release `todo-app`") and what it tells the
/// user to run once its cause is fixed.
#[derive(Debug, Clone, Copy)]
pub struct Refused<'a> {
    pub what: &'a str,
    pub retry: Retry,
}

/// What the check found acceptable, and what it left for later.
#[derive(Debug, Default)]
pub struct Checked {
    /// Objects to check once what they need exists; see [`check_deferred`].
    pub deferred: HashSet<ObjectKey>,
    pub elapsed: Duration,
}

/// How the API server says a field cannot change (apimachinery's `ValidateImmutableField`,
/// and the Service's own wording).
fn says_immutable(message: &str) -> bool {
    message.contains("field is immutable") || message.contains("may not change once set")
}

/// Dry-runs every apply of `objects` and every delete the prune after them would make, and
/// refuses with every rejection listed, worded as `refused` says.
pub async fn preflight(
    applier: &Applier,
    objects: &[Object],
    previous: &[Object],
    namespace: &str,
    prune: bool,
    keep: KeepRules,
    refused: Refused<'_>,
) -> Result<Checked> {
    let started = Instant::now();
    let waits_for = WaitsFor::new(applier, objects).await;
    let previous_by_key: HashMap<ObjectKey, &Object> =
        previous.iter().map(|o| (o.key(namespace), o)).collect();

    let applies = futures::stream::iter(objects.iter().map(|o| async {
        let key = o.key(namespace);
        if waits_for.defers(o) {
            return Verdict::Deferred(key);
        }
        match applier.check(o).await {
            Ok(_) => Verdict::Accepted,
            Err(e) if waits_for.may_explain(o, &e) => Verdict::Deferred(key),
            Err(e) => {
                let prior = previous_by_key.get(&key).copied();
                Verdict::Rejected(describe(applier, o, prior, &e).await)
            }
        }
    }))
    .buffer_unordered(APPLY_CONCURRENCY)
    .collect::<Vec<_>>();

    let gone = if prune {
        prune_set(objects, previous, namespace, keep).0
    } else {
        Vec::new()
    };
    let deletes = futures::stream::iter(gone.iter().map(|o| async {
        match applier.check_delete(o).await {
            Ok(_) => Verdict::Accepted,
            Err(e) => Verdict::Rejected(vec![Finding::Rejected(format!(
                "{} (to be deleted, not in this revision): {}",
                o.reference(),
                crate::ops::session::first_line(&e)
            ))]),
        }
    }))
    .buffer_unordered(APPLY_CONCURRENCY)
    .collect::<Vec<_>>();

    let (applies, deletes) = futures::join!(applies, deletes);
    let mut checked = Checked::default();
    let mut rejections = Vec::new();
    for verdict in applies.into_iter().chain(deletes) {
        match verdict {
            Verdict::Accepted => {}
            Verdict::Deferred(key) => {
                checked.deferred.insert(key);
            }
            Verdict::Rejected(lines) => rejections.extend(lines),
        }
    }
    checked.elapsed = started.elapsed();
    applier.cluster().ui().verbose(
        1,
        format!(
            "preflight: {} objects and {} deletions dry-run in {:?} ({} deferred)",
            objects.len() - checked.deferred.len(),
            gone.len(),
            checked.elapsed,
            checked.deferred.len()
        ),
    );
    if rejections.is_empty() {
        return Ok(checked);
    }
    Err(refusal_settled(applier, refused.what, rejections, refused.retry).await)
}

/// Checks the deferred objects among `objects` that can be checked now (their CRD established,
/// their namespace created), before any of them is written; removes them from `deferred`.
pub async fn check_deferred(
    applier: &Applier,
    objects: &[&Object],
    deferred: &mut HashSet<ObjectKey>,
    namespace: &str,
    what: &str,
) -> Result<()> {
    let ready: Vec<&Object> = {
        let mut out = Vec::new();
        for o in objects.iter().copied() {
            if deferred.contains(&o.key(namespace)) {
                out.push(o);
            }
        }
        out
    };
    if ready.is_empty() {
        return Ok(());
    }
    let rejections: Vec<Finding> = futures::stream::iter(ready.iter().map(|o| async {
        match applier.check(o).await {
            Ok(_) => Vec::new(),
            Err(e) => describe(applier, o, None, &e).await,
        }
    }))
    .buffer_unordered(APPLY_CONCURRENCY)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .flatten()
    .collect();
    for o in &ready {
        deferred.remove(&o.key(namespace));
    }
    if rejections.is_empty() {
        Ok(())
    } else {
        Err(refusal_settled(applier, what, rejections, Retry::Command).await)
    }
}

/// Whether `err`, from a dry-run apply, is one [`describe`] explains: todoctl's refusal to take
/// an object over, or the API server's rejection of it.
pub fn is_refusal(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Takeover>().is_some() || err.downcast_ref::<Rejection>().is_some()
}

/// The error for `failed` (each object, the previous revision's version of it, and the error
/// [`is_refusal`] accepted), worded as the preflight of the operation `what` words it: what to
/// do about each takeover and each immutable field, all objects at once.
pub async fn explain(
    applier: &Applier,
    failed: &[(&Object, Option<&Object>, anyhow::Error)],
    what: &str,
) -> anyhow::Error {
    let mut findings = Vec::new();
    for (object, previous, err) in failed {
        findings.extend(describe(applier, object, *previous, err).await);
    }
    refusal_settled(applier, what, findings, Retry::Command).await
}

enum Verdict {
    Accepted,
    Deferred(ObjectKey),
    Rejected(Vec<Finding>),
}

/// Why one object of the revision cannot be applied, by who says so.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Finding {
    /// todoctl refuses to take over an object of another release (or of none) without --adopt:
    /// the line (`configmap/x: it belongs to release `ns/shop``), the release that owns it if
    /// one does, and the object (`configmap/x`). Sorted by the line.
    Takeover {
        line: String,
        owner: Option<String>,
        reference: String,
    },
    /// The API server rejects the change.
    Rejected(String),
}

/// One error for everything found, each part saying who refused and what to do: takeovers are
/// todoctl's own refusal (the fix is another namespace or --adopt), rejections the API
/// server's (the fix is in the chart or values).
fn refusal(what: &str, mut findings: Vec<Finding>, retry: Retry) -> anyhow::Error {
    findings.sort();
    findings.dedup();
    let takeovers: Vec<&str> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Takeover { line, .. } => Some(line.as_str()),
            Finding::Rejected(_) => None,
        })
        .collect();
    let rejections: Vec<&str> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Rejected(l) => Some(l.as_str()),
            Finding::Takeover { .. } => None,
        })
        .collect();
    let mut parts = Vec::new();
    if !takeovers.is_empty() {
        let n = takeovers.len();
        let owned = findings
            .iter()
            .filter(|f| matches!(f, Finding::Takeover { owner: Some(_), .. }))
            .count();
        let advice = if owned == 0 {
            retry.takeover().to_string()
        } else if owned == n {
            format!("another release manages them: {}", retry.owned())
        } else {
            format!(
                "for those another release manages: {}\nfor those no release owns: {}",
                retry.owned(),
                retry.takeover()
            )
        };
        parts.push(format!(
            "todoctl will not take over {} that already exist{s} and belong{s} to another release or to none:\n  {}\n{advice}",
            crate::ui::plural(n, "object"),
            takeovers.join("\n  "),
            s = if n == 1 { "s" } else { "" },
        ));
    }
    if !rejections.is_empty() {
        let immutable = rejections.iter().any(|r| r.ends_with("is immutable"));
        let n = rejections.len();
        parts.push(format!(
            "the API server rejects {} of this revision:\n  {}\n{}",
            crate::ui::plural(n, "change"),
            rejections.join("\n  "),
            if immutable {
                format!(
                    "an immutable field cannot change in place: keep its old value in the chart or values, or delete the object (`kubectl delete`) and {} to recreate it",
                    retry.again()
                )
            } else {
                format!(
                    "fix the chart or values for each object above and {}",
                    retry.again()
                )
            }
        ));
    }
    anyhow::anyhow!(
        "{what} refused, so nothing was applied or recorded: {}",
        parts.join("\n")
    )
}

/// What an object of this revision waits for before it can be checked: kinds a
/// CustomResourceDefinition of the revision defines, namespaces the revision creates, and
/// objects the revision creates that a check may look up (a Pod's ServiceAccount).
struct WaitsFor {
    /// (group, kind) defined by a CRD of the revision.
    crd_kinds: HashSet<(String, String)>,
    /// Namespaces the revision creates that do not exist yet.
    new_namespaces: HashSet<String>,
    /// Names of the revision's objects.
    names: HashSet<String>,
}

impl WaitsFor {
    async fn new(applier: &Applier, objects: &[Object]) -> WaitsFor {
        // A CRD the revision leaves as the last one applied it, and that exists, already
        // checks its objects as this revision will: no need to wait for it.
        let mut crd_kinds = HashSet::new();
        for o in objects
            .iter()
            .filter(|o| o.kind() == "CustomResourceDefinition")
        {
            let (Some(group), Some(kind)) = (
                o.data.pointer("/spec/group").and_then(Value::as_str),
                o.data.pointer("/spec/names/kind").and_then(Value::as_str),
            ) else {
                continue;
            };
            let settled = applier.is_unchanged(o) && applier.exists(o).await.unwrap_or(false);
            if !settled {
                crd_kinds.insert((group.to_string(), kind.to_string()));
            }
        }
        let mut new_namespaces = HashSet::new();
        for o in objects.iter().filter(|o| o.kind() == "Namespace") {
            // A namespace that cannot be read is treated as new: its objects are then checked
            // once it was applied, never skipped.
            if !applier.exists(o).await.unwrap_or(false) {
                new_namespaces.insert(o.name().to_string());
            }
        }
        WaitsFor {
            crd_kinds,
            new_namespaces,
            names: objects.iter().map(|o| o.name().to_string()).collect(),
        }
    }

    /// Known before asking: the object lives in a namespace the revision creates.
    fn defers(&self, o: &Object) -> bool {
        o.namespace()
            .is_some_and(|ns| self.new_namespaces.contains(ns))
    }

    /// After a failed check: the failure may come from something the revision creates first.
    /// A custom resource is checked against the CRD of this revision, not the one live now;
    /// a lookup of an object the revision creates fails only until it exists.
    fn may_explain(&self, o: &Object, err: &anyhow::Error) -> bool {
        if self
            .crd_kinds
            .contains(&(o.group().to_string(), o.kind().to_string()))
        {
            return true;
        }
        let text = crate::error::sentence(err);
        text.contains("not found")
            && self
                .names
                .iter()
                .any(|n| n != o.name() && text.contains(&format!("\"{n}\" not found")))
    }
}

/// What was found wrong with one object: todoctl's refusal to take it over, or the API
/// server's rejections (see [`describe_rejection`]).
async fn describe(
    applier: &Applier,
    object: &Object,
    previous: Option<&Object>,
    err: &anyhow::Error,
) -> Vec<Finding> {
    if let Some(t) = err.downcast_ref::<Takeover>() {
        return vec![Finding::Takeover {
            line: format!("{}: {}", t.reference, t.whose),
            owner: t.owner.clone(),
            reference: t.reference.clone(),
        }];
    }
    describe_rejection(applier, object, previous, err)
        .await
        .into_iter()
        .map(Finding::Rejected)
        .collect()
}

/// [`refusal`], once the takeovers of objects whose owner has no records left are settled: an
/// object kept by a release uninstalled since (a claim, a CRD, one annotated to be kept) still
/// names it, but nobody can change it through that release, so it is one of no release's and
/// --adopt is the way to manage it. One LIST per owner named, however many objects name it.
async fn refusal_settled(
    applier: &Applier,
    what: &str,
    findings: Vec<Finding>,
    retry: Retry,
) -> anyhow::Error {
    let owners: std::collections::BTreeSet<String> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Takeover {
                owner: Some(owner), ..
            } => Some(owner.clone()),
            _ => None,
        })
        .collect();
    let mut gone = std::collections::BTreeSet::new();
    for owner in owners {
        if owner_gone(applier.client(), &owner).await {
            gone.insert(owner);
        }
    }
    let findings = findings
        .into_iter()
        .map(|f| match f {
            Finding::Takeover {
                owner: Some(owner),
                reference,
                ..
            } if gone.contains(&owner) => Finding::Takeover {
                line: format!(
                    "{reference}: it was kept by release `{owner}`, which no longer exists"
                ),
                owner: None,
                reference,
            },
            f => f,
        })
        .collect();
    refusal(what, findings, retry)
}

/// Whether release `owner` (`<namespace>/<release>`) has no records left. A read that fails
/// counts as not gone: the advice then stays the cautious one.
async fn owner_gone(client: &kube::Client, owner: &str) -> bool {
    let Some((namespace, release)) = owner.split_once('/') else {
        return false;
    };
    matches!(
        crate::release::SecretStore::new(client.clone(), namespace)
            .has_records(release)
            .await,
        Ok(false)
    )
}

/// One line per rejected field: `kind/name: path: old -> new is immutable` for immutable
/// fields, the server's message for the others, the error itself for anything but a 422.
async fn describe_rejection(
    applier: &Applier,
    object: &Object,
    previous: Option<&Object>,
    err: &anyhow::Error,
) -> Vec<String> {
    let reference = object.reference();
    let Some(rejection) = err.downcast_ref::<Rejection>() else {
        return vec![format!("{reference}: {}", strip_reference(&reference, err))];
    };
    let causes = rejection
        .status
        .details
        .as_ref()
        .map(|d| d.causes.clone())
        .unwrap_or_default();
    if causes.is_empty() {
        return vec![format!("{reference}: {}", rejection.status.message)];
    }
    let live = match applier.api_for(object).await {
        Ok((api, _)) => api
            .get_opt(object.name())
            .await
            .ok()
            .flatten()
            .and_then(|o| serde_json::to_value(o).ok()),
        Err(_) => None,
    };
    let info = kinds::of(object.api_version(), object.kind());
    let mut lines = Vec::new();
    for cause in causes {
        let immutable_paths: Vec<String> = if says_immutable(&cause.message) {
            // Fields the API server names by another field than the one charts set (a
            // Service's `clusterIP` is checked as the first of its `clusterIPs`).
            let alias = info
                .and_then(|k| k.aliases.iter().find(|(field, _)| *field == cause.field))
                .map(|(_, set)| set.to_string());
            vec![alias.unwrap_or_else(|| cause.field.clone())]
        } else if cause.reason == "FieldValueForbidden"
            && cause.message.contains("updates to statefulset spec")
        {
            // Kubernetes' `ValidateStatefulSetUpdate` forbids every `spec` field but a few,
            // without naming the one changed: compare each immutable field instead.
            info.map_or(&[][..], |k| k.immutable)
                .iter()
                .map(|path| path.join("."))
                .collect()
        } else {
            Vec::new()
        };
        let mut changes = Vec::new();
        if let Some(live) = &live {
            for path in &immutable_paths {
                let segments = parse_path(path);
                let desired = at(&object.data, &segments);
                let old = at(live, &segments);
                let before = previous.and_then(|p| at(&p.data, &segments));
                leaf_changes(path, old, desired, before, &mut changes);
            }
        }
        if !immutable_paths.is_empty() && !changes.is_empty() {
            lines.extend(changes.into_iter().map(|(path, old, new)| {
                format!("{reference}: {path}: {old} -> {new} is immutable")
            }));
        } else if cause.field.is_empty() {
            lines.push(format!("{reference}: {}", cause.message));
        } else if cause.message.contains("port is already allocated") {
            // A nodePort is unique in the whole cluster, not per namespace: a second install
            // of the todo app in another namespace asks for the same one.
            lines.push(format!(
                "{reference}: {}: {}: another Service in the cluster has that port; choose a free one in the values (the todo-app chart: --set frontend.service.nodePort=PORT, or null to let Kubernetes pick one)",
                cause.field, cause.message
            ));
        } else {
            lines.push(format!("{reference}: {}: {}", cause.field, cause.message));
        }
    }
    lines
}

/// The error without the `applying kind/name (template): ` prefix the line already carries.
fn strip_reference(reference: &str, err: &anyhow::Error) -> String {
    let text = crate::ops::session::first_line(err);
    match text.strip_prefix(&format!("applying {reference} ")) {
        Some(rest) => rest
            .split_once("): ")
            .map(|(_, r)| r.to_string())
            .unwrap_or(text.clone()),
        None => text
            .strip_prefix(&format!("{reference}: "))
            .map(str::to_string)
            .unwrap_or(text.clone()),
    }
}

/// One step of a field path as the API server writes it: `spec.ports[0].name`,
/// `metadata.labels[app.kubernetes.io/name]`.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            let key = &inner[..end];
            out.push(match key.parse::<usize>() {
                Ok(i) => Segment::Index(i),
                Err(_) => Segment::Key(key.to_string()),
            });
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let rest_trimmed = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trimmed.find(['.', '[']).unwrap_or(rest_trimmed.len());
            if end > 0 {
                out.push(Segment::Key(rest_trimmed[..end].to_string()));
            }
            rest = &rest_trimmed[end..];
        }
    }
    out
}

fn at<'a>(value: &'a Value, path: &[Segment]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, s| match s {
        Segment::Key(k) => v.get(k),
        Segment::Index(i) => v.get(i),
    })
}

/// The leaves under `path` whose desired value differs from the live one: every field the
/// chart sets, and fields the previous revision set that this one drops (fields only the
/// server or a controller set are not the chart's change).
fn leaf_changes(
    path: &str,
    live: Option<&Value>,
    desired: Option<&Value>,
    previous: Option<&Value>,
    out: &mut Vec<(String, String, String)>,
) {
    match (desired, live) {
        (Some(Value::Object(d)), Some(Value::Object(l))) => {
            for (k, dv) in d {
                leaf_changes(
                    &format!("{path}.{k}"),
                    l.get(k),
                    Some(dv),
                    previous.and_then(|p| p.get(k)),
                    out,
                );
            }
            if let Some(Value::Object(p)) = previous {
                for (k, pv) in p {
                    if !d.contains_key(k) && l.contains_key(k) {
                        leaf_changes(&format!("{path}.{k}"), l.get(k), None, Some(pv), out);
                    }
                }
            }
        }
        (Some(Value::Array(d)), Some(Value::Array(l))) => {
            for (i, dv) in d.iter().enumerate() {
                leaf_changes(
                    &format!("{path}[{i}]"),
                    l.get(i),
                    Some(dv),
                    previous.and_then(|p| p.get(i)),
                    out,
                );
            }
            if l.len() > d.len() {
                out.push((
                    path.to_string(),
                    format!("{} items", l.len()),
                    format!("{} items", d.len()),
                ));
            }
        }
        (Some(d), l) => {
            if l != Some(d) && !numerically_equal(l, d) {
                out.push((path.to_string(), show(l), show(Some(d))));
            }
        }
        (None, Some(l)) if previous.is_some() => {
            out.push((path.to_string(), show(Some(l)), "(none)".to_string()));
        }
        (None, _) => {}
    }
}

/// `1` and `"1"` in an IntOrString, or 1 and 1.0, are the same value to the API server.
fn numerically_equal(live: Option<&Value>, desired: &Value) -> bool {
    match (live, desired) {
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(none)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            let text = other.to_string();
            if text.chars().count() > 80 {
                format!("{}…", text.chars().take(80).collect::<String>())
            } else {
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_paths_read_as_the_api_server_writes_them() {
        assert_eq!(
            parse_path("spec.volumeClaimTemplates[0].metadata.labels[app.kubernetes.io/version]"),
            vec![
                Segment::Key("spec".into()),
                Segment::Key("volumeClaimTemplates".into()),
                Segment::Index(0),
                Segment::Key("metadata".into()),
                Segment::Key("labels".into()),
                Segment::Key("app.kubernetes.io/version".into()),
            ]
        );
        assert_eq!(parse_path("spec"), vec![Segment::Key("spec".into())]);
    }

    #[test]
    fn changes_are_the_charts_own_fields() {
        let live = json!({"metadata": {"labels": {"app": "db", "v": "16-alpine", "added-by-server": "x"}},
                          "spec": {"volumeMode": "Filesystem", "resources": {"requests": {"storage": "1Gi"}}}});
        let desired = json!({"metadata": {"labels": {"app": "db", "v": "16.6-alpine"}},
                             "spec": {"resources": {"requests": {"storage": "1Gi"}}}});
        let mut out = Vec::new();
        leaf_changes(
            "spec.volumeClaimTemplates[0]",
            Some(&live),
            Some(&desired),
            None,
            &mut out,
        );
        assert_eq!(
            out,
            vec![(
                "spec.volumeClaimTemplates[0].metadata.labels.v".to_string(),
                "16-alpine".to_string(),
                "16.6-alpine".to_string()
            )]
        );
        // A label the previous revision set and this one drops is a change; one the server
        // added is not.
        let previous =
            json!({"metadata": {"labels": {"app": "db", "v": "16-alpine", "tier": "data"}}});
        let live = json!({"metadata": {"labels": {"app": "db", "v": "16-alpine", "tier": "data", "added-by-server": "x"}}});
        let desired = json!({"metadata": {"labels": {"app": "db", "v": "16-alpine"}}});
        let mut out = Vec::new();
        leaf_changes("t", Some(&live), Some(&desired), Some(&previous), &mut out);
        assert_eq!(
            out,
            vec![(
                "t.metadata.labels.tier".to_string(),
                "data".to_string(),
                "(none)".to_string()
            )]
        );
    }
}
