//! Verification cost of ES256 and EdDSA tokens from an OIDC issuer, each against its floor, all
//! in one run:
//!
//! - `a_raw_aws_lc_es256`: aws-lc ECDSA P-256 SHA-256 verify (R‖S) with a pre-parsed key;
//! - `b_verify_uncached_es256`: `Verifier::verify` of the same token with the cache off;
//! - `c_raw_aws_lc_eddsa`: aws-lc Ed25519 verify with a pre-parsed key;
//! - `d_verify_uncached_eddsa`: `Verifier::verify` of the same token with the cache off.
//!
//! `cargo bench -p cognito-core --features test-util --bench algorithms`

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use aws_lc_rs::signature::{self, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{Algorithm, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;

/// Polls a future that needs no I/O (keys are loaded) to completion, without a runtime, so the
/// figures hold only the verifier's own work.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmark future waited on I/O"),
    }
}

/// The published JWK under `kid`.
fn jwk(issuer: &LocalIssuer, kid: &str) -> Value {
    let doc: Value = serde_json::from_str(&issuer.jwks_json()).unwrap();
    let keys = doc["keys"].as_array().unwrap();
    keys.iter().find(|k| k["kid"] == kid).unwrap().clone()
}

fn decode(jwk: &Value, field: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(jwk[field].as_str().unwrap())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let issuer = LocalIssuer::builder()
        .algorithms([Algorithm::Es256, Algorithm::EdDsa])
        .start()
        .expect("local issuer");
    let token = |alg| {
        issuer
            .id_token()
            .username("bench-user")
            .groups(["admin", "staff"])
            .lifetime(Duration::from_secs(24 * 3600))
            .algorithm(alg)
            .sign()
    };
    let (es256, eddsa) = (token(Algorithm::Es256), token(Algorithm::EdDsa));

    // The floors: the same signatures over the same bytes, with pre-parsed aws-lc keys.
    let p256 = jwk(&issuer, &issuer.kid_for(Algorithm::Es256).unwrap());
    let point = [vec![4], decode(&p256, "x"), decode(&p256, "y")].concat();
    let p256 = ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).unwrap();
    let ed25519 = jwk(&issuer, &issuer.kid_for(Algorithm::EdDsa).unwrap());
    let ed25519 = ParsedPublicKey::new(&signature::ED25519, decode(&ed25519, "x")).unwrap();
    let split = |token: &str| {
        let (input, signature) = token.rsplit_once('.').unwrap();
        (input.to_owned(), URL_SAFE_NO_PAD.decode(signature).unwrap())
    };
    let (es256_input, es256_signature) = split(&es256);
    let (eddsa_input, eddsa_signature) = split(&eddsa);
    p256.verify_sig(es256_input.as_bytes(), &es256_signature)
        .unwrap();
    ed25519
        .verify_sig(eddsa_input.as_bytes(), &eddsa_signature)
        .unwrap();

    // Key sets are loaded before measuring (`hydrate` needs a runtime; the checks do not).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let uncached = Verifier::builder()
        .oidc(issuer.oidc_issuer())
        .no_cache()
        .build()
        .unwrap();
    runtime.block_on(async { uncached.hydrate().await.unwrap() });
    assert!(ready(uncached.verify(&es256)).is_ok());
    assert!(ready(uncached.verify(&eddsa)).is_ok());

    let mut group = c.benchmark_group("algorithms");
    group.bench_function("a_raw_aws_lc_es256", |b| {
        b.iter(|| {
            p256.verify_sig(
                black_box(es256_input.as_bytes()),
                black_box(&es256_signature),
            )
        })
    });
    group.bench_function("b_verify_uncached_es256", |b| {
        b.iter(|| ready(uncached.verify(black_box(&es256))).is_ok())
    });
    group.bench_function("c_raw_aws_lc_eddsa", |b| {
        b.iter(|| {
            ed25519.verify_sig(
                black_box(eddsa_input.as_bytes()),
                black_box(&eddsa_signature),
            )
        })
    });
    group.bench_function("d_verify_uncached_eddsa", |b| {
        b.iter(|| ready(uncached.verify(black_box(&eddsa))).is_ok())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
