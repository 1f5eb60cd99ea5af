//! Helm's records as todoctl's: every Helm revision decoded and converted into a todoctl
//! record of the same number, the import's -f/--set mapped over the revision the next upgrade
//! starts from, what the takeover covers and keeps, and the diff a dry run shows.

use super::*;

/// Everything decided before the first write.
pub(super) struct Planned {
    pub(super) records: Vec<Release>,
    pub(super) revisions: Vec<ImportedRevision>,
    pub(super) takeover: Vec<Object>,
    pub(super) kept: Vec<crate::ops::Kept>,
    pub(super) hooks: usize,
    pub(super) diff: ImportDiff,
}

pub(super) fn decoded(stored: &[StoredRecord], opts: &ImportOptions) -> Result<Vec<HelmRelease>> {
    let mut out = Vec::with_capacity(stored.len());
    for r in stored {
        match &r.release {
            Ok(h) => out.push(h.clone()),
            Err(e) => {
                return Err(Error::anyhow(
                    Kind::BadInput,
                    format!(
                        "Helm's record of revision {} of release `{}`, {} in namespace `{}`, cannot be read: {e}; nothing was imported. Restore it from a backup, or delete it if that revision is not needed (`kubectl delete {} -n {}`) and import again",
                        r.version,
                        opts.helm_release,
                        r.reference(),
                        opts.namespace,
                        r.reference(),
                        opts.namespace
                    ),
                ));
            }
        }
    }
    if let Some(last) = out.last()
        && is_pending(&last.status)
    {
        return Err(Error::anyhow(
            Kind::Conflict,
            format!(
                "revision {} of Helm release `{}` in namespace `{}` is {}: a Helm operation is running on it, or stopped without finishing; nothing was imported. Wait for it to end (`helm status {} -n {}`), or if it died, `helm rollback {} -n {}` first, then import",
                last.version,
                opts.helm_release,
                opts.namespace,
                last.status,
                opts.helm_release,
                opts.namespace,
                opts.helm_release,
                opts.namespace
            ),
        ));
    }
    // `helm uninstall --keep-history` leaves the last revision uninstalled, its objects
    // deleted: there is nothing running to bring under todoctl.
    if let Some(last) = out.last()
        && matches!(last.status.as_str(), "uninstalled" | "uninstalling")
    {
        let (what, next) = if last.status == "uninstalled" {
            (
                "Helm uninstalled it and kept its history: its objects are gone",
                format!(
                    "install it with `todoctl install {} -n {}`, or bring it back with `helm rollback {} -n {}` first, then import",
                    opts.release, opts.namespace, opts.helm_release, opts.namespace
                ),
            )
        } else {
            (
                "a Helm uninstall is deleting it, or stopped without finishing",
                format!(
                    "let it end (`helm status {} -n {}`) or finish it (`helm uninstall {} -n {}`), then install it with `todoctl install {} -n {}`",
                    opts.helm_release,
                    opts.namespace,
                    opts.helm_release,
                    opts.namespace,
                    opts.release,
                    opts.namespace
                ),
            )
        };
        return Err(Error::anyhow(
            Kind::Conflict,
            format!(
                "revision {} of Helm release `{}` in namespace `{}` is {}: {what}; nothing was imported. To manage it with todoctl, {next}",
                last.version, opts.helm_release, opts.namespace, last.status
            ),
        ));
    }
    Ok(out)
}

/// Dotted paths of the keys a schema error says were unexpected: from lines such as
/// ``  - `backend`: Additional properties are not allowed ('replicas' was unexpected)``.
pub(super) fn unexpected_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.contains("Additional properties")) {
        let parent = line
            .split('`')
            .nth(1)
            .filter(|p| !p.is_empty() && *p != "." && *p != "(root)");
        let Some(start) = line.rfind('(') else {
            continue;
        };
        for key in line[start..].split('\'').skip(1).step_by(2) {
            out.push(match parent {
                Some(p) => format!("{p}.{key}"),
                None => key.to_string(),
            });
        }
    }
    out
}

