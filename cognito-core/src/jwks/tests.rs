use super::*;

#[test]
fn document_without_keys_array_is_refused() {
    assert_eq!(Jwks::from_json("[]").unwrap_err().field(), "jwks");
    assert_eq!(
        Jwks::from_json("{\"keys\":{}}").unwrap_err().field(),
        "jwks"
    );
    assert!(Jwks::from_json("{\"keys\":[]}").unwrap().is_empty());
    // The struct's fields as an array are not a key set either.
    assert_eq!(Jwks::from_json("[[]]").unwrap_err().field(), "jwks");
    assert_eq!(
        Jwks::from_json(" [[{\"kty\":\"RSA\"}]]")
            .unwrap_err()
            .field(),
        "jwks"
    );
}

#[test]
fn unusable_keys_are_skipped_with_reasons() {
    let jwks = Jwks::from_json(
        r#"{"keys":[
                {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","kid":"ps","alg":"PS256","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"},
                {"kty":"RSA","kid":"garbage","n":"!!!","e":"AQAB"},
                "not an object"
            ]}"#,
    )
    .unwrap();
    let reasons: Vec<_> = jwks.skipped().iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        [
            "not a signature key",
            "RSA modulus shorter than 2048 bits",
            "no kid",
            "RSA modulus shorter than 2048 bits",
            "n or e is not base64url",
            "not a JWK object"
        ]
    );
    assert!(jwks.is_empty());
}

#[test]
fn keys_whose_alg_disagrees_with_their_type_or_curve_are_skipped() {
    let jwks = Jwks::from_json(
        r#"{"keys":[
                {"kty":"RSA","kid":"rsa-es","alg":"ES256","n":"AQAB","e":"AQAB"},
                {"kty":"EC","kid":"p256-es384","crv":"P-256","alg":"ES384","x":"AA","y":"AA"},
                {"kty":"EC","kid":"p256-rs","crv":"P-256","alg":"RS256","x":"AA","y":"AA"},
                {"kty":"EC","kid":"p256k","crv":"secp256k1","x":"AA","y":"AA"},
                {"kty":"OKP","kid":"ed-es","crv":"Ed25519","alg":"ES256","x":"AA"},
                {"kty":"OKP","kid":"ed448","crv":"Ed448","x":"AA"},
                {"kty":"OKP","kid":"x25519","crv":"X25519","x":"AA"},
                {"kty":"oct","kid":"hmac","k":"c2VjcmV0"},
                {"kty":"RSA","kid":"hs","alg":"HS256","n":"AQAB","e":"AQAB"},
                {"kty":"EC","kid":"none","crv":"P-256","alg":"none","x":"AA","y":"AA"}
            ]}"#,
    )
    .unwrap();
    let reasons: Vec<_> = jwks.skipped().iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        [
            "the algorithm is not for an RSA key",
            "the algorithm is not for the key's curve",
            "the algorithm is not for the key's curve",
            "not a P-256, P-384 or P-521 key",
            "the algorithm is not for an Ed25519 key",
            "not an Ed25519 key",
            "not an Ed25519 key",
            "not an RSA, EC or OKP key",
            "not an algorithm the verifier accepts",
            "not an algorithm the verifier accepts",
        ]
    );
    assert!(jwks.is_empty());
}

#[test]
fn ec_and_okp_keys_of_the_wrong_length_or_off_the_curve_are_skipped() {
    // 32 bytes of 1: the right length for P-256 and Ed25519, (1…1, 1…1) is not on P-256.
    let ones = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
    let doc = format!(
        r#"{{"keys":[
            {{"kty":"EC","kid":"short","crv":"P-256","x":"AQID","y":"{ones}"}},
            {{"kty":"EC","kid":"p384-with-p256-sizes","crv":"P-384","x":"{ones}","y":"{ones}"}},
            {{"kty":"EC","kid":"off-curve","crv":"P-256","x":"{ones}","y":"{ones}"}},
            {{"kty":"EC","kid":"no-y","crv":"P-256","x":"{ones}"}},
            {{"kty":"OKP","kid":"ed-short","crv":"Ed25519","x":"AQID"}}
        ]}}"#
    );
    let jwks = Jwks::from_json(&doc).unwrap();
    let reasons: Vec<_> = jwks.skipped().iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        [
            "x or y is not as long as the curve's coordinates",
            "x or y is not as long as the curve's coordinates",
            "not a point on the curve",
            "missing x or y",
            "x is not 32 bytes",
        ]
    );
}
