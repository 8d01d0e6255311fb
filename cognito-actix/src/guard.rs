//! Route guards on the claims [`CognitoAuth`](crate::CognitoAuth) verified, for `.guard(..)` on
//! resources, routes and scopes.
//!
//! **A guard that does not match does not refuse the request**: the router moves on to the next
//! route that matches the path, and when there is none, answers 404 (or the app's default
//! service). That is what guards are for — choosing between routes, e.g. an admin view and a
//! member view of the same path. On a route *inside* a resource (`web::get().guard(..)`), no
//! match among the resource's routes makes it answer 405. To *refuse* with 403
//! `insufficient_scope` (or 401 for an anonymous request), wrap the route in
//! [`require`](crate::require()) instead.
//!
//! Guards read what `CognitoAuth` stored in the request, so `CognitoAuth` must wrap the `App`
//! or a scope *enclosing* the guarded route: actix-web checks a resource's guards before that
//! resource's own middleware runs. Without `CognitoAuth` in front, and for anonymous requests,
//! every guard here is false.
//!
//! ```
//! # #[actix_web::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use actix_web::{App, HttpResponse, test, web};
//! use cognito_actix::{CognitoAuth, guard};
//! use cognito_core::test_util::LocalIssuer;
//!
//! let issuer = LocalIssuer::start()?;
//! let app = test::init_service(
//!     App::new()
//!         .wrap(CognitoAuth::new(issuer.user_pool()))
//!         .service(
//!             web::resource("/dashboard")
//!                 .guard(guard::group("admin"))
//!                 .to(|| async { HttpResponse::Ok().body("admin dashboard") }),
//!         )
//!         .route("/dashboard", web::get().to(|| async { HttpResponse::Ok().body("dashboard") })),
//! )
//! .await;
//!
//! let dashboard = |token: String| {
//!     test::TestRequest::get()
//!         .uri("/dashboard")
//!         .insert_header(("authorization", format!("Bearer {token}")))
//!         .to_request()
//! };
//! let admin = issuer.id_token().groups(["admin"]).sign();
//! let body = test::call_and_read_body(&app, dashboard(admin)).await;
//! assert_eq!(body, "admin dashboard");
//!
//! // Not an admin: the guard does not match, and the next route answers.
//! let user = issuer.id_token().sign();
//! let body = test::call_and_read_body(&app, dashboard(user)).await;
//! assert_eq!(body, "dashboard");
//! # Ok(())
//! # }
//! ```

use std::fmt;

use actix_web::guard::{Guard, GuardContext};
use cognito_core::{Authentication, Require};
use serde_json::Value;

/// A guard on the request's verified claims; made by the functions of this module.
#[derive(Clone)]
#[must_use]
pub struct ClaimsGuard(Check);

#[derive(Clone)]
enum Check {
    SignedIn,
    Rule(Require),
}

/// True when the request carries verified claims (false for an anonymous request under
/// [`CognitoAuth::optional`](crate::CognitoAuth::optional)).
pub fn signed_in() -> ClaimsGuard {
    ClaimsGuard(Check::SignedIn)
}

/// True when the user is in `group` (`cognito:groups`).
pub fn group(group: impl Into<Box<str>>) -> ClaimsGuard {
    rule(Require::group(group))
}

/// True when the token has `scope`.
pub fn scope(scope: impl Into<Box<str>>) -> ClaimsGuard {
    rule(Require::scope(scope))
}

/// True when the claim `name` equals `value` (JSON equality: `"1"` is not `1`); custom
/// attributes are named with their prefix, e.g. `custom:tier`.
pub fn claim(name: impl Into<Box<str>>, value: impl Into<Value>) -> ClaimsGuard {
    rule(Require::claim_equals(name, value))
}

/// True when the claims meet `rule`: any [`Require`], combined with and / or / not.
pub fn rule(rule: Require) -> ClaimsGuard {
    ClaimsGuard(Check::Rule(rule))
}

impl Guard for ClaimsGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let extensions = ctx.req_data();
        let Some(claims) = extensions
            .get::<Authentication>()
            .and_then(Authentication::claims)
        else {
            return false;
        };
        match &self.0 {
            Check::SignedIn => true,
            Check::Rule(rule) => rule.holds(claims),
        }
    }
}

impl fmt::Debug for ClaimsGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Check::SignedIn => f.write_str("ClaimsGuard(signed in)"),
            Check::Rule(rule) => write!(f, "ClaimsGuard({rule})"),
        }
    }
}
