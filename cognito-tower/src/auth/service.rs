use std::task::{Context, Poll};

use cognito_core::adapter::Next;
use cognito_core::{Authentication, Verifier};
use http::{Request, Response};
use tower_service::Service;

use super::{ResponseFuture, SharedSettings, admit, grpc_protocol, store};
use crate::AuthBody;
use crate::rejections::render;
use crate::source::read;

/// The service made by [`CognitoAuth`](super::CognitoAuth).
#[derive(Clone, Debug)]
pub struct CognitoAuthService<S> {
    inner: S,
    verifier: Verifier,
    settings: SharedSettings,
}

impl<S> CognitoAuthService<S> {
    pub(crate) fn new(inner: S, verifier: Verifier, settings: SharedSettings) -> Self {
        CognitoAuthService {
            inner,
            verifier,
            settings,
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CognitoAuthService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
{
    type Response = Response<AuthBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, ReqBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let settings = &self.settings;
        let found = read(settings, req.headers(), req.uri());
        match settings.decide(&self.verifier, found) {
            Next::Anonymous => {
                store(settings, Authentication::Anonymous, &mut req);
                ResponseFuture::called(self.inner.call(req))
            }
            Next::Decided(answer) => match answer.and_then(|c| admit(settings, c, &mut req)) {
                Ok(()) => ResponseFuture::called(self.inner.call(req)),
                Err(error) => {
                    let grpc = grpc_protocol(&req);
                    ResponseFuture::rejected(render(&settings.rejections, &error, grpc))
                }
            },
            Next::Verify(pending) => {
                // The verification waits (for keys, or a check): the ready inner service
                // travels with the future and a clone takes its place here.
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                ResponseFuture::verifying(pending, req, inner, self.settings.clone())
            }
        }
    }
}
