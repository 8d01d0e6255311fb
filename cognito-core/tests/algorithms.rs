//! Every JOSE algorithm an OIDC provider signs with, each bound to a key of its type: the
//! JWK's `kty`, `crv` and `alg` must agree with the token's `alg`. Negative cases first.
#![cfg(feature = "test-util")]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{Algorithm, ErrorKind, Jwks, OidcIssuer, Verifier};
use serde_json::{Value, json};

/// An issuer publishing a key for every algorithm.
fn issuer() -> LocalIssuer {
    LocalIssuer::builder()
        .algorithms(Algorithm::ALL)
        .start()
        .expect("local issuer")
}

fn verifier(oidc: OidcIssuer) -> Verifier {
    Verifier::builder()
        .oidc(oidc)
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

fn kid(issuer: &LocalIssuer, alg: Algorithm) -> String {
    issuer.kid_for(alg).expect("a key for the algorithm")
}

/// Replaces a token's signature with `edit` of its decoded bytes.
fn with_signature(token: &str, edit: impl FnOnce(Vec<u8>) -> Vec<u8>) -> String {
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = edit(URL_SAFE_NO_PAD.decode(signature).unwrap());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// R‖S → the DER `ECDSA-Sig-Value` (a SEQUENCE of two INTEGERs) of the same signature.
fn der_signature(fixed: Vec<u8>) -> Vec<u8> {
    let integer = |bytes: &[u8]| {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = &bytes[start..];
        let pad = bytes.first().is_some_and(|b| b & 0x80 != 0);
        let mut out = vec![0x02, (bytes.len() + usize::from(pad)) as u8];
        out.extend(pad.then_some(0));
        out.extend_from_slice(bytes);
        out
    };
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let body = [integer(r), integer(s)].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    out
}

// ---- refused ---------------------------------------------------------------------------------

#[tokio::test]
async fn every_algorithm_is_refused_with_a_key_of_another_type_or_curve() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    for alg in Algorithm::ALL {
        for other in Algorithm::ALL.into_iter().filter(|o| *o != alg) {
            let token = issuer
                .id_token()
                .algorithm(alg)
                .header("kid", kid(&issuer, other))
                .sign();
            assert_eq!(
                kind(&verifier, &token).await,
                ErrorKind::KeyAlgorithmMismatch,
                "{alg} header, key for {other}"
            );
        }
    }
}

#[tokio::test]
async fn es256_header_with_a_p384_key_is_refused() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    let token = issuer
        .id_token()
        .algorithm(Algorithm::Es256)
        .header("kid", kid(&issuer, Algorithm::Es384))
        .sign();
    assert_eq!(
        kind(&verifier, &token).await,
        ErrorKind::KeyAlgorithmMismatch
    );
}

#[tokio::test]
async fn eddsa_header_with_an_ec_key_is_refused() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    let token = issuer
        .id_token()
        .algorithm(Algorithm::EdDsa)
        .header("kid", kid(&issuer, Algorithm::Es256))
        .sign();
    assert_eq!(
        kind(&verifier, &token).await,
        ErrorKind::KeyAlgorithmMismatch
    );
}

#[tokio::test]
async fn rs256_header_with_an_ec_key_is_refused() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    let token = issuer
        .id_token()
        .header("kid", kid(&issuer, Algorithm::Es256))
        .sign();
    assert_eq!(
        kind(&verifier, &token).await,
        ErrorKind::KeyAlgorithmMismatch
    );
}

#[tokio::test]
async fn ps256_with_an_rsa_key_whose_jwk_alg_says_rs256_is_refused() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    // The test kit's PS256 key is the same RSA key as the RS256 one: this is a genuine PS256
    // signature by the key under `kid`, refused because its JWK says RS256.
    let token = issuer
        .id_token()
        .algorithm(Algorithm::Ps256)
        .header("kid", issuer.active_kid())
        .sign();
    assert_eq!(
        kind(&verifier, &token).await,
        ErrorKind::KeyAlgorithmMismatch
    );
}

