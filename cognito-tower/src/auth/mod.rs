//! [`CognitoAuth`]: verifies every request's token and hands the claims to what follows.

mod future;
mod layer;
mod service;

pub use future::ResponseFuture;
pub use layer::CognitoAuth;
pub use service::CognitoAuthService;

use std::sync::Arc;

use cognito_core::rejection::GrpcProtocol;
use cognito_core::{Authentication, Claims, Error, Require};
use http::Request;

use crate::{Rejections, TokenSource};

/// What every service of one layer shares.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) optional: bool,
    pub(crate) source: TokenSource,
    pub(crate) require: Option<Require>,
    pub(crate) rejections: Rejections,
}

impl Settings {
    /// Checks the layer's requirement, then stores the claims (once, shared) and the rejection
    /// style for the extractors and layers after this one.
    pub(crate) fn admit<B>(&self, claims: Claims, req: &mut Request<B>) -> Result<(), Error> {
        if let Some(rule) = &self.require {
            rule.check(&claims)?;
        }
        let extensions = req.extensions_mut();
        extensions.insert(Authentication::Verified(claims));
        extensions.insert(self.rejections.clone());
        Ok(())
    }

    pub(crate) fn admit_anonymous<B>(&self, req: &mut Request<B>) {
        let extensions = req.extensions_mut();
        extensions.insert(Authentication::Anonymous);
        extensions.insert(self.rejections.clone());
    }
}

/// The gRPC protocol of the request, if it is a gRPC call: it is refused the gRPC way.
pub(crate) fn grpc_protocol<B>(req: &Request<B>) -> Option<GrpcProtocol> {
    req.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| GrpcProtocol::from_content_type(v.as_bytes()))
}

pub(crate) type SharedSettings = Arc<Settings>;
