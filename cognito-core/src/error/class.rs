//! How an adapter answers an error: HTTP status, challenge code, gRPC status, title.

/// How an adapter must answer an [`Error`](super::Error): the grouping of DESIGN's status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// No token: 401 with a bare `Bearer` challenge.
    MissingToken,
    /// The request's credentials are malformed: 400 `invalid_request`.
    InvalidRequest,
    /// The token is malformed, forged, expired, not for this API, or not the token use this
    /// API or route takes: 401 `invalid_token`.
    InvalidToken,
    /// The token is valid but a requirement (group, scope, claim) failed: 403
    /// `insufficient_scope`.
    RequirementNotMet,
    /// The keys needed to decide are unavailable: 503 with `Retry-After`.
    KeysUnavailable,
    /// Server-side misconfiguration: 500.
    Misconfigured,
    /// The identity pool refused the exchange (or it cannot be made for this token): 403,
    /// without a challenge.
    CredentialsRefused,
    /// The identity pool is unavailable: 503 with `Retry-After`.
    CredentialsUnavailable,
}

impl ErrorClass {
    /// The HTTP status code for this class.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            ErrorClass::InvalidRequest => 400,
            ErrorClass::MissingToken | ErrorClass::InvalidToken => 401,
            ErrorClass::RequirementNotMet | ErrorClass::CredentialsRefused => 403,
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => 503,
            ErrorClass::Misconfigured => 500,
        }
    }

    /// The RFC 6750 `error` code of the challenge, if the class has one.
    #[must_use]
    pub const fn error_code(self) -> Option<&'static str> {
        match self {
            ErrorClass::InvalidRequest => Some("invalid_request"),
            ErrorClass::InvalidToken => Some("invalid_token"),
            ErrorClass::RequirementNotMet => Some("insufficient_scope"),
            _ => None,
        }
    }
}

impl ErrorClass {
    /// The gRPC status code for this class, for services answering `application/grpc` requests:
    /// 16 `UNAUTHENTICATED`, 7 `PERMISSION_DENIED`, 14 `UNAVAILABLE`, 13 `INTERNAL`.
    ///
    /// Malformed credentials ([`ErrorClass::InvalidRequest`]) are 16 `UNAUTHENTICATED` too, not
    /// 3 `INVALID_ARGUMENT`: what is wrong is the call's authentication metadata, not an
    /// argument of the method, and gRPC clients and interceptors act on `UNAUTHENTICATED` by
    /// obtaining credentials anew, which is what fixes it.
    #[must_use]
    pub const fn grpc_status(self) -> u8 {
        match self {
            ErrorClass::MissingToken | ErrorClass::InvalidRequest | ErrorClass::InvalidToken => 16,
            ErrorClass::RequirementNotMet | ErrorClass::CredentialsRefused => 7,
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => 14,
            ErrorClass::Misconfigured => 13,
        }
    }

    /// The reason phrase of [`status`](ErrorClass::status), the title of a problem document.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            ErrorClass::InvalidRequest => "Bad Request",
            ErrorClass::MissingToken | ErrorClass::InvalidToken => "Unauthorized",
            ErrorClass::RequirementNotMet | ErrorClass::CredentialsRefused => "Forbidden",
            ErrorClass::KeysUnavailable | ErrorClass::CredentialsUnavailable => {
                "Service Unavailable"
            }
            ErrorClass::Misconfigured => "Internal Server Error",
        }
    }
}
