//! RSA public keys: RSASSA-PKCS1-v1_5 (`RS*`) and RSASSA-PSS (`PS*`) with SHA-2.

use super::{Algorithm, Algorithms, MAX_RSA_BITS, MIN_RSA_BITS, bit_length, strip_leading_zeros};

/// An RSA public key of 2048 to 8192 bits, ready to verify the algorithms it allows.
pub(crate) struct RsaKey {
    bits: usize,
    allowed: Algorithms,
    /// aws-lc binds a parsed key to one algorithm: one per algorithm the key allows.
    #[cfg(feature = "aws-lc")]
    keys: Vec<(Algorithm, aws_lc_rs::signature::ParsedPublicKey)>,
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    key: rsa::RsaPublicKey,
}

impl RsaKey {
    /// Builds a key from its big-endian modulus and exponent, for the RSA algorithms among
    /// `allowed`.
    pub(crate) fn from_components(
        n: &[u8],
        e: &[u8],
        allowed: Algorithms,
    ) -> Result<Self, &'static str> {
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
        let allowed: Algorithms = allowed.iter().filter(|a| a.is_rsa()).collect();
        if allowed.is_empty() {
            return Err("the algorithm is not for an RSA key");
        }
        Self::parse(n, e, bits, allowed)
    }

    #[cfg(feature = "aws-lc")]
    fn parse(n: &[u8], e: &[u8], bits: usize, allowed: Algorithms) -> Result<Self, &'static str> {
        use aws_lc_rs::signature::{self, RsaPublicKeyComponents};
        let components = RsaPublicKeyComponents { n, e };
        let keys = allowed
            .iter()
            .map(|alg| {
                let params = match alg {
                    Algorithm::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    Algorithm::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                    Algorithm::Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
                    Algorithm::Ps384 => &signature::RSA_PSS_2048_8192_SHA384,
                    Algorithm::Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
                    _ => &signature::RSA_PKCS1_2048_8192_SHA256,
                };
                components
                    .to_parsed_public_key(params)
                    .map(|key| (alg, key))
                    .map_err(|_| "RSA key rejected by aws-lc")
            })
            .collect::<Result<_, _>>()?;
        Ok(RsaKey {
            bits,
            allowed,
            keys,
        })
    }

    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    fn parse(n: &[u8], e: &[u8], bits: usize, allowed: Algorithms) -> Result<Self, &'static str> {
        use rsa::BigUint;
        let key = rsa::RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(n),
            BigUint::from_bytes_be(e),
            MAX_RSA_BITS,
        )
        .map_err(|_| "RSA key rejected by the rsa crate")?;
        Ok(RsaKey { bits, allowed, key })
    }

    /// The modulus length in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// The algorithms this key verifies.
    pub(crate) fn allowed(&self) -> Algorithms {
        self.allowed
    }

    /// Verifies a signature of `alg` over `message`: false for an algorithm the key does not
    /// allow, and for a signature that is not exactly as long as the modulus.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        if !self.allowed.contains(alg) || signature.len() != self.bits.div_ceil(8) {
            return false;
        }
        self.verify_backend(alg, message, signature)
    }

    #[cfg(feature = "aws-lc")]
    fn verify_backend(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.keys
            .iter()
            .find(|(a, _)| *a == alg)
            .is_some_and(|(_, key)| key.verify_sig(message, signature).is_ok())
    }

    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    fn verify_backend(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        use rsa::{Pkcs1v15Sign, Pss};
        use sha2::{Digest as _, Sha256, Sha384, Sha512};
        let result = match alg {
            Algorithm::Rs256 => {
                let digest = Sha256::digest(message);
                self.key
                    .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
            }
            Algorithm::Rs384 => {
                let digest = Sha384::digest(message);
                self.key
                    .verify(Pkcs1v15Sign::new::<Sha384>(), &digest, signature)
            }
            Algorithm::Rs512 => {
                let digest = Sha512::digest(message);
                self.key
                    .verify(Pkcs1v15Sign::new::<Sha512>(), &digest, signature)
            }
            Algorithm::Ps256 => {
                let digest = Sha256::digest(message);
                self.key.verify(Pss::new::<Sha256>(), &digest, signature)
            }
            Algorithm::Ps384 => {
                let digest = Sha384::digest(message);
                self.key.verify(Pss::new::<Sha384>(), &digest, signature)
            }
            Algorithm::Ps512 => {
                let digest = Sha512::digest(message);
                self.key.verify(Pss::new::<Sha512>(), &digest, signature)
            }
            _ => return false,
        };
        result.is_ok()
    }
}
