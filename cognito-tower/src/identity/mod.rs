//! [`IdentityPoolLayer`]: temporary AWS credentials for the caller, from a Cognito identity
//! pool (feature `identity-pool`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use cognito_core::identity_pool::{CredentialExchange, CredentialsHandle};
use cognito_core::{Authentication, Verifier};
use http::{Request, Response};
use http_body_util::Either;
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::grpc_protocol;
use crate::rejections::{polled_after_completion, render};
use crate::source::lookup;
use crate::{AuthBody, Rejections, TokenSource};

/// A layer, placed inside [`CognitoAuth`](crate::CognitoAuth), that makes temporary AWS
/// credentials for the caller available to handlers.
///
/// By default the exchange is lazy: each request gets a [`CredentialsHandle`] in its
/// extensions, and the identity pool is called only when a handler asks for credentials (and
/// then from the exchange's caches: one call per ID token until its credentials near expiry). With
/// [`eager`](IdentityPoolLayer::eager), credentials are fetched before the inner service is
/// called, and a refusal answers the request.
///
/// Identity pools take ID tokens. When a request's bearer is an access token, the ID token is
/// read from [`id_token_from`](IdentityPoolLayer::id_token_from), verified as an ID token of the
/// same user, and otherwise the credentials are refused with 403.
#[derive(Clone)]
#[must_use]
pub struct IdentityPoolLayer {
    shared: Arc<Shared>,
}

struct Shared {
    exchange: CredentialExchange,
    id_token: Option<(TokenSource, Verifier)>,
    eager: bool,
}

impl IdentityPoolLayer {
    /// A layer exchanging tokens with `exchange`.
    pub fn new(exchange: CredentialExchange) -> Self {
        IdentityPoolLayer {
            shared: Arc::new(Shared {
                exchange,
                id_token: None,
                eager: false,
            }),
        }
    }

    /// Where to find the user's ID token when the bearer is an access token (e.g.
    /// `TokenSource::header(HeaderName::from_static("x-id-token"))`), and the verifier that
    /// checks it (the one `CognitoAuth` uses).
    pub fn id_token_from(self, source: TokenSource, verifier: Verifier) -> Self {
        self.with(|shared| shared.id_token = Some((source, verifier)))
    }

    /// Fetches credentials for every request before calling the inner service.
    pub fn eager(self) -> Self {
        self.with(|shared| shared.eager = true)
    }

    fn with(self, change: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = Shared {
            exchange: self.shared.exchange.clone(),
            id_token: self.shared.id_token.clone(),
            eager: self.shared.eager,
        };
        change(&mut shared);
        IdentityPoolLayer {
            shared: Arc::new(shared),
        }
    }
}

impl fmt::Debug for IdentityPoolLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPoolLayer")
            .field("exchange", &self.shared.exchange)
            .field(
                "id_token_from",
                &self.shared.id_token.as_ref().map(|(s, _)| s),
            )
            .field("eager", &self.shared.eager)
            .finish()
    }
}

impl<S> Layer<S> for IdentityPoolLayer {
    type Service = IdentityPoolService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        IdentityPoolService {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The service made by [`IdentityPoolLayer`].
#[derive(Clone)]
pub struct IdentityPoolService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: fmt::Debug> fmt::Debug for IdentityPoolService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPoolService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for IdentityPoolService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    ReqBody: Send + 'static,
{
    type Response = Response<AuthBody<ResBody>>;
    type Error = S::Error;
    type Future = IdentityFuture<S::Future, S::Error, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let shared = &self.shared;
        let id_token = shared.id_token.as_ref().map(|(source, verifier)| {
            let found = lookup(&source.0, req.headers(), req.uri()).into_token();
            (found, verifier.clone())
        });
        let handle = CredentialsHandle::new(
            shared.exchange.clone(),
            req.extensions().get::<Authentication>().cloned(),
            id_token,
        );
        req.extensions_mut().insert(handle.clone());
        // An anonymous request without guest access has no credentials to fetch: eager or
        // not, it goes on (under `optional()` that is the caller's choice).
        if !shared.eager || handle.is_absent() {
            return IdentityFuture {
                state: State::Called {
                    future: self.inner.call(req),
                },
            };
        }
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let grpc = grpc_protocol(&req);
        let rejections = req
            .extensions()
            .get::<Rejections>()
            .cloned()
            .unwrap_or_default();
        IdentityFuture {
            state: State::Eager {
                future: Box::pin(async move {
                    match handle.get().await {
                        Ok(_) => Ok(inner.call(req).await?.map(Either::Left)),
                        Err(error) => Ok(render(&rejections, &error, grpc).map(Either::Right)),
                    }
                }),
            },
        }
    }
}

type EagerFuture<E, B> = Pin<Box<dyn Future<Output = Result<Response<AuthBody<B>>, E>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`IdentityPoolService`]: the inner future when the exchange is
    /// lazy, a boxed one that first fetches credentials when it is eager.
    ///
    /// Polled again after it completed, it answers 500, never a success.
    pub struct IdentityFuture<F, E, B> {
        #[pin]
        state: State<F, E, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, E, B> {
        Called { #[pin] future: F },
        Eager { future: EagerFuture<E, B> },
        Done,
    }
}

impl<F, E, B> Future for IdentityFuture<F, E, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<AuthBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        let output = match state.as_mut().project() {
            StateProj::Called { future } => {
                ready!(future.poll(cx)).map(|response| response.map(Either::Left))
            }
            StateProj::Eager { future } => ready!(future.as_mut().poll(cx)),
            StateProj::Done => {
                return Poll::Ready(Ok(polled_after_completion().map(Either::Right)));
            }
        };
        // A finished `async` block panics when polled again: it is dropped here.
        state.set(State::Done);
        Poll::Ready(output)
    }
}
