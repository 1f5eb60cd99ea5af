//! Everything that talks to the API server: the connection, discovery, apply, readiness, delete.

pub mod apply;
pub mod crd;
pub mod discovery;
pub mod lock;
pub mod ownership;
pub mod readiness;
pub mod retry;
pub mod unions;
pub mod untouched;

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

/// Where the cluster settings come from, by kubectl's precedence: --kubeconfig, then every file
/// `$KUBECONFIG` lists, then `~/.kube/config`, then the in-cluster service account.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Flag(PathBuf),
    /// The listed files that exist, in order, and those that do not (kubectl skips those).
    Env {
        present: Vec<PathBuf>,
        missing: Vec<PathBuf>,
    },
    Home(PathBuf),
    InCluster,
}

impl Source {
    fn files(&self) -> Vec<&Path> {
        match self {
            Source::Flag(p) | Source::Home(p) => vec![p.as_path()],
            Source::Env { present, .. } => present.iter().map(PathBuf::as_path).collect(),
            Source::InCluster => vec![],
        }
    }

    fn describe(&self) -> String {
        match self {
            Source::Flag(p) | Source::Home(p) => format!("kubeconfig `{}`", p.display()),
            Source::Env { present, .. } => format!("$KUBECONFIG ({})", list_paths(present)),
            Source::InCluster => "the in-cluster service account".to_string(),
        }
    }

    /// A sentence on the $KUBECONFIG files that were skipped, for errors about what the others
    /// lack; empty when none was.
    fn skipped_note(&self) -> String {
        match self {
            Source::Env { missing, .. } if !missing.is_empty() => format!(
                " ($KUBECONFIG also lists {}, which {} not exist)",
                list_paths(missing),
                if missing.len() == 1 { "does" } else { "do" }
            ),
            _ => String::new(),
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a cluster connection comes from, following kubectl's rules; an error naming the file
/// when --kubeconfig or every `$KUBECONFIG` entry is missing, or when nothing is configured.
fn locate(flag: Option<&Path>) -> Result<Source> {
    if let Some(path) = flag {
        if !path.is_file() {
            bail!(
                "--kubeconfig `{}` {}; give the path of a kubeconfig file",
                path.display(),
                if path.exists() {
                    "is not a file"
                } else {
                    "does not exist"
                }
            );
        }
        return Ok(Source::Flag(path.to_path_buf()));
    }
    // A set $KUBECONFIG is the whole answer, as for kubectl: ~/.kube/config is not read then.
    if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let (present, missing): (Vec<PathBuf>, Vec<PathBuf>) = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .partition(|p| p.is_file());
        if present.is_empty() {
            bail!(
                "$KUBECONFIG lists {}, which {} not exist; fix the path, or unset KUBECONFIG to use ~/.kube/config",
                list_paths(&missing),
                if missing.len() == 1 { "does" } else { "do" }
            );
        }
        return Ok(Source::Env { present, missing });
    }
    if let Some(p) = home_kubeconfig() {
        return Ok(Source::Home(p));
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return Ok(Source::InCluster);
    }
    bail!(
        "this command needs a cluster connection, and none is configured: pass --kubeconfig FILE, set KUBECONFIG, or start the local cluster with `scripts/dev-cluster up` and `eval \"$(scripts/dev-cluster env)\"`"
    )
}

fn home_kubeconfig() -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os("HOME")?)
        .join(".kube")
        .join("config");
    p.is_file().then_some(p)
}

/// Reads and merges the files of `source` (kubectl's merge: the first file to set a value
/// wins); `None` for the in-cluster account.
fn read_kubeconfig(source: &Source) -> Result<Option<Kubeconfig>> {
    let mut merged: Option<Kubeconfig> = None;
    for p in source.files() {
        let kc = Kubeconfig::read_from(p)
            .with_context(|| format!("reading kubeconfig `{}`: it is not a valid kubeconfig; fix the file or point --kubeconfig elsewhere", p.display()))?;
        merged = Some(match merged {
            None => kc,
            Some(m) => m
                .merge(kc)
                .with_context(|| format!("merging the files of {}", source.describe()))?,
        });
    }
    Ok(merged)
}

