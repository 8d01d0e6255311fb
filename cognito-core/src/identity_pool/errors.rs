//! Failed identity-pool calls: their answer, and a log line that carries no secret.

use super::*;

/// A failed call, in a form the single-flight caches can share between waiters.
#[derive(Debug, Clone, Copy)]
pub(super) enum CallError {
    Refused,
    Unavailable,
    Misconfigured(&'static str),
}

impl From<CallError> for Error {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Refused => ErrorKind::CredentialsRefused.into(),
            CallError::Unavailable => ErrorKind::CredentialsUnavailable.into(),
            CallError::Misconfigured(what) => Error::misconfigured(what),
        }
    }
}

/// Cognito's refusals are 403s, its configuration errors 500s, everything else (throttling,
/// faults, timeouts, unreadable answers) 503s.
///
/// The WARN line says which call failed, Cognito's error code and the answer's HTTP status
/// when there are some, and a description fixed here by the kind of failure. It never carries
/// the SDK's error text or its sources: they quote the answer's body, which holds the secret key
/// and session token of a `GetCredentialsForIdentity` answer the SDK could not parse, and a
/// service message may quote the ID token of the request.
pub(super) fn classify<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata,
{
    let code = match &error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    };
    let class = match code {
        Some("NotAuthorizedException" | "ResourceConflictException") => CallError::Refused,
        Some("InvalidIdentityPoolConfigurationException") => CallError::Misconfigured(
            "the identity pool has no usable role for this identity (InvalidIdentityPoolConfiguration)",
        ),
        Some("ResourceNotFoundException") => {
            CallError::Misconfigured("the identity pool does not exist (ResourceNotFound)")
        }
        Some("InvalidParameterException") => {
            CallError::Misconfigured("the identity pool refused a parameter (InvalidParameter)")
        }
        _ => CallError::Unavailable,
    };
    let reason = match &error {
        SdkError::ConstructionFailure(_) => "the request could not be built",
        SdkError::TimeoutError(_) => "no answer within the call timeout",
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "connecting to the identity pool timed out"
        }
        SdkError::DispatchFailure(_) => "the request could not be sent",
        SdkError::ResponseError(_) => "the answer is not a well-formed Cognito answer",
        SdkError::ServiceError(_) => "the identity pool answered an error",
        _ => "the call failed",
    };
    // The code is read from the answer's body too: only a plausible exception name is logged.
    let code = code.map(|code| {
        let plausible = code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric());
        if plausible { code } else { "unrecognized" }
    });
    let status = error.raw_response().map(|answer| answer.status().as_u16());
    tracing::warn!(
        operation,
        code,
        status,
        error = reason,
        "identity-pool call failed"
    );
    class
}

/// An answer that parsed but lacks what the exchange needs: 503, with a WARN line as fixed as
/// [`classify`]'s.
pub(super) fn incomplete(operation: &'static str, reason: &'static str) -> CallError {
    tracing::warn!(operation, error = reason, "identity-pool call failed");
    CallError::Unavailable
}
