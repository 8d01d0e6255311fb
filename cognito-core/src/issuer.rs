//! Who may issue the tokens a [`Verifier`](crate::Verifier) accepts: Cognito user pools and
//! other OpenID Connect providers.
//!
//! A configuration is checked as it is written: every setter that takes a value validates it and
//! returns a [`ConfigError`] naming the setting. Two choices are tracked in the type, so that
//! forgetting one is a compile error, not a silently open door: a [`UserPool`] only becomes
//! usable once its app client is chosen (`.client_id(..)`, or `.any_client()` by name) *and* its
//! token use (`.token_use(TokenUse::Access)` or `TokenUse::Id`, or `.any_token_use()` by name).
//!
//! ```
//! use cognito_core::{TokenUse, UserPool, Verifier};
//!
//! let pool = UserPool::new("eu-west-1_AbCdEf123")?
//!     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
//!     .token_use(TokenUse::Access);
//! assert_eq!(pool.issuer_url(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123");
//! let verifier = Verifier::from(pool);
//! # let _ = verifier;
//! # Ok::<(), cognito_core::ConfigError>(())
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::Arc;

use crate::error::ConfigError;
use crate::jwks::Jwks;

/// What a token is for, from its `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An ID token: who the user is (`aud` is the app client).
    Id,
    /// An access token: what the caller may do (`client_id` is the app client, `scope` lists
    /// the scopes).
    Access,
}

impl TokenUse {
    /// The claim value: `"id"` or `"access"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "id" => Some(TokenUse::Id),
            "access" => Some(TokenUse::Access),
            _ => None,
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which token uses a user pool accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllowedTokenUse {
    /// ID tokens only.
    Id,
    /// Access tokens only.
    Access,
    /// ID or access tokens.
    Either,
}

impl AllowedTokenUse {
    pub(crate) fn allows(self, token_use: TokenUse) -> bool {
        matches!(
            (self, token_use),
            (AllowedTokenUse::Either, _)
                | (AllowedTokenUse::Id, TokenUse::Id)
                | (AllowedTokenUse::Access, TokenUse::Access)
        )
    }
}

impl From<TokenUse> for AllowedTokenUse {
    fn from(token_use: TokenUse) -> Self {
        match token_use {
            TokenUse::Id => AllowedTokenUse::Id,
            TokenUse::Access => AllowedTokenUse::Access,
        }
    }
}

/// Type-state marker: no app client (or audience) has been chosen yet, so the configuration
/// cannot be turned into a verifier.
#[derive(Debug, Clone, Copy)]
pub struct NoClient;

/// Type-state marker: the app clients (or audiences) are chosen, or any client is accepted by
/// an explicit `.any_client()` / `.any_audience()`.
#[derive(Debug, Clone, Copy)]
pub struct ClientChosen;

/// Type-state marker: the token use a [`UserPool`] accepts is not chosen yet, so it cannot be
/// turned into a verifier.
#[derive(Debug, Clone, Copy)]
pub struct NoTokenUse;

/// Type-state marker: the token use is chosen (`.token_use(..)`), or both ID and access tokens
/// are accepted by an explicit `.any_token_use()`.
#[derive(Debug, Clone, Copy)]
pub struct TokenUseChosen;

/// Where an issuer's keys come from.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    /// Fetched (and refreshed) from this URL.
    Url(String),
    /// Fixed at configuration time; never fetched.
    Static(Jwks),
}

/// Claim rules that differ between Cognito and other OIDC issuers.
#[derive(Debug, Clone)]
pub(crate) enum ClaimRules {
    Cognito {
        /// `None`: any client (opted into by name).
        clients: Option<Box<[Box<str>]>>,
        token_use: AllowedTokenUse,
        /// `Some`: access tokens must carry one of these in `aud`.
        resource_audiences: Option<Box<[Box<str>]>>,
    },
    Oidc {
        /// `None`: any audience (opted into by name).
        audiences: Option<Box<[Box<str>]>>,
    },
}

/// An issuer ready for a verifier: the accepted `iss` values, its keys and its claim rules.
#[derive(Debug, Clone)]
pub(crate) struct IssuerSpec {
    pub(crate) accepted_iss: Vec<String>,
    /// The provider name of this issuer in an identity pool's `Logins` map.
    pub(crate) login_provider: Arc<str>,
    pub(crate) keys: KeySource,
    pub(crate) rules: ClaimRules,
}

