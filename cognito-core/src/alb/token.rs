//! The token an Application Load Balancer forwards in `x-amzn-oidc-data`, split and decoded.
//!
//! Its quirks, accepted for this token only: header and payload may end in `=` padding, the
//! signature may use the standard base64 alphabet instead of the URL-safe one, and the
//! signature is the raw `R‖S` of ES256 (64 bytes, never DER). The signature covers the first two
//! segments exactly as received, padding included. Everything else is as strict as for other
//! tokens: three segments, canonical base64 of each alphabet, JSON objects within the depth
//! limit, no claim named twice.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use crate::error::ErrorKind;
use crate::jws::check_object;

/// The length of an ES256 signature: R and S, 32 bytes each.
pub(crate) const SIGNATURE_LEN: usize = 64;

const fn padding_optional(alphabet: &'static alphabet::Alphabet) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(false),
    )
}

/// base64url, padded or not.
const URL_SAFE: GeneralPurpose = padding_optional(&alphabet::URL_SAFE);
/// Standard base64, padded or not: some signatures come in this alphabet.
const STANDARD: GeneralPurpose = padding_optional(&alphabet::STANDARD);

/// A load balancer's token, not yet verified.
pub(crate) struct AlbToken<'a> {
    /// `header.payload` as received: what the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) header: AlbHeader,
    /// The payload: the identity provider's user info, a JSON object.
    pub(crate) payload: String,
    pub(crate) signature: [u8; SIGNATURE_LEN],
}

/// The header of a load balancer's token: ES256, its key, who signed it, for which client and
/// issuer, and until when.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlbHeader {
    alg: String,
    pub(crate) kid: String,
    pub(crate) signer: String,
    pub(crate) iss: String,
    pub(crate) client: String,
    pub(crate) exp: u64,
    // The load balancer writes `typ` on some tokens; it says nothing the checks need.
    #[serde(default, rename = "typ")]
    _typ: Option<String>,
}

/// Splits and decodes `token`.
///
/// # Errors
/// [`ErrorKind::TokenTooLong`] over `max_len` bytes; [`ErrorKind::Malformed`] for anything but
/// three well-formed segments, a header of exactly the load balancer's members, a `kid` that is
/// not a UUID, or a signature that is not 64 bytes; [`ErrorKind::UnsupportedAlgorithm`] for an
/// algorithm other than ES256.
pub(crate) fn parse(
    token: &str,
    max_len: usize,
    max_depth: usize,
) -> Result<AlbToken<'_>, ErrorKind> {
    if token.len() > max_len {
        return Err(ErrorKind::TokenTooLong);
    }
    let mut segments = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(ErrorKind::Malformed);
    };
    let header = URL_SAFE
        .decode(header_b64)
        .map_err(|_| ErrorKind::Malformed)?;
    check_object(&header, max_depth)?;
    let header: AlbHeader = serde_json::from_slice(&header).map_err(|_| ErrorKind::Malformed)?;
    if header.alg != "ES256" {
        return Err(ErrorKind::UnsupportedAlgorithm);
    }
    // The key URL is built from the kid: only a UUID may name a key.
    if !is_uuid(&header.kid) {
        return Err(ErrorKind::Malformed);
    }
    let payload = URL_SAFE
        .decode(payload_b64)
        .map_err(|_| ErrorKind::Malformed)?;
    check_object(&payload, max_depth)?;
    let payload = String::from_utf8(payload).map_err(|_| ErrorKind::Malformed)?;
    let engine = if signature_b64.contains(['+', '/']) {
        &STANDARD
    } else {
        &URL_SAFE
    };
    let mut signature = [0u8; SIGNATURE_LEN];
    // A longer signature cannot be ES256; the check keeps the decoder within the buffer.
    if signature_b64.len() > SIGNATURE_LEN * 4 / 3 + 4 {
        return Err(ErrorKind::Malformed);
    }
    let mut decoded = [0u8; SIGNATURE_LEN + 3];
    let len = engine
        .decode_slice(signature_b64, &mut decoded)
        .map_err(|_| ErrorKind::Malformed)?;
    if len != SIGNATURE_LEN {
        return Err(ErrorKind::Malformed);
    }
    signature.copy_from_slice(&decoded[..SIGNATURE_LEN]);
    Ok(AlbToken {
        signing_input: &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()],
        header,
        payload,
        signature,
    })
}

