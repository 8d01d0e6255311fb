#![cfg(feature = "test-util")]
//! Typed access to the claims of verified tokens: the standard Cognito claims, custom
//! attributes, the raw payload, and the application's own claim type.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{Claims, ErrorClass, ErrorKind, TokenUse, Verifier};
use serde::Deserialize;
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

fn payload_of(token: &str) -> Value {
    let segment = token.split('.').nth(1).expect("three segments");
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
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

fn google_identity() -> Value {
    json!({
        "userId": "109876543210987654321",
        "providerName": "Google",
        "providerType": "Google",
        "issuer": null,
        "primary": "true",
        "dateCreated": "1642699117273"
    })
}

#[tokio::test]
async fn identities_of_a_federated_user_are_parsed_from_an_array() {
    let saml = json!({
        "userId": "alice@corp.example",
        "providerName": "CorpSAML",
        "providerType": "SAML",
        "issuer": "https://idp.corp.example/metadata",
        "primary": "false",
        "dateCreated": "1700000000000"
    });
    let token = ISSUER
        .id_token()
        .username("Google_109876543210987654321")
        .claim("identities", json!([google_identity(), saml]))
        .sign();
    let identities = verify(&token).await.identities();

    assert_eq!(identities.len(), 2);
    let google = &identities[0];
    assert_eq!(google.user_id, "109876543210987654321");
    assert_eq!(google.provider_name, "Google");
    assert_eq!(google.provider_type, "Google");
    assert_eq!(google.issuer, None);
    assert!(google.primary);
    assert_eq!(
        google.date_created,
        Some(UNIX_EPOCH + Duration::from_millis(1_642_699_117_273))
    );

    let corp = &identities[1];
    assert_eq!(corp.provider_type, "SAML");
    assert_eq!(
        corp.issuer.as_deref(),
        Some("https://idp.corp.example/metadata")
    );
    assert!(!corp.primary);
    assert_eq!(
        corp.date_created,
        Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_000))
    );
}

#[tokio::test]
async fn identities_are_parsed_from_a_json_string() {
    let text = json!([google_identity()]).to_string();
    let token = ISSUER.id_token().claim("identities", text).sign();
    let identities = verify(&token).await.identities();

    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].provider_name, "Google");
    assert!(identities[0].primary);
    assert_eq!(
        identities[0].date_created,
        Some(UNIX_EPOCH + Duration::from_millis(1_642_699_117_273))
    );
}

#[tokio::test]
async fn identity_without_primary_or_date_created_defaults_them() {
    let token = ISSUER
        .id_token()
        .claim(
            "identities",
            json!([{"userId": "1", "providerName": "Oidc", "providerType": "OIDC"}]),
        )
        .sign();
    let identities = verify(&token).await.identities();
    assert_eq!(identities.len(), 1);
    assert!(!identities[0].primary);
    assert_eq!(identities[0].date_created, None);
}

#[tokio::test]
async fn malformed_identity_entries_are_left_out() {
    let token = ISSUER
        .id_token()
        .claim(
            "identities",
            json!([{"providerName": "Google"}, "Google", 7, google_identity()]),
        )
        .sign();
    let identities = verify(&token).await.identities();
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].user_id, "109876543210987654321");
}

#[tokio::test]
async fn identities_are_empty_when_absent_or_not_a_list() {
    assert!(
        verify(&ISSUER.id_token().sign())
            .await
            .identities()
            .is_empty()
    );
    for sent in [json!("not json"), json!({"userId": "1"}), json!(3)] {
        let token = ISSUER.id_token().claim("identities", sent.clone()).sign();
        assert!(
            verify(&token).await.identities().is_empty(),
            "identities {sent}"
        );
    }
}

#[tokio::test]
async fn custom_attributes_are_read_without_their_prefix() {
    let token = ISSUER
        .id_token()
        .custom("department", "finance")
        .custom("tenant_id", "t-42")
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.custom("department"), Some("finance"));
    assert_eq!(claims.custom("tenant_id"), Some("t-42"));
    assert_eq!(claims.custom("custom:department"), None);
    assert_eq!(claims.custom("missing"), None);
    assert_eq!(claims.get("custom:department"), Some(&json!("finance")));
}

#[tokio::test]
async fn custom_does_not_read_claims_without_the_prefix() {
    let token = ISSUER.id_token().claim("department", "finance").sign();
    let claims = verify(&token).await;
    assert_eq!(claims.custom("department"), None);
    assert_eq!(claims.custom_value("department"), None);
}

#[tokio::test]
async fn custom_value_returns_non_string_custom_claims() {
    let token = ISSUER
        .access_token()
        .claim("custom:level", 3)
        .claim("custom:flags", json!({"beta": true}))
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.custom_value("level"), Some(&json!(3)));
    assert_eq!(claims.custom("level"), None, "custom() is for strings");
    assert_eq!(claims.custom_value("flags"), Some(&json!({"beta": true})));
}

#[tokio::test]
async fn get_and_raw_expose_every_claim() {
    let token = ISSUER
        .access_token()
        .claim("event_id", "e-1")
        .claim("version", 2)
        .claim("tenant", json!({"id": 7}))
        .sign();
    let claims = verify(&token).await;

    assert_eq!(claims.get("event_id"), Some(&json!("e-1")));
    assert_eq!(claims.get("version"), Some(&json!(2)));
    assert_eq!(claims.get("tenant"), Some(&json!({"id": 7})));
    assert_eq!(claims.get("absent"), None);

    let raw = claims.raw();
    assert_eq!(raw.get("sub"), Some(&json!(claims.sub())));
    assert_eq!(raw.get("token_use"), Some(&json!("access")));
    assert_eq!(raw.get("iss"), Some(&json!(ISSUER.issuer())));
    assert_eq!(Value::Object(raw.clone()), payload_of(&token));
}

