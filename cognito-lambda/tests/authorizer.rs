//! The authorizer fed API Gateway's documented events, with tokens of the local issuer.

use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_core::{Jwks, Require, TokenUse, Verifier};
use cognito_lambda::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerResponse, ApiGatewayV2CustomAuthorizerIamPolicyResponse,
    ApiGatewayV2CustomAuthorizerSimpleResponse,
};
use cognito_lambda::{
    Authorizer, AuthorizerErrorKind, HttpApiResponse, RuleSet, Rules, SimpleResponseCache,
};
use serde_json::{Value, json};

const PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/";

fn event(name: &str) -> Value {
    let text = match name {
        "token" => include_str!("events/example-apigw-custom-auth-request.json"),
        "request" => include_str!("events/example-apigw-custom-auth-request-type-request.json"),
        "v1" => include_str!("events/example-apigw-v2-custom-authorizer-v1-request.json"),
        "v2" => include_str!("events/example-apigw-v2-custom-authorizer-v2-request.json"),
        "response" => include_str!("events/example-apigw-custom-auth-response.json"),
        _ => unreachable!("no such event"),
    };
    serde_json::from_str(text).expect("the documented events are JSON")
}

/// The documented REST `TOKEN` event, for this token and route (`GET /orders/7`).
fn token_event(token: &str, route: &str) -> Value {
    let mut event = event("token");
    event["authorizationToken"] = format!("Bearer {token}").into();
    event["methodArn"] = format!("{PREFIX}{route}").into();
    event
}

/// The documented REST `REQUEST` event, the token in `Authorization`.
fn request_event(token: &str, route: &str) -> Value {
    let mut event = event("request");
    event["headers"]["Authorization"] = format!("Bearer {token}").into();
    event["methodArn"] = format!("{PREFIX}{route}").into();
    event
}

/// The documented HTTP API payload 2.0 event, the token in `authorization`.
fn http_event(token: &str, route_key: &str, route: &str) -> Value {
    let mut event = event("v2");
    event["headers"]["authorization"] = format!("Bearer {token}").into();
    event["routeKey"] = route_key.into();
    event["routeArn"] = format!("{PREFIX}{route}").into();
    event
}

fn shop_rules() -> RuleSet {
    Rules::new()
        .route("DELETE /orders/*", Require::group("admin"))
        .route("* /orders/*", Require::any_group(["admin", "staff"]))
        .allow("GET /me")
        .route("* /admin/*", Require::group("admin"))
        .build()
        .expect("valid rules")
}

struct Shop {
    issuer: LocalIssuer,
    authorizer: Authorizer,
}

fn shop() -> Shop {
    let issuer = LocalIssuer::start().expect("local issuer");
    let authorizer = Authorizer::new(Verifier::from(issuer.user_pool()), shop_rules());
    Shop { issuer, authorizer }
}

/// API Gateway's evaluation of an authorizer policy for a request ARN: an explicit `Deny`
/// wins, then an `Allow`; resources match with `*` standing for any run of characters.
/// Written apart from the crate's matcher on purpose.
fn iam_allows(answer: &Value, arn: &str) -> bool {
    fn wildcard(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => wildcard(rest, s) || (!s.is_empty() && wildcard(p, &s[1..])),
            Some((c, rest)) => s.first() == Some(c) && wildcard(rest, &s[1..]),
        }
    }
    let statements = answer["policyDocument"]["Statement"]
        .as_array()
        .expect("a statement list");
    let applies = |statement: &Value| {
        statement["Action"] == json!(["execute-api:Invoke"])
            && statement["Resource"]
                .as_array()
                .expect("a resource list")
                .iter()
                .any(|r| wildcard(r.as_str().unwrap_or("").as_bytes(), arn.as_bytes()))
    };
    if statements
        .iter()
        .any(|s| s["Effect"] == "Deny" && applies(s))
    {
        return false;
    }
    statements
        .iter()
        .any(|s| s["Effect"] == "Allow" && applies(s))
}

