//! The extractors in an axum app, driven with `oneshot`.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use cognito_axum::prelude::*;
use cognito_core::test_util::LocalIssuer;
use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde::Deserialize;
use tower::ServiceExt;

static ISSUER: LazyLock<LocalIssuer> = LazyLock::new(|| LocalIssuer::start().unwrap());

#[derive(Deserialize)]
struct Profile {
    #[serde(rename = "custom:department")]
    department: String,
}

#[derive(Deserialize, Debug)]
struct NeedsANumber {
    #[serde(rename = "custom:department")]
    _department: u32,
}

struct Admin;
impl Group for Admin {
    const NAME: &'static str = "admin";
}

struct ReportsRead;
impl Scope for ReportsRead {
    const NAME: &'static str = "reports/read";
}

async fn me(claims: Claims) -> String {
    format!("user:{}", claims.username().unwrap_or_default())
}

async fn profile(claims: Claims<Profile>) -> String {
    format!(
        "{} in {}",
        claims.username().unwrap_or_default(),
        claims.department
    )
}

async fn maybe(claims: Option<Claims>) -> String {
    match claims {
        Some(claims) => format!("user:{}", claims.username().unwrap_or_default()),
        None => "anonymous".to_owned(),
    }
}

async fn wrong_type(_: Claims<NeedsANumber>) -> &'static str {
    "unreachable"
}

async fn id_profile(claims: IdToken<Profile>) -> String {
    claims.department.clone()
}

async fn id_only(claims: IdToken) -> String {
    format!("id:{}", claims.sub())
}

async fn access_only(claims: AccessToken) -> String {
    format!("access:{}", claims.sub())
}

async fn admins(InGroup(claims, ..): InGroup<Admin>) -> String {
    format!("admin:{}", claims.username().unwrap_or_default())
}

async fn readers(claims: HasScope<ReportsRead>) -> String {
    format!("reader:{}", claims.sub())
}

fn routes() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/profile", get(profile))
        .route("/maybe", get(maybe))
        .route("/wrong-type", get(wrong_type))
        .route("/id", get(id_only))
        .route("/id-profile", get(id_profile))
        .route("/access", get(access_only))
        .route("/admins", get(admins))
        .route("/readers", get(readers))
        .route(
            "/guarded",
            get(me).route_layer(require(Require::group("admin"))),
        )
}

fn app() -> Router {
    routes().layer(CognitoAuth::new(ISSUER.user_pool()))
}

struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    content_type: Option<String>,
    body: String,
}

