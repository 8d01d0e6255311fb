//! The status table: what each token, or its absence, is answered.

use cognito_core::{Require, TokenUse};

use super::{
    BARE, INVALID_REQUEST, case, contains, insufficient, invalid_token, is, ok, optional, plain,
    refused, route,
};
use crate::behaviour::{Case, Expect, Issuers, Keys, Req, Setup, Text};

/// The status table of DESIGN §5: what each token, or its absence, is answered.
pub(super) fn status(issuers: &Issuers) -> Vec<Case> {
    let issuer = &issuers.served;
    let id = || issuer.id_token();
    let access = || issuer.access_token();
    let mut rows = vec![
        case(
            "valid_token_reaches_the_handler_with_its_claims",
            plain(),
            Req::bearer(&id().username("alice").sign()),
            ok("user:alice"),
        ),
        case(
            "missing_token_is_401_with_bare_bearer_challenge",
            plain(),
            Req::anonymous(),
            Expect {
                body: is("no bearer token"),
                ..refused(401, is(BARE))
            },
        ),
        case(
            "other_auth_scheme_counts_as_no_token",
            plain(),
            Req::anonymous().header("authorization", "Basic dXNlcjpwdw=="),
            refused(401, is(BARE)),
        ),
        case(
            "malformed_token_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer("not-a-jwt"),
            invalid_token("the token is malformed"),
        ),
        case(
            "two_authorization_headers_are_400_invalid_request",
            plain(),
            Req::bearer(&id().sign()).header("authorization", format!("Bearer {}", id().sign())),
            refused(400, is(INVALID_REQUEST)),
        ),
        case(
            "non_ascii_credentials_are_400_invalid_request_not_a_panic",
            plain(),
            Req::anonymous().header("authorization", "Bearer tökén"),
            refused(400, is(INVALID_REQUEST)),
        ),
        case(
            "a_huge_credential_is_401_not_a_panic",
            plain(),
            Req::bearer(&"a".repeat(64 * 1024)),
            refused(401, contains(["error=\"invalid_token\""])),
        ),
        case(
            "bad_signature_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer(&id().other_key().header("kid", issuer.active_kid()).sign()),
            invalid_token("the token signature is invalid"),
        ),
        case(
            "unsigned_forgery_is_401",
            plain(),
            Req::bearer(&id().alg_none().sign()),
            invalid_token("the token algorithm is not accepted"),
        ),
        case(
            "hmac_forgery_is_401",
            plain(),
            Req::bearer(&id().hs256_with_public_key().sign()),
            invalid_token("the token algorithm is not accepted"),
        ),
        case(
            "expired_token_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer(&id().expired().sign()),
            invalid_token("the token has expired"),
        ),
        case(
            "token_not_yet_valid_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer(&id().not_yet_valid().sign()),
            invalid_token("the token is not valid yet"),
        ),
        case(
            "wrong_issuer_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer(&id().wrong_issuer().sign()),
            invalid_token("the token issuer is not accepted"),
        ),
        case(
            "wrong_client_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer(&id().client_id("otherclient").sign()),
            invalid_token("the token was issued to another client"),
        ),
        case(
            "wrong_token_use_is_401_with_invalid_token_challenge",
            Setup {
                token_use: Some(TokenUse::Access),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            invalid_token("the token use is not accepted here"),
        ),
        case(
            "unmet_group_is_403_with_insufficient_scope_challenge",
            route(Require::group("admin")),
            Req::bearer(&id().groups(["staff"]).sign()),
            insufficient("requires group admin"),
        ),
        case(
            "unmet_scope_is_403_naming_the_scope",
            route(Require::any_scope(["reports/read", "reports/admin"])),
            Req::bearer(&access().scopes(["profile"]).sign()),
            refused(
                403,
                contains([
                    "error=\"insufficient_scope\"",
                    ", scope=\"reports/read reports/admin\"",
                ]),
            ),
        ),
        case(
            "unavailable_keys_are_503_with_retry_after_and_no_challenge",
            Setup {
                keys: Keys::Unavailable,
                ..Setup::default()
            },
            Req::bearer(&issuers.unavailable.id_token().sign()),
            Expect {
                headers: vec![("retry-after", Some("10"))],
                ..refused(503, Text::Absent)
            },
        ),
        case(
            "realm_is_configurable",
            Setup {
                realm: Some("reports"),
                ..Setup::default()
            },
            Req::anonymous(),
            refused(401, is("Bearer realm=\"reports\"")),
        ),
        case(
            "token_without_exp_is_401_with_invalid_token_challenge",
            plain(),
            Req::bearer(&id().without_claim("exp").sign()),
            invalid_token("the token has no exp claim"),
        ),
        case(
            "unmet_claim_contains_rule_is_403",
            route(Require::claim_contains("cognito:groups", "admin")),
            Req::bearer(&id().sign()),
            insufficient("requires claim cognito:groups containing 'admin'"),
        ),
        case(
            "realm_with_quotes_backslashes_and_non_ascii_is_escaped_in_the_challenge",
            Setup {
                realm: Some("my \"realm\" \\ é"),
                route_rule: Some(Require::scope("x")),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            refused(
                403,
                is(
                    "Bearer realm=\"my 'realm' / ?\", error=\"insufficient_scope\", \
                    error_description=\"requires scope x\", scope=\"x\"",
                ),
            ),
        ),
    ];
    rows.extend(malformed_bearer_rows());
    rows
}

/// Broken `Bearer` credentials: 400 even where authentication is optional.
fn malformed_bearer_rows() -> Vec<Case> {
    [
        "Bearer  two-spaces",
        "Bearer\ttab",
        "Bearer",
        "Bearer a.b.c ",
    ]
    .into_iter()
    .map(|value| {
        case(
            "malformed_bearer_credentials_are_400_invalid_request",
            optional(),
            Req::anonymous().header("authorization", value),
            refused(400, is(INVALID_REQUEST)),
        )
    })
    .collect()
}
