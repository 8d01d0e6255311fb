//! Against moto server, user pool *and* identity pool: credentials that sign AWS SDK calls, one
//! exchange per user however many requests, fetching again after the refresh margin, and guest
//! identities. Caching is counted at the server, by an `IdentityEndpoint` proxy between the
//! exchange and moto.

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, DisplayErrorContext};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_core::ManualClock;
use cognito_integration_tests::{
    Emulator, EmulatorIdentityPool, EmulatorPool, IdentityAnswer, IdentityEndpoint, PoolOptions,
    emulator_url,
};
use serde_json::{Value, json};

use crate::harness::{
    ALICE, BOB, PASSWORD, Runs, Server, TestResult, api, describe, epoch_seconds,
};

// ---- moto -------------------------------------------------------------------------------------

/// A moto user pool with `alice` and `bob`, an identity pool trusting it, and the verifier a
/// user configures for it (the issuer from the pool id, the keys from moto).
struct Moto {
    url: String,
    pool: EmulatorPool,
    identity_pool: EmulatorIdentityPool,
    verifier: Verifier,
}

impl Moto {
    async fn setup(url: &str, allow_guests: bool) -> Result<Moto, Box<dyn Error>> {
        let pool = EmulatorPool::create(Emulator::Moto, url, PoolOptions::default()).await;
        pool.create_user(ALICE, PASSWORD, &[]).await;
        pool.create_user(BOB, PASSWORD, &[]).await;
        let identity_pool = pool.create_identity_pool(allow_guests).await;
        let verifier = Verifier::from(
            UserPool::new(&pool.pool_id)?
                .client_id(&pool.client_id)?
                .any_token_use()
                .jwks_url(&pool.jwks_url)?,
        );
        Ok(Moto {
            url: url.to_owned(),
            pool,
            identity_pool,
            verifier,
        })
    }

    async fn id_token(&self, username: &str) -> String {
        self.pool
            .sign_in(&self.pool.client_id, username, PASSWORD)
            .await
            .id_token
    }

    /// The identity pool's settings, calling `endpoint` (moto itself or a proxy in front).
    fn identity_pool(&self, endpoint: &str) -> Result<IdentityPool, Box<dyn Error>> {
        Ok(IdentityPool::new(&self.identity_pool.pool_id)?.endpoint(endpoint)?)
    }

