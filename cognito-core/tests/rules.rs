//! One test per rule of DESIGN §4 and per verification check of the token itself (algorithms,
//! signature and encoding, time), against the local test issuer.
#![cfg(feature = "test-util")]

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognito_core::test_util::LocalIssuer;
use cognito_core::{ErrorKind, Jwks, TokenUse, UserPool, Verifier};
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
    // The key loads, bound to RS512 alone: an RS256 token it really signed is refused.
    let jwks = Jwks::from_json(&doc.to_string()).unwrap();
    assert_eq!(jwks.len(), 1);
    let verifier = Verifier::from(issuer.user_pool().jwks(jwks));
    assert_eq!(
        kind(&verifier, &issuer.id_token().sign()).await,
        ErrorKind::KeyAlgorithmMismatch
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
