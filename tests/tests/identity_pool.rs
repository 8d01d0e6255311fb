//! Identity-pool credentials end to end: an axum API served over real HTTP on 127.0.0.1, with
//! `CognitoAuth` outside `IdentityPoolLayer`, handlers taking `AwsCredentials`.
//!
//! - Against moto server (user pool *and* identity pool): a user signed in through moto gets
//!   credentials from moto's identity pool, and an AWS SDK (S3) client built from them signs
//!   calls that moto serves. Caching is counted at the server, by an [`IdentityEndpoint`] proxy
//!   between the exchange and moto.
//! - Against a fake identity endpoint ([`IdentityEndpoint`] answering per scenario) and the
//!   test kit's `LocalIssuer`: refusals, throttling, faults, stalls and garbage map to DESIGN §5,
//!   tokens that do not verify never reach the exchange, the access-token + ID-token path, and
//!   eager mode.
//! - The `identity-pool-example` router against moto.
//!
//! The moto tests skip (return early) when `COGNITO_TEST_MOTO_URL` is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets it.

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, DisplayErrorContext};
use axum::extract::State;
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_core::ManualClock;
use cognito_core::identity_pool::CredentialExchange;
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{
    AxumServer, Emulator, EmulatorIdentityPool, EmulatorPool, IdentityAnswer, IdentityEndpoint,
    PoolOptions, decode_claims, edit_claims, emulator_url, http_client,
};
use serde_json::{Value, json};
use tokio::task::JoinSet;

type TestResult = Result<(), Box<dyn Error>>;

const ALICE: &str = "alice";
const BOB: &str = "bob";
const PASSWORD: &str = "correct horse";
/// The header the access-token path reads the ID token from.
const ID_TOKEN_HEADER: &str = "x-id-token";
/// How long the fake endpoint's credentials live.
const HOUR: Duration = Duration::from_secs(3600);
/// The 403 body when credentials are asked for with an access token and no ID token of the
/// same user.
const ID_TOKEN_REQUIRED: &str = "AWS credentials need an ID token of the signed-in user";

// ---- the app ----------------------------------------------------------------------------------

/// How many times a handler body ran (its extractors all succeeded).
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

impl Runs {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn ran(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn describe(credentials: &AwsCredentials) -> Value {
    json!({
        "identity_id": credentials.identity_id(),
        "access_key_id": credentials.access_key_id(),
        "expiration": epoch_seconds(credentials.expiration()),
    })
}

fn epoch_seconds(at: SystemTime) -> f64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Asks for the caller's credentials.
async fn credentials(State(runs): State<Runs>, credentials: AwsCredentials) -> Json<Value> {
    runs.ran();
    Json(describe(&credentials))
}

/// Asks for them optionally: `null` for an anonymous caller without guest access.
async fn maybe_credentials(
    State(runs): State<Runs>,
    credentials: Option<AwsCredentials>,
) -> Json<Value> {
    runs.ran();
    Json(credentials.as_ref().map_or(Value::Null, describe))
}

/// Does not ask for credentials.
async fn plain(State(runs): State<Runs>) -> &'static str {
    runs.ran();
    "no credentials needed"
}

/// `/credentials`, `/maybe` and `/plain` behind `identity` inside `auth`.
fn api(auth: CognitoAuth, identity: IdentityPoolLayer, runs: &Runs) -> Router {
    Router::new()
        .route("/credentials", get(credentials))
        .route("/maybe", get(maybe_credentials))
        .route("/plain", get(plain))
        .with_state(runs.clone())
        // axum runs the last layer first: CognitoAuth must be the outer one.
        .layer(identity)
        .layer(auth)
}

/// An app served on 127.0.0.1 on a free port until dropped; derefs to its [`Client`].
struct Server {
    client: Client,
    _server: AxumServer,
}

impl Server {
    async fn start(router: Router) -> Server {
        let server = AxumServer::start(router).await;
        let http = http_client();
        Server {
            client: Client {
                base: server.base().to_owned(),
                http,
            },
            _server: server,
        }
    }
}

impl std::ops::Deref for Server {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Calls a [`Server`].
#[derive(Clone)]
struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    async fn get(&self, path: &str, bearer: Option<&str>) -> Reply {
        self.send(reqwest::Method::GET, path, bearer, None, None)
            .await
    }

    /// GET with the bearer token and the second-source ID token header.
    async fn get_with_id_token(&self, path: &str, bearer: &str, id_token: &str) -> Reply {
        self.send(
            reqwest::Method::GET,
            path,
            Some(bearer),
            Some(id_token),
            None,
        )
        .await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        id_token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(token) = id_token {
            request = request.header(ID_TOKEN_HEADER, token);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().expect("an ASCII header").to_owned())
        };
        let challenge = header(reqwest::header::WWW_AUTHENTICATE);
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{path}: reading the body: {e}"));
        Reply {
            path: path.to_owned(),
            status,
            challenge,
            retry_after,
            body,
        }
    }