    /// The identity ids moto has handed out for the identity pool (`ListIdentities`).
    async fn identities(&self) -> Vec<String> {
        let answer = self
            .identity_pool
            .call(
                "ListIdentities",
                json!({"IdentityPoolId": self.identity_pool.pool_id, "MaxResults": 60}),
            )
            .await;
        answer["Identities"]
            .as_array()
            .map(|identities| {
                identities
                    .iter()
                    .filter_map(|i| i["IdentityId"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What the S3 handler needs: moto's URL, a bucket, and a record of how the SDK signed.
#[derive(Clone)]
struct S3Call {
    endpoint: String,
    bucket: String,
    signed: Arc<Mutex<Vec<Signature>>>,
}

/// The credentials one signed S3 request carried.
#[derive(Debug, Clone)]
struct Signature {
    authorization: String,
    security_token: Option<String>,
}

/// Records the `Authorization` and `X-Amz-Security-Token` headers of each request the SDK sends.
#[derive(Debug)]
struct RecordSignatures(Arc<Mutex<Vec<Signature>>>);

impl Intercept for RecordSignatures {
    fn name(&self) -> &'static str {
        "RecordSignatures"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request().headers();
        let signature = Signature {
            authorization: headers.get("authorization").unwrap_or_default().to_owned(),
            security_token: headers.get("x-amz-security-token").map(str::to_owned),
        };
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(signature);
        Ok(())
    }
}

/// A handler acting as the caller in S3: creates a bucket, writes an object under the caller's
/// identity id, lists it back.
async fn s3_as_caller(
    State(s3): State<S3Call>,
    credentials: AwsCredentials,
) -> Result<Json<Value>, (StatusCode, String)> {
    let described = describe(&credentials);
    let session_token = credentials.session_token().to_owned();
    let prefix = format!("{}/", credentials.identity_id());
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&s3.endpoint)
        .force_path_style(true)
        .credentials_provider(credentials.into_inner())
        .interceptor(RecordSignatures(Arc::clone(&s3.signed)))
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let failed = |op: &str, e: &dyn Error| {
        (
            StatusCode::BAD_GATEWAY,
            format!("S3 {op}: {}", DisplayErrorContext(e)),
        )
    };
    client
        .create_bucket()
        .bucket(&s3.bucket)
        .send()
        .await
        .map_err(|e| failed("CreateBucket", &e))?;
    client
        .put_object()
        .bucket(&s3.bucket)
        .key(format!("{prefix}hello.txt"))
        .body(b"hello from the identity pool".to_vec().into())
        .send()
        .await
        .map_err(|e| failed("PutObject", &e))?;
    let listed = client
        .list_objects_v2()
        .bucket(&s3.bucket)
        .prefix(&prefix)
        .send()
        .await
        .map_err(|e| failed("ListObjectsV2", &e))?;
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    Ok(Json(json!({
        "credentials": described,
        "keys": keys,
        "session_token": session_token,
    })))
}

#[tokio::test]
async fn moto_user_gets_identity_pool_credentials_that_sign_aws_sdk_calls() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let moto = Moto::setup(&url, false).await?;
    let token = moto.id_token(ALICE).await;
    let exchange = moto.identity_pool(&moto.url)?.build();
    let s3 = S3Call {
        endpoint: moto.url.clone(),
        bucket: format!("identity-pool-test-{}", std::process::id()),
        signed: Arc::default(),
    };
    let router = Router::new()
        .route("/s3", get(s3_as_caller))
        .with_state(s3.clone())
        .layer(IdentityPoolLayer::new(exchange))
        .layer(CognitoAuth::new(moto.verifier.clone()));
    let server = Server::start(router).await;

    let reply = server.get("/s3", None).await;
    assert_eq!(reply.status, 401, "no token, no credentials: {reply:?}");
    // moto signs every pool's tokens with one key: only the issuer check stops another pool's.
    let other_pool = EmulatorPool::create(Emulator::Moto, &url, PoolOptions::default()).await;
    other_pool.create_user(ALICE, PASSWORD, &[]).await;
    let foreign = other_pool
        .sign_in(&other_pool.client_id, ALICE, PASSWORD)
        .await
        .id_token;
    server
        .get("/s3", Some(&foreign))
        .await
        .assert_invalid_token();
    assert!(
        moto.identities().await.is_empty(),
        "no GetId for a foreign token"
    );

    let before = SystemTime::now();
    let reply = server.get("/s3", Some(&token)).await;
    let answer = reply.json();
    let credentials = &answer["credentials"];
    let identity_id = credentials["identity_id"].as_str().unwrap_or_default();
    let region = moto.identity_pool.region();
    assert!(
        identity_id.starts_with(&format!("{region}:")) && identity_id.len() == region.len() + 37,
        "an identity id of the pool's region: {answer}"
    );
    assert_eq!(
        moto.identities().await,
        [identity_id],
        "the identity came from moto's identity pool"
    );
    let expires_in = credentials["expiration"].as_f64().unwrap_or_default() - epoch_seconds(before);
    assert!(
        (80.0..=95.0).contains(&expires_in),
        "moto's credentials last 90 s: {expires_in} s in {answer}"
    );
    assert_eq!(
        answer["keys"],
        json!([format!("{identity_id}/hello.txt")]),
        "the SDK calls succeeded: {answer}"
    );

    // Every S3 call was signed with these credentials, session token included.
    let access_key_id = credentials["access_key_id"].as_str().unwrap_or_default();
    let signed = s3.signed.lock().expect("the signatures").clone();
    assert!(signed.len() >= 3, "{signed:?}");
    for signature in &signed {
        assert!(
            signature
                .authorization
                .starts_with(&format!("AWS4-HMAC-SHA256 Credential={access_key_id}/")),
            "{signature:?}"
        );
        assert_eq!(
            signature.security_token.as_deref(),
            answer["session_token"].as_str(),
            "{signature:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn moto_one_exchange_per_user_for_a_hundred_concurrent_requests() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let moto = Moto::setup(&url, false).await?;
    let proxy = IdentityEndpoint::start(IdentityAnswer::Forward(moto.url.clone())).await;
    // The default refresh margin (5 minutes) is longer than moto's 90-second credentials: the
    // margin is capped, so the credentials are still reused.
    let exchange = moto.identity_pool(&proxy.url)?.build();
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(moto.verifier.clone()),
        IdentityPoolLayer::new(exchange),
        &runs,
    ))
    .await;
    let alice = moto.id_token(ALICE).await;
    let bob = moto.id_token(BOB).await;

    let replies = server
        .get_concurrently(100, "/credentials", Some(&alice))
        .await;
    let alice_identity = replies[0].identity_id();
    for reply in &replies {
        assert_eq!(
            reply.json(),
            replies[0].json(),
            "one identity, one credential set"
        );
    }
    assert_eq!(proxy.count("GetId"), 1, "{:?}", proxy.calls());
    assert_eq!(proxy.count("GetCredentialsForIdentity"), 1);
    let calls = proxy.calls();
    for call in &calls {
        assert_eq!(
            call.body["Logins"],
            json!({ moto.pool.login_provider(): alice }),
            "the verified ID token under the user pool's provider name"
        );
    }
    assert_eq!(
        calls[0].body["IdentityPoolId"],
        json!(moto.identity_pool.pool_id)
    );
    assert_eq!(calls[1].body["IdentityId"], json!(alice_identity));

    let replies = server
        .get_concurrently(100, "/credentials", Some(&bob))
        .await;
    let bob_identity = replies[0].identity_id();
    assert_ne!(bob_identity, alice_identity);
    for reply in &replies {
        assert_eq!(reply.identity_id(), bob_identity);
    }
    assert_eq!(proxy.count("GetId"), 2, "one more for the second user");
    assert_eq!(proxy.count("GetCredentialsForIdentity"), 2);

    // Later requests are served from the caches. A new sign-in of the same user keeps the
    // identity id but is exchanged once more: Cognito chooses the role from the new token.
    let again = moto.id_token(ALICE).await;
    assert_ne!(again, alice);
    for token in [&alice, &again, &bob] {
        let replies = server
            .get_concurrently(10, "/credentials", Some(token))
            .await;
        for reply in &replies {
            assert_eq!(reply.status, 200, "{reply:?}");
        }
    }
    assert_eq!(
        server.get("/credentials", Some(&again)).await.identity_id(),
        alice_identity
    );
    assert_eq!(proxy.count("GetId"), 2, "{:?}", proxy.calls());
    assert_eq!(proxy.count("GetCredentialsForIdentity"), 3);
    let last = proxy.calls().pop().expect("a call");
    assert_eq!(last.body["IdentityId"], json!(alice_identity));
    assert_eq!(
        last.body["Logins"],
        json!({ moto.pool.login_provider(): again })
    );
    assert_eq!(runs.count(), 231);
    let mut identities = moto.identities().await;
    identities.sort();
    let mut expected = vec![alice_identity, bob_identity];
    expected.sort();
    assert_eq!(identities, expected);
    Ok(())
}

#[tokio::test]
async fn moto_credentials_are_fetched_again_after_the_refresh_margin() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let moto = Moto::setup(&url, false).await?;
    let proxy = IdentityEndpoint::start(IdentityAnswer::Forward(moto.url.clone())).await;
    let alice = moto.id_token(ALICE).await;
    // The cache computes each entry's life from this clock when the entry is made: standing 86 s
    // ahead, it sees moto's 90-second credentials with about 4 s left, of which the last
    // `margin` are not used.
    let margin = Duration::from_secs(1);
    let clock = ManualClock::new(SystemTime::now() + Duration::from_secs(86));
    let exchange = moto
        .identity_pool(&proxy.url)?
        .refresh_margin(margin)
        .clock(clock.clone())
        .build();
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(moto.verifier.clone()),
        IdentityPoolLayer::new(exchange),
        &runs,
    ))
    .await;

