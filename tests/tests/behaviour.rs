//! The behaviour table (`cognito_integration_tests::behaviour`) through each adapter: the Tower
//! layer of cognito-tower on an echo service, and the actix-web middleware of cognito-actix on
//! an echo handler. Each driver only translates a row's setup into its framework's builder and
//! its request into the framework's request; what the answer must be is the table's.

use std::convert::Infallible;

use cognito_core::rejection::BodyFormat;
use cognito_core::{Authentication, Verifier};
use cognito_integration_tests::behaviour::{
    self, Answer, Case, Driver, Issuers, Req, Setup, Source,
};

/// The body of the echo handlers: who the request is, as the auth layer left it.
fn whoami(authentication: Option<&Authentication>) -> String {
    match authentication {
        Some(Authentication::Verified(claims)) => {
            format!("user:{}", claims.username().unwrap_or_default())
        }
        Some(Authentication::Anonymous) => "anonymous".to_owned(),
        None => "no auth layer".to_owned(),
    }
}

/// The body of a custom renderer's answers.
fn custom_body(error: &cognito_core::Error) -> String {
    format!("{{\"message\":\"{}\"}}", error.status())
}

/// The query parameter `name` of a path and query.
fn query_parameter(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .map(str::to_owned)
}

/// An adapter's `CognitoAuth` for a setup: its door (a verifier, or a load balancer), the
/// custom renderer `$custom` when the setup asks for one, realm, body format, optional auth and
/// layer rule (both adapters' builders have these setters and constructors).
macro_rules! configure {
    ($auth:ident, $setup:expr, $verifier:expr, $custom:expr) => {{
        let setup: &Setup = $setup;
        let mut auth = match &setup.alb {
            Some(alb) => $auth::alb(alb.clone()),
            None => $auth::new($verifier),
        };
        if setup.custom_body {
            auth = auth.rejections(Rejections::default().custom($custom));
        }
        if let Some(realm) = setup.realm {
            auth = auth.realm(realm);
        }
        if setup.problem_json {
            auth = auth.problem_json();
        }
        if setup.optional {
            auth = auth.optional();
        }
        if let Some(rule) = &setup.layer_rule {
            auth = auth.require(rule.clone());
        }
        auth
    }};
}

mod tower_driver {
    use cognito_tower::{CognitoAuth, Rejections, TokenSource, require};
    use http::{HeaderName, HeaderValue, Request, Response};
    use http_body_util::BodyExt;
    use tower::Layer;
    use tower::util::BoxCloneService;
    use tower::{ServiceBuilder, ServiceExt, service_fn};

    use super::*;

    type Body = http_body_util::combinators::BoxBody<
        bytes::Bytes,
        Box<dyn std::error::Error + Send + Sync>,
    >;
    type Echo = BoxCloneService<Request<String>, Response<Body>, Infallible>;

    /// The Tower layer on an echo service.
    pub(super) struct Tower;

    async fn echo(req: Request<String>) -> Result<Response<String>, Infallible> {
        Ok(Response::new(whoami(req.extensions().get())))
    }

