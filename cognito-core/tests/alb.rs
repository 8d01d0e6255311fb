//! Verifying what an Application Load Balancer forwards: a local load balancer's tokens, in
//! every form it sends them and every way they can be wrong.

#![cfg(feature = "test-util")]

use std::time::Duration;

use cognito_core::alb::{Alb, AlbHeaders};
use cognito_core::test_util::{JwksBehaviour, LocalAlb, LocalIssuer};
use cognito_core::{ErrorKind, TokenUse, Verifier};

const OTHER_REGION_SIGNER: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/local/50dc6c495c0c9188";

async fn refusal(alb: &LocalAlb, token: &str) -> ErrorKind {
    let verifier = alb.verifier().unwrap();
    verifier
        .verify(AlbHeaders::new(token))
        .await
        .expect_err("the token must be refused")
        .kind()
        .clone()
}

#[tokio::test]
async fn a_valid_alb_token_gives_the_user_info_claims() {
    let alb = LocalAlb::start().unwrap();
    let token = alb
        .token()
        .sub("alice-sub")
        .claim("email", "alice@example.com")
        .sign();
    assert!(token.contains('='), "the load balancer pads its segments");
    let claims = alb
        .verifier()
        .unwrap()
        .verify(AlbHeaders::new(&token).identity("alice-sub"))
        .await
        .unwrap();
    assert_eq!(claims.sub(), "alice-sub");
    assert_eq!(claims.username(), Some("alice-sub"));
    assert_eq!(claims.email(), Some("alice@example.com"));
    // User info values are loosely typed: "true" is true.
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(claims.token_use(), None);
    assert!(claims.groups().is_empty());
}

#[tokio::test]
async fn unpadded_segments_and_a_standard_alphabet_signature_verify_too() {
    let alb = LocalAlb::start().unwrap();
    let verifier = alb.verifier().unwrap();
    let unpadded = alb.token().unpadded().sign();
    assert!(!unpadded.contains('='));
    verifier.verify(AlbHeaders::new(&unpadded)).await.unwrap();
    // A standard-alphabet signature with `+` or `/` in it: signed until one has either.
    let standard = std::iter::repeat_with(|| alb.token().standard_alphabet_signature().sign())
        .find(|t| t.rsplit('.').next().is_some_and(|s| s.contains(['+', '/'])))
        .unwrap();
    verifier.verify(AlbHeaders::new(&standard)).await.unwrap();
}

#[tokio::test]
async fn a_token_of_another_load_balancer_is_refused_before_any_key_is_fetched() {
    let alb = LocalAlb::start().unwrap();
    let other = alb.token().signer(LocalAlb::OTHER_SIGNER).sign();
    assert_eq!(refusal(&alb, &other).await, ErrorKind::UntrustedSigner);
    let other_region = alb.token().signer(OTHER_REGION_SIGNER).sign();
    assert_eq!(
        refusal(&alb, &other_region).await,
        ErrorKind::UntrustedSigner
    );
    assert_eq!(alb.key_requests(), 0);
}

#[tokio::test]
async fn wrong_client_wrong_issuer_and_expired_tokens_are_refused() {
    let alb = LocalAlb::start().unwrap();
    let client = alb.token().header("client", "otherclient").sign();
    assert_eq!(refusal(&alb, &client).await, ErrorKind::WrongClient);
    let issuer = alb
        .token()
        .header("iss", "https://elsewhere.example")
        .sign();
    assert_eq!(refusal(&alb, &issuer).await, ErrorKind::UnknownIssuer);
    let payload_issuer = alb.token().claim("iss", "https://elsewhere.example").sign();
    assert_eq!(
        refusal(&alb, &payload_issuer).await,
        ErrorKind::UnknownIssuer
    );
    let expired = alb.token().expired().sign();
    assert_eq!(refusal(&alb, &expired).await, ErrorKind::Expired);
}

#[tokio::test]
async fn a_kid_that_is_not_a_uuid_is_refused_with_no_request_made() {
    let alb = LocalAlb::start().unwrap();
    for kid in [
        "not-a-uuid",
        "../7f0c6b2e-3d4a-4c5b-9e8f-0a1b2c3d4e5f",
        "7f0c6b2e-3d4a-4c5b-9e8f-0a1b2c3d4e5f/../x",
        "7f0c6b2e-3d4a-4c5b-9e8f-0a1b2c3d4e5f?x=1",
        "evil.example/7f0c6b2e-3d4a-4c5b-9e8f-0a1b2c3d4e5f",
    ] {
        let token = alb.token().header("kid", kid).sign();
        assert_eq!(refusal(&alb, &token).await, ErrorKind::Malformed, "{kid}");
    }
    assert_eq!(alb.key_requests(), 0);
}

#[tokio::test]
async fn der_signatures_tampered_payloads_and_other_keys_are_refused() {
    let alb = LocalAlb::start().unwrap();
    let der = alb.token().der_signature().sign();
    assert_eq!(refusal(&alb, &der).await, ErrorKind::Malformed);
    let tampered = alb.token().tampered().sign();
    assert_eq!(refusal(&alb, &tampered).await, ErrorKind::InvalidSignature);
    let other_key = alb.token().other_key().sign();
    assert_eq!(refusal(&alb, &other_key).await, ErrorKind::InvalidSignature);
    let rs256 = alb.token().header("alg", "RS256").sign();
    assert_eq!(refusal(&alb, &rs256).await, ErrorKind::UnsupportedAlgorithm);
}

