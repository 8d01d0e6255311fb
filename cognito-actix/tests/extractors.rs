//! The extractors: claims for verified requests, 401 for anonymous ones, 403 for the other token
//! use, 500 for a missing middleware or a claim type that does not fit, all in the middleware's
//! rendering style.

mod common;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{App, HttpResponse, Responder, test, web};
use cognito_actix::{AccessToken, Claims, CognitoAuth, IdToken, MaybeClaims, Rejections};
use common::{ISSUER, anonymous, auth, bearer, send};
use serde::Deserialize;

#[derive(Deserialize, Clone, Debug)]
struct Tenant {
    #[serde(rename = "custom:tenant")]
    tenant: String,
}

async fn name(claims: Claims) -> impl Responder {
    HttpResponse::Ok().body(claims.username().unwrap_or_default().to_owned())
}

async fn tenant(claims: Claims<Tenant>) -> impl Responder {
    HttpResponse::Ok().body(format!("{} of {}", claims.sub(), claims.tenant))
}

async fn maybe(claims: MaybeClaims) -> impl Responder {
    match claims.as_ref().and_then(|c| c.username()) {
        Some(user) => HttpResponse::Ok().body(format!("user:{user}")),
        None => HttpResponse::Ok().body("anonymous"),
    }
}

async fn option(claims: Option<Claims>) -> impl Responder {
    HttpResponse::Ok().body(match claims {
        Some(claims) => format!("user:{}", claims.username().unwrap_or_default()),
        None => "none".to_owned(),
    })
}

async fn id_token(claims: IdToken) -> impl Responder {
    HttpResponse::Ok().body(format!("id:{}", claims.username().unwrap_or_default()))
}

async fn access_token(claims: AccessToken) -> impl Responder {
    HttpResponse::Ok().body(format!("access:{}", claims.username().unwrap_or_default()))
}

async fn id_tenant(claims: IdToken<Tenant>) -> impl Responder {
    HttpResponse::Ok().body(claims.tenant.clone())
}

async fn me_json(claims: Claims) -> impl Responder {
    HttpResponse::Ok().json(&claims)
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/name", web::get().to(name))
        .route("/tenant", web::get().to(tenant))
        .route("/maybe", web::get().to(maybe))
        .route("/option", web::get().to(option))
        .route("/id", web::get().to(id_token))
        .route("/access", web::get().to(access_token))
        .route("/id-tenant", web::get().to(id_tenant))
        .route("/json", web::get().to(me_json));
}

async fn app(
    auth: CognitoAuth,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(App::new().wrap(auth).configure(routes)).await
}

async fn bare_app() -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(App::new().configure(routes)).await
}

fn at(uri: &str, token: &str) -> test::TestRequest {
    common::with_bearer(common::get(uri), token)
}

// ---- Claims ------------------------------------------------------------------------------------

