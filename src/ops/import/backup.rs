//! The backup of Helm's records: a file only the user can read, written before anything else,
//! never over an earlier one.

use super::*;

/// Writes Helm's records, as objects `kubectl create -f` restores, to a file only the user
/// can read (they hold the release's values). Returns its path.
pub(super) fn write_backup(
    stored: &[StoredRecord],
    opts: &ImportOptions,
    ctx: &Context,
) -> Result<PathBuf> {
    let items: Vec<Value> = stored
        .iter()
        .map(|s| {
            let mut o = s.raw.clone();
            if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                for k in [
                    "managedFields",
                    "resourceVersion",
                    "uid",
                    "creationTimestamp",
                    "generation",
                ] {
                    meta.remove(k);
                }
            }
            o
        })
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    let stamp = ctx.clock.now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let stem = format!(
        "helm-records-{}-{}-{stamp}",
        opts.namespace, opts.helm_release
    );
    let text = crate::yaml::to_string(&list).map_err(|e| anyhow::anyhow!("writing YAML: {e}"))?;
    // A backup is never overwritten: one written in the same second (an import refused after
    // its backup, run again) keeps its file, and this one gets the next free `-N`.
    for n in 1..=BACKUPS_PER_SECOND {
        let path = opts.backup_dir.join(if n == 1 {
            format!("{stem}.yaml")
        } else {
            format!("{stem}-{n}.yaml")
        });
        match write_private(&path, text.as_bytes()) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "writing the backup of Helm's records to {} (choose another directory with --backup-dir); nothing was imported",
                        path.display()
                    )
                });
            }
        }
    }
    bail!(
        "writing the backup of Helm's records: {} already holds {BACKUPS_PER_SECOND} backups named {stem}[-N].yaml; choose another directory with --backup-dir; nothing was imported",
        opts.backup_dir.display()
    )
}

/// How many backups of one Helm release one second can name (`-2` ... `-N` after the first).
pub(super) const BACKUPS_PER_SECOND: usize = 100;

pub(super) fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
