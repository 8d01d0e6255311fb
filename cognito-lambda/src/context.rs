//! The `context` an allowed request carries to the integration. API Gateway accepts only
//! strings, numbers and booleans there, so lists are encoded as strings.

use cognito_core::{Claims, TokenUse};
use serde_json::{Map, Value};

/// Builds the context: `sub`; `username` and `client_id` when the token has them; `token_use`
/// (`id` or `access`); `groups` and `scopes`, each its names joined by single spaces (empty
/// when none). Cognito group names and OAuth scopes contain no whitespace; a name that does
/// (possible with other issuers) is left out of the string rather than split in two.
pub(crate) fn context<T>(claims: &Claims<T>) -> Value {
    let mut context = Map::new();
    context.insert("sub".into(), claims.sub().into());
    if let Some(username) = claims.username() {
        context.insert("username".into(), username.into());
    }
    if let Some(client_id) = claims.client_id() {
        context.insert("client_id".into(), client_id.into());
    }
    let token_use = match claims.token_use() {
        Some(TokenUse::Id) => "id",
        Some(TokenUse::Access) => "access",
        None => "",
    };
    context.insert("token_use".into(), token_use.into());
    context.insert(
        "groups".into(),
        joined(claims.groups().iter().map(String::as_str)).into(),
    );
    context.insert("scopes".into(), joined(claims.scopes()).into());
    Value::Object(context)
}

fn joined<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for name in names {
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            tracing::debug!("a group or scope name with whitespace is left out of the context");
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(name);
    }
    out
}
