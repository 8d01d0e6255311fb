//! An actix-web app behind `cognito_actix::CognitoAuth`, served by `HttpServer` over real HTTP on
//! loopback, called with `reqwest` using tokens that moto server and cognito-local issued through
//! their real user-pool APIs: the actix twin of `axum_http.rs`.
//!
//! This is the whole path a user's actix API takes: bearer header → middleware → verifier (JWKS
//! fetched from the emulator) → claims in the request extensions → `require` middleware, guard
//! or extractor → handler, and the refusals rendered as DESIGN §5 says (401 `invalid_token`, 403
//! `insufficient_scope`).
//!
//! Every test skips (returns early) when its emulator's URL variable is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets them.

use std::error::Error;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, HttpServer, web};
use cognito_actix::cognito_core::ConfigError;
use cognito_actix::{
    AccessToken, Claims, CognitoAuth, Require, TokenUse, UserPool, Verifier, guard, require,
};
use cognito_integration_tests::{
    Emulator, EmulatorPool, PoolOptions, decode_claims, edit_claims, emulator_url,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

type TestResult = Result<(), Box<dyn Error>>;

/// In the group `admin`, department `eng`.
const ALICE: &str = "alice";
/// In no group, no department.
const BOB: &str = "bob";
const PASSWORD: &str = "correct horse";
const SIGNIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Token validity of the cognito-local pool whose tokens expire during the test (as in
/// `axum_http.rs`: one second would risk a token expiring before a loaded machine serves it).
const SHORT_VALIDITY_SECS: u32 = 3;

// ---- the app ----------------------------------------------------------------------------------

/// The application's own view of the claims: a custom attribute.
#[derive(Debug, Deserialize)]
struct Profile {
    #[serde(rename = "custom:department")]
    department: Option<String>,
}

async fn me(claims: Claims<Profile>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "sub": claims.sub(),
        "username": claims.username(),
        "groups": claims.groups(),
        "department": claims.department,
        "token_use": claims.token_use().map(TokenUse::as_str),
    }))
}

async fn admin(claims: Claims) -> String {
    format!("admin area: {}", claims.username().unwrap_or_default())
}

async fn access(token: AccessToken) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "username": token.username(),
        "client_id": token.client_id(),
        "scopes": token.scopes().collect::<Vec<_>>(),
        "token_use": token.token_use().map(TokenUse::as_str),
    }))
}

async fn dashboard(claims: Claims) -> String {
    format!("admin dashboard: {}", claims.username().unwrap_or_default())
}

async fn member_dashboard() -> &'static str {
    "member dashboard"
}

/// The routes of `axum_http.rs`, the actix way: `/admin` behind the `require` middleware (403
/// for non-members), and `/dashboard` chosen by a guard (non-members fall through to the member
/// view instead).
fn app(
    verifier: Verifier,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(CognitoAuth::new(verifier))
        .route("/me", web::get().to(me))
        .service(
            web::resource("/admin")
                .wrap(require(Require::group("admin")))
                .route(web::get().to(admin)),
        )
        .route("/access", web::get().to(access))
        .service(
            web::resource("/dashboard")
                .guard(guard::group("admin"))
                .route(web::get().to(dashboard)),
        )
        .route("/dashboard", web::get().to(member_dashboard))
}

/// The app served by `actix_web::HttpServer` (one worker) on 127.0.0.1 on a free port, until
/// [`stop`](Self::stop)ped (or dropped, which asks the server to stop).
struct Server {
    base: String,
    http: reqwest::Client,
    handle: ServerHandle,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    fn start(verifier: impl Into<Verifier>) -> Server {
        let verifier = verifier.into();
        let server = HttpServer::new(move || app(verifier.clone()))
            .workers(1)
            .disable_signals()
            .shutdown_timeout(1)
            .bind(("127.0.0.1", 0))
            .expect("binding 127.0.0.1:0");
        let addr: SocketAddr = *server.addrs().first().expect("the server's address");
        let server = server.run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("building the reqwest client");
        Server {
            base: format!("http://{addr}"),
            http,
            handle,
            task: Some(task),
        }
    }

