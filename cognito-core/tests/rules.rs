//! One test per rule of DESIGN §4 and per verification check, against the local test issuer.
#![cfg(feature = "test-util")]

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognito_core::test_util::LocalIssuer;
use cognito_core::{ErrorClass, ErrorKind, Jwks, OidcIssuer, TokenUse, UserPool, Verifier};
use serde_json::{Value, json};

fn issuer() -> LocalIssuer {
    LocalIssuer::start().expect("local issuer")
}

fn verifier(issuer: &LocalIssuer) -> Verifier {
    Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .expect("verifier")
}

async fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify(token).await {
        Ok(claims) => panic!("token verified: {claims:?}"),
        Err(e) => e.kind().clone(),
    }
}

/// Re-encodes one segment of a token after editing its JSON.
fn edit_segment(token: &str, index: usize, edit: impl FnOnce(&mut Value)) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut json: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[index]).unwrap()).unwrap();
    edit(&mut json);
    parts[index] = URL_SAFE_NO_PAD.encode(json.to_string());
    parts.join(".")
}

// ---- the happy path, so every refusal below is a refusal of one thing ----------------------------

#[tokio::test]
async fn valid_id_and_access_tokens_verify() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let id = verifier.verify(&issuer.id_token().sign()).await.unwrap();
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    let access = verifier
        .verify(&issuer.access_token().sign())
        .await
        .unwrap();
    assert_eq!(access.token_use(), Some(TokenUse::Access));
}

// ---- algorithms ------------------------------------------------------------------------------------

#[tokio::test]
async fn alg_none_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().alg_none().sign();
    assert!(token.ends_with('.'));
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnsupportedAlgorithm
    );
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().hs256_with_public_key().sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnsupportedAlgorithm
    );
}

#[tokio::test]
async fn other_algorithm_names_are_refused_before_key_lookup() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    for alg in [
        "RS384", "RS512", "PS256", "ES256", "EdDSA", "rs256", "HS512", "",
    ] {
        let token = issuer.id_token().header("alg", alg).sign();
        assert_eq!(
            kind(&verifier, &token).await,
            ErrorKind::UnsupportedAlgorithm,
            "{alg}"
        );
    }
    assert_eq!(issuer.jwks_requests(), 0, "no key was looked up");
}

#[tokio::test]
async fn rsa_key_under_2048_bits_is_refused() {
    // A 1024-bit key and a token it signed (valid until 2100), made once with openssl.
    const WEAK_JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"weak-1024","alg":"RS256","use":"sig","n":"yN-Rmrg90wR-DK5fFX0cmlnSCk3IksC3yxEnZROafGmOYmPvH5LW2Bmqo3-cMUToiCZl_CvjuewhozL9s7655fO1USqHvi-Lnxn7tfMSbtaxvMNKmbP2t1ePB8wQlU3auaN_GxL1b2o-Ha-TVu85HNTCRh7cgr1hAqk03vv6M7s","e":"AQAB"}]}"#;
    const WEAK_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6IndlYWstMTAyNCJ9.eyJzdWIiOiJ3ZWFrLXVzZXIiLCJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tL3VzLWVhc3QtMV9XZWFrIiwiYXVkIjoid2Vha2NsaWVudCIsInRva2VuX3VzZSI6ImlkIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjQxMDI0NDQ4MDB9.NGyTijfqkF4pImMmrJy13kJkmMPINxY89vV215vzkdFCYZEAltikMN2aDXitYJVY2hZmr5BD8slQAI6j0POrPOq3IAAEOkgwGlLPZb02TBr4Xfqg789ZYlfLKgkdOFuedZbnccB9gQ8pNmDJkzGQVScsMqjcBf5mdATF2mnK_2Q";
    let jwks = Jwks::from_json(WEAK_JWKS).unwrap();
    assert!(jwks.is_empty());
    assert_eq!(
        jwks.skipped()[0].reason,
        "RSA modulus shorter than 2048 bits"
    );
    let pool = UserPool::new("us-east-1_Weak")
        .unwrap()
        .client_id("weakclient")
        .unwrap()
        .any_token_use()
        .jwks(jwks);
    let verifier = Verifier::from(pool);
    assert_eq!(kind(&verifier, WEAK_TOKEN).await, ErrorKind::UnusableKey);
}

