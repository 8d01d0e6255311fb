use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use pin_project_lite::pin_project;

pin_project! {
    /// The response future of [`RequirementMiddleware`](super::RequirementMiddleware).
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Called { #[pin] future: F },
        Rejected { response: Option<ServiceResponse<EitherBody<B>>> },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(super) fn called(future: F) -> Self {
        ResponseFuture {
            state: State::Called { future },
        }
    }

    pub(super) fn rejected(response: ServiceResponse<EitherBody<B>>) -> Self {
        ResponseFuture {
            state: State::Rejected {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, E>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Called { future } => {
                future.poll(cx).map_ok(ServiceResponse::map_into_left_body)
            }
            // Polled again after completing: stay pending rather than panic.
            StateProj::Rejected { response } => response
                .take()
                .map_or(Poll::Pending, |r| Poll::Ready(Ok(r))),
        }
    }
}
