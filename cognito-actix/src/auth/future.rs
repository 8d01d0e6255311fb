use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use cognito_core::{Claims, Error};
use pin_project_lite::pin_project;

use super::{Settings, admit, refuse};

type Pending = Pin<Box<dyn Future<Output = Result<Claims, Error>>>>;

pin_project! {
    /// The response future of [`CognitoAuthMiddleware`](super::CognitoAuthMiddleware). A request
    /// whose token is in the verifier's cache goes straight to the wrapped service; only a cache
    /// miss allocates (the verification future).
    pub struct ResponseFuture<S, B>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>>,
    {
        Called { #[pin] future: S::Future },
        Verifying {
            pending: Pending,
            request: Option<ServiceRequest>,
            service: Rc<S>,
            settings: Rc<Settings>,
        },
        Rejected { response: Option<ServiceResponse<EitherBody<B>>> },
    }
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
{
    pub(super) fn called(future: S::Future) -> Self {
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

    pub(super) fn verifying(
        pending: Pending,
        request: ServiceRequest,
        service: Rc<S>,
        settings: Rc<Settings>,
    ) -> Self {
        ResponseFuture {
            state: State::Verifying {
                pending,
                request: Some(request),
                service,
                settings,
            },
        }
    }
}

impl<S, B> Future for ResponseFuture<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // A verification ends first: in a call of the wrapped service, or in a refusal.
        if let StateProj::Verifying {
            pending,
            request,
            service,
            settings,
        } = this.state.as_mut().project()
        {
            let verified = ready!(pending.as_mut().poll(cx));
            let Some(req) = request.take() else {
                return Poll::Pending;
            };
            let next = match verified.and_then(|claims| admit(settings, claims, &req)) {
                Ok(()) => State::Called {
                    future: service.call(req),
                },
                Err(error) => State::Rejected {
                    response: Some(refuse(settings, req, &error)),
                },
            };
            this.state.set(next);
        }
        match this.state.project() {
            StateProj::Called { future } => {
                future.poll(cx).map_ok(ServiceResponse::map_into_left_body)
            }
            // Polled again after completing: stay pending rather than panic.
            StateProj::Rejected { response } => response
                .take()
                .map_or(Poll::Pending, |r| Poll::Ready(Ok(r))),
            // Left by the step above whenever the verification has ended.
            StateProj::Verifying { .. } => Poll::Pending,
        }
    }
}
