//! Keys for every algorithm besides the pool's RS256: what an OIDC provider signing with
//! `PS256`, `ES384` or `EdDSA` publishes, and the signatures it makes.

use super::*;
use crate::crypto::{Curve, EcSigningKey, Ed25519SigningKey};

/// A published key bound to one algorithm (its JWK carries that `alg`).
pub(super) struct AlgorithmKey {
    pub(super) kid: String,
    pub(super) alg: crate::Algorithm,
    material: Material,
}

enum Material {
    Rsa(Arc<SigningKey>),
    Ec(EcSigningKey),
    Ed25519(Ed25519SigningKey),
}

impl AlgorithmKey {
    /// A new key for `alg`. RSA algorithms sign with `rsa` (one key may serve several, each
    /// under its own `kid`).
    pub(super) fn generate(alg: crate::Algorithm, rsa: &Arc<SigningKey>) -> std::io::Result<Self> {
        use crate::Algorithm as A;
        let curve = |curve| EcSigningKey::generate(curve).map(Material::Ec);
        let material = match alg {
            A::Es256 => curve(Curve::P256),
            A::Es384 => curve(Curve::P384),
            A::Es512 => curve(Curve::P521),
            A::EdDsa => Ed25519SigningKey::generate().map(Material::Ed25519),
            _ => Ok(Material::Rsa(Arc::clone(rsa))),
        }
        .map_err(std::io::Error::other)?;
        Ok(AlgorithmKey {
            kid: format!("local-{}", alg.name().to_ascii_lowercase()),
            alg,
            material,
        })
    }

    pub(super) fn jwk(&self) -> Value {
        let mut jwk = match &self.material {
            Material::Rsa(key) => key.jwk(),
            Material::Ec(key) => {
                let (x, y) = key.coordinates();
                let crv = match self.alg {
                    crate::Algorithm::Es384 => "P-384",
                    crate::Algorithm::Es512 => "P-521",
                    _ => "P-256",
                };
                json!({
                    "kty": "EC",
                    "crv": crv,
                    "x": STRICT_B64.encode(x),
                    "y": STRICT_B64.encode(y),
                    "use": "sig",
                })
            }
            Material::Ed25519(key) => json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": STRICT_B64.encode(key.public_key()),
                "use": "sig",
            }),
        };
        jwk["kid"] = json!(self.kid);
        jwk["alg"] = json!(self.alg.name());
        jwk
    }

    /// The base64url signature of `signing_input` with this key's algorithm.
    pub(super) fn sign(&self, signing_input: &[u8]) -> String {
        match &self.material {
            Material::Rsa(key) => {
                let alg = match self.alg {
                    crate::Algorithm::Rs384 => Algorithm::RS384,
                    crate::Algorithm::Rs512 => Algorithm::RS512,
                    crate::Algorithm::Ps256 => Algorithm::PS256,
                    crate::Algorithm::Ps384 => Algorithm::PS384,
                    crate::Algorithm::Ps512 => Algorithm::PS512,
                    _ => Algorithm::RS256,
                };
                jsonwebtoken::crypto::sign(signing_input, &key.encoding, alg).unwrap_or_default()
            }
            Material::Ec(key) => STRICT_B64.encode(key.sign(signing_input)),
            Material::Ed25519(key) => STRICT_B64.encode(key.sign(signing_input)),
        }
    }
}
