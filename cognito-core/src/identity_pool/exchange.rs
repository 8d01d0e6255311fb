//! The exchange: `GetId` then `GetCredentialsForIdentity`, with an identity cache per user and a credentials cache per ID token.

use super::*;

/// The provider and subject an identity id is cached under; the guest identity has neither.
pub(super) type IdentityKey = (Arc<str>, Arc<str>);
/// An identity, the role its credentials are for, and the ID token they were exchanged for
/// (`None` for the guest identity). The token is part of the key because Cognito chooses the
/// role from its claims: credentials granted for one token are not the answer for another.
pub(super) type CredentialsKey = (Arc<str>, Option<Arc<str>>, Option<Arc<str>>);

/// Exchanges verified ID tokens for AWS credentials. Cheap to clone; clones share the caches.
#[derive(Clone)]
pub struct CredentialExchange {
    inner: Arc<Inner>,
}

/// How the exchange's caches are sized and when credentials leave them.
pub(super) struct Caching {
    pub(super) capacity: u64,
    pub(super) margin: Duration,
    pub(super) clock: Clock,
}

struct Inner {
    pool_id: String,
    client: Client,
    role: Option<RoleChooser>,
    guest: bool,
    clock: Clock,
    identities: Cache<IdentityKey, Arc<str>>,
    credentials: Cache<CredentialsKey, AwsCredentials>,
}

/// Credentials leave the cache `margin` before they expire (at most a quarter of their life).
pub(super) struct BeforeExpiry {
    margin: Duration,
    clock: Clock,
}

impl Expiry<CredentialsKey, AwsCredentials> for BeforeExpiry {
    fn expire_after_create(
        &self,
        _key: &CredentialsKey,
        value: &AwsCredentials,
        _created_at: Instant,
    ) -> Option<Duration> {
        let left = value
            .expiration()
            .duration_since(self.clock.now())
            .unwrap_or_default();
        Some(left.saturating_sub(self.margin.min(left / 4)))
    }
}

impl CredentialExchange {
    pub(super) fn new(
        client: Client,
        pool_id: String,
        role: Option<RoleChooser>,
        guest: bool,
        caching: Caching,
    ) -> Self {
        let identities = Cache::builder().max_capacity(caching.capacity).build();
        let credentials = Cache::builder()
            .max_capacity(caching.capacity)
            .expire_after(BeforeExpiry {
                margin: caching.margin,
                clock: caching.clock.clone(),
            })
            .build();
        CredentialExchange {
            inner: Arc::new(Inner {
                pool_id,
                client,
                role,
                guest,
                clock: caching.clock,
                identities,
                credentials,
            }),
        }
    }

    /// The identity pool id.
    #[must_use]
    pub fn pool_id(&self) -> &str {
        &self.inner.pool_id
    }

    /// Whether anonymous requests get guest credentials.
    #[must_use]
    pub fn guest_access(&self) -> bool {
        self.inner.guest
    }

    /// Credentials for the user of a verified ID token.
    ///
    /// One exchange per token: the credentials are cached for this exact token (until shortly
    /// before they expire) and shared by all concurrent requests carrying it. Another token of
    /// the same user reuses the cached identity id but is exchanged again, since the identity
    /// pool may map its claims to another role, or refuse it.
    ///
    /// # Errors
    /// [`ErrorKind::IdTokenRequired`] for an access token (identity pools take ID tokens; see
    /// [`credentials_with_id_token`](CredentialExchange::credentials_with_id_token));
    /// [`ErrorKind::CredentialsRefused`] when the identity pool refuses the user (403);
    /// [`ErrorKind::CredentialsUnavailable`] when it is throttling, failing or unreachable
    /// (503); `Misconfigured` when the identity pool's own configuration is wrong (500).
    pub async fn credentials(&self, claims: &Claims) -> Result<AwsCredentials, Error> {
        if claims.token_use() == Some(TokenUse::Access) {
            return Err(ErrorKind::IdTokenRequired.into());
        }
        let provider: Arc<str> = Arc::from(claims.login_provider());
        let logins = Some((Arc::clone(&provider), Arc::<str>::from(claims.token_text())));
        let identity_key = (provider, Arc::from(claims.sub()));
        let role = self
            .inner
            .role
            .as_ref()
            .and_then(|choose| choose(claims))
            .map(Arc::from);
        self.fetch(identity_key, logins, role).await
    }

    /// Credentials for a request whose bearer is an access token, using the same user's ID
    /// token from elsewhere (a header or cookie), verified by the caller.
    ///
    /// The two tokens must name the same `sub` and come from the same user pool, compared by
    /// the pool's `Logins` provider rather than by `iss`: a pool that accepts both issuer forms
    /// ([`UserPool::accept_updated_issuer`](crate::UserPool::accept_updated_issuer)) may see a
    /// user's access token in one form and their ID token in the other.
    ///
    /// # Errors
    /// [`ErrorKind::IdTokenRequired`] when `id` is not an ID token of the same user pool and
    /// subject as `access`; otherwise as [`credentials`](CredentialExchange::credentials).
    pub async fn credentials_with_id_token(
        &self,
        access: &Claims,
        id: &Claims,
    ) -> Result<AwsCredentials, Error> {
        let same_user = id.token_use() == Some(TokenUse::Id)
            && id.login_provider() == access.login_provider()
            && id.sub() == access.sub();
        if !same_user {
            return Err(ErrorKind::IdTokenRequired.into());
        }
        self.credentials(id).await
    }

