//! `version`: todoctl's own version, the built-in chart's, and the API server's when one answers.

use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::chart::Chart;
use crate::cluster::Connection;
use crate::ui::Ui;

/// How long `version` waits for the API server before reporting it unreachable: long enough
/// for a remote cluster's TLS handshake, short enough that a stopped one does not hold up a
/// question about versions.
pub const SERVER_TIMEOUT: Duration = Duration::from_secs(3);

/// Every version `todoctl version` reports.
#[derive(Debug, Clone, Serialize)]
pub struct VersionReport {
    /// todoctl's version ([`crate::release::TODOCTL_VERSION`]).
    pub todoctl: String,
    /// The chart built into this todoctl.
    pub chart: ChartVersion,
    /// The API server; `None` when not asked (`--client`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerVersion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChartVersion {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
}

/// What the API server said about itself, or why it said nothing.
#[derive(Debug, Clone, Serialize)]
pub struct ServerVersion {
    pub reachable: bool,
    /// `v1.35.4`, as the server reports its `gitVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `linux/amd64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The server's URL, when a kubeconfig names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Why there is no version: no kubeconfig, a refused connection, the timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The client-side versions. Errors only if the built-in chart does not load, which a test of
/// the build catches.
pub fn client_versions() -> Result<VersionReport> {
    let chart = Chart::builtin()?;
    Ok(VersionReport {
        todoctl: crate::release::TODOCTL_VERSION.to_string(),
        chart: ChartVersion {
            name: chart.meta.name,
            version: chart.meta.version,
            app_version: chart.meta.app_version,
        },
        server: None,
    })
}

/// Asks the API server for its version within `timeout`. Never fails: an unreachable or
/// unconfigured server is reported in [`ServerVersion::error`].
pub async fn server_version(conn: &Connection, ui: &Ui, timeout: Duration) -> ServerVersion {
    let unreachable = |url: Option<String>, why: String| ServerVersion {
        reachable: false,
        version: None,
        platform: None,
        url,
        error: Some(ui.scrub(&why)),
    };
    let cluster = match crate::cluster::connect(conn, ui).await {
        Ok(c) => c,
        Err(e) => return unreachable(None, crate::error::sentence(&e)),
    };
    let client = &cluster.client;
    let url = Some(cluster.server_url().to_string());
    match tokio::time::timeout(timeout, client.apiserver_version()).await {
        // Refused connections are retried below every request, so a server that is down also
        // ends here: ask once more without retries to tell "down" from "silent".
        Err(_) if refuses_connections_now(url.as_deref()).await => unreachable(
            url,
            "connection refused: nothing listens at that address; check that the cluster is running and that --kubeconfig and --context point at it".to_string(),
        ),
        Err(_) => unreachable(
            url,
            format!(
                "no answer within {}s; check that the cluster is running",
                timeout.as_secs()
            ),
        ),
        Ok(Err(e)) => unreachable(
            url,
            crate::cluster::apply::api_error(e, "asking for the version").to_string(),
        ),
        Ok(Ok(info)) => ServerVersion {
            reachable: true,
            version: Some(info.git_version),
            platform: Some(info.platform).filter(|p| !p.is_empty()),
            url,
            error: None,
        },
    }
}

/// Whether one TCP connection to the host and port of `url` (`https://host:6443`) is refused
/// right now, within a second; `false` when it connects, times out or the URL has no host.
async fn refuses_connections_now(url: Option<&str>) -> bool {
    let Some(uri) = url.and_then(|u| u.parse::<http::Uri>().ok()) else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    let host = host.trim_start_matches('[').trim_end_matches(']');
    matches!(
        tokio::time::timeout(
            Duration::from_secs(1),
            tokio::net::TcpStream::connect((host, port))
        )
        .await,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_port_refuses_and_an_open_one_does_not() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "https://127.0.0.1:{}",
            listener.local_addr().expect("addr").port()
        );
        assert!(!refuses_connections_now(Some(&url)).await);
        drop(listener);
        // The port just freed: nothing listens on it now.
        assert!(refuses_connections_now(Some(&url)).await);
        assert!(!refuses_connections_now(Some("not a url")).await);
        assert!(!refuses_connections_now(None).await);
    }
}
