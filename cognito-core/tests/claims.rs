#![cfg(feature = "test-util")]
//! Typed access to the standard Cognito claims of verified tokens: who, which client, groups,
//! scopes, dates, token ids, e-mail, machine tokens.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_core::test_util::LocalIssuer;
use cognito_core::{Claims, TokenUse, Verifier};
use serde_json::{Value, json};

/// One issuer for the whole file: key generation is the slow part. Each test builds its own
/// verifier, so nothing is shared between the tests' runtimes.
static ISSUER: LazyLock<LocalIssuer> =
    LazyLock::new(|| LocalIssuer::start().expect("local issuer starts"));

fn verifier() -> Verifier {
    Verifier::from(ISSUER.user_pool())
}

async fn verify(token: &str) -> Claims {
    verifier().verify(token).await.expect("token verifies")
}

/// A whole number of seconds a minute ago, so that `SystemTime`s compare exactly.
fn a_minute_ago() -> (SystemTime, u64) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after the epoch")
        .as_secs();
    let secs = now - 60;
    (UNIX_EPOCH + Duration::from_secs(secs), secs)
}

#[tokio::test]
async fn id_token_exposes_sub_issuer_token_use_and_cognito_username() {
    let token = ISSUER
        .id_token()
        .username("alice")
        .sub("5f1a9c3e-0000-4000-8000-000000000001")
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.sub(), "5f1a9c3e-0000-4000-8000-000000000001");
    assert_eq!(claims.issuer(), ISSUER.issuer());
    assert_eq!(
        claims.issuer(),
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalPool"
    );
    assert_eq!(claims.token_use(), Some(TokenUse::Id));
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.get("cognito:username"), Some(&json!("alice")));
    assert_eq!(claims.get("username"), None);
}

#[tokio::test]
async fn access_token_reads_username_from_the_username_claim() {
    let token = ISSUER.access_token().username("bob").sign();
    let claims = verify(&token).await;

    assert_eq!(claims.token_use(), Some(TokenUse::Access));
    assert_eq!(claims.username(), Some("bob"));
    assert_eq!(claims.get("username"), Some(&json!("bob")));
    assert_eq!(claims.get("cognito:username"), None);
}

#[tokio::test]
async fn tokens_of_one_user_share_a_sub() {
    let id = verify(&ISSUER.id_token().username("carol").sign()).await;
    let access = verify(&ISSUER.access_token().username("carol").sign()).await;
    assert_eq!(id.sub(), access.sub());
    assert!(!id.sub().is_empty());
}

#[tokio::test]
async fn client_id_comes_from_aud_for_id_tokens_and_client_id_for_access_tokens() {
    let id = verify(&ISSUER.id_token().sign()).await;
    assert_eq!(id.client_id(), Some("localclient"));
    assert_eq!(id.audience(), ["localclient".to_owned()]);
    assert_eq!(id.get("client_id"), None);

    let access = verify(&ISSUER.access_token().sign()).await;
    assert_eq!(access.client_id(), Some("localclient"));
    assert_eq!(access.get("client_id"), Some(&json!("localclient")));
}

#[tokio::test]
async fn audience_is_empty_for_access_tokens_without_aud() {
    let access = verify(&ISSUER.access_token().sign()).await;
    assert!(access.audience().is_empty());
}

#[tokio::test]
async fn groups_are_listed_in_token_order_and_in_group_matches_exact_names() {
    let token = ISSUER
        .id_token()
        .groups(["admin", "eu-west-1_Pool_Google", "staff"])
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.groups(), ["admin", "eu-west-1_Pool_Google", "staff"]);
    assert!(claims.in_group("admin"));
    assert!(claims.in_group("staff"));
    assert!(!claims.in_group("Admin"));
    assert!(!claims.in_group("adm"));
    assert!(!claims.in_group(""));
}

#[tokio::test]
async fn groups_are_empty_when_the_claim_is_absent() {
    let claims = verify(&ISSUER.id_token().sign()).await;
    assert_eq!(claims.get("cognito:groups"), None);
    assert!(claims.groups().is_empty());
    assert!(!claims.in_group("admin"));
}

#[tokio::test]
async fn access_token_groups_are_read_like_id_token_groups() {
    let claims = verify(&ISSUER.access_token().groups(["ops"]).sign()).await;
    assert_eq!(claims.groups(), ["ops"]);
    assert!(claims.in_group("ops"));
}

