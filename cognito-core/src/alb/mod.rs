//! Behind an Application Load Balancer: the identity it forwards, verified.
//!
//! A load balancer with an `authenticate-cognito` or `authenticate-oidc` action signs its users
//! in and forwards three headers: `x-amzn-oidc-data` (the user's claims in a token the load
//! balancer signs with ES256), `x-amzn-oidc-accesstoken` (the identity provider's access token)
//! and `x-amzn-oidc-identity` (the subject). Anyone who reaches the service around the load
//! balancer can send those headers too, and every load balancer of a region signs with keys
//! from the same public endpoint: only a token whose signature verifies *and* whose `signer` is
//! one of the configured load balancers proves that the request came through them.
//!
//! [`AlbVerifier::verify`] checks, in this order: the token's form (see below), the `signer`
//! (before any key is fetched), the app client, the issuer, the expiry, the signature with the
//! key the region publishes for the token's `kid` (a UUID, checked before it is put in a URL),
//! the payload, the identity header against the payload's `sub`, and, when configured, the
//! forwarded access token with a [`Verifier`], which then also gives the groups and scopes (the
//! load balancer's payload is the identity provider's user info, which has neither).
//!
//! The form accepted for these tokens, and only for them: segments may end in `=` padding, the
//! signature may be in the standard base64 alphabet, and it is the raw `R‖S` of ES256 (64
//! bytes; DER is refused). User info values are loosely typed (`"email_verified": "true"`).
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_core::alb::AlbHeaders;
//! use cognito_core::test_util::LocalAlb;
//!
//! // A local load balancer: an EC key, its PEM served on 127.0.0.1, ALB-shaped tokens.
//! let alb = LocalAlb::start()?;
//! let verifier = alb.verifier()?;
//!
//! let data = alb.token().sub("alice-sub").claim("email", "alice@example.com").sign();
//! let claims = verifier.verify(AlbHeaders::new(&data).identity("alice-sub")).await?;
//! assert_eq!(claims.sub(), "alice-sub");
//! assert_eq!(claims.email(), Some("alice@example.com"));
//!
//! let other = alb.token().signer(LocalAlb::OTHER_SIGNER).sign();
//! assert_eq!(verifier.verify(AlbHeaders::new(&other)).await.unwrap_err().status(), 401);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "test-util"))]
//! # fn main() {}
//! ```

mod arn;
mod token;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use arn::LoadBalancer;

use crate::claims::{Claims, StandardClaims, VerifiedToken};
use crate::clock::Clock;
use crate::crypto::Algorithm;
use crate::error::{ConfigError, Error, ErrorKind};
use crate::issuer::validate_url;
use crate::jwks::{FetchSettings, Fetcher, Jwks, KeyStore, Source};
use crate::payload::RawClaims;
use crate::verifier::{
    DEFAULT_JWKS_CONNECT_TIMEOUT, DEFAULT_JWKS_COOLDOWN, DEFAULT_JWKS_TIMEOUT,
    DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY, Verifier,
};

/// The largest load balancer key accepted, in bytes: a P-256 PEM is under 200.
const MAX_KEY_SIZE: usize = 4 * 1024;
/// Load balancer keys kept per verifier; they rotate rarely, so a few cover every kid in use.
const KEYS_KEPT: usize = 32;

/// The three headers a load balancer forwards, as a request carries them.
#[derive(Clone, Copy)]
pub struct AlbHeaders<'a> {
    data: &'a str,
    access_token: Option<&'a str>,
    identity: Option<&'a str>,
}

impl<'a> AlbHeaders<'a> {
    /// The headers of a request whose `x-amzn-oidc-data` is `data`.
    #[must_use]
    pub fn new(data: &'a str) -> Self {
        AlbHeaders {
            data,
            access_token: None,
            identity: None,
        }
    }

