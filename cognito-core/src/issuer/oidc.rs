//! Other OpenID Connect issuers: an issuer URL, its audiences, its keys.

use std::fmt;
use std::marker::PhantomData;

use super::validation::validate_audience;
use super::{ClaimRules, ClientChosen, IssuerSpec, KeySource, NoClient, validate_url};
use crate::crypto::{Algorithm, Algorithms};
use crate::error::ConfigError;
use crate::jwks::Jwks;

/// Any OpenID Connect issuer (Google, Auth0, Okta, another Cognito-federated IdP): tokens are
/// JWTs whose `iss` is the issuer URL and whose `aud` names this API.
///
/// Tokens may be signed with any [`Algorithm`] (`RS256`, `RS384`, `RS512`, `PS256`, `PS384`,
/// `PS512`, `ES256`, `ES384`, `ES512`, `EdDSA`), each only by a key of its type: the JWK's
/// `kty`, `crv` and `alg` (when present) must agree with the token's `alg` (see
/// [`Jwks`](crate::Jwks)). [`algorithms`](OidcIssuer::algorithms) narrows the list to what the
/// provider really uses.
///
/// ```
/// use cognito_core::{Algorithm, OidcIssuer, Verifier};
///
/// let google = OidcIssuer::new("https://accounts.google.com")?
///     .audience("1234-abc.apps.googleusercontent.com")?
///     .jwks_url("https://www.googleapis.com/oauth2/v3/certs")?;
/// let verifier = Verifier::builder().oidc(google).build()?;
/// # let _ = verifier;
///
/// // A provider that signs with ES256 and EdDSA only: tokens naming another algorithm are
/// // refused before any key is looked up.
/// let idp = OidcIssuer::new("https://idp.example.com")?
///     .audience("my-api")?
///     .algorithms([Algorithm::Es256, Algorithm::EdDsa])?;
/// # let _ = idp;
/// # Ok::<(), cognito_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct OidcIssuer<C = ClientChosen> {
    issuer: String,
    audiences: Vec<Box<str>>,
    any_audience: bool,
    jwks: Option<KeySource>,
    allow_http: bool,
    algorithms: Algorithms,
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
            algorithms: Algorithms::from_iter(Algorithm::ALL),
            state: PhantomData,
        })
    }

    /// Like [`new`](OidcIssuer::new), also allowing plain http on any host. See
    /// [`UserPool::dangerous_allow_http`](super::UserPool::dangerous_allow_http) for the risk.
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
            algorithms: Algorithms::from_iter(Algorithm::ALL),
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

    /// Accepts only tokens signed with one of these algorithms (default: every [`Algorithm`]).
    /// A token naming another is refused as [`UnsupportedAlgorithm`] before any key is looked
    /// up, even when the issuer publishes a key for it. Replaces an earlier list.
    ///
    /// [`UnsupportedAlgorithm`]: crate::ErrorKind::UnsupportedAlgorithm
    ///
    /// # Errors
    /// `algorithms` when the list is empty: no token could ever verify.
    pub fn algorithms(
        mut self,
        algorithms: impl IntoIterator<Item = Algorithm>,
    ) -> Result<Self, ConfigError> {
        let algorithms: Algorithms = algorithms.into_iter().collect();
        if algorithms.is_empty() {
            return Err(ConfigError::new(
                "algorithms",
                "the list is empty; no token could verify",
            ));
        }
        self.algorithms = algorithms;
        Ok(self)
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
            algorithms: self.algorithms,
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
            algorithms: self.algorithms,
        }
    }
}

impl<C> fmt::Debug for OidcIssuer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcIssuer")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("any_audience", &self.any_audience)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}
