//! The cluster harness: finds the local test cluster and hands out throwaway namespaces and
//! admin clients. Tests that need no cluster never touch it; tests run todoctl through
//! `command::Todoctl`, and most start from `command::TestEnv`.
//!
//! A cluster test starts like this and runs on a multi-threaded runtime (the namespace cleanup
//! and the kube client's background tasks must not starve a single-threaded one):
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread")]
//! async fn installs_the_app() -> anyhow::Result<()> {
//!     let Some(env) = TestEnv::new("install").await? else { return Ok(()) };
//!     env.todoctl().args(["install"]).run().success();
//!     Ok(())
//! }
//! ```
//!
//! Where the cluster comes from: `TODOCTL_TEST_KUBECONFIG` (set by `scripts/test`), else the
//! kubeconfig of `scripts/dev-cluster up` if that cluster answers. Without either, the test is
//! skipped with one line on stderr, unless `TODOCTL_REQUIRE_CLUSTER=1` (also set by
//! `scripts/test`), which turns the skip into a failure. `TODOCTL_TEST_KEEP_NAMESPACES=1` keeps
//! the namespaces for a look after the run; they carry the label `todoctl.test/harness=true`.

// Each test module uses only part of this API.
#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use kube::api::{DeleteParams, ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};

/// The name of the fake node that KWOK runs in the test cluster.
pub const NODE_NAME: &str = "kwok-node-0";

/// Label put on every namespace the harness creates.
pub const NAMESPACE_LABEL: &str = "todoctl.test/harness";

/// A running test cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub kubeconfig: PathBuf,
}

/// The test cluster, or `None` (after one line on stderr) when there is none and none is
/// required. Panics when `TODOCTL_REQUIRE_CLUSTER=1` and no cluster answers.
pub fn cluster() -> Option<Cluster> {
    match find_cluster() {
        Ok(cluster) => Some(cluster),
        Err(why) => {
            let test = std::thread::current()
                .name()
                .unwrap_or("cluster test")
                .to_string();
            if std::env::var("TODOCTL_REQUIRE_CLUSTER").is_ok_and(|v| v == "1") {
                panic!("{test}: no test cluster ({why}) and TODOCTL_REQUIRE_CLUSTER=1");
            }
            // Straight to the process's stderr: libtest captures `eprintln!` of passing
            // tests, and a skip should be visible.
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test}: no test cluster (run scripts/dev-cluster up or scripts/test)"
            );
            None
        }
    }
}

fn find_cluster() -> Result<Cluster> {
    let kubeconfig = match std::env::var_os("TODOCTL_TEST_KUBECONFIG") {
        Some(path) => PathBuf::from(path),
        None => dev_cluster_kubeconfig().context("no home directory to look for one in")?,
    };
    if !kubeconfig.is_file() {
        bail!("no kubeconfig at {}", kubeconfig.display());
    }
    answers(&kubeconfig)?;
    Ok(Cluster { kubeconfig })
}

/// Where `scripts/dev-cluster` writes its kubeconfig (keep in step with that script).
fn dev_cluster_kubeconfig() -> Option<PathBuf> {
    let dir = match std::env::var_os("TODOCTL_CLUSTER_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let cache = match std::env::var_os("XDG_CACHE_HOME") {
                Some(dir) => PathBuf::from(dir),
                None => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
            };
            cache.join("todoctl").join("cluster")
        }
    };
    Some(dir.join("kubeconfig"))
}

/// A cheap, synchronous "is anyone there": a TCP connect to the current context's server.
/// `cluster()` runs inside async tests, where blocking on a real request is not allowed.
fn answers(kubeconfig: &Path) -> Result<()> {
    let kc = Kubeconfig::read_from(kubeconfig)
        .with_context(|| format!("reading {}", kubeconfig.display()))?;
    let context = kc.current_context.as_deref().unwrap_or_default();
    let cluster_name = kc
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone())
        .with_context(|| format!("no current context in {}", kubeconfig.display()))?;
    let server = kc
        .clusters
        .iter()
        .find(|c| c.name == cluster_name)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .with_context(|| format!("no server for `{cluster_name}`"))?;
    let addr = server_addr(&server)
        .and_then(|hostport| hostport.to_socket_addrs().ok()?.next())
        .with_context(|| format!("cannot resolve server `{server}`"))?;
    TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .with_context(|| format!("{server} does not answer"))?;
    Ok(())
}

