//! The verifier: one question, "is this a valid token from a configured issuer, for this app,
//! and what does it say?", answered the same way for every adapter.

mod builder;
mod refresh;
mod verification;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use serde::de::DeserializeOwned;

use crate::cache::TokenCache;
use crate::claims::Claims;
use crate::clock::{Clock, unix_seconds};
use crate::error::{Error, ErrorKind};
use crate::issuer::IssuerSpec;
use crate::jwks::{FetchSettings, Fetcher, KeyStore};
use crate::jws::Limits;
use crate::token::Found;

pub use builder::{
    DEFAULT_CACHE_CAPACITY, DEFAULT_JWKS_CONNECT_TIMEOUT, DEFAULT_JWKS_COOLDOWN,
    DEFAULT_JWKS_TIMEOUT, DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_JWKS_SIZE, DEFAULT_MAX_TOKEN_LEN,
    MAX_LEEWAY, VerifierBuilder,
};
pub use refresh::RefreshHandle;
use verification::{is_expired, is_not_yet_valid};

type Check = Box<dyn Fn(&Claims) -> Result<(), &'static str> + Send + Sync>;
type CheckFuture = Pin<Box<dyn Future<Output = Result<(), &'static str>> + Send>>;
type AsyncCheck = Box<dyn Fn(Claims) -> CheckFuture + Send + Sync>;

/// Verifies tokens of one or more issuers. Cheap to clone; clones share keys and cache.
///
/// Build one from a [`UserPool`] (`Verifier::from(pool)`) or with [`Verifier::builder`] for
/// several issuers and non-default settings. Verification follows DESIGN's fixed order: strict
/// parsing within size limits, header (`alg`, `kid`, no `crit`), issuer selection by exact `iss`
/// (unknown issuers are refused without any network I/O), the issuer's algorithms (`RS256` for a
/// user pool), key lookup, the signature with a key bound to the token's algorithm (RSA keys
/// of at least 2048 bits), `exp`/`nbf` with leeway, `token_use`, app client, then the optional
/// [`check`](VerifierBuilder::check).
///
/// [`UserPool`]: crate::UserPool
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    issuers: Box<[Issuer]>,
    limits: Limits,
    leeway: u64,
    fetch: FetchSettings,
    fetcher: Fetcher,
    cache: Option<TokenCache>,
    clock: Clock,
    check: Option<Check>,
    check_async: Option<AsyncCheck>,
}

struct Issuer {
    spec: IssuerSpec,
    store: KeyStore,
}

impl Verifier {
    /// A verifier that accepts no issuer: every token is refused as of an unknown issuer.
    pub(crate) fn without_issuers() -> Verifier {
        Verifier::builder().assemble()
    }

    /// Settings for a verifier.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Verifies `token` (the compact JWT, without `Bearer `) and returns its claims.
    ///
    /// # Errors
    /// The first check that failed; see [`ErrorKind`]. Keys are fetched only for a configured
    /// issuer whose key set lacks the token's `kid`, at most once per cooldown.
    pub async fn verify(&self, token: &str) -> Result<Claims, Error> {
        let claims = match self.cached_answer(token) {
            Some(answer) => answer?,
            None => {
                let inner = &*self.inner;
                let verified = Arc::new(self.verify_uncached(token, None).await.inspect_err(log)?);
                if let Some(cache) = &inner.cache {
                    cache.insert(token, Arc::clone(&verified));
                }
                let claims = Claims::from_verified(verified);
                self.run_check(&claims)?;
                claims
            }
        };
        self.run_async_check(claims).await
    }

    /// Answers from the cache alone, without waiting: `Some` when `token` is cached (its expiry,
    /// its key and the [`check`](VerifierBuilder::check) re-checked), `None` when it must be
    /// verified with [`verify`](Verifier::verify). Adapters use it to skip allocating a future
    /// on cache hits. Always `None` with a [`check_async`](VerifierBuilder::check_async), which
    /// only `verify` can wait for.
    pub fn verify_cached(&self, token: &str) -> Option<Result<Claims, Error>> {
        if self.inner.check_async.is_some() {
            return None;
        }
        self.cached_answer(token)
    }