/// An Amazon Cognito user pool whose tokens are accepted.
///
/// `UserPool::new` derives the issuer (`https://cognito-idp.{region}.amazonaws.com/{pool}`) and
/// the JWKS URL from the pool id. Two choices are mandatory before it can verify anything:
///
/// - the app client: [`client_id`](UserPool::client_id) (repeatable) or, to accept tokens of
///   every client of the pool, [`any_client`](UserPool::any_client);
/// - the token use: [`token_use`](UserPool::token_use) with [`TokenUse::Access`] (an API
///   called with access tokens, the usual case) or [`TokenUse::Id`], or, to accept both,
///   [`any_token_use`](UserPool::any_token_use).
///
/// ```compile_fail
/// use cognito_core::{UserPool, Verifier};
///
/// // No token use chosen: not a verifier.
/// let pool = UserPool::new("eu-west-1_AbCdEf123")?.client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?;
/// let verifier = Verifier::from(pool);
/// # Ok::<(), cognito_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct UserPool<C = ClientChosen, U = TokenUseChosen> {
    pool_id: Box<str>,
    region: Box<str>,
    clients: Vec<Box<str>>,
    any_client: bool,
    token_use: AllowedTokenUse,
    resource_audiences: Vec<Box<str>>,
    issuer: String,
    updated_issuer: bool,
    jwks: Option<KeySource>,
    allow_http: bool,
    state: PhantomData<(C, U)>,
}

impl UserPool<NoClient, NoTokenUse> {
    /// A user pool by its id, e.g. `"eu-west-1_AbCdEf123"` (the region is the part before `_`).
    ///
    /// # Errors
    /// `pool_id` when the id is not `{region}_{suffix}` with a plausible AWS region and an
    /// alphanumeric suffix.
    pub fn new(pool_id: &str) -> Result<Self, ConfigError> {
        let region = parse_pool_id(pool_id)?;
        Ok(UserPool {
            pool_id: pool_id.into(),
            region: region.into(),
            clients: Vec::new(),
            any_client: false,
            token_use: AllowedTokenUse::Either,
            resource_audiences: Vec::new(),
            issuer: format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
            updated_issuer: false,
            jwks: None,
            allow_http: false,
            state: PhantomData,
        })
    }
}

impl<C, U> UserPool<C, U> {
    /// Accepts tokens issued to this app client: ID tokens whose `aud` is it, access tokens whose
    /// `client_id` is it. Call again to accept several clients. Cancels an earlier
    /// [`any_client`](UserPool::any_client): the last of the two wins.
    ///
    /// # Errors
    /// `client_id` when the id is empty, longer than 128 characters or not `[A-Za-z0-9_+]`.
    pub fn client_id(self, client_id: &str) -> Result<UserPool<ClientChosen, U>, ConfigError> {
        validate_client_id(client_id)?;
        let mut pool = self.into_state::<ClientChosen, U>();
        pool.any_client = false;
        if !pool.clients.iter().any(|c| &**c == client_id) {
            pool.clients.push(client_id.into());
        }
        Ok(pool)
    }

    /// Accepts tokens of every app client of the pool.
    ///
    /// Any application registered in the pool can then call this API with its users' tokens;
    /// prefer [`client_id`](UserPool::client_id). Overrides any client ids set.
    #[must_use]
    pub fn any_client(self) -> UserPool<ClientChosen, U> {
        let mut pool = self.into_state::<ClientChosen, U>();
        pool.any_client = true;
        pool
    }

    /// Accepts tokens of this use only: [`TokenUse::Access`] for an API called with access
    /// tokens (scopes, `client_id`), [`TokenUse::Id`] for one called with ID tokens (user
    /// attributes, `aud`). A token of the other use is refused (401 `invalid_token`). Cancels
    /// an earlier [`any_token_use`](UserPool::any_token_use): the last of the two wins.
    #[must_use]
    pub fn token_use(self, token_use: TokenUse) -> UserPool<C, TokenUseChosen> {
        let mut pool = self.into_state::<C, TokenUseChosen>();
        pool.token_use = token_use.into();
        pool
    }

