//! Amazon Cognito user pools: the pool id, its app clients, its token use.

use std::fmt;
use std::marker::PhantomData;

use super::validation::validate_audience;
use super::{
    AllowedTokenUse, ClaimRules, ClientChosen, IssuerSpec, KeySource, NoClient, NoTokenUse,
    TokenUse, TokenUseChosen, validate_url,
};
use crate::crypto::{Algorithm, Algorithms};
use crate::error::ConfigError;
use crate::jwks::Jwks;
use crate::partition;

/// An Amazon Cognito user pool whose tokens are accepted.
///
/// `UserPool::new` derives the issuer (`https://cognito-idp.{region}.amazonaws.com/{pool}`; in
/// China `amazonaws.com.cn`, in the European Sovereign Cloud `amazonaws.eu`, each partition its
/// own suffix) and the JWKS URL from the pool id. Two choices are mandatory before it can verify anything:
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
            issuer: format!(
                "https://cognito-idp.{region}.{}/{pool_id}",
                partition::of_region(region).dns_suffix
            ),
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
                "https://issuer-cognito-idp.{}.{}/{}",
                self.region,
                partition::of_region(&self.region).dns_suffix,
                self.pool_id
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
            // Cognito signs with RS256 alone.
            algorithms: Algorithms::one(Algorithm::Rs256),
            accepted_iss,
            login_provider: format!(
                "cognito-idp.{}.{}/{}",
                self.region,
                partition::of_region(&self.region).dns_suffix,
                self.pool_id
            )
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
