//! The external identity providers linked to a federated user (`identities`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::Value;

use super::dates::latest_time;

/// One entry of `identities`: an external provider linked to the user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// The user's id at the provider.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The provider's name in the pool (e.g. `Google`, or a SAML provider's name).
    #[serde(rename = "providerName")]
    pub provider_name: String,
    /// The provider's type (`Google`, `Facebook`, `SAML`, `OIDC`, …).
    #[serde(rename = "providerType")]
    pub provider_type: String,
    /// The provider's issuer, when it has one.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Whether this is the primary identity (sent as the string `"true"`/`"false"`).
    #[serde(default, deserialize_with = "lenient_bool_field")]
    pub primary: bool,
    /// When the link was made (`dateCreated`, sent as a string of Unix milliseconds).
    #[serde(default, rename = "dateCreated", deserialize_with = "millis")]
    pub date_created: Option<SystemTime>,
}

fn lenient_bool_field<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    crate::payload::lenient_bool(d).map(|b| b.unwrap_or(false))
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
    let ms = match Value::deserialize(d)? {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    Ok(ms.map(|ms| {
        UNIX_EPOCH
            .checked_add(Duration::from_millis(ms))
            .unwrap_or_else(latest_time)
    }))
}
