//! The takeover of the Helm release's live objects: what it will find, read before the marker
//! (kinds resolved, owners checked), and the committed part of an import, which the next
//! command that takes the lock also runs after an import stopped there.

use super::*;

/// What the takeover will find, object by object, read before anything is written: every kind
/// resolved through discovery (an unserved apiVersion or a deleted CRD refuses the import here,
/// not after its commit), and an object that another todoctl release owns refuses it, as an
/// object has one owner. `would be taken over` or `not in the cluster` for each.
pub(super) async fn live_states(
    applier: &Applier,
    takeover: &[Object],
    opts: &ImportOptions,
) -> Result<Vec<TakenOver>> {
    let ours = crate::cluster::apply::owner_value(&opts.namespace, &opts.release);
    let mut out = Vec::new();
    for o in takeover {
        let (api, _) = applier.api_for(o).await.map_err(|e| {
            Error::anyhow(
                Kind::BadInput,
                format!(
                    "{e:#}; nothing was imported (Helm release `{}` has it)",
                    opts.helm_release
                ),
            )
        })?;
        let live = api.get_metadata_opt(o.name()).await.map_err(|e| {
            crate::cluster::apply::api_error(e, &format!("reading {}", o.reference()))
        })?;
        if let Some(live) = &live
            && let Some(owner) = owner_of(&live.metadata)
            && owner != ours
        {
            return Err(owned_elsewhere(&o.reference(), &owner, opts));
        }
        out.push(TakenOver {
            object: o.reference(),
            state: if live.is_some() {
                "would be taken over"
            } else {
                "not in the cluster"
            }
            .into(),
            from: Vec::new(),
        });
    }
    Ok(out)
}

/// The refusal of an object of the Helm release that todoctl release `owner`
/// (`<namespace>/<release>`) owns.
pub(super) fn owned_elsewhere(reference: &str, owner: &str, opts: &ImportOptions) -> anyhow::Error {
    let (owner_namespace, owner_release) = owner.split_once('/').unwrap_or(("", owner));
    Error::anyhow(
        Kind::Conflict,
        format!(
            "{reference} of Helm release `{}` belongs to todoctl release `{owner_release}` in namespace `{owner_namespace}`; nothing was imported. An object has one owner: it stays with `{owner_release}` (`todoctl status {owner_release} -n {owner_namespace}`); to import Helm release `{}` anyway, uninstall `{owner_release}` first (`todoctl uninstall {owner_release} -n {owner_namespace}`)",
            opts.helm_release, opts.helm_release
        ),
    )
}

pub(super) fn applier(ctx: &Context, opts: &ImportOptions) -> Applier {
    Applier::new(
        &ctx.cluster,
        &opts.release,
        &opts.namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: false,
            adopt: true,
        },
    )
}

/// The committed part of an import, also run by the next command after an import stopped
/// there: takes over the objects, labels or deletes Helm's records, deletes the marker.
/// Errors name the marker and the two ways on: every command that takes the release lock
/// runs this first, so a cause that stays (a kind no longer served, a forbidden patch) would
/// otherwise stop them all without saying why.
pub(super) async fn finish(
    ctx: &Context,
    client: &Client,
    namespace: &str,
    release: &str,
    plan: &Plan,
) -> Result<Vec<TakenOver>> {
    finish_steps(ctx, client, namespace, release, plan)
        .await
        .map_err(|e| {
            let kind = crate::error::kind(&e);
            if matches!(kind, Kind::Interrupted | Kind::Locked) {
                return e;
            }
            let marker = crate::release::import_marker::marker_name(release);
            Error::anyhow(
                kind,
                format!(
                    "finishing the import of Helm release `{}` into `{release}` (marker `{marker}` in namespace `{namespace}`): {e:#}. The import is committed, and every command that takes the lock of `{release}` finishes it first: fix the cause and run the command again; or, after checking `todoctl history {release} -n {namespace}`, delete the marker (`kubectl delete secret {marker} -n {namespace}`), which leaves the objects not yet taken over with Helm's field managers and Helm's records as they are",
                    plan.helm_release
                ),
            )
        })
}

pub(super) async fn finish_steps(
    ctx: &Context,
    client: &Client,
    namespace: &str,
    release: &str,
    plan: &Plan,
) -> Result<Vec<TakenOver>> {
    let applier = Applier::new(
        &ctx.cluster,
        release,
        namespace,
        ApplyMode {
            dry_run: false,
            force_conflicts: false,
            adopt: true,
        },
    );
    let mut out = Vec::new();
    for (api_version, kind, name, ns) in &plan.objects {
        let mut data = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if let Some(ns) = ns {
            data["metadata"]["namespace"] = json!(ns);
        }
        let o = Object::new("import", data);
        let reference = o.reference();
        ctx.ui.status(&format!("taking over {reference}"));
        let (api, _) = applier.api_for(&o).await?;
        let state = take_over(
            &api,
            &reference,
            name,
            o.namespace()
                .or(Some(namespace))
                .filter(|_| o.scope() != Scope::Cluster),
            (namespace, release),
            ctx.clock.now(),
        )
        .await
        .with_context(|| format!("taking over {reference}"))?;
        out.push(match state {
            Some(from) => TakenOver {
                object: reference,
                state: "taken over".into(),
                from,
            },
            None => TakenOver {
                object: reference,
                state: "not in the cluster".into(),
                from: Vec::new(),
            },
        });
    }
    ctx.stop.test_pause(&ctx.ui, "import-taken-over").await;
    let driver = if plan.driver == Driver::ConfigMap.as_str() {
        Driver::ConfigMap
    } else {
        Driver::Secret
    };
    for name in &plan.helm_records {
        helm_record_step(
            client,
            namespace,
            driver,
            name,
            release,
            plan.delete_helm_records,
        )
        .await?;
    }
    ImportMarker::delete(client, namespace, release).await?;
    Ok(out)
}

/// Labels one of Helm's records as imported (Helm keeps custom labels), or deletes it.
pub(super) async fn helm_record_step(
    client: &Client,
    namespace: &str,
    driver: Driver,
    name: &str,
    release: &str,
    delete: bool,
) -> Result<()> {
    let what = format!("{}/{name}", driver.kind());
    let patch = json!({"metadata": {"labels": {IMPORTED_TO: release}}});
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..Default::default()
    };
    let result = match (driver, delete) {
        (Driver::Secret, true) => Api::<Secret>::namespaced(client.clone(), namespace)
            .delete(name, &DeleteParams::default())
            .await
            .map(|_| ()),
        (Driver::ConfigMap, true) => Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .delete(name, &DeleteParams::default())
            .await
            .map(|_| ()),
        (Driver::Secret, false) => Api::<Secret>::namespaced(client.clone(), namespace)
            .patch(name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
        (Driver::ConfigMap, false) => Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .patch(name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(crate::cluster::apply::api_error(
            e,
            &format!(
                "{} Helm's record {what}",
                if delete { "deleting" } else { "labelling" }
            ),
        )),
    }
}
