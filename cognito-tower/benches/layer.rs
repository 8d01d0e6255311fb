//! The per-request cost of `CognitoAuth`, in one run:
//!
//! - `bare`: the echo service alone;
//! - `layer_cache_hit`: behind `CognitoAuth`, the token already verified (the common case);
//! - `layer_uncached`: behind `CognitoAuth` with the cache off (a full verification each time).
//!
//! Each iteration builds the request (with its `Authorization` header) and polls the service's
//! future to completion without a runtime; the keys are loaded beforehand.
//!
//! `cargo bench -p cognito-tower --bench layer`

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use cognito_core::Verifier;
use cognito_core::test_util::LocalIssuer;
use cognito_tower::CognitoAuth;
use criterion::{Criterion, criterion_group, criterion_main};
use http::header::{AUTHORIZATION, HeaderValue};
use http::{Request, Response};
use tower::{Layer, Service, service_fn};

fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmark future waited on I/O"),
    }
}

fn request(authorization: &HeaderValue) -> Request<()> {
    let mut request = Request::new(());
    request
        .headers_mut()
        .insert(AUTHORIZATION, authorization.clone());
    request
}

fn call<S>(service: &mut S, authorization: &HeaderValue) -> u16
where
    S: Service<Request<()>, Error = Infallible>,
    S::Response: StatusOf,
{
    ready(poll_fn(|cx| service.poll_ready(cx))).unwrap();
    let response = ready(service.call(request(authorization))).unwrap();
    response.status_code()
}

trait StatusOf {
    fn status_code(&self) -> u16;
}

impl<B> StatusOf for Response<B> {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

fn bench(c: &mut Criterion) {
    let issuer = LocalIssuer::start().expect("local issuer");
    let token = issuer
        .id_token()
        .username("bench-user")
        .groups(["admin"])
        .lifetime(Duration::from_secs(24 * 3600))
        .sign();
    let authorization = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cached = Verifier::from(issuer.user_pool());
    let uncached = Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .unwrap();
    runtime.block_on(async {
        cached.hydrate().await.unwrap();
        uncached.hydrate().await.unwrap();
        cached.verify(&token).await.unwrap();
    });

    let echo = || service_fn(|_req: Request<()>| async { Ok::<_, Infallible>(Response::new(())) });
    let mut bare = echo();
    let mut hit = CognitoAuth::new(cached).layer(echo());
    let mut miss = CognitoAuth::new(uncached).layer(echo());
    assert_eq!(call(&mut bare, &authorization), 200);
    assert_eq!(call(&mut hit, &authorization), 200);

    let mut group = c.benchmark_group("layer");
    group.bench_function("bare", |b| {
        b.iter(|| call(&mut bare, black_box(&authorization)))
    });
    group.bench_function("layer_cache_hit", |b| {
        b.iter(|| call(&mut hit, black_box(&authorization)))
    });
    // The uncached path awaits the verification future, which completes without I/O once the
    // keys are loaded; it runs on the runtime so that any wake-up would be served.
    group.bench_function("layer_uncached", |b| {
        b.iter(|| {
            runtime.block_on(async {
                poll_fn(|cx| miss.poll_ready(cx)).await.unwrap();
                let response = miss.call(request(black_box(&authorization))).await.unwrap();
                response.status().as_u16()
            })
        })
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