#[tokio::test]
async fn scopes_are_split_on_spaces_and_has_scope_matches_whole_scopes() {
    let token = ISSUER
        .access_token()
        .scopes([
            "openid",
            "reports/read",
            "https://api.example.com/orders.write",
        ])
        .sign();
    let claims = verify(&token).await;

    assert_eq!(
        claims.scopes().collect::<Vec<_>>(),
        [
            "openid",
            "reports/read",
            "https://api.example.com/orders.write"
        ]
    );
    assert!(claims.has_scope("reports/read"));
    assert!(claims.has_scope("https://api.example.com/orders.write"));
    assert!(!claims.has_scope("reports"));
    assert!(!claims.has_scope("reports/read openid"));
    assert!(!claims.has_scope(""));
}

#[tokio::test]
async fn default_access_token_scope_is_the_cognito_user_admin_scope() {
    let claims = verify(&ISSUER.access_token().sign()).await;
    assert_eq!(
        claims.scopes().collect::<Vec<_>>(),
        ["aws.cognito.signin.user.admin"]
    );
}

#[tokio::test]
async fn repeated_spaces_in_scope_yield_no_empty_scopes() {
    let token = ISSUER.access_token().claim("scope", "  a   b ").sign();
    let claims = verify(&token).await;
    assert_eq!(claims.scopes().collect::<Vec<_>>(), ["a", "b"]);
}

#[tokio::test]
async fn tokens_without_scope_have_no_scopes() {
    let id = verify(&ISSUER.id_token().sign()).await;
    assert_eq!(id.scopes().count(), 0);
    assert!(!id.has_scope("openid"));

    let access = verify(&ISSUER.access_token().without_claim("scope").sign()).await;
    assert_eq!(access.scopes().count(), 0);
}

#[tokio::test]
async fn numeric_dates_are_read_as_system_times() {
    let (iat, iat_secs) = a_minute_ago();
    let token = ISSUER
        .id_token()
        .issued_at(iat)
        .lifetime(Duration::from_secs(900))
        .claim("auth_time", iat_secs - 3600)
        .claim("nbf", iat_secs)
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.issued_at(), Some(iat));
    assert_eq!(claims.expires_at(), iat + Duration::from_secs(900));
    assert_eq!(
        claims.auth_time(),
        Some(iat - Duration::from_secs(3600)),
        "auth_time is kept across refreshes, so it may precede iat"
    );
    assert_eq!(claims.not_before(), Some(iat));
}

#[tokio::test]
async fn optional_dates_are_none_when_absent() {
    let token = ISSUER
        .access_token()
        .without_claim("iat")
        .without_claim("auth_time")
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.issued_at(), None);
    assert_eq!(claims.auth_time(), None);
    assert_eq!(claims.not_before(), None);
    assert!(claims.expires_at() > SystemTime::now());
}

#[tokio::test]
async fn fractional_numeric_dates_are_rounded_down() {
    let (_, secs) = a_minute_ago();
    let token = ISSUER.id_token().claim("iat", secs as f64 + 0.75).sign();
    let claims = verify(&token).await;
    assert_eq!(
        claims.issued_at(),
        Some(UNIX_EPOCH + Duration::from_secs(secs))
    );
}

#[tokio::test]
async fn jti_and_origin_jti_are_exposed() {
    let token = ISSUER
        .access_token()
        .claim("jti", "2c3f8a1e-jti")
        .claim("origin_jti", "9b7d6e5f-origin")
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.jti(), Some("2c3f8a1e-jti"));
    assert_eq!(claims.origin_jti(), Some("9b7d6e5f-origin"));
}

#[tokio::test]
async fn jti_and_origin_jti_are_none_when_absent() {
    let token = ISSUER
        .id_token()
        .without_claim("jti")
        .without_claim("origin_jti")
        .sign();
    let claims = verify(&token).await;
    assert_eq!(claims.jti(), None);
    assert_eq!(claims.origin_jti(), None);
}

#[tokio::test]
async fn email_and_email_verified_are_read_from_a_string_and_a_boolean() {
    let claims = verify(&ISSUER.id_token().email("alice@example.com").sign()).await;
    assert_eq!(claims.email(), Some("alice@example.com"));
    assert_eq!(claims.email_verified(), Some(true));

    let unverified = ISSUER
        .id_token()
        .email("bob@example.com")
        .claim("email_verified", false)
        .sign();
    assert_eq!(verify(&unverified).await.email_verified(), Some(false));
}