pub(super) fn is_pending(status: &str) -> bool {
    status.starts_with("pending-")
}

/// The todoctl status of a Helm revision: pending in the middle of the history (a Helm
/// operation that died, superseded since) is failed, as todoctl records interrupted revisions.
pub(super) fn status_of(helm_status: &str) -> Status {
    match helm_status {
        "deployed" => Status::Deployed,
        "superseded" => Status::Superseded,
        "uninstalled" => Status::Uninstalled,
        "uninstalling" => Status::Uninstalling,
        _ => Status::Failed,
    }
}

pub(super) async fn plan(
    opts: &ImportOptions,
    stored: &[StoredRecord],
    helm_releases: Vec<HelmRelease>,
    ctx: &Context,
) -> Result<Planned> {
    let chart = crate::chart::Chart::builtin()?;
    let marks = chart
        .schema
        .as_ref()
        .map(crate::chart::SchemaMarks::from_schema)
        .unwrap_or_default();
    let mut records = Vec::new();
    let mut hooks = 0;
    // Helm can leave more than one revision `deployed` (an upgrade that died before it
    // superseded the one before); like Helm's storage, which takes the newest of them, the
    // history gets one: the last.
    let last_deployed = helm_releases
        .iter()
        .rev()
        .find(|h| h.status == Status::Deployed.as_str())
        .map(|h| h.version);
    for (h, s) in helm_releases.iter().zip(stored) {
        hooks += h.hooks;
        let mut record = convert(h, s, opts, ctx)?;
        if record.status == Status::Deployed && Some(h.version) != last_deployed {
            record.status = Status::Superseded;
            record.description = format!(
                "imported from Helm revision {} (Helm status `deployed`, superseded by revision {}){}",
                h.version,
                last_deployed.unwrap_or_default(),
                helm_said(h)
            );
        }
        // Before the values are checked against the chart: a schema error may quote them.
        ctx.ui.remember_values(&record.values, &marks.secret);
        ctx.ui.remember_values(&record.user_values, &marks.secret);
        records.push(record);
    }
    // The import's -f/--set go over the values of the revision the next upgrade starts from.
    let base_index = records
        .iter()
        .rposition(|r| r.status == Status::Deployed)
        .unwrap_or(records.len() - 1);
    let extra = opts.values.user_values()?;
    if let Value::Object(extra) = extra
        && !extra.is_empty()
    {
        let base = &mut records[base_index];
        let mut user = base.user_values.as_object().cloned().unwrap_or_default();
        crate::values::merge_maps(&mut user, extra);
        base.user_values = Value::Object(user);
        base.description
            .push_str(" (values mapped with the import's -f/--set)");
    }
    let history = History {
        releases: records.clone(),
        ..History::default()
    };
    let base = &history.releases[base_index];
    let prepared = crate::ops::prepare::prepare_release(
        ctx,
        &history,
        &PrepareRequest {
            release: &opts.release,
            namespace: &opts.namespace,
            chart_dir: None,
            values: &ValueSources::default(),
            is_upgrade: true,
            reset_values: false,
            generate_new: true,
            post_renderer: None,
        },
    )
    .await
    .map_err(|e| {
        let text = crate::error::sentence(&e);
        let mut example: Vec<String> = unexpected_keys(&text)
            .iter()
            .map(|k| format!("--set {k}=null"))
            .collect();
        if example.is_empty() {
            example.push("-f mapping.yaml".to_string());
        }
        Error::anyhow(
            Kind::BadInput,
            format!(
                "the values of Helm release `{}` (revision {}, `helm get values {} -n {}`) do not fit todoctl's chart, so nothing was imported: {text}\nmap them onto todoctl's values on the import, with `-f mapping.yaml` holding the keys todoctl's chart takes (`todoctl show values`) or with `--set key=value`, and drop keys todoctl's chart does not have with `--set key=null`: todoctl import helm {} -n {} {}",
                opts.helm_release,
                base.revision,
                opts.helm_release,
                opts.namespace,
                opts.helm_release,
                opts.namespace,
                example.join(" ")
            ),
        )
    })?;
    // Values generated now (a password Helm's values lacked) stay the same from here on.
    for r in &mut records {
        r.generated = prepared.generated.clone();
        r.secret_paths = marks.secret.to_vec();
    }
    let history = History {
        releases: records.clone(),
        ..History::default()
    };
    let takeover = history.previous_objects();
    let rendered: HashSet<ObjectKey> = prepared
        .objects
        .iter()
        .map(|o| o.key(&opts.namespace))
        .collect();
    let mut kept = Vec::new();
    for o in &takeover {
        if rendered.contains(&o.key(&opts.namespace)) {
            continue;
        }
        if o.kind() == "PersistentVolumeClaim" {
            kept.push(crate::ops::Kept {
                object: o.reference(),
                reason: format!(
                    "todoctl's chart does not render it and it holds data: no todoctl upgrade deletes it without --prune-pvcs; the database can keep using it with `--set database.persistence.existingClaim={}`",
                    o.name()
                ),
            });
        } else if let Some(reason) =
            crate::ops::KeepRules::default().reason(o, crate::ops::keep::Removal::Prune)
        {
            kept.push(crate::ops::Kept {
                object: o.reference(),
                reason: format!("todoctl's chart does not render it, and it is {reason}"),
            });
        }
    }
    let current = history
        .last_deployed()
        .unwrap_or(&history.releases[history.releases.len() - 1]);
    let before_label = format!("Helm revision {}", current.revision);
    let sides = Sides {
        before: &before_label,
        after: "todoctl's chart",
    };
    // Objects the import keeps are reported as kept, not shown as deleted.
    let diffs = diff_objects_between(
        sides,
        &current.objects(),
        &prepared.objects,
        &opts.namespace,
        false,
        |o| !kept.iter().any(|k| k.object == o.reference()),
    );
    let revisions = records
        .iter()
        .zip(&helm_releases)
        .map(|(r, h)| ImportedRevision {
            revision: r.revision,
            status: r.status,
            helm_status: h.status.clone(),
            chart: format!("{}-{}", r.chart.name, r.chart.version),
            updated: r.updated,
            description: r.description.clone(),
        })
        .collect();
    Ok(Planned {
        records,
        revisions,
        takeover,
        kept,
        hooks,
        diff: ImportDiff {
            summary: Summary::of(&diffs),
            objects: diffs,
        },
    })
}

