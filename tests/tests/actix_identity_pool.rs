//! The actix `AwsCredentials` extractor, against a fake identity endpoint.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, test, web};
use cognito_actix::{AwsCredentials, CognitoAuth, IdentityPoolData, TokenSource};
use cognito_core::Verifier;
use cognito_core::identity_pool::{CredentialExchange, IdentityPool};
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{IdentityAnswer, IdentityEndpoint};

const POOL: &str = "us-east-1:0a1b2c3d-1234-5678-9abc-def012345678";
const HOUR: Duration = Duration::from_secs(3600);

async fn whoami(credentials: AwsCredentials) -> HttpResponse {
    HttpResponse::Ok().body(credentials.identity_id().to_owned())
}

fn exchange(endpoint: &IdentityEndpoint) -> CredentialExchange {
    IdentityPool::new(POOL)
        .unwrap()
        .endpoint(&endpoint.url)
        .unwrap()
        .timeouts(Duration::from_millis(500), Duration::from_secs(2))
        .build()
}

fn bearer(token: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri("/whoami")
        .insert_header(("authorization", format!("Bearer {token}")))
}

/// One exchange per ID token; a new token of the same user reuses the identity id (no `GetId`)
/// but gets its own `GetCredentialsForIdentity`.
#[actix_web::test]
async fn verified_id_token_gets_credentials_once_per_token_and_identity_once_per_user() {
    let issuer = LocalIssuer::start().unwrap();
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let app = test::init_service(
        App::new()
            .app_data(IdentityPoolData::new(exchange(&fake)))
            .wrap(CognitoAuth::new(issuer.user_pool()))
            .route("/whoami", web::get().to(whoami)),
    )
    .await;
    let token = issuer.id_token().username("alice").sign();
    for _ in 0..3 {
        let response = test::call_service(&app, bearer(&token).to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = test::read_body(response).await;
        assert!(body.starts_with(b"us-east-1:"), "{body:?}");
    }
    assert_eq!(fake.count("GetId"), 1);
    assert_eq!(fake.count("GetCredentialsForIdentity"), 1);

    let first = test::read_body(test::call_service(&app, bearer(&token).to_request()).await).await;
    let new_token = issuer.id_token().username("alice").sign();
    assert_ne!(new_token, token);
    for _ in 0..3 {
        let response = test::call_service(&app, bearer(&new_token).to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            test::read_body(response).await,
            first,
            "one identity per user"
        );
    }
    assert_eq!(fake.count("GetId"), 1, "{:?}", fake.calls());
    assert_eq!(
        fake.count("GetCredentialsForIdentity"),
        2,
        "the new token is exchanged once: {:?}",
        fake.calls()
    );
    let last = fake.calls().pop().unwrap();
    assert_eq!(
        last.body["Logins"]
            .as_object()
            .map(|logins| logins.values().cloned().collect::<Vec<_>>()),
        Some(vec![serde_json::Value::from(new_token)])
    );
}

#[actix_web::test]
async fn refusals_and_outages_map_to_403_and_503() {
    let issuer = LocalIssuer::start().unwrap();
    let fake =
        IdentityEndpoint::start(IdentityAnswer::ServiceError(400, "NotAuthorizedException")).await;
    let app = test::init_service(
        App::new()
            .app_data(IdentityPoolData::new(exchange(&fake)))
            .wrap(CognitoAuth::new(issuer.user_pool()))
            .route("/whoami", web::get().to(whoami)),
    )
    .await;
    let token = issuer.id_token().sign();
    let refused = test::call_service(&app, bearer(&token).to_request()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.headers().get("www-authenticate").is_none());

    fake.answer(
        "GetId",
        IdentityAnswer::ServiceError(400, "TooManyRequestsException"),
    );
    let throttled = test::call_service(&app, bearer(&token).to_request()).await;
    assert_eq!(throttled.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(throttled.headers().get("retry-after").unwrap(), "10");
}

#[actix_web::test]
async fn access_token_needs_the_same_users_id_token() {
    let issuer = LocalIssuer::start().unwrap();
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let verifier = Verifier::from(issuer.user_pool());
    let source = TokenSource::header(actix_web::http::header::HeaderName::from_static(
        "x-id-token",
    ));
    let app = test::init_service(
        App::new()
            .app_data(
                IdentityPoolData::new(exchange(&fake)).id_token_from(source, verifier.clone()),
            )
            .wrap(CognitoAuth::new(verifier))
            .route("/whoami", web::get().to(whoami)),
    )
    .await;
    let access = issuer.access_token().username("bob").sign();
    let alone = test::call_service(&app, bearer(&access).to_request()).await;
    assert_eq!(alone.status(), StatusCode::FORBIDDEN);
    let body = test::read_body(alone).await;
    assert!(String::from_utf8_lossy(&body).contains("need an ID token"));

    let id = issuer.id_token().username("bob").sign();
    let paired = bearer(&access)
        .insert_header(("x-id-token", id))
        .to_request();
    assert_eq!(
        test::call_service(&app, paired).await.status(),
        StatusCode::OK
    );

    let someone_else = issuer.id_token().username("mallory").sign();
    let mismatched = bearer(&access)
        .insert_header(("x-id-token", someone_else))
        .to_request();
    assert_eq!(
        test::call_service(&app, mismatched).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        fake.count("GetId"),
        1,
        "only bob's verified ID token was exchanged"
    );
}

#[actix_web::test]
async fn anonymous_requests_without_guests_are_401_and_missing_app_data_is_500() {
    let issuer = LocalIssuer::start().unwrap();
    let fake = IdentityEndpoint::start(IdentityAnswer::Credentials(HOUR)).await;
    let app = test::init_service(
        App::new()
            .app_data(IdentityPoolData::new(exchange(&fake)))
            .wrap(CognitoAuth::new(issuer.user_pool()).optional())
            .route("/whoami", web::get().to(whoami)),
    )
    .await;
    let anonymous = test::TestRequest::get().uri("/whoami").to_request();
    assert_eq!(
        test::call_service(&app, anonymous).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(fake.total(), 0);

    let without_data = test::init_service(
        App::new()
            .wrap(CognitoAuth::new(issuer.user_pool()))
            .route("/whoami", web::get().to(whoami)),
    )
    .await;
    let token = issuer.id_token().sign();
    let response = test::call_service(&without_data, bearer(&token).to_request()).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
