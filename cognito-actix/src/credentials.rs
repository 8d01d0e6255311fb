//! The caller's AWS credentials as an extractor (feature `identity-pool`).

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use cognito_core::identity_pool::{CredentialExchange, CredentialsHandle};
use cognito_core::{Authentication, Error, Verifier};

use crate::TokenSource;
use crate::extract::ClaimsError;
use crate::source::lookup;

const MISSING_DATA: &str = "the AwsCredentials extractor needs \
     `App::app_data(IdentityPoolData::new(exchange))` and the CognitoAuth middleware in front of \
     the route";

/// The app data the [`AwsCredentials`] extractor reads: the [`CredentialExchange`] it exchanges
/// tokens with (built by [`cognito_core::identity_pool::IdentityPool`]), registered with
/// `App::new().app_data(IdentityPoolData::new(exchange)).wrap(CognitoAuth::new(pool))`.
///
/// Identity pools take ID tokens. When a request's bearer is an access token, the ID token is
/// read from [`id_token_from`](IdentityPoolData::id_token_from) and verified as an ID token of
/// the same user; otherwise the credentials are refused with 403.
#[derive(Clone)]
pub struct IdentityPoolData {
    exchange: CredentialExchange,
    id_token: Option<(TokenSource, Verifier)>,
}

impl IdentityPoolData {
    /// Exchanges tokens with `exchange`.
    #[must_use]
    pub fn new(exchange: CredentialExchange) -> Self {
        IdentityPoolData {
            exchange,
            id_token: None,
        }
    }

    /// Where to find the user's ID token when the bearer is an access token, and the verifier
    /// that checks it (the one `CognitoAuth` uses).
    #[must_use]
    pub fn id_token_from(mut self, source: TokenSource, verifier: Verifier) -> Self {
        self.id_token = Some((source, verifier));
        self
    }
}

impl fmt::Debug for IdentityPoolData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPoolData")
            .field("exchange", &self.exchange)
            .field("id_token_from", &self.id_token.as_ref().map(|(s, _)| s))
            .finish()
    }
}

/// Temporary AWS credentials for the caller, from the [`IdentityPoolData`] registered as app
/// data.
/// Derefs to [`cognito_core::identity_pool::AwsCredentials`], an AWS SDK credentials provider.
///
/// The exchange happens when a handler asks for this extractor, once per request, from the
/// exchange's caches. 401 for an anonymous request when the pool gives no guest credentials;
/// 403 when the identity pool refuses the user or no ID token of the user came with the
/// request; 503 with `Retry-After` when the identity pool is unavailable; 500 when the app data
/// or the `CognitoAuth` middleware is missing. (`Option<AwsCredentials>` would turn all of those
/// into `None`, as actix-web does for every extractor.)
#[derive(Clone)]
pub struct AwsCredentials(pub cognito_core::identity_pool::AwsCredentials);

impl AwsCredentials {
    /// The credentials.
    #[must_use]
    pub fn into_inner(self) -> cognito_core::identity_pool::AwsCredentials {
        self.0
    }
}

impl Deref for AwsCredentials {
    type Target = cognito_core::identity_pool::AwsCredentials;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The request's handle: made once, then shared by every extractor of the request.
fn handle(req: &HttpRequest, pool: &IdentityPoolData) -> CredentialsHandle {
    if let Some(handle) = req.extensions().get::<CredentialsHandle>() {
        return handle.clone();
    }
    let id_token = pool
        .id_token
        .as_ref()
        .map(|(source, verifier)| (lookup(&source.0, req).into_token(), verifier.clone()));
    let authentication = req.extensions().get::<Authentication>().cloned();
    let handle = CredentialsHandle::new(pool.exchange.clone(), authentication, id_token);
    req.extensions_mut().insert(handle.clone());
    handle
}

impl FromRequest for AwsCredentials {
    type Error = ClaimsError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(pool) = req.app_data::<IdentityPoolData>() else {
            tracing::error!("{MISSING_DATA}");
            let error = ClaimsError::new(req, Error::misconfigured(MISSING_DATA));
            return Box::pin(std::future::ready(Err(error)));
        };
        let handle = handle(req, pool);
        let req = req.clone();
        Box::pin(async move {
            handle
                .get()
                .await
                .map(AwsCredentials)
                .map_err(|error| ClaimsError::new(&req, error))
        })
    }
}