async fn get_with(app: Router, path: &str, token: Option<&str>) -> Answer {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = app
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (status, challenge, content_type) = (
        response.status(),
        header(WWW_AUTHENTICATE),
        header(CONTENT_TYPE),
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        challenge,
        content_type,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

#[tokio::test]
async fn claims_extractor_gets_the_verified_claims() {
    let token = ISSUER.id_token().username("alice").sign();
    let answer = get_with(app(), "/me", Some(&token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "user:alice");
}

#[tokio::test]
async fn typed_claims_are_deserialized_into_the_handler_type() {
    let token = ISSUER
        .id_token()
        .username("bob")
        .custom("department", "research")
        .sign();
    assert_eq!(
        get_with(app(), "/profile", Some(&token)).await.body,
        "bob in research"
    );
}

#[tokio::test]
async fn claims_that_do_not_fit_the_type_are_a_500_for_the_developer() {
    let token = ISSUER.id_token().custom("department", "research").sign();
    let answer = get_with(app(), "/wrong-type", Some(&token)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    // The body names no Rust type path; the log names the claim and the type.
    assert_eq!(
        answer.body,
        "the verified claims do not fit the application's claim type; \
         the server log has the details"
    );
    assert!(!answer.body.contains("research"), "{}", answer.body);
    assert_eq!(answer.challenge, None);
}

#[tokio::test]
async fn extractor_without_the_layer_is_a_500_naming_cognito_auth() {
    let token = ISSUER.id_token().sign();
    let answer = get_with(routes(), "/me", Some(&token)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.body.contains("CognitoAuth"), "{}", answer.body);
}

#[tokio::test]
async fn anonymous_request_is_401_for_claims_and_none_for_option() {
    let optional = routes().layer(CognitoAuth::new(ISSUER.user_pool()).optional());
    let answer = get_with(optional.clone(), "/me", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(
        get_with(optional.clone(), "/maybe", None).await.body,
        "anonymous"
    );
    let token = ISSUER.id_token().username("cara").sign();
    assert_eq!(
        get_with(optional.clone(), "/maybe", Some(&token))
            .await
            .body,
        "user:cara"
    );
}

#[tokio::test]
async fn invalid_token_never_becomes_none() {
    let optional = routes().layer(CognitoAuth::new(ISSUER.user_pool()).optional());
    let expired = ISSUER.id_token().expired().sign();
    let answer = get_with(optional, "/maybe", Some(&expired)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn option_claims_without_the_layer_is_still_a_500() {
    let answer = get_with(routes(), "/maybe", None).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn token_use_extractors_refuse_the_other_use_with_401() {
    let id = ISSUER.id_token().sign();
    let access = ISSUER.access_token().sign();
    assert_eq!(
        get_with(app(), "/id", Some(&id)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_with(app(), "/access", Some(&access)).await.status,
        StatusCode::OK
    );
    let answer = get_with(app(), "/id", Some(&access)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_token\", \
             error_description=\"requires id token\""
        )
    );
    assert_eq!(
        get_with(app(), "/access", Some(&id)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn group_marker_extractor_is_403_for_non_members() {
    let admin = ISSUER.id_token().username("root").groups(["admin"]).sign();
    assert_eq!(
        get_with(app(), "/admins", Some(&admin)).await.body,
        "admin:root"
    );
    let user = ISSUER.id_token().groups(["staff"]).sign();
    let answer = get_with(app(), "/admins", Some(&user)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.challenge.unwrap().contains("requires group admin"));
}

#[tokio::test]
async fn scope_marker_extractor_is_403_naming_the_scope() {
    let reader = ISSUER.access_token().scopes(["reports/read"]).sign();
    assert_eq!(
        get_with(app(), "/readers", Some(&reader)).await.status,
        StatusCode::OK
    );
    let other = ISSUER.access_token().scopes(["profile"]).sign();
    let answer = get_with(app(), "/readers", Some(&other)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer
            .challenge
            .unwrap()
            .ends_with("scope=\"reports/read\"")
    );
}

#[tokio::test]
async fn route_layer_require_guards_one_route() {
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let user = ISSUER.id_token().sign();
    assert_eq!(
        get_with(app(), "/guarded", Some(&admin)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_with(app(), "/guarded", Some(&user)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get_with(app(), "/me", Some(&user)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn extractor_rejections_are_rendered_in_the_layer_style() {
    let app = routes().layer(
        CognitoAuth::new(ISSUER.user_pool())
            .problem_json()
            .realm("hr"),
    );
    let user = ISSUER.id_token().sign();
    let answer = get_with(app, "/admins", Some(&user)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert!(answer.challenge.unwrap().starts_with("Bearer realm=\"hr\""));
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["detail"], "requires group admin");
}

#[test]
fn rejection_reports_status_and_text() {
    use axum::extract::FromRequestParts;
    let (mut parts, ()) = Request::get("/").body(()).unwrap().into_parts();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rejection = runtime
        .block_on(Claims::<()>::from_request_parts(&mut parts, &()))
        .unwrap_err();
    assert_eq!(rejection.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(rejection.body_text().contains("CognitoAuth"));
}

#[tokio::test]
async fn wrong_token_use_is_401_before_the_claims_type_is_read() {
    // An access token has no `custom:department`: the answer is about the token use, not a 500.
    let access = ISSUER.access_token().sign();
    let answer = get_with(app(), "/id-profile", Some(&access)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let id = ISSUER.id_token().custom("department", "ops").sign();
    assert_eq!(get_with(app(), "/id-profile", Some(&id)).await.body, "ops");
}
