//! Full verification of a token, in DESIGN's fixed order, and the claim checks it ends with.

use std::sync::Arc;

use super::Verifier;
use crate::claims::{StandardClaims, VerifiedToken};
use crate::error::{Error, ErrorKind};
use crate::issuer::{ClaimRules, TokenUse};
use crate::jws;
use crate::payload::{Audience, RawClaims};

impl Verifier {
    /// Verifies as of `at` (Unix seconds), or as of the moment the key is at hand: a token
    /// must not outlive its `exp` while its key set is being fetched.
    pub(super) async fn verify_uncached(
        &self,
        token: &str,
        at: Option<u64>,
    ) -> Result<VerifiedToken, Error> {
        let inner = &*self.inner;
        let (mut small, mut large) = ([0u8; jws::HEADER_STACK], Vec::new());
        let mut jws = jws::parse(token, inner.limits, &mut small, &mut large)?;
        let payload = String::from_utf8(std::mem::take(&mut jws.payload))
            .map_err(|_| ErrorKind::Malformed)?;
        let raw = RawClaims::parse(&payload)?;

        let iss = raw.iss.as_deref().ok_or(ErrorKind::MissingClaim("iss"))?;
        let (issuer_index, issuer) = inner
            .issuers
            .iter()
            .enumerate()
            .find(|(_, i)| i.spec.accepted_iss.iter().any(|a| a == iss))
            .ok_or(ErrorKind::UnknownIssuer)?;
        if !issuer.spec.algorithms.contains(jws.alg) {
            return Err(ErrorKind::UnsupportedAlgorithm.into());
        }

        let key = issuer
            .store
            .key(&jws.kid, &inner.fetcher, inner.fetch, &inner.clock)
            .await?;
        if !key.allows(jws.alg) {
            return Err(ErrorKind::KeyAlgorithmMismatch.into());
        }
        if !key.verify(jws.alg, jws.signing_input, jws.signature()) {
            return Err(ErrorKind::InvalidSignature.into());
        }

        let now = at.unwrap_or_else(|| inner.clock.unix_seconds());
        let exp = raw.exp.ok_or(ErrorKind::MissingClaim("exp"))?;
        if is_expired(exp, now, inner.leeway) {
            return Err(ErrorKind::Expired.into());
        }
        if is_not_yet_valid(raw.nbf, now, inner.leeway) {
            return Err(ErrorKind::NotYetValid.into());
        }
        match raw.sub.as_deref() {
            None => return Err(ErrorKind::MissingClaim("sub").into()),
            Some("") => return Err(ErrorKind::InvalidClaim("sub").into()),
            Some(_) => {}
        }
        let token_use = check_rules(&issuer.spec.rules, &raw)?;

        let std = StandardClaims::keep(raw, &payload);
        Ok(VerifiedToken::new(
            std,
            exp,
            token_use,
            payload,
            // The cache keys entries by it and identity pools are sent it; otherwise no copy.
            (inner.cache.is_some() || cfg!(feature = "identity-pool")).then(|| Arc::from(token)),
            Arc::clone(&issuer.spec.login_provider),
            issuer_index,
            key,
        ))
    }
}

/// Valid while `now < exp + leeway`.
pub(super) fn is_expired(exp: u64, now: u64, leeway: u64) -> bool {
    now >= exp.saturating_add(leeway)
}

/// Not valid before `nbf - leeway`.
pub(super) fn is_not_yet_valid(nbf: Option<u64>, now: u64, leeway: u64) -> bool {
    nbf.is_some_and(|nbf| now.saturating_add(leeway) < nbf)
}

/// `token_use` and the app client (Cognito), or the audience (other OIDC issuers).
fn check_rules(rules: &ClaimRules, std: &RawClaims<'_>) -> Result<Option<TokenUse>, Error> {
    match rules {
        ClaimRules::Cognito {
            clients,
            token_use,
            resource_audiences,
        } => {
            let used = std
                .token_use
                .as_deref()
                .and_then(TokenUse::parse)
                .ok_or(ErrorKind::InvalidTokenUse)?;
            if !token_use.allows(used) {
                return Err(ErrorKind::WrongTokenUse.into());
            }
            let client = match used {
                TokenUse::Id => match &std.aud {
                    Some(Audience::One(aud)) => aud.as_str(),
                    Some(Audience::Many(_)) => return Err(ErrorKind::InvalidClaim("aud").into()),
                    None => return Err(ErrorKind::MissingClaim("aud").into()),
                },
                TokenUse::Access => std
                    .client_id
                    .as_deref()
                    .ok_or(ErrorKind::MissingClaim("client_id"))?,
            };
            if let Some(clients) = clients
                && !clients.iter().any(|c| &**c == client)
            {
                return Err(ErrorKind::WrongClient.into());
            }
            if used == TokenUse::Access
                && let Some(resources) = resource_audiences
            {
                let aud = std.aud.as_ref().ok_or(ErrorKind::MissingClaim("aud"))?;
                if !aud
                    .as_slice()
                    .iter()
                    .any(|a| resources.iter().any(|r| **r == **a))
                {
                    return Err(ErrorKind::WrongAudience.into());
                }
            }
            Ok(Some(used))
        }
        ClaimRules::Oidc { audiences } => {
            if let Some(audiences) = audiences {
                let aud = std.aud.as_ref().ok_or(ErrorKind::MissingClaim("aud"))?;
                if !aud
                    .as_slice()
                    .iter()
                    .any(|a| audiences.iter().any(|c| **c == **a))
                {
                    return Err(ErrorKind::WrongClient.into());
                }
            }
            // `token_use` is Cognito's claim; from another issuer it is unchecked, so it
            // satisfies no token-use rule.
            Ok(None)
        }
    }
}
