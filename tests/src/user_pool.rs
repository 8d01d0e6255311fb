//! A user pool on an emulator: [`EmulatorPool`], its users, groups and app clients, and the
//! sign-ins that give [`Tokens`].

use std::time::Duration;

use serde_json::{Value, json};

use crate::Emulator;
use crate::wire::{TARGET_PREFIX, string_at, try_call, unique_name};

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
    pub(crate) http: reqwest::Client,
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
