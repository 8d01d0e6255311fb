//! Settings for a verifier, checked when it is built.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::{AsyncCheck, Check, Inner, Issuer, Verifier};
use crate::cache::TokenCache;
use crate::claims::Claims;
use crate::clock::Clock;
use crate::error::ConfigError;
use crate::issuer::{ClientChosen, IssuerSpec, KeySource, OidcIssuer, UserPool};
use crate::jwks::{FetchSettings, Fetcher, Jwks, KeyStore, Source};
use crate::jws::Limits;

/// Default maximum token length in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 32 * 1024;
/// Default maximum JSON nesting depth of a token's header and payload.
pub const DEFAULT_MAX_JSON_DEPTH: usize = 32;
/// Default number of verified tokens kept in the cache.
pub const DEFAULT_CACHE_CAPACITY: u64 = 10_000;
/// Default time during which an unknown `kid` fails without a new key fetch.
pub const DEFAULT_JWKS_COOLDOWN: Duration = Duration::from_secs(10);
/// Default limit on the time to connect to a JWKS endpoint.
pub const DEFAULT_JWKS_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default limit on the whole JWKS request.
pub const DEFAULT_JWKS_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit on a JWKS response body, in bytes.
pub const DEFAULT_MAX_JWKS_SIZE: usize = 256 * 1024;
/// The largest clock-skew leeway the builder accepts.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// Settings for a [`Verifier`]. Every setting has a safe default.
#[must_use]
pub struct VerifierBuilder {
    specs: Vec<IssuerSpec>,
    leeway: Duration,
    max_token_len: usize,
    max_json_depth: usize,
    cache_capacity: Option<u64>,
    cooldown: Duration,
    connect_timeout: Duration,
    timeout: Duration,
    max_jwks_size: usize,
    clock: Clock,
    check: Option<Check>,
    check_async: Option<AsyncCheck>,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        VerifierBuilder {
            specs: Vec::new(),
            leeway: Duration::ZERO,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            max_json_depth: DEFAULT_MAX_JSON_DEPTH,
            cache_capacity: Some(DEFAULT_CACHE_CAPACITY),
            cooldown: DEFAULT_JWKS_COOLDOWN,
            connect_timeout: DEFAULT_JWKS_CONNECT_TIMEOUT,
            timeout: DEFAULT_JWKS_TIMEOUT,
            max_jwks_size: DEFAULT_MAX_JWKS_SIZE,
            clock: Clock::system(),
            check: None,
            check_async: None,
        }
    }
}

impl VerifierBuilder {
    /// Accepts tokens of this user pool.
    pub fn pool(mut self, pool: UserPool<ClientChosen>) -> Self {
        self.specs.push(pool.into_spec());
        self
    }

    /// Accepts tokens of this OpenID Connect issuer.
    pub fn oidc(mut self, issuer: OidcIssuer<ClientChosen>) -> Self {
        self.specs.push(issuer.into_spec());
        self
    }

