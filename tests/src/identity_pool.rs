//! Identity pools on moto (cognito-local has none): [`EmulatorPool::create_identity_pool`] and
//! the [`EmulatorIdentityPool`] it makes.

use serde_json::{Value, json};

use crate::wire::{IDENTITY_TARGET_PREFIX, string_at, try_call, unique_name};
use crate::{Emulator, EmulatorPool};

/// Identity pools (moto only: cognito-local has none).
impl EmulatorPool {
    /// The key of this pool in an identity pool's `Logins` map and its `ProviderName`:
    /// `cognito-idp.<region>.amazonaws.com/<pool_id>`.
    pub fn login_provider(&self) -> String {
        format!("cognito-idp.{}.amazonaws.com/{}", self.region, self.pool_id)
    }

    /// Creates an identity pool (`CreateIdentityPool`) whose `CognitoIdentityProviders` name this
    /// user pool ([`login_provider`](Self::login_provider)) and its app client
    /// [`client_id`](Self::client_id); `allow_unauthenticated` allows guest identities (`GetId`
    /// without `Logins`).
    ///
    /// moto checks neither the provider nor the tokens later sent to `GetId`: it proves the wire
    /// protocol and the caching, not the authorization.
    ///
    /// # Panics
    ///
    /// On cognito-local (which has no identity pools), and when moto refuses the call.
    pub async fn create_identity_pool(&self, allow_unauthenticated: bool) -> EmulatorIdentityPool {
        assert_eq!(
            self.emulator,
            Emulator::Moto,
            "only moto has identity pools (cognito-local serves user pools only)"
        );
        let identity_pool = EmulatorIdentityPool {
            emulator: self.emulator,
            url: self.url.clone(),
            pool_id: String::new(),
            http: self.http.clone(),
        };
        let resp = identity_pool
            .call(
                "CreateIdentityPool",
                json!({
                    // Identity pool names allow word characters and spaces only.
                    "IdentityPoolName": unique_name("cognito_tests").replace('-', "_"),
                    "AllowUnauthenticatedIdentities": allow_unauthenticated,
                    "CognitoIdentityProviders": [{
                        "ProviderName": self.login_provider(),
                        "ClientId": self.client_id,
                        "ServerSideTokenCheck": false,
                    }],
                }),
            )
            .await;
        EmulatorIdentityPool {
            pool_id: string_at(&resp, "/IdentityPoolId", "CreateIdentityPool"),
            ..identity_pool
        }
    }
}

/// An identity pool on moto server, made by [`EmulatorPool::create_identity_pool`].
#[derive(Debug, Clone)]
pub struct EmulatorIdentityPool {
    /// The emulator the identity pool lives on (always moto).
    pub emulator: Emulator,
    /// The emulator's base URL, without a trailing slash: the identity-pool endpoint.
    pub url: String,
    /// The identity pool id, `<region>:<uuid>` (`us-east-1:…` on moto).
    pub pool_id: String,
    http: reqwest::Client,
}

impl EmulatorIdentityPool {
    /// The region part of the identity pool id.
    pub fn region(&self) -> &str {
        self.pool_id
            .split_once(':')
            .map_or("", |(region, _)| region)
    }

    /// `GetId` straight against the emulator: the identity id for `logins` (provider, ID
    /// token), or a guest identity without. moto answers a new identity id for every call.
    pub async fn get_id(&self, logins: Option<(&str, &str)>) -> String {
        let mut req = json!({"IdentityPoolId": self.pool_id});
        if let Some((provider, token)) = logins {
            req["Logins"] = json!({ provider: token });
        }
        let resp = self.call("GetId", req).await;
        string_at(&resp, "/IdentityId", "GetId")
    }

    /// Calls any identity-pool operation `op` (`X-Amz-Target: AWSCognitoIdentityService.<op>`,
    /// e.g. `"DescribeIdentityPool"`) on the emulator and returns the response body as JSON.
    ///
    /// # Panics
    ///
    /// When the emulator cannot be reached or answers an error, with `op` and the response body.
    pub async fn call(&self, op: &str, body: Value) -> Value {
        match try_call(&self.http, &self.url, IDENTITY_TARGET_PREFIX, op, &body).await {
            Ok(value) => value,
            Err(failure) => failure.panic(self.emulator, op),
        }
    }
}