#[tokio::test]
async fn email_verified_accepts_the_string_forms() {
    for (sent, read) in [("true", true), ("false", false), ("True", true)] {
        let token = ISSUER
            .id_token()
            .email("alice@example.com")
            .claim("email_verified", sent)
            .sign();
        assert_eq!(
            verify(&token).await.email_verified(),
            Some(read),
            "email_verified {sent:?}"
        );
    }
}

#[tokio::test]
async fn email_verified_of_another_type_reads_as_absent() {
    for sent in [json!(1), json!("yes"), json!(null), json!(["true"])] {
        let token = ISSUER
            .id_token()
            .email("alice@example.com")
            .claim("email_verified", sent.clone())
            .sign();
        let claims = verify(&token).await;
        assert_eq!(claims.email_verified(), None, "email_verified {sent}");
        assert_eq!(claims.get("email_verified"), Some(&sent));
    }
}

#[tokio::test]
async fn email_of_another_type_reads_as_absent() {
    let token = ISSUER
        .id_token()
        .claim("email", json!({"address": "alice@example.com"}))
        .sign();
    let claims = verify(&token).await;
    assert_eq!(claims.email(), None);
    assert!(claims.get("email").is_some_and(Value::is_object));
}

#[tokio::test]
async fn email_claims_are_none_when_absent() {
    let claims = verify(&ISSUER.id_token().sign()).await;
    assert_eq!(claims.email(), None);
    assert_eq!(claims.email_verified(), None);
}

#[tokio::test]
async fn access_token_without_username_is_a_machine_token() {
    let token = ISSUER
        .access_token()
        .without_claim("username")
        .scopes(["orders/write"])
        .sign();
    let claims = verify(&token).await;

    assert!(claims.is_machine());
    assert_eq!(claims.username(), None);
    assert_eq!(claims.client_id(), Some("localclient"));
}

#[tokio::test]
async fn user_tokens_are_not_machine_tokens() {
    assert!(!verify(&ISSUER.access_token().sign()).await.is_machine());
    let id_without_username = ISSUER.id_token().without_claim("cognito:username").sign();
    let claims = verify(&id_without_username).await;
    assert_eq!(claims.username(), None);
    assert!(!claims.is_machine(), "an ID token always has a user");
}

#[tokio::test]
async fn cloned_claims_share_the_same_values() {
    let claims = verify(&ISSUER.id_token().groups(["a"]).sign()).await;
    let clone = claims.clone();
    assert_eq!(clone.sub(), claims.sub());
    assert_eq!(clone.groups(), claims.groups());
    assert_eq!(clone.raw(), claims.raw());
}

#[tokio::test]
async fn client_id_and_username_come_from_the_claims_that_were_checked() {
    // Claims a pre-token trigger could never set, but a verifier must not read the unchecked one.
    let id = verify(
        &ISSUER
            .id_token()
            .username("alice")
            .claim("client_id", "unchecked")
            .claim("username", "unchecked")
            .sign(),
    )
    .await;
    assert_eq!(id.client_id(), Some(ISSUER.client_id()));
    assert_eq!(id.username(), Some("alice"));
    let access = verify(
        &ISSUER
            .access_token()
            .username("bob")
            .claim("cognito:username", "unchecked")
            .sign(),
    )
    .await;
    assert_eq!(access.username(), Some("bob"));
}

#[tokio::test]
async fn claims_with_escapes_and_unicode_read_back_exactly() {
    // Escaped strings are kept apart from the payload text; plain ones are read from it.
    let token = ISSUER
        .id_token()
        .username("al\"ice\\n")
        .email("zoë@example.com")
        .claim("jti", "tab\there")
        .sign();
    let claims = verify(&token).await;
    assert_eq!(claims.username(), Some("al\"ice\\n"));
    assert_eq!(claims.email(), Some("zoë@example.com"));
    assert_eq!(claims.jti(), Some("tab\there"));
    assert_eq!(claims.client_id(), Some(ISSUER.client_id()));
    assert_eq!(claims.issuer(), ISSUER.issuer());
}