    /// Accepts ID and access tokens alike.
    ///
    /// An ID token carries no scopes and names its client in `aud`, an access token no user
    /// attributes; a route that reads either must then be ready for both (a
    /// [`Require::token_use`](crate::Require::token_use) rule, or the `IdToken`/`AccessToken`
    /// extractors, narrow it again). Prefer [`token_use`](UserPool::token_use).
    #[must_use]
    pub fn any_token_use(self) -> UserPool<C, TokenUseChosen> {
        let mut pool = self.into_state::<C, TokenUseChosen>();
        pool.token_use = AllowedTokenUse::Either;
        pool
    }

    /// Accepts access tokens only when they are bound to this API: their `aud` must name
    /// `audience` (the resource server identifier the client asked for with the `resource`
    /// parameter, e.g. `"https://api.example.com"`). Call again to accept any of several.
    ///
    /// Without it, access tokens are checked by `client_id` alone and an `aud` in them is
    /// ignored, as Cognito documents. ID tokens are never affected: their `aud` is the app
    /// client.
    ///
    /// # Errors
    /// `resource_audience` when it is empty, longer than 1024 bytes or contains control
    /// characters.
    pub fn resource_audience(mut self, audience: &str) -> Result<Self, ConfigError> {
        validate_audience("resource_audience", audience)?;
        if !self.resource_audiences.iter().any(|a| &**a == audience) {
            self.resource_audiences.push(audience.into());
        }
        Ok(self)
    }

    /// Replaces the expected `iss` value, for emulators (moto, cognito-local) and proxies.
    /// Unless [`jwks_url`](UserPool::jwks_url) is set, keys are then fetched from
    /// `{issuer}/.well-known/jwks.json`.
    ///
    /// # Errors
    /// `issuer` when it is not an absolute https URL (http only for loopback hosts, or after
    /// [`dangerous_allow_http`](UserPool::dangerous_allow_http)).
    pub fn issuer(mut self, issuer: &str) -> Result<Self, ConfigError> {
        validate_url("issuer", issuer, self.allow_http)?;
        self.issuer = issuer.to_owned();
        Ok(self)
    }

    /// Also accepts the newer issuer form `https://issuer-cognito-idp.{region}.amazonaws.com/{pool}`
    /// (a pool whose issuer configuration is `UPDATED`). Keys still come from the pool's JWKS URL.
    #[must_use]
    pub fn accept_updated_issuer(mut self) -> Self {
        self.updated_issuer = true;
        self
    }

    /// Fetches the pool's keys from this URL instead of the one derived from the issuer.
    ///
    /// # Errors
    /// `jwks_url` when it is not an absolute https URL (http only for loopback hosts, or after
    /// [`dangerous_allow_http`](UserPool::dangerous_allow_http)).
    pub fn jwks_url(mut self, url: &str) -> Result<Self, ConfigError> {
        validate_url("jwks_url", url, self.allow_http)?;
        self.jwks = Some(KeySource::Url(url.to_owned()));
        Ok(self)
    }

    /// Uses these keys and never fetches any: for offline use and tests.
    #[must_use]
    pub fn jwks(mut self, jwks: Jwks) -> Self {
        self.jwks = Some(KeySource::Static(jwks));
        self
    }

    /// Allows plain-http issuer and JWKS URLs on hosts that are not loopback, e.g. an emulator
    /// reached by a container name. Keys fetched over plain http can be replaced by anyone on
    /// the network path, so never use this against a real pool. Call it before
    /// [`issuer`](UserPool::issuer) or [`jwks_url`](UserPool::jwks_url).
    #[must_use]
    pub fn dangerous_allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// The pool id.
    #[must_use]
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }

    /// The region, from the pool id.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The expected `iss` value.
    #[must_use]
    pub fn issuer_url(&self) -> &str {
        &self.issuer
    }

    fn into_state<D, V>(self) -> UserPool<D, V> {
        UserPool {
            pool_id: self.pool_id,
            region: self.region,
            clients: self.clients,
            any_client: self.any_client,
            token_use: self.token_use,
            resource_audiences: self.resource_audiences,
            issuer: self.issuer,
            updated_issuer: self.updated_issuer,
            jwks: self.jwks,
            allow_http: self.allow_http,
            state: PhantomData,
        }
    }
}