/// Each route of the shop and who the rules let call it: admin, staff, nobody-in-a-group.
const SHOP_ROUTES: &[(&str, [bool; 3])] = &[
    ("GET/me", [true, true, true]),
    ("GET/orders/7", [true, true, false]),
    ("POST/orders/7/items", [true, true, false]),
    ("DELETE/orders/7", [true, false, false]),
    ("DELETE/orders/", [true, false, false]),
    ("GET/admin/users", [true, false, false]),
    // As in IAM, the `*` of `* /orders/*` also stands for `DELETE/admin`: that rule decides.
    ("DELETE/admin/orders/1", [true, true, false]),
    ("DELETE/admin/x", [true, false, false]),
    ("GET/orders", [false, false, false]),
    ("GET/reports", [false, false, false]),
    ("GET/", [false, false, false]),
    ("GET/me/", [false, false, false]),
];

#[tokio::test]
async fn a_policy_cached_for_one_route_never_grants_a_route_the_rules_deny() {
    let shop = shop();
    let users = [
        shop.issuer
            .id_token()
            .username("alice")
            .groups(["admin"])
            .sign(),
        shop.issuer
            .id_token()
            .username("bob")
            .groups(["staff"])
            .sign(),
        shop.issuer.id_token().username("carol").sign(),
    ];
    for (who, token) in users.iter().enumerate() {
        for (asked, _) in SHOP_ROUTES {
            // The answer to the first route asked, as API Gateway caches it...
            let answer = shop
                .authorizer
                .handle(token_event(token, asked))
                .await
                .expect("a policy");
            // ...replayed for every other route the same token calls.
            for (replayed, allowed) in SHOP_ROUTES {
                assert_eq!(
                    iam_allows(&answer, &format!("{PREFIX}{replayed}")),
                    allowed[who],
                    "user {who}: policy for {asked} replayed for {replayed}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_policy_lists_every_route_the_user_may_call_not_just_the_one_asked() {
    let shop = shop();
    let bob = shop
        .issuer
        .id_token()
        .username("bob")
        .groups(["staff"])
        .sign();
    let answer = shop
        .authorizer
        .handle(request_event(&bob, "GET/me"))
        .await
        .expect("a policy");
    let statements = &answer["policyDocument"]["Statement"];
    assert_eq!(statements[0]["Effect"], "Allow");
    assert_eq!(
        statements[0]["Resource"],
        json!([format!("{PREFIX}*/orders/*"), format!("{PREFIX}GET/me")])
    );
    // The wider Allow of `* /orders/*` would grant DELETE: denied explicitly.
    assert_eq!(statements[1]["Effect"], "Deny");
    assert_eq!(
        statements[1]["Resource"],
        json!([format!("{PREFIX}DELETE/orders/*")])
    );
    assert_eq!(statements.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_route_no_rule_matches_is_denied_by_default_and_allowed_when_configured() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let token = issuer.id_token().username("dave").sign();
    let deny = Authorizer::new(
        Verifier::from(issuer.user_pool()),
        Rules::new().allow("GET /me").build().expect("valid rules"),
    );
    let answer = deny
        .handle(token_event(&token, "GET/unknown"))
        .await
        .expect("a policy");
    assert!(!iam_allows(&answer, &format!("{PREFIX}GET/unknown")));
    assert!(iam_allows(&answer, &format!("{PREFIX}GET/me")));

    let nothing = Authorizer::new(
        Verifier::from(issuer.user_pool()),
        Rules::new().build().expect("valid rules"),
    );
    let answer = nothing
        .handle(token_event(&token, "GET/me"))
        .await
        .expect("a policy");
    assert_eq!(
        answer["policyDocument"]["Statement"],
        json!([{"Action": ["execute-api:Invoke"], "Effect": "Deny", "Resource": [format!("{PREFIX}*")]}])
    );

    let allow = Authorizer::new(
        Verifier::from(issuer.user_pool()),
        Rules::new()
            .route("* /admin/*", Require::group("admin"))
            .otherwise_allow()
            .build()
            .expect("valid rules"),
    );
    let answer = allow
        .handle(token_event(&token, "GET/unknown"))
        .await
        .expect("a policy");
    assert!(iam_allows(&answer, &format!("{PREFIX}GET/unknown")));
    assert!(!iam_allows(&answer, &format!("{PREFIX}GET/admin/x")));
}

#[tokio::test]
async fn unknown_http_api_route_keys_get_the_default() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let token = issuer.id_token().username("erin").groups(["admin"]).sign();
    let rules = || Rules::new().route("GET /orders/{id}", Require::group("admin"));
    let strict = Authorizer::new(
        Verifier::from(issuer.user_pool()),
        rules().build().expect("valid"),
    )
    .simple_responses(SimpleResponseCache::Disabled);
    for key in [
        "$default",
        "GET /elsewhere",
        "GET",
        "get /orders/{id}",
        "",
        "GET orders",
    ] {
        let answer = strict
            .handle(http_event(&token, key, "GET/elsewhere"))
            .await
            .expect("a simple response");
        assert_eq!(answer["isAuthorized"], false, "{key:?}");
    }
    let known = strict
        .handle(http_event(&token, "GET /orders/{id}", "GET/orders/1"))
        .await
        .expect("a simple response");
    assert_eq!(known["isAuthorized"], true);

    let open = Authorizer::new(
        Verifier::from(issuer.user_pool()),
        rules().otherwise_allow().build().expect("valid"),
    )
    .simple_responses(SimpleResponseCache::Disabled);
    let answer = open
        .handle(http_event(&token, "$default", "GET/x"))
        .await
        .expect("a simple response");
    assert_eq!(answer["isAuthorized"], true);
}

#[tokio::test]
async fn malformed_method_arns_are_errors_not_policies() {
    let shop = shop();
    let token = shop.issuer.id_token().groups(["admin"]).sign();
    for arn in [
        json!(null),
        json!(7),
        json!(""),
        json!("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET"),
        json!("arn:aws:execute-api:us-east-1:123456789012:*/test/GET/orders"),
        json!("arn:aws:execute-api:us-east-1:*:s4x3opwd6i/test/GET/orders"),
        json!("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*/orders"),
        json!("arn:aws:s3:::bucket/test/GET/orders"),
        json!("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/get/orders"),
    ] {
        let mut event = token_event(&token, "GET/orders/1");
        event["methodArn"] = arn.clone();
        let error = shop.authorizer.handle(event).await.expect_err("no policy");
        assert_eq!(error.kind(), AuthorizerErrorKind::MalformedEvent, "{arn}");
        assert_ne!(error.to_string(), "Unauthorized");
    }
}

#[tokio::test]
async fn events_of_no_authorizer_shape_are_errors_without_panicking() {
    let shop = shop();
    for event in [
        json!(null),
        json!([]),
        json!({}),
        json!({"type": "OTHER"}),
        json!({"type": "TOKEN", "authorizationToken": 7, "methodArn": format!("{PREFIX}GET/")}),
        json!({"type": "REQUEST", "headers": "text", "methodArn": format!("{PREFIX}GET/")}),
        json!({"type": "REQUEST", "headers": {"Authorization": "Bearer \u{7}"}, "methodArn": format!("{PREFIX}GET/")}),
        json!({"version": "2.0", "headers": [1, 2]}),
        json!({"version": "2.0", "routeArn": {"a": 1}}),
    ] {
        let error = shop
            .authorizer
            .handle(event.clone())
            .await
            .expect_err("no answer");
        assert_eq!(error.kind(), AuthorizerErrorKind::MalformedEvent, "{event}");
    }
}

#[tokio::test]
async fn missing_malformed_forged_and_expired_tokens_are_unauthorized() {
    let shop = shop();
    let issuer = &shop.issuer;
    let route = "GET/me";
    let mut missing = event("token");
    missing["methodArn"] = format!("{PREFIX}{route}").into();
    missing
        .as_object_mut()
        .map(|e| e.remove("authorizationToken"));
    let mut no_header = event("request");
    no_header["methodArn"] = format!("{PREFIX}{route}").into();
    let mut basic = request_event("x", route);
    basic["headers"]["Authorization"] = "Basic dXNlcjpwYXNz".into();
    let mut empty_bearer = token_event("", route);
    empty_bearer["authorizationToken"] = "Bearer ".into();
    let cases = [
        ("missing authorizationToken", missing),
        ("no Authorization header", no_header),
        ("Basic scheme", basic),
        ("empty Bearer", empty_bearer),
        ("not a JWT", token_event("not-a-jwt", route)),
        (
            "expired",
            token_event(&issuer.id_token().expired().sign(), route),
        ),
        (
            "unknown key",
            token_event(&issuer.id_token().other_key().sign(), route),
        ),
        (
            "wrong issuer",
            token_event(&issuer.id_token().wrong_issuer().sign(), route),
        ),
        (
            "wrong client",
            token_event(&issuer.id_token().client_id("other").sign(), route),
        ),
        (
            "alg none",
            token_event(&issuer.id_token().alg_none().sign(), route),
        ),
    ];
    for (what, event) in cases {
        let error = shop.authorizer.handle(event).await.expect_err(what);
        assert_eq!(error.kind(), AuthorizerErrorKind::Unauthorized, "{what}");
        assert_eq!(error.to_string(), "Unauthorized", "{what}");
    }
}

#[tokio::test]
async fn a_bare_token_without_bearer_is_accepted_as_api_gateway_does() {
    let shop = shop();
    let token = shop.issuer.id_token().username("alice").sign();
    let mut event = token_event(&token, "GET/me");
    event["authorizationToken"] = token.clone().into();
    let answer = shop.authorizer.handle(event).await.expect("a policy");
    assert!(iam_allows(&answer, &format!("{PREFIX}GET/me")));
}

#[tokio::test]
async fn a_valid_token_without_the_group_gets_a_policy_denying_the_route() {
    let shop = shop();
    let bob = shop
        .issuer
        .id_token()
        .username("bob")
        .groups(["staff"])
        .sign();
    let answer = shop
        .authorizer
        .handle(token_event(&bob, "DELETE/orders/7"))
        .await
        .expect("a policy, which API Gateway answers with 403");
    assert!(!iam_allows(&answer, &format!("{PREFIX}DELETE/orders/7")));
    assert_eq!(answer["principalId"], answer["context"]["sub"]);
}

#[tokio::test]
async fn unreachable_keys_are_an_error_api_gateway_answers_with_500() {
    let issuer = LocalIssuer::start().expect("local issuer");
    issuer.set_jwks_behaviour(JwksBehaviour::Status(503));
    let authorizer = Authorizer::new(Verifier::from(issuer.user_pool()), shop_rules());
    let token = issuer.id_token().groups(["admin"]).sign();
    let error = authorizer
        .handle(token_event(&token, "GET/me"))
        .await
        .expect_err("no policy without keys");
    assert_eq!(error.kind(), AuthorizerErrorKind::KeysUnavailable);
    assert_ne!(error.to_string(), "Unauthorized");
    assert!(error.verification_error().is_some());
}

#[tokio::test]
async fn the_context_carries_sub_username_groups_and_scopes_as_strings() {
    let shop = shop();
    let id = shop
        .issuer
        .id_token()
        .username("alice")
        .sub("0f8c1d6e-1111-2222-3333-444455556666")
        .groups(["admin", "staff"])
        .sign();
    let answer = shop
        .authorizer
        .handle(token_event(&id, "GET/me"))
        .await
        .expect("a policy");
    let context = answer["context"].as_object().expect("a context object");
    assert!(context.values().all(Value::is_string), "{context:?}");
    assert_eq!(context["sub"], "0f8c1d6e-1111-2222-3333-444455556666");
    assert_eq!(context["username"], "alice");
    assert_eq!(context["groups"], "admin staff");
    assert_eq!(context["scopes"], "");
    assert_eq!(context["token_use"], "id");
    assert_eq!(
        answer["principalId"],
        "0f8c1d6e-1111-2222-3333-444455556666"
    );

    let access = shop
        .issuer
        .access_token()
        .username("bob")
        .scopes(["orders/read", "orders/write"])
        .sign();
    let answer = shop
        .authorizer
        .handle(token_event(&access, "GET/me"))
        .await
        .expect("a policy");
    assert_eq!(answer["context"]["scopes"], "orders/read orders/write");
    assert_eq!(answer["context"]["groups"], "");
    assert_eq!(answer["context"]["token_use"], "access");
    assert_eq!(answer["context"]["client_id"], shop.issuer.client_id());
}

#[tokio::test]
async fn rest_answers_serialize_to_the_documented_policy_format() {
    let shop = shop();
    let token = shop.issuer.id_token().groups(["admin"]).sign();
    let typed = shop
        .authorizer
        .rest_token(&serde_json::from_value(token_event(&token, "GET/me")).expect("a TOKEN event"))
        .await
        .expect("a policy");
    let answer = serde_json::to_value(&typed).expect("serializable");
    let documented = event("response");
    // The documented answer's keys, and the statement keys, spelled the same.
    for key in ["principalId", "policyDocument", "context"] {
        assert!(
            answer.get(key).is_some() && documented.get(key).is_some(),
            "{key}"
        );
    }
    assert_eq!(
        answer["policyDocument"]["Version"],
        documented["policyDocument"]["Version"]
    );
    let mut statement_keys: Vec<_> = answer["policyDocument"]["Statement"][0]
        .as_object()
        .expect("a statement")
        .keys()
        .collect();
    let mut documented_keys: Vec<_> = documented["policyDocument"]["Statement"][0]
        .as_object()
        .expect("a statement")
        .keys()
        .collect();
    statement_keys.sort();
    documented_keys.sort();
    assert_eq!(statement_keys, documented_keys);
    // And it reads back as the answer type API Gateway's format is modelled by.
    let back: ApiGatewayCustomAuthorizerResponse =
        serde_json::from_value(answer).expect("reads back");
    assert_eq!(back, typed);
}

#[tokio::test]
async fn http_api_answers_are_policies_by_default_and_simple_responses_when_asked() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let token = issuer
        .access_token()
        .username("bob")
        .groups(["staff"])
        .sign();
    let verifier = Verifier::from(issuer.user_pool().token_use(TokenUse::Access));

    let policy = Authorizer::new(verifier.clone(), shop_rules());
    let answer = policy
        .handle(http_event(&token, "DELETE /orders/{id}", "DELETE/orders/7"))
        .await
        .expect("a policy");
    assert!(!iam_allows(&answer, &format!("{PREFIX}DELETE/orders/7")));
    assert!(iam_allows(&answer, &format!("{PREFIX}GET/orders/7")));
    let typed: ApiGatewayV2CustomAuthorizerIamPolicyResponse =
        serde_json::from_value(answer.clone()).expect("the IAM policy answer format");
    assert_eq!(
        typed.principal_id.as_deref(),
        answer["context"]["sub"].as_str()
    );

    let simple =
        Authorizer::new(verifier, shop_rules()).simple_responses(SimpleResponseCache::PerRoute);
    let mut event = http_event(&token, "DELETE /orders/{id}", "DELETE/orders/7");
    event["identitySource"] = json!([format!("Bearer {token}"), "DELETE /orders/{id}"]);
    let answer = simple.handle(event).await.expect("a simple response");
    assert_eq!(answer.as_object().map(|o| o.len()), Some(2), "{answer}");
    assert_eq!(answer["isAuthorized"], false);
    assert_eq!(answer["context"]["groups"], "staff");
    let typed: ApiGatewayV2CustomAuthorizerSimpleResponse =
        serde_json::from_value(answer).expect("the simple answer format");
    assert!(!typed.is_authorized);

    let mut event = http_event(&token, "GET /orders/{id}", "GET/orders/7");
    event["identitySource"] = json!([format!("Bearer {token}"), "GET /orders/{id}"]);
    let typed = simple
        .http_api(&serde_json::from_value(event).expect("a payload 2.0 event"))
        .await
        .expect("a simple response");
    assert!(matches!(typed, HttpApiResponse::Simple(ref s) if s.is_authorized));
}

#[tokio::test]
async fn simple_responses_cached_without_the_route_key_are_refused() {
    let shop = shop();
    let authorizer = shop
        .authorizer
        .clone()
        .simple_responses(SimpleResponseCache::PerRoute);
    let token = shop.issuer.id_token().groups(["admin"]).sign();
    // The documented event's identity sources: a header and a query value, no route key.
    let error = authorizer
        .handle(http_event(&token, "GET /orders/{id}", "GET/orders/7"))
        .await
        .expect_err("an answer other routes would reuse");
    assert_eq!(error.kind(), AuthorizerErrorKind::Misconfigured);
}

#[tokio::test]
async fn http_api_payload_1_events_get_a_policy() {
    let shop = shop();
    let token = shop.issuer.id_token().groups(["staff"]).sign();
    let mut event = event("v1");
    event["headers"]["Authorization"] = format!("Bearer {token}").into();
    event["methodArn"] = format!("{PREFIX}GET/orders/3").into();
    let answer = shop.authorizer.handle(event).await.expect("a policy");
    assert!(iam_allows(&answer, &format!("{PREFIX}GET/orders/3")));
    assert!(!iam_allows(&answer, &format!("{PREFIX}DELETE/orders/3")));
}

#[tokio::test]
async fn the_console_test_stage_wildcard_is_kept_in_every_resource() {
    let shop = shop();
    let token = shop.issuer.id_token().sign();
    let mut event = event("token");
    event["authorizationToken"] = token.into();
    let answer = shop.authorizer.handle(event).await.expect("a policy");
    assert_eq!(
        answer["policyDocument"]["Statement"][0]["Resource"],
        json!(["arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/me"])
    );
}

#[tokio::test]
async fn an_embedded_key_set_verifies_the_first_token_without_a_network_call() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let jwks = Jwks::from_json(&issuer.jwks_json()).expect("a key set");
    let authorizer = Authorizer::new(Verifier::from(issuer.user_pool().jwks(jwks)), shop_rules());
    let token = issuer.id_token().groups(["admin"]).sign();
    let answer = authorizer
        .handle(token_event(&token, "GET/me"))
        .await
        .expect("a policy");
    assert!(iam_allows(&answer, &format!("{PREFIX}GET/me")));
    assert_eq!(issuer.jwks_requests(), 0);
}

#[tokio::test]
async fn keys_hydrated_at_init_serve_the_first_event_without_a_fetch() {
    let shop = shop();
    shop.authorizer.verifier().hydrate().await.expect("keys");
    assert_eq!(shop.issuer.jwks_requests(), 1);
    let token = shop.issuer.id_token().sign();
    shop.authorizer
        .handle(token_event(&token, "GET/me"))
        .await
        .expect("a policy");
    assert_eq!(shop.issuer.jwks_requests(), 1);
}

#[tokio::test]
async fn tokens_appear_in_no_error_or_debug_output() {
    let shop = shop();
    let expired = shop.issuer.id_token().expired().sign();
    let error = shop
        .authorizer
        .handle(token_event(&expired, "GET/me"))
        .await
        .expect_err("expired");
    let signature = expired.rsplit('.').next().unwrap_or_default();
    for output in [
        format!("{error}"),
        format!("{error:?}"),
        format!("{:?}", shop.authorizer),
    ] {
        assert!(!output.contains(signature), "{output}");
    }
}

#[test]
fn rule_sets_no_policy_can_express_for_any_user_are_refused() {
    let error = Rules::new()
        .allow("GET /public/*")
        .deny("* /*/secret")
        .otherwise_allow()
        .build()
        .expect_err("the Deny of `* /*/secret` would refuse GET /public/x/secret");
    assert_eq!(error.route(), "* /*/secret");
    // Reordered, the rules say what a policy can.
    assert!(
        Rules::new()
            .deny("* /*/secret")
            .allow("GET /public/*")
            .otherwise_allow()
            .build()
            .is_ok()
    );
}

#[test]
fn malformed_route_patterns_are_refused_at_build() {
    for route in [
        "GET",
        "GET orders",
        "get /orders",
        "GET /orders?x",
        "GET /a b",
        "GET /{x",
    ] {
        let error = Rules::new().allow(route).build().expect_err(route);
        assert_eq!(error.route(), route);
    }
}

#[tokio::test]
async fn where_iam_cannot_follow_an_earlier_grant_the_policy_is_narrower_never_wider() {
    let issuer = LocalIssuer::start().expect("local issuer");
    // Staff may read their own orders; only admins the others; everyone the rest. For staff,
    // the Deny of `GET /orders/*` (needed against the later `* /*`) also covers
    // `GET /orders/mine`, and IAM's explicit Deny wins.
    let rules = Rules::new()
        .route("GET /orders/mine", Require::group("staff"))
        .route("GET /orders/*", Require::group("admin"))
        .allow("* /*")
        .build()
        .expect("no rule conflicts for every user");
    let authorizer = Authorizer::new(Verifier::from(issuer.user_pool()), rules);
    let staff = issuer.id_token().groups(["staff"]).sign();
    let answer = authorizer
        .handle(token_event(&staff, "GET/orders/mine"))
        .await
        .expect("a policy");
    assert!(
        !iam_allows(&answer, &format!("{PREFIX}GET/orders/mine")),
        "narrower"
    );
    assert!(
        !iam_allows(&answer, &format!("{PREFIX}GET/orders/7")),
        "never wider"
    );
    assert!(iam_allows(&answer, &format!("{PREFIX}POST/orders/7")));
}
