//! Against a fake identity endpoint and the test kit's `LocalIssuer`: refusals, throttling,
//! faults, stalls and garbage map to DESIGN §5, tokens that do not verify never reach the
//! exchange, and anonymous callers get no credentials without guest access.

use std::time::{Duration, Instant};

use axum::http::HeaderName;
use cognito_axum::prelude::*;
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{IdentityAnswer, IdentityEndpoint, decode_claims, edit_claims};
use serde_json::{Value, json};

use crate::harness::{
    ALICE, BOB, HOUR, ID_TOKEN_HEADER, Reply, Runs, Server, TestResult, api, fake_pool,
};

/// The exchange's answers to what the identity pool answers, on either call.
#[tokio::test]
async fn identity_pool_failures_map_to_403_503_and_500() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let token = issuer.id_token().username(ALICE).sign();
    use IdentityAnswer::{Raw, ServiceError, Stall};
    const ID: &str = "GetId";
    const CREDS: &str = "GetCredentialsForIdentity";
    let stall = Stall(Duration::from_secs(5));
    let cases = [
        (ID, ServiceError(400, "NotAuthorizedException"), 403),
        (CREDS, ServiceError(400, "NotAuthorizedException"), 403),
        (ID, ServiceError(400, "ResourceConflictException"), 403),
        (ID, ServiceError(400, "TooManyRequestsException"), 503),
        (CREDS, ServiceError(400, "TooManyRequestsException"), 503),
        (ID, ServiceError(500, "InternalErrorException"), 503),
        (CREDS, Raw(500, "<html>Internal Server Error</html>"), 503),
        (ID, Raw(500, ""), 503),
        (ID, Raw(502, "Bad Gateway"), 503),
        (ID, stall.clone(), 503),
        (CREDS, stall, 503),
        (ID, Raw(200, r#"{"IdentityId": "#), 503),
        (
            CREDS,
            Raw(200, r#"{"Credentials": {"AccessKeyId": [}"#),
            503,
        ),
        (ID, Raw(200, "{}"), 503),
        (CREDS, Raw(200, r#"{"IdentityId": "eu-west-1:x"}"#), 503),
        (
            CREDS,
            ServiceError(400, "InvalidIdentityPoolConfigurationException"),
            500,
        ),
        (ID, ServiceError(400, "ResourceNotFoundException"), 500),
        (ID, ServiceError(400, "InvalidParameterException"), 500),
    ];
    for (operation, answer, status) in cases {
        let case = format!("{answer:?} on {operation}");
        let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
        fake.answer(operation, answer.clone());
        let runs = Runs::default();
        let server = Server::start(api(
            CognitoAuth::new(issuer.user_pool()),
            IdentityPoolLayer::new(fake_pool(&fake)?.build()),
            &runs,
        ))
        .await;

        let started = Instant::now();
        let reply = server.get("/credentials", Some(&token)).await;
        match status {
            403 => reply.assert_refused("the identity pool refused to issue credentials"),
            503 => reply.assert_unavailable(),
            _ => {
                assert_eq!(reply.status, 500, "{case}: {reply:?}");
                assert_eq!(reply.challenge, None, "{case}: {reply:?}");
                assert_eq!(reply.retry_after, None, "{case}: {reply:?}");
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{case}: answered after {:?}, the call timeout is 500 ms",
            started.elapsed()
        );
        assert_eq!(
            runs.count(),
            0,
            "{case}: the handler never runs without credentials"
        );
        assert_eq!(
            fake.count(operation),
            1,
            "{case}: no retries: {:?}",
            fake.calls()
        );
        if operation == CREDS {
            assert_eq!(fake.count(ID), 1, "{case}");
        } else {
            assert_eq!(fake.count(CREDS), 0, "{case}");
        }

        // Failures are not cached: once the identity pool answers, so does the API. A refused
        // identity is looked up again; one that merely could not get credentials is not.
        fake.answer(operation, IdentityAnswer::Credentials(HOUR));
        let reply = server.get("/credentials", Some(&token)).await;
        assert_eq!(reply.status, 200, "{case}: {reply:?}");
        let get_ids = match (operation, status) {
            (CREDS, 403) => 2,
            (CREDS, _) => 1,
            _ => 2,
        };
        assert_eq!(fake.count(ID), get_ids, "{case}: {:?}", fake.calls());
    }
    Ok(())
}

/// Tokens that do not verify never reach the exchange, whatever the layer's mode.
#[tokio::test]
async fn no_exchange_for_unverified_expired_or_foreign_tokens() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let other_pool = LocalIssuer::builder()
        .pool_id("us-east-1_OtherPool")
        .client_id(issuer.client_id())
        .start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let verifier = Verifier::from(issuer.user_pool());
    let runs = Runs::default();
    let id_token_source = || TokenSource::header(HeaderName::from_static(ID_TOKEN_HEADER));
    let servers = [
        Server::start(api(
            CognitoAuth::new(verifier.clone()),
            IdentityPoolLayer::new(fake_pool(&fake)?.build()),
            &runs,
        ))
        .await,
        Server::start(api(
            CognitoAuth::new(verifier.clone()),
            IdentityPoolLayer::new(fake_pool(&fake)?.build()).eager(),
            &runs,
        ))
        .await,
        // Optional auth with guest access: a bad token must not be downgraded to a guest.
        Server::start(api(
            CognitoAuth::new(verifier.clone()).optional(),
            IdentityPoolLayer::new(fake_pool(&fake)?.guest_access().build())
                .id_token_from(id_token_source(), verifier.clone()),
            &runs,
        ))
        .await,
    ];

    let valid = issuer.id_token().username(ALICE).sign();
    let bad_tokens = [
        ("not a JWT", "not-a-jwt".to_owned()),
        (
            "signed by another key, unknown kid",
            issuer.id_token().username(ALICE).other_key().sign(),
        ),
        (
            "signed by another key, published kid",
            issuer
                .id_token()
                .username(ALICE)
                .other_key()
                .header("kid", issuer.active_kid())
                .sign(),
        ),
        (
            "claims edited after signing",
            edit_claims(&valid, |claims| {
                claims.insert("cognito:username".into(), json!(BOB));
            }),
        ),
        (
            "expired",
            issuer.id_token().username(ALICE).expired().sign(),
        ),
        (
            "not yet valid",
            issuer.id_token().username(ALICE).not_yet_valid().sign(),
        ),
        (
            "wrong issuer",
            issuer.id_token().username(ALICE).wrong_issuer().sign(),
        ),
        (
            "another user pool",
            other_pool.id_token().username(ALICE).sign(),
        ),
        (
            "another app client",
            issuer
                .id_token()
                .username(ALICE)
                .client_id("other-client")
                .sign(),
        ),
        (
            "alg none",
            issuer.id_token().username(ALICE).alg_none().sign(),
        ),
        (
            "HS256 with the public key",
            issuer
                .id_token()
                .username(ALICE)
                .hs256_with_public_key()
                .sign(),
        ),
    ];
    assert_eq!(
        decode_claims(&bad_tokens[3].1)["cognito:username"],
        json!(BOB)
    );
    // Refused as an invalid token; a token naming an unknown kid may instead be told to retry,
    // since the store fetched its keys a moment ago (a new key may have been published since).
    let assert_refused = |what: &str, reply: &Reply| {
        if what == "signed by another key, unknown kid" && reply.status == 503 {
            assert!(reply.retry_after.is_some(), "{what}: {reply:?}");
        } else {
            assert_eq!(reply.status, 401, "{what}: {reply:?}");
            reply.assert_invalid_token();
        }
    };
    for (what, token) in &bad_tokens {
        for server in &servers {
            for path in ["/credentials", "/maybe", "/plain"] {
                assert_refused(what, &server.get(path, Some(token)).await);
            }
        }
        // A bad second-source ID token with a bad bearer changes nothing.
        let reply = servers[2]
            .get_with_id_token("/credentials", token, &valid)
            .await;
        assert_refused(what, &reply);
    }
    // Anonymous requests where authentication is required: 401.
    for server in &servers[..2] {
        assert_eq!(server.get("/credentials", None).await.status, 401);
    }
    assert_eq!(
        fake.total(),
        0,
        "the exchange was called: {:?}",
        fake.calls()
    );
    assert_eq!(runs.count(), 0);

    // The endpoint was reachable all along.
    let reply = servers[0].get("/credentials", Some(&valid)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(fake.count("GetId"), 1);
    assert_eq!(
        fake.calls()[0].body["Logins"],
        json!({ format!("cognito-idp.us-east-1.amazonaws.com/{}", issuer.pool_id()): valid })
    );
    Ok(())
}

/// Without guest access, `Option<AwsCredentials>` is `None` for an anonymous caller under
/// `CognitoAuth::optional()`, and nothing is exchanged.
#[tokio::test]
async fn anonymous_callers_without_guest_access_get_no_credentials() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(issuer.user_pool()).optional(),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()),
        &runs,
    ))
    .await;
    let reply = server.get("/maybe", None).await;
    assert_eq!(reply.json(), Value::Null);
    let reply = server.get("/credentials", None).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.challenge.as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(server.get("/plain", None).await.status, 200);
    assert_eq!(fake.total(), 0);
    Ok(())
}