    /// Stops the server and waits until it has.
    async fn stop(mut self) {
        self.handle.stop(false).await;
        if let Some(task) = self.task.take() {
            task.await
                .expect("the server task panicked")
                .expect("the server failed");
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let challenge = response
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().expect("an ASCII WWW-Authenticate").to_owned());
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: reading the body: {e}"));
        Answer {
            path: path.to_owned(),
            status,
            challenge,
            body,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.task.is_some() {
            // The command is sent at once; the returned future only waits for its completion.
            drop(self.handle.stop(false));
        }
    }
}

/// What the app answered.
#[derive(Debug)]
struct Answer {
    path: String,
    status: u16,
    challenge: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        assert_eq!(self.status, 200, "{self:?}");
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{} answered no JSON ({e}): {self:?}", self.path))
    }

    /// 401 `invalid_token`, with `description` in the challenge and the body.
    fn assert_invalid_token(&self, description: &str) {
        assert_eq!(self.status, 401, "{self:?}");
        let challenge = self.challenge.as_deref().unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=\"api\"")
                && challenge.contains("error=\"invalid_token\""),
            "{self:?}"
        );
        assert!(
            challenge.contains(&format!("error_description=\"{description}\"")),
            "{self:?}"
        );
        assert!(self.body.contains(description), "{self:?}");
    }

    /// 403 `insufficient_scope`, with `description` in the challenge and the body.
    fn assert_insufficient_scope(&self, description: &str) {
        assert_eq!(self.status, 403, "{self:?}");
        let challenge = self.challenge.as_deref().unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=\"api\"")
                && challenge.contains("error=\"insufficient_scope\""),
            "{self:?}"
        );
        assert!(challenge.contains(description), "{self:?}");
        assert!(self.body.contains(description), "{self:?}");
    }
}

// ---- the emulator side ------------------------------------------------------------------------

/// A fresh pool with a custom attribute `department`, `alice` (department `eng`, group `admin`)
/// and `bob` (no group).
async fn seeded_pool(e: Emulator, url: &str, token_validity_seconds: Option<u32>) -> EmulatorPool {
    let pool = EmulatorPool::create(
        e,
        url,
        PoolOptions {
            custom_attributes: vec!["department".into()],
            token_validity_seconds,
        },
    )
    .await;
    pool.create_user(
        ALICE,
        PASSWORD,
        &[("email", "alice@example.com"), ("custom:department", "eng")],
    )
    .await;
    pool.add_to_group(ALICE, "admin").await;
    pool.create_user(BOB, PASSWORD, &[("email", "bob@example.com")])
        .await;
    pool
}

/// The pool as a user configures it for the emulator: on moto the issuer derived from the pool
/// id (moto's tokens carry the real AWS form) and only the keys from the emulator; on
/// cognito-local its own issuer too.
fn user_pool(pool: &EmulatorPool, client_id: &str) -> Result<UserPool, ConfigError> {
    let configured = UserPool::new(&pool.pool_id)?
        .client_id(client_id)?
        .any_token_use()
        .jwks_url(&pool.jwks_url)?;
    match pool.emulator {
        Emulator::Moto => Ok(configured),
        Emulator::CognitoLocal => configured.issuer(&pool.issuer),
    }
}

// ---- the scenarios, run against each emulator -------------------------------------------------

