//! The check that failed, and the class and description it maps to.

use std::borrow::Cow;

use super::{ErrorClass, Unmet};

/// The check that failed.
///
/// New checks add new kinds, so matches need a wildcard arm; [`ErrorKind::class`] is the stable
/// grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request carried no token.
    MissingToken,
    /// The request's credentials cannot be read: two `Authorization` headers (or two cookies
    /// of the token's name), `Bearer` followed by a tab, two spaces or nothing, a credential
    /// with characters no token has (RFC 6750 §3.1 `invalid_request`: 400). Refused even where
    /// authentication is optional.
    InvalidRequest,
    /// The token is longer than the configured maximum.
    TokenTooLong,
    /// The token is not a compact JWS of three base64url segments of JSON objects.
    Malformed,
    /// A segment is base64url but not in its canonical form (padding, stray bits, other alphabet).
    NonCanonicalEncoding,
    /// The header or payload nests JSON deeper than the configured limit.
    JsonTooDeep,
    /// The header names an algorithm that is not accepted: `none`, `HS256`, a name no
    /// verifier knows, or one the token's issuer does not sign with (anything but `RS256` for
    /// a Cognito user pool; what [`OidcIssuer::algorithms`](crate::OidcIssuer::algorithms)
    /// leaves out).
    UnsupportedAlgorithm,
    /// The header has no `kid`.
    MissingKeyId,
    /// The header has a `crit` parameter; no critical extension is understood.
    UnsupportedCriticalHeader,
    /// The token's `iss` is not one of the configured issuers.
    UnknownIssuer,
    /// The issuer's key set has no key with the token's `kid`.
    UnknownKeyId,
    /// The key with the token's `kid` is not bound to the token's algorithm: another key type
    /// or curve (an `ES256` token naming a P-384 or RSA key), or a JWK whose `alg` names
    /// another algorithm.
    KeyAlgorithmMismatch,
    /// The signature does not verify.
    InvalidSignature,
    /// The token has expired (`exp`).
    Expired,
    /// The token is not valid yet (`nbf`).
    NotYetValid,
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an impossible value.
    InvalidClaim(&'static str),
    /// `token_use` is neither `id` nor `access`.
    InvalidTokenUse,
    /// `token_use` is valid but not the one this verifier or route accepts.
    WrongTokenUse,
    /// The ID token's `aud`, or the access token's `client_id`, is not a configured app client
    /// (or, for other OIDC issuers, `aud` names none of the configured audiences).
    WrongClient,
    /// An access token is not bound to this API: its `aud` names none of the pool's
    /// resource audiences.
    WrongAudience,
    /// The user-supplied check refused the token.
    CheckFailed(Cow<'static, str>),
    /// The token is valid but does not meet a requirement (group, scope, claim, token use).
    /// Its class is [`ErrorClass::RequirementNotMet`] (403), except when the rule that failed is
    /// a token-use rule ([`Unmet::is_token_use`]): the wrong kind of token is
    /// [`ErrorClass::InvalidToken`] (401), whether the pool or a route refuses it.
    RequirementNotMet(Unmet),
    /// The issuer's keys could not be fetched and the token's key is not cached.
    KeysUnavailable,
    /// The token names a key its issuer has not published as far as the verifier knows, and
    /// the key set was fetched too recently to fetch it again: the key may be new (a rotation
    /// a moment ago), so the client is told to retry after the remaining cooldown (503) rather
    /// than that its token is invalid.
    KeyNotYetFetched,
    /// The token names a key its issuer published but the verifier cannot use (an encryption
    /// key, another key type or algorithm, too short, malformed): it is refused at once.
    UnusableKey,
    /// The verified claims do not deserialize into the application's claim type.
    ClaimsType,
    /// AWS credentials need an ID token of the signed-in user, and the request has none (an
    /// access token alone, or an ID token of someone else).
    IdTokenRequired,
    /// The identity pool refused to issue credentials for this user.
    CredentialsRefused,
    /// The identity pool is throttling, failing or unreachable.
    CredentialsUnavailable,
    /// The verifier or the adapter is not configured for this request.
    Misconfigured(Cow<'static, str>),
    /// A load balancer's token whose `signer` is not one of the trusted load balancers.
    UntrustedSigner,
    /// The identity a load balancer forwards (`x-amzn-oidc-identity`, or its access token's
    /// `sub`) is not the token's subject.
    IdentityMismatch,
}

impl ErrorKind {
    /// The class that decides the HTTP answer.
    #[must_use]
    pub fn class(&self) -> ErrorClass {
        match self {
            ErrorKind::MissingToken => ErrorClass::MissingToken,
            ErrorKind::InvalidRequest => ErrorClass::InvalidRequest,
            ErrorKind::RequirementNotMet(unmet) if unmet.is_token_use() => ErrorClass::InvalidToken,
            ErrorKind::RequirementNotMet(_) => ErrorClass::RequirementNotMet,
            ErrorKind::KeysUnavailable | ErrorKind::KeyNotYetFetched => ErrorClass::KeysUnavailable,
            ErrorKind::IdTokenRequired | ErrorKind::CredentialsRefused => {
                ErrorClass::CredentialsRefused
            }
            ErrorKind::CredentialsUnavailable => ErrorClass::CredentialsUnavailable,
            ErrorKind::ClaimsType | ErrorKind::Misconfigured(_) => ErrorClass::Misconfigured,
            _ => ErrorClass::InvalidToken,
        }
    }

    /// A short fixed description, safe to show to a client.
    #[must_use]
    pub fn description(&self) -> Cow<'static, str> {
        let text: &'static str = match self {
            ErrorKind::MissingToken => "no bearer token",
            ErrorKind::InvalidRequest => "the request's credentials are malformed",
            ErrorKind::TokenTooLong => "the token is too long",
            ErrorKind::Malformed => "the token is malformed",
            ErrorKind::NonCanonicalEncoding => "the token is not canonically encoded",
            ErrorKind::JsonTooDeep => "the token nests JSON too deeply",
            ErrorKind::UnsupportedAlgorithm => "the token algorithm is not accepted",
            ErrorKind::MissingKeyId => "the token has no key id",
            ErrorKind::UnsupportedCriticalHeader => "the token has an unsupported critical header",
            ErrorKind::UnknownIssuer => "the token issuer is not accepted",
            ErrorKind::UnknownKeyId => "the token key is unknown",
            ErrorKind::KeyAlgorithmMismatch => "the token algorithm does not match its key",
            ErrorKind::InvalidSignature => "the token signature is invalid",
            ErrorKind::Expired => "the token has expired",
            ErrorKind::NotYetValid => "the token is not valid yet",
            ErrorKind::MissingClaim(name) => {
                return format!("the token has no {name} claim").into();
            }
            ErrorKind::InvalidClaim(name) => {
                return format!("the token {name} claim is invalid").into();
            }
            ErrorKind::InvalidTokenUse => "the token use is invalid",
            ErrorKind::WrongTokenUse => "the token use is not accepted here",
            ErrorKind::WrongClient => "the token was issued to another client",
            ErrorKind::WrongAudience => "the token is for another API",
            ErrorKind::CheckFailed(reason) => return reason.clone(),
            ErrorKind::RequirementNotMet(unmet) => return unmet.to_string().into(),
            ErrorKind::KeysUnavailable => "the signing keys are unavailable",
            ErrorKind::KeyNotYetFetched => "the token key is not loaded yet; retry later",
            ErrorKind::UnusableKey => "the token key was published but is not usable",
            ErrorKind::ClaimsType => "the token claims do not fit the application's claim type",
            ErrorKind::IdTokenRequired => "AWS credentials need an ID token of the signed-in user",
            ErrorKind::CredentialsRefused => "the identity pool refused to issue credentials",
            ErrorKind::CredentialsUnavailable => "the identity pool is unavailable",
            ErrorKind::UntrustedSigner => {
                "the token was signed by a load balancer not trusted here"
            }
            ErrorKind::IdentityMismatch => "the identity headers do not agree with the token",
            ErrorKind::Misconfigured(what) => return what.clone(),
        };
        Cow::Borrowed(text)
    }
}