/// One Helm revision as a todoctl record: the same number, status, times, chart, values,
/// notes and objects; Helm's hooks are left out.
pub(super) fn convert(
    h: &HelmRelease,
    stored: &StoredRecord,
    opts: &ImportOptions,
    ctx: &Context,
) -> Result<Release> {
    let mut manifest = Vec::new();
    for (template, text) in helm::split_manifest(&h.manifest) {
        let objects = crate::manifest::parse::documents(&template, &text).map_err(|e| {
            // Where, without the line itself: in a Helm record it may be a Secret's data,
            // which the scrubber cannot know from a document that does not parse.
            let e = match e {
                crate::manifest::ManifestError::Yaml {
                    template,
                    line,
                    column,
                    message,
                    ..
                } => format!("{template}:{line}:{column}: {message}"),
                other => other.to_string(),
            };
            Error::anyhow(
                Kind::BadInput,
                format!(
                    "Helm's record of revision {} of release `{}`, {} in namespace `{}`, holds a manifest that does not parse ({e}); nothing was imported. Restore the record from a backup, or delete it if that revision is not needed, and import again",
                    h.version,
                    opts.helm_release,
                    stored.reference(),
                    opts.namespace
                ),
            )
        })?;
        for mut o in objects {
            // What follows may quote any object; a Secret's values must be scrubbed from it.
            ctx.ui.remember_object(&o.data);
            mark_object(&mut o, &opts.namespace);
            manifest.push(ManifestEntry {
                template: o.template.clone(),
                object: o.data,
            });
        }
    }
    let status = status_of(&h.status);
    let helm_said = helm_said(h);
    let status_note = if status.as_str() != h.status {
        format!(" (Helm status `{}`)", h.status)
    } else {
        String::new()
    };
    let updated = h
        .last_deployed
        .or(h.first_deployed)
        .unwrap_or_else(|| ctx.clock.now());
    Ok(Release {
        format: FORMAT,
        name: opts.release.clone(),
        namespace: opts.namespace.clone(),
        revision: h.version.max(stored.version),
        status,
        description: format!(
            "imported from Helm revision {}{status_note}{helm_said}",
            h.version
        ),
        chart: h.chart.clone(),
        user_values: h.config.clone(),
        values: crate::values::coalesce(h.chart_values.clone(), &h.config),
        manifest,
        notes: h.notes.clone(),
        first_deployed: h.first_deployed.unwrap_or(updated),
        updated,
        todoctl_version: crate::release::TODOCTL_VERSION.to_string(),
        generated: Default::default(),
        secret_paths: Vec::new(),
        tests: Vec::new(),
        last_test: None,
        post_renderer: None,
    })
}

