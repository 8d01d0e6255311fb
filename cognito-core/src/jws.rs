//! Strict compact-JWS parsing: three canonical base64url segments, JSON objects within a depth
//! limit, and a header that names its algorithm and key.

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Deserializer};

use crate::crypto::Algorithm;
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

/// A token split and decoded, not yet verified.
pub(crate) struct CompactJws<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) alg: Algorithm,
    pub(crate) kid: Cow<'a, str>,
    /// The decoded payload, a JSON object (not yet checked to be UTF-8 by serde).
    pub(crate) payload: Vec<u8>,
    signature: [u8; MAX_SIGNATURE_LEN],
    signature_len: usize,
}

/// The longest signature any accepted key makes (RSA-8192).
const MAX_SIGNATURE_LEN: usize = crate::crypto::MAX_RSA_BITS / 8;

impl CompactJws<'_> {
    /// The decoded signature.
    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature[..self.signature_len]
    }
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

/// Headers up to this many bytes are decoded on the stack.
pub(crate) const HEADER_STACK: usize = 256;

/// Splits and decodes `token`. The header is decoded into a buffer that `kid` may borrow from,
/// so the caller passes one in: `small` when the header fits, else `large`.
pub(crate) fn parse<'a>(
    token: &'a str,
    limits: Limits,
    small: &'a mut [u8; HEADER_STACK],
    large: &'a mut Vec<u8>,
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

    let header: &'a [u8] = if header_b64.len() / 4 * 3 + 3 <= HEADER_STACK {
        let len = decode_slice(header_b64, small)?;
        &small[..len]
    } else {
        decode_into(header_b64, large)?;
        large
    };
    check_object(header, limits.max_json_depth)?;
    let raw: RawHeader<'a> = serde_json::from_slice(header).map_err(|_| ErrorKind::Malformed)?;
    if raw.crit {
        return Err(ErrorKind::UnsupportedCriticalHeader);
    }
    // `none`, `HS*` and unknown names end here, before the issuer or a key is looked at.
    let alg = Algorithm::from_name(&raw.alg).ok_or(ErrorKind::UnsupportedAlgorithm)?;
    let kid = raw.kid.ok_or(ErrorKind::MissingKeyId)?;

    let mut payload = Vec::with_capacity(payload_b64.len() * 3 / 4 + 3);
    decode_into(payload_b64, &mut payload)?;
    check_object(&payload, limits.max_json_depth)?;

    // A longer signature cannot verify with any accepted key.
    let mut signature = [0u8; MAX_SIGNATURE_LEN];
    if signature_b64.len() > MAX_SIGNATURE_LEN * 4 / 3 + 2 {
        return Err(ErrorKind::Malformed);
    }
    let signature_len = decode_slice(signature_b64, &mut signature)?;

    Ok(CompactJws {
        signing_input: &bytes[..second],
        alg,
        kid,
        payload,
        signature,
        signature_len,
    })
}

fn dot_positions(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'.', bytes)
}

/// The fast decoder: SIMD where the CPU has it. Like [`STRICT_B64`] it takes no padding and no
/// stray bits; its errors carry no detail, so a failed segment is decoded again by `STRICT_B64`
/// to say what is wrong (the error path only).
const FAST_B64: base64_simd::Base64 = base64_simd::URL_SAFE_NO_PAD;

fn decode_into(segment: &[u8], out: &mut Vec<u8>) -> Result<(), ErrorKind> {
    out.clear();
    FAST_B64
        .decode_append(segment, out)
        .map_err(|_| decode_failure(segment))
}

/// Decodes `segment` into the front of `out`, returning the decoded length.
fn decode_slice(segment: &[u8], out: &mut [u8]) -> Result<usize, ErrorKind> {
    let len = FAST_B64
        .decoded_length(segment)
        .map_err(|_| decode_failure(segment))?;
    let out = out.get_mut(..len).ok_or(ErrorKind::Malformed)?;
    FAST_B64
        .decode(segment, base64_simd::Out::from_slice(out))
        .map(|decoded| decoded.len())
        .map_err(|_| decode_failure(segment))
}

