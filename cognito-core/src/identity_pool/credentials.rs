//! Temporary AWS credentials for one identity.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, future};

/// Temporary AWS credentials from an identity pool, for one identity: an access key id, a
/// secret, a session token, their expiry, and the identity id (the
/// `${cognito-identity.amazonaws.com:sub}` of IAM policies).
///
/// `Debug` shows the access key id and the identity, never the secret or the session token;
/// there is no `Display`. It is a [`ProvideCredentials`], so an AWS SDK client can be built from
/// it directly, and converts into [`aws_credential_types::Credentials`].
#[derive(Clone)]
pub struct AwsCredentials {
    credentials: Credentials,
    identity_id: Arc<str>,
}

/// The provider name the SDK records for these credentials.
pub(crate) const PROVIDER_NAME: &str = "CognitoIdentityPool";

impl AwsCredentials {
    pub(crate) fn new(
        access_key_id: String,
        secret_access_key: String,
        session_token: String,
        expiration: SystemTime,
        identity_id: Arc<str>,
    ) -> Self {
        AwsCredentials {
            credentials: Credentials::new(
                access_key_id,
                secret_access_key,
                Some(session_token),
                Some(expiration),
                PROVIDER_NAME,
            ),
            identity_id,
        }
    }

    /// The access key id (`ASIA…`).
    #[must_use]
    pub fn access_key_id(&self) -> &str {
        self.credentials.access_key_id()
    }

    /// The secret access key.
    #[must_use]
    pub fn secret_access_key(&self) -> &str {
        self.credentials.secret_access_key()
    }

    /// The session token.
    #[must_use]
    pub fn session_token(&self) -> &str {
        self.credentials.session_token().unwrap_or_default()
    }

    /// When the credentials stop working.
    #[must_use]
    pub fn expiration(&self) -> SystemTime {
        self.credentials.expiry().unwrap_or(SystemTime::UNIX_EPOCH)
    }

    /// The identity id in the identity pool (`{region}:{uuid}`): the value of
    /// `${cognito-identity.amazonaws.com:sub}` in the role's IAM policies.
    #[must_use]
    pub fn identity_id(&self) -> &str {
        &self.identity_id
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id())
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &"** redacted **")
            .field("expiration", &self.expiration())
            .field("identity_id", &self.identity_id)
            .finish()
    }
}

impl From<AwsCredentials> for Credentials {
    fn from(credentials: AwsCredentials) -> Self {
        credentials.credentials
    }
}

impl ProvideCredentials for AwsCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Ok(self.credentials.clone()))
    }
}
