//! Errors callers branch on, and the one place that turns an error into a message, a hint and
//! an exit code: every error has a [`Kind`], found from the types in its chain (never from its
//! text), and the kind alone picks the exit code and the hint, as jj's `CommandError` and just's
//! `Error::code()` do. Kube API errors are rendered by [`describe_kube`] and classified as
//! transient by [`is_transient`] here, for the retry layer, the waits and the messages alike.

use std::process::ExitCode;

/// Exit codes, documented in the README.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    pub const ERROR: u8 = 1;
    /// `diff --detailed-exitcode`: there are changes.
    pub const CHANGES: u8 = 2;
    pub const TIMEOUT: u8 = 3;
    pub const LOCKED: u8 = 4;
}

/// What a caller branches on, and what decides the exit code and the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A release, revision, record or object that does not exist.
    NotFound,
    /// Another operation holds the release lock, or this one lost it (exit 4).
    Locked,
    /// What was written changed under us: a record another operation wrote, an object that
    /// exists already.
    Conflict,
    /// Objects did not become ready (or deleted) in time (exit 3).
    Timeout,
    /// SIGINT or SIGTERM (exit 130).
    Interrupted,
    /// The user's input is wrong: a flag, a file, a value, a name, an object the API server
    /// rejects as invalid.
    BadInput,
    /// The API server did not answer (connection refused or reset, DNS, timeouts, 5xx after
    /// the retries).
    Unreachable,
    /// The credentials were refused, or lack a permission.
    Forbidden,
    /// Anything else.
    Other,
}

impl Kind {
    /// The exit code, as documented in the README.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Timeout => exit::TIMEOUT,
            Kind::Locked => exit::LOCKED,
            Kind::Interrupted => crate::cancel::EXIT_INTERRUPTED,
            _ => exit::ERROR,
        }
    }

    /// The line after the error that says what to do, when the kind alone says it; `server` is
    /// the URL of the API server the command talked to (`Cluster::server_url`, without a
    /// trailing slash), if it got that far.
    pub fn hint(self, server: Option<&str>) -> Option<String> {
        match self {
            Kind::Unreachable => {
                let at = server.map(|u| format!(" at {u}")).unwrap_or_default();
                Some(format!(
                    "the API server{at} did not answer; check that the cluster is running and that --kubeconfig and --context point at it"
                ))
            }
            _ => None,
        }
    }
}

/// An error made where its kind is known; its text is the whole message.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: Kind,
    pub message: String,
}

impl Error {
    pub fn anyhow(kind: Kind, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::from(Error {
            kind,
            message: message.into(),
        })
    }
}

/// Failures with their own exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Objects did not become ready in time.
    #[error("{0}")]
    Timeout(String),
    /// Another operation holds the release lock.
    #[error("{0}")]
    Locked(String),
}

/// The kind of an error: the first cause in its chain whose type says it, with an interruption,
/// a lock and a timeout taking precedence over what they caused.
pub fn kind(err: &anyhow::Error) -> Kind {
    let kinds: Vec<Kind> = err.chain().filter_map(kind_of_cause).collect();
    for first in [Kind::Interrupted, Kind::Locked, Kind::Timeout] {
        if kinds.contains(&first) {
            return first;
        }
    }
    kinds.first().copied().unwrap_or(Kind::Other)
}