    /// Clock skew tolerated on `exp` and `nbf`. Default: none. At most [`MAX_LEEWAY`]: every
    /// second of leeway is a second an expired token is still accepted.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Longest token accepted, in bytes. Default: [`DEFAULT_MAX_TOKEN_LEN`].
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }

    /// Deepest JSON nesting accepted in header and payload. Default: [`DEFAULT_MAX_JSON_DEPTH`].
    pub fn max_json_depth(mut self, depth: usize) -> Self {
        self.max_json_depth = depth;
        self
    }

    /// Number of verified tokens kept. Default: [`DEFAULT_CACHE_CAPACITY`]. A token counts once
    /// per started 4 KiB of token and payload (an ordinary Cognito token counts once; one
    /// padded to the default [`max_token_len`](VerifierBuilder::max_token_len) about 14 times), so the
    /// cache's memory is bounded by about `entries` × 4 KiB whatever tokens it holds.
    ///
    /// A cached token is still checked for expiry, for its key still being published, and by
    /// the [`check`](VerifierBuilder::check) on every use.
    pub fn cache_capacity(mut self, entries: u64) -> Self {
        self.cache_capacity = Some(entries);
        self
    }

    /// Verifies every token in full, every time.
    pub fn no_cache(mut self) -> Self {
        self.cache_capacity = None;
        self
    }

    /// After a key fetch, unknown `kid`s fail without another fetch for this long. Default:
    /// [`DEFAULT_JWKS_COOLDOWN`]. Keeps a flood of forged `kid`s from turning into a flood of
    /// requests to the issuer.
    pub fn jwks_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Limits on key fetches: time to connect, and time for the whole request. Defaults:
    /// [`DEFAULT_JWKS_CONNECT_TIMEOUT`], [`DEFAULT_JWKS_TIMEOUT`].
    pub fn jwks_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.timeout = total;
        self
    }

    /// Largest JWKS body accepted, in bytes. Default: [`DEFAULT_MAX_JWKS_SIZE`].
    pub fn max_jwks_size(mut self, bytes: usize) -> Self {
        self.max_jwks_size = bytes;
        self
    }

    /// The time source, for tests. Default: the system clock.
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// A last check on every verified token (revocation lists, tenant rules…), run after all
    /// others and on every cache hit. The error text is shown to the client: keep it fixed.
    pub fn check(
        mut self,
        check: impl Fn(&Claims) -> Result<(), &'static str> + Send + Sync + 'static,
    ) -> Self {
        self.check = Some(Box::new(check));
        self
    }

    /// A last check that needs I/O (asking a revocation store, or Cognito itself whether an
    /// access token still stands), run after [`check`](VerifierBuilder::check) on every
    /// verified token, cache hits included; the request waits for it. The error text is shown
    /// to the client (401 `invalid_token`): keep it fixed.
    ///
    /// With it, every request awaits a future (adapters can no longer answer a cached token
    /// without one), so prefer the synchronous `check` over data kept in memory when that is
    /// enough. Bound its time yourself (a timeout inside it): a check that never finishes
    /// holds the request. When what it asks is unreachable, refuse: a check that lets a token
    /// through on error is no check.
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use std::sync::Arc;
    ///
    /// use cognito_core::{TokenUse, UserPool, Verifier};
    ///
    /// /// Stands in for a revocation store reached over the network.
    /// async fn is_revoked(store: &HashSet<String>, session: &str) -> bool {
    ///     store.contains(session)
    /// }
    ///
    /// # fn main() -> Result<(), cognito_core::ConfigError> {
    /// let pool = UserPool::new("eu-west-1_AbCdEf123")?
    ///     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
    ///     .token_use(TokenUse::Access);
    /// let store = Arc::new(HashSet::from(["a-signed-out-session".to_owned()]));
    /// let verifier = Verifier::builder()
    ///     .pool(pool)
    ///     .check_async(move |claims| {
    ///         let store = Arc::clone(&store);
    ///         async move {
    ///             // Every token of one sign-in session shares its `origin_jti`.
    ///             match claims.origin_jti() {
    ///                 Some(session) if !is_revoked(&store, session).await => Ok(()),
    ///                 _ => Err("the session was signed out"),
    ///             }
    ///         }
    ///     })
    ///     .build()?;
    /// # let _ = verifier;
    /// # Ok(()) }
    /// ```
    pub fn check_async<F, Fut>(mut self, check: F) -> Self
    where
        F: Fn(Claims) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), &'static str>> + Send + 'static,
    {
        self.check_async = Some(Box::new(move |claims| Box::pin(check(claims))));
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    /// - `issuers`: none configured, two claim the same `iss`, or two are the same identity
    ///   provider (the same pool behind two issuer URLs; identities would be shared);
    /// - `leeway`: more than [`MAX_LEEWAY`];
    /// - `max_token_len` under 256 bytes, `max_json_depth` under 2, `max_jwks_size` under 1 KiB;
    /// - `jwks_timeouts`: zero.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.specs.is_empty() {
            return Err(ConfigError::new(
                "issuers",
                "no user pool or issuer configured",
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for iss in self.specs.iter().flat_map(|s| &s.accepted_iss) {
            if seen.contains(&iss.as_str()) {
                return Err(ConfigError::new(
                    "issuers",
                    "two issuers have the same `iss`",
                ));
            }
            seen.push(iss);
        }
        let mut providers: Vec<&str> = Vec::new();
        for provider in self.specs.iter().map(|s| &*s.login_provider) {
            if providers.contains(&provider) {
                return Err(ConfigError::new(
                    "issuers",
                    "two issuers are the same identity provider (the same pool or issuer \
                     under two URLs); configure it once, with `accept_updated_issuer` for \
                     Cognito's second issuer form",
                ));
            }
            providers.push(provider);
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::new("leeway", "more than 300 seconds"));
        }
        if self.max_token_len < 256 {
            return Err(ConfigError::new("max_token_len", "less than 256 bytes"));
        }
        if self.max_json_depth < 2 {
            return Err(ConfigError::new("max_json_depth", "less than 2"));
        }
        if self.max_jwks_size < 1024 {
            return Err(ConfigError::new("max_jwks_size", "less than 1 KiB"));
        }
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err(ConfigError::new("jwks_timeouts", "zero"));
        }
        Ok(self.assemble())
    }

    pub(crate) fn assemble(self) -> Verifier {
        let issuers = self
            .specs
            .into_iter()
            .map(|spec| {
                let store = match &spec.keys {
                    KeySource::Url(url) => {
                        KeyStore::new(Source::Jwks(url.clone()), Jwks::default())
                    }
                    KeySource::Static(jwks) => {
                        jwks.log_skipped("static key set");
                        KeyStore::new(Source::Fixed, jwks.clone())
                    }
                };
                Issuer { spec, store }
            })
            .collect();
        let cache = self
            .cache_capacity
            .map(|capacity| TokenCache::new(capacity, self.clock.clone()));
        Verifier {
            inner: Arc::new(Inner {
                issuers,
                limits: Limits {
                    max_token_len: self.max_token_len,
                    max_json_depth: self.max_json_depth,
                },
                leeway: self.leeway.as_secs(),
                fetch: FetchSettings {
                    cooldown: self.cooldown,
                },
                fetcher: Fetcher::new(self.connect_timeout, self.timeout, self.max_jwks_size),
                cache,
                clock: self.clock,
                check: self.check,
                check_async: self.check_async,
            }),
        }
    }
}

impl From<UserPool<ClientChosen>> for Verifier {
    fn from(pool: UserPool<ClientChosen>) -> Self {
        // A single pool with default settings passes every check of `build`.
        Verifier::builder().pool(pool).assemble()
    }
}

impl From<OidcIssuer<ClientChosen>> for Verifier {
    fn from(issuer: OidcIssuer<ClientChosen>) -> Self {
        Verifier::builder().oidc(issuer).assemble()
    }
}