/// Why `segment`, refused by the fast decoder, is not canonical base64url. Should the two
/// decoders ever disagree, the segment is still refused.
#[cold]
fn decode_failure(segment: &[u8]) -> ErrorKind {
    match STRICT_B64.decode(segment) {
        Ok(_) => ErrorKind::Malformed,
        Err(error) => decode_error(error),
    }
}

fn decode_error(error: base64::DecodeError) -> ErrorKind {
    match error {
        base64::DecodeError::InvalidByte(_, b'+' | b'/' | b'=')
        | base64::DecodeError::InvalidLastSymbol(..)
        | base64::DecodeError::InvalidPadding => ErrorKind::NonCanonicalEncoding,
        _ => ErrorKind::Malformed,
    }
}

/// Requires a JSON object (serde would also read a struct from an array) nested no deeper than
/// `max_depth`. Strings are skipped with their escapes (with `memchr`: most of a payload is
/// string contents), so brackets inside them do not count.
pub(crate) fn check_object(json: &[u8], max_depth: usize) -> Result<(), ErrorKind> {
    let start = json.iter().position(|b| !b.is_ascii_whitespace());
    if start.map(|i| json[i]) != Some(b'{') {
        return Err(ErrorKind::Malformed);
    }
    // Fewer opening brackets than the limit, wherever they are, cannot nest too deep: the
    // common case, decided by a count that needs no notion of strings.
    let openings = json.iter().filter(|&&b| b == b'{' || b == b'[').count();
    if openings <= max_depth {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => {
                // Find the closing quote, stepping over escaped characters.
                i += 1;
                loop {
                    // An escape as the last byte steps past the end: an unterminated string.
                    let Some(rest) = json.get(i..) else {
                        return Ok(());
                    };
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(offset) if json[i + offset] == b'\\' => i += offset + 2,
                        Some(offset) => {
                            i += offset;
                            break;
                        }
                        // An unterminated string: serde reports the malformed JSON.
                        None => return Ok(()),
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(ErrorKind::JsonTooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
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
        let (mut small, mut large) = ([0u8; HEADER_STACK], Vec::new());
        match parse(token, LIMITS, &mut small, &mut large) {
            Ok(_) => panic!("parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn well_formed_token_parses_with_alg_and_kid() {
        let t = token(r#"{"alg":"RS256","kid":"k1"}"#, r#"{"sub":"a"}"#);
        let (mut small, mut large) = ([0u8; HEADER_STACK], Vec::new());
        let jws = parse(&t, LIMITS, &mut small, &mut large).unwrap();
        assert_eq!(jws.alg, Algorithm::Rs256);
        assert_eq!(jws.kid, "k1");
        assert_eq!(jws.payload, br#"{"sub":"a"}"#);
        assert_eq!(jws.signature(), b"sig");
        assert_eq!(jws.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn large_header_is_decoded_on_the_heap() {
        let big_kid = "k".repeat(400);
        let t = token(&format!(r#"{{"alg":"RS256","kid":"{big_kid}"}}"#), "{}");
        let (mut small, mut large) = ([0u8; HEADER_STACK], Vec::new());
        let jws = parse(&t, LIMITS, &mut small, &mut large).unwrap();
        assert_eq!(jws.kid, big_kid);
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
        let (mut small, mut large) = ([0u8; HEADER_STACK], Vec::new());
        assert!(parse(&token(header, in_string), LIMITS, &mut small, &mut large).is_ok());
    }

    #[test]
    fn depth_limit_is_exact_whether_or_not_brackets_are_few() {
        let nested = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        assert_eq!(check_object(nested(8).as_bytes(), 8), Ok(()));
        assert_eq!(
            check_object(nested(9).as_bytes(), 8),
            Err(ErrorKind::JsonTooDeep)
        );
        // Many brackets, all shallow: the count says "maybe", the scan says depth 3.
        let wide = format!("{{\"a\":[{}[]]}}", "[],".repeat(20));
        assert_eq!(check_object(wide.as_bytes(), 3), Ok(()));
        assert_eq!(
            check_object(wide.as_bytes(), 2),
            Err(ErrorKind::JsonTooDeep)
        );
        // Not an object at all, even with no brackets to count.
        assert_eq!(check_object(b"\"a\"", 8), Err(ErrorKind::Malformed));
    }

    #[test]
    fn escape_at_the_very_end_of_a_segment_does_not_panic() {
        // Enough brackets to need the full scan, then a string cut after its backslash.
        let header = format!("{{{}\"\\", "\"k\":[],".repeat(40));
        assert_eq!(check_object(header.as_bytes(), 32), Ok(()));
        assert_eq!(check_object(b"{\"a\":[],\"b\":[],\"\\", 2), Ok(()));
        let token = format!("{}.e30.AA", b64(&header));
        assert_eq!(parse_err(&token), ErrorKind::Malformed);
    }

    #[test]
    fn every_accepted_algorithm_parses_and_none_hs_and_unknown_names_do_not() {
        let (mut small, mut large) = ([0u8; HEADER_STACK], Vec::new());
        for alg in Algorithm::ALL {
            let t = token(&format!(r#"{{"alg":"{}","kid":"k"}}"#, alg.name()), "{}");
            let jws = parse(&t, LIMITS, &mut small, &mut large).unwrap();
            assert_eq!(jws.alg, alg);
        }
        for name in [
            "none", "HS256", "HS384", "HS512", "es256", "ES256K", "Ed25519", "RSA-OAEP",
        ] {
            let t = token(&format!(r#"{{"alg":"{name}","kid":"k"}}"#), "{}");
            assert_eq!(parse_err(&t), ErrorKind::UnsupportedAlgorithm, "{name}");
        }
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

    mod depth_scan {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            /// Any bytes, any limit: an answer, never a panic. The alphabet is the scanner's
            /// own special bytes, so strings, escapes and brackets meet in every order.
            #[test]
            fn never_panics(
                json in proptest::collection::vec(
                    proptest::sample::select(b"{}[]\"\\a ".to_vec()), 0..200),
                max_depth in 0usize..12,
            ) {
                let _ = check_object(&json, max_depth);
            }
        }
    }

    /// The fast decoder must accept exactly what the strict scalar one accepts, with the same
    /// bytes, or tokens would be parsed differently depending on the CPU.
    mod fast_decoder_agrees_with_strict {
        use super::*;
        use proptest::prelude::*;

        fn check(segment: &[u8]) -> Result<(), TestCaseError> {
            let strict = STRICT_B64.decode(segment).ok();
            let mut vec = Vec::new();
            let fast_vec = decode_into(segment, &mut vec).ok().map(|()| vec);
            let mut buf = [0u8; 512];
            let fast_slice = decode_slice(segment, &mut buf)
                .ok()
                .map(|n| buf[..n].to_vec());
            prop_assert_eq!(&fast_vec, &strict);
            if strict.as_ref().is_some_and(|s| s.len() <= buf.len()) {
                prop_assert_eq!(&fast_slice, &strict);
            } else {
                prop_assert_eq!(fast_slice, None);
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            #[test]
            fn on_arbitrary_segments(segment in "[A-Za-z0-9_\\-+/=. ]{0,80}") {
                check(segment.as_bytes())?;
            }

            #[test]
            fn on_valid_encodings_with_one_symbol_changed(
                bytes in proptest::collection::vec(any::<u8>(), 0..700),
                at in any::<prop::sample::Index>(),
                symbol in "[A-Za-z0-9_\\-+/=]",
            ) {
                let mut segment = STRICT_B64.encode(&bytes).into_bytes();
                check(&segment)?;
                if !segment.is_empty() {
                    let i = at.index(segment.len());
                    segment[i] = symbol.as_bytes()[0];
                    check(&segment)?;
                }
            }
        }

        #[test]
        fn errors_still_name_non_canonical_input() {
            // "QR" has stray bits in its last symbol; "QQ==" is padded; "a+b/" uses the
            // standard alphabet.
            for segment in ["QR", "QQ==", "a+b/"] {
                let mut out = Vec::new();
                assert_eq!(
                    decode_into(segment.as_bytes(), &mut out),
                    Err(ErrorKind::NonCanonicalEncoding),
                    "{segment}"
                );
            }
            assert_eq!(
                decode_into(b"a*bc", &mut Vec::new()),
                Err(ErrorKind::Malformed)
            );
        }
    }
}
