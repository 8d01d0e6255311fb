//! Any bytes as the payload of a token the issuer really signs (`{"alg":"RS256","kid":<active
//! kid>}`), verified by a verifier of the issuer that accepts every app client.
//!
//! Each input is tried up to four ways:
//!
//! 1. the bytes unchanged;
//! 2. when they read as a JSON object (its member names parsed, its values only skipped over):
//!    the claims verification needs (`iss`, `exp`, `sub`, `token_use`, `aud`) that the object
//!    lacks, written in front of its own members, the rest of the bytes left as they are;
//! 3. when they parse as a JSON object, and did not verify unchanged: the object with `iss`,
//!    `exp` and `token_use` set to values that pass, and `sub` and the app client set where
//!    they would not, re-serialized;
//! 4. when they read as a JSON value other than an object (skipped over, not parsed): the
//!    value, bytes unchanged, as the member `value` of claims that pass.
//!
//! Whatever verifies must read, through every accessor of `Claims`, exactly what an
//! independent parse of the same payload bytes reads; bytes that are not a JSON object (a lone
//! surrogate escape, a number out of range…) must not verify at all.

#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_core::{Claims, Require, TokenUse};
use cognito_core_fuzz::{Fixture, assert_refused_as_invalid};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| Fixture::new(|pool| pool.any_client()));

/// The claims every variant needs to verify; `exp` one hour from now.
fn required(fixture: &Fixture) -> [(&'static str, Value); 5] {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600;
    [
        ("iss", Value::from(fixture.issuer.issuer())),
        ("exp", Value::from(exp)),
        ("sub", Value::from("fuzz-user")),
        ("token_use", Value::from("id")),
        ("aud", Value::from(fixture.issuer.client_id())),
    ]
}

/// Variant 2: the bytes with the required claims they lack written in front of their members.
/// The member names are read without reading the values, so a value the verifier might skip
/// over rather than parse (a lone surrogate, a number out of range) stays as it is.
fn with_missing_claims(fixture: &Fixture, data: &[u8]) -> Option<Vec<u8>> {
    let names: BTreeMap<String, serde::de::IgnoredAny> = serde_json::from_slice(data).ok()?;
    let start = data.iter().position(|b| !b" \t\r\n".contains(b))?;
    // `from_slice` read an object, so the first byte that is not whitespace opens it.
    let members = &data[start + 1..];
    let empty = members
        .iter()
        .find(|b| !b" \t\r\n".contains(b))
        .is_none_or(|&b| b == b'}');
    let mut prefix: Vec<String> = Vec::new();
    for (name, value) in required(fixture) {
        if !names.contains_key(name) {
            prefix.push(format!("\"{name}\":{value}"));
        }
    }
    if prefix.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() + 200);
    out.push(b'{');
    out.extend_from_slice(prefix.join(",").as_bytes());
    if !empty {
        out.push(b',');
    }
    out.extend_from_slice(members);
    Some(out)
}

/// Variant 4: a JSON value that is not an object, as a member of claims that pass.
fn as_member(fixture: &Fixture, data: &[u8]) -> Option<Vec<u8>> {
    serde_json::from_slice::<serde::de::IgnoredAny>(data).ok()?;
    let start = data.iter().position(|b| !b" \t\r\n".contains(b))?;
    if data[start] == b'{' {
        return None;
    }
    let claims: Vec<String> = required(fixture)
        .iter()
        .map(|(name, value)| format!("\"{name}\":{value}"))
        .collect();
    let mut out = Vec::with_capacity(data.len() + 200);
    out.push(b'{');
    out.extend_from_slice(claims.join(",").as_bytes());
    out.extend_from_slice(b",\"value\":");
    out.extend_from_slice(data);
    out.push(b'}');
    Some(out)
}

