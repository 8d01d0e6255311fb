//! Every row of the status table, each token source, optional auth, the `require` middleware,
//! custom renderers, `Cache-Control` and gRPC content types, through the middleware on an echo
//! handler.

mod common;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, HeaderName, RETRY_AFTER,
};
use actix_web::{App, HttpResponse, test, web};
use cognito_actix::{CognitoAuth, Rejections, Require, TokenSource, TokenUse, Verifier, require};
use cognito_core::rejection::BodyFormat;
use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use common::{INVALID_REQUEST, ISSUER, anonymous, auth, bearer, get, invalid_token, send, whoami};

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

// ---- the status table -------------------------------------------------------------------------

#[actix_web::test]
async fn valid_token_reaches_the_handler_with_its_claims() {
    let token = ISSUER.id_token().username("alice").sign();
    let answer = send(&app(auth()).await, bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "user:alice");
}

#[actix_web::test]
async fn missing_token_is_401_with_bare_bearer_challenge() {
    let answer = send(&app(auth()).await, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(answer.header(CONTENT_TYPE), "text/plain; charset=utf-8");
    assert_eq!(answer.body, "no bearer token");
    assert!(!answer.headers.contains_key(RETRY_AFTER));
}

#[actix_web::test]
async fn other_auth_scheme_counts_as_no_token() {
    let req = anonymous().insert_header((AUTHORIZATION, "Basic dXNlcjpwdw=="));
    let answer = send(&app(auth()).await, req).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
}

async fn assert_invalid_token(token: &str, description: &str) {
    let answer = send(&app(auth()).await, bearer(token)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{description}");
    assert_eq!(answer.challenge, Some(invalid_token(description)));
    assert_eq!(answer.body, description);
}

#[actix_web::test]
async fn malformed_token_is_401_with_invalid_token_challenge() {
    assert_invalid_token("not-a-jwt", "the token is malformed").await;
}

#[actix_web::test]
async fn malformed_bearer_credentials_are_400_invalid_request() {
    for value in [
        "Bearer  two-spaces",
        "Bearer\ttab",
        "Bearer",
        "Bearer a.b.c ",
    ] {
        let req = anonymous().insert_header((AUTHORIZATION, value));
        let answer = send(&app(auth()).await, req).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{value:?}");
        assert_eq!(
            answer.challenge.as_deref(),
            Some(INVALID_REQUEST),
            "{value:?}"
        );
    }
}

#[actix_web::test]
async fn two_authorization_headers_are_400_invalid_request() {
    let token = ISSUER.id_token().sign();
    let req = bearer(&token).append_header((AUTHORIZATION, format!("Bearer {token}")));
    let answer = send(&app(auth()).await, req).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.challenge.as_deref(), Some(INVALID_REQUEST));
}

#[actix_web::test]
async fn bad_signature_is_401_with_invalid_token_challenge() {
    let token = ISSUER
        .id_token()
        .other_key()
        .header("kid", ISSUER.active_kid())
        .sign();
    assert_invalid_token(&token, "the token signature is invalid").await;
}

#[actix_web::test]
async fn unsigned_and_hmac_forgeries_are_401() {
    let none = ISSUER.id_token().alg_none().sign();
    assert_invalid_token(&none, "the token algorithm is not accepted").await;
    let hmac = ISSUER.id_token().hs256_with_public_key().sign();
    assert_invalid_token(&hmac, "the token algorithm is not accepted").await;
}

#[actix_web::test]
async fn expired_token_is_401_with_invalid_token_challenge() {
    assert_invalid_token(&ISSUER.id_token().expired().sign(), "the token has expired").await;
}

#[actix_web::test]
async fn token_not_yet_valid_is_401_with_invalid_token_challenge() {
    let token = ISSUER.id_token().not_yet_valid().sign();
    assert_invalid_token(&token, "the token is not valid yet").await;
}

#[actix_web::test]
async fn wrong_issuer_is_401_with_invalid_token_challenge() {
    let token = ISSUER.id_token().wrong_issuer().sign();
    assert_invalid_token(&token, "the token issuer is not accepted").await;
}

#[actix_web::test]
async fn wrong_client_is_401_with_invalid_token_challenge() {
    let token = ISSUER.id_token().client_id("otherclient").sign();
    assert_invalid_token(&token, "the token was issued to another client").await;
}

#[actix_web::test]
async fn wrong_token_use_is_401_with_invalid_token_challenge() {
    let middleware = CognitoAuth::new(ISSUER.user_pool().token_use(TokenUse::Access));
    let answer = send(&app(middleware).await, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge,
        Some(invalid_token("the token use is not accepted here"))
    );
}

#[actix_web::test]
async fn unmet_group_is_403_with_insufficient_scope_challenge() {
    let token = ISSUER.id_token().groups(["staff"]).sign();
    let service = guarded(auth(), Require::group("admin")).await;
    let answer = send(&service, bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires group admin\""
        )
    );
    assert_eq!(answer.body, "requires group admin");
}

