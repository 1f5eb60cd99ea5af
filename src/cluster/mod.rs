//! Everything that talks to the API server: the connection, discovery, apply, readiness, delete.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Where a cluster connection would come from, following kubectl's rules: --kubeconfig, then
/// $KUBECONFIG (a list), then ~/.kube/config, then the in-cluster service account.
pub fn find_kubeconfig(flag: Option<&Path>) -> Result<String> {
    if let Some(path) = flag {
        if !path.is_file() {
            bail!(
                "--kubeconfig `{}` does not exist; give the path of a kubeconfig file",
                path.display()
            );
        }
        return Ok(format!("kubeconfig `{}`", path.display()));
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let found: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| p.is_file())
            .collect();
        if !found.is_empty() {
            return Ok(format!("$KUBECONFIG (`{}`)", found[0].display()));
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = PathBuf::from(home).join(".kube").join("config");
        if p.is_file() {
            return Ok(format!("kubeconfig `{}`", p.display()));
        }
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return Ok("the in-cluster service account".to_string());
    }
    bail!(
        "this command needs a cluster connection, and none is configured: pass --kubeconfig FILE, set KUBECONFIG, or start the local cluster with `scripts/dev-cluster up` and `eval \"$(scripts/dev-cluster env)\"`"
    )
}
