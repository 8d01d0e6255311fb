//! Credentials cached per ID token and identity ids per user: what a new token, another group,
//! another app client or the other issuer form of one pool may and may not be served.

use axum::http::HeaderName;
use cognito_axum::prelude::*;
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{IdentityAnswer, IdentityEndpoint, decode_claims};
use serde_json::{Value, json};

use crate::harness::{
    ALICE, BOB, HOUR, ID_TOKEN_HEADER, ID_TOKEN_REQUIRED, Reply, Runs, Server, TestResult, api,
    fake_pool,
};

/// The `Logins` map Cognito receives for a token of `issuer`'s pool.
fn logins(issuer: &LocalIssuer, token: &str) -> Value {
    json!({ format!("cognito-idp.us-east-1.amazonaws.com/{}", issuer.pool_id()): token })
}

/// The `(GetId, GetCredentialsForIdentity)` calls an endpoint received.
fn exchange_counts(endpoint: &IdentityEndpoint) -> (usize, usize) {
    (
        endpoint.count("GetId"),
        endpoint.count("GetCredentialsForIdentity"),
    )
}

/// Asserts that every reply carries the same credentials, and returns them.
fn one_credential_set(replies: &[Reply]) -> Value {
    let first = replies[0].json();
    for reply in replies {
        assert_eq!(reply.json(), first, "one credential set");
    }
    first
}

/// Credentials are cached per ID token, identity ids per user: a hundred concurrent requests
/// with one token make one exchange, a second user one more, and a new token of the first user
/// one more `GetCredentialsForIdentity` under the cached identity id, without a `GetId`.
#[tokio::test]
async fn a_new_id_token_of_a_known_user_is_exchanged_once_under_the_cached_identity() -> TestResult
{
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(issuer.user_pool()),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()),
        &runs,
    ))
    .await;
    let first = issuer.id_token().username(ALICE).sign();
    let bob = issuer.id_token().username(BOB).sign();
    let second = issuer.id_token().username(ALICE).sign();
    assert_ne!(first, second, "a new sign-in, a new token");

    let replies = server
        .get_concurrently(100, "/credentials", Some(&first))
        .await;
    let with_first = one_credential_set(&replies);
    assert_eq!(exchange_counts(&fake), (1, 1), "{:?}", fake.calls());

    let replies = server
        .get_concurrently(100, "/credentials", Some(&bob))
        .await;
    let with_bob = one_credential_set(&replies);
    assert_ne!(with_bob["identity_id"], with_first["identity_id"]);
    assert_eq!(exchange_counts(&fake), (2, 2), "one more of each for bob");

    let replies = server
        .get_concurrently(100, "/credentials", Some(&second))
        .await;
    let with_second = one_credential_set(&replies);
    assert_eq!(
        with_second["identity_id"], with_first["identity_id"],
        "one identity per user"
    );
    assert_ne!(
        with_second["access_key_id"], with_first["access_key_id"],
        "the new token's own credentials, not the first token's"
    );
    assert_eq!(
        exchange_counts(&fake),
        (2, 3),
        "the new token is exchanged once, without a GetId: {:?}",
        fake.calls()
    );
    let last = fake.calls().pop().expect("a call");
    assert_eq!(last.operation, "GetCredentialsForIdentity");
    assert_eq!(last.body["IdentityId"], with_first["identity_id"]);
    assert_eq!(last.body["Logins"], logins(&issuer, &second));

    // Each token keeps its own cached credentials.
    for (token, credentials) in [
        (&first, &with_first),
        (&second, &with_second),
        (&bob, &with_bob),
    ] {
        let replies = server
            .get_concurrently(10, "/credentials", Some(token))
            .await;
        assert_eq!(&one_credential_set(&replies), credentials);
    }
    assert_eq!(exchange_counts(&fake), (2, 3), "{:?}", fake.calls());
    assert_eq!(runs.count(), 330);
    Ok(())
}

/// Without a role chooser, Cognito picks the role from the token in `Logins` (role mapping by
/// `cognito:groups`, `cognito:preferred_role`, rules on claims). A user removed from `admin`
/// who signs in again is not served the credentials cached for the admin token: the new token
/// goes to Cognito, which maps it afresh.
#[tokio::test]
async fn a_token_without_the_admin_group_is_not_served_the_admin_tokens_credentials() -> TestResult
{
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(issuer.user_pool()),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()),
        &runs,
    ))
    .await;
    let admin = issuer
        .id_token()
        .username(ALICE)
        .groups(["admin"])
        .claim(
            "cognito:preferred_role",
            "arn:aws:iam::111122223333:role/admins",
        )
        .sign();
    let demoted = issuer.id_token().username(ALICE).sign();
    assert_eq!(decode_claims(&demoted).get("cognito:groups"), None);

    let as_admin = server.get("/credentials", Some(&admin)).await.json();
    let replies = server
        .get_concurrently(20, "/credentials", Some(&demoted))
        .await;
    let as_demoted = one_credential_set(&replies);
    assert_eq!(as_demoted["identity_id"], as_admin["identity_id"]);
    assert_ne!(
        as_demoted["access_key_id"], as_admin["access_key_id"],
        "the admin token's credentials were served to the demoted token"
    );
    let credential_calls: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|call| call.operation == "GetCredentialsForIdentity")
        .collect();
    assert_eq!(credential_calls.len(), 2, "{credential_calls:?}");
    for (call, token) in credential_calls.iter().zip([&admin, &demoted]) {
        assert_eq!(call.body["Logins"], logins(&issuer, token), "{call:?}");
        assert_eq!(
            call.body.get("CustomRoleArn"),
            None,
            "the identity pool's role mapping decides: {call:?}"
        );
    }
    assert_eq!(fake.count("GetId"), 1);
    Ok(())
}

