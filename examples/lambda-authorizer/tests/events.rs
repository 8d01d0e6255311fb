//! The example's handler fed API Gateway's documented authorizer events in each mode.

use cognito_core::Verifier;
use cognito_core::test_util::LocalIssuer;
use lambda_authorizer::{Mode, authorizer, handle};
use serde_json::{Value, json};

const REST_EVENT: &str = include_str!(
    "../../../cognito-lambda/tests/events/example-apigw-custom-auth-request-type-request.json"
);
const HTTP_EVENT: &str = include_str!(
    "../../../cognito-lambda/tests/events/example-apigw-v2-custom-authorizer-v2-request.json"
);
const PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/";

fn rest_event(token: &str, route: &str) -> Value {
    let mut event: Value = serde_json::from_str(REST_EVENT).expect("JSON");
    event["headers"]["Authorization"] = format!("Bearer {token}").into();
    event["methodArn"] = format!("{PREFIX}{route}").into();
    event
}

fn http_event(token: &str, route_key: &str, route: &str) -> Value {
    let mut event: Value = serde_json::from_str(HTTP_EVENT).expect("JSON");
    event["headers"]["authorization"] = format!("Bearer {token}").into();
    event["routeKey"] = route_key.into();
    event["routeArn"] = format!("{PREFIX}{route}").into();
    event["identitySource"] = json!([format!("Bearer {token}"), route_key]);
    event
}

fn resources(answer: &Value, effect: &str) -> Vec<String> {
    answer["policyDocument"]["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["Effect"] == effect)
        .flat_map(|s| s["Resource"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn rest_mode_answers_staff_with_every_order_route_and_denies_deleting() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let authorizer = authorizer(Verifier::from(issuer.user_pool()), Mode::Rest);
    let token = issuer.id_token().username("bob").groups(["staff"]).sign();
    let answer = handle(&authorizer, Mode::Rest, rest_event(&token, "GET/orders/7"))
        .await
        .expect("a policy");
    assert_eq!(
        resources(&answer, "Allow"),
        [format!("{PREFIX}*/orders/*"), format!("{PREFIX}GET/me")]
    );
    assert_eq!(
        resources(&answer, "Deny"),
        [format!("{PREFIX}DELETE/orders/*")]
    );
    assert_eq!(answer["context"]["username"], "bob");
}

#[tokio::test]
async fn rest_mode_refuses_an_expired_token_as_unauthorized_and_an_http_api_event() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let authorizer = authorizer(Verifier::from(issuer.user_pool()), Mode::Rest);
    let expired = issuer.id_token().expired().sign();
    let error = handle(&authorizer, Mode::Rest, rest_event(&expired, "GET/me"))
        .await
        .expect_err("expired");
    assert_eq!(error.to_string(), "Unauthorized");
    let token = issuer.id_token().sign();
    let error = handle(
        &authorizer,
        Mode::Rest,
        http_event(&token, "GET /me", "GET/me"),
    )
    .await
    .expect_err("an HTTP API event");
    assert_ne!(error.to_string(), "Unauthorized");
}

#[tokio::test]
async fn http_simple_mode_answers_is_authorized_per_route_key() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let authorizer = authorizer(Verifier::from(issuer.user_pool()), Mode::HttpSimple);
    let staff = issuer.id_token().groups(["staff"]).sign();
    let delete = handle(
        &authorizer,
        Mode::HttpSimple,
        http_event(&staff, "DELETE /orders/{id}", "DELETE/orders/7"),
    )
    .await
    .expect("a simple response");
    assert_eq!(delete["isAuthorized"], false);
    let read = handle(
        &authorizer,
        Mode::HttpSimple,
        http_event(&staff, "GET /orders/{id}", "GET/orders/7"),
    )
    .await
    .expect("a simple response");
    assert_eq!(read["isAuthorized"], true);
    assert_eq!(read["context"]["groups"], "staff");
}

#[tokio::test]
async fn http_mode_answers_a_cacheable_policy() {
    let issuer = LocalIssuer::start().expect("local issuer");
    let authorizer = authorizer(Verifier::from(issuer.user_pool()), Mode::Http);
    let admin = issuer.id_token().groups(["admin"]).sign();
    let answer = handle(
        &authorizer,
        Mode::Http,
        http_event(&admin, "GET /admin/users", "GET/admin/users"),
    )
    .await
    .expect("a policy");
    assert!(resources(&answer, "Allow").contains(&format!("{PREFIX}*/admin/*")));
    assert!(resources(&answer, "Deny").is_empty());
}

#[test]
fn the_mode_is_read_from_its_environment_value() {
    assert_eq!(Mode::from_env_value(None), Ok(Mode::Rest));
    assert_eq!(Mode::from_env_value(Some("http")), Ok(Mode::Http));
    assert_eq!(
        Mode::from_env_value(Some("http-simple")),
        Ok(Mode::HttpSimple)
    );
    assert!(Mode::from_env_value(Some("HTTP")).is_err());
}
