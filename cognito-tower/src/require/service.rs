use std::task::{Context, Poll};

use cognito_core::{Authentication, Require};
use http::{Request, Response};
use tower_service::Service;

use super::ResponseFuture;
use crate::auth::grpc_protocol;
use crate::rejections::render;
use crate::{AuthBody, Rejections};

/// The service made by [`require`](super::require).
#[derive(Clone, Debug)]
pub struct RequireService<S> {
    inner: S,
    rule: Require,
}

impl<S> RequireService<S> {
    pub(crate) fn new(inner: S, rule: Require) -> Self {
        RequireService { inner, rule }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequireService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<AuthBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let Err(refusal) = Authentication::require(req.extensions().get(), &self.rule) else {
            return ResponseFuture::called(self.inner.call(req));
        };
        let grpc = grpc_protocol(&req);
        let response = match req.extensions().get::<Rejections>() {
            Some(rejections) => render(rejections, &refusal, grpc),
            None => render(&Rejections::default(), &refusal, grpc),
        };
        ResponseFuture::rejected(response)
    }
}
