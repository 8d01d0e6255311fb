//! Helpers shared by the integration tests: small clients for the two Amazon Cognito emulators
//! that `./scripts/test.sh` installs and starts, [moto server](https://pypi.org/project/moto/)
//! and [cognito-local](https://www.npmjs.com/package/cognito-local).
//!
//! An emulator test first asks [`emulator_url`] where its emulator runs (it panics under
//! `CI=true` when the emulators are missing, and skips otherwise), then creates a fresh user pool
//! with [`EmulatorPool::create`], seeds users and groups, and signs in through the emulator's real
//! API to get tokens to verify:
//!
//! ```no_run
//! use cognito_integration_tests::{Emulator, EmulatorPool, PoolOptions, emulator_url};
//!
//! # async fn demo() {
//! let Some(url) = emulator_url(Emulator::Moto) else { return };
//! let pool = EmulatorPool::create(Emulator::Moto, &url, PoolOptions::default()).await;
//! pool.create_user("alice", "correct horse", &[("email", "alice@example.com")]).await;
//! pool.add_to_group("alice", "admins").await;
//! let tokens = pool.sign_in(&pool.client_id, "alice", "correct horse").await;
//! // Verify `tokens.id_token` against `pool.issuer`, `pool.client_id` and `pool.jwks_url`.
//! # }
//! ```
//!
//! Every call is a JSON 1.1 `POST` to the emulator's root with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`; neither emulator checks signatures.
//! These are test helpers: any error from an emulator panics with the operation's name and the
//! response body.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

pub mod behaviour;
mod identity_endpoint;

pub use identity_endpoint::{IdentityAnswer, IdentityCall, IdentityEndpoint};

/// Environment variable holding the base URL of a running moto server (set by `./scripts/test.sh`).
pub const MOTO_URL_VAR: &str = "COGNITO_TEST_MOTO_URL";

/// Environment variable holding the base URL of a running cognito-local (set by `./scripts/test.sh`).
pub const COGNITO_LOCAL_URL_VAR: &str = "COGNITO_TEST_COGNITO_LOCAL_URL";

/// The `X-Amz-Target` prefix of user-pool operations.
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The `X-Amz-Target` prefix of identity-pool operations (`GetId`, `GetCredentialsForIdentity`…).
pub const IDENTITY_TARGET_PREFIX: &str = "AWSCognitoIdentityService.";
/// Both emulators want this content type (moto answers 500 without it).
const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// The flows every app client allows. These are the current names; `ALLOW_ADMIN_USER_PASSWORD_AUTH`
/// is what the legacy `ADMIN_NO_SRP_AUTH` flow needs. (Neither emulator enforces them.)
const EXPLICIT_AUTH_FLOWS: &[&str] = &[
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

/// Standard attributes the app clients may read. moto copies a standard attribute into the ID
/// token only when the client lists it in `ReadAttributes` (real Cognito reads all of them when
/// the list is unset); cognito-local ignores the list.
const READ_ATTRIBUTES: &[&str] = &[
    "email",
    "email_verified",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "phone_number",
    "phone_number_verified",
];

/// One of the two Cognito emulators the integration tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Emulator {
    /// moto server (PyPI `moto`): user pools and identity pools. Its tokens carry the real AWS
    /// issuer form `https://cognito-idp.us-east-1.amazonaws.com/<pool_id>` and always last 1 hour.
    Moto,
    /// cognito-local (npm `cognito-local`): user pools only. Its tokens carry the issuer
    /// `<url>/<pool_id>` and honour the app client's token validity, down to seconds.
    CognitoLocal,
}

impl Emulator {
    /// Both emulators, for tests that run the same checks against each.
    pub const ALL: [Emulator; 2] = [Emulator::Moto, Emulator::CognitoLocal];

    /// The environment variable that holds this emulator's base URL.
    pub fn url_var(self) -> &'static str {
        match self {
            Emulator::Moto => MOTO_URL_VAR,
            Emulator::CognitoLocal => COGNITO_LOCAL_URL_VAR,
        }
    }

    /// A short name for messages: `moto` or `cognito-local`.
    pub fn name(self) -> &'static str {
        match self {
            Emulator::Moto => "moto",
            Emulator::CognitoLocal => "cognito-local",
        }
    }
}

