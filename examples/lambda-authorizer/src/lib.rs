//! An API Gateway Lambda authorizer for a shop API whose users sign in with Cognito.
//!
//! Who may call what, as [`rules`] writes it: admins delete orders, admins and staff read and
//! change them, every signed-in user reads `GET /me`, admins alone reach `/admin/*`; any
//! other route is denied. [`Mode`] says which API Gateway calls the function.

use cognito_core::{Require, TokenUse, UserPool, Verifier};
use cognito_lambda::{Authorizer, RuleSet, Rules, SimpleResponseCache};
use serde_json::Value;

/// Which API Gateway invokes the authorizer, read from `AUTHORIZER_MODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `rest` (the default): a REST API `TOKEN` or `REQUEST` authorizer; IAM policies.
    Rest,
    /// `http`: an HTTP API authorizer, payload 2.0; IAM policies (cacheable).
    Http,
    /// `http-simple`: an HTTP API authorizer, payload 2.0, simple responses; its identity
    /// sources must include `$context.routeKey` so API Gateway caches each answer per route.
    HttpSimple,
}

impl Mode {
    /// Reads `AUTHORIZER_MODE` (`rest`, `http` or `http-simple`; `rest` when unset).
    ///
    /// # Errors
    /// Any other value.
    pub fn from_env_value(value: Option<&str>) -> Result<Mode, String> {
        match value {
            None | Some("rest") => Ok(Mode::Rest),
            Some("http") => Ok(Mode::Http),
            Some("http-simple") => Ok(Mode::HttpSimple),
            Some(other) => Err(format!(
                "AUTHORIZER_MODE is `{other}`: expected rest, http or http-simple"
            )),
        }
    }
}

/// The shop's route rules.
///
/// # Panics
/// Never: the patterns are constants the tests build.
#[must_use]
pub fn rules() -> RuleSet {
    Rules::new()
        .route("DELETE /orders/*", Require::group("admin"))
        .route("* /orders/*", Require::any_group(["admin", "staff"]))
        .allow("GET /me")
        .route("* /admin/*", Require::group("admin"))
        .build()
        .unwrap_or_else(|error| unreachable!("the shop's rules are valid: {error}"))
}

/// The user pool of `COGNITO_POOL_ID` and `COGNITO_CLIENT_ID`, taking ID tokens (what a
/// REST API's Cognito authorizer takes too).
///
/// # Errors
/// A pool or client id that is not one.
pub fn pool(pool_id: &str, client_id: &str) -> Result<Verifier, cognito_core::ConfigError> {
    let pool = UserPool::new(pool_id)?
        .client_id(client_id)?
        .token_use(TokenUse::Id);
    Ok(Verifier::from(pool))
}

/// The authorizer for `mode`.
#[must_use]
pub fn authorizer(verifier: Verifier, mode: Mode) -> Authorizer {
    let authorizer = Authorizer::new(verifier, rules());
    match mode {
        Mode::Rest | Mode::Http => authorizer,
        Mode::HttpSimple => authorizer.simple_responses(SimpleResponseCache::PerRoute),
    }
}

/// Answers one invocation. An event of the other API's shape is refused, so a function
/// deployed for one API does not silently answer another.
///
/// # Errors
/// The [`AuthorizerError`](cognito_lambda::AuthorizerError): `Unauthorized` (API Gateway's 401) for a missing or invalid
/// token, any other message (500) for unreachable keys or a malformed event; and a
/// [`WrongApi`] error (500) for an event of the other API.
pub async fn handle(
    authorizer: &Authorizer,
    mode: Mode,
    event: Value,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let payload_2 = event.get("version").and_then(Value::as_str) == Some("2.0");
    if payload_2 != (mode != Mode::Rest) {
        tracing::error!(?mode, "an authorizer event of the other API type");
        return Err(Box::new(WrongApi(mode)));
    }
    Ok(authorizer.handle(event).await.map_err(Box::new)?)
}

/// An event of the other API type than the one [`Mode`] names.
#[derive(Debug)]
pub struct WrongApi(pub Mode);

impl std::fmt::Display for WrongApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "authorizer error: an event of the other API type ({:?} mode)",
            self.0
        )
    }
}

impl std::error::Error for WrongApi {}
