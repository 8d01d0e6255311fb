//! [`require`]: a route rule on the claims [`CognitoAuth`](crate::CognitoAuth) verified.

mod future;
mod middleware;
mod transform;

pub use future::ResponseFuture;
pub use middleware::RequirementMiddleware;
pub use transform::{Requirement, require};
