//! [`IdentityEndpoint`]: a stand-in identity-pool endpoint on 127.0.0.1 that counts and records
//! every call, and either forwards it to moto (a counting proxy) or answers it itself (a fake
//! for the error paths moto cannot produce).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::IDENTITY_TARGET_PREFIX;

/// How an [`IdentityEndpoint`] answers a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityAnswer {
    /// Forwards the call (body and headers) to this base URL, e.g. moto's, and relays the
    /// answer.
    Forward(String),
    /// A well-formed answer: `GetId` gets a new identity id (`<region>:<uuid>`), and
    /// `GetCredentialsForIdentity` credentials for the identity it names, expiring after this
    /// long (`Expiration` in epoch seconds, as Cognito sends it).
    Credentials(Duration),
    /// A Cognito error: this HTTP status with the body
    /// `{"__type": "<type>", "message": "…"}`, e.g. `(400, "NotAuthorizedException")`.
    ServiceError(u16, &'static str),
    /// A Cognito error, as [`ServiceError`](Self::ServiceError), whose message repeats the
    /// tokens of the call's `Logins` map, as a service quoting the token it refuses might.
    ServiceErrorQuotingLogins(u16, &'static str),
    /// This HTTP status and body, as they are (a 500 page, malformed JSON…).
    Raw(u16, &'static str),
    /// Holds the call this long before answering well-formed credentials (a stalled
    /// service, to trip the caller's timeout).
    Stall(Duration),
}

/// One call an [`IdentityEndpoint`] received.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityCall {
    /// The operation, from `X-Amz-Target` without `AWSCognitoIdentityService.` (e.g. `GetId`).
    pub operation: String,
    /// The request body, as JSON (`Null` when it was not JSON).
    pub body: Value,
}

impl IdentityCall {
    /// Whether the call carried a non-empty `Logins` map (a guest identity's calls carry none).
    pub fn has_logins(&self) -> bool {
        self.body
            .get("Logins")
            .and_then(Value::as_object)
            .is_some_and(|logins| !logins.is_empty())
    }
}

/// An identity-pool endpoint on 127.0.0.1 (a free port) for `IdentityPool::endpoint`: it records
/// every call, then answers as [`IdentityAnswer`] says, per operation. Stops when dropped.
///
/// ```no_run
/// use std::time::Duration;
/// use cognito_integration_tests::{IdentityAnswer, IdentityEndpoint};
///
/// # async fn demo() {
/// // Counting proxy in front of moto:
/// let proxy = IdentityEndpoint::start(IdentityAnswer::Forward("http://127.0.0.1:5000".into())).await;
/// // ... point the exchange at proxy.url and make requests ...
/// assert_eq!(proxy.count("GetId"), 1);
///
/// // A fake that refuses GetId:
/// let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(Duration::from_secs(3600))).await;
/// fake.answer("GetId", IdentityAnswer::ServiceError(400, "NotAuthorizedException"));
/// # }
/// ```
pub struct IdentityEndpoint {
    /// The endpoint's base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    default: IdentityAnswer,
    per_operation: Mutex<HashMap<String, IdentityAnswer>>,
    calls: Mutex<Vec<IdentityCall>>,
    next_id: AtomicU64,
    http: reqwest::Client,
}

impl IdentityEndpoint {
    /// Starts an endpoint answering every operation with `answer` (until
    /// [`answer`](Self::answer) says otherwise for an operation).
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn start(answer: IdentityAnswer) -> IdentityEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding 127.0.0.1:0 for the identity endpoint");
        let addr = listener.local_addr().expect("the listener's address");
        let shared = Arc::new(Shared {
            default: answer,
            per_operation: Mutex::new(HashMap::new()),
            calls: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("building the proxy's HTTP client"),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("serving the identity endpoint");
        });
        IdentityEndpoint {
            url: format!("http://{addr}"),
            shared,
            task,
        }
    }

    /// From now on, answers `operation` (e.g. `"GetCredentialsForIdentity"`) with `answer`.
    pub fn answer(&self, operation: &str, answer: IdentityAnswer) {
        lock(&self.shared.per_operation).insert(operation.to_owned(), answer);
    }

    /// Every call received so far, in order of arrival.
    pub fn calls(&self) -> Vec<IdentityCall> {
        lock(&self.shared.calls).clone()
    }

    /// How many calls of `operation` arrived.
    pub fn count(&self, operation: &str) -> usize {
        lock(&self.shared.calls)
            .iter()
            .filter(|call| call.operation == operation)
            .count()
    }

    /// How many calls arrived, of any operation.
    pub fn total(&self) -> usize {
        lock(&self.shared.calls).len()
    }
}