/// Variant 3: the parsed object, with what verification checks set to pass.
fn with_valid_claims(fixture: &Fixture, data: &[u8]) -> Option<Vec<u8>> {
    let mut object: Map<String, Value> = serde_json::from_slice(data).ok()?;
    let [iss, exp, sub, _, aud] = required(fixture);
    object.insert(iss.0.into(), iss.1);
    object.insert(exp.0.into(), exp.1);
    object.remove("nbf");
    if !object
        .get("sub")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
    {
        object.insert(sub.0.into(), sub.1);
    }
    // Keep an access token an access token; anything else becomes an ID token.
    if object.get("token_use").and_then(Value::as_str) == Some("access") {
        if !object.get("client_id").is_some_and(Value::is_string) {
            object.insert("client_id".into(), aud.1);
        }
    } else {
        object.insert("token_use".into(), "id".into());
        if !object.get("aud").is_some_and(Value::is_string) {
            object.insert(aud.0.into(), aud.1);
        }
    }
    serde_json::to_vec(&object).ok()
}

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let verified = check(fixture, data);
    if let Some(payload) = with_missing_claims(fixture, data) {
        check(fixture, &payload);
    }
    // What verified unchanged was held against its parse already; signing is what costs.
    if !verified && let Some(payload) = with_valid_claims(fixture, data) {
        check(fixture, &payload);
    }
    if let Some(payload) = as_member(fixture, data) {
        check(fixture, &payload);
    }
});

/// Signs `payload`, verifies it, and holds what verified against an independent parse.
/// Whether it verified.
fn check(fixture: &Fixture, payload: &[u8]) -> bool {
    let token = fixture.issuer.sign_payload(payload);
    let result = fixture.verify(&token);
    assert_refused_as_invalid(&result);
    let independent = serde_json::from_slice::<Map<String, Value>>(payload);
    let Ok(claims) = result else { return false };
    let Ok(expected) = independent else {
        panic!(
            "a payload that is not a JSON object verified ({:?}); raw() reads {:?}",
            independent.unwrap_err(),
            claims.raw()
        );
    };
    assert_claims_read(&claims, &expected);
    true
}

fn text<'a>(expected: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    expected.get(name).and_then(Value::as_str)
}

/// A NumericDate as the verifier reads it: non-negative seconds, fractions rounded down.
fn seconds(expected: &Map<String, Value>, name: &str) -> Option<SystemTime> {
    let value = expected.get(name)?;
    let seconds = match value.as_u64() {
        Some(seconds) => seconds,
        None => {
            let float = value.as_f64();
            assert!(
                float.is_some_and(|f| (0.0..=1e15).contains(&f)),
                "{name} verified as {value}"
            );
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let floored = float.unwrap_or_default().floor() as u64;
            floored
        }
    };
    assert!(
        seconds <= 1_000_000_000_000_000,
        "{name} verified as {value}"
    );
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// A list claim: absent or null is empty; `aud` may also be a single string.
fn strings(value: Option<&Value>, single: bool) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(one)) if single => vec![one.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().expect("a list claim of strings").to_owned())
            .collect(),
        Some(other) => panic!("a list claim verified as {other}"),
    }
}