    /// With `x-amzn-oidc-accesstoken`.
    #[must_use]
    pub fn access_token(mut self, token: &'a str) -> Self {
        self.access_token = Some(token);
        self
    }

    /// With `x-amzn-oidc-identity`.
    #[must_use]
    pub fn identity(mut self, sub: &'a str) -> Self {
        self.identity = Some(sub);
        self
    }
}

impl fmt::Debug for AlbHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlbHeaders")
            .field("data", &"<token>")
            .field("access_token", &self.access_token.map(|_| "<token>"))
            .field("identity", &self.identity.is_some())
            .finish()
    }
}

/// The load balancers a service trusts, and what their tokens must say: built into an
/// [`AlbVerifier`].
///
/// ```
/// use cognito_core::alb::Alb;
///
/// let verifier = Alb::new("eu-west-1")?
///     .signer("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188")?
///     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
///     .issuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123")?
///     .build()?;
/// # let _ = verifier;
/// # Ok::<(), cognito_core::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Alb {
    region: Box<str>,
    signers: Vec<LoadBalancer>,
    client_id: Option<Box<str>>,
    issuer: Option<Box<str>>,
    key_endpoint: Option<String>,
    access: Option<Verifier>,
    leeway: Duration,
    clock: Clock,
}

impl Alb {
    /// The load balancers of `region` (`eu-west-1`, `us-gov-west-1`, …).
    ///
    /// # Errors
    /// `region` when it is not a region name.
    pub fn new(region: &str) -> Result<Self, ConfigError> {
        if !arn::is_region(region) {
            return Err(ConfigError::new(
                "region",
                "not a region name (eu-west-1, us-gov-west-1, …)",
            ));
        }
        Ok(Alb {
            region: region.into(),
            signers: Vec::new(),
            client_id: None,
            issuer: None,
            key_endpoint: None,
            access: None,
            leeway: Duration::ZERO,
            clock: Clock::system(),
        })
    }

    /// A load balancer allowed to sign, by its ARN; call once per load balancer. At least one
    /// is required: there is no "any signer".
    ///
    /// # Errors
    /// `signer` when `arn` is not an Application Load Balancer's ARN in this region and in the
    /// partition of the signers before it.
    pub fn signer(mut self, arn: &str) -> Result<Self, ConfigError> {
        let lb = LoadBalancer::parse(arn)?;
        if *lb.region != *self.region {
            return Err(ConfigError::new(
                "signer",
                "the load balancer is in another region than the one configured",
            ));
        }
        if self.signers.iter().any(|s| s.partition != lb.partition) {
            return Err(ConfigError::new(
                "signer",
                "the load balancers are in different partitions",
            ));
        }
        self.signers.push(lb);
        Ok(self)
    }

    /// The app client the load balancer signs users in to: the token header's `client`.
    ///
    /// # Errors
    /// `client_id` when empty, longer than 1024 characters or with control characters.
    pub fn client_id(mut self, client_id: &str) -> Result<Self, ConfigError> {
        check_text("client_id", client_id)?;
        self.client_id = Some(client_id.into());
        Ok(self)
    }

    /// The identity provider's issuer (for Cognito,
    /// `https://cognito-idp.{region}.amazonaws.com/{pool id}`): the token header's `iss`, and
    /// the payload's when it has one.
    ///
    /// # Errors
    /// `issuer` when empty, longer than 1024 characters or with control characters.
    pub fn issuer(mut self, issuer: &str) -> Result<Self, ConfigError> {
        check_text("issuer", issuer)?;
        self.issuer = Some(issuer.into());
        Ok(self)
    }

    /// Verifies the forwarded `x-amzn-oidc-accesstoken` too, with `verifier` (for Cognito, the
    /// pool's verifier for access tokens). Requests then need that header, its token's `sub`
    /// must be the user's, and the claims get its groups and scopes.
    pub fn access_token(mut self, verifier: impl Into<Verifier>) -> Self {
        self.access = Some(verifier.into());
        self
    }