fn kind_of_cause(cause: &(dyn std::error::Error + 'static)) -> Option<Kind> {
    use crate::release::StoreError;
    if cause.downcast_ref::<crate::cancel::Interrupted>().is_some() {
        return Some(Kind::Interrupted);
    }
    if cause.downcast_ref::<crate::cancel::LockLost>().is_some() {
        return Some(Kind::Locked);
    }
    if let Some(e) = cause.downcast_ref::<Error>() {
        return Some(e.kind);
    }
    if let Some(f) = cause.downcast_ref::<Failure>() {
        return Some(match f {
            Failure::Timeout(_) => Kind::Timeout,
            Failure::Locked(_) => Kind::Locked,
        });
    }
    if let Some(e) = cause.downcast_ref::<StoreError>() {
        return Some(match e {
            StoreError::RevisionExists { .. } | StoreError::Conflict { .. } => Kind::Conflict,
            StoreError::NotFound { .. } => Kind::NotFound,
            StoreError::NewerFormat { .. } => Kind::Other,
        });
    }
    if let Some(e) = cause.downcast_ref::<kube::Error>() {
        return Some(kind_of_kube(e));
    }
    if connection_failed(cause) {
        return Some(Kind::Unreachable);
    }
    None
}

/// The kind of a kube error, from its HTTP status or its transport failure.
pub fn kind_of_kube(err: &kube::Error) -> Kind {
    match err {
        kube::Error::Api(s) => match s.code {
            401 | 403 => Kind::Forbidden,
            404 => Kind::NotFound,
            409 => Kind::Conflict,
            400 | 422 => Kind::BadInput,
            code if transient_status(code) => Kind::Unreachable,
            _ => Kind::Other,
        },
        other if is_transient(other) => Kind::Unreachable,
        _ => Kind::Other,
    }
}

/// The HTTP statuses a healthy API server uses for "try again": 429, 500 (etcd timeouts), 502,
/// 503, 504.
pub fn transient_status(code: u16) -> bool {
    matches!(code, 429 | 500 | 502 | 503 | 504)
}

/// A kube error worth retrying: a "try again" status, or a request that did not reach the
/// server or got no answer.
pub fn is_transient(err: &kube::Error) -> bool {
    match err {
        kube::Error::Api(status) => transient_status(status.code),
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => true,
        other => connection_failed(other),
    }
}

/// A refused, reset or timed-out connection anywhere in the error's chain.
pub fn connection_failed(err: &(dyn std::error::Error + 'static)) -> bool {
    connection_failure(err).is_some()
}

/// How a connection failed, if one did anywhere in the error's chain: `Refused` when the
/// request never reached the server (safe to send again), `TimedOut` when the server did not
/// answer in time.
pub fn connection_failure(err: &(dyn std::error::Error + 'static)) -> Option<ConnectionFailure> {
    let mut found = None;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                TimedOut => return Some(ConnectionFailure::TimedOut),
                ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected
                | BrokenPipe => found = Some(ConnectionFailure::Refused),
                _ => {}
            }
        }
        if e.downcast_ref::<tokio::time::error::Elapsed>().is_some() {
            return Some(ConnectionFailure::TimedOut);
        }
        if let Some(h) = e.downcast_ref::<hyper_util::client::legacy::Error>()
            && h.is_connect()
        {
            found = found.or(Some(ConnectionFailure::Refused));
        }
        current = e.source();
    }
    found
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFailure {
    Refused,
    TimedOut,
}

/// A kube error as one sentence: the server's message and code (kube's own `Display` of an API
/// error is a Debug dump of its Status), or for a failed request its innermost cause, which says
/// what happened ("Connection refused"); the layers above only repeat that a request failed.
pub fn describe_kube(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => {
            let mut text = status.message.clone();
            if text.is_empty() {
                text = status.reason.clone();
            }
            if status.code != 0 {
                text.push_str(&format!(" ({}", status.code));
                if !status.reason.is_empty() && status.reason != text {
                    text.push_str(&format!(" {}", status.reason));
                }
                text.push(')');
            }
            text
        }
        other => {
            let mut root: &dyn std::error::Error = other;
            while let Some(next) = root.source() {
                root = next;
            }
            format!("cannot reach the API server: {root}")
        }
    }
}

/// Whether a 403 is the authorizer's (RBAC: `User "x" cannot get resource "secrets" ...`), not
/// an admission plugin's (a ResourceQuota's `exceeded quota`, Pod Security, a namespace being
/// deleted), which answer with the same code and reason. The text is the API server's
/// `forbiddenMessage` (k8s.io/apiserver, endpoints/handlers/responsewriters/errors.go).
pub fn denied_by_rbac(status: &kube::core::Status) -> bool {
    status.code == 403 && status.message.contains("User \"") && status.message.contains(" cannot ")
}