    /// Credentials of the pool's shared guest identity.
    ///
    /// # Errors
    /// [`ErrorKind::MissingToken`] when guest access is off; otherwise as
    /// [`credentials`](CredentialExchange::credentials).
    pub async fn guest_credentials(&self) -> Result<AwsCredentials, Error> {
        if !self.inner.guest {
            return Err(Error::missing_token());
        }
        let key: IdentityKey = (Arc::from(""), Arc::from(""));
        self.fetch(key, None, None).await
    }

    async fn fetch(
        &self,
        identity_key: IdentityKey,
        logins: Option<(Arc<str>, Arc<str>)>,
        role: Option<Arc<str>>,
    ) -> Result<AwsCredentials, Error> {
        let inner = &self.inner;
        let identity_id = inner
            .identities
            .try_get_with(identity_key.clone(), self.get_id(logins.clone()))
            .await
            .map_err(|e| Error::from(*e))?;
        let token = logins.as_ref().map(|(_, token)| Arc::clone(token));
        let key = (Arc::clone(&identity_id), role.clone(), token);
        let result = inner
            .credentials
            .try_get_with(key, self.get_credentials(identity_id, logins, role))
            .await
            .map_err(|e| *e);
        if let Err(CallError::Refused) = result {
            // The identity may have been deleted or unlinked: ask for it again next time.
            inner.identities.invalidate(&identity_key).await;
        }
        result.map_err(Error::from)
    }

    async fn get_id(&self, logins: Option<(Arc<str>, Arc<str>)>) -> Result<Arc<str>, CallError> {
        let mut call = self
            .inner
            .client
            .get_id()
            .identity_pool_id(&self.inner.pool_id);
        if let Some((provider, token)) = logins {
            call = call.logins(&*provider, &*token);
        }
        let output = call.send().await.map_err(|e| classify(GET_ID, e))?;
        tracing::info!(pool = %self.inner.pool_id, "identity-pool GetId");
        output
            .identity_id()
            .map(Arc::from)
            .ok_or_else(|| incomplete(GET_ID, "the answer has no identity id"))
    }

    async fn get_credentials(
        &self,
        identity_id: Arc<str>,
        logins: Option<(Arc<str>, Arc<str>)>,
        role: Option<Arc<str>>,
    ) -> Result<AwsCredentials, CallError> {
        let mut call = self
            .inner
            .client
            .get_credentials_for_identity()
            .identity_id(&*identity_id);
        if let Some((provider, token)) = logins {
            call = call.logins(&*provider, &*token);
        }
        if let Some(role) = &role {
            call = call.custom_role_arn(&**role);
        }
        let output = call
            .send()
            .await
            .map_err(|e| classify(GET_CREDENTIALS, e))?;
        tracing::info!(pool = %self.inner.pool_id, "identity-pool GetCredentialsForIdentity");
        let credentials = output
            .credentials()
            .ok_or_else(|| incomplete(GET_CREDENTIALS, "the answer has no credentials"))?;
        let expiration = credentials
            .expiration()
            .and_then(|at| SystemTime::try_from(*at).ok())
            .ok_or_else(|| incomplete(GET_CREDENTIALS, "the credentials have no usable expiry"))?;
        match (
            credentials.access_key_id(),
            credentials.secret_key(),
            credentials.session_token(),
        ) {
            (Some(key), Some(secret), Some(session)) => Ok(AwsCredentials::new(
                key.to_owned(),
                secret.to_owned(),
                session.to_owned(),
                expiration,
                identity_id,
            )),
            _ => Err(incomplete(
                GET_CREDENTIALS,
                "the credentials lack a key id, secret key or session token",
            )),
        }
    }

    /// Drops every cached identity and credential set.
    pub fn clear(&self) {
        self.inner.identities.invalidate_all();
        self.inner.credentials.invalidate_all();
    }

    /// The time source in use.
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }
}

impl fmt::Debug for CredentialExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialExchange")
            .field("pool_id", &self.inner.pool_id)
            .field("guest", &self.inner.guest)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_leave_the_cache_before_they_expire() {
        let clock = crate::ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1000));
        let expiry = BeforeExpiry {
            margin: Duration::from_secs(300),
            clock: clock.clone().into(),
        };
        let make = |lifetime: u64| {
            AwsCredentials::new(
                "AKIA".into(),
                "secret".into(),
                "session".into(),
                clock.now() + Duration::from_secs(lifetime),
                Arc::from("id"),
            )
        };
        let key = (Arc::from("id"), None, None);
        let hour = expiry.expire_after_create(&key, &make(3600), Instant::now());
        assert_eq!(hour, Some(Duration::from_secs(3300)));
        // moto's 90-second credentials: the margin shrinks to a quarter of their life.
        let short = expiry.expire_after_create(&key, &make(90), Instant::now());
        assert_eq!(short, Some(Duration::from_millis(67_500)));
        let gone = expiry.expire_after_create(&key, &make(0), Instant::now());
        assert_eq!(gone, Some(Duration::ZERO));
    }
}
