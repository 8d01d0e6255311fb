use cognito_core::Require;
use tower_layer::Layer;

use super::RequireService;

/// A layer that lets through only requests whose verified claims meet `rule`.
///
/// Place it inside [`CognitoAuth`](crate::CognitoAuth) (in axum, with `route_layer` on the
/// routes it guards). An anonymous request (under [`optional`](crate::CognitoAuth::optional)) is
/// answered 401; one whose claims fail the rule 403 `insufficient_scope` (with `scope="…"` for
/// scope rules), rendered in the auth layer's style; with no auth layer in front, a 500 that
/// names `CognitoAuth` (a token sent to such a route was never read).
///
/// ```
/// use cognito_core::Require;
/// use cognito_tower::require;
///
/// let admins_only = require(Require::group("admin"));
/// let readers = require(Require::any_scope(["reports/read", "reports/admin"]));
/// # let _ = (admins_only, readers);
/// ```
pub fn require(rule: Require) -> RequireLayer {
    RequireLayer { rule }
}

/// The layer made by [`require`].
#[derive(Clone, Debug)]
#[must_use]
pub struct RequireLayer {
    rule: Require,
}

impl<S> Layer<S> for RequireLayer {
    type Service = RequireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService::new(inner, self.rule.clone())
    }
}
