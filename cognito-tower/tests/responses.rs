//! What only the Tower layers do, on an echo service: gRPC and gRPC-web refusals, response
//! futures polled after completion, shared verifiers and readiness. The answers every adapter
//! gives (statuses, challenges, token sources, optional auth, rules, rendering) are one table,
//! run through this layer and the actix middleware alike: `tests/src/behaviour/`.

use std::convert::Infallible;
use std::pin::{Pin, pin};
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_core::{Authentication, Require, UserPool, Verifier};
use cognito_tower::{AuthBody, CognitoAuth, require};
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::util::BoxCloneService;
use tower::{Service, ServiceBuilder, ServiceExt, service_fn};

static ISSUER: LazyLock<LocalIssuer> = LazyLock::new(|| LocalIssuer::start().unwrap());

type Body =
    http_body_util::combinators::BoxBody<bytes::Bytes, Box<dyn std::error::Error + Send + Sync>>;
type Echo = BoxCloneService<Request<String>, Response<Body>, Infallible>;

/// Answers with who the request is, as the auth layer left it in the extensions.
async fn whoami(req: Request<String>) -> Result<Response<String>, Infallible> {
    let body = match req.extensions().get::<Authentication>() {
        Some(Authentication::Verified(claims)) => {
            format!("user:{}", claims.username().unwrap_or_default())
        }
        Some(Authentication::Anonymous) => "anonymous".to_owned(),
        None => "no auth layer".to_owned(),
    };
    Ok(Response::new(body))
}

fn boxed<B>(response: Response<B>) -> Response<Body>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + Sync + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    response.map(|body| body.map_err(Into::into).boxed())
}

fn app(layer: CognitoAuth) -> Echo {
    BoxCloneService::new(
        ServiceBuilder::new()
            .map_response(boxed::<AuthBody<String>>)
            .layer(layer)
            .service(service_fn(whoami)),
    )
}

fn guarded(layer: CognitoAuth, rule: Require) -> Echo {
    BoxCloneService::new(
        ServiceBuilder::new()
            .map_response(boxed::<AuthBody<AuthBody<String>>>)
            .layer(layer)
            .layer(require(rule))
            .service(service_fn(whoami)),
    )
}

fn auth() -> CognitoAuth {
    CognitoAuth::new(ISSUER.user_pool())
}

fn bearer(token: &str) -> Request<String> {
    Request::get("/")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(String::new())
        .unwrap()
}

