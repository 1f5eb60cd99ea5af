//! The refusals an import makes before it writes anything: a todoctl release of that name, a
//! Helm release that is not there, one already imported, records that moved since they were read.

use super::*;

pub(super) fn refuse_existing(history: &History, opts: &ImportOptions) -> Result<()> {
    if history.releases.is_empty() && history.broken.is_empty() {
        return Ok(());
    }
    Err(Error::anyhow(
        Kind::Conflict,
        format!(
            "todoctl release `{}` already exists in namespace `{}` ({}); nothing was imported. Import under another name with `-r NAME`, or remove it first with `todoctl uninstall {} -n {}` (its records go with it)",
            opts.release,
            opts.namespace,
            crate::ui::plural(history.releases.len() + history.broken.len(), "revision"),
            opts.release,
            opts.namespace
        ),
    ))
}

/// Refuses the import when Helm's records of the release are no longer those read before the
/// lock: a Helm operation in between (an upgrade writes a record and supersedes another, a
/// rollback too, `--history-max` deletes one) would otherwise be imported as it was before.
/// One metadata LIST.
pub(super) async fn refuse_moved(
    client: &Client,
    stored: &[StoredRecord],
    opts: &ImportOptions,
) -> Result<()> {
    let live =
        helm::record_versions(client, &opts.namespace, opts.driver, &opts.helm_release).await?;
    let mut read: Vec<(String, String)> = stored
        .iter()
        .map(|s| {
            let version = s
                .raw
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str);
            (
                s.object_name.clone(),
                version.unwrap_or_default().to_string(),
            )
        })
        .collect();
    read.sort();
    if live == read {
        return Ok(());
    }
    let kind = opts.driver.kind();
    let mut moved = Vec::new();
    for (name, version) in &live {
        match read.iter().find(|(n, _)| n == name) {
            None => moved.push(format!("{kind}/{name} was written")),
            Some((_, v)) if v != version => moved.push(format!("{kind}/{name} changed")),
            Some(_) => {}
        }
    }
    for (name, _) in &read {
        if !live.iter().any(|(n, _)| n == name) {
            moved.push(format!("{kind}/{name} was deleted"));
        }
    }
    Err(Error::anyhow(
        Kind::Conflict,
        format!(
            "Helm release `{}` in namespace `{}` changed while it was being imported ({}): a Helm operation ran in between; nothing was imported. Run the import again when Helm is done (`helm history {} -n {}`)",
            opts.helm_release,
            opts.namespace,
            moved.join(", "),
            opts.helm_release,
            opts.namespace
        ),
    ))
}

/// Refuses Helm records an earlier import labelled [`IMPORTED_TO`]: their objects belong to
/// that todoctl release now, and importing them again (under another `-r` name) would take
/// them from it.
pub(super) fn refuse_imported(stored: &[StoredRecord], opts: &ImportOptions) -> Result<()> {
    let Some((record, into)) = stored.iter().find_map(|s| {
        let into = s.raw.get("metadata")?.get("labels")?.get(IMPORTED_TO)?;
        Some((s, into.as_str().unwrap_or_default()))
    }) else {
        return Ok(());
    };
    Err(Error::anyhow(
        Kind::Conflict,
        format!(
            "Helm release `{}` in namespace `{}` was already imported into todoctl release `{into}` ({} is labelled `{IMPORTED_TO}={into}`); nothing was imported. Its objects belong to `{into}`: manage them with `todoctl status {into} -n {}`. To import the Helm release again, uninstall `{into}` first, then remove the label (`kubectl label {}s -l owner=helm,name={} {IMPORTED_TO}- -n {}`)",
            opts.helm_release,
            opts.namespace,
            record.reference(),
            opts.namespace,
            opts.driver.kind(),
            opts.helm_release,
            opts.namespace,
        ),
    ))
}

pub(super) async fn not_found(client: &Client, opts: &ImportOptions) -> anyhow::Error {
    let here = helm::release_names(client, Some(&opts.namespace), opts.driver, None)
        .await
        .unwrap_or_default();
    let elsewhere = helm::release_names(client, None, opts.driver, Some(&opts.helm_release))
        .await
        .unwrap_or_default();
    let other = match opts.driver {
        Driver::Secret => Driver::ConfigMap,
        Driver::ConfigMap => Driver::Secret,
    };
    let other_driver = helm::release_names(
        client,
        Some(&opts.namespace),
        other,
        Some(&opts.helm_release),
    )
    .await
    .unwrap_or_default();
    let mut hints = Vec::new();
    if !other_driver.is_empty() {
        hints.push(format!(
            "its records are in {}s: pass --helm-driver {}",
            other.kind(),
            other.as_str()
        ));
    }
    if !elsewhere.is_empty() {
        hints.push(format!(
            "a Helm release of that name is in namespace {}: pass -n",
            elsewhere
                .iter()
                .map(|(ns, _)| format!("`{ns}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let listed = if here.is_empty() {
        format!(
            "namespace `{}` has no Helm releases ({} driver)",
            opts.namespace,
            opts.driver.as_str()
        )
    } else {
        format!(
            "the Helm releases in namespace `{}` are {}",
            opts.namespace,
            here.iter()
                .map(|(_, n)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let hint = if hints.is_empty() {
        String::new()
    } else {
        format!("; {}", hints.join("; "))
    };
    Error::anyhow(
        Kind::NotFound,
        format!(
            "Helm release `{}` not found in namespace `{}` (no {}s labelled `owner=helm,name={}`); {listed}{hint}; nothing was imported",
            opts.helm_release,
            opts.namespace,
            opts.driver.kind(),
            opts.helm_release
        ),
    )
}