impl UserPool<ClientChosen, TokenUseChosen> {
    pub(crate) fn into_spec(self) -> IssuerSpec {
        let mut accepted_iss = vec![self.issuer.clone()];
        if self.updated_issuer {
            accepted_iss.push(format!(
                "https://issuer-cognito-idp.{}.amazonaws.com/{}",
                self.region, self.pool_id
            ));
        }
        let keys = self.jwks.unwrap_or_else(|| {
            KeySource::Url(format!(
                "{}/.well-known/jwks.json",
                self.issuer.trim_end_matches('/')
            ))
        });
        let clients = (!self.any_client).then(|| self.clients.into_boxed_slice());
        IssuerSpec {
            accepted_iss,
            login_provider: format!("cognito-idp.{}.amazonaws.com/{}", self.region, self.pool_id)
                .into(),
            keys,
            rules: ClaimRules::Cognito {
                clients,
                token_use: self.token_use,
                resource_audiences: (!self.resource_audiences.is_empty())
                    .then(|| self.resource_audiences.into_boxed_slice()),
            },
        }
    }
}

impl<C, U> fmt::Debug for UserPool<C, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserPool")
            .field("pool_id", &self.pool_id)
            .field("clients", &self.clients)
            .field("any_client", &self.any_client)
            .field("token_use", &self.token_use)
            .field("resource_audiences", &self.resource_audiences)
            .field("issuer", &self.issuer)
            .field("updated_issuer", &self.updated_issuer)
            .finish_non_exhaustive()
    }
}

/// Any OpenID Connect issuer (Google, Auth0, Okta, another Cognito-federated IdP): tokens are
/// RS256 JWTs whose `iss` is the issuer URL and whose `aud` names this API.
///
/// ```
/// use cognito_core::{OidcIssuer, Verifier};
///
/// let google = OidcIssuer::new("https://accounts.google.com")?
///     .audience("1234-abc.apps.googleusercontent.com")?
///     .jwks_url("https://www.googleapis.com/oauth2/v3/certs")?;
/// let verifier = Verifier::builder().oidc(google).build()?;
/// # let _ = verifier;
/// # Ok::<(), cognito_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct OidcIssuer<C = ClientChosen> {
    issuer: String,
    audiences: Vec<Box<str>>,
    any_audience: bool,
    jwks: Option<KeySource>,
    allow_http: bool,
    state: PhantomData<C>,
}

impl OidcIssuer<NoClient> {
    /// An issuer by its `iss` value. Keys come from `{issuer}/.well-known/jwks.json` unless
    /// [`jwks_url`](OidcIssuer::jwks_url) says otherwise.
    ///
    /// # Errors
    /// `issuer` when it is not an absolute https URL (http only for loopback hosts).
    pub fn new(issuer: &str) -> Result<Self, ConfigError> {
        validate_url("issuer", issuer, false)?;
        Ok(OidcIssuer {
            issuer: issuer.to_owned(),
            audiences: Vec::new(),
            any_audience: false,
            jwks: None,
            allow_http: false,
            state: PhantomData,
        })
    }

    /// Like [`new`](OidcIssuer::new), also allowing plain http on any host. See
    /// [`UserPool::dangerous_allow_http`] for the risk.
    ///
    /// # Errors
    /// `issuer` when it is not an absolute http(s) URL.
    pub fn dangerous_new_over_http(issuer: &str) -> Result<Self, ConfigError> {
        validate_url("issuer", issuer, true)?;
        let mut oidc = Self::new_unchecked(issuer);
        oidc.allow_http = true;
        Ok(oidc)
    }

    fn new_unchecked(issuer: &str) -> Self {
        OidcIssuer {
            issuer: issuer.to_owned(),
            audiences: Vec::new(),
            any_audience: false,
            jwks: None,
            allow_http: false,
            state: PhantomData,
        }
    }
}

impl<C> OidcIssuer<C> {
    /// Accepts tokens whose `aud` (a string, or an array) contains this value. Repeatable.
    /// Cancels an earlier [`any_audience`](OidcIssuer::any_audience): the last of the two wins.
    ///
    /// # Errors
    /// `audience` when it is empty, longer than 1024 bytes or contains control characters.
    pub fn audience(self, audience: &str) -> Result<OidcIssuer<ClientChosen>, ConfigError> {
        validate_audience("audience", audience)?;
        let mut oidc = self.into_state::<ClientChosen>();
        oidc.any_audience = false;
        if !oidc.audiences.iter().any(|a| &**a == audience) {
            oidc.audiences.push(audience.into());
        }
        Ok(oidc)
    }