#[tokio::test]
async fn key_that_declares_another_algorithm_is_not_used() {
    let issuer = issuer();
    let mut doc: Value = serde_json::from_str(&issuer.jwks_json()).unwrap();
    doc["keys"][0]["alg"] = json!("RS512");
    let jwks = Jwks::from_json(&doc.to_string()).unwrap();
    assert_eq!(jwks.skipped()[0].reason, "not an RS256 key");
    let verifier = Verifier::from(issuer.user_pool().jwks(jwks));
    assert_eq!(
        kind(&verifier, &issuer.id_token().sign()).await,
        ErrorKind::UnusableKey
    );
}

#[tokio::test]
async fn unknown_crit_header_is_refused() {
    let issuer = issuer();
    let token = issuer
        .id_token()
        .header("crit", json!(["exp"]))
        .header("exp", 1)
        .sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnsupportedCriticalHeader
    );
}

#[tokio::test]
async fn jku_pointing_elsewhere_is_ignored() {
    let victim = issuer();
    let attacker = issuer();
    // Signed by the attacker's key, carrying the victim's issuer, a kid the victim publishes
    // (both issuers start with `local-0`) and a jku to the attacker's keys.
    assert_eq!(attacker.active_kid(), victim.active_kid());
    let token = attacker
        .id_token()
        .claim("iss", victim.issuer())
        .client_id(victim.client_id())
        .header("jku", attacker.jwks_url())
        .sign();
    assert_eq!(
        kind(&verifier(&victim), &token).await,
        ErrorKind::InvalidSignature
    );
    assert_eq!(attacker.jwks_requests(), 0, "the jku URL was never fetched");
}

#[tokio::test]
async fn x5u_and_jwk_headers_are_ignored() {
    let issuer = issuer();
    let other = self::issuer();
    let verifier = verifier(&issuer);
    let embedded: Value = serde_json::from_str(&other.jwks_json()).unwrap();
    // A genuine token with the headers added still verifies: they change nothing.
    let token = issuer
        .id_token()
        .header("x5u", other.jwks_url())
        .header("jwk", embedded["keys"][0].clone())
        .sign();
    assert!(verifier.verify(&token).await.is_ok());
    // A token signed by the other key, offering that key inline, does not.
    let forged = other
        .id_token()
        .claim("iss", issuer.issuer())
        .client_id(issuer.client_id())
        .header("jwk", embedded["keys"][0].clone())
        .header("kid", issuer.active_kid())
        .sign();
    assert_eq!(kind(&verifier, &forged).await, ErrorKind::InvalidSignature);
    assert_eq!(other.jwks_requests(), 0);
}

#[tokio::test]
async fn token_without_kid_is_refused() {
    let issuer = issuer();
    let token = edit_segment(&issuer.id_token().sign(), 0, |h| {
        h.as_object_mut().unwrap().remove("kid");
    });
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::MissingKeyId
    );
}

// ---- signature and encoding -----------------------------------------------------------------------

#[tokio::test]
async fn tampered_payload_is_refused() {
    let issuer = issuer();
    let token = edit_segment(&issuer.id_token().sign(), 1, |p| {
        p["cognito:groups"] = json!(["admin"]);
    });
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::InvalidSignature
    );
}

#[tokio::test]
async fn token_signed_by_an_unpublished_key_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().other_key().sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnknownKeyId
    );
    let relabelled = issuer
        .id_token()
        .other_key()
        .header("kid", issuer.active_kid())
        .sign();
    assert_eq!(
        kind(&verifier(&issuer), &relabelled).await,
        ErrorKind::InvalidSignature
    );
}

#[tokio::test]
async fn truncated_signature_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().sign();
    let (head, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    bytes.truncate(bytes.len() - 3);
    let short = format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(
        kind(&verifier(&issuer), &short).await,
        ErrorKind::InvalidSignature
    );
}

#[tokio::test]
async fn non_canonical_base64url_is_refused() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let token = issuer.id_token().sign();
    let parts: Vec<&str> = token.split('.').collect();
    // The same header bytes in standard base64 with padding.
    let header = URL_SAFE_NO_PAD.decode(parts[0]).unwrap();
    let padded = format!("{}.{}.{}", STANDARD.encode(&header), parts[1], parts[2]);
    if padded != token {
        assert_eq!(
            kind(&verifier, &padded).await,
            ErrorKind::NonCanonicalEncoding
        );
    }
    let with_padding = format!("{}==.{}.{}", parts[0], parts[1], parts[2]);
    assert_eq!(
        kind(&verifier, &with_padding).await,
        ErrorKind::NonCanonicalEncoding
    );
}

