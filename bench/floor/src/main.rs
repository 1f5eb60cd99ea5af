//! The floor for `bench/compare`: reads rendered objects (YAML documents, in apply order) and
//! server-side-applies them into one namespace with a fixed concurrency. No discovery (kinds
//! map to resources by the usual plural), no ownership check, no records, no waiting.
//!
//! Usage: floor FILE NAMESPACE CONCURRENCY

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, namespace, concurrency] = args.as_slice() else {
        bail!("usage: floor FILE NAMESPACE CONCURRENCY");
    };
    let concurrency: usize = concurrency.parse().context("CONCURRENCY is a number")?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    // The parser's default budget stops at 1,024 documents; the scale bench applies 5,000.
    let mut options = serde_saphyr::Options::default();
    if let Some(budget) = options.budget.as_mut() {
        budget.max_documents = 65_536;
    }
    let objects: Vec<Value> = serde_saphyr::from_multiple_with_options::<Value>(&text, options)?
        .into_iter()
        .filter(|v| v.is_object())
        .collect();
    let client = kube::Client::try_default().await?;
    let params = PatchParams::apply("floor");
    futures::stream::iter(objects.into_iter().map(|mut obj| {
        let client = client.clone();
        let params = params.clone();
        let namespace = namespace.clone();
        async move {
            let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = obj["kind"].as_str().unwrap_or_default().to_string();
            let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
            let resource = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, &kind));
            obj["metadata"]["namespace"] = Value::String(namespace.clone());
            let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let api: Api<DynamicObject> = Api::namespaced_with(client, &namespace, &resource);
            api.patch(&name, &params, &Patch::Apply(&obj))
                .await
                .with_context(|| format!("applying {kind}/{name}"))?;
            Ok::<_, anyhow::Error>(())
        }
    }))
    .buffer_unordered(concurrency)
    .try_collect::<Vec<()>>()
    .await?;
    Ok(())
}
