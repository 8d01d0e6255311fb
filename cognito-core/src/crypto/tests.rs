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
    assert!(RsaKey::from_components(&n, &[1, 0, 1], Algorithms::RSA).is_err());
}

#[test]
fn ec_coordinates_of_the_wrong_length_are_refused() {
    for curve in [Curve::P256, Curve::P384, Curve::P521] {
        let len = curve.coordinate_len();
        let short = vec![1u8; len - 1];
        let full = vec![1u8; len];
        assert!(EcKey::from_coordinates(curve, &short, &full).is_err());
        assert!(EcKey::from_coordinates(curve, &full, &[full.clone(), vec![0]].concat()).is_err());
    }
}

#[test]
fn ec_point_off_the_curve_is_refused() {
    // (1, 1) lies on none of the three curves.
    for curve in [Curve::P256, Curve::P384, Curve::P521] {
        let mut one = vec![0u8; curve.coordinate_len()];
        *one.last_mut().unwrap() = 1;
        assert_eq!(
            EcKey::from_coordinates(curve, &one, &one).err(),
            Some("not a point on the curve")
        );
    }
}

#[test]
fn ed25519_key_of_the_wrong_length_is_refused() {
    assert!(Ed25519Key::from_bytes(&[9u8; 31]).is_err());
    assert!(Ed25519Key::from_bytes(&[9u8; 33]).is_err());
}

#[test]
fn spki_der_of_another_shape_is_refused() {
    assert!(EcKey::p256_from_spki_der(&[]).is_err());
    assert!(EcKey::p256_from_spki_der(&ec::P256_SPKI_PREFIX).is_err());
    // A compressed point under the same prefix.
    let compressed = [&ec::P256_SPKI_PREFIX[..], &[0x02; 65]].concat();
    assert!(EcKey::p256_from_spki_der(&compressed).is_err());
}

/// R‖S → the DER `ECDSA-Sig-Value` (SEQUENCE of two INTEGERs) the same signature has in X.509.
#[cfg(feature = "test-util")]
fn der_signature(fixed: &[u8]) -> Vec<u8> {
    let integer = |bytes: &[u8]| {
        let bytes = strip_leading_zeros(bytes);
        let pad = bytes.first().is_some_and(|b| b & 0x80 != 0);
        let mut out = vec![0x02, (bytes.len() + usize::from(pad)) as u8];
        if pad {
            out.push(0);
        }
        out.extend_from_slice(bytes);
        out
    };
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let body = [integer(r), integer(s)].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    out
}

#[cfg(feature = "test-util")]
mod signed {
    use super::*;

    const MESSAGE: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0";

    #[test]
    fn es256_verifies_with_a_key_read_from_spki_der() {
        let signer = EcSigningKey::generate(Curve::P256).unwrap();
        let key = EcKey::p256_from_spki_der(&signer.p256_spki_der().unwrap()).unwrap();
        let signature = signer.sign(MESSAGE);
        assert_eq!(signature.len(), 64);
        assert!(key.verify(Algorithm::Es256, MESSAGE, &signature));
        assert!(!key.verify(Algorithm::Es256, b"another message", &signature));
        // Trailing bytes after the point are not the DER of a key.
        let long = [signer.p256_spki_der().unwrap(), vec![0]].concat();
        assert!(EcKey::p256_from_spki_der(&long).is_err());
    }

    #[test]
    fn spki_der_key_and_jwk_coordinates_make_the_same_key() {
        let signer = EcSigningKey::generate(Curve::P256).unwrap();
        let (x, y) = signer.coordinates();
        let from_jwk = EcKey::from_coordinates(Curve::P256, x, y).unwrap();
        let from_der = EcKey::p256_from_spki_der(&signer.p256_spki_der().unwrap()).unwrap();
        let signature = signer.sign(MESSAGE);
        assert!(from_jwk.verify(Algorithm::Es256, MESSAGE, &signature));
        assert!(from_der.verify(Algorithm::Es256, MESSAGE, &signature));
    }

    #[test]
    fn each_curve_verifies_its_own_algorithm_only() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let signer = EcSigningKey::generate(curve).unwrap();
            let (x, y) = signer.coordinates();
            let key = EcKey::from_coordinates(curve, x, y).unwrap();
            let signature = signer.sign(MESSAGE);
            assert_eq!(signature.len(), 2 * curve.coordinate_len(), "{curve:?}");
            for alg in Algorithm::ALL {
                assert_eq!(
                    key.verify(alg, MESSAGE, &signature),
                    alg == curve.algorithm(),
                    "{curve:?} {alg}"
                );
            }
        }
    }

    #[test]
    fn der_encoded_ecdsa_signature_is_refused() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let signer = EcSigningKey::generate(curve).unwrap();
            let (x, y) = signer.coordinates();
            let key = EcKey::from_coordinates(curve, x, y).unwrap();
            let fixed = signer.sign(MESSAGE);
            let der = der_signature(&fixed);
            assert!(key.verify(curve.algorithm(), MESSAGE, &fixed));
            assert!(!key.verify(curve.algorithm(), MESSAGE, &der), "{curve:?}");
        }
    }

    #[test]
    fn ecdsa_signature_shorter_or_longer_than_r_and_s_is_refused() {
        let signer = EcSigningKey::generate(Curve::P256).unwrap();
        let (x, y) = signer.coordinates();
        let key = EcKey::from_coordinates(Curve::P256, x, y).unwrap();
        let signature = signer.sign(MESSAGE);
        assert!(!key.verify(Algorithm::Es256, MESSAGE, &signature[..63]));
        assert!(!key.verify(Algorithm::Es256, MESSAGE, &[&signature[..], &[0]].concat()));
        assert!(!key.verify(Algorithm::Es256, MESSAGE, &[&[0], &signature[..]].concat()));
        assert!(!key.verify(Algorithm::Es256, MESSAGE, &[]));
    }

    #[test]
    fn ed25519_verifies_eddsa_only() {
        let signer = Ed25519SigningKey::generate().unwrap();
        let key = Ed25519Key::from_bytes(&signer.public_key()).unwrap();
        let signature = signer.sign(MESSAGE);
        for alg in Algorithm::ALL {
            assert_eq!(
                key.verify(alg, MESSAGE, &signature),
                alg == Algorithm::EdDsa,
                "{alg}"
            );
        }
        assert!(!key.verify(Algorithm::EdDsa, b"another message", &signature));
        assert!(!key.verify(Algorithm::EdDsa, MESSAGE, &signature[..63]));
    }
}
