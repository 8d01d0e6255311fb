//! The JOSE signature algorithms the verifier knows, and sets of them.

use std::fmt;

/// A JWS signature algorithm (RFC 7518 §3, RFC 8037 §3.1) that a verifier can accept.
///
/// Each is bound to one kind of key: `RS*` and `PS*` to RSA keys of 2048 to 8192 bits, `ES256`
/// to P-256, `ES384` to P-384, `ES512` to P-521, `EdDSA` to Ed25519. `none`, the HMAC
/// algorithms (`HS*`) and every other name are not algorithms here: tokens naming them are
/// refused before any key is looked up.
///
/// ```
/// use cognito_core::Algorithm;
///
/// assert_eq!(Algorithm::from_name("ES256"), Some(Algorithm::Es256));
/// assert_eq!(Algorithm::from_name("HS256"), None);
/// assert_eq!(Algorithm::EdDsa.name(), "EdDSA");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: the only algorithm Cognito user pools sign with.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256, salt as long as the hash.
    Ps256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384, salt as long as the hash.
    Ps384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512, salt as long as the hash.
    Ps512,
    /// ECDSA on P-256 with SHA-256; the signature is R‖S, 64 bytes.
    Es256,
    /// ECDSA on P-384 with SHA-384; the signature is R‖S, 96 bytes.
    Es384,
    /// ECDSA on P-521 with SHA-512; the signature is R‖S, 132 bytes.
    Es512,
    /// EdDSA with Ed25519 (the only curve accepted for `EdDSA`); the signature is 64 bytes.
    EdDsa,
}

impl Algorithm {
    /// Every accepted algorithm, in the order above.
    pub const ALL: [Algorithm; 10] = [
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::EdDsa,
    ];

    /// The algorithm a JWS header's `alg` (or a JWK's) names, compared exactly; `None` for
    /// `none`, `HS*` and anything else.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The name in a JWS header: `RS256`, `PS384`, `ES512`, `EdDSA`…
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Ps256 => "PS256",
            Algorithm::Ps384 => "PS384",
            Algorithm::Ps512 => "PS512",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Es512 => "ES512",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// Whether the algorithm signs with an RSA key.
    #[must_use]
    pub fn is_rsa(self) -> bool {
        matches!(
            self,
            Algorithm::Rs256
                | Algorithm::Rs384
                | Algorithm::Rs512
                | Algorithm::Ps256
                | Algorithm::Ps384
                | Algorithm::Ps512
        )
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of algorithms: what a key allows, or what an issuer accepts.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Algorithms(u16);

impl Algorithms {
    /// Every RSA algorithm: what an RSA key without a JWK `alg` allows.
    pub(crate) const RSA: Algorithms = Algorithms(
        (1 << Algorithm::Rs256 as u16)
            | (1 << Algorithm::Rs384 as u16)
            | (1 << Algorithm::Rs512 as u16)
            | (1 << Algorithm::Ps256 as u16)
            | (1 << Algorithm::Ps384 as u16)
            | (1 << Algorithm::Ps512 as u16),
    );

    pub(crate) fn one(alg: Algorithm) -> Self {
        Algorithms(alg.bit())
    }

    pub(crate) fn contains(self, alg: Algorithm) -> bool {
        self.0 & alg.bit() != 0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Algorithm> for Algorithms {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        Algorithms(iter.into_iter().fold(0, |bits, alg| bits | alg.bit()))
    }
}

impl fmt::Debug for Algorithms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Algorithm::name))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_nothing_else_is_an_algorithm() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        for name in [
            "none", "None", "HS256", "HS512", "rs256", "RS1", "ES256K", "Ed25519", "",
        ] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }

    #[test]
    fn sets_hold_what_they_are_given() {
        let set: Algorithms = [Algorithm::Es256, Algorithm::EdDsa].into_iter().collect();
        assert!(set.contains(Algorithm::Es256) && set.contains(Algorithm::EdDsa));
        assert!(!set.contains(Algorithm::Rs256));
        assert_eq!(Algorithms::RSA.iter().filter(|a| a.is_rsa()).count(), 6);
        assert_eq!(Algorithms::RSA.iter().count(), 6);
        assert!(Algorithms::default().is_empty());
    }
}
