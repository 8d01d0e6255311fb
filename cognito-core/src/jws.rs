//! Strict compact-JWS parsing: three canonical base64url segments, JSON objects within a depth
//! limit, and a header that names its algorithm and key.

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Deserializer};

use crate::error::ErrorKind;

/// base64url without padding, rejecting stray bits in the last symbol: every byte string has
/// exactly one accepted encoding.
pub(crate) const STRICT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// The signature algorithms the verifier knows. Anything else is refused before key lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Rs256,
}

/// A token split and decoded, not yet verified.
pub(crate) struct CompactJws<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) alg: Algorithm,
    pub(crate) kid: Cow<'a, str>,
    /// The decoded payload, a JSON object (not yet checked to be UTF-8 by serde).
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

#[derive(Deserialize)]
struct RawHeader<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow, default)]
    kid: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// Limits applied while parsing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_token_len: usize,
    pub(crate) max_json_depth: usize,
}

/// Splits and decodes `token`. The header is decoded into a small buffer that `kid` may borrow
/// from, so the caller passes it in.
pub(crate) fn parse<'a>(
    token: &'a str,
    limits: Limits,
    header_buf: &'a mut Vec<u8>,
) -> Result<CompactJws<'a>, ErrorKind> {
    if token.len() > limits.max_token_len {
        return Err(ErrorKind::TokenTooLong);
    }
    let bytes = token.as_bytes();
    let mut dots = dot_positions(bytes);
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(ErrorKind::Malformed);
    };
    let header_b64 = &bytes[..first];
    let payload_b64 = &bytes[first + 1..second];
    let signature_b64 = &bytes[second + 1..];

    decode_into(header_b64, header_buf)?;
    let header: &'a [u8] = header_buf;
    check_object(header, limits.max_json_depth)?;
    let raw: RawHeader<'a> = serde_json::from_slice(header).map_err(|_| ErrorKind::Malformed)?;
    if raw.crit {
        return Err(ErrorKind::UnsupportedCriticalHeader);
    }
    let alg = match raw.alg.as_ref() {
        "RS256" => Algorithm::Rs256,
        _ => return Err(ErrorKind::UnsupportedAlgorithm),
    };
    let kid = raw.kid.ok_or(ErrorKind::MissingKeyId)?;

    let mut payload = Vec::with_capacity(payload_b64.len() * 3 / 4 + 3);
    decode_into(payload_b64, &mut payload)?;
    check_object(&payload, limits.max_json_depth)?;

    let mut signature = Vec::with_capacity(signature_b64.len() * 3 / 4 + 3);
    decode_into(signature_b64, &mut signature)?;

    Ok(CompactJws {
        signing_input: &bytes[..second],
        alg,
        kid,
        payload,
        signature,
    })
}

fn dot_positions(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'.').then_some(i))
}

fn decode_into(segment: &[u8], out: &mut Vec<u8>) -> Result<(), ErrorKind> {
    out.clear();
    STRICT_B64.decode_vec(segment, out).map_err(|e| match e {
        base64::DecodeError::InvalidByte(_, b'+' | b'/' | b'=')
        | base64::DecodeError::InvalidLastSymbol(..)
        | base64::DecodeError::InvalidPadding => ErrorKind::NonCanonicalEncoding,
        _ => ErrorKind::Malformed,
    })
}

/// Requires a JSON object (serde would also read a struct from an array) nested no deeper than
/// `max_depth`. Strings are skipped with their escapes, so brackets inside them do not count.
fn check_object(json: &[u8], max_depth: usize) -> Result<(), ErrorKind> {
    let start = json.iter().position(|b| !b.is_ascii_whitespace());
    if start.map(|i| json[i]) != Some(b'{') {
        return Err(ErrorKind::Malformed);
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(ErrorKind::JsonTooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_token_len: 16 * 1024,
        max_json_depth: 8,
    };

    fn b64(s: &str) -> String {
        STRICT_B64.encode(s)
    }

    fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(payload), b64("sig"))
    }

    fn parse_err(token: &str) -> ErrorKind {
        let mut buf = Vec::new();
        match parse(token, LIMITS, &mut buf) {
            Ok(_) => panic!("parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn well_formed_token_parses_with_alg_and_kid() {
        let t = token(r#"{"alg":"RS256","kid":"k1"}"#, r#"{"sub":"a"}"#);
        let mut buf = Vec::new();
        let jws = parse(&t, LIMITS, &mut buf).unwrap();
        assert_eq!(jws.alg, Algorithm::Rs256);
        assert_eq!(jws.kid, "k1");
        assert_eq!(jws.payload, br#"{"sub":"a"}"#);
        assert_eq!(jws.signature, b"sig");
        assert_eq!(jws.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn segment_counts_other_than_three_are_malformed() {
        let t = token(r#"{"alg":"RS256","kid":"k"}"#, "{}");
        assert_eq!(parse_err(&format!("{t}.x")), ErrorKind::Malformed);
        assert_eq!(
            parse_err(t.rsplit_once('.').unwrap().0),
            ErrorKind::Malformed
        );
        assert_eq!(parse_err(""), ErrorKind::Malformed);
    }

    #[test]
    fn padded_or_standard_alphabet_segments_are_non_canonical() {
        let header = b64(r#"{"alg":"RS256","kid":"k"}"#);
        let padded = format!("{header}==.{}.{}", b64("{}"), b64("s"));
        assert_eq!(parse_err(&padded), ErrorKind::NonCanonicalEncoding);
        let slash = format!("{header}.{}.ab/c", b64("{}"));
        assert_eq!(parse_err(&slash), ErrorKind::NonCanonicalEncoding);
    }

    #[test]
    fn stray_trailing_bits_are_non_canonical() {
        // "{}" encodes as "e30"; "e31" decodes to the same bytes with a stray low bit set.
        let header = b64(r#"{"alg":"RS256","kid":"k"}"#);
        assert_eq!(
            parse_err(&format!("{header}.e31.{}", b64("s"))),
            ErrorKind::NonCanonicalEncoding
        );
    }

    #[test]
    fn header_array_is_malformed_even_if_serde_would_accept_it() {
        assert_eq!(
            parse_err(&token(r#"["RS256","k"]"#, "{}")),
            ErrorKind::Malformed
        );
    }

    #[test]
    fn duplicate_header_fields_are_malformed() {
        assert_eq!(
            parse_err(&token(r#"{"alg":"RS256","alg":"none","kid":"k"}"#, "{}")),
            ErrorKind::Malformed
        );
    }

    #[test]
    fn deep_payload_is_too_deep_but_brackets_in_strings_do_not_count() {
        let deep = format!("{}{}", "{\"a\":".repeat(9), "1}".repeat(9));
        let header = r#"{"alg":"RS256","kid":"k"}"#;
        assert_eq!(parse_err(&token(header, &deep)), ErrorKind::JsonTooDeep);
        let in_string = r#"{"a":"[[[[[[[[[[[[[[\"{{{{{{{{{{"}"#;
        let mut buf = Vec::new();
        assert!(parse(&token(header, in_string), LIMITS, &mut buf).is_ok());
    }

    #[test]
    fn crit_header_is_refused_even_when_null() {
        let header = r#"{"alg":"RS256","kid":"k","crit":null}"#;
        assert_eq!(
            parse_err(&token(header, "{}")),
            ErrorKind::UnsupportedCriticalHeader
        );
    }

    #[test]
    fn too_long_token_is_refused_before_decoding() {
        let t = "a".repeat(LIMITS.max_token_len + 1);
        assert_eq!(parse_err(&t), ErrorKind::TokenTooLong);
    }
}
