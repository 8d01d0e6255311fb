//! Creates everything the example needs on a moto server: a user pool with an app client and
//! two users, an identity pool that trusts the user pool, and the notes bucket.
//!
//! moto serves every AWS service on one port and checks no signature, so the calls below are
//! plain JSON 1.1 `POST`s (Cognito) and an S3 client with placeholder credentials (the bucket).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::DisplayErrorContext;
use serde_json::{Value, json};

use crate::{DEFAULT_BUCKET, Settings};

/// The users [`seed_moto`] creates, with their password.
pub const USERS: [&str; 2] = ["alice", "bob"];
/// The password of every user [`seed_moto`] creates.
pub const PASSWORD: &str = "correct horse";

/// What [`seed_moto`] created.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The settings that point the API at it.
    pub settings: Settings,
    /// moto's base URL.
    pub moto_url: String,
}

/// Creates a user pool, an app client, the users of [`USERS`] (password [`PASSWORD`]), an
/// identity pool trusting the pool's client, and the bucket [`DEFAULT_BUCKET`] on the moto
/// server at `moto_url`.
///
/// # Errors
/// When moto cannot be reached or refuses a call, with the operation and moto's answer.
pub async fn seed_moto(moto_url: &str) -> Result<Seeded, String> {
    let moto = Moto::new(moto_url)?;
    let suffix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());

    let pool = moto
        .user_pool(
            "CreateUserPool",
            json!({
                "PoolName": format!("notes-{suffix}"),
                "Policies": {"PasswordPolicy": {
                    "MinimumLength": 6, "RequireUppercase": false, "RequireLowercase": false,
                    "RequireNumbers": false, "RequireSymbols": false,
                }},
            }),
        )
        .await?;
    let user_pool_id = text(&pool, "/UserPool/Id")?;
    let client = moto
        .user_pool(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": user_pool_id,
                "ClientName": "notes-api",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            }),
        )
        .await?;
    let client_id = text(&client, "/UserPoolClient/ClientId")?;
    for user in USERS {
        moto.user_pool(
            "AdminCreateUser",
            json!({"UserPoolId": user_pool_id, "Username": user, "MessageAction": "SUPPRESS"}),
        )
        .await?;
        moto.user_pool(
            "AdminSetUserPassword",
            json!({"UserPoolId": user_pool_id, "Username": user, "Password": PASSWORD,
                   "Permanent": true}),
        )
        .await?;
    }

    let region = user_pool_id
        .split_once('_')
        .map_or("us-east-1", |(region, _)| region)
        .to_owned();
    let identity_pool = moto
        .identity_pool(
            "CreateIdentityPool",
            json!({
                "IdentityPoolName": format!("notes_{suffix}"),
                "AllowUnauthenticatedIdentities": false,
                "CognitoIdentityProviders": [{
                    "ProviderName": format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}"),
                    "ClientId": client_id,
                    "ServerSideTokenCheck": false,
                }],
            }),
        )
        .await?;
    let identity_pool_id = text(&identity_pool, "/IdentityPoolId")?;

    create_bucket(moto_url, &region, DEFAULT_BUCKET).await?;

    Ok(Seeded {
        settings: Settings {
            user_pool_id,
            client_id,
            identity_pool_id,
            endpoint_url: Some(moto.url.clone()),
            jwks_url: None,
            bucket: DEFAULT_BUCKET.to_owned(),
        },
        moto_url: moto.url,
    })
}

impl Seeded {
    /// Signs `username` in with `USER_PASSWORD_AUTH`, as an app would, and returns their ID
    /// token (the token identity pools take).
    ///
    /// # Errors
    /// When moto refuses the sign-in.
    pub async fn id_token(&self, username: &str, password: &str) -> Result<String, String> {
        let moto = Moto::new(&self.moto_url)?;
        let answer = moto
            .user_pool(
                "InitiateAuth",
                json!({
                    "ClientId": self.settings.client_id,
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": username, "PASSWORD": password},
                }),
            )
            .await?;
        text(&answer, "/AuthenticationResult/IdToken")
    }

    /// The `curl` command that signs `username` in on moto and prints their ID token.
    #[must_use]
    pub fn sign_in_command(&self, username: &str) -> String {
        format!(
            "curl -s {url}/ -H 'Content-Type: application/x-amz-json-1.1' \\\n  \
             -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \\\n  \
             -d '{{\"ClientId\":\"{client}\",\"AuthFlow\":\"USER_PASSWORD_AUTH\",\
             \"AuthParameters\":{{\"USERNAME\":\"{username}\",\"PASSWORD\":\"{PASSWORD}\"}}}}' \\\n  \
             | sed 's/.*\"IdToken\": *\"\\([^\"]*\\)\".*/\\1/'",
            url = self.moto_url,
            client = self.settings.client_id,
        )
    }
}

/// Creates `bucket` (an existing one of ours is fine).
async fn create_bucket(endpoint: &str, region: &str, bucket: &str) -> Result<(), String> {
    // moto checks no signature; the SDK still wants credentials to sign with.
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(
            "AKIDMOTOSETUP",
            "placeholder",
            None,
            None,
            "moto-setup",
        ))
        .build();
    let result = aws_sdk_s3::Client::from_conf(config)
        .create_bucket()
        .bucket(bucket)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_bucket_already_owned_by_you()) =>
        {
            Ok(())
        }
        Err(e) => Err(format!(
            "S3 CreateBucket {bucket}: {}",
            DisplayErrorContext(&e)
        )),
    }
}

/// moto's JSON 1.1 API.
struct Moto {
    url: String,
    http: reqwest::Client,
}

impl Moto {
    fn new(url: &str) -> Result<Moto, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        Ok(Moto {
            url: url.trim().trim_end_matches('/').to_owned(),
            http,
        })
    }

    async fn user_pool(&self, operation: &str, body: Value) -> Result<Value, String> {
        self.call("AWSCognitoIdentityProviderService", operation, body)
            .await
    }

    async fn identity_pool(&self, operation: &str, body: Value) -> Result<Value, String> {
        self.call("AWSCognitoIdentityService", operation, body)
            .await
    }

    async fn call(&self, service: &str, operation: &str, body: Value) -> Result<Value, String> {
        let failed = |what: String| format!("moto {operation} at {}: {what}", self.url);
        let response = self
            .http
            .post(format!("{}/", self.url))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", format!("{service}.{operation}"))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| failed(format!("{e} (is moto running?)")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| failed(format!("reading the answer: {e}")))?;
        if !status.is_success() {
            return Err(failed(format!("HTTP {status}: {text}")));
        }
        serde_json::from_str(&text).map_err(|e| failed(format!("not JSON ({e}): {text}")))
    }
}

fn text(answer: &Value, pointer: &str) -> Result<String, String> {
    answer
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no {pointer} in moto's answer: {answer}"))
}
