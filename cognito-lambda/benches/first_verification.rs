//! The first event a fresh authorizer answers, keys embedded at build time: what a Lambda
//! cold start pays for verification (RSA signature, claims, rules, policy), with no fetch.

use cognito_core::test_util::LocalIssuer;
use cognito_core::{Jwks, Require, Verifier};
use cognito_lambda::{Authorizer, Rules};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::json;

fn first_verification(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let issuer = LocalIssuer::start().expect("local issuer");
    let jwks_json = issuer.jwks_json();
    let token = issuer.id_token().username("alice").groups(["admin"]).sign();
    let event = json!({
        "type": "TOKEN",
        "authorizationToken": format!("Bearer {token}"),
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/DELETE/orders/7",
    });
    // Init: what runs once per execution environment, outside the measurement.
    let init = || {
        let jwks = Jwks::from_json(&jwks_json).expect("a key set");
        let rules = Rules::new()
            .route("DELETE /orders/*", Require::group("admin"))
            .route("* /orders/*", Require::any_group(["admin", "staff"]))
            .allow("GET /me")
            .build()
            .expect("valid rules");
        let authorizer = Authorizer::new(Verifier::from(issuer.user_pool().jwks(jwks)), rules);
        (authorizer, event.clone())
    };
    c.bench_function("first TOKEN event after init, embedded keys", |b| {
        b.to_async(&runtime).iter_batched(
            init,
            |(authorizer, event)| async move { authorizer.handle(event).await.expect("a policy") },
            BatchSize::SmallInput,
        );
    });
    assert_eq!(issuer.jwks_requests(), 0, "the embedded keys made no fetch");
}

criterion_group!(benches, first_verification);
criterion_main!(benches);