    /// Accepts tokens whatever their `aud`. Tokens this issuer minted for any other application
    /// are then accepted too; prefer [`audience`](OidcIssuer::audience).
    #[must_use]
    pub fn any_audience(self) -> OidcIssuer<ClientChosen> {
        let mut oidc = self.into_state::<ClientChosen>();
        oidc.any_audience = true;
        oidc
    }

    /// Fetches keys from this URL.
    ///
    /// # Errors
    /// `jwks_url` when it is not an absolute https URL (http only for loopback hosts or when the
    /// issuer was made with [`dangerous_new_over_http`](OidcIssuer::dangerous_new_over_http)).
    pub fn jwks_url(mut self, url: &str) -> Result<Self, ConfigError> {
        validate_url("jwks_url", url, self.allow_http)?;
        self.jwks = Some(KeySource::Url(url.to_owned()));
        Ok(self)
    }

    /// Uses these keys and never fetches any.
    #[must_use]
    pub fn jwks(mut self, jwks: Jwks) -> Self {
        self.jwks = Some(KeySource::Static(jwks));
        self
    }

    /// The expected `iss` value.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    fn into_state<D>(self) -> OidcIssuer<D> {
        OidcIssuer {
            issuer: self.issuer,
            audiences: self.audiences,
            any_audience: self.any_audience,
            jwks: self.jwks,
            allow_http: self.allow_http,
            state: PhantomData,
        }
    }
}

impl OidcIssuer<ClientChosen> {
    pub(crate) fn into_spec(self) -> IssuerSpec {
        let keys = self.jwks.unwrap_or_else(|| {
            KeySource::Url(format!(
                "{}/.well-known/jwks.json",
                self.issuer.trim_end_matches('/')
            ))
        });
        let audiences = (!self.any_audience).then(|| self.audiences.into_boxed_slice());
        let login_provider = self
            .issuer
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .into();
        IssuerSpec {
            accepted_iss: vec![self.issuer],
            login_provider,
            keys,
            rules: ClaimRules::Oidc { audiences },
        }
    }
}

impl<C> fmt::Debug for OidcIssuer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcIssuer")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("any_audience", &self.any_audience)
            .finish_non_exhaustive()
    }
}

/// Checks `{region}_{suffix}` and returns the region.
fn parse_pool_id(pool_id: &str) -> Result<&str, ConfigError> {
    let bad = |why: &'static str| ConfigError::new("pool_id", why);
    if pool_id.len() > 55 {
        return Err(bad("longer than 55 characters"));
    }
    let (region, suffix) = pool_id
        .split_once('_')
        .ok_or_else(|| bad("expected `{region}_{id}`, e.g. `eu-west-1_AbCdEf123`"))?;
    if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("the part after `_` must be letters and digits"));
    }
    if !is_region(region) {
        return Err(bad(
            "the part before `_` must be a region such as `eu-west-1`",
        ));
    }
    Ok(region)
}

/// Lowercase letters, digits and `-`, starting with a letter: `us-east-1`, `us-gov-west-1`, and
/// the `local` region of cognito-local. Enough to keep the region from changing the shape of the
/// URLs built from it.
fn is_region(region: &str) -> bool {
    region.len() <= 32
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn validate_audience(field: &'static str, audience: &str) -> Result<(), ConfigError> {
    if audience.is_empty() || audience.len() > 1024 || audience.chars().any(char::is_control) {
        return Err(ConfigError::new(
            field,
            "must be 1 to 1024 characters without control characters",
        ));
    }
    Ok(())
}

fn validate_client_id(client_id: &str) -> Result<(), ConfigError> {
    let ok = !client_id.is_empty()
        && client_id.len() <= 128
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(
            "client_id",
            "must be 1 to 128 characters of letters, digits, `_` or `+`",
        ))
    }
}