impl fmt::Display for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Base URL of a running emulator from its environment variable ([`MOTO_URL_VAR`] or
/// [`COGNITO_LOCAL_URL_VAR`]), without a trailing slash; `None` if unset.
///
/// # Panics
///
/// When the variable is unset and `CI=true`: emulator tests must never be skipped in CI.
/// Otherwise an unset variable prints `skipping: <var> not set (run ./scripts/test.sh)` to
/// stderr and returns `None`, so that a plain `cargo test` still passes without the emulators.
pub fn emulator_url(e: Emulator) -> Option<String> {
    let var = e.url_var();
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_owned()),
        _ if in_ci() => panic!(
            "{var} is not set but CI=true: the {e} emulator tests must not be skipped in CI \
             (run them through ./scripts/test.sh, which installs and starts the emulators)"
        ),
        _ => {
            eprintln!("skipping: {var} not set (run ./scripts/test.sh)");
            None
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Options for [`EmulatorPool::create`].
#[derive(Debug, Clone, Default)]
pub struct PoolOptions {
    /// Custom attributes to declare in the pool's schema (as mutable strings), named with or
    /// without the `custom:` prefix; users then get them as `custom:<name>` attributes, and both
    /// emulators copy them into the ID token.
    pub custom_attributes: Vec<String>,
    /// cognito-local only: the ID and access token validity of every app client of the pool,
    /// in seconds (`IdTokenValidity`/`AccessTokenValidity` with `TokenValidityUnits` = seconds).
    /// cognito-local honours any value, even 1 (and 0 gives tokens that are expired at once);
    /// moto ignores validity settings and always issues 1-hour tokens, so this is not sent to it.
    pub token_validity_seconds: Option<u32>,
}

/// Tokens returned by a successful sign-in.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The ID token (a JWT, `token_use: "id"`).
    pub id_token: String,
    /// The access token (a JWT, `token_use: "access"`).
    pub access_token: String,
    /// The refresh token, when the flow returns one (not on a refresh). moto's is an opaque
    /// UUID, cognito-local's is itself a JWT.
    pub refresh_token: Option<String>,
}

/// A fresh user pool with one app client on a running emulator.
#[derive(Debug, Clone)]
pub struct EmulatorPool {
    /// The emulator the pool lives on.
    pub emulator: Emulator,
    /// The emulator's base URL, without a trailing slash.
    pub url: String,
    /// The pool id: `us-east-1_<32 hex digits>` on moto, `local_<8 characters>` on cognito-local.
    pub pool_id: String,
    /// The app client created with the pool.
    pub client_id: String,
    /// The region part of the pool id: `us-east-1` on moto, `local` on cognito-local.
    pub region: String,
    /// The `iss` claim the pool's tokens carry: on moto the real AWS form
    /// `https://cognito-idp.<region>.amazonaws.com/<pool_id>` (not the server's URL), on
    /// cognito-local `<url>/<pool_id>` (its `IssuerDomain`, which `scripts/emulators.sh` sets to
    /// the server's own URL).
    pub issuer: String,
    /// Where the emulator serves the pool's JWKS: `<url>/<pool_id>/.well-known/jwks.json`.
    /// On moto this differs from the issuer, so a verifier must let it be set apart.
    pub jwks_url: String,
    http: reqwest::Client,
    options: PoolOptions,
}

impl EmulatorPool {
    /// Creates a pool with a unique name on the emulator at `url`, and an app client (see
    /// [`add_client`](Self::add_client)) whose id is in [`client_id`](Self::client_id).
    ///
    /// The pool's password policy is relaxed to at least 6 characters of any kind.
    pub async fn create(e: Emulator, url: &str, opts: PoolOptions) -> EmulatorPool {
        let url = url.trim().trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("building the reqwest client for the emulator");

        let mut req = json!({
            "PoolName": unique_name("cognito-tests"),
            "Policies": {"PasswordPolicy": {
                "MinimumLength": 6,
                "RequireUppercase": false,
                "RequireLowercase": false,
                "RequireNumbers": false,
                "RequireSymbols": false,
            }},
        });
        if !opts.custom_attributes.is_empty() {
            req["Schema"] = opts
                .custom_attributes
                .iter()
                .map(|name| {
                    json!({
                        "Name": name.strip_prefix("custom:").unwrap_or(name),
                        "AttributeDataType": "String",
                        "Mutable": true,
                    })
                })
                .collect();
        }
        let resp = match try_call(&http, &url, TARGET_PREFIX, "CreateUserPool", &req).await {
            Ok(resp) => resp,
            Err(failure) => failure.panic(e, "CreateUserPool"),
        };
        let pool_id = string_at(&resp, "/UserPool/Id", "CreateUserPool");
        let region = pool_id
            .split_once('_')
            .map_or("us-east-1", |(region, _)| region)
            .to_owned();
        let issuer = match e {
            Emulator::Moto => format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
            Emulator::CognitoLocal => format!("{url}/{pool_id}"),
        };
        let jwks_url = format!("{url}/{pool_id}/.well-known/jwks.json");

        let mut pool = EmulatorPool {
            emulator: e,
            url,
            pool_id,
            client_id: String::new(),
            region,
            issuer,
            jwks_url,
            http,
            options: opts,
        };
        pool.client_id = pool.add_client("app").await;
        pool
    }

    /// Adds an app client (without a secret) named `name` to the pool and returns its client id.
    ///
    /// The client allows `ALLOW_ADMIN_USER_PASSWORD_AUTH` (the flow `ADMIN_NO_SRP_AUTH` needs),
    /// `ALLOW_USER_PASSWORD_AUTH` and `ALLOW_REFRESH_TOKEN_AUTH`, reads the common standard
    /// attributes and the pool's custom attributes, and on cognito-local gets the token validity
    /// of [`PoolOptions::token_validity_seconds`].
    pub async fn add_client(&self, name: &str) -> String {
        let read_attributes: Vec<String> = READ_ATTRIBUTES
            .iter()
            .map(|a| (*a).to_owned())
            .chain(self.options.custom_attributes.iter().map(|a| {
                let base = a.strip_prefix("custom:").unwrap_or(a);
                format!("custom:{base}")
            }))
            .collect();
        let mut req = json!({
            "UserPoolId": self.pool_id,
            "ClientName": name,
            "ExplicitAuthFlows": EXPLICIT_AUTH_FLOWS,
            "ReadAttributes": read_attributes,
        });
        if let (Emulator::CognitoLocal, Some(seconds)) =
            (self.emulator, self.options.token_validity_seconds)
        {
            req["IdTokenValidity"] = json!(seconds);
            req["AccessTokenValidity"] = json!(seconds);
            req["TokenValidityUnits"] = json!({"IdToken": "seconds", "AccessToken": "seconds"});
        }
        let resp = self.call("CreateUserPoolClient", req).await;
        string_at(&resp, "/UserPoolClient/ClientId", "CreateUserPoolClient")
    }

    /// Creates a confirmed user: `AdminCreateUser` (no invitation message) with the given
    /// attributes (e.g. `("email", "a@example.com")`, `("email_verified", "true")`,
    /// `("custom:department", "eng")`), then `AdminSetUserPassword` with `Permanent: true`.
    ///
    /// A `custom:` attribute should be declared in [`PoolOptions::custom_attributes`] (real
    /// Cognito rejects undeclared ones; neither emulator checks).
    pub async fn create_user(&self, username: &str, password: &str, attrs: &[(&str, &str)]) {
        let attributes: Vec<Value> = attrs
            .iter()
            .map(|(name, value)| json!({"Name": name, "Value": value}))
            .collect();
        self.call(
            "AdminCreateUser",
            json!({
                "UserPoolId": self.pool_id,
                "Username": username,
                "MessageAction": "SUPPRESS",
                "UserAttributes": attributes,
            }),
        )
        .await;
        self.call(
            "AdminSetUserPassword",
            json!({
                "UserPoolId": self.pool_id,
                "Username": username,
                "Password": password,
                "Permanent": true,
            }),
        )
        .await;
    }

    /// Adds the user to `group`, creating the group first if it does not exist yet. Both
    /// emulators then put the user's groups into `cognito:groups` of the ID and access tokens.
    pub async fn add_to_group(&self, username: &str, group: &str) {
        let create = json!({"UserPoolId": self.pool_id, "GroupName": group});
        // moto answers GroupExistsException for a second CreateGroup; cognito-local accepts it.
        match try_call(&self.http, &self.url, TARGET_PREFIX, "CreateGroup", &create).await {
            Err(failure) if !failure.body.contains("GroupExistsException") => {
                failure.panic(self.emulator, "CreateGroup")
            }
            _ => {}
        }
        self.call(
            "AdminAddUserToGroup",
            json!({"UserPoolId": self.pool_id, "Username": username, "GroupName": group}),
        )
        .await;
    }

    /// Signs in with the emulator's admin API, as a back end would: `AdminInitiateAuth` with
    /// `ADMIN_NO_SRP_AUTH` on moto and `ADMIN_USER_PASSWORD_AUTH` on cognito-local (which has no
    /// `ADMIN_NO_SRP_AUTH`), for the app client `client_id`.
    pub async fn sign_in(&self, client_id: &str, username: &str, password: &str) -> Tokens {
        let flow = match self.emulator {
            Emulator::Moto => "ADMIN_NO_SRP_AUTH",
            Emulator::CognitoLocal => "ADMIN_USER_PASSWORD_AUTH",
        };
        let resp = self
            .call(
                "AdminInitiateAuth",
                json!({
                    "UserPoolId": self.pool_id,
                    "ClientId": client_id,
                    "AuthFlow": flow,
                    "AuthParameters": {"USERNAME": username, "PASSWORD": password},
                }),
            )
            .await;
        tokens_from(&resp, "AdminInitiateAuth")
    }

    /// Signs in with the public API, as an app would: `InitiateAuth` with `USER_PASSWORD_AUTH`
    /// (both emulators support it).
    pub async fn sign_in_user_password(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Tokens {
        let resp = self
            .call(
                "InitiateAuth",
                json!({
                    "ClientId": client_id,
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": username, "PASSWORD": password},
                }),
            )
            .await;
        tokens_from(&resp, "InitiateAuth")
    }

    /// Gets new ID and access tokens with `InitiateAuth` `REFRESH_TOKEN_AUTH` (both emulators
    /// support it); the result has no refresh token.
    pub async fn refresh(&self, client_id: &str, refresh_token: &str) -> Tokens {
        let resp = self
            .call(
                "InitiateAuth",
                json!({
                    "ClientId": client_id,
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "AuthParameters": {"REFRESH_TOKEN": refresh_token},
                }),
            )
            .await;
        tokens_from(&resp, "InitiateAuth")
    }

    /// Calls any user-pool operation `op` (e.g. `"AdminDisableUser"`) on this pool's emulator and
    /// returns the response body as JSON (`{}` when empty).
    ///
    /// # Panics
    ///
    /// When the emulator cannot be reached or answers an error, with `op` and the response body.
    pub async fn call(&self, op: &str, body: Value) -> Value {
        match try_call(&self.http, &self.url, TARGET_PREFIX, op, &body).await {
            Ok(value) => value,
            Err(failure) => failure.panic(self.emulator, op),
        }
    }
}

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

/// Decodes, without verifying anything, the payload (claims) of a JWT: handy to look at what an
/// emulator put into a token.
///
/// # Panics
///
/// When `jwt` does not have three parts or its payload is not base64url-encoded JSON.
pub fn decode_claims(jwt: &str) -> Value {
    let mut parts = jwt.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        panic!("not a JWT (three dot-separated parts expected): {jwt:?}");
    };
    let bytes = base64url_decode(payload)
        .unwrap_or_else(|| panic!("JWT payload is not base64url: {payload:?}"));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|err| panic!("JWT payload is not JSON ({err}): {payload:?}"))
}

