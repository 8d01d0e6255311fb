//! What a token is for, and which uses an issuer accepts.

use std::fmt;

/// What a token is for, from its `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An ID token: who the user is (`aud` is the app client).
    Id,
    /// An access token: what the caller may do (`client_id` is the app client, `scope` lists
    /// the scopes).
    Access,
}

impl TokenUse {
    /// The claim value: `"id"` or `"access"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "id" => Some(TokenUse::Id),
            "access" => Some(TokenUse::Access),
            _ => None,
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which token uses a user pool accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllowedTokenUse {
    /// ID tokens only.
    Id,
    /// Access tokens only.
    Access,
    /// ID or access tokens.
    Either,
}

impl AllowedTokenUse {
    pub(crate) fn allows(self, token_use: TokenUse) -> bool {
        matches!(
            (self, token_use),
            (AllowedTokenUse::Either, _)
                | (AllowedTokenUse::Id, TokenUse::Id)
                | (AllowedTokenUse::Access, TokenUse::Access)
        )
    }
}

impl From<TokenUse> for AllowedTokenUse {
    fn from(token_use: TokenUse) -> Self {
        match token_use {
            TokenUse::Id => AllowedTokenUse::Id,
            TokenUse::Access => AllowedTokenUse::Access,
        }
    }
}