async fn valid_tokens_reach_the_handlers(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, None).await;
    let server = Server::start(user_pool(&pool, &pool.client_id)?);
    let alice = pool.sign_in(&pool.client_id, ALICE, PASSWORD).await;
    let bob = pool.sign_in(&pool.client_id, BOB, PASSWORD).await;
    let alice_sub = decode_claims(&alice.id_token)["sub"].clone();
    assert!(alice_sub.is_string(), "{alice_sub}");

    // The typed `Claims<Profile>` reads the custom attribute from the ID token.
    let me = server.get("/me", Some(&alice.id_token)).await.json();
    assert_eq!(
        me,
        json!({
            "sub": alice_sub,
            "username": ALICE,
            "groups": ["admin"],
            "department": "eng",
            "token_use": "id",
        }),
        "{e}"
    );
    // The access token names the same user; neither emulator puts custom attributes into it.
    let me = server.get("/me", Some(&alice.access_token)).await.json();
    assert_eq!(
        me,
        json!({
            "sub": alice_sub,
            "username": ALICE,
            "groups": ["admin"],
            "department": null,
            "token_use": "access",
        }),
        "{e}"
    );
    let me = server.get("/me", Some(&bob.id_token)).await.json();
    assert_eq!(me["username"], BOB, "{e}");
    assert_eq!(me["groups"], json!([]), "{e}: no cognito:groups claim");
    assert_eq!(me["department"], Value::Null, "{e}");

    for token in [&alice.id_token, &alice.access_token] {
        let answer = server.get("/admin", Some(token)).await;
        assert_eq!(answer.status, 200, "{e}: {answer:?}");
        assert_eq!(answer.body, "admin area: alice", "{e}");
        let answer = server.get("/dashboard", Some(token)).await;
        assert_eq!(answer.status, 200, "{e}: {answer:?}");
        assert_eq!(answer.body, "admin dashboard: alice", "{e}");
    }

    let access = server
        .get("/access", Some(&alice.access_token))
        .await
        .json();
    assert_eq!(
        access,
        json!({
            "username": ALICE,
            "client_id": pool.client_id,
            "scopes": [SIGNIN_SCOPE],
            "token_use": "access",
        }),
        "{e}"
    );

    // No token at all: 401 with a bare challenge.
    let answer = server.get("/me", None).await;
    assert_eq!(answer.status, 401, "{e}: {answer:?}");
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer realm=\"api\""),
        "{e}"
    );
    assert_eq!(answer.body, "no bearer token", "{e}");
    server.stop().await;
    Ok(())
}

async fn tampered_tokens_are_refused(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, None).await;
    let server = Server::start(user_pool(&pool, &pool.client_id)?);
    let bob = pool.sign_in(&pool.client_id, BOB, PASSWORD).await;

    // The genuine token is not an admin's.
    let answer = server.get("/admin", Some(&bob.id_token)).await;
    assert_eq!(answer.status, 403, "{e}: {answer:?}");

    // Bob adds himself to `admin`, keeping the emulator's signature.
    for (path, token) in [
        ("/admin", &bob.id_token),
        ("/dashboard", &bob.id_token),
        ("/access", &bob.access_token),
    ] {
        let forged = edit_claims(token, |claims| {
            claims.insert("cognito:groups".into(), json!(["admin"]));
        });
        server
            .get(path, Some(&forged))
            .await
            .assert_invalid_token("the token signature is invalid");
    }
    let forged = edit_claims(&bob.id_token, |claims| {
        claims.insert("cognito:username".into(), json!(ALICE));
    });
    server
        .get("/me", Some(&forged))
        .await
        .assert_invalid_token("the token signature is invalid");

    // The genuine tokens still pass.
    let me = server.get("/me", Some(&bob.id_token)).await.json();
    assert_eq!(me["username"], BOB, "{e}");
    server.stop().await;
    Ok(())
}

async fn tokens_of_another_app_client_are_refused(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, None).await;
    let client_2 = pool.add_client("second-app").await;
    assert_ne!(client_2, pool.client_id);
    let server = Server::start(user_pool(&pool, &pool.client_id)?);
    let tokens_2 = pool.sign_in(&client_2, ALICE, PASSWORD).await;

    for (path, token) in [
        ("/me", &tokens_2.id_token),
        ("/me", &tokens_2.access_token),
        ("/admin", &tokens_2.id_token),
        ("/access", &tokens_2.access_token),
    ] {
        server
            .get(path, Some(token))
            .await
            .assert_invalid_token("the token was issued to another client");
    }

    // An app accepting client 2 takes them: the client was the only problem.
    let server_2 = Server::start(user_pool(&pool, &client_2)?);
    let me = server_2.get("/me", Some(&tokens_2.id_token)).await.json();
    assert_eq!(me["username"], ALICE, "{e}");
    let access = server_2
        .get("/access", Some(&tokens_2.access_token))
        .await
        .json();
    assert_eq!(access["client_id"], client_2.as_str(), "{e}");
    server.stop().await;
    server_2.stop().await;
    Ok(())
}

