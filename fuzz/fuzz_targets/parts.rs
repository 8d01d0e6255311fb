//! A header, a payload and a signature, base64url-encoded and joined with dots: the verifier
//! never panics, and a token verifies only when it is, byte for byte, the token the issuer
//! itself signs for that payload (RS256 signatures are deterministic), so no signature but the
//! issuer's ever passes.
//!
//! The input is text-like so that seeds are readable: up to the first newline the header, up
//! to the second the payload, the rest the signature, each taken as raw bytes, with shorthands:
//!
//! - header `=`, then anything: the issuer's header `{"alg":"RS256","kid":<active kid>`, the
//!   rest of the line added as raw members, `}`;
//! - payload `+` (an ID token) or `*` (an access token), then anything: claims that pass for
//!   the issuer's client, the rest of the line added as raw members;
//! - signature `=`, then anything: the issuer's signature of its own header with this payload,
//!   XORed with the bytes that follow (from the signature's first byte on, cycling).

#![no_main]

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use cognito_core_fuzz::{Fixture, assert_refused_as_invalid, b64, unb64};
use libfuzzer_sys::fuzz_target;

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| Fixture::new(|pool| pool));

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// An object with `members` (raw JSON text, with its own leading comma) after `fixed`.
fn object(fixed: &str, members: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fixed.len() + members.len() + 2);
    out.push(b'{');
    out.extend_from_slice(fixed.as_bytes());
    out.extend_from_slice(members);
    out.push(b'}');
    out
}

/// The issuer's header, with `members` (raw JSON text, with its own leading comma) added.
fn issuer_header(fixture: &Fixture, members: &[u8]) -> Vec<u8> {
    let kid = json_string(&fixture.issuer.active_kid());
    object(&format!(r#""alg":"RS256","kid":{kid}"#), members)
}

fn payload_of(fixture: &Fixture, line: &[u8]) -> Vec<u8> {
    let (token_use, client, members) = match line {
        [b'+', members @ ..] => ("id", "aud", members),
        [b'*', members @ ..] => ("access", "client_id", members),
        _ => return line.to_vec(),
    };
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600;
    let fixed = format!(
        r#""iss":{},"sub":"fuzz-user","exp":{exp},"token_use":"{token_use}","{client}":{}"#,
        json_string(fixture.issuer.issuer()),
        json_string(fixture.issuer.client_id()),
    );
    object(&fixed, members)
}

fn signature_of(token: &str) -> Vec<u8> {
    let (_, signature) = token.rsplit_once('.').expect("a compact token");
    unb64(signature).expect("the issuer writes base64url")
}

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let mut parts = data.splitn(3, |&b| b == b'\n');
    let (header, payload, signature) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let header = match header {
        [b'=', members @ ..] => issuer_header(fixture, members),
        _ => header.to_vec(),
    };
    let payload = payload_of(fixture, payload);
    let signature = match signature {
        [b'=', mask @ ..] => {
            let mut signature = signature_of(&fixture.issuer.sign_payload(&payload));
            let len = signature.len();
            for (i, m) in mask.iter().enumerate() {
                signature[i % len] ^= m;
            }
            signature
        }
        _ => signature.to_vec(),
    };
    let token = format!("{}.{}.{}", b64(&header), b64(&payload), b64(&signature));

    let result = fixture.verify(&token);
    assert_refused_as_invalid(&result);
    if result.is_ok() {
        assert_eq!(
            header,
            issuer_header(fixture, b""),
            "a token verified under a header the issuer never signed"
        );
        assert_eq!(
            token,
            fixture.issuer.sign_payload(&payload),
            "a token verified with a signature that is not the issuer's"
        );
    }
});
