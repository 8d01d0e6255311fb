#![cfg(feature = "test-util")]
//! The rest of a verified token's payload: linked identities, custom attributes, the raw
//! payload, the application's own claim type, and what serializing and `Debug` show.

use std::sync::LazyLock;
use std::time::{Duration, UNIX_EPOCH};

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

fn payload_of(token: &str) -> Value {
    let segment = token.split('.').nth(1).expect("three segments");
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
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