async fn tokens_of_another_pool_are_refused(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool_a = seeded_pool(e, &url, None).await;
    let pool_b = seeded_pool(e, &url, None).await;
    assert_ne!(pool_a.pool_id, pool_b.pool_id);
    let server_b = Server::start(user_pool(&pool_b, &pool_b.client_id)?);
    let tokens_a = pool_a.sign_in(&pool_a.client_id, ALICE, PASSWORD).await;

    // Both emulators sign every pool's tokens with one key: only the issuer check stops these.
    for (path, token) in [
        ("/me", &tokens_a.id_token),
        ("/me", &tokens_a.access_token),
        ("/admin", &tokens_a.id_token),
        ("/access", &tokens_a.access_token),
    ] {
        server_b
            .get(path, Some(token))
            .await
            .assert_invalid_token("the token issuer is not accepted");
    }

    // Pool B's own user gets in.
    let tokens_b = pool_b.sign_in(&pool_b.client_id, ALICE, PASSWORD).await;
    let me = server_b.get("/me", Some(&tokens_b.id_token)).await.json();
    assert_eq!(me["username"], ALICE, "{e}");
    server_b.stop().await;
    Ok(())
}

async fn wrong_token_use_is_refused(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, None).await;
    let alice = pool.sign_in(&pool.client_id, ALICE, PASSWORD).await;

    // The route's extractor wants an access token: the ID token verifies (the pool accepts both
    // uses) but is the wrong kind of token for the route, so 401 `invalid_token`.
    let server = Server::start(user_pool(&pool, &pool.client_id)?);
    let answer = server.get("/access", Some(&alice.id_token)).await;
    answer.assert_invalid_token("requires access token");
    assert!(!answer.body.contains(&alice.id_token), "{e}: token echoed");
    server.stop().await;

    // A pool configured for access tokens only refuses the ID token at verification: 401
    // `invalid_token`, on every route.
    let access_only = user_pool(&pool, &pool.client_id)?.token_use(TokenUse::Access);
    let server = Server::start(access_only);
    for path in ["/me", "/admin", "/access", "/dashboard"] {
        server
            .get(path, Some(&alice.id_token))
            .await
            .assert_invalid_token("the token use is not accepted here");
    }
    let me = server.get("/me", Some(&alice.access_token)).await.json();
    assert_eq!(me["token_use"], "access", "{e}");
    let answer = server.get("/access", Some(&alice.access_token)).await;
    assert_eq!(answer.status, 200, "{e}: {answer:?}");
    server.stop().await;
    Ok(())
}

async fn users_outside_the_group_are_forbidden(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, None).await;
    let server = Server::start(user_pool(&pool, &pool.client_id)?);
    let bob = pool.sign_in(&pool.client_id, BOB, PASSWORD).await;

    for token in [&bob.id_token, &bob.access_token] {
        // The `require` middleware refuses: 403 `insufficient_scope`, no `scope=` for a group.
        let answer = server.get("/admin", Some(token)).await;
        answer.assert_insufficient_scope("requires group admin");
        assert!(
            !answer
                .challenge
                .as_deref()
                .unwrap_or_default()
                .contains("scope=\""),
            "{e}: a group requirement names no scope: {answer:?}"
        );
        // The guard does not refuse: the router moves on to the member route.
        let answer = server.get("/dashboard", Some(token)).await;
        assert_eq!(answer.status, 200, "{e}: {answer:?}");
        assert_eq!(answer.body, "member dashboard", "{e}");
    }
    // The same tokens are fine where no group is required.
    let me = server.get("/me", Some(&bob.id_token)).await.json();
    assert_eq!(me["username"], BOB, "{e}");
    server.stop().await;
    Ok(())
}

