//! The issuer's RSA keys: generated, published as JWKs, moved between DER encodings.

use super::*;

/// An RSA signing key of the local issuer.
pub(super) struct SigningKey {
    pub(super) kid: String,
    pub(super) encoding: EncodingKey,
    pub(super) n: Vec<u8>,
    pub(super) e: Vec<u8>,
}

impl SigningKey {
    pub(super) fn generate(kid: String) -> std::io::Result<Self> {
        let pkcs1 = generate_pkcs1_der()?;
        let (n, e) = der::rsa_public_components(&pkcs1)
            .ok_or_else(|| std::io::Error::other("generated key is not PKCS#1"))?;
        // DER integers carry a leading zero byte when the top bit is set; JWK values are the
        // minimal big-endian octets (RFC 7518 §6.3.1).
        let minimal = |bytes: Vec<u8>| -> Vec<u8> {
            let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
            bytes[start..].to_vec()
        };
        Ok(SigningKey {
            kid,
            encoding: EncodingKey::from_rsa_der(&pkcs1),
            n: minimal(n),
            e: minimal(e),
        })
    }

    pub(super) fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": STRICT_B64.encode(&self.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": STRICT_B64.encode(&self.n),
            "use": "sig",
        })
    }
}

#[cfg(feature = "aws-lc")]
fn generate_pkcs1_der() -> std::io::Result<Vec<u8>> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| std::io::Error::other("RSA key generation failed"))?;
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'static>>::as_der(&pair)
        .map_err(|_| std::io::Error::other("RSA key encoding failed"))?;
    der::pkcs8_to_pkcs1(pkcs8.as_ref())
        .map(<[u8]>::to_vec)
        .ok_or_else(|| std::io::Error::other("generated key is not PKCS#8 RSA"))
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
fn generate_pkcs1_der() -> std::io::Result<Vec<u8>> {
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|_| std::io::Error::other("RSA key generation failed"))?;
    key.to_pkcs1_der()
        .map(|der| der.as_bytes().to_vec())
        .map_err(|_| std::io::Error::other("RSA key encoding failed"))
}

/// Just enough DER to move RSA keys between encodings.
mod der {
    /// Reads one TLV: (tag, content, rest).
    fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let len = rest[..count]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, &rest[count..])
        };
        if rest.len() < len {
            return None;
        }
        Some((tag, &rest[..len], &rest[len..]))
    }

    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OCTET_STRING: u8 = 0x04;

    /// PKCS#8 `PrivateKeyInfo` → the PKCS#1 `RSAPrivateKey` inside it.
    #[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
    pub(super) fn pkcs8_to_pkcs1(pkcs8: &[u8]) -> Option<&[u8]> {
        let (SEQUENCE, info, _) = read(pkcs8)? else {
            return None;
        };
        let (INTEGER, _, rest) = read(info)? else {
            return None;
        };
        let (SEQUENCE, _, rest) = read(rest)? else {
            return None;
        };
        let (OCTET_STRING, key, _) = read(rest)? else {
            return None;
        };
        Some(key)
    }

    /// PKCS#1 `RSAPrivateKey` → (n, e).
    pub(super) fn rsa_public_components(pkcs1: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let (SEQUENCE, key, _) = read(pkcs1)? else {
            return None;
        };
        let (INTEGER, _, rest) = read(key)? else {
            return None;
        };
        let (INTEGER, n, rest) = read(rest)? else {
            return None;
        };
        let (INTEGER, e, _) = read(rest)? else {
            return None;
        };
        Some((n.to_vec(), e.to_vec()))
    }
}