/// An absolute https URL, or http when the host is loopback or `allow_http` is set.
pub(crate) fn validate_url(
    field: &'static str,
    url: &str,
    allow_http: bool,
) -> Result<(), ConfigError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| ConfigError::new(field, "not an absolute URL"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| ConfigError::new(field, "the URL has no host"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ConfigError::new(
            field,
            "credentials in the URL are not allowed",
        ));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(host) => Ok(()),
        "http" => Err(ConfigError::new(
            field,
            "plain http is only allowed for loopback hosts; call `dangerous_allow_http()` first \
             to allow it elsewhere",
        )),
        _ => Err(ConfigError::new(field, "the URL must be https")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_id_derives_region_issuer_and_jwks_url() {
        let pool = UserPool::new("eu-west-1_AbCdEf123")
            .unwrap()
            .client_id("abc")
            .unwrap()
            .any_token_use();
        assert_eq!(pool.region(), "eu-west-1");
        let spec = pool.into_spec();
        assert_eq!(
            spec.accepted_iss,
            ["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"]
        );
        match spec.keys {
            KeySource::Url(url) => assert_eq!(
                url,
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
            ),
            KeySource::Static(_) => panic!("expected a URL"),
        }
    }

    #[test]
    fn malformed_pool_ids_name_the_pool_id_field() {
        for bad in [
            "",
            "eu-west-1",
            "_abc",
            "eu-west-1_",
            "eu-west-1_ab/c",
            "EU-WEST-1_abc",
            "evil.com/x_abc",
            "eu west_abc",
            "-eu_abc",
        ] {
            let err = UserPool::new(bad).unwrap_err();
            assert_eq!(err.field(), "pool_id", "{bad}");
        }
        assert!(UserPool::new("us-gov-west-1_abc123").is_ok());
        // The emulators' pool ids: moto's long hex suffix, cognito-local's `local` region.
        assert!(UserPool::new("us-east-1_0123456789abcdef0123456789abcdef").is_ok());
        assert!(UserPool::new("local_4ZZ0rDyd").is_ok());
    }

    #[test]
    fn updated_issuer_is_accepted_only_when_opted_in() {
        let pool = UserPool::new("us-east-1_abc")
            .unwrap()
            .any_client()
            .any_token_use();
        assert_eq!(pool.clone().into_spec().accepted_iss.len(), 1);
        let spec = pool.accept_updated_issuer().into_spec();
        assert_eq!(
            spec.accepted_iss[1],
            "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
        );
    }

    #[test]
    fn plain_http_is_refused_unless_loopback_or_opted_in() {
        let pool = UserPool::new("us-east-1_abc").unwrap();
        let err = pool
            .clone()
            .jwks_url("http://keys.example.com/jwks")
            .unwrap_err();
        assert_eq!(err.field(), "jwks_url");
        assert!(pool.clone().jwks_url("http://127.0.0.1:9/jwks").is_ok());
        assert!(pool.clone().jwks_url("http://[::1]:9/jwks").is_ok());
        assert!(pool.clone().issuer("http://localhost:9229/p").is_ok());
        assert_eq!(
            pool.clone()
                .issuer("http://emulator:9229/p")
                .unwrap_err()
                .field(),
            "issuer"
        );
        assert!(
            pool.clone()
                .dangerous_allow_http()
                .jwks_url("http://emulator:9229/jwks")
                .is_ok()
        );
        assert_eq!(pool.jwks_url("ftp://x/y").unwrap_err().field(), "jwks_url");
        assert!(OidcIssuer::new("http://idp.example.com").is_err());
        assert!(OidcIssuer::dangerous_new_over_http("http://idp.example.com").is_ok());
    }

    #[test]
    fn client_ids_are_validated() {
        let pool = UserPool::new("us-east-1_abc").unwrap();
        assert_eq!(pool.clone().client_id("").unwrap_err().field(), "client_id");
        assert_eq!(
            pool.clone().client_id("a b").unwrap_err().field(),
            "client_id"
        );
        assert!(pool.client_id("4h5j6k+_x").is_ok());
    }

    #[test]
    fn issuer_override_moves_the_default_jwks_url() {
        let spec = UserPool::new("us-east-1_abc")
            .unwrap()
            .issuer("http://127.0.0.1:9229/us-east-1_abc/")
            .unwrap()
            .any_client()
            .any_token_use()
            .into_spec();
        assert_eq!(spec.accepted_iss, ["http://127.0.0.1:9229/us-east-1_abc/"]);
        assert!(matches!(spec.keys,
            KeySource::Url(u) if u == "http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json"));
    }
}
