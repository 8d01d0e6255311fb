//! [`CognitoAuth`]: verifies every request's token and hands the claims to what follows.

mod future;
mod middleware;
mod transform;

pub use future::ResponseFuture;
pub use middleware::CognitoAuthMiddleware;
pub use transform::CognitoAuth;

use actix_web::HttpMessage;
use actix_web::body::EitherBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use cognito_core::adapter::AuthSettings;
use cognito_core::{Authentication, Claims, Error};

use crate::rejections::ActixRender;
use crate::source::Custom;

/// What every middleware built from one [`CognitoAuth`] shares.
pub(crate) type Settings = AuthSettings<Custom, ActixRender>;

/// Checks the middleware's requirement, then stores the claims (once, shared) and the
/// rejection style for the extractors, guards and middleware after this one.
pub(crate) fn admit(
    settings: &Settings,
    claims: Claims,
    req: &ServiceRequest,
) -> Result<(), Error> {
    let authentication = settings.admit(claims)?;
    store(settings, authentication, req);
    Ok(())
}

/// Stores what the request concluded and the middleware's rejection style.
pub(crate) fn store(settings: &Settings, authentication: Authentication, req: &ServiceRequest) {
    let mut extensions = req.extensions_mut();
    extensions.insert(authentication);
    extensions.insert(settings.rejections.clone());
}

/// Answers the request here, in the middleware's style.
pub(crate) fn refuse<B>(
    settings: &Settings,
    req: ServiceRequest,
    error: &Error,
) -> ServiceResponse<EitherBody<B>> {
    req.into_response(settings.rejections.render(error))
        .map_into_right_body()
}
