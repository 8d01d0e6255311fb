use std::future::{Ready, ready};

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use cognito_core::Require;

use super::RequirementMiddleware;

/// Middleware that lets through only requests whose verified claims meet `rule`.
///
/// Wrap it around the routes it guards (`web::get().to(..).wrap(..)` for one route,
/// `web::scope(..).wrap(..)` for a scope), inside [`CognitoAuth`](crate::CognitoAuth). Wrap the
/// route rather than its `web::resource`: a resource's middleware runs before method matching,
/// so a request with a method the resource does not serve would be refused 401/403 instead of
/// answered 405.
///
/// An anonymous request (under [`optional`](crate::CognitoAuth::optional)) is answered 401; one
/// whose claims fail the rule 403 `insufficient_scope` (with `scope="…"` for scope rules),
/// rendered in `CognitoAuth`'s style; with no `CognitoAuth` in front, a 500 that names it.
/// Unlike a [guard](crate::guard), it never lets the router try another route.
///
/// ```
/// use actix_web::{App, HttpResponse, web};
/// use cognito_actix::require;
/// use cognito_core::Require;
///
/// let app = App::new().service(
///     web::scope("/reports")
///         .wrap(require(Require::any_scope(["reports/read", "reports/admin"])))
///         .route("", web::get().to(HttpResponse::Ok)),
/// );
/// # let _ = app;
/// ```
pub fn require(rule: Require) -> Requirement {
    Requirement { rule }
}

/// The middleware made by [`require`].
#[derive(Clone, Debug)]
#[must_use]
pub struct Requirement {
    rule: Require,
}

impl<S, B> Transform<S, ServiceRequest> for Requirement
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = S::Error;
    type Transform = RequirementMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequirementMiddleware::new(service, self.rule.clone())))
    }
}
