//! What every identity-pool test uses: the API under test (`CognitoAuth` outside
//! `IdentityPoolLayer`, handlers taking `AwsCredentials`), served on 127.0.0.1, the client that
//! calls it and reads its replies, and the identity pool the fake endpoint stands for.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_integration_tests::{AxumServer, IdentityEndpoint, http_client};
use serde_json::{Value, json};
use tokio::task::JoinSet;

pub(crate) type TestResult = Result<(), Box<dyn Error>>;

pub(crate) const ALICE: &str = "alice";
pub(crate) const BOB: &str = "bob";
pub(crate) const PASSWORD: &str = "correct horse";
/// The header the access-token path reads the ID token from.
pub(crate) const ID_TOKEN_HEADER: &str = "x-id-token";
/// How long the fake endpoint's credentials live.
pub(crate) const HOUR: Duration = Duration::from_secs(3600);
/// The 403 body when credentials are asked for with an access token and no ID token of the
/// same user.
pub(crate) const ID_TOKEN_REQUIRED: &str = "AWS credentials need an ID token of the signed-in user";

/// How many times a handler body ran (its extractors all succeeded).
#[derive(Clone, Default)]
pub(crate) struct Runs(Arc<AtomicUsize>);

impl Runs {
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn ran(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

pub(crate) fn describe(credentials: &AwsCredentials) -> Value {
    json!({
        "identity_id": credentials.identity_id(),
        "access_key_id": credentials.access_key_id(),
        "expiration": epoch_seconds(credentials.expiration()),
    })
}

pub(crate) fn epoch_seconds(at: SystemTime) -> f64 {
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
pub(crate) fn api(auth: CognitoAuth, identity: IdentityPoolLayer, runs: &Runs) -> Router {
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
pub(crate) struct Server {
    client: Client,
    _server: AxumServer,
}

impl Server {
    pub(crate) async fn start(router: Router) -> Server {
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
pub(crate) struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    pub(crate) async fn get(&self, path: &str, bearer: Option<&str>) -> Reply {
        self.send(reqwest::Method::GET, path, bearer, None, None)
            .await
    }

    /// GET with the bearer token and the second-source ID token header.
    pub(crate) async fn get_with_id_token(
        &self,
        path: &str,
        bearer: &str,
        id_token: &str,
    ) -> Reply {
        self.send(
            reqwest::Method::GET,
            path,
            Some(bearer),
            Some(id_token),
            None,
        )
        .await
    }

    pub(crate) async fn send(
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
    pub(crate) async fn get_concurrently(
        &self,
        n: usize,
        path: &str,
        bearer: Option<&str>,
    ) -> Vec<Reply> {
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
pub(crate) struct Reply {
    pub(crate) path: String,
    pub(crate) status: u16,
    pub(crate) challenge: Option<String>,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        assert_eq!(self.status, 200, "{self:?}");
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{} answered no JSON ({e}): {self:?}", self.path))
    }

    pub(crate) fn identity_id(&self) -> String {
        self.json()["identity_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no identity_id: {self:?}"))
            .to_owned()
    }

    /// 401 `invalid_token`: the token did not verify.
    pub(crate) fn assert_invalid_token(&self) {
        assert_eq!(self.status, 401, "{self:?}");
        let challenge = self.challenge.as_deref().unwrap_or_default();
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "a bad token gets an invalid_token challenge: {self:?}"
        );
    }

    /// 403 without a challenge (DESIGN §5: the identity pool refused, or no ID token).
    pub(crate) fn assert_refused(&self, body: &str) {
        assert_eq!(self.status, 403, "{self:?}");
        assert_eq!(self.challenge, None, "{self:?}");
        assert_eq!(self.retry_after, None, "{self:?}");
        assert!(self.body.contains(body), "{self:?}");
    }

    /// 503 with `Retry-After` and without a challenge.
    pub(crate) fn assert_unavailable(&self) {
        assert_eq!(self.status, 503, "{self:?}");
        assert_eq!(self.challenge, None, "{self:?}");
        assert_eq!(self.retry_after.as_deref(), Some("10"), "{self:?}");
        assert!(
            self.body.contains("the identity pool is unavailable"),
            "{self:?}"
        );
    }
}

/// The identity pool id the fake endpoint is configured under.
const FAKE_POOL: &str = "eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678";

pub(crate) fn fake_pool(endpoint: &IdentityEndpoint) -> Result<IdentityPool, Box<dyn Error>> {
    Ok(IdentityPool::new(FAKE_POOL)?
        .endpoint(&endpoint.url)?
        .timeouts(Duration::from_millis(200), Duration::from_millis(500)))
}