#[tokio::test]
async fn an_identity_header_that_is_not_the_tokens_subject_is_refused() {
    let alb = LocalAlb::start().unwrap();
    let token = alb.token().sub("alice-sub").sign();
    let answer = alb
        .verifier()
        .unwrap()
        .verify(AlbHeaders::new(&token).identity("mallory-sub"))
        .await;
    assert_eq!(*answer.unwrap_err().kind(), ErrorKind::IdentityMismatch);
}

#[tokio::test]
async fn the_key_is_fetched_once_and_kept() {
    let alb = LocalAlb::start().unwrap();
    let verifier = alb.verifier().unwrap();
    for _ in 0..3 {
        let token = alb.token().sign();
        verifier.verify(AlbHeaders::new(&token)).await.unwrap();
    }
    assert_eq!(alb.key_requests(), 1);
}

#[tokio::test]
async fn a_failing_or_oversized_key_endpoint_is_503_with_retry_after() {
    for behaviour in [
        JwksBehaviour::Status(500),
        JwksBehaviour::Oversized,
        JwksBehaviour::Garbage,
    ] {
        let alb = LocalAlb::start().unwrap();
        alb.set_behaviour(behaviour);
        let verifier = alb.verifier().unwrap();
        let error = verifier
            .verify(AlbHeaders::new(&alb.token().sign()))
            .await
            .unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::KeysUnavailable, "{behaviour:?}");
        assert_eq!(error.status(), 503);
        assert!(error.retry_after().is_some(), "{behaviour:?}");
        // Within the cooldown, no second request.
        let _ = verifier.verify(AlbHeaders::new(&alb.token().sign())).await;
        assert_eq!(alb.key_requests(), 1, "{behaviour:?}");
    }
}

#[tokio::test]
async fn a_slow_key_endpoint_still_answers_and_a_stalled_one_is_503() {
    let slow = LocalAlb::start().unwrap();
    slow.set_behaviour(JwksBehaviour::Delayed(Duration::from_millis(300)));
    slow.verifier()
        .unwrap()
        .verify(AlbHeaders::new(&slow.token().sign()))
        .await
        .unwrap();
    let stalled = LocalAlb::start().unwrap();
    stalled.set_behaviour(JwksBehaviour::Stall);
    let error = stalled
        .verifier()
        .unwrap()
        .verify(AlbHeaders::new(&stalled.token().sign()))
        .await
        .unwrap_err();
    assert_eq!(error.status(), 503);
}

#[tokio::test]
async fn the_forwarded_access_token_gives_groups_and_scopes_and_must_be_the_same_user() {
    let alb = LocalAlb::start().unwrap();
    let pool = LocalIssuer::start().unwrap();
    let verifier = alb
        .alb()
        .unwrap()
        .access_token(Verifier::from(pool.user_pool().token_use(TokenUse::Access)))
        .build()
        .unwrap();
    let data = alb.token().sub("alice-sub").sign();
    let access = pool
        .access_token()
        .sub("alice-sub")
        .groups(["admin"])
        .scopes(["reports/read"])
        .sign();
    let claims = verifier
        .verify(AlbHeaders::new(&data).access_token(&access))
        .await
        .unwrap();
    assert_eq!(claims.groups(), ["admin"]);
    assert!(claims.has_scope("reports/read"));

    let someone_else = pool.access_token().sub("mallory-sub").sign();
    let answer = verifier
        .verify(AlbHeaders::new(&data).access_token(&someone_else))
        .await;
    assert_eq!(*answer.unwrap_err().kind(), ErrorKind::IdentityMismatch);
    let missing = verifier.verify(AlbHeaders::new(&data)).await;
    assert_eq!(*missing.unwrap_err().kind(), ErrorKind::MissingToken);
    let id_token = pool.id_token().sub("alice-sub").sign();
    let wrong_use = verifier
        .verify(AlbHeaders::new(&data).access_token(&id_token))
        .await;
    assert_eq!(*wrong_use.unwrap_err().kind(), ErrorKind::WrongTokenUse);
}

#[test]
fn configuration_mistakes_are_config_errors_naming_the_setting() {
    let field = |result: Result<Alb, cognito_core::ConfigError>| result.unwrap_err().field();
    assert_eq!(field(Alb::new("Ireland")), "region");
    let alb = || Alb::new(LocalAlb::REGION).unwrap();
    assert_eq!(field(alb().signer(OTHER_REGION_SIGNER)), "signer");
    assert_eq!(
        field(alb().signer("arn:aws:iam::123456789012:role/x")),
        "signer"
    );
    assert_eq!(
        field(alb().key_endpoint("http://keys.example")),
        "key_endpoint"
    );
    assert_eq!(field(alb().client_id("")), "client_id");
    let build = |alb: Alb| alb.build().unwrap_err().field();
    assert_eq!(build(alb()), "signer");
    let signed = alb().signer(LocalAlb::SIGNER).unwrap();
    assert_eq!(build(signed.clone()), "client_id");
    assert_eq!(build(signed.client_id("c").unwrap()), "issuer");
    // A partition whose key endpoint form is not known needs one set.
    let china = Alb::new("cn-north-1")
        .unwrap()
        .signer("arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/a/1f")
        .unwrap()
        .client_id("c")
        .unwrap()
        .issuer("https://issuer.example")
        .unwrap();
    assert_eq!(build(china.clone()), "key_endpoint");
    assert!(
        china
            .key_endpoint("https://keys.example/prefix")
            .unwrap()
            .build()
            .is_ok()
    );
}

#[test]
fn headers_print_without_their_tokens() {
    let shown = format!(
        "{:?}",
        AlbHeaders::new("secret.data.token")
            .access_token("secret.access.token")
            .identity("sub")
    );
    assert!(!shown.contains("secret"), "{shown}");
}