fn anonymous() -> Request<String> {
    Request::get("/").body(String::new()).unwrap()
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

async fn send(service: &Echo, req: Request<String>) -> Answer {
    let response = service.clone().oneshot(req).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

// ---- gRPC ---------------------------------------------------------------------------------------------------

fn grpc(token: Option<&str>) -> Request<String> {
    grpc_as("application/grpc", token)
}

fn grpc_as(content_type: &str, token: Option<&str>) -> Request<String> {
    let mut builder = Request::post("/pkg.Service/Method").header(CONTENT_TYPE, content_type);
    if let Some(token) = token {
        builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(String::new()).unwrap()
}

async fn assert_grpc(service: &Echo, req: Request<String>, code: &str) {
    assert_grpc_answer(service, req, code, "application/grpc").await;
}

async fn assert_grpc_answer(service: &Echo, req: Request<String>, code: &str, content_type: &str) {
    let answer = send(service, req).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["grpc-status"], code);
    assert!(answer.headers.contains_key("grpc-message"));
    assert_eq!(answer.headers[CONTENT_TYPE], content_type);
    assert_eq!(answer.headers[CACHE_CONTROL], "no-store");
    assert!(answer.body.is_empty());
}

#[tokio::test]
async fn malformed_credentials_of_a_grpc_call_are_unauthenticated_16() {
    let service = guarded(auth().optional(), Require::group("admin"));
    // Two spaces after the scheme: `grpc(Some(..))` adds the one space itself.
    let token = format!(" {}", ISSUER.id_token().groups(["admin"]).sign());
    assert_grpc(&service, grpc(Some(&token)), "16").await;
    let answer = send(&service, grpc(Some(&token))).await;
    assert_eq!(
        answer.headers["grpc-message"],
        "the request's credentials are malformed"
    );
}

#[tokio::test]
async fn grpc_requests_are_refused_with_grpc_status() {
    let service = guarded(auth(), Require::group("admin"));
    assert_grpc(&service, grpc(None), "16").await;
    assert_grpc(
        &service,
        grpc(Some(&ISSUER.id_token().expired().sign())),
        "16",
    )
    .await;
    assert_grpc(&service, grpc(Some(&ISSUER.id_token().sign())), "7").await;
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let answer = send(&service, grpc(Some(&admin))).await;
    assert_eq!(answer.headers.get("grpc-status"), None);
    // The service's own answer is left as it is.
    assert_eq!(answer.headers.get(CACHE_CONTROL), None);

    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Garbage);
    let down = app(CognitoAuth::new(issuer.user_pool()));
    assert_grpc(&down, grpc(Some(&issuer.id_token().sign())), "14").await;
}

#[tokio::test]
async fn grpc_web_requests_are_refused_with_their_own_content_type() {
    let service = guarded(auth(), Require::group("admin"));
    let user = ISSUER.id_token().sign();
    for (request, answer) in [
        ("application/grpc+proto", "application/grpc"),
        ("application/grpc-web", "application/grpc-web"),
        ("application/grpc-web+proto", "application/grpc-web"),
        ("application/grpc-web-text", "application/grpc-web-text"),
        (
            "application/grpc-web-text+proto",
            "application/grpc-web-text",
        ),
    ] {
        // Refused by the auth layer (no token) and by `require` (not in the group).
        assert_grpc_answer(&service, grpc_as(request, None), "16", answer).await;
        assert_grpc_answer(&service, grpc_as(request, Some(&user)), "7", answer).await;
    }
}

#[tokio::test]
async fn content_type_only_starting_like_grpc_gets_the_http_refusal() {
    let answer = send(&app(auth()), grpc_as("application/grpcx", None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers.get("grpc-status"), None);
    assert_eq!(answer.headers[CACHE_CONTROL], "no-store");
}

// ---- response futures polled after completion -------------------------------------------------------

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Calls `service` with `req` (readiness first, as the contract asks), awaits the response
/// future, then polls it once more by hand: the answers to the completion and to the poll after.
async fn complete_then_poll_again<S, B>(
    mut service: S,
    req: Request<String>,
) -> (Response<B>, Response<B>)
where
    S: Service<Request<String>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    std::future::poll_fn(|cx| service.poll_ready(cx))
        .await
        .unwrap();
    let mut future = pin!(service.call(req));
    let first = future.as_mut().await.unwrap();
    let Poll::Ready(again) = poll_once(future.as_mut()) else {
        panic!("a completed response future answered Pending");
    };
    (first, again.unwrap())
}

#[tokio::test]
async fn a_refusal_polled_again_after_completion_is_500_not_200() {
    let service = ServiceBuilder::new()
        .layer(auth())
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(service, anonymous()).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(again.headers().get(WWW_AUTHENTICATE), None);
}

#[tokio::test]
async fn a_grpc_refusal_polled_again_after_completion_is_500_not_200() {
    let service = ServiceBuilder::new()
        .layer(auth())
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(service, grpc(None)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["grpc-status"], "16");
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_require_refusal_polled_again_after_completion_is_500_not_200() {
    // An anonymous request reaches `require`, which refuses it on its own.
    let service = ServiceBuilder::new()
        .map_request(|mut req: Request<String>| {
            req.extensions_mut().insert(Authentication::Anonymous);
            req
        })
        .layer(require(Require::group("admin")))
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(service, anonymous()).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_refusal_after_verification_polled_again_is_500_not_200() {
    // A fresh verifier: the token is verified while the future is pending (a key fetch).
    let service = ServiceBuilder::new()
        .layer(auth())
        .service(service_fn(whoami));
    let forged = ISSUER
        .id_token()
        .other_key()
        .header("kid", ISSUER.active_kid())
        .sign();
    let (first, again) = complete_then_poll_again(service, bearer(&forged)).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn an_admitted_request_polled_again_after_completion_is_500_not_200() {
    let token = ISSUER.id_token().groups(["admin"]).sign();
    let verified = ServiceBuilder::new()
        .layer(auth())
        .layer(require(Require::group("admin")))
        .service(service_fn(whoami));
    let (first, again) = complete_then_poll_again(verified, bearer(&token)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // The same token again, now from the verifier's cache: no verification step.
    let verifier = Verifier::from(ISSUER.user_pool());
    let service = ServiceBuilder::new()
        .layer(CognitoAuth::new(verifier.clone()))
        .service(service_fn(whoami));
    let _ = complete_then_poll_again(service.clone(), bearer(&token)).await;
    assert_eq!(verifier.cached_tokens(), 1);
    let (first, again) = complete_then_poll_again(service, bearer(&token)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

// ---- sharing and readiness -----------------------------------------------------------------------------

#[tokio::test]
async fn a_shared_verifier_serves_several_layers_and_its_cache() {
    let verifier = Verifier::from(ISSUER.user_pool());
    let one = app(CognitoAuth::new(verifier.clone()));
    let two = app(CognitoAuth::new(verifier.clone()));
    let token = ISSUER.id_token().username("hank").sign();
    assert_eq!(send(&one, bearer(&token)).await.body, "user:hank");
    assert_eq!(verifier.cached_tokens(), 1);
    assert_eq!(send(&two, bearer(&token)).await.body, "user:hank");
    assert_eq!(verifier.cached_tokens(), 1);
}

#[tokio::test]
async fn pool_and_oidc_issuer_convert_into_the_layer() {
    let pool = UserPool::new("eu-west-1_AbCdEf123")
        .unwrap()
        .client_id("abc")
        .unwrap()
        .any_token_use();
    let layer = CognitoAuth::new(pool);
    assert!(
        layer
            .verifier()
            .issuers()
            .any(|i| i.ends_with("eu-west-1_AbCdEf123"))
    );
}

#[tokio::test]
async fn readiness_and_errors_of_the_inner_service_pass_through() {
    #[derive(Debug, PartialEq)]
    struct Boom;
    let failing = service_fn(|_req: Request<String>| async { Err::<Response<String>, _>(Boom) });
    let service = ServiceBuilder::new().layer(auth()).service(failing);
    let token = ISSUER.id_token().sign();
    // A refused request never reaches the inner service, so it cannot fail.
    let refused = service.clone().oneshot(anonymous()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // An admitted one gets the inner error, untouched.
    assert_eq!(service.oneshot(bearer(&token)).await.unwrap_err(), Boom);
}

#[cfg(feature = "identity-pool")]
#[tokio::test]
async fn an_eager_identity_pool_answer_polled_again_is_500_not_a_panic() {
    use cognito_core::identity_pool::IdentityPool;
    use cognito_tower::IdentityPoolLayer;
    use std::time::Duration;

    // An identity endpoint on a loopback port nobody listens on: the exchange fails fast.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let exchange = IdentityPool::new("eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678")
        .unwrap()
        .endpoint(&endpoint)
        .unwrap()
        .timeouts(Duration::from_millis(200), Duration::from_millis(500))
        .build();
    // The identity layer alone, so that its own future is polled again: the request carries
    // what `CognitoAuth` would have stored.
    let service = ServiceBuilder::new()
        .layer(IdentityPoolLayer::new(exchange).eager())
        .service(service_fn(whoami));
    let token = ISSUER.id_token().sign();
    let claims = Verifier::from(ISSUER.user_pool())
        .verify(&token)
        .await
        .unwrap();
    let mut req = bearer(&token);
    req.extensions_mut()
        .insert(Authentication::Verified(claims));
    let (first, again) = complete_then_poll_again(service, req).await;
    assert_ne!(first.status(), StatusCode::OK);
    assert_eq!(again.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