#[derive(Debug, Deserialize)]
struct MyAttrs {
    #[serde(rename = "custom:department")]
    department: String,
    #[serde(rename = "custom:cost_center", default)]
    cost_center: Option<String>,
    email: String,
}

#[tokio::test]
async fn verify_as_deserializes_custom_attributes_into_the_application_type() {
    let token = ISSUER
        .id_token()
        .username("alice")
        .email("alice@example.com")
        .custom("department", "finance")
        .sign();
    let claims = verifier()
        .verify_as::<MyAttrs>(&token)
        .await
        .expect("claims fit MyAttrs");

    assert_eq!(claims.department, "finance", "through Deref");
    assert_eq!(claims.extra().cost_center, None);
    assert_eq!(claims.email, "alice@example.com");
    assert_eq!(claims.username(), Some("alice"), "standard claims stay");
    let attrs: MyAttrs = claims.into_extra();
    assert_eq!(attrs.department, "finance");
}

#[derive(Debug, Deserialize, PartialEq)]
struct Tenant {
    id: u32,
    tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct TriggerClaims {
    tenant: Tenant,
    seats: u64,
    regions: Vec<String>,
    #[serde(default)]
    plan: Option<String>,
}

#[tokio::test]
async fn verify_as_reads_pre_token_trigger_claims_of_any_json_type() {
    let token = ISSUER
        .access_token()
        .claim("tenant", json!({"id": 7, "tags": ["a"]}))
        .claim("seats", 25)
        .claim("regions", json!(["eu-west-1", "us-east-1"]))
        .sign();
    let claims = verifier()
        .verify_as::<TriggerClaims>(&token)
        .await
        .expect("claims fit TriggerClaims");

    assert_eq!(
        claims.tenant,
        Tenant {
            id: 7,
            tags: vec!["a".into()]
        }
    );
    assert_eq!(claims.seats, 25);
    assert_eq!(claims.regions, ["eu-west-1", "us-east-1"]);
    assert_eq!(claims.plan, None);
    assert_eq!(claims.token_use(), Some(TokenUse::Access));
}

#[tokio::test]
async fn verify_as_with_a_type_that_does_not_fit_is_a_500_claims_type_error() {
    let token = ISSUER
        .access_token()
        .claim("tenant", json!({"id": "seven", "tags": ["a"]}))
        .claim("seats", 25)
        .claim("regions", json!([]))
        .sign();
    let err = verifier()
        .verify_as::<TriggerClaims>(&token)
        .await
        .expect_err("tenant.id is not a number");

    assert_eq!(err.kind(), &ErrorKind::ClaimsType);
    assert_eq!(err.class(), ErrorClass::Misconfigured);
    assert_eq!(err.status(), 500);
    assert_eq!(err.www_authenticate("api"), None);
    assert!(!err.to_string().contains("seven"));
}

#[tokio::test]
async fn verify_as_with_a_missing_required_field_is_a_claims_type_error() {
    let token = ISSUER.id_token().email("alice@example.com").sign();
    let err = verifier()
        .verify_as::<MyAttrs>(&token)
        .await
        .expect_err("custom:department is missing");
    assert_eq!(err.kind(), &ErrorKind::ClaimsType);
    assert_eq!(err.status(), 500);
}

#[tokio::test]
async fn with_converts_verified_claims_to_the_application_type() {
    let token = ISSUER
        .id_token()
        .email("alice@example.com")
        .custom("department", "ops")
        .sign();
    let claims = verify(&token).await;
    let sub = claims.sub().to_owned();

    let typed = claims
        .clone()
        .with::<MyAttrs>()
        .expect("claims fit MyAttrs");
    assert_eq!(typed.department, "ops");
    assert_eq!(typed.sub(), sub);

    let err = claims.with::<TriggerClaims>().expect_err("no tenant claim");
    assert_eq!(err.kind(), &ErrorKind::ClaimsType);
}

#[tokio::test]
async fn claims_serialize_as_the_payload_object() {
    let token = ISSUER
        .id_token()
        .username("alice")
        .groups(["admin"])
        .custom("department", "finance")
        .claim("tenant", json!({"id": 7, "tags": ["a"]}))
        .sign();
    let claims = verify(&token).await;

    let serialized = serde_json::to_value(&claims).expect("claims serialize");
    assert!(serialized.is_object());
    assert_eq!(serialized, payload_of(&token));
    assert_eq!(serialized["cognito:groups"], json!(["admin"]));
    assert_eq!(serialized["custom:department"], json!("finance"));

    let typed = verifier()
        .verify_as::<Value>(&token)
        .await
        .expect("any payload fits Value");
    assert_eq!(
        serde_json::to_value(&typed).expect("claims serialize"),
        serialized,
        "the typed part does not change what is serialized"
    );
}

#[tokio::test]
async fn debug_output_does_not_contain_the_token() {
    let token = ISSUER
        .id_token()
        .username("alice")
        .email("alice@example.com")
        .sign();
    let claims = verify(&token).await;
    let debug = format!("{claims:?}");
    let pretty = format!("{claims:#?}");

    for segment in token.split('.') {
        assert!(!debug.contains(segment), "Debug shows a token segment");
        assert!(!pretty.contains(segment), "Debug shows a token segment");
    }
    assert!(debug.starts_with("Claims"));
    assert!(debug.contains("alice"), "Debug names the user: {debug}");
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
