//! The settings of an identity pool, and the exchange they build.

use super::*;

/// An identity pool's settings. [`build`](IdentityPool::build) makes the
/// [`CredentialExchange`].
#[derive(Clone)]
#[must_use]
pub struct IdentityPool {
    pool_id: String,
    region: String,
    endpoint: Option<String>,
    role: Option<RoleChooser>,
    guest: bool,
    margin: Duration,
    connect_timeout: Duration,
    call_timeout: Duration,
    capacity: u64,
    clock: Clock,
}

impl IdentityPool {
    /// An identity pool by its id, `{region}:{uuid}`.
    ///
    /// # Errors
    /// `identity_pool_id` when the id is not `{region}:{uuid}`.
    pub fn new(pool_id: &str) -> Result<Self, ConfigError> {
        let bad = || {
            ConfigError::new(
                "identity_pool_id",
                "expected `{region}:{uuid}`, e.g. `eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678`",
            )
        };
        let (region, uuid) = pool_id.split_once(':').ok_or_else(bad)?;
        let region_ok = !region.is_empty()
            && region.len() <= 32
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let uuid_ok = uuid.len() == 36
            && uuid.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if !region_ok || !uuid_ok || pool_id.len() > 55 {
            return Err(bad());
        }
        Ok(IdentityPool {
            pool_id: pool_id.to_owned(),
            region: region.to_owned(),
            endpoint: None,
            role: None,
            guest: false,
            margin: DEFAULT_REFRESH_MARGIN,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            capacity: DEFAULT_CACHE_CAPACITY,
            clock: Clock::system(),
        })
    }

    /// Calls this endpoint instead of `https://cognito-identity.{region}.amazonaws.com`
    /// (emulators).
    ///
    /// # Errors
    /// `endpoint` when it is not an absolute https URL (http only on loopback hosts).
    pub fn endpoint(mut self, url: &str) -> Result<Self, ConfigError> {
        validate_url("endpoint", url, false)?;
        self.endpoint = Some(url.to_owned());
        Ok(self)
    }

    /// Chooses the role per user: the returned ARN is sent as `CustomRoleArn` (the identity
    /// pool must allow it, e.g. through token-based role mapping). `None` uses the pool's
    /// default role for the user.
    pub fn role(
        mut self,
        choose: impl Fn(&Claims) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.role = Some(Arc::new(choose));
        self
    }

    /// Hands anonymous requests the credentials of one shared unauthenticated (guest)
    /// identity. Off by default.
    pub fn guest_access(mut self) -> Self {
        self.guest = true;
        self
    }

    /// How long before expiry cached credentials are replaced. Default:
    /// [`DEFAULT_REFRESH_MARGIN`]. Never more than a quarter of the credentials' lifetime, so
    /// short-lived credentials are still reused.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Limits on connecting and on each call. Defaults: [`DEFAULT_CONNECT_TIMEOUT`],
    /// [`DEFAULT_CALL_TIMEOUT`].
    pub fn timeouts(mut self, connect: Duration, call: Duration) -> Self {
        self.connect_timeout = connect;
        self.call_timeout = call;
        self
    }

    /// Number of identities, and of credential sets (one per ID token), kept. Default:
    /// [`DEFAULT_CACHE_CAPACITY`].
    pub fn cache_capacity(mut self, entries: u64) -> Self {
        self.capacity = entries;
        self
    }

    /// The time source for credential expiry, for tests. Default: the system clock.
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// The identity pool id.
    #[must_use]
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }

    /// Builds the exchange. Calls are unsigned (`GetId` and `GetCredentialsForIdentity` are
    /// public operations), without retries: a throttled or failed call answers 503 with
    /// `Retry-After` at once rather than holding the request.
    #[must_use]
    pub fn build(self) -> CredentialExchange {
        use aws_sdk_cognitoidentity::config::retry::RetryConfig;
        use aws_sdk_cognitoidentity::config::timeout::TimeoutConfig;
        let mut config = aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_timeout(self.call_timeout)
                    .build(),
            );
        if let Some(endpoint) = &self.endpoint {
            config = config.endpoint_url(endpoint);
        }
        CredentialExchange::new(
            Client::from_conf(config.build()),
            self.pool_id,
            self.role,
            self.guest,
            Caching {
                capacity: self.capacity,
                margin: self.margin,
                clock: self.clock,
            },
        )
    }
}

impl fmt::Debug for IdentityPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPool")
            .field("pool_id", &self.pool_id)
            .field("endpoint", &self.endpoint)
            .field("role", &self.role.is_some())
            .field("guest", &self.guest)
            .field("refresh_margin", &self.margin)
            .finish_non_exhaustive()
    }
}
