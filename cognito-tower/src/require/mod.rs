//! [`require`]: a route rule on the claims [`CognitoAuth`](crate::CognitoAuth) verified.

mod future;
mod layer;
mod service;

pub use future::ResponseFuture;
pub use layer::{RequireLayer, require};
pub use service::RequireService;
