//! Maps apiVersion/kind to the REST resource that serves it, and tells what the cluster serves
//! (for `capabilities`). One catalogue per connection ([`Cluster`]), from aggregated discovery
//! (two requests on Kubernetes 1.30+), kept on disk between runs as kubectl keeps its discovery
//! cache.
//!
//! The disk cache lives in `~/.cache/todoctl/discovery/<cluster>/<server version>.json` and is
//! trusted for [`CACHE_TTL`]. A kind missing from it (a CRD applied since) triggers one fresh
//! discovery before todoctl says the cluster does not serve it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow};
use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::core::GroupVersion;
use kube::discovery::{ApiResource, Discovery, Scope};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::Cluster;
use crate::render::Capabilities;

/// How long a catalogue on disk is trusted without asking the API server (kubectl: 6 hours).
pub const CACHE_TTL: Duration = Duration::from_secs(6 * 3600);

/// A resource and whether it lives in a namespace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resolved {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// Everything discovery tells: the server version, every served group/version, every kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Catalog {
    kube_version: String,
    api_versions: Vec<String>,
    resources: Vec<Resolved>,
    /// Discovered from the API server by this process (not read from the disk cache): as
    /// current as a live check of what it serves would be.
    #[serde(skip)]
    live: bool,
}

impl Catalog {
    fn find(&self, api_version: &str, kind: &str) -> Option<&Resolved> {
        self.resources
            .iter()
            .find(|r| r.resource.api_version == api_version && r.resource.kind == kind)
    }
}

/// A connection's catalogue and the cluster's identity, shared by its clones; empty until
/// first asked.
#[derive(Default)]
pub(super) struct Cache {
    state: Mutex<State>,
    /// The UID of namespace `kube-system`, once read; see [`Cluster::kube_system_uid`].
    kube_system_uid: tokio::sync::OnceCell<Option<String>>,
}

#[derive(Default)]
struct State {
    catalog: Option<Arc<Catalog>>,
}

/// The catalogue: from memory, else from disk if fresh, else from the API server. `stale`
/// names a catalogue that lacked a kind: unless another task replaced it meanwhile, ask the API
/// server again (so concurrent misses cost one discovery, not one each).
async fn catalog(cluster: &Cluster, stale: Option<&Arc<Catalog>>) -> Result<Arc<Catalog>> {
    let client = &cluster.client;
    let mut st = cluster.discovery.state.lock().await;
    if let Some(c) = &st.catalog
        && stale.is_none_or(|s| !Arc::ptr_eq(s, c))
    {
        return Ok(c.clone());
    }
    let refresh = stale.is_some();
    let version = match &st.catalog {
        Some(c) => c.kube_version.clone(),
        None => {
            client
                .apiserver_version()
                .await
                .context("asking the API server for its version")?
                .git_version
        }
    };
    let file = cache_dir(cluster).map(|d| d.join(format!("{}.json", sanitize(&version))));
    if !refresh
        && let Some(c) = file.as_deref().and_then(load)
        && c.kube_version == version
    {
        cluster
            .ui
            .verbose(2, "discovery: using the cached catalogue");
        let c = Arc::new(c);
        st.catalog = Some(c.clone());
        return Ok(c);
    }
    cluster
        .ui
        .verbose(2, "discovery: asking the API server what it serves");
    let c = Arc::new(discover(client, version).await?);
    if let Some(f) = &file {
        store(f, &c);
    }
    st.catalog = Some(c.clone());
    Ok(c)
}

/// Aggregated discovery (`/api` and `/apis`, two requests), or one request per group-version
/// on clusters older than 1.30 (or when an aggregated API is broken).
async fn discover(client: &kube::Client, kube_version: String) -> Result<Catalog> {
    let discovery = match Discovery::new(client.clone()).run_aggregated().await {
        Ok(d) => d,
        Err(_) => Discovery::new(client.clone())
            .run()
            .await
            .context("asking the API server which kinds it serves")?,
    };
    let mut api_versions = vec!["v1".to_string()];
    let mut resources = Vec::new();
    for group in discovery.groups() {
        for version in group.versions() {
            let gv = if group.name().is_empty() {
                version.to_string()
            } else {
                format!("{}/{version}", group.name())
            };
            if !api_versions.contains(&gv) {
                api_versions.push(gv);
            }
            for (resource, caps) in group.versioned_resources(version) {
                resources.push(Resolved {
                    resource,
                    namespaced: caps.scope == Scope::Namespaced,
                });
            }
        }
    }
    Ok(Catalog {
        kube_version,
        api_versions,
        resources,
        live: true,
    })
}

