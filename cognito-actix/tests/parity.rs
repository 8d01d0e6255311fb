//! The same table of (token, settings, rule) cases through the Tower layer of cognito-tower and
//! through this middleware: every status, challenge, `Retry-After`, content type and body must
//! be the same, byte for byte.

mod common;

use std::convert::Infallible;

use actix_web::{App, HttpResponse, test, web};
use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_core::{Require, TokenUse, UserPool};
use common::{ISSUER, send};
use http_body_util::BodyExt;
use tower::{ServiceBuilder, ServiceExt, service_fn};

struct Case {
    name: &'static str,
    authorization: Option<String>,
    pool: UserPool,
    optional: bool,
    realm: Option<&'static str>,
    problem_json: bool,
    middleware_rule: Option<Require>,
    route_rule: Option<Require>,
}

impl Case {
    fn new(name: &'static str, authorization: Option<String>) -> Self {
        Case {
            name,
            authorization,
            pool: ISSUER.user_pool(),
            optional: false,
            realm: None,
            problem_json: false,
            middleware_rule: None,
            route_rule: None,
        }
    }

    fn token(name: &'static str, token: String) -> Self {
        Case::new(name, Some(format!("Bearer {token}")))
    }

    fn rule(mut self, rule: Require) -> Self {
        self.route_rule = Some(rule);
        self
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Observed {
    status: u16,
    www_authenticate: Option<String>,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: String,
}

fn cases() -> Vec<Case> {
    let id = || ISSUER.id_token();
    let mut cases = vec![
        Case::new("no token", None),
        Case::new("basic scheme", Some("Basic dXNlcjpwdw==".into())),
        Case::new("bearer without token", Some("Bearer".into())),
        Case::new("two spaces", Some("Bearer  a.b.c".into())),
        Case::token("not a jwt", "not-a-jwt".into()),
        Case::token("valid", id().username("alice").sign()),
        Case::token("expired", id().expired().sign()),
        Case::token("not yet valid", id().not_yet_valid().sign()),
        Case::token("wrong issuer", id().wrong_issuer().sign()),
        Case::token("wrong client", id().client_id("otherclient").sign()),
        Case::token(
            "bad signature",
            id().other_key().header("kid", ISSUER.active_kid()).sign(),
        ),
        Case::token("alg none", id().alg_none().sign()),
        Case::token("hs256 forgery", id().hs256_with_public_key().sign()),
        Case::token("missing exp", id().without_claim("exp").sign()),
        Case::token("group met", id().groups(["admin"]).sign()).rule(Require::group("admin")),
        Case::token("group unmet", id().groups(["staff"]).sign()).rule(Require::group("admin")),
        Case::token(
            "scope unmet",
            ISSUER.access_token().scopes(["profile"]).sign(),
        )
        .rule(Require::any_scope(["reports/read", "reports/admin"])),
        Case::token("combined unmet", ISSUER.access_token().scopes(["a"]).sign()).rule(
            Require::group("admin")
                .or(Require::all_scopes(["reports/read", "reports/export"]))
                .and(Require::claim_equals("custom:tier", "gold")),
        ),
        Case::token("not unmet", id().groups(["banned"]).sign())
            .rule(Require::group("banned").not()),
        Case::token("claim contains unmet", id().sign())
            .rule(Require::claim_contains("cognito:groups", "admin")),
    ];

    let mut anonymous_optional = Case::new("optional, anonymous", None);
    anonymous_optional.optional = true;
    cases.push(anonymous_optional);

    let mut anonymous_guarded = Case::new("optional, anonymous, route rule", None);
    anonymous_guarded.optional = true;
    anonymous_guarded.route_rule = Some(Require::group("admin"));
    cases.push(anonymous_guarded);

    let mut optional_expired = Case::token("optional, expired", id().expired().sign());
    optional_expired.optional = true;
    cases.push(optional_expired);

    let mut wide = Case::token("middleware rule unmet", id().sign());
    wide.middleware_rule = Some(Require::token_use(TokenUse::Access));
    cases.push(wide);

    let mut wrong_use = Case::token("pool token use", id().sign());
    wrong_use.pool = ISSUER.user_pool().token_use(TokenUse::Access);
    cases.push(wrong_use);

    let mut realm = Case::token("odd realm", id().sign()).rule(Require::scope("x"));
    realm.realm = Some("my \"realm\" \\ é");
    cases.push(realm);

    let mut problem = Case::token("problem json", id().expired().sign());
    problem.problem_json = true;
    cases.push(problem);

    let mut problem_403 = Case::token("problem json 403", id().sign()).rule(Require::scope("x"));
    problem_403.problem_json = true;
    cases.push(problem_403);

    cases
}

fn tower_layer(case: &Case) -> cognito_tower::CognitoAuth {
    let mut layer = cognito_tower::CognitoAuth::new(case.pool.clone());
    if case.optional {
        layer = layer.optional();
    }
    if let Some(realm) = case.realm {
        layer = layer.realm(realm);
    }
    if case.problem_json {
        layer = layer.problem_json();
    }
    if let Some(rule) = &case.middleware_rule {
        layer = layer.require(rule.clone());
    }
    layer
}

fn actix_middleware(case: &Case) -> cognito_actix::CognitoAuth {
    let mut middleware = cognito_actix::CognitoAuth::new(case.pool.clone());
    if case.optional {
        middleware = middleware.optional();
    }
    if let Some(realm) = case.realm {
        middleware = middleware.realm(realm);
    }
    if case.problem_json {
        middleware = middleware.problem_json();
    }
    if let Some(rule) = &case.middleware_rule {
        middleware = middleware.require(rule.clone());
    }
    middleware
}

async fn ok(_: http::Request<String>) -> Result<http::Response<String>, Infallible> {
    Ok(http::Response::new("ok".to_owned()))
}

async fn through_tower(case: &Case) -> Observed {
    let mut request = http::Request::get("/");
    if let Some(value) = &case.authorization {
        request = request.header(http::header::AUTHORIZATION, value);
    }
    let request = request.body(String::new()).unwrap();
    let layer = tower_layer(case);
    let response = match &case.route_rule {
        Some(rule) => {
            let service = ServiceBuilder::new()
                .layer(layer)
                .layer(cognito_tower::require(rule.clone()))
                .service(service_fn(ok));
            let response = service.oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            http::Response::from_parts(parts, body)
        }
        None => {
            let service = ServiceBuilder::new().layer(layer).service(service_fn(ok));
            let response = service.oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            http::Response::from_parts(parts, body)
        }
    };
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
    };
    Observed {
        status: response.status().as_u16(),
        www_authenticate: header(http::header::WWW_AUTHENTICATE),
        retry_after: header(http::header::RETRY_AFTER),
        content_type: header(http::header::CONTENT_TYPE),
        body: String::from_utf8(response.body().to_vec()).unwrap(),
    }
}

async fn through_actix(case: &Case) -> Observed {
    let mut request = test::TestRequest::get().uri("/");
    if let Some(value) = &case.authorization {
        request = request.insert_header((actix_web::http::header::AUTHORIZATION, value.clone()));
    }
    let handler = || async { HttpResponse::Ok().body("ok") };
    let middleware = actix_middleware(case);
    let answer = match &case.route_rule {
        Some(rule) => {
            let app = test::init_service(
                App::new()
                    .wrap(cognito_actix::require(rule.clone()))
                    .wrap(middleware)
                    .default_service(web::to(handler)),
            )
            .await;
            send(&app, request).await
        }
        None => {
            let app = test::init_service(
                App::new()
                    .wrap(middleware)
                    .default_service(web::to(handler)),
            )
            .await;
            send(&app, request).await
        }
    };
    let header = |name| {
        answer
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    Observed {
        status: answer.status.as_u16(),
        www_authenticate: header(actix_web::http::header::WWW_AUTHENTICATE),
        retry_after: header(actix_web::http::header::RETRY_AFTER),
        content_type: header(actix_web::http::header::CONTENT_TYPE),
        body: answer.body,
    }
}

#[actix_web::test]
async fn tower_layer_and_actix_middleware_answer_every_case_identically() {
    let cases = cases();
    let mut statuses = Vec::new();
    for case in &cases {
        let tower = through_tower(case).await;
        let actix = through_actix(case).await;
        assert_eq!(tower, actix, "case `{}`", case.name);
        statuses.push(actix.status);
    }
    // The table covers every status the middleware answers with.
    for status in [200, 401, 403] {
        assert!(statuses.contains(&status), "no case answered {status}");
    }
}

#[actix_web::test]
async fn tower_layer_and_actix_middleware_answer_unavailable_keys_identically() {
    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let mut case = Case::token("keys unavailable", issuer.id_token().sign());
    case.pool = issuer.user_pool();
    let tower = through_tower(&case).await;
    let actix = through_actix(&case).await;
    assert_eq!(tower, actix);
    assert_eq!(actix.status, 503);
    assert_eq!(actix.retry_after.as_deref(), Some("10"));
}
