//! [`CognitoAuth`]: verifies every request's token and hands the claims to what follows.

mod future;
mod layer;
mod service;

pub use future::ResponseFuture;
pub use layer::CognitoAuth;
pub use service::CognitoAuthService;

use std::sync::Arc;

use cognito_core::adapter::AuthSettings;
use cognito_core::rejection::GrpcProtocol;
use cognito_core::{Authentication, Claims, Error};
use http::Request;

use crate::rejections::TowerRender;
use crate::source::Custom;

/// What every service of one layer shares.
pub(crate) type Settings = AuthSettings<Custom, TowerRender>;

/// Checks the layer's requirement, then stores the claims (once, shared) and the rejection
/// style for the extractors and layers after this one.
pub(crate) fn admit<B>(
    settings: &Settings,
    claims: Claims,
    req: &mut Request<B>,
) -> Result<(), Error> {
    let authentication = settings.admit(claims)?;
    store(settings, authentication, req);
    Ok(())
}

/// Stores what the request concluded and the layer's rejection style.
pub(crate) fn store<B>(settings: &Settings, authentication: Authentication, req: &mut Request<B>) {
    let extensions = req.extensions_mut();
    extensions.insert(authentication);
    extensions.insert(settings.rejections.clone());
}

/// The gRPC protocol of the request, if it is a gRPC call: it is refused the gRPC way.
pub(crate) fn grpc_protocol<B>(req: &Request<B>) -> Option<GrpcProtocol> {
    req.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| GrpcProtocol::from_content_type(v.as_bytes()))
}

pub(crate) type SharedSettings = Arc<Settings>;
