//! Signature verification with a key parsed once, when its key set is loaded.
//!
//! Exactly one backend is compiled in: aws-lc-rs (feature `aws-lc`, the default) or the
//! RustCrypto crates `rsa`, `p256`, `p384`, `p521` and `ed25519-dalek` (feature
//! `rust-crypto`). Both verify every [`Algorithm`], each only with a key of its own type:
//! RSA keys of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`], points checked to lie on their curve,
//! ECDSA signatures as fixed-length R‖S only.

mod algorithm;
mod ec;
mod ed25519;
mod rsa;
#[cfg(feature = "test-util")]
mod signing;

pub use algorithm::Algorithm;
pub(crate) use algorithm::Algorithms;
pub(crate) use ec::{Curve, EcKey};
pub(crate) use ed25519::Ed25519Key;
pub(crate) use rsa::RsaKey;
#[cfg(feature = "test-util")]
pub(crate) use signing::{EcSigningKey, Ed25519SigningKey};

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

/// A public key of any accepted type, parsed once when its key set is loaded.
pub(crate) enum PublicKey {
    Rsa(RsaKey),
    Ec(EcKey),
    Ed25519(Ed25519Key),
}

impl PublicKey {
    /// Verifies a signature of `alg` over `message`: false whenever `alg` is not one the key
    /// is bound to, whatever the signature.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Rsa(key) => key.verify(alg, message, signature),
            PublicKey::Ec(key) => key.verify(alg, message, signature),
            PublicKey::Ed25519(key) => key.verify(alg, message, signature),
        }
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
mod tests;