    fn boxed<S, B>(service: S) -> Echo
    where
        S: tower::Service<Request<String>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send,
        B: http_body::Body<Data = bytes::Bytes> + Send + Sync + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        BoxCloneService::new(
            service.map_response(|response| response.map(|body| body.map_err(Into::into).boxed())),
        )
    }

    fn layer(setup: &Setup, verifier: Verifier) -> CognitoAuth {
        let custom = |error: &cognito_core::Error, realm: &str| {
            let mut response = cognito_tower::default_response(error, realm, BodyFormat::PlainText);
            *response.body_mut() = custom_body(error).into();
            response
        };
        configure!(CognitoAuth, setup, verifier, custom).token_source(match setup.source {
            Source::Bearer => TokenSource::bearer(),
            Source::Cookie(name) => TokenSource::cookie(name),
            Source::Header(name) => TokenSource::header(HeaderName::from_static(name)),
            Source::Query(name) => {
                TokenSource::custom(move |_, uri| query_parameter(uri.query(), name))
            }
        })
    }

    fn app(setup: &Setup, verifier: Verifier) -> Echo {
        let echo = service_fn(echo);
        match (&setup.route_rule, setup.no_auth) {
            (Some(rule), true) => boxed(require(rule.clone()).layer(echo)),
            (Some(rule), false) => boxed(
                ServiceBuilder::new()
                    .layer(layer(setup, verifier))
                    .layer(require(rule.clone()))
                    .service(echo),
            ),
            (None, _) => boxed(layer(setup, verifier).layer(echo)),
        }
    }

    impl Driver for Tower {
        async fn answers(&self, case: &Case, verifier: Verifier) -> Vec<Answer> {
            let app = app(&case.setup, verifier);
            let mut answers = Vec::with_capacity(case.times);
            for _ in 0..case.times {
                answers.push(send(&app, &case.req).await);
            }
            answers
        }
    }

    async fn send(app: &Echo, req: &Req) -> Answer {
        let mut request = Request::get(req.path.as_str());
        for (name, value) in &req.headers {
            let value = HeaderValue::from_bytes(value.as_bytes()).expect("a header value");
            request = request.header(*name, value);
        }
        let request = request.body(String::new()).expect("a request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("the body").to_bytes();
        Answer {
            status: parts.status.as_u16(),
            headers: parts
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        v.to_str().unwrap_or("<bytes>").to_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }
}

mod actix_driver {
    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::http::header::{HeaderName, HeaderValue};
    use actix_web::test::{self, TestRequest};
    use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, web};
    use cognito_actix::{CognitoAuth, Rejections, TokenSource, require};

    use super::*;

    /// The actix-web middleware on an echo handler.
    pub(super) struct Actix;

    async fn echo(req: HttpRequest) -> HttpResponse {
        HttpResponse::Ok().body(whoami(req.extensions().get()))
    }

    fn middleware(setup: &Setup, verifier: Verifier) -> CognitoAuth {
        let custom = |error: &cognito_core::Error, realm: &str| {
            let response = cognito_actix::default_response(error, realm, BodyFormat::PlainText);
            response.set_body(custom_body(error)).map_into_boxed_body()
        };
        configure!(CognitoAuth, setup, verifier, custom).token_source(match setup.source {
            Source::Bearer => TokenSource::bearer(),
            Source::Cookie(name) => TokenSource::cookie(name),
            Source::Header(name) => TokenSource::header(HeaderName::from_static(name)),
            Source::Query(name) => {
                TokenSource::custom(move |req| query_parameter(Some(req.query_string()), name))
            }
        })
    }

    impl Driver for Actix {
        async fn answers(&self, case: &Case, verifier: Verifier) -> Vec<Answer> {
            let (setup, req, times) = (&case.setup, &case.req, case.times);
            let route = web::to(echo);
            match (&setup.route_rule, setup.no_auth) {
                (Some(rule), true) => {
                    let app = App::new()
                        .wrap(require(rule.clone()))
                        .default_service(route);
                    send_all(&test::init_service(app).await, req, times).await
                }
                (Some(rule), false) => {
                    let app = App::new()
                        .wrap(require(rule.clone()))
                        .wrap(middleware(setup, verifier))
                        .default_service(route);
                    send_all(&test::init_service(app).await, req, times).await
                }
                (None, _) => {
                    let app = App::new()
                        .wrap(middleware(setup, verifier))
                        .default_service(route);
                    send_all(&test::init_service(app).await, req, times).await
                }
            }
        }
    }

    async fn send_all<S, B>(app: &S, req: &Req, times: usize) -> Vec<Answer>
    where
        S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let mut answers = Vec::with_capacity(times);
        for _ in 0..times {
            let mut request = TestRequest::get().uri(&req.path);
            for (name, value) in &req.headers {
                let value = HeaderValue::from_bytes(value.as_bytes()).expect("a header value");
                request = request.append_header((*name, value));
            }
            let response = test::call_service(app, request.to_request()).await;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        v.to_str().unwrap_or("<bytes>").to_owned(),
                    )
                })
                .collect();
            let body = test::read_body(response).await;
            answers.push(Answer {
                status,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        answers
    }
}

#[tokio::test]
async fn the_tower_layer_answers_every_row_of_the_behaviour_table() {
    let issuers = Issuers::start();
    let rows = behaviour::check(&tower_driver::Tower, &issuers).await;
    assert!(rows >= 50, "{rows} rows");
}

#[actix_web::test]
async fn the_actix_middleware_answers_every_row_of_the_behaviour_table() {
    let issuers = Issuers::start();
    let rows = behaviour::check(&actix_driver::Actix, &issuers).await;
    assert!(rows >= 50, "{rows} rows");
}