macro_rules! per_emulator {
    ($($scenario:ident => $moto:ident, $cognito_local:ident;)*) => {$(
        #[tokio::test]
        async fn $moto() -> TestResult {
            $scenario(Emulator::Moto).await
        }

        #[tokio::test]
        async fn $cognito_local() -> TestResult {
            $scenario(Emulator::CognitoLocal).await
        }
    )*};
}

per_emulator! {
    valid_tokens_reach_the_handlers =>
        moto_valid_tokens_reach_the_handlers, cognito_local_valid_tokens_reach_the_handlers;
    tampered_tokens_are_refused =>
        moto_tampered_tokens_are_refused, cognito_local_tampered_tokens_are_refused;
    tokens_of_another_app_client_are_refused =>
        moto_tokens_of_another_app_client_are_refused,
        cognito_local_tokens_of_another_app_client_are_refused;
    tokens_of_another_pool_are_refused =>
        moto_tokens_of_another_pool_are_refused, cognito_local_tokens_of_another_pool_are_refused;
    wrong_token_use_is_refused =>
        moto_wrong_token_use_is_refused, cognito_local_wrong_token_use_is_refused;
    users_outside_the_group_are_forbidden =>
        moto_users_outside_the_group_are_forbidden,
        cognito_local_users_outside_the_group_are_forbidden;
}

/// cognito-local only: moto always issues 1-hour tokens.
#[tokio::test]
async fn cognito_local_expired_tokens_are_refused() -> TestResult {
    let e = Emulator::CognitoLocal;
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, Some(SHORT_VALIDITY_SECS)).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);
    // Keys loaded before the sign-in, so the first requests follow it closely.
    verifier.hydrate().await?;
    let server = Server::start(verifier);
    let alice = pool.sign_in(&pool.client_id, ALICE, PASSWORD).await;

    // Valid right after the sign-in (and now in the verifier's cache).
    let me = server.get("/me", Some(&alice.id_token)).await.json();
    assert_eq!(me["username"], ALICE);
    let access = server.get("/access", Some(&alice.access_token)).await;
    assert_eq!(access.status, 200, "{access:?}");

    let mut latest_exp = 0;
    for token in [&alice.id_token, &alice.access_token] {
        let claims = decode_claims(token);
        let (iat, exp) = (claims["iat"].as_u64(), claims["exp"].as_u64());
        let (Some(iat), Some(exp)) = (iat, exp) else {
            panic!("iat and exp are numbers: {claims}");
        };
        assert_eq!(exp - iat, u64::from(SHORT_VALIDITY_SECS));
        latest_exp = latest_exp.max(exp);
    }

    // Wait until a second past the expiry.
    let past_exp = UNIX_EPOCH + Duration::from_secs(latest_exp + 1);
    if let Ok(wait) = past_exp.duration_since(SystemTime::now()) {
        tokio::time::sleep(wait).await;
    }

    // Refused though cached: a cache hit re-checks `exp`.
    for (path, token) in [
        ("/me", &alice.id_token),
        ("/admin", &alice.id_token),
        ("/access", &alice.access_token),
        ("/dashboard", &alice.id_token),
    ] {
        server
            .get(path, Some(token))
            .await
            .assert_invalid_token("the token has expired");
    }

    // A refreshed pair gets in again.
    let refresh_token = alice
        .refresh_token
        .as_deref()
        .expect("ADMIN_USER_PASSWORD_AUTH returns a refresh token");
    let refreshed = pool.refresh(&pool.client_id, refresh_token).await;
    let answer = server.get("/access", Some(&refreshed.access_token)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    server.stop().await;
    Ok(())
}
