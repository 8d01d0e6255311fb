use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use cognito_core::{Claims, Error};
use http::{Request, Response};
use http_body_util::Either;
use pin_project_lite::pin_project;
use tower_service::Service;

use super::{SharedSettings, admit, grpc_protocol};
use crate::rejections::{polled_after_completion, render};
use crate::{AuthBody, RejectionBody};

type Pending = Pin<Box<dyn Future<Output = Result<Claims, Error>> + Send>>;

pin_project! {
    /// The response future of [`CognitoAuthService`](super::CognitoAuthService). A request
    /// whose token is in the verifier's cache goes straight to the inner service; only a cache
    /// miss allocates (the verification future).
    ///
    /// Polled again after it completed, it answers 500, never a success.
    pub struct ResponseFuture<S, ReqBody>
    where
        S: Service<Request<ReqBody>>,
    {
        #[pin]
        state: State<S, ReqBody>,
    }
}

pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<S, ReqBody>
    where
        S: Service<Request<ReqBody>>,
    {
        Called { #[pin] future: S::Future },
        Verifying {
            pending: Pending,
            request: Request<ReqBody>,
            inner: S,
            settings: SharedSettings,
        },
        Rejected { response: Response<RejectionBody> },
        Done,
    }
}

impl<S, ReqBody> ResponseFuture<S, ReqBody>
where
    S: Service<Request<ReqBody>>,
{
    pub(crate) fn called(future: S::Future) -> Self {
        ResponseFuture {
            state: State::Called { future },
        }
    }

    pub(crate) fn rejected(response: Response<RejectionBody>) -> Self {
        ResponseFuture {
            state: State::Rejected { response },
        }
    }

    pub(crate) fn verifying(
        pending: Pending,
        request: Request<ReqBody>,
        inner: S,
        settings: SharedSettings,
    ) -> Self {
        ResponseFuture {
            state: State::Verifying {
                pending,
                request,
                inner,
                settings,
            },
        }
    }
}

impl<S, ReqBody, ResBody> Future for ResponseFuture<S, ReqBody>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Output = Result<Response<AuthBody<ResBody>>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Called { future } => {
                    let output = ready!(future.poll(cx));
                    this.state.set(State::Done);
                    return Poll::Ready(output.map(|response| response.map(Either::Left)));
                }
                StateProj::Verifying { pending, .. } => {
                    let verified = ready!(pending.as_mut().poll(cx));
                    let StateOwned::Verifying {
                        mut request,
                        mut inner,
                        settings,
                        ..
                    } = this.state.as_mut().project_replace(State::Done)
                    else {
                        // The state was `Verifying` a line above.
                        continue;
                    };
                    let next = match verified.and_then(|c| admit(&settings, c, &mut request)) {
                        Ok(()) => State::Called {
                            future: inner.call(request),
                        },
                        Err(error) => State::Rejected {
                            response: render(&settings.rejections, &error, grpc_protocol(&request)),
                        },
                    };
                    this.state.set(next);
                }
                StateProj::Rejected { .. } => {
                    let response = match this.state.as_mut().project_replace(State::Done) {
                        StateOwned::Rejected { response } => response,
                        _ => polled_after_completion(),
                    };
                    return Poll::Ready(Ok(response.map(Either::Right)));
                }
                StateProj::Done => {
                    return Poll::Ready(Ok(polled_after_completion().map(Either::Right)));
                }
            }
        }
    }
}
