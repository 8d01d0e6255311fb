//! The verifier: one question, "is this a valid token from a configured issuer, for this app,
//! and what does it say?", answered the same way for every adapter.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;

use crate::cache::TokenCache;
use crate::claims::{Claims, StandardClaims, VerifiedToken};
use crate::clock::{Clock, unix_seconds};
use crate::error::{ConfigError, Error, ErrorKind};
use crate::issuer::{
    ClaimRules, ClientChosen, IssuerSpec, KeySource, OidcIssuer, TokenUse, UserPool,
};
use crate::jwks::{FetchSettings, Fetcher, Jwks, KeyStore};
use crate::jws::{self, Limits};
use crate::payload::{Audience, RawClaims};
use crate::token::Found;

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

type Check = Box<dyn Fn(&Claims) -> Result<(), &'static str> + Send + Sync>;
type CheckFuture = Pin<Box<dyn Future<Output = Result<(), &'static str>> + Send>>;
type AsyncCheck = Box<dyn Fn(Claims) -> CheckFuture + Send + Sync>;

/// Verifies tokens of one or more issuers. Cheap to clone; clones share keys and cache.
///
/// Build one from a [`UserPool`] (`Verifier::from(pool)`) or with [`Verifier::builder`] for
/// several issuers and non-default settings. Verification follows DESIGN's fixed order: strict
/// parsing within size limits, header (`alg`, `kid`, no `crit`), issuer selection by exact `iss`
/// (unknown issuers are refused without any network I/O), key lookup, RS256 signature with a key
/// of at least 2048 bits, `exp`/`nbf` with leeway, `token_use`, app client, then the optional
/// [`check`](VerifierBuilder::check).
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

    fn assemble(self) -> Verifier {
        let issuers = self
            .specs
            .into_iter()
            .map(|spec| {
                let store = match &spec.keys {
                    KeySource::Url(url) => KeyStore::new(Some(url.clone()), Jwks::default()),
                    KeySource::Static(jwks) => {
                        jwks.log_skipped("static key set");
                        KeyStore::new(None, jwks.clone())
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

impl Verifier {
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

    /// Fetches the keys of every issuer that has a JWKS URL, so the first requests do not wait.
    /// Call it at start-up.
    ///
    /// # Errors
    /// [`ErrorKind::KeysUnavailable`] if any issuer's keys could not be fetched (the others are
    /// still loaded).
    pub async fn hydrate(&self) -> Result<(), Error> {
        let mut first_error = None;
        for issuer in &self.inner.issuers {
            if let Err(e) = issuer
                .store
                .refresh(&self.inner.fetcher, &self.inner.clock)
                .await
            {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Refreshes every issuer's keys every `every`, in a background task, until the returned
    /// handle is stopped or dropped. A failed refresh keeps the keys already loaded.
    ///
    /// # Errors
    /// `refresh` when called outside a Tokio runtime, or with a zero period.
    pub fn spawn_refresh(&self, every: Duration) -> Result<RefreshHandle, ConfigError> {
        if every.is_zero() {
            return Err(ConfigError::new("refresh", "zero period"));
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| ConfigError::new("refresh", "must be called within a Tokio runtime"))?;
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let task = runtime.spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                for issuer in &inner.issuers {
                    // Failures are logged by the store; the old keys stay.
                    let _ = issuer.store.refresh(&inner.fetcher, &inner.clock).await;
                }
            }
        });
        Ok(RefreshHandle { task })
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

    /// Verifies as of `at` (Unix seconds), or as of the moment the key is at hand: a token
    /// must not outlive its `exp` while its key set is being fetched.
    async fn verify_uncached(&self, token: &str, at: Option<u64>) -> Result<VerifiedToken, Error> {
        let inner = &*self.inner;
        let (mut small, mut large) = ([0u8; jws::HEADER_STACK], Vec::new());
        let mut jws = jws::parse(token, inner.limits, &mut small, &mut large)?;
        let payload = String::from_utf8(std::mem::take(&mut jws.payload))
            .map_err(|_| ErrorKind::Malformed)?;
        let raw = RawClaims::parse(&payload)?;

        let iss = raw.iss.as_deref().ok_or(ErrorKind::MissingClaim("iss"))?;
        let (issuer_index, issuer) = inner
            .issuers
            .iter()
            .enumerate()
            .find(|(_, i)| i.spec.accepted_iss.iter().any(|a| a == iss))
            .ok_or(ErrorKind::UnknownIssuer)?;

        let key = issuer
            .store
            .key(&jws.kid, &inner.fetcher, inner.fetch, &inner.clock)
            .await?;
        if !key.allows(jws.alg) {
            return Err(ErrorKind::KeyAlgorithmMismatch.into());
        }
        if !key.verify(jws.signing_input, jws.signature()) {
            return Err(ErrorKind::InvalidSignature.into());
        }

        let now = at.unwrap_or_else(|| inner.clock.unix_seconds());
        let exp = raw.exp.ok_or(ErrorKind::MissingClaim("exp"))?;
        if is_expired(exp, now, inner.leeway) {
            return Err(ErrorKind::Expired.into());
        }
        if is_not_yet_valid(raw.nbf, now, inner.leeway) {
            return Err(ErrorKind::NotYetValid.into());
        }
        match raw.sub.as_deref() {
            None => return Err(ErrorKind::MissingClaim("sub").into()),
            Some("") => return Err(ErrorKind::InvalidClaim("sub").into()),
            Some(_) => {}
        }
        let token_use = check_rules(&issuer.spec.rules, &raw)?;

        let std = StandardClaims::keep(raw, &payload);
        Ok(VerifiedToken::new(
            std,
            exp,
            token_use,
            payload,
            // The cache keys entries by it and identity pools are sent it; otherwise no copy.
            (inner.cache.is_some() || cfg!(feature = "identity-pool")).then(|| Arc::from(token)),
            Arc::clone(&issuer.spec.login_provider),
            issuer_index,
            key,
        ))
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

/// Valid while `now < exp + leeway`.
fn is_expired(exp: u64, now: u64, leeway: u64) -> bool {
    now >= exp.saturating_add(leeway)
}

/// Not valid before `nbf - leeway`.
fn is_not_yet_valid(nbf: Option<u64>, now: u64, leeway: u64) -> bool {
    nbf.is_some_and(|nbf| now.saturating_add(leeway) < nbf)
}

/// `token_use` and the app client (Cognito), or the audience (other OIDC issuers).
fn check_rules(rules: &ClaimRules, std: &RawClaims<'_>) -> Result<Option<TokenUse>, Error> {
    match rules {
        ClaimRules::Cognito {
            clients,
            token_use,
            resource_audiences,
        } => {
            let used = std
                .token_use
                .as_deref()
                .and_then(TokenUse::parse)
                .ok_or(ErrorKind::InvalidTokenUse)?;
            if !token_use.allows(used) {
                return Err(ErrorKind::WrongTokenUse.into());
            }
            let client = match used {
                TokenUse::Id => match &std.aud {
                    Some(Audience::One(aud)) => aud.as_str(),
                    Some(Audience::Many(_)) => return Err(ErrorKind::InvalidClaim("aud").into()),
                    None => return Err(ErrorKind::MissingClaim("aud").into()),
                },
                TokenUse::Access => std
                    .client_id
                    .as_deref()
                    .ok_or(ErrorKind::MissingClaim("client_id"))?,
            };
            if let Some(clients) = clients
                && !clients.iter().any(|c| &**c == client)
            {
                return Err(ErrorKind::WrongClient.into());
            }
            if used == TokenUse::Access
                && let Some(resources) = resource_audiences
            {
                let aud = std.aud.as_ref().ok_or(ErrorKind::MissingClaim("aud"))?;
                if !aud
                    .as_slice()
                    .iter()
                    .any(|a| resources.iter().any(|r| **r == **a))
                {
                    return Err(ErrorKind::WrongAudience.into());
                }
            }
            Ok(Some(used))
        }
        ClaimRules::Oidc { audiences } => {
            if let Some(audiences) = audiences {
                let aud = std.aud.as_ref().ok_or(ErrorKind::MissingClaim("aud"))?;
                if !aud
                    .as_slice()
                    .iter()
                    .any(|a| audiences.iter().any(|c| **c == **a))
                {
                    return Err(ErrorKind::WrongClient.into());
                }
            }
            // `token_use` is Cognito's claim; from another issuer it is unchecked, so it
            // satisfies no token-use rule.
            Ok(None)
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

/// Stops the background key refresh started by [`Verifier::spawn_refresh`] when stopped or
/// dropped.
#[derive(Debug)]
pub struct RefreshHandle {
    task: tokio::task::JoinHandle<()>,
}

impl RefreshHandle {
    /// Stops the refresh.
    pub fn stop(self) {}
}

impl Drop for RefreshHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}
