//! What only the actix-web middleware does, on an echo handler: `require` on one resource,
//! renderers answering anything, gRPC content types getting the HTTP refusal, shared verifiers.
//! The answers every adapter gives (statuses, challenges, token sources, optional auth, rules,
//! rendering) are one table, run through this middleware and the Tower layer alike:
//! `tests/src/behaviour/`.

mod common;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{App, HttpResponse, test, web};
use cognito_actix::{CognitoAuth, Rejections, Require, Verifier, require};
use common::{ISSUER, anonymous, auth, bearer, get, send, whoami};

async fn app(
    auth: CognitoAuth,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(App::new().wrap(auth).default_service(web::to(whoami))).await
}

/// `auth` in front of `require(rule)` in front of the echo handler.
async fn guarded(
    auth: CognitoAuth,
    rule: Require,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(
        App::new()
            .wrap(require(rule))
            .wrap(auth)
            .default_service(web::to(whoami)),
    )
    .await
}

// ---- require ------------------------------------------------------------------------------------

#[actix_web::test]
async fn require_on_one_resource_leaves_the_others_open() {
    let service = test::init_service(
        App::new()
            .wrap(auth())
            .service(
                web::resource("/admin")
                    .wrap(require(Require::group("admin")))
                    .to(whoami),
            )
            .route("/me", web::get().to(whoami)),
    )
    .await;
    let user = ISSUER.id_token().username("ivy").sign();
    let answer = send(&service, common::with_bearer(get("/me"), &user)).await;
    assert_eq!(answer.body, "user:ivy");
    let answer = send(&service, common::with_bearer(get("/admin"), &user)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

// ---- rendering -----------------------------------------------------------------------------------

#[actix_web::test]
async fn custom_renderer_may_answer_anything() {
    let rejections =
        Rejections::default().custom(|_, _| HttpResponse::NotFound().body("nothing here"));
    let service = app(auth().rejections(rejections)).await;
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.challenge, None);
    assert_eq!(answer.body, "nothing here");
}

#[actix_web::test]
async fn an_extractor_without_the_middleware_is_a_500_that_is_no_store() {
    let bare = test::init_service(
        App::new().default_service(web::to(|_: cognito_actix::Claims| async { "unreachable" })),
    )
    .await;
    let misconfigured = send(&bare, anonymous()).await;
    assert_eq!(misconfigured.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(misconfigured.header(CACHE_CONTROL), "no-store");
}

#[actix_web::test]
async fn grpc_and_grpc_web_requests_get_the_http_refusal_never_a_200() {
    let service = guarded(auth(), Require::group("admin")).await;
    let user = ISSUER.id_token().sign();
    for content_type in [
        "application/grpc",
        "application/grpc-web",
        "application/grpc-web+proto",
        "application/grpc-web-text",
    ] {
        let req = || get("/pkg.Service/Method").insert_header((CONTENT_TYPE, content_type));
        let missing = send(&service, req()).await;
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "{content_type}");
        let forbidden = send(&service, common::with_bearer(req(), &user)).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{content_type}");
        for answer in [missing, forbidden] {
            assert!(
                !answer.headers.contains_key("grpc-status"),
                "{content_type}"
            );
            assert_eq!(answer.header(CONTENT_TYPE), "text/plain; charset=utf-8");
            assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        }
    }
}

// ---- sharing and the cache -----------------------------------------------------------------------

#[actix_web::test]
async fn a_shared_verifier_serves_several_apps_and_its_cache() {
    let verifier = Verifier::from(ISSUER.user_pool());
    let one = app(CognitoAuth::new(verifier.clone())).await;
    let two = app(CognitoAuth::new(verifier.clone())).await;
    let token = ISSUER.id_token().username("hank").sign();
    assert_eq!(send(&one, bearer(&token)).await.body, "user:hank");
    assert_eq!(verifier.cached_tokens(), 1);
    // A cache hit: answered without waiting, same claims.
    assert_eq!(send(&two, bearer(&token)).await.body, "user:hank");
    assert_eq!(send(&one, bearer(&token)).await.body, "user:hank");
    assert_eq!(verifier.cached_tokens(), 1);
}

#[actix_web::test]
async fn a_cached_token_still_meets_the_middleware_rule_each_time() {
    let verifier = Verifier::from(ISSUER.user_pool());
    let open = app(CognitoAuth::new(verifier.clone())).await;
    let admins = app(CognitoAuth::new(verifier.clone()).require(Require::group("admin"))).await;
    let token = ISSUER.id_token().sign();
    assert_eq!(send(&open, bearer(&token)).await.status, StatusCode::OK);
    assert_eq!(
        send(&admins, bearer(&token)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn oidc_issuer_and_pool_convert_into_the_middleware() {
    let pool = cognito_actix::UserPool::new("eu-west-1_AbCdEf123")
        .unwrap()
        .client_id("abc")
        .unwrap()
        .any_token_use();
    let middleware = CognitoAuth::new(pool);
    assert!(
        middleware
            .verifier()
            .issuers()
            .any(|i| i.ends_with("eu-west-1_AbCdEf123"))
    );
}
