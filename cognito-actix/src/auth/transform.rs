use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};

use super::{CognitoAuthMiddleware, Settings};
use crate::{Rejections, TokenSource};

cognito_core::auth_builder! {
    /// Middleware that verifies each request's Cognito token: `App::new().wrap(CognitoAuth::new(pool))`.
    ///
    /// A request with a valid token reaches the wrapped service with
    /// [`Authentication::Verified`](cognito_core::Authentication) (holding the
    /// [`Claims`](cognito_core::Claims)) in its extensions, where the [extractors](crate::Claims),
    /// [guards](crate::guard) and [`require`](crate::require()) read it. Any other request is
    /// answered here: 401 without a token or with a bad one, 403 when the middleware's
    /// [`require`](CognitoAuth::require) rule fails, 503 when the pool's keys cannot be fetched.
    /// The statuses and `WWW-Authenticate` challenges are the Tower layer's, byte for byte; both
    /// come from cognito-core.
    ///
    /// ```
    /// use cognito_actix::{CognitoAuth, TokenSource};
    /// use cognito_core::{Require, TokenUse, UserPool};
    ///
    /// let pool = UserPool::new("eu-west-1_AbCdEf123")?
    ///     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
    ///     .token_use(TokenUse::Id);
    /// let middleware = CognitoAuth::new(pool)
    ///     .token_source(TokenSource::cookie("id_token"))
    ///     .require(Require::group("staff"))
    ///     .realm("reports");
    /// # let _ = middleware;
    /// # Ok::<(), cognito_core::ConfigError>(())
    /// ```
    ///
    /// The middleware is built once per worker; every worker shares the one [`Verifier`](cognito_core::Verifier), its key
    /// store and its cache.
    pub struct CognitoAuth;
    settings: Settings,
    source: TokenSource,
    rejections: Rejections,
}

impl<S, B> Transform<S, ServiceRequest> for CognitoAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>>,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = S::Error;
    type Transform = CognitoAuthMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CognitoAuthMiddleware::new(
            Rc::new(service),
            self.verifier.clone(),
            Rc::new(self.settings.clone()),
        )))
    }
}
