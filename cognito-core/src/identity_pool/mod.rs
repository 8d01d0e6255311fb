//! Temporary AWS credentials for verified users, from a Cognito identity pool (feature
//! `identity-pool`).
//!
//! The enhanced flow: `GetId` (the user's identity in the pool) then
//! `GetCredentialsForIdentity` (credentials under the pool's role for that identity), with the
//! `Logins` map keyed by the issuer of the verified ID token. Only tokens this crate verified are
//! ever sent: the exchange takes [`Claims`], which exist only for verified tokens.
//!
//! Identity ids are cached per (provider, subject): a user's identity is stable. Credentials
//! are cached per ID token (with its identity and role) until shortly before they expire:
//! which role Cognito grants depends on the claims of the token in `Logins` (role mapping by
//! `cognito:groups`, `cognito:preferred_role`, rules on any claim, or per app client), so a
//! user's new token is exchanged again rather than served credentials granted for an older one.
//! Concurrent requests carrying the same token share one call.
//!
//! ```no_run
//! use cognito_core::identity_pool::IdentityPool;
//!
//! let exchange = IdentityPool::new("eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678")?
//!     .role(|claims| claims.in_group("admin").then(|| "arn:aws:iam::111122223333:role/admins".to_owned()))
//!     .build();
//! # let _ = exchange;
//! # Ok::<(), cognito_core::ConfigError>(())
//! ```

mod credentials;
mod errors;
mod exchange;
mod handle;
mod settings;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_cognitoidentity::Client;
use aws_sdk_cognitoidentity::config::http::HttpResponse;
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use moka::Expiry;
use moka::future::Cache;
use tokio::sync::OnceCell;

pub use credentials::AwsCredentials;
use errors::{CallError, classify, incomplete};
use exchange::Caching;
pub use exchange::CredentialExchange;
pub use handle::CredentialsHandle;
pub use settings::IdentityPool;

use crate::authentication::Authentication;
use crate::claims::Claims;
use crate::clock::Clock;
use crate::error::{ConfigError, Error, ErrorKind};
use crate::issuer::{TokenUse, validate_url};
use crate::verifier::Verifier;

/// Default time before expiry at which cached credentials are replaced.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Default limit on connecting to the identity-pool endpoint.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default limit on one identity-pool call.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of identities (and of credential sets) kept.
pub const DEFAULT_CACHE_CAPACITY: u64 = 10_000;

/// The two calls of the exchange, as they are named in logs.
const GET_ID: &str = "GetId";
const GET_CREDENTIALS: &str = "GetCredentialsForIdentity";

type RoleChooser = Arc<dyn Fn(&Claims) -> Option<String> + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_pool_ids_are_validated() {
        assert!(IdentityPool::new("us-east-1:0a1b2c3d-1234-5678-9abc-def012345678").is_ok());
        for bad in [
            "",
            "us-east-1",
            "us-east-1:",
            "us-east-1:not-a-uuid",
            ":0a1b2c3d-1234-5678-9abc-def012345678",
            "us east:0a1b2c3d-1234-5678-9abc-def012345678",
            "us-east-1:0a1b2c3d-1234-5678-9abc-def01234567g",
        ] {
            assert_eq!(
                IdentityPool::new(bad).unwrap_err().field(),
                "identity_pool_id",
                "{bad}"
            );
        }
    }

    #[test]
    fn endpoint_must_be_https_or_loopback() {
        let pool = IdentityPool::new("us-east-1:0a1b2c3d-1234-5678-9abc-def012345678").unwrap();
        assert!(pool.clone().endpoint("http://127.0.0.1:5000").is_ok());
        assert_eq!(
            pool.endpoint("http://identity.example.com")
                .unwrap_err()
                .field(),
            "endpoint"
        );
    }

    #[test]
    fn debug_output_redacts_the_secrets() {
        let credentials = AwsCredentials::new(
            "ASIAEXAMPLE".into(),
            "very-secret".into(),
            "session-token".into(),
            SystemTime::UNIX_EPOCH,
            Arc::from("us-east-1:abc"),
        );
        let debug = format!("{credentials:?}");
        assert!(debug.contains("ASIAEXAMPLE"));
        assert!(!debug.contains("very-secret"));
        assert!(!debug.contains("session-token"));
    }
}
