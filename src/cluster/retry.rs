//! Transient API failures are retried below every request, with bounded exponential backoff, so
//! a restarting API server, a 429 or an etcd timeout costs a few seconds instead of an operation.
//!
//! Retried: refused and reset connections (the request never reached the server) and the statuses a
//! healthy API server uses for "try again" (429, 500 with etcd timeouts, 502, 503, 504). At most
//! `MAX_RETRIES` retries, about 12 s in all, so a kubeconfig pointing nowhere still fails fast.

use std::time::Duration;

use http::{Request, Response};
use kube::client::Body;
use tower::BoxError;
use tower::retry::Policy;

pub const MAX_RETRIES: u32 = 6;
const FIRST_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(4);

/// One per request (tower clones the policy for each call), so attempts count per request.
#[derive(Clone, Debug)]
pub struct TransientRetry {
    attempts: u32,
    /// Where `-v` says that a request is retried.
    ui: crate::ui::Ui,
}

impl TransientRetry {
    pub fn new(ui: crate::ui::Ui) -> TransientRetry {
        TransientRetry { attempts: 0, ui }
    }

    fn delay(&self) -> Duration {
        FIRST_DELAY
            .saturating_mul(1u32 << self.attempts.min(8))
            .min(MAX_DELAY)
    }
}

impl<Res> Policy<Request<Body>, Response<Res>, BoxError> for TransientRetry {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Request<Body>,
        result: &mut Result<Response<Res>, BoxError>,
    ) -> Option<Self::Future> {
        let why = match result {
            Ok(response) if is_retryable_status(response.status().as_u16()) => {
                format!("HTTP {}", response.status().as_u16())
            }
            Ok(_) => return None,
            Err(err) if is_connection_error(err.as_ref()) => "the connection failed".to_string(),
            Err(_) => return None,
        };
        if self.attempts >= MAX_RETRIES {
            return None;
        }
        let delay = self.delay();
        self.attempts += 1;
        self.ui.verbose(
            1,
            format!(
                "{} {}: {why}; retry {} of {MAX_RETRIES} in {} ms",
                req.method(),
                req.uri().path(),
                self.attempts,
                delay.as_millis()
            ),
        );
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, req: &Request<Body>) -> Option<Request<Body>> {
        // Streaming bodies cannot be replayed; every request todoctl makes has a buffered one.
        let body = req.body().try_clone()?;
        let mut builder = Request::builder()
            .method(req.method().clone())
            .uri(req.uri().clone())
            .version(req.version());
        if let Some(headers) = builder.headers_mut() {
            headers.extend(req.headers().clone());
        }
        builder.body(body).ok().map(|mut r| {
            *r.extensions_mut() = req.extensions().clone();
            r
        })
    }
}

fn is_retryable_status(code: u16) -> bool {
    crate::error::transient_status(code)
}

/// A refused or reset connection anywhere in the error's chain: the request never reached the
/// server. Timeouts are not retried: a server that accepts connections and never answers would
/// hold the command for minutes.
fn is_connection_error(err: &(dyn std::error::Error + 'static)) -> bool {
    crate::error::connection_failure(err) == Some(crate::error::ConnectionFailure::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_bounded() {
        let mut p = TransientRetry::new(crate::ui::Ui::quiet());
        let mut delays = Vec::new();
        for _ in 0..MAX_RETRIES {
            delays.push(p.delay());
            p.attempts += 1;
        }
        assert_eq!(delays[0], Duration::from_millis(250));
        assert_eq!(delays[1], Duration::from_millis(500));
        assert!(delays.iter().all(|d| *d <= MAX_DELAY));
        let total: Duration = delays.iter().sum();
        assert!(total < Duration::from_secs(15), "{total:?}");
    }

    #[test]
    fn statuses_and_connection_errors() {
        assert!(is_retryable_status(503));
        assert!(is_retryable_status(429));
        assert!(!is_retryable_status(404));
        assert!(!is_retryable_status(409));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(is_connection_error(&refused));
        let other = std::io::Error::other("nope");
        assert!(!is_connection_error(&other));
        let timeout = std::io::Error::from(std::io::ErrorKind::TimedOut);
        assert!(!is_connection_error(&timeout));
    }
}
