use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use cognito_core::{Claims, Error};
use http::{Request, Response};
use http_body_util::Either;
use pin_project_lite::pin_project;
use tower_service::Service;

use super::SharedSettings;
use crate::{AuthBody, RejectionBody};

type Pending = Pin<Box<dyn Future<Output = Result<Claims, Error>> + Send>>;

pin_project! {
    /// The response future of [`CognitoAuthService`](super::CognitoAuthService). A request
    /// whose token is in the verifier's cache goes straight to the inner service; only a cache
    /// miss allocates (the verification future).
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
    enum State<S, ReqBody>
    where
        S: Service<Request<ReqBody>>,
    {
        Called { #[pin] future: S::Future },
        Verifying {
            pending: Pending,
            request: Option<Request<ReqBody>>,
            inner: S,
            settings: SharedSettings,
            grpc: bool,
        },
        Rejected { response: Response<RejectionBody> },
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
        grpc: bool,
    ) -> Self {
        ResponseFuture {
            state: State::Verifying {
                pending,
                request: Some(request),
                inner,
                settings,
                grpc,
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
                    let response = ready!(future.poll(cx))?;
                    return Poll::Ready(Ok(response.map(Either::Left)));
                }
                StateProj::Rejected { response } => {
                    let response = std::mem::take(response);
                    return Poll::Ready(Ok(response.map(Either::Right)));
                }
                StateProj::Verifying {
                    pending,
                    request,
                    inner,
                    settings,
                    grpc,
                } => {
                    let verified = ready!(pending.as_mut().poll(cx));
                    let next = match request.take() {
                        Some(mut req) => match verified.and_then(|c| settings.admit(c, &mut req)) {
                            Ok(()) => State::Called {
                                future: inner.call(req),
                            },
                            Err(error) => State::Rejected {
                                response: settings.rejections.render(&error, *grpc),
                            },
                        },
                        // Polled again after completing: answer rather than panic.
                        None => State::Rejected {
                            response: settings.rejections.render(
                                &Error::misconfigured("response future polled after completion"),
                                *grpc,
                            ),
                        },
                    };
                    this.state.set(next);
                }
            }
        }
    }
}
