//! The table through axum: the app as a `Router` behind `CognitoAuth`, with `/admin` behind the
//! `require` route layer, served by `axum::serve`.

use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_integration_tests::AxumServer;
use serde_json::Value;

use crate::app::{self, Profile};
use crate::cases::Case;
use crate::driver::{Framework, Served};

async fn me(claims: Claims<Profile>) -> Json<Value> {
    Json(app::me(&claims))
}

async fn admin(claims: Claims) -> String {
    app::admin(&claims)
}

async fn access(token: AccessToken) -> Json<Value> {
    Json(app::access(&token))
}

fn router(verifier: Verifier) -> Router {
    Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(require(Require::group("admin"))),
        )
        .route("/access", get(access))
        .layer(CognitoAuth::new(verifier))
}

pub(crate) struct Axum;

impl Framework for Axum {
    const NAME: &'static str = "axum";
    const OWN_CASES: &'static [Case] = &[];
    const OWN_EXPIRED: &'static [Case] = &[];
    type Server = AxumServer;

    async fn serve(verifier: Verifier) -> AxumServer {
        AxumServer::start(router(verifier)).await
    }
}

impl Served for AxumServer {
    fn base(&self) -> &str {
        AxumServer::base(self)
    }

    async fn stop(self) {
        // Dropping it stops it.
    }
}

tests_through!(Axum);