    fn cached_answer(&self, token: &str) -> Option<Result<Claims, Error>> {
        let inner = &*self.inner;
        let cache = inner.cache.as_ref()?;
        let hit = cache.get(token)?;
        let issuer = &inner.issuers[hit.issuer_index];
        let now = inner.clock.unix_seconds();
        // Decided as a miss would be: a clock that stepped back before `nbf` sends the token
        // to full verification, which refuses it.
        if is_expired(hit.exp, now, inner.leeway)
            || is_not_yet_valid(hit.std.nbf, now, inner.leeway)
            || !issuer.store.still_current(&hit.key)
        {
            cache.remove(token);
            return None;
        }
        let claims = Claims::from_verified(hit);
        Some(self.run_check(&claims).map(|()| claims))
    }

    /// What an auth middleware does with what its token source `found`, before any waiting:
    /// let an anonymous request through (only when `optional`), answer at once (a cached
    /// token's claims, or the refusal of a missing or malformed credential), or verify the
    /// token with [`verify`](Verifier::verify). Every adapter decides through this.
    pub fn decide(&self, found: Found<'_>, optional: bool) -> Decision {
        match found {
            Found::Token(token) => match self.verify_cached(token) {
                Some(answer) => Decision::Decided(answer),
                None => Decision::Verify(token.to_owned()),
            },
            Found::Missing if optional => Decision::Anonymous,
            Found::Missing => Decision::Decided(Err(Error::missing_token())),
            Found::Malformed => Decision::Decided(Err(ErrorKind::InvalidRequest.into())),
        }
    }

    /// Verifies `token` and deserializes the application's claim type `T` from it.
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify), and [`ErrorKind::ClaimsType`] when the payload does not
    /// fit `T`.
    pub async fn verify_as<T: DeserializeOwned + 'static>(
        &self,
        token: &str,
    ) -> Result<Claims<T>, Error> {
        self.verify(token).await?.with()
    }

    /// Verifies `token` as of `at` instead of now, bypassing the cache (for tests and for
    /// checking stored tokens).
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify).
    pub async fn verify_at(&self, token: &str, at: SystemTime) -> Result<Claims, Error> {
        let verified = self
            .verify_uncached(token, Some(unix_seconds(at)))
            .await
            .inspect_err(log)?;
        let claims = Claims::from_verified(Arc::new(verified));
        self.run_check(&claims)?;
        self.run_async_check(claims).await
    }

    /// The `iss` values this verifier accepts.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.inner
            .issuers
            .iter()
            .flat_map(|i| i.spec.accepted_iss.iter().map(String::as_str))
    }

    /// The number of verified tokens in the cache (0 without a cache), for metrics and tests.
    #[must_use]
    pub fn cached_tokens(&self) -> u64 {
        self.inner.cache.as_ref().map_or(0, TokenCache::entry_count)
    }

    async fn run_async_check(&self, claims: Claims) -> Result<Claims, Error> {
        let Some(check) = &self.inner.check_async else {
            return Ok(claims);
        };
        match check(claims.clone()).await {
            Ok(()) => Ok(claims),
            Err(reason) => {
                let err = Error::new(ErrorKind::CheckFailed(reason.into()));
                log(&err);
                Err(err)
            }
        }
    }

    fn run_check(&self, claims: &Claims) -> Result<(), Error> {
        match &self.inner.check {
            Some(check) => check(claims).map_err(|reason| {
                let err = Error::new(ErrorKind::CheckFailed(reason.into()));
                log(&err);
                err
            }),
            None => Ok(()),
        }
    }
}

/// What [`Verifier::decide`] concluded about a request. Its `Debug` output leaves the token out.
pub enum Decision {
    /// No token, and authentication is optional: the request goes on as anonymous.
    Anonymous,
    /// Decided without waiting: the claims of a cached token, or why the request is refused.
    Decided(Result<Claims, Error>),
    /// A token to verify with [`Verifier::verify`]: it is not in the cache.
    Verify(String),
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Anonymous => f.write_str("Anonymous"),
            Decision::Decided(answer) => f.debug_tuple("Decided").field(answer).finish(),
            Decision::Verify(_) => f.write_str("Verify(<token>)"),
        }
    }
}

fn log(err: &Error) {
    tracing::debug!(kind = ?err.kind(), "token rejected");
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("issuers", &self.issuers().collect::<Vec<_>>())
            .field("leeway", &self.inner.leeway)
            .field("cache", &self.inner.cache.is_some())
            .finish_non_exhaustive()
    }
}
