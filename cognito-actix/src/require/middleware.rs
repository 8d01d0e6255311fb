use actix_web::HttpMessage;
use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, forward_ready};
use cognito_core::{Authentication, Require};

use super::ResponseFuture;
use crate::Rejections;

/// The service made by [`require`](super::require()), one per worker.
pub struct RequirementMiddleware<S> {
    service: S,
    rule: Require,
}

impl<S> RequirementMiddleware<S> {
    pub(super) fn new(service: S, rule: Require) -> Self {
        RequirementMiddleware { service, rule }
    }
}

impl<S> std::fmt::Debug for RequirementMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequirementMiddleware")
            .field("rule", &self.rule)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for RequirementMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let response = {
            let extensions = req.extensions();
            let refusal = Authentication::require(extensions.get(), &self.rule).err();
            refusal.map(|error| match extensions.get::<Rejections>() {
                Some(rejections) => rejections.render(&error),
                None => Rejections::default().render(&error),
            })
        };
        match response {
            None => ResponseFuture::called(self.service.call(req)),
            Some(response) => {
                ResponseFuture::rejected(req.into_response(response).map_into_right_body())
            }
        }
    }
}