/// Returns `jwt` with its payload replaced by the claims as `edit` leaves them, keeping the
/// original header and signature: a forged token (say, with a group added) whose signature no
/// longer matches what it signs. The payload is re-encoded canonically (base64url, no padding),
/// so a verifier can only refuse it on its signature.
///
/// # Panics
///
/// As [`decode_claims`], and when the payload is not a JSON object.
pub fn edit_claims(jwt: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut claims = match decode_claims(jwt) {
        Value::Object(claims) => claims,
        other => panic!("JWT payload is not a JSON object: {other}"),
    };
    edit(&mut claims);
    let payload = serde_json::to_vec(&claims).expect("serializing JSON claims");
    let mut parts = jwt.split('.');
    let (Some(header), Some(_payload), Some(signature)) =
        (parts.next(), parts.next(), parts.next())
    else {
        unreachable!("decode_claims checked that the JWT has three parts");
    };
    format!("{header}.{}.{signature}", base64url_encode(&payload))
}

fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut acc = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            acc |= u32::from(b) << (16 - 8 * i);
        }
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(acc >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        }))
    }
    let input = input.trim_end_matches('=').as_bytes();
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    for chunk in input.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= sextet(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// An error answer from an emulator (or no answer at all).
struct Failure {
    url: String,
    status: Option<u16>,
    body: String,
}

impl Failure {
    fn panic(self, e: Emulator, op: &str) -> ! {
        match self.status {
            Some(status) => panic!(
                "{e} {op} failed: HTTP {status} from {}: {}",
                self.url, self.body
            ),
            None => panic!(
                "{e} {op} failed: {} (is the emulator running at {}? run ./scripts/test.sh)",
                self.body, self.url
            ),
        }
    }
}

async fn try_call(
    http: &reqwest::Client,
    url: &str,
    target_prefix: &str,
    op: &str,
    body: &Value,
) -> Result<Value, Failure> {
    let endpoint = format!("{url}/");
    let failure = |status: Option<u16>, body: String| Failure {
        url: endpoint.clone(),
        status,
        body,
    };
    let resp = http
        .post(&endpoint)
        .header("Content-Type", AMZ_JSON)
        .header("X-Amz-Target", format!("{target_prefix}{op}"))
        .body(body.to_string())
        .send()
        .await
        .map_err(|err| failure(None, error_chain(&err)))?;
    let status = resp.status();
    // The response content type is not checked: moto says text/html.
    let text = resp
        .text()
        .await
        .map_err(|err| failure(Some(status.as_u16()), format!("reading the body: {err}")))?;
    if !status.is_success() {
        return Err(failure(Some(status.as_u16()), text));
    }
    if text.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(&text).map_err(|err| {
        failure(
            Some(status.as_u16()),
            format!("response is not JSON ({err}): {text}"),
        )
    })
}

/// An error with its sources: reqwest's own message leaves out the cause ("connection refused").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn string_at(resp: &Value, pointer: &str, op: &str) -> String {
    resp.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{op}: no string at {pointer} in the response: {resp}"))
        .to_owned()
}

