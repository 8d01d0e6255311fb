use std::task::{Context, Poll};

use cognito_core::token::Found;
use cognito_core::{Decision, Verifier};
use http::{Request, Response};
use tower_service::Service;

use super::{ResponseFuture, SharedSettings, grpc_protocol};
use crate::AuthBody;
use crate::source::Lookup;

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
        let decision = match settings.source.lookup(req.headers(), req.uri()) {
            Lookup::Found(found) => self.verifier.decide(found, settings.optional),
            Lookup::Owned(token) => self
                .verifier
                .decide(Found::Token(&token), settings.optional),
        };
        match decision {
            Decision::Anonymous => {
                settings.admit_anonymous(&mut req);
                ResponseFuture::called(self.inner.call(req))
            }
            Decision::Decided(answer) => match answer.and_then(|c| settings.admit(c, &mut req)) {
                Ok(()) => ResponseFuture::called(self.inner.call(req)),
                Err(error) => {
                    let grpc = grpc_protocol(&req);
                    ResponseFuture::rejected(settings.rejections.render(&error, grpc))
                }
            },
            Decision::Verify(token) => {
                // Cache miss: the signature check waits for keys, so the ready inner service
                // travels with the future and a clone takes its place here.
                let verifier = self.verifier.clone();
                let pending = Box::pin(async move { verifier.verify(&token).await });
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                ResponseFuture::verifying(pending, req, inner, self.settings.clone())
            }
        }
    }
}
