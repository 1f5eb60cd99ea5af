//! Maps apiVersion/kind to the REST resource that serves it, asking the API server once per
//! group-version per run, and tells what the cluster serves (for `capabilities`).

use std::collections::HashMap;

use anyhow::{Context, Result, anyhow};
use kube::Client;
use kube::core::GroupVersion;
use kube::discovery::{ApiCapabilities, ApiResource, Scope, pinned_group};
use tokio::sync::Mutex;

use crate::render::Capabilities;

/// A resource and whether it lives in a namespace.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// Per-run discovery cache.
pub struct Resolver {
    client: Client,
    groups: Mutex<HashMap<String, Vec<(ApiResource, ApiCapabilities)>>>,
}

impl Resolver {
    pub fn new(client: Client) -> Resolver {
        Resolver {
            client,
            groups: Mutex::new(HashMap::new()),
        }
    }

    /// The resource serving `kind` at `api_version`; an error names the kind and what to do when
    /// the cluster does not serve it (a CRD not installed, a removed API version).
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Resolved> {
        let mut groups = self.groups.lock().await;
        if !groups.contains_key(api_version) {
            let gv: GroupVersion = api_version
                .parse()
                .map_err(|_| anyhow!("`{api_version}` is not a valid apiVersion"))?;
            crate::ui::verbose(
                2,
                format!("discovery: asking which kinds `{api_version}` serves"),
            );
            let resources = match pinned_group(&self.client, &gv).await {
                Ok(group) => group.versioned_resources(&gv.version),
                Err(kube::Error::Api(s)) if s.code == 404 => Vec::new(),
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("asking the API server which kinds `{api_version}` serves")
                    });
                }
            };
            groups.insert(api_version.to_string(), resources);
        }
        let found = groups
            .get(api_version)
            .and_then(|rs| rs.iter().find(|(r, _)| r.kind == kind));
        match found {
            Some((resource, caps)) => Ok(Resolved {
                resource: resource.clone(),
                namespaced: caps.scope == Scope::Namespaced,
            }),
            None => Err(anyhow!(
                "the cluster does not serve `{kind}` in `{api_version}`; install the CustomResourceDefinition that defines it, or use an apiVersion this cluster serves (`kubectl api-resources` lists them)"
            )),
        }
    }
}

/// What the cluster serves, for templates: its version and every group/version.
pub async fn capabilities(client: &Client) -> Result<Capabilities> {
    let version = client
        .apiserver_version()
        .await
        .context("asking the API server for its version")?;
    let groups = client
        .list_api_groups()
        .await
        .context("listing the API groups the cluster serves")?;
    let mut api_versions = vec!["v1".to_string()];
    for g in groups.groups {
        for v in g.versions {
            api_versions.push(v.group_version);
        }
    }
    Ok(Capabilities {
        kube_version: version.git_version,
        api_versions,
    })
}
