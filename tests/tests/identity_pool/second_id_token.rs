//! The access-token path: an access token with the same user's ID token from a second source
//! gets credentials, and the role chooser's custom role ARN.

use axum::http::HeaderName;
use cognito_axum::prelude::*;
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{IdentityAnswer, IdentityEndpoint};
use serde_json::json;

use crate::harness::{
    ALICE, BOB, HOUR, ID_TOKEN_HEADER, ID_TOKEN_REQUIRED, Runs, Server, TestResult, api, fake_pool,
};

#[tokio::test]
async fn access_token_with_the_same_users_id_token_gets_credentials() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let other_pool = LocalIssuer::builder()
        .pool_id("us-east-1_OtherPool")
        .client_id(issuer.client_id())
        .start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let verifier = Verifier::from(issuer.user_pool());
    let runs = Runs::default();
    let layer = IdentityPoolLayer::new(fake_pool(&fake)?.build()).id_token_from(
        TokenSource::header(HeaderName::from_static(ID_TOKEN_HEADER)),
        verifier.clone(),
    );
    let server = Server::start(api(CognitoAuth::new(verifier.clone()), layer, &runs)).await;

    let access = issuer.access_token().username(ALICE).sign();
    let id = issuer.id_token().username(ALICE).sign();
    let reply = server.get_with_id_token("/credentials", &access, &id).await;
    let identity = reply.identity_id();
    assert_eq!(fake.count("GetId"), 1);
    assert_eq!(fake.count("GetCredentialsForIdentity"), 1);
    for call in fake.calls() {
        let logins = call.body["Logins"].as_object().cloned().unwrap_or_default();
        assert_eq!(
            logins.values().collect::<Vec<_>>(),
            [&json!(id)],
            "the ID token is sent, never the access token: {call:?}"
        );
    }
    // The ID token as the bearer: the same user, the same cached credentials.
    assert_eq!(
        server.get("/credentials", Some(&id)).await.identity_id(),
        identity
    );

    let refused = [
        ("no ID token", None),
        (
            "another user's ID token",
            Some(issuer.id_token().username(BOB).sign()),
        ),
        (
            "an ID token with another sub",
            Some(issuer.id_token().username(ALICE).sub("someone-else").sign()),
        ),
        ("the access token again", Some(access.clone())),
        (
            "an ID token signed by another key",
            Some(issuer.id_token().username(ALICE).other_key().sign()),
        ),
        (
            "an expired ID token",
            Some(issuer.id_token().username(ALICE).expired().sign()),
        ),
        (
            "an ID token of another pool",
            Some(other_pool.id_token().username(ALICE).sign()),
        ),
        (
            "an ID token for another client",
            Some(
                issuer
                    .id_token()
                    .username(ALICE)
                    .client_id("other-client")
                    .sign(),
            ),
        ),
        ("garbage", Some("not-a-jwt".to_owned())),
    ];
    for (what, id_token) in &refused {
        let reply = match id_token {
            Some(id_token) => {
                server
                    .get_with_id_token("/credentials", &access, id_token)
                    .await
            }
            None => server.get("/credentials", Some(&access)).await,
        };
        assert_eq!(reply.status, 403, "{what}: {reply:?}");
        reply.assert_refused(ID_TOKEN_REQUIRED);
        // `Option<AwsCredentials>` does not hide the refusal either.
        let reply = match id_token {
            Some(id_token) => server.get_with_id_token("/maybe", &access, id_token).await,
            None => server.get("/maybe", Some(&access)).await,
        };
        reply.assert_refused(ID_TOKEN_REQUIRED);
    }
    // Routes that do not ask for credentials are not affected.
    assert_eq!(server.get("/plain", Some(&access)).await.status, 200);
    assert_eq!(fake.total(), 2, "refusals made no call: {:?}", fake.calls());
    assert_eq!(runs.count(), 3);

    // Without a second source configured, an access token gets the same 403.
    let plain_layer = Server::start(api(
        CognitoAuth::new(verifier.clone()),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()),
        &runs,
    ))
    .await;
    plain_layer
        .get_with_id_token("/credentials", &access, &id)
        .await
        .assert_refused(ID_TOKEN_REQUIRED);
    assert_eq!(fake.total(), 2);
    Ok(())
}

/// The role chooser's ARN goes out as `CustomRoleArn`, and credentials are cached per role.
#[tokio::test]
async fn the_role_chooser_sends_custom_role_arn_and_caches_per_role() -> TestResult {
    const ADMIN_ROLE: &str = "arn:aws:iam::111122223333:role/admins";
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let exchange = fake_pool(&fake)?
        .role(|claims| claims.in_group("admin").then(|| ADMIN_ROLE.to_owned()))
        .build();
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(issuer.user_pool()),
        IdentityPoolLayer::new(exchange),
        &runs,
    ))
    .await;
    let admin = issuer.id_token().username(ALICE).groups(["admin"]).sign();
    let member = issuer.id_token().username(ALICE).sign();

    let as_admin = server.get("/credentials", Some(&admin)).await.json();
    let as_member = server.get("/credentials", Some(&member)).await.json();
    assert_eq!(
        as_admin["identity_id"], as_member["identity_id"],
        "one identity"
    );
    assert_ne!(
        as_admin["access_key_id"], as_member["access_key_id"],
        "two roles, two credential sets"
    );
    let credential_calls: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|call| call.operation == "GetCredentialsForIdentity")
        .collect();
    assert_eq!(credential_calls.len(), 2, "{credential_calls:?}");
    assert_eq!(credential_calls[0].body["CustomRoleArn"], json!(ADMIN_ROLE));
    assert_eq!(credential_calls[1].body.get("CustomRoleArn"), None);
    assert_eq!(fake.count("GetId"), 1);

    for token in [&admin, &member] {
        assert_eq!(server.get("/credentials", Some(token)).await.status, 200);
    }
    assert_eq!(fake.total(), 3, "both cached: {:?}", fake.calls());
    Ok(())
}
