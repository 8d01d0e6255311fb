//! Guards choose between routes on the verified claims: a match takes the guarded route, no
//! match falls through to the next route (or 404) — never a 403.

mod common;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, test, web};
use cognito_actix::{CognitoAuth, Require, guard};
use common::{ISSUER, auth, send};

fn reply(text: &'static str) -> impl Fn() -> std::future::Ready<HttpResponse> + Clone {
    move || std::future::ready(HttpResponse::Ok().body(text))
}

/// `/dashboard` has an admin view, a view for `tier=gold`, and a default view; `/reports` is
/// only for tokens with the `reports/read` scope, with nothing to fall through to.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/dashboard")
            .guard(guard::group("admin"))
            .to(reply("admin dashboard")),
    )
    .service(
        web::resource("/dashboard")
            .guard(guard::claim("custom:tier", "gold"))
            .to(reply("gold dashboard")),
    )
    .route("/dashboard", web::get().to(reply("dashboard")))
    .service(
        web::resource("/reports")
            .guard(guard::scope("reports/read"))
            .to(reply("reports")),
    )
    .service(
        web::scope("/ops")
            .guard(guard::rule(
                Require::group("ops").and(Require::group("oncall")),
            ))
            .route("/pager", web::get().to(reply("pager"))),
    )
    .service(
        web::resource("/home")
            .guard(guard::signed_in())
            .to(reply("member home")),
    )
    .route("/home", web::get().to(reply("public home")))
    .service(
        web::resource("/method").route(
            web::get()
                .guard(guard::group("admin"))
                .to(reply("admin get")),
        ),
    );
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

fn at(uri: &str, token: &str) -> test::TestRequest {
    common::with_bearer(common::get(uri), token)
}

#[actix_web::test]
async fn group_guard_routes_members_to_the_guarded_resource() {
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let answer = send(&app(auth()).await, at("/dashboard", &admin)).await;
    assert_eq!(answer.body, "admin dashboard");
}

#[actix_web::test]
async fn non_matching_guard_falls_through_to_the_next_route() {
    let service = app(auth()).await;
    let user = ISSUER.id_token().groups(["staff"]).sign();
    let answer = send(&service, at("/dashboard", &user)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "dashboard");
}

#[actix_web::test]
async fn claim_guard_matches_the_claim_value() {
    let service = app(auth()).await;
    let gold = ISSUER.id_token().custom("tier", "gold").sign();
    assert_eq!(
        send(&service, at("/dashboard", &gold)).await.body,
        "gold dashboard"
    );
    let silver = ISSUER.id_token().custom("tier", "silver").sign();
    assert_eq!(
        send(&service, at("/dashboard", &silver)).await.body,
        "dashboard"
    );
}

#[actix_web::test]
async fn non_matching_guard_with_no_other_route_is_404_not_403() {
    let service = app(auth()).await;
    let reader = ISSUER.access_token().scopes(["reports/read"]).sign();
    assert_eq!(
        send(&service, at("/reports", &reader)).await.body,
        "reports"
    );
    let other = ISSUER.access_token().scopes(["profile"]).sign();
    let answer = send(&service, at("/reports", &other)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.challenge, None);
}

#[actix_web::test]
async fn rule_guard_on_a_scope_combines_requirements() {
    let service = app(auth()).await;
    let oncall = ISSUER.id_token().groups(["ops", "oncall"]).sign();
    assert_eq!(
        send(&service, at("/ops/pager", &oncall)).await.body,
        "pager"
    );
    let ops = ISSUER.id_token().groups(["ops"]).sign();
    let answer = send(&service, at("/ops/pager", &ops)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn signed_in_guard_separates_members_from_anonymous_visitors() {
    let service = app(auth().optional()).await;
    let member = ISSUER.id_token().sign();
    assert_eq!(
        send(&service, at("/home", &member)).await.body,
        "member home"
    );
    let answer = send(&service, common::get("/home")).await;
    assert_eq!(answer.body, "public home");
}

#[actix_web::test]
async fn guards_never_match_anonymous_requests() {
    let service = app(auth().optional()).await;
    assert_eq!(
        send(&service, common::get("/dashboard")).await.body,
        "dashboard"
    );
    let answer = send(&service, common::get("/reports")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn guards_without_the_middleware_never_match() {
    let service = test::init_service(App::new().configure(routes)).await;
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    assert_eq!(
        send(&service, at("/dashboard", &admin)).await.body,
        "dashboard"
    );
}

/// A guard on a route inside a resource is actix-web's method-style guard: when no route of
/// the resource matches, the resource answers 405.
#[actix_web::test]
async fn non_matching_guard_on_a_route_of_a_resource_is_405() {
    let service = app(auth()).await;
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    assert_eq!(
        send(&service, at("/method", &admin)).await.body,
        "admin get"
    );
    let user = ISSUER.id_token().sign();
    let answer = send(&service, at("/method", &user)).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// The middleware must enclose the guarded resource: wrapped on the resource itself, it runs
/// after the guard has already been checked.
#[actix_web::test]
async fn middleware_on_the_guarded_resource_itself_comes_too_late_for_its_guard() {
    let service = test::init_service(
        App::new()
            .service(
                web::resource("/late")
                    .guard(guard::signed_in())
                    .wrap(auth())
                    .to(reply("guarded")),
            )
            .route("/late", web::get().to(reply("fallback"))),
    )
    .await;
    let token = ISSUER.id_token().sign();
    assert_eq!(send(&service, at("/late", &token)).await.body, "fallback");
}
