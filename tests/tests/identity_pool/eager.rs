//! Eager mode: the exchange runs before the handler, and what it does with refusals, anonymous
//! requests, access tokens and guests.

use cognito_axum::prelude::*;
use cognito_core::identity_pool::CredentialExchange;
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{IdentityAnswer, IdentityEndpoint};
use serde_json::Value;

use crate::harness::{ALICE, BOB, HOUR, Runs, Server, TestResult, api, fake_pool};

#[tokio::test]
async fn eager_mode_answers_a_refused_exchange_before_the_handler_runs() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let token = issuer.id_token().username(ALICE).sign();
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    fake.answer(
        "GetId",
        IdentityAnswer::ServiceError(400, "NotAuthorizedException"),
    );
    let runs = Runs::default();
    let eager = Server::start(api(
        CognitoAuth::new(issuer.user_pool()),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()).eager(),
        &runs,
    ))
    .await;

    // Even a handler that never asks for credentials is not reached.
    eager
        .get("/plain", Some(&token))
        .await
        .assert_refused("the identity pool refused to issue credentials");
    eager
        .get("/credentials", Some(&token))
        .await
        .assert_refused("the identity pool refused to issue credentials");
    assert_eq!(runs.count(), 0);
    assert_eq!(fake.count("GetId"), 2);

    fake.answer(
        "GetId",
        IdentityAnswer::ServiceError(400, "TooManyRequestsException"),
    );
    eager.get("/plain", Some(&token)).await.assert_unavailable();
    assert_eq!(runs.count(), 0);

    // Once the exchange succeeds, the handler runs with credentials already fetched.
    fake.answer("GetId", IdentityAnswer::Credentials(HOUR));
    assert_eq!(eager.get("/plain", Some(&token)).await.status, 200);
    assert_eq!(runs.count(), 1);
    assert_eq!(
        fake.count("GetCredentialsForIdentity"),
        1,
        "fetched though the handler did not ask"
    );
    let reply = eager.get("/credentials", Some(&token)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(fake.count("GetCredentialsForIdentity"), 1, "and cached");

    // The lazy layer, by contrast, calls nothing for a handler that does not ask.
    let lazy_fake =
        IdentityEndpoint::start(IdentityAnswer::ServiceError(400, "NotAuthorizedException")).await;
    let lazy = Server::start(api(
        CognitoAuth::new(issuer.user_pool()),
        IdentityPoolLayer::new(fake_pool(&lazy_fake)?.build()),
        &runs,
    ))
    .await;
    assert_eq!(lazy.get("/plain", Some(&token)).await.status, 200);
    assert_eq!(lazy_fake.total(), 0);
    lazy.get("/credentials", Some(&token))
        .await
        .assert_refused("the identity pool refused");
    assert_eq!(lazy_fake.total(), 1);
    Ok(())
}

/// DESIGN §5: a request without a token under optional auth is not refused. With an eager
/// layer and no guest access there are no credentials to fetch, so the request goes through.
#[tokio::test]
async fn eager_mode_lets_anonymous_requests_through_under_optional_auth_without_guests()
-> TestResult {
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(issuer.user_pool()).optional(),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()).eager(),
        &runs,
    ))
    .await;
    let reply = server.get("/plain", None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = server.get("/maybe", None).await;
    assert_eq!(reply.json(), Value::Null);
    assert_eq!(fake.total(), 0);
    Ok(())
}

/// The exchange on its own, without a web framework: the handle's errors carry the kinds.
#[tokio::test]
async fn the_exchange_refuses_access_tokens_and_guests_when_not_allowed() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let exchange: CredentialExchange = fake_pool(&fake)?.build();
    let verifier = Verifier::from(issuer.user_pool());
    let access = verifier
        .verify(&issuer.access_token().username(ALICE).sign())
        .await?;
    let id = verifier
        .verify(&issuer.id_token().username(ALICE).sign())
        .await?;
    let bob = verifier
        .verify(&issuer.id_token().username(BOB).sign())
        .await?;

    let error = exchange.credentials(&access).await.unwrap_err();
    assert_eq!(error.kind(), &cognito_core::ErrorKind::IdTokenRequired);
    assert_eq!(error.status(), 403);
    let error = exchange
        .credentials_with_id_token(&access, &bob)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), &cognito_core::ErrorKind::IdTokenRequired);
    assert_eq!(
        exchange.guest_credentials().await.unwrap_err().status(),
        401
    );
    assert_eq!(fake.total(), 0);

    let credentials = exchange.credentials_with_id_token(&access, &id).await?;
    assert!(credentials.identity_id().starts_with("eu-west-1:"));
    let debug = format!("{credentials:?}");
    assert!(!debug.contains(credentials.secret_access_key()), "{debug}");
    assert!(!debug.contains(credentials.session_token()), "{debug}");
    assert_eq!(fake.total(), 2);
    Ok(())
}