#[tokio::test]
async fn four_segments_are_refused() {
    let issuer = issuer();
    let token = format!("{}.e30", issuer.id_token().sign());
    assert_eq!(kind(&verifier(&issuer), &token).await, ErrorKind::Malformed);
    assert_eq!(kind(&verifier(&issuer), "a.b").await, ErrorKind::Malformed);
}

#[tokio::test]
async fn oversized_token_is_refused_before_parsing() {
    let issuer = issuer();
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .max_token_len(4096)
        .build()
        .unwrap();
    let big = issuer.id_token().claim("padding", "x".repeat(5000)).sign();
    assert_eq!(kind(&verifier, &big).await, ErrorKind::TokenTooLong);
    assert_eq!(issuer.jwks_requests(), 0);
}

#[tokio::test]
async fn deeply_nested_json_is_refused() {
    let issuer = issuer();
    let mut nested = json!(1);
    for _ in 0..40 {
        nested = json!([nested]);
    }
    let token = issuer.id_token().claim("deep", nested).sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::JsonTooDeep
    );
}

#[tokio::test]
async fn duplicate_claims_are_refused() {
    let issuer = issuer();
    let token = issuer.id_token().sign();
    let parts: Vec<&str> = token.split('.').collect();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let doubled = payload.replacen('{', "{\"sub\":\"someone-else\",", 1);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(doubled),
        parts[2]
    );
    assert_eq!(
        kind(&verifier(&issuer), &forged).await,
        ErrorKind::Malformed
    );
}

// ---- time ------------------------------------------------------------------------------------------

#[tokio::test]
async fn expired_token_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().expired().sign();
    assert_eq!(kind(&verifier(&issuer), &token).await, ErrorKind::Expired);
}

#[tokio::test]
async fn token_without_exp_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().without_claim("exp").sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::MissingClaim("exp")
    );
}

#[tokio::test]
async fn not_yet_valid_token_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().not_yet_valid().sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::NotYetValid
    );
}

#[tokio::test]
async fn leeway_accepts_small_skew_and_nothing_more() {
    let issuer = issuer();
    let thirty_seconds_ago = SystemTime::now() - Duration::from_secs(30);
    let token = issuer
        .id_token()
        .issued_at(thirty_seconds_ago - Duration::from_secs(60))
        .lifetime(Duration::from_secs(60))
        .sign();
    assert_eq!(kind(&verifier(&issuer), &token).await, ErrorKind::Expired);
    let lenient = Verifier::builder()
        .pool(issuer.user_pool())
        .leeway(Duration::from_secs(60))
        .build()
        .unwrap();
    assert!(lenient.verify(&token).await.is_ok());
    let too_lenient = Verifier::builder()
        .pool(issuer.user_pool())
        .leeway(Duration::from_secs(301))
        .build()
        .unwrap_err();
    assert_eq!(too_lenient.field(), "leeway");
}

#[tokio::test]
async fn verify_at_uses_the_given_instant() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let token = issuer.id_token().lifetime(Duration::from_secs(600)).sign();
    let later = SystemTime::now() + Duration::from_secs(601);
    assert_eq!(
        verifier.verify_at(&token, later).await.unwrap_err().kind(),
        &ErrorKind::Expired
    );
    assert!(verifier.verify_at(&token, SystemTime::now()).await.is_ok());
}

// ---- issuer ----------------------------------------------------------------------------------------

#[tokio::test]
async fn wrong_issuer_is_refused_without_network_io() {
    let issuer = issuer();
    let token = issuer.id_token().wrong_issuer().sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnknownIssuer
    );
    let url_issuer = issuer.id_token().claim("iss", issuer.jwks_url()).sign();
    assert_eq!(
        kind(&verifier(&issuer), &url_issuer).await,
        ErrorKind::UnknownIssuer
    );
    assert_eq!(issuer.jwks_requests(), 0, "an unknown iss caused a fetch");
}