#[actix_web::test]
async fn claims_extractor_gives_the_verified_claims() {
    let token = ISSUER.id_token().username("alice").sign();
    let answer = send(&app(auth()).await, at("/name", &token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "alice");
}

#[actix_web::test]
async fn claims_extractor_deserializes_the_application_type() {
    let token = ISSUER.id_token().sub("u-1").custom("tenant", "acme").sign();
    let answer = send(&app(auth()).await, at("/tenant", &token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "u-1 of acme");
}

#[actix_web::test]
async fn claims_that_do_not_fit_the_type_are_500_for_the_developer() {
    let token = ISSUER.id_token().sign();
    let answer = send(&app(auth()).await, at("/tenant", &token)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.challenge, None);
    assert_eq!(
        answer.body,
        "the verified claims do not fit the application's claim type; \
         the server log has the details"
    );
}

#[actix_web::test]
async fn claims_extractor_without_middleware_is_500_naming_cognito_auth() {
    let token = ISSUER.id_token().sign();
    let answer = send(&bare_app().await, at("/name", &token)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.challenge, None);
    assert!(answer.body.contains("CognitoAuth"), "{}", answer.body);
}

#[actix_web::test]
async fn claims_extractor_on_anonymous_request_is_401_with_bare_challenge() {
    let answer = send(&app(auth().optional()).await, common::get("/name")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(answer.body, "no bearer token");
}

#[actix_web::test]
async fn claims_serialize_as_the_token_payload() {
    let token = ISSUER
        .id_token()
        .username("json")
        .custom("tenant", "acme")
        .sign();
    let answer = send(&app(auth()).await, at("/json", &token)).await;
    assert_eq!(answer.header(CONTENT_TYPE), "application/json");
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["cognito:username"], "json");
    assert_eq!(body["custom:tenant"], "acme");
    assert_eq!(body["token_use"], "id");
}

// ---- optional claims -----------------------------------------------------------------------------

#[actix_web::test]
async fn maybe_claims_is_none_for_anonymous_and_some_for_verified_requests() {
    let service = app(auth().optional()).await;
    let answer = send(&service, common::get("/maybe")).await;
    assert_eq!(answer.body, "anonymous");
    let token = ISSUER.id_token().username("bea").sign();
    assert_eq!(send(&service, at("/maybe", &token)).await.body, "user:bea");
}

#[actix_web::test]
async fn maybe_claims_never_hides_an_invalid_token() {
    let service = app(auth().optional()).await;
    let expired = ISSUER.id_token().expired().sign();
    let answer = send(&service, at("/maybe", &expired)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
}

#[actix_web::test]
async fn maybe_claims_without_middleware_is_500() {
    let answer = send(&bare_app().await, common::get("/maybe")).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.body.contains("CognitoAuth"));
}

#[actix_web::test]
async fn option_claims_is_none_for_anonymous_and_never_hides_an_invalid_token() {
    let service = app(auth().optional()).await;
    assert_eq!(send(&service, common::get("/option")).await.body, "none");
    let token = ISSUER.id_token().username("cy").sign();
    assert_eq!(send(&service, at("/option", &token)).await.body, "user:cy");
    let expired = ISSUER.id_token().expired().sign();
    let answer = send(&service, at("/option", &expired)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

/// actix-web's `Option<T>` extractor turns every error into `None`: this is why `MaybeClaims`
/// exists. If this ever fails, actix-web changed and `Option<Claims>` became safe.
#[actix_web::test]
async fn option_claims_hides_a_missing_middleware_which_maybe_claims_does_not() {
    let token = ISSUER.id_token().sign();
    assert_eq!(
        send(&bare_app().await, at("/option", &token)).await.body,
        "none"
    );
    let answer = send(&bare_app().await, at("/maybe", &token)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
}

// ---- token use -----------------------------------------------------------------------------------

#[actix_web::test]
async fn id_token_extractor_accepts_id_tokens_and_refuses_access_tokens_with_401() {
    let service = app(auth()).await;
    let id = ISSUER.id_token().username("dan").sign();
    assert_eq!(send(&service, at("/id", &id)).await.body, "id:dan");
    let access = ISSUER.access_token().sign();
    let answer = send(&service, at("/id", &access)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_token\", \
             error_description=\"requires id token\""
        )
    );
}

#[actix_web::test]
async fn access_token_extractor_accepts_access_tokens_and_refuses_id_tokens_with_401() {
    let service = app(auth()).await;
    let access = ISSUER.access_token().username("eve").sign();
    assert_eq!(
        send(&service, at("/access", &access)).await.body,
        "access:eve"
    );
    let id = ISSUER.id_token().sign();
    let answer = send(&service, at("/access", &id)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_token\", \
             error_description=\"requires access token\""
        )
    );
}

#[actix_web::test]
async fn wrong_token_use_is_401_before_the_claim_type_is_tried() {
    let service = app(auth()).await;
    let id = ISSUER.id_token().custom("tenant", "acme").sign();
    assert_eq!(send(&service, at("/id-tenant", &id)).await.body, "acme");
    // An access token lacks the attributes `Tenant` needs: the client sent the wrong token,
    // which is its mistake (401), not the server's (500).
    let access = ISSUER.access_token().sign();
    let answer = send(&service, at("/id-tenant", &access)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn token_use_extractors_on_anonymous_requests_are_401() {
    let service = app(auth().optional()).await;
    for uri in ["/id", "/access"] {
        let answer = send(&service, common::get(uri)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    }
}

// ---- rendering -----------------------------------------------------------------------------------

#[actix_web::test]
async fn extractor_refusals_use_the_middleware_realm_and_format() {
    let service = app(auth().optional().realm("shop").problem_json()).await;
    let answer = send(&service, common::get("/name")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"shop\""));
    assert_eq!(answer.header(CONTENT_TYPE), "application/problem+json");
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["status"], 401);
}

#[actix_web::test]
async fn extractor_refusals_use_a_custom_renderer() {
    let rejections = Rejections::default()
        .custom(|error, _| HttpResponse::build(StatusCode::IM_A_TEAPOT).body(error.to_string()));
    let service = app(auth().rejections(rejections)).await;
    let access = ISSUER.access_token().sign();
    let answer = send(&service, at("/id", &access)).await;
    assert_eq!(answer.status, StatusCode::IM_A_TEAPOT);
    assert_eq!(answer.body, "requires id token");
}

#[actix_web::test]
async fn requests_without_a_valid_token_are_refused_before_routing() {
    let answer = send(&app(auth()).await, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = send(&app(auth()).await, bearer("x.y.z")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}
