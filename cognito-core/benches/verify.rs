//! Verification cost, all on the same token, in one run:
//!
//! - `a_raw_aws_lc_rs256`: aws-lc RSA-2048 PKCS#1 SHA-256 verify with a pre-parsed key — the floor;
//! - `b_verify_uncached`: `Verifier::verify` with the cache off (parse, key lookup, signature,
//!   claim checks, claims);
//! - `c_verify_cache_hit`: `Verifier::verify` answered from the cache;
//! - `d_require_check`: a group-and-scope requirement on verified claims.
//!
//! `cargo bench -p cognito-core --features test-util --bench verify`

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{Require, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};

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

fn bench(c: &mut Criterion) {
    let issuer = LocalIssuer::start().expect("local issuer");
    let token = issuer
        .access_token()
        .username("bench-user")
        .groups(["admin", "staff"])
        .scopes(["reports/read", "reports/export"])
        .lifetime(Duration::from_secs(24 * 3600))
        .sign();

    // (a) the floor: the same signature over the same bytes, with a pre-parsed aws-lc key.
    let jwks: serde_json::Value = serde_json::from_str(&issuer.jwks_json()).unwrap();
    let decode = |field: &str| URL_SAFE_NO_PAD.decode(jwks["keys"][0][field].as_str().unwrap());
    let (n, e) = (decode("n").unwrap(), decode("e").unwrap());
    let key = RsaPublicKeyComponents { n: &n, e: &e }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .unwrap();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    key.verify_sig(signing_input.as_bytes(), &signature)
        .unwrap();

    // Key sets are loaded before measuring (`hydrate` needs a runtime; the checks do not).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let uncached = Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .unwrap();
    let cached = Verifier::from(issuer.user_pool());
    runtime.block_on(async {
        uncached.hydrate().await.unwrap();
        cached.hydrate().await.unwrap();
    });
    let claims = ready(cached.verify(&token)).unwrap();
    assert!(ready(uncached.verify(&token)).is_ok());
    let rule = Require::group("admin").and(Require::any_scope(["reports/read", "reports/write"]));
    assert!(rule.check(&claims).is_ok());

    let mut group = c.benchmark_group("verify");
    group.bench_function("a_raw_aws_lc_rs256", |b| {
        b.iter(|| key.verify_sig(black_box(signing_input.as_bytes()), black_box(&signature)))
    });
    group.bench_function("b_verify_uncached", |b| {
        b.iter(|| ready(uncached.verify(black_box(&token))).is_ok())
    });
    group.bench_function("c_verify_cache_hit", |b| {
        b.iter(|| ready(cached.verify(black_box(&token))).is_ok())
    });
    group.bench_function("d_require_check", |b| {
        b.iter(|| rule.check(black_box(&claims)).is_ok())
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