    /// `n` concurrent GETs of `path` with `bearer`.
    async fn get_concurrently(&self, n: usize, path: &str, bearer: Option<&str>) -> Vec<Reply> {
        let mut requests = JoinSet::new();
        for _ in 0..n {
            let client = self.clone();
            let path = path.to_owned();
            let bearer = bearer.map(str::to_owned);
            requests.spawn(async move { client.get(&path, bearer.as_deref()).await });
        }
        let mut replies = Vec::with_capacity(n);
        while let Some(reply) = requests.join_next().await {
            replies.push(reply.expect("a request task"));
        }
        replies
    }
}

/// What the app answered.
#[derive(Debug)]
struct Reply {
    path: String,
    status: u16,
    challenge: Option<String>,
    retry_after: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        assert_eq!(self.status, 200, "{self:?}");
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{} answered no JSON ({e}): {self:?}", self.path))
    }

    fn identity_id(&self) -> String {
        self.json()["identity_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no identity_id: {self:?}"))
            .to_owned()
    }

    /// 401 `invalid_token`: the token did not verify.
    fn assert_invalid_token(&self) {
        assert_eq!(self.status, 401, "{self:?}");
        let challenge = self.challenge.as_deref().unwrap_or_default();
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "a bad token gets an invalid_token challenge: {self:?}"
        );
    }

    /// 403 without a challenge (DESIGN §5: the identity pool refused, or no ID token).
    fn assert_refused(&self, body: &str) {
        assert_eq!(self.status, 403, "{self:?}");
        assert_eq!(self.challenge, None, "{self:?}");
        assert_eq!(self.retry_after, None, "{self:?}");
        assert!(self.body.contains(body), "{self:?}");
    }

    /// 503 with `Retry-After` and without a challenge.
    fn assert_unavailable(&self) {
        assert_eq!(self.status, 503, "{self:?}");
        assert_eq!(self.challenge, None, "{self:?}");
        assert_eq!(self.retry_after.as_deref(), Some("10"), "{self:?}");
        assert!(
            self.body.contains("the identity pool is unavailable"),
            "{self:?}"
        );
    }
}

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

// ---- a fake identity endpoint -----------------------------------------------------------------

/// The identity pool id the fake endpoint is configured under.
const FAKE_POOL: &str = "eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678";

fn fake_pool(endpoint: &IdentityEndpoint) -> Result<IdentityPool, Box<dyn Error>> {
    Ok(IdentityPool::new(FAKE_POOL)?
        .endpoint(&endpoint.url)?
        .timeouts(Duration::from_millis(200), Duration::from_millis(500)))
}

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

// ---- the access token + second-source ID token path --------------------------------------------

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

// ---- credentials per ID token -----------------------------------------------------------------

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

// ---- eager mode -------------------------------------------------------------------------------

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

// ---- the example ------------------------------------------------------------------------------

#[tokio::test]
async fn moto_example_api_keeps_each_users_notes_under_their_identity() -> TestResult {
    use identity_pool_example::setup::{PASSWORD as EXAMPLE_PASSWORD, seed_moto};

    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let seeded = seed_moto(&url).await?;
    let server = Server::start(identity_pool_example::app(&seeded.settings)?).await;
    let alice = seeded.id_token(ALICE, EXAMPLE_PASSWORD).await?;
    let bob = seeded.id_token(BOB, EXAMPLE_PASSWORD).await?;
    let put = |path: &'static str, token: String, body: &'static str| {
        let server = &server;
        async move {
            server
                .send(reqwest::Method::PUT, path, Some(&token), None, Some(body))
                .await
        }
    };

    assert_eq!(server.get("/notes", None).await.status, 401);
    let whoami = server.get("/whoami", Some(&alice)).await.json();
    let alice_identity = whoami["identity_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(alice_identity.starts_with("us-east-1:"), "{whoami}");
    assert!(
        whoami["expires_in_seconds"]
            .as_u64()
            .is_some_and(|s| s <= 90),
        "{whoami}"
    );

    let reply = put("/notes/todo", alice.clone(), "buy milk").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let reply = put("/notes/plan.txt", alice.clone(), "world domination").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let reply = put("/notes/todo", bob.clone(), "call alice").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(put("/notes/a%20b", alice.clone(), "x").await.status, 400);

    assert_eq!(
        server.get("/notes", Some(&alice)).await.json(),
        json!({"notes": ["plan.txt", "todo"]})
    );
    assert_eq!(
        server.get("/notes", Some(&bob)).await.json(),
        json!({"notes": ["todo"]})
    );
    let reply = server.get("/notes/todo", Some(&alice)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "buy milk"));
    let reply = server.get("/notes/todo", Some(&bob)).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "call alice"));
    assert_eq!(server.get("/notes/plan.txt", Some(&bob)).await.status, 404);

    // In the bucket, each note is under its owner's identity id.
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&url)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDTEST", "test", None, None, "test",
        ))
        .build();
    let listed = aws_sdk_s3::Client::from_conf(config)
        .list_objects_v2()
        .bucket(&seeded.settings.bucket)
        .prefix(format!("{alice_identity}/"))
        .send()
        .await?;
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(
        keys,
        [
            format!("{alice_identity}/plan.txt"),
            format!("{alice_identity}/todo")
        ]
    );
    Ok(())
}
