//! The app both frameworks build, and what its handlers answer.
//!
//! Routes, each behind the framework's `CognitoAuth`:
//!
//! - `/me`: the typed claims (`Claims<Profile>`, reading the custom attribute `department`);
//! - `/admin`: behind the framework's `require(Require::group("admin"))`;
//! - `/access`: the `AccessToken` extractor, which wants an access token.
//!
//! The actix app adds `/dashboard`, chosen by a guard (see `actix_app.rs`).

use cognito_core::{Claims, TokenUse};
use serde::Deserialize;
use serde_json::{Value, json};

/// The application's own view of the claims: a custom attribute.
#[derive(Debug, Deserialize)]
pub(crate) struct Profile {
    #[serde(rename = "custom:department")]
    pub(crate) department: Option<String>,
}

/// What `/me` answers.
pub(crate) fn me(claims: &Claims<Profile>) -> Value {
    json!({
        "sub": claims.sub(),
        "username": claims.username(),
        "groups": claims.groups(),
        "department": claims.department,
        "token_use": claims.token_use().map(TokenUse::as_str),
    })
}

/// What `/admin` answers.
pub(crate) fn admin(claims: &Claims) -> String {
    format!("admin area: {}", claims.username().unwrap_or_default())
}

/// What `/access` answers.
pub(crate) fn access(token: &Claims) -> Value {
    json!({
        "username": token.username(),
        "client_id": token.client_id(),
        "scopes": token.scopes().collect::<Vec<_>>(),
        "token_use": token.token_use().map(TokenUse::as_str),
    })
}