    let start = Instant::now();
    let first = server.get("/credentials", Some(&alice)).await.json();
    let fetched_by = Instant::now();
    let expiration =
        UNIX_EPOCH + Duration::from_secs_f64(first["expiration"].as_f64().unwrap_or_default());
    let left = expiration.duration_since(clock.now())?;
    // The entry's life, as `BeforeExpiry` computes it (the margin is at most a quarter of it).
    let life = left - margin.min(left / 4);
    assert!(
        life > Duration::from_secs(2) && life < Duration::from_secs(5),
        "{life:?}: the test's timing assumes a few seconds"
    );
    assert_eq!(
        (
            proxy.count("GetId"),
            proxy.count("GetCredentialsForIdentity")
        ),
        (1, 1)
    );

    // Before the margin: served from the cache.
    tokio::time::sleep((start + life).saturating_duration_since(Instant::now()) / 2).await;
    let cached = server.get("/credentials", Some(&alice)).await.json();
    assert_eq!(cached, first);
    if Instant::now() < start + life {
        assert_eq!(
            proxy.count("GetCredentialsForIdentity"),
            1,
            "{:?}",
            proxy.calls()
        );
    }

    // Past the margin (still before expiry by the clock): fetched again, for the same identity.
    tokio::time::sleep(
        (fetched_by + life + Duration::from_millis(300)).saturating_duration_since(Instant::now()),
    )
    .await;
    let refreshed = server.get("/credentials", Some(&alice)).await.json();
    assert_eq!(
        proxy.count("GetCredentialsForIdentity"),
        2,
        "{:?}",
        proxy.calls()
    );
    assert_eq!(proxy.count("GetId"), 1, "the identity id stays cached");
    assert_eq!(refreshed["identity_id"], first["identity_id"]);
    assert!(
        refreshed["expiration"].as_f64() > first["expiration"].as_f64(),
        "new credentials: {first} then {refreshed}"
    );
    let again = server.get("/credentials", Some(&alice)).await.json();
    assert_eq!(again, refreshed);
    assert_eq!(proxy.count("GetCredentialsForIdentity"), 2);
    Ok(())
}

