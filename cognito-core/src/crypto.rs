//! Signature verification with a key parsed once, when its key set is loaded.
//!
//! Exactly one backend is compiled in: aws-lc-rs (feature `aws-lc`, the default) or the
//! RustCrypto `rsa` crate (feature `rust-crypto`). Both verify RSASSA-PKCS1-v1_5 with SHA-256
//! and refuse moduli under [`MIN_RSA_BITS`].

#[cfg(all(feature = "aws-lc", feature = "rust-crypto"))]
compile_error!(
    "cognito-core: the features `aws-lc` and `rust-crypto` select the crypto backend; enable exactly one \
     (for rust-crypto: `default-features = false, features = [\"rust-crypto\"]`)"
);

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!(
    "cognito-core: no crypto backend; enable the feature `aws-lc` (the default) or `rust-crypto`"
);

/// RSA keys shorter than this are refused.
pub const MIN_RSA_BITS: usize = 2048;
/// RSA keys longer than this are refused (they cost time and no issuer uses them).
pub const MAX_RSA_BITS: usize = 8192;

/// An RSA public key ready to verify RS256 signatures.
pub(crate) struct RsaKey {
    bits: usize,
    #[cfg(feature = "aws-lc")]
    key: aws_lc_rs::signature::ParsedPublicKey,
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    key: rsa::RsaPublicKey,
}

impl RsaKey {
    /// Builds a key from its big-endian modulus and exponent.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, &'static str> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = bit_length(n);
        if bits < MIN_RSA_BITS {
            return Err("RSA modulus shorter than 2048 bits");
        }
        if bits > MAX_RSA_BITS {
            return Err("RSA modulus longer than 8192 bits");
        }
        if e.is_empty() || e.len() > 4 {
            return Err("unusual RSA exponent");
        }
        Self::parse(n, e, bits)
    }

    #[cfg(feature = "aws-lc")]
    fn parse(n: &[u8], e: &[u8], bits: usize) -> Result<Self, &'static str> {
        use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
        let key = RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|_| "RSA key rejected by aws-lc")?;
        Ok(RsaKey { bits, key })
    }

    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    fn parse(n: &[u8], e: &[u8], bits: usize) -> Result<Self, &'static str> {
        use rsa::BigUint;
        let key = rsa::RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(n),
            BigUint::from_bytes_be(e),
            MAX_RSA_BITS,
        )
        .map_err(|_| "RSA key rejected by the rsa crate")?;
        Ok(RsaKey { bits, key })
    }

    /// The modulus length in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    pub(crate) fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.bits.div_ceil(8) {
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
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(message);
        self.key
            .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, signature)
            .is_ok()
    }
}

pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn bit_length(n: &[u8]) -> usize {
    match n.first() {
        None => 0,
        Some(&top) => n.len() * 8 - top.leading_zeros() as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_ignores_leading_zero_bytes() {
        assert_eq!(bit_length(strip_leading_zeros(&[0, 0, 0x80, 0])), 16);
        assert_eq!(bit_length(strip_leading_zeros(&[0, 1])), 1);
        assert_eq!(bit_length(strip_leading_zeros(&[0])), 0);
    }

    #[test]
    fn rsa_key_under_2048_bits_is_refused() {
        let mut n = vec![0xffu8; 128];
        n[127] |= 1;
        assert!(RsaKey::from_components(&n, &[1, 0, 1]).is_err());
    }
}
