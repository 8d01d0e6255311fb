//! One JWK, parsed once when its key set loads: its type, curve and `alg` decide the
//! algorithms it verifies.

use base64::Engine as _;
use serde::Deserialize;

use super::JWK_B64;
use crate::crypto::{
    Algorithm, Algorithms, Curve, EcKey, Ed25519Key, PublicKey, RsaKey, strip_leading_zeros,
};

/// One usable verification key, bound to the algorithms its JWK allows.
pub(crate) struct Jwk {
    pub(super) kid: Box<str>,
    allowed: Algorithms,
    key: PublicKey,
    /// The key material as published (type, then `e` and `n`, the curve and `x`, `y`, or `x`),
    /// to tell an unchanged key from a new one under the same `kid`.
    material: Box<[u8]>,
}

impl Jwk {
    /// Whether the key is bound to `alg`: an RSA key to the `RS*` and `PS*` algorithms (or the
    /// one its JWK names), an EC key to its curve's `ES*`, an Ed25519 key to `EdDSA`.
    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.allowed.contains(alg)
    }

    pub(crate) fn verify(&self, alg: Algorithm, signing_input: &[u8], signature: &[u8]) -> bool {
        self.allowed.contains(alg) && self.key.verify(alg, signing_input, signature)
    }

    /// A P-256 key published as PEM (an Application Load Balancer's), as the key `kid`: bound
    /// to ES256 only.
    pub(crate) fn from_p256_pem(kid: &str, pem: &[u8]) -> Result<Jwk, &'static str> {
        let text = std::str::from_utf8(pem).map_err(|_| "the key is not text")?;
        let body = text
            .trim()
            .strip_prefix("-----BEGIN PUBLIC KEY-----")
            .and_then(|rest| rest.strip_suffix("-----END PUBLIC KEY-----"))
            .ok_or("not a PEM public key")?;
        let base64: String = body.split_ascii_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64)
            .map_err(|_| "the PEM body is not base64")?;
        let key = EcKey::p256_from_spki_der(&der)?;
        Ok(Jwk {
            kid: kid.into(),
            allowed: Algorithms::one(Algorithm::Es256),
            key: PublicKey::Ec(key),
            material: [&[EC_TAG, Curve::P256 as u8][..], &der].concat().into(),
        })
    }

    /// The same key material bound to the same algorithms.
    pub(super) fn same_as(&self, other: &Jwk) -> bool {
        self.material == other.material && self.allowed == other.allowed
    }
}

#[derive(Deserialize)]
struct RawKey {
    kty: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// Material tags, so that keys of different types never compare equal.
const RSA_TAG: u8 = b'R';
const EC_TAG: u8 = b'E';
const OKP_TAG: u8 = b'O';

pub(super) fn parse_key(value: &serde_json::Value) -> Result<Jwk, &'static str> {
    let raw = RawKey::deserialize(value).map_err(|_| "not a JWK object")?;
    let kid = raw.kid.clone().ok_or("no kid")?;
    if raw.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err("not a signature key");
    }
    let alg = match raw.alg.as_deref() {
        None => None,
        Some(name) => {
            Some(Algorithm::from_name(name).ok_or("not an algorithm the verifier accepts")?)
        }
    };
    let (allowed, key, material) = match raw.kty.as_deref() {
        Some("RSA") => rsa(&raw, alg)?,
        Some("EC") => ec(&raw, alg)?,
        Some("OKP") => okp(&raw, alg)?,
        _ => return Err("not an RSA, EC or OKP key"),
    };
    Ok(Jwk {
        kid: kid.into(),
        allowed,
        key,
        material: material.into(),
    })
}

type Parsed = (Algorithms, PublicKey, Vec<u8>);

/// Decodes a member of key material; `missing` and `garbled` say what is wrong, naming it.
fn decode(
    field: Option<&String>,
    missing: &'static str,
    garbled: &'static str,
) -> Result<Vec<u8>, &'static str> {
    let text = field.ok_or(missing)?;
    JWK_B64.decode(text).map_err(|_| garbled)
}

fn rsa(raw: &RawKey, alg: Option<Algorithm>) -> Result<Parsed, &'static str> {
    let allowed = match alg {
        None => Algorithms::RSA,
        Some(alg) if alg.is_rsa() => Algorithms::one(alg),
        Some(_) => return Err("the algorithm is not for an RSA key"),
    };
    let n = decode(raw.n.as_ref(), "missing n or e", "n or e is not base64url")?;
    let e = decode(raw.e.as_ref(), "missing n or e", "n or e is not base64url")?;
    let key = RsaKey::from_components(&n, &e, allowed)?;
    debug_assert!(key.bits() >= crate::crypto::MIN_RSA_BITS);
    let allowed = key.allowed();
    let (n, e) = (strip_leading_zeros(&n), strip_leading_zeros(&e));
    // `e` is at most 4 bytes (checked by `from_components`), so its length fits one byte.
    let mut material = Vec::with_capacity(2 + e.len() + n.len());
    material.extend_from_slice(&[RSA_TAG, e.len() as u8]);
    material.extend_from_slice(e);
    material.extend_from_slice(n);
    Ok((allowed, PublicKey::Rsa(key), material))
}

fn ec(raw: &RawKey, alg: Option<Algorithm>) -> Result<Parsed, &'static str> {
    let curve = Curve::from_name(raw.crv.as_deref().ok_or("no crv")?)
        .ok_or("not a P-256, P-384 or P-521 key")?;
    if alg.is_some_and(|alg| alg != curve.algorithm()) {
        return Err("the algorithm is not for the key's curve");
    }
    let x = decode(raw.x.as_ref(), "missing x or y", "x or y is not base64url")?;
    let y = decode(raw.y.as_ref(), "missing x or y", "x or y is not base64url")?;
    let key = EcKey::from_coordinates(curve, &x, &y)?;
    let material = [&[EC_TAG, curve as u8][..], &x, &y].concat();
    Ok((
        Algorithms::one(curve.algorithm()),
        PublicKey::Ec(key),
        material,
    ))
}

fn okp(raw: &RawKey, alg: Option<Algorithm>) -> Result<Parsed, &'static str> {
    if raw.crv.as_deref() != Some("Ed25519") {
        return Err("not an Ed25519 key");
    }
    if alg.is_some_and(|alg| alg != Algorithm::EdDsa) {
        return Err("the algorithm is not for an Ed25519 key");
    }
    let x = decode(raw.x.as_ref(), "missing x", "x is not base64url")?;
    let key = Ed25519Key::from_bytes(&x)?;
    let material = [&[OKP_TAG][..], &x].concat();
    Ok((
        Algorithms::one(Algorithm::EdDsa),
        PublicKey::Ed25519(key),
        material,
    ))
}