#[tokio::test]
async fn issuer_comparison_is_exact() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    for iss in [
        format!("{}/", issuer.issuer()),
        issuer.issuer().to_uppercase(),
        issuer.issuer().replace("https://", "http://"),
    ] {
        let token = issuer.id_token().claim("iss", iss.as_str()).sign();
        assert_eq!(
            kind(&verifier, &token).await,
            ErrorKind::UnknownIssuer,
            "{iss}"
        );
    }
}

#[tokio::test]
async fn updated_issuer_form_is_accepted_only_when_opted_in() {
    let issuer = issuer();
    let updated = issuer
        .issuer()
        .replace("cognito-idp.", "issuer-cognito-idp.");
    let token = issuer.id_token().claim("iss", updated.as_str()).sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::UnknownIssuer
    );
    let opted_in = Verifier::from(issuer.user_pool().accept_updated_issuer());
    assert_eq!(opted_in.verify(&token).await.unwrap().issuer(), updated);
}

#[tokio::test]
async fn several_pools_each_verify_their_own_tokens() {
    let a = issuer();
    let b = LocalIssuer::builder()
        .pool_id("eu-west-1_SecondPool")
        .client_id("secondclient")
        .start()
        .unwrap();
    let verifier = Verifier::builder()
        .pool(a.user_pool())
        .pool(b.user_pool())
        .build()
        .unwrap();
    assert_eq!(
        verifier
            .verify(&a.id_token().sign())
            .await
            .unwrap()
            .issuer(),
        a.issuer()
    );
    assert_eq!(
        verifier
            .verify(&b.id_token().sign())
            .await
            .unwrap()
            .issuer(),
        b.issuer()
    );
    // b's client is not a's client: a token of pool a for b's client is refused.
    let crossed = a.id_token().client_id("secondclient").sign();
    assert_eq!(kind(&verifier, &crossed).await, ErrorKind::WrongClient);
}

// ---- token use and client --------------------------------------------------------------------------

#[tokio::test]
async fn id_token_where_access_required_is_refused() {
    let issuer = issuer();
    let verifier = Verifier::from(issuer.user_pool().token_use(TokenUse::Access));
    assert_eq!(
        kind(&verifier, &issuer.id_token().sign()).await,
        ErrorKind::WrongTokenUse
    );
    assert!(verifier.verify(&issuer.access_token().sign()).await.is_ok());
}

#[tokio::test]
async fn access_token_where_id_required_is_refused() {
    let issuer = issuer();
    let verifier = Verifier::from(issuer.user_pool().token_use(TokenUse::Id));
    assert_eq!(
        kind(&verifier, &issuer.access_token().sign()).await,
        ErrorKind::WrongTokenUse
    );
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
}

#[tokio::test]
async fn missing_token_use_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().without_claim("token_use").sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::InvalidTokenUse
    );
}

#[tokio::test]
async fn token_use_other_than_id_or_access_is_refused() {
    let issuer = issuer();
    let verifier = Verifier::from(issuer.user_pool().any_client());
    for token_use in [
        json!("refresh"),
        json!("ID"),
        json!(""),
        json!(1),
        json!(["id"]),
    ] {
        let token = issuer
            .id_token()
            .claim("token_use", token_use.clone())
            .sign();
        let err = kind(&verifier, &token).await;
        assert!(
            matches!(
                err,
                ErrorKind::InvalidTokenUse | ErrorKind::InvalidClaim("token_use")
            ),
            "{token_use}: {err:?}"
        );
    }
}

#[tokio::test]
async fn wrong_client_id_is_refused() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let id = issuer.id_token().client_id("someoneelse").sign();
    assert_eq!(kind(&verifier, &id).await, ErrorKind::WrongClient);
    let access = issuer.access_token().client_id("someoneelse").sign();
    assert_eq!(kind(&verifier, &access).await, ErrorKind::WrongClient);
}

#[tokio::test]
async fn access_token_is_checked_on_client_id_not_aud() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    // A resource-bound access token: `aud` names an API, `client_id` the client.
    let bound = issuer
        .access_token()
        .claim("aud", "https://api.example.com")
        .sign();
    assert!(verifier.verify(&bound).await.is_ok());
    // `aud` naming the client does not stand in for a foreign `client_id`.
    let foreign = issuer
        .access_token()
        .client_id("someoneelse")
        .claim("aud", issuer.client_id())
        .sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    let missing = issuer.access_token().without_claim("client_id").sign();
    assert_eq!(
        kind(&verifier, &missing).await,
        ErrorKind::MissingClaim("client_id")
    );
}