/// `: <Helm's description>` of a revision, or nothing when it has none.
pub(super) fn helm_said(h: &HelmRelease) -> String {
    if h.description.is_empty() {
        String::new()
    } else {
        format!(": {}", h.description)
    }
}

/// An imported object as the takeover leaves it live: in the release namespace when Helm's
/// manifest left the namespace out, labelled managed by todoctl. Pod templates keep Helm's
/// labels, so re-applying the revision replaces no pod.
pub(super) fn mark_object(o: &mut Object, namespace: &str) {
    let namespaced = o.scope() != Scope::Cluster;
    let Some(meta) = o.data.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if namespaced
        && meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        meta.insert("namespace".into(), namespace.into());
    }
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(MANAGED_BY.into(), MANAGER.into());
    } else {
        *labels = json!({ MANAGED_BY: MANAGER });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexpected_keys_are_named_as_paths() {
        let text = "values do not match the chart's values.schema.json:\n  - `backend`: Additional properties are not allowed ('replicas' was unexpected)\n  - ``: Additional properties are not allowed ('a', 'b' were unexpected)";
        assert_eq!(unexpected_keys(text), vec!["backend.replicas", "a", "b"]);
    }

    #[test]
    fn helm_statuses_map_onto_todoctl_statuses() {
        assert_eq!(status_of("deployed"), Status::Deployed);
        assert_eq!(status_of("superseded"), Status::Superseded);
        assert_eq!(status_of("failed"), Status::Failed);
        assert_eq!(status_of("pending-upgrade"), Status::Failed);
        assert_eq!(status_of("unknown"), Status::Failed);
        assert!(is_pending("pending-rollback"));
        assert!(!is_pending("deployed"));
    }

    #[test]
    fn imported_objects_are_marked_but_pod_templates_are_not() {
        let mut o = Object::new(
            "templates/backend.yaml",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "backend-deployment", "labels": {"app.kubernetes.io/managed-by": "Helm"}},
                   "spec": {"template": {"metadata": {"labels": {"app": "backend"}}}}}),
        );
        mark_object(&mut o, "todo-app");
        assert_eq!(o.data["metadata"]["namespace"], "todo-app");
        assert_eq!(
            o.data["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "todoctl"
        );
        assert_eq!(
            o.data["spec"]["template"]["metadata"]["labels"],
            json!({"app": "backend"})
        );
    }
}