/// A failed API request at `step` ("applying deployment/backend"), as an error with its kind and
/// one sentence: the step, the server's message, and a hint for the usual causes.
pub fn api_error(err: kube::Error, step: &str) -> anyhow::Error {
    let kind = kind_of_kube(&err);
    let message = match &err {
        kube::Error::Api(s) => {
            let hint = match s.code {
                401 => "; the credentials in the kubeconfig were refused",
                403 if denied_by_rbac(s) => {
                    "; the kubeconfig's user lacks permission for this (docs/rbac.md lists what todoctl needs)"
                }
                403 if s.message.contains("because it is being terminated") => {
                    "; the namespace is being deleted: wait until it is gone, then run the command again"
                }
                403 => "; an admission check such as a ResourceQuota refused it, not RBAC",
                422 => "; the API server rejected the object as invalid",
                _ => "",
            };
            format!("{step}: {} ({}){hint}", s.message, s.code)
        }
        other => format!("{step}: {}", describe_kube(other)),
    };
    Error::anyhow(kind, message)
}

/// One cause as a sentence; kube errors as [`describe_kube`] renders them.
fn describe(cause: &(dyn std::error::Error + 'static)) -> String {
    match cause.downcast_ref::<kube::Error>() {
        Some(e) => describe_kube(e),
        None => cause.to_string(),
    }
}

/// `err` and its causes as one line, `outer: inner: innermost`, the way `{err:#}` writes it but
/// with kube errors as [`describe_kube`] renders them: no `error:` prefix, no hint. Any error
/// shown to a user other than through [`report`] (a status line, a warning, a record's
/// description) goes through this, because `{err:#}` of a chain holding a kube API error
/// prints kube's `Debug` dump of the server's Status.
pub fn sentence(err: &anyhow::Error) -> String {
    causes(err, ": ")
}

/// The causes of `err` joined by `separator`, each once, stopping below the first kube error.
fn causes(err: &anyhow::Error, separator: &str) -> String {
    let mut msg = String::new();
    let mut causes = err.chain();
    if let Some(first) = causes.next() {
        msg.push_str(&describe(first));
    }
    // A kube error's rendering already names its innermost cause; the layers below it only
    // repeat that a request failed.
    let mut below_kube = err.chain().next().is_some_and(|c| c.is::<kube::Error>());
    for cause in causes {
        if below_kube {
            break;
        }
        below_kube = cause.is::<kube::Error>();
        let text = describe(cause);
        // kube repeats its inner error in its own message; say each thing once.
        if !msg.ends_with(&text) {
            msg.push_str(separator);
            msg.push_str(&text);
        }
    }
    msg
}

/// The text `report` prints for `err`: `error: ...`, its causes, and the hint of its kind
/// (naming `server`, the API server the command talked to). Not yet scrubbed: [`report`]
/// writes it through the UI that remembered the secrets.
pub fn render(err: &anyhow::Error, server: Option<&str>) -> String {
    let mut msg = format!("error: {}", causes(err, "\n  caused by: "));
    if let Some(hint) = kind(err).hint(server) {
        msg.push_str(&format!("\nhint: {hint}"));
    }
    msg
}

/// Prints `error: ...` with its causes and hint on stderr through `ui` (so scrubbed of every
/// secret the command saw), and picks the exit code from the error's kind.
pub fn report(ui: &crate::ui::Ui, server: Option<&str>, err: &anyhow::Error) -> ExitCode {
    crate::errln!(ui, "{}", render(err, server));
    ExitCode::from(kind(err).exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, message: &str, reason: &str) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure(message, reason)
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn kinds_come_from_types_not_text() {
        let timeout = anyhow::Error::from(Failure::Timeout(
            "timed out after 5s waiting for deployment/backend: Connect".into(),
        ));
        assert_eq!(kind(&timeout), Kind::Timeout);
        assert_eq!(kind(&timeout).hint(None), None);
        let plain = anyhow::anyhow!("the request timed out: Connection refused");
        assert_eq!(kind(&plain), Kind::Other);
        let refused =
            anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
                .context("reading namespace `x`");
        assert_eq!(kind(&refused), Kind::Unreachable);
        assert!(kind(&refused).hint(None).is_some());
        let forbidden = api_error(api(403, "secrets is forbidden", "Forbidden"), "listing");
        assert_eq!(kind(&forbidden), Kind::Forbidden);
        let lost = anyhow::Error::from(crate::cancel::LockLost("gone".into()))
            .context(api_error(api(503, "busy", "ServiceUnavailable"), "x").to_string());
        assert_eq!(kind(&lost), Kind::Locked);
    }

    #[test]
    fn a_403_names_rbac_only_when_the_authorizer_refused() {
        let rbac = api_error(
            api(
                403,
                r#"secrets "x" is forbidden: User "system:serviceaccount:a:b" cannot delete resource "secrets" in API group "" in the namespace "a""#,
                "Forbidden",
            ),
            "deleting secret/x",
        )
        .to_string();
        assert!(
            rbac.ends_with("(docs/rbac.md lists what todoctl needs)"),
            "{rbac}"
        );
        for admission in [
            r#"configmaps "c" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=0, limited: configmaps=0"#,
            r#"pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged"#,
        ] {
            let err = api_error(api(403, admission, "Forbidden"), "applying configmap/c");
            let text = err.to_string();
            assert!(
                !text.contains("rbac") && !text.contains("lacks permission"),
                "{text}"
            );
            assert!(
                text.ends_with(
                    "(403); an admission check such as a ResourceQuota refused it, not RBAC"
                ),
                "{text}"
            );
            assert_eq!(kind(&err), Kind::Forbidden);
        }
        // A namespace being deleted is neither RBAC nor an admission check: it only has to go.
        let terminating = api_error(
            api(
                403,
                "unable to create new content in namespace a because it is being terminated",
                "Forbidden",
            ),
            "creating lease `todoctl.lock.x`",
        )
        .to_string();
        assert!(
            terminating.ends_with(
                "(403); the namespace is being deleted: wait until it is gone, then run the command again"
            ),
            "{terminating}"
        );
    }

    #[test]
    fn exit_codes_follow_the_kind() {
        assert_eq!(Kind::Timeout.exit_code(), 3);
        assert_eq!(Kind::Locked.exit_code(), 4);
        assert_eq!(Kind::Interrupted.exit_code(), 130);
        for k in [
            Kind::NotFound,
            Kind::Conflict,
            Kind::BadInput,
            Kind::Unreachable,
            Kind::Forbidden,
            Kind::Other,
        ] {
            assert_eq!(k.exit_code(), 1, "{k:?}");
        }
    }

    #[test]
    fn transient_statuses_and_connections() {
        assert!(transient_status(503));
        assert!(transient_status(429));
        assert!(!transient_status(404));
        assert!(!transient_status(409));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            connection_failure(&refused),
            Some(ConnectionFailure::Refused)
        );
        let timeout = std::io::Error::from(std::io::ErrorKind::TimedOut);
        assert_eq!(
            connection_failure(&timeout),
            Some(ConnectionFailure::TimedOut)
        );
        assert_eq!(connection_failure(&std::io::Error::other("nope")), None);
    }

    #[test]
    fn a_sentence_has_no_debug_dump() {
        let forbidden = anyhow::Error::from(api(
            403,
            "deployments.apps \"backend\" is forbidden",
            "Forbidden",
        ))
        .context("reading deployment/backend");
        let text = sentence(&forbidden);
        assert_eq!(
            text,
            "reading deployment/backend: deployments.apps \"backend\" is forbidden (403 Forbidden)"
        );
        assert!(format!("{forbidden:#}").contains("Status {"), "kube's dump");
        let plain = anyhow::anyhow!("innermost")
            .context("middle")
            .context("outer");
        assert_eq!(sentence(&plain), format!("{plain:#}"));
    }

    #[test]
    fn rendered_errors() {
        let timeout = anyhow::Error::from(Failure::Timeout(
            "timed out after 5s waiting for 1 of 3 objects to become ready".into(),
        ))
        .context("upgrade of release `todo-app` failed; revision 2 is recorded as failed");
        let unreachable = api_error(
            kube::Error::Service(Box::new(std::io::Error::from(
                std::io::ErrorKind::ConnectionRefused,
            ))),
            "reading namespace `todo-app`",
        );
        let forbidden = api_error(
            api(
                403,
                "secrets is forbidden: User \"dev\" cannot list",
                "Forbidden",
            ),
            "listing the records of release `todo-app`",
        );
        insta::assert_snapshot!(
            [
                render(&timeout, None),
                render(&unreachable, None),
                render(&forbidden, None)
            ]
            .join("\n---\n")
        );
    }
}
