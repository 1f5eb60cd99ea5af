//! CustomResourceDefinitions applied by a release: before any object of their kind is applied
//! (or checked), each must be `Established` and its kind present in discovery. The API server
//! accepts the CRD at once but serves its kind only once the CRD controller established it,
//! and its discovery documents follow a moment later; kubectl's `wait --for
//! condition=established` plus a discovery refresh is the same sequence.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;

use super::Cluster;
use super::apply::api_error;
use crate::manifest::Object;

/// How long a CRD may take to be established when the caller gave no wait budget. The API
/// server establishes a CRD in well under a second; this bounds a stuck one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

const POLL: Duration = Duration::from_millis(100);

/// Waits until every CRD among `objects` is established and the cluster serves each of its
/// served versions; returns at once when there is none. The error names the CRD and its
/// condition (`NamesAccepted` false: another CRD holds the name).
pub async fn wait_served(cluster: &Cluster, objects: &[&Object], timeout: Duration) -> Result<()> {
    let crds: Vec<&Object> = objects
        .iter()
        .copied()
        .filter(|o| o.kind() == "CustomResourceDefinition")
        .collect();
    if crds.is_empty() {
        return Ok(());
    }
    let deadline = Instant::now() + timeout;
    let api: Api<CustomResourceDefinition> = Api::all(cluster.client.clone());
    for crd in &crds {
        let name = crd.name();
        loop {
            let live = api
                .get_opt(name)
                .await
                .map_err(|e| api_error(e, &format!("reading customresourcedefinition/{name}")))?;
            let conditions = live
                .as_ref()
                .and_then(|c| c.status.as_ref())
                .and_then(|s| s.conditions.clone())
                .unwrap_or_default();
            if conditions
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
            {
                break;
            }
            if Instant::now() >= deadline {
                let why = conditions
                    .iter()
                    .filter(|c| c.status != "True")
                    .map(|c| {
                        format!(
                            "{} is {}: {}",
                            c.type_,
                            c.status,
                            c.message.as_deref().unwrap_or("no message")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(anyhow!(
                    "customresourcedefinition/{name} ({}) was not established within {}s{}; `kubectl describe crd {name}` shows why",
                    crd.template,
                    timeout.as_secs(),
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({why})")
                    }
                ));
            }
            tokio::time::sleep(POLL).await;
        }
        cluster
            .ui()
            .verbose(1, format!("customresourcedefinition/{name} is established"));
    }

    // Established, but discovery may lag: ask again until every served version is listed.
    for crd in &crds {
        let group = crd
            .data
            .pointer("/spec/group")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let kind = crd
            .data
            .pointer("/spec/names/kind")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let versions: Vec<&str> = crd
            .data
            .pointer("/spec/versions")
            .and_then(|v| v.as_array())
            .map(|vs| {
                vs.iter()
                    .filter(|v| v.get("served").and_then(|s| s.as_bool()) != Some(false))
                    .filter_map(|v| v.get("name").and_then(|n| n.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        for version in versions {
            let api_version = format!("{group}/{version}");
            loop {
                match cluster.resolve(&api_version, kind).await {
                    Ok(_) => break,
                    Err(e) if Instant::now() >= deadline => {
                        return Err(e.context(format!(
                            "customresourcedefinition/{} is established but the API server does not list `{kind}` in `{api_version}` yet",
                            crd.name()
                        )));
                    }
                    Err(_) => tokio::time::sleep(POLL).await,
                }
            }
        }
    }
    Ok(())
}
