//! The quickstart API on actix-web: the same four routes, rules and answers as the axum
//! quickstart (`examples/quickstart`).
//!
//! - `/`: public;
//! - `/me`: any signed-in user, answers with the token's claims;
//! - `/admin`: members of the group `admin` only;
//! - `/reports`: access tokens with the scope `reports/read` only.
//!
//! With no configuration, [`Demo`] starts the embedded local issuer and mints tokens to try the
//! routes with; [`Config::from_env`] reads a real (or emulated) user pool instead.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, Responder, web};
use cognito_actix::{Claims, CognitoAuth, Require, TokenUse, Verifier, require};

/// The environment settings, the demo issuer and the printed commands are the axum
/// quickstart's: both apps answer them the same way.
pub use quickstart::{Config, Demo, DemoRequest, verifier_from_env};

/// The API, protected by `verifier`.
///
/// `CognitoAuth` is optional so that `/` stays public; `/me` refuses anonymous requests through
/// its [`Claims`] extractor, `/admin` and `/reports` through [`require`].
pub fn app(
    verifier: Verifier,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(CognitoAuth::new(verifier).optional())
        .route("/", web::get().to(public))
        .route("/me", web::get().to(me))
        .service(
            web::resource("/admin")
                .wrap(require(Require::group("admin")))
                .route(web::get().to(admin)),
        )
        .service(
            web::resource("/reports")
                .wrap(require(
                    Require::token_use(TokenUse::Access).and(Require::scope("reports/read")),
                ))
                .route(web::get().to(reports)),
        )
}

async fn public() -> &'static str {
    "hello: this route is public; /me, /admin and /reports need a token\n"
}

async fn me(claims: Claims) -> impl Responder {
    HttpResponse::Ok().json(claims)
}

async fn admin(claims: Claims) -> String {
    format!(
        "welcome to the admin area, {}\n",
        claims.username().unwrap_or(claims.sub())
    )
}

async fn reports(claims: Claims) -> String {
    format!(
        "reports for {}: 3 ready\n",
        claims.username().unwrap_or(claims.sub())
    )
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::test::{self, TestRequest};

    use super::*;

    fn get(path: &str, token: Option<&str>) -> TestRequest {
        let request = TestRequest::get().uri(path);
        match token {
            Some(token) => request.insert_header(("authorization", format!("Bearer {token}"))),
            None => request,
        }
    }

    /// Every printed command answers the status and body it is printed with.
    #[actix_web::test]
    async fn routes_answer_as_the_printed_commands_say() {
        let demo = Demo::start().unwrap();
        let service = test::init_service(app(demo.verifier())).await;
        for request in Demo::requests() {
            let token = request.token_var.and_then(|var| demo.token(var));
            let response =
                test::call_service(&service, get(request.path, token).to_request()).await;
            assert_eq!(
                response.status().as_u16(),
                request.status,
                "{}",
                request.what
            );
            let body = test::read_body(response).await;
            let body = String::from_utf8_lossy(&body);
            assert!(
                body.contains(request.body_contains),
                "{}: {body}",
                request.what
            );
        }
    }

    #[actix_web::test]
    async fn me_answers_the_claims_and_reports_name_the_scope_it_needs() {
        let demo = Demo::start().unwrap();
        let service = test::init_service(app(demo.verifier())).await;

        let req = get("/me", Some(&demo.admin_token)).to_request();
        let claims: serde_json::Value = test::call_and_read_body_json(&service, req).await;
        assert_eq!(claims["cognito:username"], "alice");
        assert_eq!(claims["email"], "alice@example.com");

        let no_scope = demo.issuer.access_token().username("bob").sign();
        let response =
            test::call_service(&service, get("/reports", Some(&no_scope)).to_request()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let challenge = response.headers().get("www-authenticate").unwrap();
        assert!(
            challenge
                .to_str()
                .unwrap()
                .ends_with(", scope=\"reports/read\""),
            "{challenge:?}"
        );
    }

    #[actix_web::test]
    async fn a_bad_token_is_refused_even_on_the_public_route() {
        let demo = Demo::start().unwrap();
        let service = test::init_service(app(demo.verifier())).await;
        let response =
            test::call_service(&service, get("/", Some("not.a.token")).to_request()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn instructions_export_every_token_and_print_every_request() {
        let demo = Demo::start().unwrap();
        let text = demo.instructions("http://127.0.0.1:3001");
        assert!(text.contains(&format!("export READER_TOKEN={}", demo.reader_token)));
        assert_eq!(text.matches("curl -i").count(), Demo::requests().len());
    }

    #[test]
    fn a_pool_id_without_client_id_is_a_named_configuration_error() {
        let config = Config {
            pool_id: "eu-west-1_AbCdEf123".into(),
            client_id: String::new(),
            jwks_url: None,
            issuer: None,
        };
        assert_eq!(config.verifier().unwrap_err().field(), "client_id");
    }
}
