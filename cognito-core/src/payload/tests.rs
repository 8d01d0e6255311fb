use serde_json::Value;

use super::*;

fn parse(payload: &str) -> Result<RawClaims<'_>, ErrorKind> {
    RawClaims::parse(payload)
}

#[test]
fn standard_claims_are_read_and_borrowed_when_unescaped() {
    let raw = parse(
        r#"{"iss":"https://i","sub":"a\u00e9","exp":10.9,"cognito:groups":["x"],
                "email_verified":"TRUE","custom:x":{"deep":[1,2.5e3,null,true]}}"#,
    )
    .unwrap();
    assert!(matches!(raw.iss, Some(Cow::Borrowed("https://i"))));
    assert_eq!(raw.sub.as_deref(), Some("aé"));
    assert_eq!(raw.exp, Some(10));
    assert_eq!(raw.groups, Some(vec!["x".to_owned()]));
    assert_eq!(raw.email_verified, Some(true));
}

#[test]
fn unpaired_surrogates_anywhere_are_malformed() {
    for payload in [
        r#"{"sub":"a","x":"\ud800"}"#,
        r#"{"sub":"a","x":"\udc00"}"#,
        r#"{"sub":"a","x":"x\ud800\u0041"}"#,
        r#"{"sub":"a","x":["\ud800"]}"#,
        r#"{"sub":"a","x":{"\ud800":1}}"#,
        r#"{"sub":"a","\ud800":1}"#,
        r#"{"sub":"a","email":"\ud800"}"#,
        r#"{"sub":"\ud800"}"#,
    ] {
        assert_eq!(
            parse(payload).err(),
            Some(ErrorKind::Malformed),
            "{payload}"
        );
    }
    // A surrogate pair is one character, not a defect.
    assert!(parse(r#"{"x":"\ud83d\ude00"}"#).is_ok());
}

#[test]
fn numbers_outside_f64_are_malformed() {
    for payload in [
        r#"{"x":1e400}"#,
        r#"{"x":-1e400}"#,
        r#"{"x":[1e400]}"#,
        r#"{"email":1e400}"#,
    ] {
        assert_eq!(
            parse(payload).err(),
            Some(ErrorKind::Malformed),
            "{payload}"
        );
    }
    // Underflow is a representable zero, as for every JSON reader of f64.
    assert!(parse(r#"{"x":1e-400}"#).is_ok());
}

#[test]
fn every_name_counts_once() {
    for payload in [
        r#"{"sub":"a","sub":"b"}"#,
        r#"{"custom:status":"disabled","custom:status":"active"}"#,
        r#"{"x":1,"\u0078":2}"#,
        r#"{"sub":null,"sub":"b"}"#,
    ] {
        assert_eq!(
            parse(payload).err(),
            Some(ErrorKind::Malformed),
            "{payload}"
        );
    }
}

#[test]
fn standard_claims_of_the_wrong_shape_are_named() {
    for (payload, claim) in [
        (r#"{"cognito:groups":"admin"}"#, "cognito:groups"),
        (r#"{"cognito:groups":[1]}"#, "cognito:groups"),
        (r#"{"exp":"tomorrow"}"#, "exp"),
        (r#"{"exp":null}"#, "exp"),
        (r#"{"nbf":-1}"#, "nbf"),
        (r#"{"sub":7}"#, "sub"),
        (r#"{"token_use":["id"]}"#, "token_use"),
        (r#"{"aud":{"a":1}}"#, "aud"),
        (r#"{"scope":["a"]}"#, "scope"),
    ] {
        assert_eq!(
            parse(payload).err(),
            Some(ErrorKind::InvalidClaim(claim)),
            "{payload}"
        );
    }
}

#[test]
fn lenient_claims_read_other_types_as_absent() {
    let raw = parse(r#"{"email":["a"],"email_verified":1,"jti":null}"#).unwrap();
    assert_eq!(raw.email, None);
    assert_eq!(raw.email_verified, None);
    assert_eq!(raw.jti, None);
}

#[test]
fn not_one_object_is_malformed() {
    for payload in ["[]", "{} x", "{", r#"{"a":1,}"#, "\"a\""] {
        assert_eq!(
            parse(payload).err(),
            Some(ErrorKind::Malformed),
            "{payload}"
        );
    }
}

/// What the verifier accepts, the full parse reads whole: the two agree on every payload.
mod agrees_with_the_full_parse {
    use super::*;
    use proptest::prelude::*;

    fn member() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "\"sub\"",
            "\"x\"",
            "\"exp\"",
            "\"email\"",
            "\"cognito:groups\"",
            "\"\\u0078\"",
        ]);
        let value = prop::sample::select(vec![
            "\"a\"",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "1e400",
            "-1e400",
            "1e-400",
            "12",
            "-3",
            "2.5",
            "[\"g\"]",
            "[1e400]",
            "{\"k\":\"\\udc00\"}",
            "{\"k\":1,\"k\":2}",
            "null",
            "true",
            "\"\\u0041\"",
        ]);
        (name, value).prop_map(|(n, v)| format!("{n}:{v}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn on_payloads_of_awkward_members(members in prop::collection::vec(member(), 0..5)) {
            let payload = format!("{{{}}}", members.join(","));
            let full = serde_json::from_str::<serde_json::Map<String, Value>>(&payload);
            match parse(&payload) {
                Ok(_) => prop_assert!(full.is_ok(), "accepted what the full parse refuses: {}", payload),
                Err(ErrorKind::Malformed | ErrorKind::InvalidClaim(_)) => {}
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