fn tokens_from(resp: &Value, op: &str) -> Tokens {
    let Some(result) = resp.get("AuthenticationResult") else {
        panic!("{op} returned no AuthenticationResult (a challenge?): {resp}");
    };
    let token = |name: &str| result.get(name).and_then(Value::as_str).map(str::to_owned);
    Tokens {
        id_token: token("IdToken")
            .unwrap_or_else(|| panic!("{op}: no IdToken in the response: {resp}")),
        access_token: token("AccessToken")
            .unwrap_or_else(|| panic!("{op}: no AccessToken in the response: {resp}")),
        refresh_token: token("RefreshToken"),
    }
}

/// A name no other pool of this or a parallel test run has.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}-{}-{n}-{nanos:08x}", std::process::id())
}

/// An axum app served on 127.0.0.1 on a free port; it stops when dropped.
pub struct AxumServer {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl AxumServer {
    /// Serves `router`.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn start(router: axum::Router) -> AxumServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding 127.0.0.1:0");
        let addr = listener.local_addr().expect("the listener's address");
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("serving the app");
        });
        AxumServer {
            base: format!("http://{addr}"),
            task,
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl Drop for AxumServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An HTTP client for calls to loopback servers: no proxy, a 30-second timeout.
///
/// # Panics
///
/// When the client cannot be built.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("building the reqwest client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_decodes_all_lengths() {
        assert_eq!(base64url_decode("").unwrap(), b"");
        assert_eq!(base64url_decode("Zg").unwrap(), b"f");
        assert_eq!(base64url_decode("Zm8").unwrap(), b"fo");
        assert_eq!(base64url_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64url_decode("Zm9vYg==").unwrap(), b"foob");
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert!(base64url_decode("Z").is_none());
        assert!(base64url_decode("Zm9v!").is_none());
    }

    #[test]
    fn base64url_encodes_all_lengths_without_padding() {
        assert_eq!(base64url_encode(b""), "");
        assert_eq!(base64url_encode(b"f"), "Zg");
        assert_eq!(base64url_encode(b"fo"), "Zm8");
        assert_eq!(base64url_encode(b"foo"), "Zm9v");
        assert_eq!(base64url_encode(b"foob"), "Zm9vYg");
        assert_eq!(base64url_encode(&[0xff, 0xef]), "_-8");
        for len in 0..64u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(97) ^ 0x5a).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn edit_claims_keeps_header_and_signature() {
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMiLCJuIjoxfQ.c2ln";
        let forged = edit_claims(jwt, |claims| {
            claims.insert("n".into(), json!(2));
        });
        assert!(forged.starts_with("eyJhbGciOiJub25lIn0."));
        assert!(forged.ends_with(".c2ln"));
        assert_eq!(decode_claims(&forged), json!({"sub": "abc", "n": 2}));
    }

    #[test]
    fn decode_claims_reads_the_payload() {
        // {"alg":"none"} . {"sub":"abc","n":1} . (no signature)
        let claims = decode_claims("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMiLCJuIjoxfQ.");
        assert_eq!(claims, json!({"sub": "abc", "n": 1}));
    }
}

/// The README's code blocks, compiled and run as doctests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
