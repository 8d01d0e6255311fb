//! The table through actix-web: the app as an `App` behind `cognito_actix::CognitoAuth`, with
//! `/admin` behind the `require` middleware, served by `HttpServer` with one worker. Its own rows
//! are those of `/dashboard`, a resource chosen by a guard: non-members of the group fall through
//! to the member view instead of being refused.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, HttpServer, web};
use cognito_actix::{AccessToken, Claims, CognitoAuth, Require, Verifier, guard, require};
use cognito_core::TokenUse::{Access, Id};
use cognito_integration_tests::ActixServer;

use crate::app::{self, Profile};
use crate::cases::App::{AccessOnly, Main};
use crate::cases::{
    BAD_SIGNATURE, Bearer, Case, Expect, Forgery, Holder::Alice, Holder::Bob, TOKEN_EXPIRED,
    WRONG_USE, case, genuine,
};
use crate::driver::{Framework, Served};

async fn me(claims: Claims<Profile>) -> HttpResponse {
    HttpResponse::Ok().json(app::me(&claims))
}

async fn admin(claims: Claims) -> String {
    app::admin(&claims)
}

async fn access(token: AccessToken) -> HttpResponse {
    HttpResponse::Ok().json(app::access(&token))
}

async fn dashboard(claims: Claims) -> String {
    format!("admin dashboard: {}", claims.username().unwrap_or_default())
}

async fn member_dashboard() -> &'static str {
    "member dashboard"
}

fn actix_app(
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
        .wrap(CognitoAuth::new(verifier))
        .route("/me", web::get().to(me))
        .service(
            web::resource("/admin")
                .wrap(require(Require::group("admin")))
                .route(web::get().to(admin)),
        )
        .route("/access", web::get().to(access))
        .service(
            web::resource("/dashboard")
                .guard(guard::group("admin"))
                .route(web::get().to(dashboard)),
        )
        .route("/dashboard", web::get().to(member_dashboard))
}

const ADMIN_DASHBOARD: Expect = Expect::Text("admin dashboard: alice");
const MEMBER_DASHBOARD: Expect = Expect::Text("member dashboard");

#[rustfmt::skip]
const GUARD_CASES: &[Case] = &[
    case("the guard lets a group member's ID token through", Main, "/dashboard", genuine(Alice, Id), ADMIN_DASHBOARD),
    case("the guard lets a group member's access token through", Main, "/dashboard", genuine(Alice, Access), ADMIN_DASHBOARD),
    case("the guard sends an ID token outside the group on to the member route", Main, "/dashboard", genuine(Bob, Id), MEMBER_DASHBOARD),
    case("the guard sends an access token outside the group on to the member route", Main, "/dashboard", genuine(Bob, Access), MEMBER_DASHBOARD),
    case("a guarded route refuses an ID token given the admin group", Main, "/dashboard", Bearer::Forged(Bob, Id, Forgery::JoinAdminGroup), BAD_SIGNATURE),
    case("a guarded route of an access-only pool refuses an ID token", AccessOnly, "/dashboard", genuine(Alice, Id), WRONG_USE),
];

#[rustfmt::skip]
const GUARD_EXPIRED: &[Case] = &[
    case("a guarded route refuses an expired ID token", Main, "/dashboard", genuine(Alice, Id), TOKEN_EXPIRED),
];

pub(crate) struct Actix;

impl Framework for Actix {
    const NAME: &'static str = "actix-web";
    const OWN_CASES: &'static [Case] = GUARD_CASES;
    const OWN_EXPIRED: &'static [Case] = GUARD_EXPIRED;
    type Server = ActixServer;

    async fn serve(verifier: Verifier) -> ActixServer {
        ActixServer::start(HttpServer::new(move || actix_app(verifier.clone())))
    }
}

impl Served for ActixServer {
    fn base(&self) -> &str {
        ActixServer::base(self)
    }

    async fn stop(self) {
        ActixServer::stop(self).await;
    }
}

tests_through!(Actix);