#[tokio::test]
async fn der_encoded_ecdsa_signature_is_refused() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::Es512] {
        let token = issuer.id_token().algorithm(alg).sign();
        assert!(verifier.verify(&token).await.is_ok(), "{alg}");
        let der = with_signature(&token, der_signature);
        assert_eq!(
            kind(&verifier, &der).await,
            ErrorKind::InvalidSignature,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn ecdsa_signature_shorter_or_longer_than_r_and_s_is_refused() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer().jwks(issuer.jwks()));
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::Es512] {
        let token = issuer.id_token().algorithm(alg).sign();
        let edits: [fn(Vec<u8>) -> Vec<u8>; 4] = [
            |mut s| {
                s.pop();
                s
            },
            |mut s| {
                s.push(0);
                s
            },
            |s| [vec![0], s].concat(),
            |s| s[..s.len() / 2].to_vec(),
        ];
        for edit in edits {
            assert_eq!(
                kind(&verifier, &with_signature(&token, edit)).await,
                ErrorKind::InvalidSignature,
                "{alg}"
            );
        }
    }
}

#[tokio::test]
async fn rsa_key_under_2048_bits_is_refused_for_ps_algorithms() {
    // A 1024-bit modulus (the one of `rules.rs`), published for PS256 and with no `alg`.
    const N: &str = "yN-Rmrg90wR-DK5fFX0cmlnSCk3IksC3yxEnZROafGmOYmPvH5LW2Bmqo3-cMUToiCZl_CvjuewhozL9s7655fO1USqHvi-Lnxn7tfMSbtaxvMNKmbP2t1ePB8wQlU3auaN_GxL1b2o-Ha-TVu85HNTCRh7cgr1hAqk03vv6M7s";
    let doc = json!({"keys": [
        {"kty": "RSA", "kid": "weak-ps256", "alg": "PS256", "n": N, "e": "AQAB"},
        {"kty": "RSA", "kid": "weak-any", "n": N, "e": "AQAB"},
    ]});
    let jwks = Jwks::from_json(&doc.to_string()).unwrap();
    assert!(jwks.is_empty());
    assert!(
        jwks.skipped()
            .iter()
            .all(|s| s.reason == "RSA modulus shorter than 2048 bits")
    );
    let issuer = "https://idp.example.com";
    let verifier = verifier(OidcIssuer::new(issuer).unwrap().any_audience().jwks(jwks));
    for (alg, kid) in [("PS256", "weak-ps256"), ("PS512", "weak-any")] {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "kid": kid}).to_string());
        let payload = URL_SAFE_NO_PAD
            .encode(json!({"iss": issuer, "sub": "s", "exp": 4_102_444_800u64}).to_string());
        let token = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode([7u8; 128]));
        assert_eq!(
            kind(&verifier, &token).await,
            ErrorKind::UnusableKey,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn issuer_limited_to_es256_refuses_rs256_before_key_lookup() {
    let issuer = issuer();
    let limited = issuer.oidc_issuer().algorithms([Algorithm::Es256]).unwrap();
    let verifier = verifier(limited);
    for alg in Algorithm::ALL
        .into_iter()
        .filter(|a| *a != Algorithm::Es256)
    {
        let token = issuer.id_token().algorithm(alg).sign();
        assert_eq!(
            kind(&verifier, &token).await,
            ErrorKind::UnsupportedAlgorithm,
            "{alg}"
        );
    }
    assert_eq!(issuer.jwks_requests(), 0, "no key was looked up");
    let es256 = issuer.id_token().algorithm(Algorithm::Es256).sign();
    assert!(verifier.verify(&es256).await.is_ok());
}

#[test]
fn empty_algorithm_list_is_a_config_error() {
    let oidc = OidcIssuer::new("https://idp.example.com").unwrap();
    let err = oidc.algorithms([]).unwrap_err();
    assert_eq!(err.field(), "algorithms");
}

#[tokio::test]
async fn cognito_pool_refuses_es256_even_from_its_own_jwks() {
    let issuer = issuer();
    let pool = Verifier::builder()
        .pool(issuer.user_pool().jwks(issuer.jwks()))
        .no_cache()
        .build()
        .unwrap();
    // The pool's own key set holds a P-256 key and the token is genuinely signed by it.
    let token = issuer.id_token().algorithm(Algorithm::Es256).sign();
    assert!(
        verifier(issuer.oidc_issuer().jwks(issuer.jwks()))
            .verify(&token)
            .await
            .is_ok()
    );
    assert_eq!(kind(&pool, &token).await, ErrorKind::UnsupportedAlgorithm);
    for alg in Algorithm::ALL
        .into_iter()
        .filter(|a| *a != Algorithm::Rs256)
    {
        let token = issuer.id_token().algorithm(alg).sign();
        assert_eq!(
            kind(&pool, &token).await,
            ErrorKind::UnsupportedAlgorithm,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn none_hs256_and_unknown_algs_are_refused_before_key_lookup_by_oidc_issuers() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer());
    let tokens = [
        issuer.id_token().alg_none().sign(),
        issuer.id_token().hs256_with_public_key().sign(),
        issuer.id_token().header("alg", "HS512").sign(),
        issuer.id_token().header("alg", "ES256K").sign(),
        issuer.id_token().header("alg", "Ed25519").sign(),
        issuer.id_token().header("alg", "es256").sign(),
    ];
    for token in tokens {
        assert_eq!(
            kind(&verifier, &token).await,
            ErrorKind::UnsupportedAlgorithm
        );
    }
    assert_eq!(issuer.jwks_requests(), 0, "no key was looked up");
}

// ---- accepted --------------------------------------------------------------------------------

#[tokio::test]
async fn every_algorithm_verifies_with_a_token_from_a_key_of_its_type() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer());
    for alg in Algorithm::ALL {
        let token = issuer.id_token().username("alg-user").algorithm(alg).sign();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], alg.name());
        let claims = verifier
            .verify(&token)
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(claims.username(), Some("alg-user"), "{alg}");
        // One bit flipped in the signature: refused.
        let flipped = with_signature(&token, |mut s| {
            s[10] ^= 1;
            s
        });
        assert_eq!(
            kind(&verifier, &flipped).await,
            ErrorKind::InvalidSignature,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn jwk_without_alg_is_bound_by_its_type_and_curve() {
    let issuer = issuer();
    let mut doc: Value = serde_json::from_str(&issuer.jwks_json()).unwrap();
    for key in doc["keys"].as_array_mut().unwrap() {
        key.as_object_mut().unwrap().remove("alg");
    }
    let jwks = Jwks::from_json(&doc.to_string()).unwrap();
    assert!(jwks.skipped().is_empty(), "{:?}", jwks.skipped());
    let verifier = verifier(issuer.oidc_issuer().jwks(jwks));
    // The P-256 key verifies ES256 and nothing else; an RSA key without `alg` takes every
    // RSA algorithm.
    let p256 = kid(&issuer, Algorithm::Es256);
    let es256 = issuer.id_token().algorithm(Algorithm::Es256).sign();
    assert!(verifier.verify(&es256).await.is_ok());
    let es384 = issuer
        .id_token()
        .algorithm(Algorithm::Es384)
        .header("kid", p256)
        .sign();
    assert_eq!(
        kind(&verifier, &es384).await,
        ErrorKind::KeyAlgorithmMismatch
    );
    let ps512_by_the_rs256_kid = issuer
        .id_token()
        .algorithm(Algorithm::Ps512)
        .header("kid", issuer.active_kid())
        .sign();
    assert!(verifier.verify(&ps512_by_the_rs256_kid).await.is_ok());
}

#[tokio::test]
async fn keys_of_every_type_are_fetched_from_the_issuer_endpoint() {
    let issuer = issuer();
    let verifier = verifier(issuer.oidc_issuer());
    verifier.hydrate().await.unwrap();
    let jwks = issuer.jwks();
    assert_eq!(jwks.len(), 10, "{jwks:?}");
    for alg in [Algorithm::Es512, Algorithm::EdDsa, Algorithm::Ps384] {
        let token = issuer.id_token().algorithm(alg).sign();
        assert!(verifier.verify(&token).await.is_ok(), "{alg}");
    }
    assert_eq!(issuer.jwks_requests(), 1);
}