/// `8-4-4-4-12` hexadecimal digits: the form of the load balancers' key ids.
pub(crate) fn is_uuid(kid: &str) -> bool {
    let groups: Vec<&str> = kid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KID: &str = "12345678-1234-1234-1234-123456789012";

    fn header(alg: &str, kid: &str) -> String {
        format!(
            r#"{{"alg":"{alg}","kid":"{kid}","signer":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/a/1f","iss":"https://issuer.example","client":"c","exp":2000000000}}"#
        )
    }

    fn token(header: &str, payload: &str, signature: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE.encode(header),
            URL_SAFE.encode(payload),
            URL_SAFE.encode(signature)
        )
    }

    #[test]
    fn padded_segments_and_a_standard_alphabet_signature_are_read() {
        let signature = [0xfb_u8; SIGNATURE_LEN];
        let padded = token(&header("ES256", KID), r#"{"sub":"s"}"#, &signature);
        let parsed = parse(&padded, 16 * 1024, 16).unwrap();
        assert_eq!(parsed.header.kid, KID);
        assert_eq!(parsed.signature, signature);
        assert_eq!(parsed.payload, r#"{"sub":"s"}"#);
        // The signed bytes are the segments as received, padding included.
        assert!(padded.starts_with(std::str::from_utf8(parsed.signing_input).unwrap()));
        let standard = base64::engine::general_purpose::STANDARD.encode(signature);
        assert!(standard.contains('+') || standard.contains('/'));
        let (head, _) = padded.rsplit_once('.').unwrap();
        let standard_token = format!("{head}.{standard}");
        let parsed = parse(&standard_token, 16 * 1024, 16).unwrap();
        assert_eq!(parsed.signature, signature);
    }

    #[test]
    fn der_or_short_signatures_are_malformed() {
        let der = [0x30_u8; 70];
        for signature in [&der[..], &[1u8; 63][..], &[1u8; 65][..], &[][..]] {
            let t = token(&header("ES256", KID), "{}", signature);
            assert!(matches!(
                parse(&t, 16 * 1024, 16),
                Err(ErrorKind::Malformed)
            ));
        }
    }

    #[test]
    fn only_es256_is_accepted() {
        for alg in ["RS256", "none", "HS256", "ES384", "es256"] {
            let t = token(&header(alg, KID), "{}", &[1; SIGNATURE_LEN]);
            assert!(
                matches!(
                    parse(&t, 16 * 1024, 16),
                    Err(ErrorKind::UnsupportedAlgorithm)
                ),
                "{alg}"
            );
        }
    }

    #[test]
    fn a_kid_that_is_not_a_uuid_never_reaches_a_url() {
        for kid in [
            "../../evil",
            "12345678-1234-1234-1234-12345678901/",
            "12345678-1234-1234-1234-1234567890123",
            "g2345678-1234-1234-1234-123456789012",
            "host.example/12345678-1234-1234-1234-123456789012",
            "",
        ] {
            let t = token(&header("ES256", kid), "{}", &[1; SIGNATURE_LEN]);
            assert!(
                matches!(parse(&t, 16 * 1024, 16), Err(ErrorKind::Malformed)),
                "{kid}"
            );
        }
    }

    #[test]
    fn headers_with_other_members_or_missing_ones_are_malformed() {
        let extra = header("ES256", KID).replace("\"exp\"", "\"jku\":\"https://x\",\"exp\"");
        let missing = header("ES256", KID).replace(",\"client\":\"c\"", "");
        let twice = header("ES256", KID).replace("\"exp\"", "\"kid\":\"x\",\"exp\"");
        for h in [extra, missing, twice] {
            let t = token(&h, "{}", &[1; SIGNATURE_LEN]);
            assert!(
                matches!(parse(&t, 16 * 1024, 16), Err(ErrorKind::Malformed)),
                "{h}"
            );
        }
    }

    #[test]
    fn segment_count_and_length_are_bounded() {
        let t = token(&header("ES256", KID), "{}", &[1; SIGNATURE_LEN]);
        assert!(matches!(
            parse(&format!("{t}.x"), 16 * 1024, 16),
            Err(ErrorKind::Malformed)
        ));
        assert!(matches!(parse(&t, 10, 16), Err(ErrorKind::TokenTooLong)));
    }
}