/// `https://host:port/path` -> `host:port` (443 when no port is given).
fn server_addr(server: &str) -> Option<String> {
    let rest = server
        .strip_prefix("https://")
        .or_else(|| server.strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    let has_port = match authority.rfind(']') {
        Some(bracket) => authority[bracket..].contains(':'),
        None => authority.contains(':'),
    };
    Some(if has_port {
        authority.to_string()
    } else {
        format!("{authority}:443")
    })
}

impl Cluster {
    /// A client for the cluster (admin rights).
    pub async fn client(&self) -> Client {
        client_for(&self.kubeconfig)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test cluster: {e:#}"))
    }

    /// A fresh namespace named `<prefix>-<unique suffix>`, deleted (in the background) when the
    /// returned value is dropped. Waits for its `default` ServiceAccount, without which the API
    /// server rejects pods.
    pub async fn namespace(&self, prefix: &str) -> Result<TestNamespace> {
        let client = self.client().await;
        let name = unique_name(prefix);
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some([(NAMESPACE_LABEL.to_string(), "true".to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .with_context(|| format!("creating namespace `{name}`"))?;
        let namespace = TestNamespace {
            name: name.clone(),
            kubeconfig: self.kubeconfig.clone(),
        };
        let accounts = Api::<ServiceAccount>::namespaced(client, &name);
        wait_for(
            &format!("serviceaccount/default in namespace `{name}`"),
            Duration::from_secs(60),
            || async { Ok(accounts.get_opt("default").await?.map(|_| ())) },
        )
        .await?;
        Ok(namespace)
    }
}

async fn client_for(kubeconfig: &Path) -> Result<Client> {
    let kc = Kubeconfig::read_from(kubeconfig)
        .with_context(|| format!("reading {}", kubeconfig.display()))?;
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .with_context(|| format!("loading {}", kubeconfig.display()))?;
    Client::try_from(config).context("building the client")
}

/// `<prefix>-<pid><counter>-<time>`, lowercased and cut to a valid namespace name.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut clean: String = prefix
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    clean = clean.trim_matches('-').to_string();
    if clean.is_empty() {
        clean.push_str("test");
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{clean}-{:x}{n}-{:x}", std::process::id(), nanos % 0xfffff)
}

/// A namespace owned by one test; see [`Cluster::namespace`].
#[derive(Debug)]
pub struct TestNamespace {
    name: String,
    kubeconfig: PathBuf,
}

impl TestNamespace {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestNamespace {
    /// Asks the API server to delete the namespace and returns once it accepted (at most a few
    /// seconds); the namespace controller removes the contents afterwards. Runs on its own
    /// thread and runtime: drop may happen inside or outside the test's runtime.
    fn drop(&mut self) {
        if std::env::var("TODOCTL_TEST_KEEP_NAMESPACES").is_ok_and(|v| v == "1") {
            eprintln!("keeping namespace {}", self.name);
            return;
        }
        let name = self.name.clone();
        let kubeconfig = self.kubeconfig.clone();
        let (done, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|rt| {
                    rt.block_on(async {
                        let client = client_for(&kubeconfig).await?;
                        Api::<Namespace>::all(client)
                            .delete(&name, &DeleteParams::background())
                            .await?;
                        anyhow::Ok(())
                    })
                });
            if let Err(e) = result {
                eprintln!("could not delete test namespace {name}: {e:#}");
            }
            let _ = done.send(());
        });
        let _ = wait.recv_timeout(Duration::from_secs(5));
    }
}

/// Polls `check` every 250 ms until it returns `Ok(Some(value))`, for at most `timeout`. An `Err`
/// from `check` ends the wait at once. The timeout error names `what`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if start.elapsed() >= timeout {
            bail!("timed out after {}s waiting for {what}", timeout.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
