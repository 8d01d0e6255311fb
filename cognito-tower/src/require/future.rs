use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::Response;
use http_body_util::Either;
use pin_project_lite::pin_project;

use crate::rejections::polled_after_completion;
use crate::{AuthBody, RejectionBody};

pin_project! {
    /// The response future of [`RequireService`](super::RequireService).
    ///
    /// Polled again after it completed, it answers 500, never a success.
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<F> {
        Called { #[pin] future: F },
        Rejected { response: Response<RejectionBody> },
        Done,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn called(future: F) -> Self {
        ResponseFuture {
            state: State::Called { future },
        }
    }

    pub(crate) fn rejected(response: Response<RejectionBody>) -> Self {
        ResponseFuture {
            state: State::Rejected { response },
        }
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<AuthBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        match state.as_mut().project() {
            StateProj::Called { future } => {
                let output = ready!(future.poll(cx));
                state.set(State::Done);
                Poll::Ready(output.map(|response| response.map(Either::Left)))
            }
            StateProj::Rejected { .. } | StateProj::Done => {
                let response = match state.project_replace(State::Done) {
                    StateOwned::Rejected { response } => response,
                    _ => polled_after_completion(),
                };
                Poll::Ready(Ok(response.map(Either::Right)))
            }
        }
    }
}