#[tokio::test]
async fn resource_audience_requires_access_tokens_bound_to_this_api() {
    let issuer = issuer();
    let api = "https://api.example.com";
    let pool = issuer.user_pool().resource_audience(api).unwrap();
    let verifier = Verifier::builder().pool(pool).no_cache().build().unwrap();

    let bound = issuer.access_token().claim("aud", api).sign();
    assert!(verifier.verify(&bound).await.is_ok());
    let elsewhere = issuer
        .access_token()
        .claim("aud", "https://other.example.com")
        .sign();
    assert_eq!(kind(&verifier, &elsewhere).await, ErrorKind::WrongAudience);
    // An `aud` naming the app client (a pre-token-generation trigger may add one) is no binding.
    let client = issuer
        .access_token()
        .claim("aud", issuer.client_id())
        .sign();
    assert_eq!(kind(&verifier, &client).await, ErrorKind::WrongAudience);
    let unbound = issuer.access_token().sign();
    assert_eq!(
        kind(&verifier, &unbound).await,
        ErrorKind::MissingClaim("aud")
    );
    // The client check still comes first.
    let foreign = issuer
        .access_token()
        .client_id("someoneelse")
        .claim("aud", api)
        .sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    assert_eq!(
        verifier.verify(&elsewhere).await.unwrap_err().status(),
        401,
        "invalid_token"
    );
}

#[tokio::test]
async fn resource_audience_accepts_any_configured_api_and_leaves_id_tokens_alone() {
    let issuer = issuer();
    let pool = issuer
        .user_pool()
        .resource_audience("https://a.example.com")
        .unwrap()
        .resource_audience("https://b.example.com")
        .unwrap();
    let verifier = Verifier::builder().pool(pool).no_cache().build().unwrap();
    for api in ["https://a.example.com", "https://b.example.com"] {
        let token = issuer.access_token().claim("aud", api).sign();
        assert!(verifier.verify(&token).await.is_ok(), "{api}");
    }
    // An ID token's `aud` is its app client, whatever resources the pool binds.
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
}

#[test]
fn resource_audience_must_be_a_plausible_value() {
    let pool = || UserPool::new("eu-west-1_AbCdEf123").unwrap();
    for bad in ["", "https://api.example.com\n", &"a".repeat(1025)] {
        let error = pool().resource_audience(bad).unwrap_err();
        assert_eq!(error.field(), "resource_audience", "{bad:?}");
    }
}

#[tokio::test]
async fn aud_array_on_an_id_token_is_refused() {
    let issuer = issuer();
    let token = issuer
        .id_token()
        .claim("aud", json!([issuer.client_id(), "other"]))
        .sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::InvalidClaim("aud")
    );
}

#[tokio::test]
async fn any_client_is_an_explicit_opt_out() {
    let issuer = issuer();
    let open = Verifier::from(issuer.user_pool().any_client());
    let token = issuer.id_token().client_id("anyotherclient").sign();
    assert!(open.verify(&token).await.is_ok());
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::WrongClient
    );
}

#[tokio::test]
async fn client_id_after_any_client_restores_the_client_check() {
    let issuer = issuer();
    let pool = issuer
        .user_pool()
        .any_client()
        .client_id(issuer.client_id())
        .unwrap();
    let verifier = Verifier::from(pool);
    let foreign = issuer.id_token().client_id("anyotherclient").sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());

    let oidc = OidcIssuer::new(issuer.issuer())
        .unwrap()
        .any_audience()
        .audience("my-api")
        .unwrap()
        .jwks_url(issuer.jwks_url())
        .unwrap();
    let foreign = issuer.id_token().claim("aud", "other-api").sign();
    assert_eq!(
        kind(&Verifier::from(oidc), &foreign).await,
        ErrorKind::WrongClient
    );
}

#[tokio::test]
async fn missing_sub_is_refused() {
    let issuer = issuer();
    let token = issuer.id_token().without_claim("sub").sign();
    assert_eq!(
        kind(&verifier(&issuer), &token).await,
        ErrorKind::MissingClaim("sub")
    );
}

// ---- generic OIDC issuers ---------------------------------------------------------------------------