/// The context to use must exist, and so must the cluster and user it names: kube's own errors
/// ("failed to load current context: nope") neither say where it looked nor what there is.
fn check_context(kc: &Kubeconfig, wanted: Option<&str>, source: &Source) -> Result<()> {
    let names: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
    let there_are = if names.is_empty() {
        "it defines no context".to_string()
    } else {
        format!(
            "contexts there: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let from = format!("{}{}", source.describe(), source.skipped_note());
    let (name, how) = match (wanted, kc.current_context.as_deref()) {
        (Some(name), _) => (name, "--context"),
        (None, Some(name)) if !name.is_empty() => (name, "the current context"),
        (None, _) => {
            bail!(
                "{from} sets no current context; pass --context NAME ({there_are}) or run `kubectl config use-context NAME`"
            );
        }
    };
    let Some(context) = kc.contexts.iter().find(|c| c.name == name) else {
        bail!("{how} `{name}` is not defined in {from}; {there_are}");
    };
    if let Some(ctx) = &context.context {
        if !kc.clusters.iter().any(|c| c.name == ctx.cluster) {
            bail!(
                "context `{name}` names cluster `{}`, which {from} does not define",
                ctx.cluster
            );
        }
        if let Some(user) = ctx.user.as_deref().filter(|u| !u.is_empty())
            && !kc.auth_infos.iter().any(|a| a.name == user)
        {
            bail!("context `{name}` names user `{user}`, which {from} does not define");
        }
    }
    Ok(())
}

/// One connection to an API server: its client, its URL, what it serves (the discovery
/// catalogue, filled on first use), and the UI its `-v` lines go to. Cheap to clone; clones
/// share the connections and the catalogue. Helm's kube client carries its logger the same way.
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    /// `https://127.0.0.1:6443`, without a trailing slash.
    server: String,
    discovery: std::sync::Arc<discovery::Cache>,
    ui: crate::ui::Ui,
}

impl Cluster {
    /// A connection over `client`; `server` names the API server in messages and keys the
    /// discovery cache on disk.
    pub fn new(client: Client, server: &str, ui: crate::ui::Ui) -> Cluster {
        Cluster {
            client,
            server: server.trim_end_matches('/').to_string(),
            discovery: Default::default(),
            ui,
        }
    }

    /// The API server's URL without a trailing slash, for messages about failing to reach it.
    pub fn server_url(&self) -> &str {
        &self.server
    }

    /// Where this connection's `-v` lines go.
    pub fn ui(&self) -> &crate::ui::Ui {
        &self.ui
    }
}

/// A connection to the cluster the flags name, logging to `ui`. Connecting is lazy in kube; this
/// only reads and checks the configuration.
pub async fn connect(conn: &Connection, ui: &crate::ui::Ui) -> Result<Cluster> {
    let source = locate(conn.kubeconfig.as_deref())?;
    for missing in match &source {
        Source::Env { missing, .. } => missing.as_slice(),
        _ => &[],
    } {
        ui.verbose(
            1,
            format!(
                "$KUBECONFIG lists `{}`, which does not exist; skipped",
                missing.display()
            ),
        );
    }
    let options = KubeConfigOptions {
        context: conn.context.clone(),
        ..Default::default()
    };
    let mut config = match read_kubeconfig(&source)? {
        Some(kc) => {
            check_context(&kc, conn.context.as_deref(), &source)?;
            Config::from_custom_kubeconfig(kc, &options)
                .await
                .with_context(|| format!("loading cluster settings from {}", source.describe()))?
        }
        None => {
            if let Some(name) = &conn.context {
                bail!(
                    "--context `{name}` needs a kubeconfig, and there is none: todoctl runs with the in-cluster service account here; drop --context or pass --kubeconfig FILE"
                );
            }
            Config::incluster().with_context(|| "loading the in-cluster configuration")?
        }
    };
    let server = config.cluster_url.to_string();
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
    let source = source.describe();
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
        .layer(tower::retry::RetryLayer::new(retry::TransientRetry::new(
            ui.clone(),
        )))
        .layer(tower::buffer::BufferLayer::new(1024))
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer().with_context(creating)?)
        .layer(config.extra_headers_layer().with_context(creating)?)
        .map_err(tower::BoxError::from)
        .service(http_client);
    let client =
        kube::client::ClientBuilder::new(service, config.default_namespace.clone()).build();
    Ok(Cluster::new(client, &server, ui.clone()))
}
