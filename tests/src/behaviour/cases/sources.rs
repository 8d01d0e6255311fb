//! Where the token is read, and optional auth.

use super::{BARE, INVALID_REQUEST, case, invalid_token, is, ok, optional, plain, refused, source};
use crate::behaviour::{Case, Issuers, Req, Source};

/// Where the token is read, and optional auth.
pub(super) fn sources(issuers: &Issuers) -> Vec<Case> {
    let issuer = &issuers.served;
    let id = || issuer.id_token();
    let access = || issuer.access_token();
    vec![
        case(
            "bearer_scheme_is_case_insensitive",
            plain(),
            Req::anonymous().header(
                "authorization",
                format!("bEaReR {}", id().username("carol").sign()),
            ),
            ok("user:carol"),
        ),
        case(
            "cookie_source_reads_the_named_cookie",
            source(Source::Cookie("id_token")),
            Req::anonymous().header(
                "cookie",
                format!("theme=dark; id_token={}", id().username("dave").sign()),
            ),
            ok("user:dave"),
        ),
        case(
            "cookie_source_does_not_look_at_the_bearer_header",
            source(Source::Cookie("id_token")),
            Req::bearer(&id().sign()),
            refused(401, is(BARE)),
        ),
        case(
            "cookie_that_cannot_be_a_token_is_400_invalid_request",
            source(Source::Cookie("id_token")),
            Req::anonymous().header("cookie", "id_token=\"a b\""),
            refused(400, is(INVALID_REQUEST)),
        ),
        case(
            "header_source_reads_the_bare_header_value",
            source(Source::Header("x-id-token")),
            Req::anonymous().header("x-id-token", id().username("erin").sign()),
            ok("user:erin"),
        ),
        case(
            "custom_source_reads_a_query_parameter",
            source(Source::Query("access_token")),
            Req::get(format!(
                "/ws?access_token={}",
                access().username("frank").sign()
            )),
            ok("user:frank"),
        ),
        case(
            "custom_source_finding_nothing_is_no_token",
            source(Source::Query("access_token")),
            Req::get("/ws"),
            refused(401, is(BARE)),
        ), // optional auth
        case(
            "optional_auth_lets_anonymous_requests_through",
            optional(),
            Req::anonymous(),
            ok("anonymous"),
        ),
        case(
            "optional_auth_still_refuses_a_bad_token",
            optional(),
            Req::bearer(&id().expired().sign()),
            invalid_token("the token has expired"),
        ),
        case(
            "optional_auth_admits_a_valid_token",
            optional(),
            Req::bearer(&id().username("gina").sign()),
            ok("user:gina"),
        ),
    ]
}