#[tokio::test]
async fn oidc_issuer_checks_audience_in_string_or_array() {
    let issuer = issuer();
    let oidc = OidcIssuer::new(issuer.issuer())
        .unwrap()
        .audience("my-api")
        .unwrap()
        .jwks_url(issuer.jwks_url())
        .unwrap();
    let verifier = Verifier::from(oidc);
    let as_string = issuer
        .id_token()
        .claim("aud", "my-api")
        .without_claim("token_use")
        .sign();
    let claims = verifier.verify(&as_string).await.unwrap();
    assert_eq!(claims.token_use(), None);
    let as_array = issuer
        .id_token()
        .claim("aud", json!(["other", "my-api"]))
        .sign();
    assert!(verifier.verify(&as_array).await.is_ok());
    let foreign = issuer.id_token().claim("aud", json!(["other"])).sign();
    assert_eq!(kind(&verifier, &foreign).await, ErrorKind::WrongClient);
    let none = issuer.id_token().without_claim("aud").sign();
    assert_eq!(kind(&verifier, &none).await, ErrorKind::MissingClaim("aud"));
}

#[tokio::test]
async fn oidc_token_use_claim_is_unchecked_so_it_satisfies_no_token_use_rule() {
    let issuer = issuer();
    let oidc = OidcIssuer::new(issuer.issuer())
        .unwrap()
        .audience("my-api")
        .unwrap()
        .jwks_url(issuer.jwks_url())
        .unwrap();
    let verifier = Verifier::from(oidc);
    let token = issuer
        .access_token()
        .claim("aud", "my-api")
        .claim("client_id", "anything")
        .sign();
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(claims.token_use(), None);
    assert!(!cognito_core::Require::token_use(TokenUse::Access).holds(&claims));
}

// ---- the user's check --------------------------------------------------------------------------------

#[tokio::test]
async fn user_check_runs_last_and_on_every_cache_hit() {
    let issuer = issuer();
    let revoked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let list = revoked.clone();
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .check(move |claims| {
            let revoked = list.lock().unwrap();
            match claims.origin_jti() {
                Some(jti) if revoked.iter().any(|r| r == jti) => Err("the token was revoked"),
                _ => Ok(()),
            }
        })
        .build()
        .unwrap();
    let token = issuer.id_token().sign();
    let origin = verifier
        .verify(&token)
        .await
        .unwrap()
        .origin_jti()
        .unwrap()
        .to_owned();
    revoked.lock().unwrap().push(origin);
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::CheckFailed("the token was revoked".into())
    );
    assert_eq!(err.status(), 401);
    // An expired token fails on expiry, before the check sees it.
    assert_eq!(
        kind(&verifier, &issuer.id_token().expired().sign()).await,
        ErrorKind::Expired
    );
}

#[tokio::test]
async fn async_check_runs_after_the_sync_check_and_on_every_cache_hit() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    let issuer = issuer();
    let calls = Arc::new(AtomicUsize::new(0));
    let signed_out = Arc::new(Mutex::new(Vec::<String>::new()));
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .check(|claims| match claims.username() {
            Some("blocked") => Err("the user is blocked"),
            _ => Ok(()),
        })
        .check_async({
            let (calls, signed_out) = (calls.clone(), signed_out.clone());
            move |claims| {
                let (calls, signed_out) = (calls.clone(), signed_out.clone());
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    let session = claims.origin_jti().unwrap_or_default().to_owned();
                    if signed_out.lock().unwrap().contains(&session) {
                        Err("the session was signed out")
                    } else {
                        Ok(())
                    }
                }
            }
        })
        .build()
        .unwrap();

    let token = issuer.id_token().sign();
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Cached, but never answered without waiting for the check.
    assert_eq!(verifier.cached_tokens(), 1);
    assert!(verifier.verify_cached(&token).is_none());
    assert!(matches!(
        verifier.decide(cognito_core::token::Found::Token(&token), false),
        cognito_core::Decision::Verify(_)
    ));
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the cache hit was checked too"
    );

    signed_out
        .lock()
        .unwrap()
        .push(claims.origin_jti().unwrap().to_owned());
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::CheckFailed("the session was signed out".into())
    );
    assert_eq!(err.status(), 401);
    let err = verifier
        .verify_at(&token, SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::CheckFailed("the session was signed out".into())
    );

    // The synchronous check refuses first: the asynchronous one is not even asked.
    let before = calls.load(Ordering::SeqCst);
    let blocked = issuer.id_token().username("blocked").sign();
    assert_eq!(
        kind(&verifier, &blocked).await,
        ErrorKind::CheckFailed("the user is blocked".into())
    );
    assert_eq!(calls.load(Ordering::SeqCst), before);
}