/// Every accessor of `claims` against the independent parse of the same payload.
fn assert_claims_read(claims: &Claims, expected: &Map<String, Value>) {
    // The whole payload.
    assert_eq!(claims.raw(), expected, "raw() differs from the payload");
    assert_eq!(
        serde_json::to_value(claims).expect("claims serialize"),
        Value::Object(expected.clone()),
        "Serialize differs from the payload"
    );
    let typed = claims
        .clone()
        .with::<Map<String, Value>>()
        .expect("the payload reads as a map");
    assert_eq!(
        typed.extra(),
        expected,
        "with::<Map>() differs from the payload"
    );
    for (name, value) in expected {
        assert_eq!(claims.get(name), Some(value), "get({name:?})");
        assert!(
            Require::claim_equals(name.as_str(), value.clone())
                .check(claims)
                .is_ok(),
            "claim_equals({name:?}, {value}) is unmet"
        );
        if !value.is_null() {
            assert!(
                Require::claim_equals(name.as_str(), Value::Null)
                    .check(claims)
                    .is_err(),
                "claim_equals({name:?}, null) holds for {value}"
            );
        }
        if let Some(custom) = name.strip_prefix("custom:") {
            assert_eq!(
                claims.custom_value(custom),
                Some(value),
                "custom_value({custom:?})"
            );
            assert_eq!(claims.custom(custom), value.as_str(), "custom({custom:?})");
        }
    }
    let absent = (0..)
        .map(|i| format!("absent-{i}"))
        .find(|name| !expected.contains_key(name))
        .expect("a name the payload lacks");
    assert_eq!(claims.get(&absent), None);
    assert_eq!(claims.custom_value(&absent), None);
    assert_eq!(claims.custom(&absent), None);
    assert!(
        Require::claim_equals(absent.as_str(), Value::Null)
            .check(claims)
            .is_err()
    );

    // The standard claims.
    assert_eq!(claims.sub(), text(expected, "sub").expect("sub"), "sub()");
    assert_eq!(
        claims.issuer(),
        text(expected, "iss").expect("iss"),
        "issuer()"
    );
    let token_use = claims
        .token_use()
        .expect("a user pool's token has a token_use");
    assert_eq!(
        Some(token_use.as_str()),
        text(expected, "token_use"),
        "token_use()"
    );
    let username = match token_use {
        TokenUse::Access => text(expected, "username"),
        _ => text(expected, "cognito:username").or_else(|| text(expected, "username")),
    };
    assert_eq!(claims.username(), username, "username()");
    assert_eq!(
        claims.is_machine(),
        token_use == TokenUse::Access && username.is_none(),
        "is_machine()"
    );
    let client_id = match token_use {
        TokenUse::Id => text(expected, "aud"),
        _ => text(expected, "client_id"),
    };
    assert_eq!(claims.client_id(), client_id, "client_id()");
    assert!(
        client_id.is_some(),
        "a token without its app client verified"
    );
    assert_eq!(
        claims.audience(),
        strings(expected.get("aud"), true),
        "audience()"
    );
    let groups = strings(expected.get("cognito:groups"), false);
    assert_eq!(claims.groups(), groups, "groups()");
    for group in &groups {
        assert!(claims.in_group(group), "in_group({group:?})");
    }
    assert!(!claims.in_group(&absent) || groups.contains(&absent));
    let scopes: Vec<&str> = text(expected, "scope")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .collect();
    assert_eq!(claims.scopes().collect::<Vec<_>>(), scopes, "scopes()");
    for scope in &scopes {
        assert!(claims.has_scope(scope), "has_scope({scope:?})");
    }
    assert!(!claims.has_scope(""), "has_scope(\"\")");
    assert_eq!(
        Some(claims.expires_at()),
        seconds(expected, "exp"),
        "expires_at()"
    );
    assert_eq!(claims.issued_at(), seconds(expected, "iat"), "issued_at()");
    assert_eq!(
        claims.not_before(),
        seconds(expected, "nbf"),
        "not_before()"
    );
    assert_eq!(
        claims.auth_time(),
        seconds(expected, "auth_time"),
        "auth_time()"
    );
    assert_eq!(claims.jti(), text(expected, "jti"), "jti()");
    assert_eq!(
        claims.origin_jti(),
        text(expected, "origin_jti"),
        "origin_jti()"
    );
    assert_eq!(claims.email(), text(expected, "email"), "email()");
    let email_verified = match expected.get("email_verified") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    assert_eq!(claims.email_verified(), email_verified, "email_verified()");

    // `identities`: every entry read is one of the payload's, with the same strings.
    let identities = claims.identities();
    let listed = match expected.get("identities") {
        Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
        Some(value) => value.clone(),
        None => Value::Null,
    };
    let entries = listed.as_array().map(Vec::as_slice).unwrap_or_default();
    assert!(identities.len() <= entries.len(), "identities()");
    for identity in &identities {
        assert!(
            entries.iter().any(|entry| {
                text_of(entry, "userId") == Some(identity.user_id.as_str())
                    && text_of(entry, "providerName") == Some(identity.provider_name.as_str())
                    && text_of(entry, "providerType") == Some(identity.provider_type.as_str())
                    && entry.get("issuer").and_then(Value::as_str) == identity.issuer.as_deref()
            }),
            "identities() read {identity:?}, which the payload does not list"
        );
    }

    // Debug output names the standard claims without panicking.
    let shown = format!("{claims:?}");
    assert!(shown.starts_with("Claims"));
}

fn text_of<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry.get(name).and_then(Value::as_str)
}
