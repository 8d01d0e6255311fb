use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, forward_ready};
use cognito_core::adapter::Next;
use cognito_core::{Authentication, Verifier};

use super::{ResponseFuture, Settings, admit, refuse, store};
use crate::source::read;

/// The service made by [`CognitoAuth`](super::CognitoAuth), one per worker.
pub struct CognitoAuthMiddleware<S> {
    service: Rc<S>,
    verifier: Verifier,
    settings: Rc<Settings>,
}

impl<S> CognitoAuthMiddleware<S> {
    pub(super) fn new(service: Rc<S>, verifier: Verifier, settings: Rc<Settings>) -> Self {
        CognitoAuthMiddleware {
            service,
            verifier,
            settings,
        }
    }
}

impl<S> std::fmt::Debug for CognitoAuthMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoAuthMiddleware")
            .field("verifier", &self.verifier)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for CognitoAuthMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let settings = &self.settings;
        let found = read(settings, req.request());
        match settings.decide(&self.verifier, found) {
            Next::Anonymous => {
                store(settings, Authentication::Anonymous, &req);
                ResponseFuture::called(self.service.call(req))
            }
            Next::Decided(answer) => match answer.and_then(|c| admit(settings, c, &req)) {
                Ok(()) => ResponseFuture::called(self.service.call(req)),
                Err(error) => ResponseFuture::rejected(refuse(settings, req, &error)),
            },
            Next::Verify(pending) => {
                // The verification waits (for keys, or a check): the request travels with the
                // future and the service is called once it is verified.
                ResponseFuture::verifying(
                    pending,
                    req,
                    Rc::clone(&self.service),
                    Rc::clone(&self.settings),
                )
            }
        }
    }
}