/// `<cache>/todoctl/discovery/<host_port>`, keyed by the cluster's URL; `None` when there is
/// no cache directory (no `XDG_CACHE_HOME` or `HOME`).
fn cache_dir(cluster: &Cluster) -> Option<PathBuf> {
    let key = cluster
        .server_url()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("todoctl").join("discovery").join(sanitize(key)))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn load(path: &std::path::Path) -> Option<Catalog> {
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())?;
    if age > CACHE_TTL {
        return None;
    }
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Best effort: a cache that cannot be written only costs the next run two requests.
fn store(path: &std::path::Path, catalog: &Catalog) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(catalog) else {
        return;
    };
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

impl Cluster {
    /// The resource serving `kind` at `api_version`; an error names the kind and what to do when
    /// the cluster does not serve it (a CRD not installed, a removed API version).
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Resolved> {
        self.served(api_version, kind).await?.ok_or_else(|| {
            anyhow!(
                "the cluster does not serve `{kind}` in `{api_version}`; install the CustomResourceDefinition that defines it, or use an apiVersion this cluster serves (`kubectl api-resources` lists them)"
            )
        })
    }

    /// The resource serving `kind` at `api_version`, or `None` when the cluster does not serve
    /// it (its CRD deleted, its API version removed), for a reader to whom that means every
    /// object of the kind is gone. Errors: an invalid apiVersion, a failed discovery.
    pub async fn served(&self, api_version: &str, kind: &str) -> Result<Option<Resolved>> {
        let _: GroupVersion = api_version
            .parse()
            .map_err(|_| anyhow!("`{api_version}` is not a valid apiVersion"))?;
        let known = catalog(self, None).await?;
        if let Some(r) = known.find(api_version, kind) {
            return Ok(Some(r.clone()));
        }
        // The kind may be new since the catalogue was made (a CRD applied): ask again.
        let fresh = catalog(self, Some(&known)).await?;
        Ok(fresh.find(api_version, kind).cloned())
    }

    /// The UID of namespace `kube-system`, which names the cluster whatever address reaches
    /// it: read once per connection (a GET of its metadata). `None` when the credentials may
    /// not read it (403). Errors: any other failure of the read, named.
    pub async fn kube_system_uid(&self) -> Result<Option<String>> {
        self.discovery
            .kube_system_uid
            .get_or_try_init(|| async {
                let api: Api<Namespace> = Api::all(self.client.clone());
                match api.get_metadata_opt("kube-system").await {
                    Ok(ns) => Ok(ns.and_then(|n| n.metadata.uid)),
                    Err(kube::Error::Api(s)) if s.code == 403 => Ok(None),
                    Err(e) => Err(super::apply::api_error(
                        e,
                        "reading namespace `kube-system` to identify the cluster",
                    )),
                }
            })
            .await
            .cloned()
    }

    /// What the cluster serves, for templates: its version and every group/version.
    pub async fn capabilities(&self) -> Result<Capabilities> {
        let client = &self.client;
        let mut c = catalog(self, None).await?;
        // Templates branch on what the cluster serves right now (a CRD installed a minute ago), so a
        // catalogue from the disk cache is checked against the live list of groups: one cheap
        // request. One this process just discovered is that list already.
        if !c.live {
            let groups = client
                .list_api_groups()
                .await
                .context("listing the API groups the cluster serves")?;
            let live: std::collections::BTreeSet<String> = groups
                .groups
                .iter()
                .flat_map(|g| g.versions.iter().map(|v| v.group_version.clone()))
                .collect();
            let cached: std::collections::BTreeSet<String> = c
                .api_versions
                .iter()
                .filter(|v| v.contains('/'))
                .cloned()
                .collect();
            if live != cached {
                self.ui.verbose(
                    2,
                    "discovery: the served API groups changed; discovering again",
                );
                c = catalog(self, Some(&c)).await?;
            }
        }
        Ok(Capabilities {
            kube_version: c.kube_version.clone(),
            api_versions: c.api_versions.clone(),
        })
    }
}
