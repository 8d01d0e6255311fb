//! Elliptic-curve public keys: ECDSA on P-256, P-384 and P-521 with fixed-length R‖S
//! signatures (RFC 7518 §3.4).

use super::Algorithm;

/// A NIST curve a JWK `crv` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The curve a JWK's `crv` names.
    pub(crate) fn from_name(crv: &str) -> Option<Curve> {
        match crv {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }

    /// The length in bytes of a coordinate, and of each of R and S.
    pub(crate) fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The one algorithm that signs with keys on this curve.
    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            Curve::P256 => Algorithm::Es256,
            Curve::P384 => Algorithm::Es384,
            Curve::P521 => Algorithm::Es512,
        }
    }
}

/// The DER of a P-256 `SubjectPublicKeyInfo` up to its point: `id-ecPublicKey` with the named
/// curve `prime256v1`, then a BIT STRING of 66 bytes (no unused bits, the 65-byte point).
#[cfg_attr(not(any(test, feature = "test-util")), allow(dead_code))]
pub(super) const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A public key on one curve: a point checked to lie on it, ready to verify the curve's ECDSA.
pub(crate) struct EcKey {
    curve: Curve,
    #[cfg(feature = "aws-lc")]
    key: aws_lc_rs::signature::ParsedPublicKey,
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    key: RustCryptoKey,
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
enum RustCryptoKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

impl EcKey {
    /// Builds a key from its affine coordinates (big-endian, each exactly the curve's
    /// coordinate length, as a JWK's `x` and `y` are).
    pub(crate) fn from_coordinates(curve: Curve, x: &[u8], y: &[u8]) -> Result<Self, &'static str> {
        let len = curve.coordinate_len();
        if x.len() != len || y.len() != len {
            return Err("x or y is not as long as the curve's coordinates");
        }
        // The uncompressed SEC1 encoding, the one form both backends read.
        let mut point = Vec::with_capacity(1 + 2 * len);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        Self::parse(curve, &point)
    }

    /// Builds a P-256 key from the DER of its `SubjectPublicKeyInfo` (the body of a
    /// `-----BEGIN PUBLIC KEY-----` PEM block) with an uncompressed point; anything else,
    /// another curve or trailing bytes included, is refused.
    // For keys published as PEM rather than JWK (an ALB's); the JWK path is `from_coordinates`.
    pub(crate) fn p256_from_spki_der(der: &[u8]) -> Result<Self, &'static str> {
        let point = der
            .strip_prefix(&P256_SPKI_PREFIX)
            .ok_or("not the DER of a P-256 public key")?;
        match point {
            [0x04, coordinates @ ..] if coordinates.len() == 64 => {
                let (x, y) = coordinates.split_at(32);
                Self::from_coordinates(Curve::P256, x, y)
            }
            _ => Err("not an uncompressed P-256 point"),
        }
    }

    #[cfg(feature = "aws-lc")]
    fn parse(curve: Curve, point: &[u8]) -> Result<Self, &'static str> {
        use aws_lc_rs::signature;
        let algorithm = match curve {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
            Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
        };
        let key = signature::ParsedPublicKey::new(algorithm, point)
            .map_err(|_| "not a point on the curve")?;
        Ok(EcKey { curve, key })
    }

    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    fn parse(curve: Curve, point: &[u8]) -> Result<Self, &'static str> {
        let refused = |_| "not a point on the curve";
        let key = match curve {
            Curve::P256 => RustCryptoKey::P256(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(refused)?,
            ),
            Curve::P384 => RustCryptoKey::P384(
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(refused)?,
            ),
            Curve::P521 => RustCryptoKey::P521(
                p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(refused)?,
            ),
        };
        Ok(EcKey { curve, key })
    }

    /// Verifies an ECDSA signature of `alg` over `message`. The signature is R‖S, each exactly
    /// the curve's coordinate length (64 bytes for ES256); a DER-encoded signature, one of
    /// another length, or an `alg` other than the curve's is false.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        if alg != self.curve.algorithm() || signature.len() != 2 * self.curve.coordinate_len() {
            return false;
        }
        self.verify_backend(message, signature)
    }

    #[cfg(feature = "aws-lc")]
    fn verify_backend(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }

    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    fn verify_backend(&self, message: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        match &self.key {
            RustCryptoKey::P256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(message, &s).is_ok()),
            RustCryptoKey::P384(key) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(message, &s).is_ok()),
            RustCryptoKey::P521(key) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(message, &s).is_ok()),
        }
    }
}