// ---- fail closed and no secrets in output ----------------------------------------------------------

#[tokio::test]
async fn unreachable_keys_fail_closed_with_503() {
    let issuer = issuer();
    let token = issuer.id_token().sign();
    let pool = UserPool::new(issuer.pool_id())
        .unwrap()
        .client_id(issuer.client_id())
        .unwrap()
        .any_token_use()
        .jwks_url("http://127.0.0.1:9/nothing-listens-here")
        .unwrap();
    let verifier = Verifier::from(pool);
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::KeysUnavailable);
    assert_eq!(err.class(), ErrorClass::KeysUnavailable);
    assert_eq!(err.status(), 503);
    assert!(err.retry_after().is_some());
    assert!(verifier.hydrate().await.is_err());
}

#[tokio::test]
async fn token_never_appears_in_errors_or_debug_output() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let good = issuer.id_token().username("secret-user-name").sign();
    let claims = verifier.verify(&good).await.unwrap();
    let signature = good.rsplit('.').next().unwrap();
    assert!(!format!("{claims:?}").contains(signature));
    assert!(!format!("{verifier:?}").contains(signature));
    // What an adapter holds before verifying: the token found, and the decision to verify it.
    let found = cognito_core::token::Found::Token(&good);
    assert!(!format!("{found:?}").contains(signature));
    let fresh = issuer.id_token().sign();
    let decision = verifier.decide(cognito_core::token::Found::Token(&fresh), false);
    assert!(matches!(decision, cognito_core::Decision::Verify(_)));
    let fresh_signature = fresh.rsplit('.').next().unwrap();
    assert!(!format!("{decision:?}").contains(fresh_signature));
    let bad = [
        issuer
            .id_token()
            .expired()
            .username("attacker<script>")
            .sign(),
        issuer.id_token().header("alg", "attacker<script>").sign(),
        issuer
            .id_token()
            .claim("iss", "https://attacker<script>")
            .sign(),
        "attacker<script>.x.y".to_owned(),
    ];
    for token in bad {
        let err = verifier.verify(&token).await.unwrap_err();
        for text in [
            err.to_string(),
            format!("{err:?}"),
            err.www_authenticate("api").unwrap_or_default(),
        ] {
            assert!(!text.contains("attacker"), "{text}");
            assert!(!text.contains(&token), "{text}");
        }
    }
}

#[tokio::test]
async fn configuration_errors_name_their_field() {
    assert_eq!(Verifier::builder().build().unwrap_err().field(), "issuers");
    let issuer = issuer();
    let twice = Verifier::builder()
        .pool(issuer.user_pool())
        .pool(issuer.user_pool())
        .build()
        .unwrap_err();
    assert_eq!(twice.field(), "issuers");
    let tiny = Verifier::builder()
        .pool(issuer.user_pool())
        .max_token_len(10)
        .build()
        .unwrap_err();
    assert_eq!(tiny.field(), "max_token_len");
    assert!(tiny.to_string().contains("max_token_len"));
}

#[test]
fn one_identity_provider_under_two_issuer_urls_is_refused() {
    // The same pool through a proxy: its users would share identities and cached credentials
    // with the direct issuer's, keyed by the pool alone.
    let direct = UserPool::new("eu-west-1_AbCdEf123")
        .unwrap()
        .client_id("client")
        .unwrap()
        .any_token_use();
    let proxied = direct
        .clone()
        .issuer("https://proxy.example.com/eu-west-1_AbCdEf123")
        .unwrap();
    let error = Verifier::builder()
        .pool(direct)
        .pool(proxied)
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "issuers");
    assert!(error.to_string().contains("identity provider"), "{error}");

    // Two OIDC issuers that differ only by a trailing slash are one provider too.
    let oidc = |url: &str| OidcIssuer::new(url).unwrap().audience("api").unwrap();
    let error = Verifier::builder()
        .oidc(oidc("https://idp.example.com"))
        .oidc(oidc("https://idp.example.com/"))
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "issuers");
}