    /// Where the keys are published, instead of the one the partition's endpoint form gives:
    /// for a partition without a known form, or a local test endpoint. Keys are read from
    /// `{url}/{kid}`.
    ///
    /// # Errors
    /// `key_endpoint` when not an https URL (http only on loopback).
    pub fn key_endpoint(mut self, url: &str) -> Result<Self, ConfigError> {
        validate_url("key_endpoint", url, false)?;
        self.key_endpoint = Some(url.trim_end_matches('/').to_owned());
        Ok(self)
    }

    /// Clock skew allowed on `exp`. Default: none; at most [`MAX_LEEWAY`].
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The clock tokens are checked against. Default: the system clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The verifier.
    ///
    /// # Errors
    /// `signer`, `client_id` or `issuer` when not set; `key_endpoint` when the signers'
    /// partition has no known key endpoint and none is set; `leeway` over [`MAX_LEEWAY`].
    pub fn build(self) -> Result<AlbVerifier, ConfigError> {
        let Some(first) = self.signers.first() else {
            return Err(ConfigError::new(
                "signer",
                "at least one load balancer ARN is required",
            ));
        };
        let client_id = self
            .client_id
            .ok_or_else(|| ConfigError::new("client_id", "the app client id is required"))?;
        let issuer = self.issuer.ok_or_else(|| {
            ConfigError::new("issuer", "the identity provider's issuer is required")
        })?;
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::new("leeway", "more than 300 seconds"));
        }
        let endpoint = match self.key_endpoint {
            Some(url) => url,
            None => arn::key_endpoint(&first.partition, &self.region).ok_or_else(|| {
                ConfigError::new(
                    "key_endpoint",
                    "no known key endpoint for this partition; set `key_endpoint`",
                )
            })?,
        };
        let login_provider = issuer.strip_prefix("https://").unwrap_or(&issuer).into();
        Ok(AlbVerifier {
            inner: Arc::new(Inner {
                signers: self.signers.into_iter().map(|s| s.arn).collect(),
                client_id,
                issuer,
                access: self.access,
                keys: KeyStore::new(
                    Source::PemPerKid {
                        endpoint,
                        limit: KEYS_KEPT,
                    },
                    Jwks::default(),
                ),
                fetcher: Fetcher::new(
                    DEFAULT_JWKS_CONNECT_TIMEOUT,
                    DEFAULT_JWKS_TIMEOUT,
                    MAX_KEY_SIZE,
                ),
                fetch: FetchSettings {
                    cooldown: DEFAULT_JWKS_COOLDOWN,
                },
                clock: self.clock,
                leeway: self.leeway.as_secs(),
                login_provider,
            }),
        })
    }
}

fn check_text(field: &'static str, text: &str) -> Result<(), ConfigError> {
    if text.is_empty() || text.len() > 1024 || text.chars().any(char::is_control) {
        return Err(ConfigError::new(
            field,
            "must be 1 to 1024 characters without control characters",
        ));
    }
    Ok(())
}

/// Verifies what a load balancer forwards: see the [module docs](self). Cheap to clone; every
/// clone shares the keys.
#[derive(Clone)]
pub struct AlbVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    signers: Vec<Box<str>>,
    client_id: Box<str>,
    issuer: Box<str>,
    access: Option<Verifier>,
    keys: KeyStore,
    fetcher: Fetcher,
    fetch: FetchSettings,
    clock: Clock,
    leeway: u64,
    login_provider: Arc<str>,
}

impl fmt::Debug for AlbVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlbVerifier")
            .field("signers", &self.inner.signers)
            .field("client_id", &self.inner.client_id)
            .field("issuer", &self.inner.issuer)
            .field("access_token", &self.inner.access.is_some())
            .finish_non_exhaustive()
    }
}

