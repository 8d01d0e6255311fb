//! Helpers shared by the integration tests: one local issuer, an echo handler, and a way to
//! send a request through an initialised app and read the whole answer.

#![allow(dead_code, unreachable_pub)]

use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderMap, WWW_AUTHENTICATE};
use actix_web::test::{self, TestRequest};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use cognito_actix::{Authentication, CognitoAuth};
use cognito_core::test_util::LocalIssuer;

pub static ISSUER: LazyLock<LocalIssuer> = LazyLock::new(|| LocalIssuer::start().unwrap());

/// A middleware for the shared issuer (a fresh verifier per test: each test has its runtime).
pub fn auth() -> CognitoAuth {
    CognitoAuth::new(ISSUER.user_pool())
}

/// Answers with who the request is, as the middleware left it in the extensions.
pub async fn whoami(req: HttpRequest) -> HttpResponse {
    let body = match req.extensions().get::<Authentication>() {
        Some(Authentication::Verified(claims)) => {
            format!("user:{}", claims.username().unwrap_or_default())
        }
        Some(Authentication::Anonymous) => "anonymous".to_owned(),
        None => "no auth middleware".to_owned(),
    };
    HttpResponse::Ok().body(body)
}

pub fn get(uri: &str) -> TestRequest {
    TestRequest::get().uri(uri)
}

pub fn bearer(token: &str) -> TestRequest {
    with_bearer(get("/"), token)
}

pub fn with_bearer(req: TestRequest, token: &str) -> TestRequest {
    req.insert_header((AUTHORIZATION, format!("Bearer {token}")))
}

pub fn anonymous() -> TestRequest {
    get("/")
}

#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub challenge: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The value of header `name`, or "" when absent.
    pub fn header(&self, name: impl actix_web::http::header::AsHeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }
}

pub async fn send<S, B>(app: &S, req: TestRequest) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, req.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = test::read_body(response).await;
    Answer {
        status,
        challenge: headers
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned()),
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

/// The challenge of a 401 for a token that does not verify.
pub fn invalid_token(description: &str) -> String {
    format!("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{description}\"")
}

/// The challenge of a 400 for malformed credentials (RFC 6750 `invalid_request`).
pub const INVALID_REQUEST: &str = "Bearer realm=\"api\", error=\"invalid_request\", \
     error_description=\"the request's credentials are malformed\"";