impl fmt::Debug for IdentityEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityEndpoint")
            .field("url", &self.url)
            .field("default", &self.shared.default)
            .field("calls", &self.total())
            .finish()
    }
}

impl Drop for IdentityEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target
        .strip_prefix(IDENTITY_TARGET_PREFIX)
        .unwrap_or(target)
        .to_owned();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    lock(&shared.calls).push(IdentityCall {
        operation: operation.clone(),
        body: json.clone(),
    });
    let answer = lock(&shared.per_operation)
        .get(&operation)
        .cloned()
        .unwrap_or_else(|| shared.default.clone());
    match answer {
        IdentityAnswer::Forward(upstream) => forward(&shared, &upstream, &headers, body).await,
        IdentityAnswer::Credentials(lifetime) => well_formed(&shared, &operation, &json, lifetime),
        IdentityAnswer::Stall(delay) => {
            tokio::time::sleep(delay).await;
            well_formed(&shared, &operation, &json, Duration::from_secs(3600))
        }
        IdentityAnswer::ServiceError(status, error_type) => respond(
            status,
            json!({"__type": error_type, "message": format!("{error_type} from the test endpoint")})
                .to_string(),
        ),
        IdentityAnswer::ServiceErrorQuotingLogins(status, error_type) => {
            let tokens: Vec<&str> = json
                .get("Logins")
                .and_then(Value::as_object)
                .map(|logins| logins.values().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let message = format!("{error_type}: invalid login token {}", tokens.join(", "));
            respond(
                status,
                json!({"__type": error_type, "message": message}).to_string(),
            )
        }
        IdentityAnswer::Raw(status, body) => respond(status, body.to_owned()),
    }
}

fn well_formed(
    shared: &Shared,
    operation: &str,
    request: &Value,
    lifetime: Duration,
) -> Response<Body> {
    let n = shared.next_id.fetch_add(1, Ordering::Relaxed);
    match operation {
        "GetId" => {
            let region = request
                .get("IdentityPoolId")
                .and_then(Value::as_str)
                .and_then(|id| id.split_once(':'))
                .map_or("us-east-1", |(region, _)| region);
            respond(
                200,
                json!({"IdentityId": format!("{region}:00000000-0000-4000-8000-{n:012x}")})
                    .to_string(),
            )
        }
        "GetCredentialsForIdentity" => {
            let expiration = (SystemTime::now() + lifetime)
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            respond(
                200,
                json!({
                    "IdentityId": request.get("IdentityId").cloned().unwrap_or(Value::Null),
                    "Credentials": {
                        "AccessKeyId": format!("ASIATESTENDPOINT{n:04}"),
                        "SecretKey": format!("secret-{n}"),
                        "SessionToken": format!("session-{n}"),
                        "Expiration": expiration,
                    },
                })
                .to_string(),
            )
        }
        other => respond(
            400,
            json!({"__type": "InvalidParameterException",
                   "message": format!("the test endpoint does not serve {other:?}")})
            .to_string(),
        ),
    }
}

fn respond(status: u16, body: String) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}

/// Relays the call to `upstream` with its headers (except the hop-by-hop ones) and body, and
/// the answer's status, body and Cognito headers back.
async fn forward(
    shared: &Shared,
    upstream: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let mut request = shared
        .http
        .post(format!("{}/", upstream.trim_end_matches('/')));
    for (name, value) in headers {
        if name != header::HOST && name != header::CONTENT_LENGTH && name != header::CONNECTION {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream_response = match request.body(body).send().await {
        Ok(response) => response,
        Err(e) => return respond(502, format!("the proxy could not reach {upstream}: {e}")),
    };
    let status = upstream_response.status().as_u16();
    let relayed: Vec<(String, Vec<u8>)> = upstream_response
        .headers()
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            name == "content-type" || name.starts_with("x-amzn-")
        })
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let text = match upstream_response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return respond(502, format!("the proxy could not read the answer: {e}")),
    };
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in relayed {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
