//! Fetching JWKS documents: one shared HTTP client, bounded in time and size.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{Jwk, Jwks};

/// Timing of key fetches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FetchSettings {
    pub(crate) cooldown: Duration,
}

/// Fetches JWKS documents with one shared HTTP client, built on first use.
#[derive(Clone)]
pub(crate) struct Fetcher {
    client: Arc<OnceLock<Option<reqwest::Client>>>,
    connect_timeout: Duration,
    timeout: Duration,
    max_body: usize,
}

/// Why a fetch failed; kept as the `source` of a `KeysUnavailable` error, for logs.
#[derive(Debug)]
pub(crate) enum FetchError {
    Client,
    Http(reqwest::Error),
    Status(u16),
    TooLarge,
    Document,
    Pem,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Client => f.write_str("the HTTP client could not be built"),
            FetchError::Http(e) => write!(f, "JWKS request failed: {e}"),
            FetchError::Status(s) => write!(f, "JWKS endpoint answered HTTP {s}"),
            FetchError::TooLarge => f.write_str("JWKS body exceeds the size limit"),
            FetchError::Document => f.write_str("JWKS body is not a key set"),
            FetchError::Pem => f.write_str("key body is not a P-256 public key in PEM"),
        }
    }
}

impl std::error::Error for FetchError {}

impl Fetcher {
    pub(crate) fn new(connect_timeout: Duration, timeout: Duration, max_body: usize) -> Self {
        Fetcher {
            client: Arc::new(OnceLock::new()),
            connect_timeout,
            timeout,
            max_body,
        }
    }

    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("cognito-core/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .inspect_err(|e| tracing::error!(error = %e, "HTTP client for JWKS fetches"))
                    .ok()
            })
            .as_ref()
            .ok_or(FetchError::Client)
    }

    /// The JWKS document at `url`.
    pub(crate) async fn fetch(&self, url: &str) -> Result<Jwks, FetchError> {
        let body = self.fetch_body(url).await?;
        Jwks::from_slice(&body).map_err(|_| FetchError::Document)
    }

    /// The P-256 public key in PEM at `url`, as the key `kid`.
    pub(crate) async fn fetch_pem_key(&self, url: &str, kid: &str) -> Result<Jwk, FetchError> {
        let body = self.fetch_body(url).await?;
        Jwk::from_p256_pem(kid, &body).map_err(|_| FetchError::Pem)
    }

    /// The body at `url`: a 200, within the size limit, in the time limits.
    async fn fetch_body(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut response = self
            .client()?
            .get(url)
            .send()
            .await
            .map_err(FetchError::Http)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Http)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
