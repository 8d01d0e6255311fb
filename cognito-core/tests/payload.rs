//! What a signed payload may hold: one parse decides, no claim can hide from a rule, standard
//! claims of the wrong shape are named, scopes split on spaces only, and a cache hit decides
//! as a miss would.
#![cfg(feature = "test-util")]

use std::time::{Duration, SystemTime};

use cognito_core::test_util::LocalIssuer;
use cognito_core::{Authentication, ErrorKind, ManualClock, Require, Verifier};
use serde::Deserialize;
use serde_json::{Value, json};

/// The payload the issuer would sign for an ID token, with `members` (raw JSON text) added.
fn payload_with(issuer: &LocalIssuer, members: &str) -> String {
    let claims = Value::Object(issuer.id_token().claims()).to_string();
    let body = claims.strip_suffix('}').unwrap();
    format!("{body},{members}}}")
}

fn signed(issuer: &LocalIssuer, members: &str) -> String {
    issuer.sign_payload(payload_with(issuer, members).as_bytes())
}

async fn refusal(verifier: &Verifier, token: &str) -> ErrorKind {
    verifier.verify(token).await.unwrap_err().kind().clone()
}

/// Each of `cases` (members added to a valid payload, signed by the issuer) is refused as
/// malformed.
async fn assert_each_malformed(cases: &[&str]) {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    for members in cases {
        let token = signed(&issuer, members);
        assert_eq!(
            refusal(&verifier, &token).await,
            ErrorKind::Malformed,
            "{members}"
        );
    }
}

#[tokio::test]
async fn lone_surrogate_in_any_claim_is_malformed() {
    assert_each_malformed(&[
        r#""custom:status":"\ud800""#,
        r#""custom:status":"\udc00""#,
        r#""custom:status":"x\ud800\u0041""#,
        r#""custom:note":"disabled","x":["\ud800"]"#,
        r#""x":{"\udc00":"y"}"#,
    ])
    .await;
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    // A surrogate pair is a character like any other.
    let token = signed(&issuer, r#""custom:mood":"\ud83d\ude00""#);
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(claims.custom("mood"), Some("\u{1f600}"));
}

#[tokio::test]
async fn number_outside_f64_in_any_claim_is_malformed() {
    assert_each_malformed(&[r#""x":1e400"#, r#""x":-1e400"#, r#""x":{"y":[1e400]}"#]).await;
}

#[tokio::test]
async fn claim_named_twice_is_malformed_whichever_claim_it_is() {
    assert_each_malformed(&[
        r#""custom:status":"disabled","custom:status":"active""#,
        r#""custom:status":"disabled","custom:\u0073tatus":"active""#,
        r#""jti":"a","jti":"b""#,
    ])
    .await;
}

#[tokio::test]
async fn every_member_of_a_verified_payload_is_visible_to_every_accessor() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    let payload = payload_with(
        &issuer,
        r#""custom:status":"dis\u0061bled","x":[1.5e300,-0.0,{"k":null}],"identities":[]"#,
    );
    let token = issuer.sign_payload(payload.as_bytes());
    let claims = verifier.verify(&token).await.unwrap();
    let independent: serde_json::Map<String, Value> = serde_json::from_str(&payload).unwrap();
    assert_eq!(claims.raw(), &independent);
    assert_eq!(
        serde_json::to_value(&claims).unwrap(),
        Value::Object(independent)
    );
    assert_eq!(claims.custom("status"), Some("disabled"));
    assert!(
        Require::claim_equals("custom:status", "disabled")
            .not()
            .check(&claims)
            .is_err()
    );
}

#[tokio::test]
async fn groups_given_as_a_string_is_refused_as_an_invalid_groups_claim() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    let token = issuer.id_token().claim("cognito:groups", "admin").sign();
    let error = verifier.verify(&token).await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::InvalidClaim("cognito:groups"));
    assert_eq!(error.status(), 401);
    assert_eq!(
        error.to_string(),
        "the token cognito:groups claim is invalid"
    );
}

#[tokio::test]
async fn standard_claims_of_the_wrong_shape_are_named() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    for (claim, value) in [
        ("exp", json!("tomorrow")),
        ("iat", json!(-5)),
        ("sub", json!(42)),
        ("iss", json!(["https://a"])),
        ("cognito:groups", json!([1, 2])),
        ("cognito:username", json!({"name": "x"})),
    ] {
        let token = issuer.id_token().claim(claim, value.clone()).sign();
        let error = verifier.verify(&token).await.unwrap_err();
        assert_eq!(
            error.kind(),
            &ErrorKind::InvalidClaim(claim),
            "{claim}: {value}"
        );
    }
}

#[tokio::test]
async fn scope_list_splits_on_spaces_only() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    let token = issuer
        .access_token()
        .claim("scope", "reports/read\tadmin  reports/write\nops")
        .sign();
    let claims = verifier.verify(&token).await.unwrap();
    let scopes: Vec<&str> = claims.scopes().collect();
    assert_eq!(scopes, ["reports/read\tadmin", "reports/write\nops"]);
    assert!(!claims.has_scope("admin"));
    assert!(!claims.has_scope("ops"));
    assert!(Require::scope("admin").check(&claims).is_err());
    assert!(Require::any_scope(["admin", "ops"]).check(&claims).is_err());
    assert!(
        Require::claim_contains("scope", "admin")
            .check(&claims)
            .is_err()
    );
    let plain = issuer
        .access_token()
        .scopes(["reports/read", "admin"])
        .sign();
    let claims = verifier.verify(&plain).await.unwrap();
    assert!(Require::scope("admin").check(&claims).is_ok());
}

#[tokio::test]
async fn cache_hit_refuses_a_not_yet_valid_token_as_a_miss_would() {
    let issuer = LocalIssuer::start().unwrap();
    let now = SystemTime::now();
    let clock = ManualClock::new(now);
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .clock(clock.clone())
        .build()
        .unwrap();
    let nbf = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 30;
    let token = issuer.id_token().claim("nbf", nbf).sign();
    assert!(verifier.verify(&token).await.is_ok());
    assert!(verifier.verify_cached(&token).is_some(), "cached");
    // The clock steps back a minute: before `nbf`.
    clock.set(now - Duration::from_secs(60));
    assert!(
        verifier.verify_cached(&token).is_none(),
        "no hit before nbf"
    );
    assert_eq!(refusal(&verifier, &token).await, ErrorKind::NotYetValid);
    assert_eq!(
        verifier
            .verify_at(&token, clock.now())
            .await
            .unwrap_err()
            .kind(),
        &ErrorKind::NotYetValid,
        "the same answer as a miss"
    );
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Profile {
    email: u32,
}

#[tokio::test]
async fn claims_type_mismatch_names_the_claim_and_type_never_the_value() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    let token = issuer.id_token().email("alice@example.com").sign();
    let claims = verifier.verify(&token).await.unwrap();
    let authentication = Authentication::Verified(claims);
    let error = Authentication::claims_for::<Profile>(Some(&authentication), None).unwrap_err();
    assert_eq!(error.status(), 500);
    let shown = error.to_string();
    assert!(
        !shown.contains("Profile") && !shown.contains("::"),
        "{shown}"
    );
    assert!(!shown.contains("alice"), "{shown}");

    let detail = verifier
        .verify(&token)
        .await
        .unwrap()
        .with::<Profile>()
        .unwrap_err();
    let detail = std::error::Error::source(&detail).unwrap().to_string();
    assert!(detail.contains("email"), "{detail}");
    assert!(detail.contains("u32"), "{detail}");
    assert!(!detail.contains("alice"), "{detail}");
}
