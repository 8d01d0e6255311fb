//! A request's credentials, fetched on first use.

use super::*;

/// The caller's AWS credentials, fetched on first use and then kept for the request.
///
/// Adapters build one per request (the Tower `IdentityPoolLayer`, the actix middleware) and
/// store it in the request extensions; their extractors call [`get`](CredentialsHandle::get).
#[derive(Clone)]
pub struct CredentialsHandle {
    exchange: CredentialExchange,
    authentication: Option<Authentication>,
    /// The second-source ID token (absent or malformed: `None`) and its verifier.
    id_token: Option<(Option<String>, Verifier)>,
    resolved: Arc<OnceCell<Result<AwsCredentials, Error>>>,
}

impl CredentialsHandle {
    /// A handle for one request: what the auth middleware concluded (`None` when it is
    /// missing), and, when the bearer may be an access token, the request's second-source ID
    /// token (`None` when absent or malformed) with the verifier that checks it.
    #[must_use]
    pub fn new(
        exchange: CredentialExchange,
        authentication: Option<Authentication>,
        id_token: Option<(Option<String>, Verifier)>,
    ) -> Self {
        CredentialsHandle {
            exchange,
            authentication,
            id_token,
            resolved: Arc::new(OnceCell::new()),
        }
    }

    /// The credentials: the user's, the shared guest identity's for an anonymous request (when
    /// the pool allows guests), or why there are none.
    ///
    /// # Errors
    /// 401 (`MissingToken`) for an anonymous request without guest access; 403
    /// (`IdTokenRequired`) when the bearer is an access token and no ID token of the same user
    /// came with it; 403 / 503 / 500 when the identity pool refuses, fails or is misconfigured.
    pub async fn get(&self) -> Result<AwsCredentials, Error> {
        let resolved = self.resolved.get_or_init(|| self.fetch()).await;
        match resolved {
            Ok(credentials) => Ok(credentials.clone()),
            Err(error) => Err(Error::from(error.kind().clone())),
        }
    }

    /// Whether this request is anonymous and the pool gives no guest credentials: the
    /// credentials are then absent rather than an error.
    #[must_use]
    pub fn is_absent(&self) -> bool {
        matches!(self.authentication, Some(Authentication::Anonymous))
            && !self.exchange.guest_access()
    }

    async fn fetch(&self) -> Result<AwsCredentials, Error> {
        match &self.authentication {
            None => Err(Error::misconfigured(
                "the identity-pool layer must be placed inside the CognitoAuth layer",
            )),
            Some(Authentication::Anonymous) => self.exchange.guest_credentials().await,
            Some(Authentication::Verified(claims)) => match claims.token_use() {
                Some(TokenUse::Access) => self.with_id_token(claims).await,
                _ => self.exchange.credentials(claims).await,
            },
        }
    }

    async fn with_id_token(&self, access: &Claims) -> Result<AwsCredentials, Error> {
        let Some((Some(token), verifier)) = &self.id_token else {
            return Err(ErrorKind::IdTokenRequired.into());
        };
        // A second token that does not verify is not the user's ID token.
        let id = verifier
            .verify(token)
            .await
            .map_err(|_| Error::from(ErrorKind::IdTokenRequired))?;
        self.exchange.credentials_with_id_token(access, &id).await
    }
}

impl fmt::Debug for CredentialsHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsHandle")
            .field("exchange", &self.exchange)
            .field("resolved", &self.resolved.initialized())
            .finish_non_exhaustive()
    }
}
