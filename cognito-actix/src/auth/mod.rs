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
use cognito_core::{Authentication, Claims, Error, Require};

use crate::{Rejections, TokenSource};

/// What every middleware built from one [`CognitoAuth`] shares.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) optional: bool,
    pub(crate) source: TokenSource,
    pub(crate) require: Option<Require>,
    pub(crate) rejections: Rejections,
}

impl Settings {
    /// Checks the middleware's requirement, then stores the claims (once, shared) and the
    /// rejection style for the extractors, guards and middleware after this one.
    pub(crate) fn admit(&self, claims: Claims, req: &ServiceRequest) -> Result<(), Error> {
        if let Some(rule) = &self.require {
            rule.check(&claims)?;
        }
        let mut extensions = req.extensions_mut();
        extensions.insert(Authentication::Verified(claims));
        extensions.insert(self.rejections.clone());
        Ok(())
    }

    pub(crate) fn admit_anonymous(&self, req: &ServiceRequest) {
        let mut extensions = req.extensions_mut();
        extensions.insert(Authentication::Anonymous);
        extensions.insert(self.rejections.clone());
    }

    /// Answers the request here, in this middleware's style.
    pub(crate) fn refuse<B>(
        &self,
        req: ServiceRequest,
        error: &Error,
    ) -> ServiceResponse<EitherBody<B>> {
        req.into_response(self.rejections.render(error))
            .map_into_right_body()
    }
}
