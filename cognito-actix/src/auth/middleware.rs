use std::borrow::Cow;
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, forward_ready};
use cognito_core::{Claims, Error, Verifier};

use super::{ResponseFuture, Settings};
use crate::source::Lookup;

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

/// What the token source and the cache decided before any waiting.
enum Decision {
    Anonymous,
    Verified(Result<Claims, Error>),
    Verify(String),
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
        let cached = |token: Cow<'_, str>| match self.verifier.verify_cached(&token) {
            Some(answer) => Decision::Verified(answer),
            None => Decision::Verify(token.into_owned()),
        };
        let decision = match settings.source.lookup(req.request()) {
            Lookup::Found(found) => match found.into_result() {
                Ok(Some(token)) => cached(Cow::Borrowed(token)),
                Ok(None) if settings.optional => Decision::Anonymous,
                Ok(None) => Decision::Verified(Err(Error::missing_token())),
                Err(malformed) => Decision::Verified(Err(malformed)),
            },
            Lookup::Owned(token) => cached(Cow::Owned(token)),
        };
        match decision {
            Decision::Anonymous => {
                settings.admit_anonymous(&req);
                ResponseFuture::called(self.service.call(req))
            }
            Decision::Verified(answer) => match answer.and_then(|c| settings.admit(c, &req)) {
                Ok(()) => ResponseFuture::called(self.service.call(req)),
                Err(error) => ResponseFuture::rejected(settings.refuse(req, &error)),
            },
            Decision::Verify(token) => {
                // Cache miss: the signature check may wait for keys, so the request travels
                // with the future and the service is called once it is verified.
                let verifier = self.verifier.clone();
                let pending = Box::pin(async move { verifier.verify(&token).await });
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
