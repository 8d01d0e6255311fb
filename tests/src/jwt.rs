//! Reading and forging the claims of a JWT without verifying it: [`decode_claims`] and
//! [`edit_claims`].

use serde_json::Value;

/// Decodes, without verifying anything, the payload (claims) of a JWT: handy to look at what an
/// emulator put into a token.
///
/// # Panics
///
/// When `jwt` does not have three parts or its payload is not base64url-encoded JSON.
pub fn decode_claims(jwt: &str) -> Value {
    let mut parts = jwt.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        panic!("not a JWT (three dot-separated parts expected): {jwt:?}");
    };
    let bytes = base64url_decode(payload)
        .unwrap_or_else(|| panic!("JWT payload is not base64url: {payload:?}"));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|err| panic!("JWT payload is not JSON ({err}): {payload:?}"))
}

/// Returns `jwt` with its payload replaced by the claims as `edit` leaves them, keeping the
/// original header and signature: a forged token (say, with a group added) whose signature no
/// longer matches what it signs. The payload is re-encoded canonically (base64url, no padding),
/// so a verifier can only refuse it on its signature.
///
/// # Panics
///
/// As [`decode_claims`], and when the payload is not a JSON object.
pub fn edit_claims(jwt: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut claims = match decode_claims(jwt) {
        Value::Object(claims) => claims,
        other => panic!("JWT payload is not a JSON object: {other}"),
    };
    edit(&mut claims);
    let payload = serde_json::to_vec(&claims).expect("serializing JSON claims");
    let mut parts = jwt.split('.');
    let (Some(header), Some(_payload), Some(signature)) =
        (parts.next(), parts.next(), parts.next())
    else {
        unreachable!("decode_claims checked that the JWT has three parts");
    };
    format!("{header}.{}.{signature}", base64url_encode(&payload))
}

fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut acc = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            acc |= u32::from(b) << (16 - 8 * i);
        }
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(acc >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        }))
    }
    let input = input.trim_end_matches('=').as_bytes();
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    for chunk in input.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= sextet(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn base64url_decodes_all_lengths() {
        assert_eq!(base64url_decode("").unwrap(), b"");
        assert_eq!(base64url_decode("Zg").unwrap(), b"f");
        assert_eq!(base64url_decode("Zm8").unwrap(), b"fo");
        assert_eq!(base64url_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64url_decode("Zm9vYg==").unwrap(), b"foob");
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert!(base64url_decode("Z").is_none());
        assert!(base64url_decode("Zm9v!").is_none());
    }

    #[test]
    fn base64url_encodes_all_lengths_without_padding() {
        assert_eq!(base64url_encode(b""), "");
        assert_eq!(base64url_encode(b"f"), "Zg");
        assert_eq!(base64url_encode(b"fo"), "Zm8");
        assert_eq!(base64url_encode(b"foo"), "Zm9v");
        assert_eq!(base64url_encode(b"foob"), "Zm9vYg");
        assert_eq!(base64url_encode(&[0xff, 0xef]), "_-8");
        for len in 0..64u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(97) ^ 0x5a).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn edit_claims_keeps_header_and_signature() {
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMiLCJuIjoxfQ.c2ln";
        let forged = edit_claims(jwt, |claims| {
            claims.insert("n".into(), json!(2));
        });
        assert!(forged.starts_with("eyJhbGciOiJub25lIn0."));
        assert!(forged.ends_with(".c2ln"));
        assert_eq!(decode_claims(&forged), json!({"sub": "abc", "n": 2}));
    }

    #[test]
    fn decode_claims_reads_the_payload() {
        // {"alg":"none"} . {"sub":"abc","n":1} . (no signature)
        let claims = decode_claims("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMiLCJuIjoxfQ.");
        assert_eq!(claims, json!({"sub": "abc", "n": 1}));
    }
}
