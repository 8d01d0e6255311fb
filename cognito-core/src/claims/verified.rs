//! A verified token: its standard claims, kept as spans of its payload, and the payload itself.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::issuer::TokenUse;
use crate::jwks::Jwk;
use crate::payload::{Audience, RawClaims};

/// Where a string claim's text is: a range of the payload (a string without escapes), or of
/// the claims' own buffer for the few strings that had escapes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    start: usize,
    len: usize,
    unescaped: bool,
}

/// The standard claims of a verified token, kept as spans of its payload: one allocation for
/// the whole set instead of one per claim.
#[derive(Default)]
pub(crate) struct StandardClaims {
    pub(super) iss: Span,
    pub(super) sub: Span,
    pub(super) client_id: Option<Span>,
    pub(super) jti: Option<Span>,
    pub(super) origin_jti: Option<Span>,
    pub(super) username: Option<Span>,
    pub(super) cognito_username: Option<Span>,
    pub(super) scope: Option<Span>,
    pub(super) email: Option<Span>,
    pub(super) aud: Option<Audience>,
    pub(super) groups: Option<Vec<String>>,
    pub(crate) nbf: Option<u64>,
    pub(super) iat: Option<u64>,
    pub(super) auth_time: Option<u64>,
    pub(super) email_verified: Option<bool>,
    /// The text of strings that had escapes.
    unescaped: String,
}

impl StandardClaims {
    /// Keeps what the accessors need from `raw`, read out of `payload`.
    pub(crate) fn keep(raw: RawClaims<'_>, payload: &str) -> Self {
        let mut unescaped = String::new();
        let mut span = |text: Option<Cow<'_, str>>| -> Option<Span> {
            Some(match text? {
                Cow::Borrowed(text) => Span {
                    // The text is borrowed from `payload`: its offset is where it starts.
                    start: (text.as_ptr() as usize).wrapping_sub(payload.as_ptr() as usize),
                    len: text.len(),
                    unescaped: false,
                },
                Cow::Owned(text) => {
                    let start = unescaped.len();
                    unescaped.push_str(&text);
                    Span {
                        start,
                        len: text.len(),
                        unescaped: true,
                    }
                }
            })
        };
        StandardClaims {
            iss: span(raw.iss).unwrap_or_default(),
            sub: span(raw.sub).unwrap_or_default(),
            client_id: span(raw.client_id),
            jti: span(raw.jti),
            origin_jti: span(raw.origin_jti),
            username: span(raw.username),
            cognito_username: span(raw.cognito_username),
            scope: span(raw.scope),
            email: span(raw.email),
            aud: raw.aud,
            groups: raw.groups,
            nbf: raw.nbf,
            iat: raw.iat,
            auth_time: raw.auth_time,
            email_verified: raw.email_verified,
            unescaped,
        }
    }
}

impl StandardClaims {
    /// Takes the groups and scopes of another verified token of the same user (a load
    /// balancer's user info has neither; its access token has both).
    pub(crate) fn adopt_groups_and_scopes(&mut self, groups: &[String], scope: Option<&str>) {
        self.groups = Some(groups.to_vec());
        self.scope = scope.map(|scope| {
            let start = self.unescaped.len();
            self.unescaped.push_str(scope);
            Span {
                start,
                len: scope.len(),
                unescaped: true,
            }
        });
    }
}

/// A verified token: its checked standard claims and its payload.
pub(crate) struct VerifiedToken {
    pub(crate) std: StandardClaims,
    pub(crate) exp: u64,
    pub(crate) token_use: Option<TokenUse>,
    pub(crate) payload: String,
    raw: OnceLock<Map<String, Value>>,
    /// The token itself: the cache key, and what an identity-pool exchange sends. Kept only
    /// when one of them needs it.
    pub(crate) token: Option<Arc<str>>,
    /// The issuer's provider name in an identity pool's `Logins` map.
    pub(crate) login_provider: Arc<str>,
    /// The configured issuer (index into the verifier's issuers) and the key that verified it,
    /// so a cached entry dies with its key.
    pub(crate) issuer_index: usize,
    pub(crate) key: Arc<Jwk>,
}

impl VerifiedToken {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        std: StandardClaims,
        exp: u64,
        token_use: Option<TokenUse>,
        payload: String,
        token: Option<Arc<str>>,
        login_provider: Arc<str>,
        issuer_index: usize,
        key: Arc<Jwk>,
    ) -> Self {
        VerifiedToken {
            std,
            exp,
            token_use,
            payload,
            raw: OnceLock::new(),
            token,
            login_provider,
            issuer_index,
            key,
        }
    }

    /// The text of a string claim.
    pub(super) fn text(&self, span: Span) -> &str {
        let source = if span.unescaped {
            &self.std.unescaped
        } else {
            &self.payload
        };
        source
            .get(span.start..span.start + span.len)
            .unwrap_or_default()
    }

    pub(super) fn optional(&self, span: Option<Span>) -> Option<&str> {
        span.map(|span| self.text(span))
    }

    pub(super) fn raw(&self) -> &Map<String, Value> {
        // Verification read every member of the payload with this parser and refused what it
        // would refuse (`payload` module), so this parse cannot fail: should it ever, it is said
        // loudly rather than shown as a token without claims.
        self.raw.get_or_init(|| {
            serde_json::from_str(&self.payload).unwrap_or_else(|_| {
                tracing::error!(
                    "a verified payload failed its second parse; its claims read as empty"
                );
                Map::new()
            })
        })
    }
}
