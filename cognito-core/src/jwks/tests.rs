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
            "not an RS256 key",
            "no kid",
            "RSA modulus shorter than 2048 bits",
            "n or e is not base64url",
            "not a JWK object"
        ]
    );
    assert!(jwks.is_empty());
}