#[actix_web::test]
async fn unmet_scope_is_403_naming_the_scope() {
    let token = ISSUER.access_token().scopes(["profile"]).sign();
    let rule = Require::any_scope(["reports/read", "reports/admin"]);
    let answer = send(&guarded(auth(), rule).await, bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires scopes reports/read or reports/admin\", \
             scope=\"reports/read reports/admin\""
        )
    );
}

#[actix_web::test]
async fn unavailable_keys_are_503_with_retry_after_and_no_challenge() {
    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let service = app(CognitoAuth::new(issuer.user_pool())).await;
    let answer = send(&service, bearer(&issuer.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.challenge, None);
    assert_eq!(answer.header(RETRY_AFTER), "10");
    assert_eq!(answer.body, "the signing keys are unavailable");
}

#[actix_web::test]
async fn realm_is_configurable() {
    let answer = send(&app(auth().realm("reports")).await, anonymous()).await;
    assert_eq!(
        answer.challenge.as_deref(),
        Some("Bearer realm=\"reports\"")
    );
}

// ---- token sources ------------------------------------------------------------------------------

#[actix_web::test]
async fn bearer_scheme_is_case_insensitive() {
    let token = ISSUER.id_token().username("carol").sign();
    let req = anonymous().insert_header((AUTHORIZATION, format!("bEaReR {token}")));
    assert_eq!(send(&app(auth()).await, req).await.body, "user:carol");
}

#[actix_web::test]
async fn cookie_source_reads_the_named_cookie() {
    let service = app(auth().token_source(TokenSource::cookie("id_token"))).await;
    let token = ISSUER.id_token().username("dave").sign();
    let req = anonymous().insert_header((COOKIE, format!("theme=dark; id_token={token}")));
    assert_eq!(send(&service, req).await.body, "user:dave");
    // A bearer header is not looked at when the source is a cookie.
    let answer = send(&service, bearer(&token)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
}

#[actix_web::test]
async fn cookie_that_cannot_be_a_token_is_400_invalid_request() {
    let service = app(auth().token_source(TokenSource::cookie("id_token"))).await;
    let req = anonymous().insert_header((COOKIE, "id_token=\"a b\""));
    let answer = send(&service, req).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.challenge.as_deref(), Some(INVALID_REQUEST));
}

#[actix_web::test]
async fn header_source_reads_the_bare_header_value() {
    let name = HeaderName::from_static("x-id-token");
    let service = app(auth().token_source(TokenSource::header(name.clone()))).await;
    let token = ISSUER.id_token().username("erin").sign();
    let req = anonymous().insert_header((name, token));
    assert_eq!(send(&service, req).await.body, "user:erin");
    assert_eq!(
        send(&service, anonymous()).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn custom_source_reads_a_query_parameter() {
    let source = TokenSource::custom(|req| {
        req.query_string()
            .split('&')
            .find_map(|pair| pair.strip_prefix("access_token="))
            .map(str::to_owned)
    });
    let service = app(auth().token_source(source)).await;
    let token = ISSUER.access_token().username("frank").sign();
    let answer = send(&service, get(&format!("/ws?access_token={token}"))).await;
    assert_eq!(answer.body, "user:frank");
    let answer = send(&service, get("/ws")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = send(&service, get("/ws?access_token=junk")).await;
    assert_eq!(
        answer.challenge,
        Some(invalid_token("the token is malformed"))
    );
}

// ---- optional auth ------------------------------------------------------------------------------

#[actix_web::test]
async fn optional_auth_lets_anonymous_requests_through() {
    let answer = send(&app(auth().optional()).await, anonymous()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "anonymous");
}

#[actix_web::test]
async fn optional_auth_still_refuses_a_bad_token() {
    let service = app(auth().optional()).await;
    let answer = send(&service, bearer(&ISSUER.id_token().expired().sign())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge,
        Some(invalid_token("the token has expired"))
    );
    let malformed = anonymous().insert_header((AUTHORIZATION, "Bearer"));
    assert_eq!(
        send(&service, malformed).await.status,
        StatusCode::BAD_REQUEST
    );
    let token = ISSUER.id_token().username("gina").sign();
    assert_eq!(send(&service, bearer(&token)).await.body, "user:gina");
}

// ---- require ------------------------------------------------------------------------------------

#[actix_web::test]
async fn require_passes_members_and_refuses_others() {
    let service = guarded(auth(), Require::group("admin")).await;
    let admin = ISSUER.id_token().username("root").groups(["admin"]).sign();
    assert_eq!(send(&service, bearer(&admin)).await.body, "user:root");
    let user = ISSUER.id_token().groups(["staff"]).sign();
    assert_eq!(
        send(&service, bearer(&user)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn require_combines_groups_scopes_and_claims() {
    let rule = Require::group("admin")
        .or(Require::all_scopes(["reports/read", "reports/export"]))
        .and(Require::claim_equals("custom:tier", "gold"));
    let service = guarded(auth(), rule).await;
    let gold_reader = ISSUER
        .access_token()
        .scopes(["reports/read", "reports/export"])
        .custom("tier", "gold")
        .sign();
    assert_eq!(
        send(&service, bearer(&gold_reader)).await.status,
        StatusCode::OK
    );
    let gold_admin = ISSUER
        .id_token()
        .groups(["admin"])
        .custom("tier", "gold")
        .sign();
    assert_eq!(
        send(&service, bearer(&gold_admin)).await.status,
        StatusCode::OK
    );

    let silver_admin = ISSUER
        .access_token()
        .groups(["admin"])
        .custom("tier", "silver")
        .sign();
    let answer = send(&service, bearer(&silver_admin)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires claim custom:tier equal to 'gold'\""
        )
    );

    let half_reader = ISSUER
        .access_token()
        .scopes(["reports/read"])
        .custom("tier", "gold")
        .sign();
    let answer = send(&service, bearer(&half_reader)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer
            .challenge
            .unwrap()
            .ends_with(", scope=\"reports/read reports/export\"")
    );
}

#[actix_web::test]
async fn require_with_not_refuses_the_excluded_group() {
    let service = guarded(auth(), Require::group("suspended").not()).await;
    let ok = ISSUER.id_token().groups(["staff"]).sign();
    assert_eq!(send(&service, bearer(&ok)).await.status, StatusCode::OK);
    let suspended = ISSUER.id_token().groups(["suspended"]).sign();
    let answer = send(&service, bearer(&suspended)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains("error=\"insufficient_scope\"")
    );
}

#[actix_web::test]
async fn require_on_anonymous_request_is_401() {
    let service = guarded(auth().optional(), Require::group("admin")).await;
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
}

#[actix_web::test]
async fn require_without_auth_middleware_is_a_500_naming_cognito_auth() {
    let service = test::init_service(
        App::new()
            .wrap(require(Require::group("admin")))
            .default_service(web::to(whoami)),
    )
    .await;
    // A valid token is sent, but nothing in front of the rule reads it.
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let answer = send(&service, bearer(&admin)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.challenge, None);
    assert!(answer.body.contains("CognitoAuth"), "{}", answer.body);
}

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

#[actix_web::test]
async fn asynchronous_verifier_check_refuses_through_the_middleware_cache_hits_included() {
    let verifier = Verifier::builder()
        .pool(ISSUER.user_pool())
        .check_async(|claims| async move {
            match claims.username() {
                Some("mallory") => Err("the session was signed out"),
                _ => Ok(()),
            }
        })
        .build()
        .unwrap();
    let service = app(CognitoAuth::new(verifier)).await;
    let alice = ISSUER.id_token().username("alice").sign();
    let mallory = ISSUER.id_token().username("mallory").sign();
    for _ in 0..2 {
        assert_eq!(send(&service, bearer(&alice)).await.status, StatusCode::OK);
        let answer = send(&service, bearer(&mallory)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer.challenge.as_deref(),
            Some(invalid_token("the session was signed out").as_str())
        );
    }
}

#[actix_web::test]
async fn middleware_wide_require_applies_to_every_request() {
    let service = app(auth().require(Require::group("staff"))).await;
    let answer = send(
        &service,
        bearer(&ISSUER.id_token().groups(["guests"]).sign()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires group staff\""
        )
    );
    let answer = send(
        &service,
        bearer(&ISSUER.access_token().groups(["staff"]).sign()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[actix_web::test]
async fn token_use_rule_refuses_the_other_token_use_with_401_invalid_token() {
    // The wrong kind of token, refused by a rule: the same 401 as a pool that takes one use only.
    let service = app(auth().require(Require::token_use(TokenUse::Access))).await;
    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_token\", \
             error_description=\"requires access token\""
        )
    );
    let answer = send(&service, bearer(&ISSUER.access_token().sign())).await;
    assert_eq!(answer.status, StatusCode::OK);
}

// ---- rendering -----------------------------------------------------------------------------------

#[actix_web::test]
async fn problem_json_renders_rfc9457_bodies_in_auth_and_require() {
    let service = guarded(auth().problem_json(), Require::group("admin")).await;
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.header(CONTENT_TYPE), "application/problem+json");
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["status"], 401);
    assert_eq!(body["title"], "Unauthorized");

    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.header(CONTENT_TYPE), "application/problem+json");
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(body["detail"], "requires group admin");
}

#[actix_web::test]
async fn realm_set_on_the_middleware_reaches_require() {
    let service = guarded(auth().realm("reports"), Require::group("admin")).await;
    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert!(
        answer
            .challenge
            .unwrap()
            .starts_with("Bearer realm=\"reports\", error=\"insufficient_scope\"")
    );
}

#[actix_web::test]
async fn custom_renderer_shapes_every_refusal() {
    let rejections = Rejections::default().custom(|error, realm| {
        let response = cognito_actix::default_response(error, realm, BodyFormat::PlainText);
        let body = format!("{{\"message\":\"{}\"}}", error.status());
        response.set_body(body).map_into_boxed_body()
    });
    let service = guarded(auth().rejections(rejections), Require::group("admin")).await;
    let answer = send(&service, anonymous()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(answer.body, "{\"message\":\"401\"}");
    let answer = send(&service, bearer(&ISSUER.id_token().sign())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.body, "{\"message\":\"403\"}");
}

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
async fn every_refusal_is_no_store() {
    let service = guarded(auth(), Require::group("admin")).await;
    let missing = send(&service, anonymous()).await;
    let expired = send(&service, bearer(&ISSUER.id_token().expired().sign())).await;
    let forbidden = send(&service, bearer(&ISSUER.id_token().sign())).await;
    let json = send(&app(auth().problem_json()).await, anonymous()).await;
    let issuer = LocalIssuer::start().unwrap();
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let down = app(CognitoAuth::new(issuer.user_pool())).await;
    let unavailable = send(&down, bearer(&issuer.id_token().sign())).await;
    // An extractor with no middleware in front: the 500 is a refusal too.
    let bare = test::init_service(
        App::new().default_service(web::to(|_: cognito_actix::Claims| async { "unreachable" })),
    )
    .await;
    let misconfigured = send(&bare, anonymous()).await;
    for (answer, status) in [
        (missing, StatusCode::UNAUTHORIZED),
        (expired, StatusCode::UNAUTHORIZED),
        (forbidden, StatusCode::FORBIDDEN),
        (json, StatusCode::UNAUTHORIZED),
        (unavailable, StatusCode::SERVICE_UNAVAILABLE),
        (misconfigured, StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        assert_eq!(answer.status, status);
        assert_eq!(answer.header(CACHE_CONTROL), "no-store", "{status}");
    }
    let admin = ISSUER.id_token().groups(["admin"]).sign();
    let admitted = send(&service, bearer(&admin)).await;
    assert_eq!(admitted.status, StatusCode::OK);
    assert!(!admitted.headers.contains_key(CACHE_CONTROL));
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

#[actix_web::test]
async fn non_ascii_credentials_are_400_invalid_request_not_a_panic() {
    use actix_web::http::header::HeaderValue;
    let service = app(auth()).await;
    let value = HeaderValue::from_bytes(b"Bearer t\xf6k\xe9n").unwrap();
    let answer = send(&service, anonymous().insert_header((AUTHORIZATION, value))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.challenge.as_deref(), Some(INVALID_REQUEST));
    let huge = format!("Bearer {}", "a".repeat(64 * 1024));
    let answer = send(&service, anonymous().insert_header((AUTHORIZATION, huge))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}
