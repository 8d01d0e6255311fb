use std::sync::Arc;

use tower_layer::Layer;

use super::{CognitoAuthService, Settings};
use crate::{Rejections, TokenSource};

cognito_core::auth_builder! {
    /// A [`Layer`] that verifies each request's Cognito token.
    ///
    /// A request with a valid token reaches the inner service with
    /// [`Authentication::Verified`](cognito_core::Authentication) (holding the
    /// [`Claims`](cognito_core::Claims)) in its extensions. Any other request is answered here:
    /// 401 without a token or with a bad one, 403 when the layer's [`require`](CognitoAuth::require)
    /// rule fails, 503 when the pool's keys cannot be fetched. A refusal is an `Ok` response; the
    /// inner service's error type is untouched.
    ///
    /// ```
    /// use cognito_core::{Require, TokenUse, UserPool};
    /// use cognito_tower::{CognitoAuth, TokenSource};
    ///
    /// let pool = UserPool::new("eu-west-1_AbCdEf123")?
    ///     .client_id("4h5j6k7l8m9n0p1q2r3s4t5u6v")?
    ///     .token_use(TokenUse::Id);
    /// let layer = CognitoAuth::new(pool)
    ///     .token_source(TokenSource::cookie("id_token"))
    ///     .require(Require::group("staff"))
    ///     .realm("reports");
    /// # let _ = layer;
    /// # Ok::<(), cognito_core::ConfigError>(())
    /// ```
    pub struct CognitoAuth;
    settings: Settings,
    source: TokenSource,
    rejections: Rejections,
}

impl<S> Layer<S> for CognitoAuth {
    type Service = CognitoAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CognitoAuthService::new(
            inner,
            self.verifier.clone(),
            Arc::new(self.settings.clone()),
        )
    }
}