#[tokio::test]
async fn moto_guest_requests_share_one_unauthenticated_identity() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let moto = Moto::setup(&url, true).await?;
    let proxy = IdentityEndpoint::start(IdentityAnswer::Forward(moto.url.clone())).await;
    let exchange = moto.identity_pool(&proxy.url)?.guest_access().build();
    let runs = Runs::default();
    let server = Server::start(api(
        CognitoAuth::new(moto.verifier.clone()).optional(),
        IdentityPoolLayer::new(exchange),
        &runs,
    ))
    .await;

    let mut replies = server.get_concurrently(60, "/credentials", None).await;
    replies.extend(server.get_concurrently(40, "/maybe", None).await);
    let guest = replies[0].identity_id();
    for reply in &replies {
        assert_eq!(reply.json(), replies[0].json(), "one shared guest identity");
    }
    assert_eq!(proxy.count("GetId"), 1, "{:?}", proxy.calls());
    assert_eq!(proxy.count("GetCredentialsForIdentity"), 1);
    for call in proxy.calls() {
        assert!(
            !call.has_logins(),
            "a guest identity's calls carry no Logins: {call:?}"
        );
    }

    // A signed-in user gets an identity of their own, with Logins.
    let alice = moto.id_token(ALICE).await;
    let alice_identity = server.get("/credentials", Some(&alice)).await.identity_id();
    assert_ne!(alice_identity, guest);
    assert_eq!(proxy.count("GetId"), 2);
    assert!(proxy.calls()[2].has_logins());
    let again = server.get_concurrently(20, "/maybe", None).await;
    assert!(again.iter().all(|reply| reply.identity_id() == guest));
    assert_eq!(proxy.count("GetId"), 2);
    assert_eq!(proxy.count("GetCredentialsForIdentity"), 2);
    Ok(())
}