/// The user pool API accepts two app clients; the identity pool trusts only one of them and
/// refuses the other's tokens. A token of the untrusted client reaches Cognito (and is refused)
/// instead of being served the credentials cached for the same user's trusted token.
#[tokio::test]
async fn a_token_of_an_app_client_the_identity_pool_refuses_is_not_served_cached_credentials()
-> TestResult {
    const PARTNER_CLIENT: &str = "partnerclient";
    let issuer = LocalIssuer::start()?;
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(issuer.user_pool().client_id(PARTNER_CLIENT)?),
        IdentityPoolLayer::new(fake_pool(&fake)?.build()),
        &runs,
    ))
    .await;
    let trusted = issuer.id_token().username(ALICE).sign();
    let partner = issuer
        .id_token()
        .username(ALICE)
        .client_id(PARTNER_CLIENT)
        .sign();

    assert_eq!(server.get("/credentials", Some(&trusted)).await.status, 200);
    assert_eq!(exchange_counts(&fake), (1, 1));

    fake.answer(
        "GetCredentialsForIdentity",
        IdentityAnswer::ServiceError(400, "NotAuthorizedException"),
    );
    server
        .get("/credentials", Some(&partner))
        .await
        .assert_refused("the identity pool refused to issue credentials");
    assert_eq!(exchange_counts(&fake), (1, 2), "{:?}", fake.calls());
    let last = fake.calls().pop().expect("a call");
    assert_eq!(last.body["Logins"], logins(&issuer, &partner));
    assert_eq!(runs.count(), 1);
    Ok(())
}

/// With `accept_updated_issuer()`, one pool's tokens carry either `iss` form. An access token in
/// one form and the same user's ID token in the other are one user of one pool; an ID token of
/// another pool with the same `sub` is not.
#[tokio::test]
async fn access_and_id_tokens_in_the_two_issuer_forms_of_one_pool_are_one_user() -> TestResult {
    let issuer = LocalIssuer::start()?;
    let other_pool = LocalIssuer::builder()
        .pool_id("us-east-1_OtherPool")
        .client_id(issuer.client_id())
        .start()?;
    let updated = issuer
        .issuer()
        .replace("https://cognito-idp.", "https://issuer-cognito-idp.");
    assert_ne!(updated, issuer.issuer());
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    // Both pools verify: only the comparison of the two tokens can tell them apart.
    let verifier = Verifier::builder()
        .pool(issuer.user_pool().accept_updated_issuer())
        .pool(other_pool.user_pool())
        .build()?;
    let runs = Runs::default();
    let layer = IdentityPoolLayer::new(fake_pool(&fake)?.build()).id_token_from(
        TokenSource::header(HeaderName::from_static(ID_TOKEN_HEADER)),
        verifier.clone(),
    );
    let server = Server::start(api(CognitoAuth::new(verifier.clone()), layer, &runs)).await;

    let access = issuer.access_token().username(ALICE).sign();
    let access_updated = issuer
        .access_token()
        .username(ALICE)
        .claim("iss", updated.as_str())
        .sign();
    let id = issuer.id_token().username(ALICE).sign();
    let id_updated = issuer
        .id_token()
        .username(ALICE)
        .claim("iss", updated.as_str())
        .sign();
    assert_eq!(verifier.verify(&id_updated).await?.issuer(), updated);
    assert_eq!(verifier.verify(&access).await?.issuer(), issuer.issuer());

    let mut identities = Vec::new();
    for (bearer, id_token) in [
        (&access, &id_updated),
        (&access_updated, &id),
        (&access_updated, &id_updated),
    ] {
        let reply = server
            .get_with_id_token("/credentials", bearer, id_token)
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        identities.push(reply.identity_id());
    }
    assert!(
        identities.iter().all(|i| *i == identities[0]),
        "{identities:?}"
    );
    // Each ID token is exchanged once, under the pool's `Logins` provider whatever its form.
    let calls = fake.calls();
    assert_eq!(exchange_counts(&fake), (1, 2), "{calls:?}");
    assert_eq!(calls[0].body["Logins"], logins(&issuer, &id_updated));
    assert_eq!(calls[1].body["Logins"], logins(&issuer, &id_updated));
    assert_eq!(calls[2].body["Logins"], logins(&issuer, &id));

    // Another pool's ID token, same `sub`, verified by the same verifier: another user.
    let sub = verifier.verify(&access).await?.sub().to_owned();
    let foreign = other_pool.id_token().username(ALICE).sub(&sub).sign();
    assert_eq!(verifier.verify(&foreign).await?.sub(), sub);
    for bearer in [&access, &access_updated] {
        server
            .get_with_id_token("/credentials", bearer, &foreign)
            .await
            .assert_refused(ID_TOKEN_REQUIRED);
    }
    assert_eq!(exchange_counts(&fake), (1, 2));

    // The exchange on its own answers the same.
    let exchange = fake_pool(&fake)?.build();
    let access = verifier.verify(&access).await?;
    let access_updated = verifier.verify(&access_updated).await?;
    let id = verifier.verify(&id).await?;
    let id_updated = verifier.verify(&id_updated).await?;
    let foreign = verifier.verify(&foreign).await?;
    exchange
        .credentials_with_id_token(&access, &id_updated)
        .await?;
    exchange
        .credentials_with_id_token(&access_updated, &id)
        .await?;
    for access in [&access, &access_updated] {
        let error = exchange
            .credentials_with_id_token(access, &foreign)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), &cognito_core::ErrorKind::IdTokenRequired);
    }
    Ok(())
}
