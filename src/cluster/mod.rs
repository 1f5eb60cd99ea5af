//! Everything that talks to the API server: the connection, discovery, apply, readiness, delete.

pub mod apply;
pub mod crd;
pub mod discovery;
pub mod lock;
pub mod readiness;
pub mod retry;
pub mod unions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// How to reach the cluster, from the global flags.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

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
    let listed = kubeconfig_env_paths();
    if let Some(first) = listed.first() {
        return Ok(format!("$KUBECONFIG (`{}`)", first.display()));
    }
    if let Some(p) = home_kubeconfig() {
        return Ok(format!("kubeconfig `{}`", p.display()));
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return Ok("the in-cluster service account".to_string());
    }
    bail!(
        "this command needs a cluster connection, and none is configured: pass --kubeconfig FILE, set KUBECONFIG, or start the local cluster with `scripts/dev-cluster up` and `eval \"$(scripts/dev-cluster env)\"`"
    )
}

fn kubeconfig_env_paths() -> Vec<PathBuf> {
    std::env::var_os("KUBECONFIG")
        .filter(|v| !v.is_empty())
        .map(|v| std::env::split_paths(&v).filter(|p| p.is_file()).collect())
        .unwrap_or_default()
}

fn home_kubeconfig() -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os("HOME")?)
        .join(".kube")
        .join("config");
    p.is_file().then_some(p)
}

/// The API server the last `connect` pointed at, for messages about failing to reach it.
static SERVER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn server_url() -> Option<&'static str> {
    SERVER.get().map(String::as_str)
}

/// A client for the cluster the flags name. Connecting is lazy in kube; this only reads and
/// checks the configuration.
pub async fn connect(conn: &Connection) -> Result<Client> {
    let source = find_kubeconfig(conn.kubeconfig.as_deref())?;
    let options = KubeConfigOptions {
        context: conn.context.clone(),
        ..Default::default()
    };
    let kubeconfig = if let Some(path) = &conn.kubeconfig {
        Some(
            Kubeconfig::read_from(path)
                .with_context(|| format!("reading kubeconfig `{}`", path.display()))?,
        )
    } else {
        let listed = kubeconfig_env_paths();
        if listed.is_empty() {
            home_kubeconfig()
                .map(|p| {
                    Kubeconfig::read_from(&p)
                        .with_context(|| format!("reading kubeconfig `{}`", p.display()))
                })
                .transpose()?
        } else {
            let mut merged: Option<Kubeconfig> = None;
            for p in &listed {
                let kc = Kubeconfig::read_from(p).with_context(|| {
                    format!("reading kubeconfig `{}` from $KUBECONFIG", p.display())
                })?;
                merged = Some(match merged {
                    None => kc,
                    Some(m) => m
                        .merge(kc)
                        .with_context(|| "merging the $KUBECONFIG files")?,
                });
            }
            merged
        }
    };
    let mut config = match kubeconfig {
        Some(kc) => Config::from_custom_kubeconfig(kc, &options)
            .await
            .with_context(|| format!("loading cluster settings from {source}"))?,
        None => Config::incluster().with_context(|| "loading the in-cluster configuration")?,
    };
    let _ = SERVER.set(config.cluster_url.to_string());
    discovery::set_cluster_url(&config.cluster_url.to_string());
    config.connect_timeout = Some(Duration::from_secs(10));
    config.read_timeout = Some(Duration::from_secs(60));
    // Our retry layer covers what kube's own (429, 503, 504 only) does, and connection failures.
    config.default_retry = false;
    // kube's own client stack (`ClientBuilder::try_from`) with one difference: TCP_NODELAY on.
    // hyper leaves Nagle's algorithm on, and then a request written right after a TLS
    // handshake waits for the server's delayed ACK, 40 ms, on every new connection; concurrent
    // requests open one each. Nothing else is lost: todoctl enables neither kube's HTTP proxy
    // nor its gzip support.
    use kube::client::ConfigExt;
    let creating = || format!("creating a client for {source}");
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = config
        .rustls_https_connector_with_connector(http)
        .with_context(creating)?;
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let http_client =
        hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
            .build::<_, kube::client::Body>(connector);
    let service = tower::ServiceBuilder::new()
        .layer(tower::retry::RetryLayer::new(
            retry::TransientRetry::default(),
        ))
        .layer(tower::buffer::BufferLayer::new(1024))
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer().with_context(creating)?)
        .layer(config.extra_headers_layer().with_context(creating)?)
        .map_err(tower::BoxError::from)
        .service(http_client);
    Ok(kube::client::ClientBuilder::new(service, config.default_namespace.clone()).build())
}
