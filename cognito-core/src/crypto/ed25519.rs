//! Ed25519 public keys (`EdDSA`, RFC 8037).

use super::Algorithm;

/// The length of an Ed25519 public key and of half a signature.
const KEY_LEN: usize = 32;

/// An Ed25519 public key, ready to verify `EdDSA` signatures.
pub(crate) struct Ed25519Key {
    #[cfg(feature = "aws-lc")]
    key: aws_lc_rs::signature::ParsedPublicKey,
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    key: ed25519_dalek::VerifyingKey,
}

impl Ed25519Key {
    /// Builds a key from its 32 bytes (a JWK's `x`).
    pub(crate) fn from_bytes(x: &[u8]) -> Result<Self, &'static str> {
        let x: &[u8; KEY_LEN] = x.try_into().map_err(|_| "x is not 32 bytes")?;
        Self::parse(x)
    }

    #[cfg(feature = "aws-lc")]
    fn parse(x: &[u8; KEY_LEN]) -> Result<Self, &'static str> {
        use aws_lc_rs::signature;
        let key = signature::ParsedPublicKey::new(&signature::ED25519, x)
            .map_err(|_| "Ed25519 key rejected by aws-lc")?;
        Ok(Ed25519Key { key })
    }

    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
    fn parse(x: &[u8; KEY_LEN]) -> Result<Self, &'static str> {
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(x).map_err(|_| "not a point on Ed25519")?;
        Ok(Ed25519Key { key })
    }

    /// Verifies an `EdDSA` signature (64 bytes) over `message`; false for any other `alg`.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        if alg != Algorithm::EdDsa || signature.len() != 2 * KEY_LEN {
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
        let Ok(bytes) = <&[u8; 2 * KEY_LEN]>::try_from(signature) else {
            return false;
        };
        // The strict check (canonical S, no small-order key or R): where Ed25519 verifiers
        // disagree on an edge case, this one refuses.
        self.key
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(bytes))
            .is_ok()
    }
}