impl AlbVerifier {
    /// The verifier of the forwarded access tokens ([`Alb::access_token`]), or, without one,
    /// a verifier that accepts no issuer: what an auth layer reading this load balancer's
    /// headers holds as its verifier.
    #[must_use]
    pub fn bearer_verifier(&self) -> Verifier {
        self.inner
            .access
            .clone()
            .unwrap_or_else(Verifier::without_issuers)
    }

    /// The claims of the user the load balancer signed in.
    ///
    /// # Errors
    /// 401 refusals: [`ErrorKind::Malformed`] (form, a `kid` that is not a UUID, a DER
    /// signature), [`ErrorKind::UnsupportedAlgorithm`] (not ES256),
    /// [`ErrorKind::UntrustedSigner`], [`ErrorKind::WrongClient`],
    /// [`ErrorKind::UnknownIssuer`], [`ErrorKind::Expired`], [`ErrorKind::UnknownKeyId`],
    /// [`ErrorKind::InvalidSignature`], [`ErrorKind::IdentityMismatch`],
    /// [`ErrorKind::MissingToken`] (an access token is required and absent), and the access
    /// token's own refusals; 503 [`ErrorKind::KeysUnavailable`] or
    /// [`ErrorKind::KeyNotYetFetched`] when the key cannot be had.
    pub async fn verify(&self, headers: AlbHeaders<'_>) -> Result<Claims, Error> {
        let inner = &*self.inner;
        let token = token::parse(headers.data, DEFAULT_MAX_TOKEN_LEN, DEFAULT_MAX_JSON_DEPTH)?;
        let header = &token.header;
        if !inner.signers.iter().any(|s| **s == *header.signer) {
            return Err(ErrorKind::UntrustedSigner.into());
        }
        if *header.client != *inner.client_id {
            return Err(ErrorKind::WrongClient.into());
        }
        if *header.iss != *inner.issuer {
            return Err(ErrorKind::UnknownIssuer.into());
        }
        if inner.clock.unix_seconds() >= header.exp.saturating_add(inner.leeway) {
            return Err(ErrorKind::Expired.into());
        }
        let key = inner
            .keys
            .key(&header.kid, &inner.fetcher, inner.fetch, &inner.clock)
            .await?;
        if !key.verify(Algorithm::Es256, token.signing_input, &token.signature) {
            return Err(ErrorKind::InvalidSignature.into());
        }

        let raw = RawClaims::parse(&token.payload)?;
        let now = inner.clock.unix_seconds();
        if raw.iss.as_deref().is_some_and(|iss| iss != &*inner.issuer) {
            return Err(ErrorKind::UnknownIssuer.into());
        }
        if raw
            .exp
            .is_some_and(|exp| now >= exp.saturating_add(inner.leeway))
        {
            return Err(ErrorKind::Expired.into());
        }
        let sub = match raw.sub.as_deref() {
            None => return Err(ErrorKind::MissingClaim("sub").into()),
            Some("") => return Err(ErrorKind::InvalidClaim("sub").into()),
            Some(sub) => sub.to_owned(),
        };
        if headers.identity.is_some_and(|identity| identity != sub) {
            return Err(ErrorKind::IdentityMismatch.into());
        }
        let access = match &inner.access {
            None => None,
            Some(verifier) => {
                let token = headers.access_token.ok_or(ErrorKind::MissingToken)?;
                let access = verifier.verify(token).await?;
                if access.sub() != sub {
                    return Err(ErrorKind::IdentityMismatch.into());
                }
                Some(access)
            }
        };
        let mut std = StandardClaims::keep(raw, &token.payload);
        if let Some(access) = &access {
            std.adopt_groups_and_scopes(access.groups(), access.scopes_text());
        }
        Ok(Claims::from_verified(Arc::new(VerifiedToken::new(
            std,
            header.exp,
            None,
            token.payload,
            None,
            Arc::clone(&inner.login_provider),
            usize::MAX,
            key,
        ))))
    }
}
