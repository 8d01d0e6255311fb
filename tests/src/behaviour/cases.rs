//! The rows. Grouped as the status table of DESIGN §5, token sources, optional auth, rules,
//! and rendering; each group's rows read as the sentences of its tests once did.

use cognito_core::{Require, TokenUse};
use serde_json::Value;

use super::{Case, Expect, Issuers, Keys, Req, Setup, Source, Text};

const BARE: &str = "Bearer realm=\"api\"";
const INVALID_REQUEST: &str = "Bearer realm=\"api\", error=\"invalid_request\", \
     error_description=\"the request's credentials are malformed\"";

fn is(text: impl Into<String>) -> Text {
    Text::Is(text.into())
}

fn contains<const N: usize>(parts: [&str; N]) -> Text {
    Text::Contains(parts.iter().map(|p| (*p).to_owned()).collect())
}

/// 200 with this body.
fn ok(body: impl Into<String>) -> Expect {
    Expect {
        status: 200,
        challenge: Text::Absent,
        body: is(body),
        headers: vec![("cache-control", None)],
    }
}

/// A refusal with this status and challenge, any body.
fn refused(status: u16, challenge: Text) -> Expect {
    Expect {
        status,
        challenge,
        body: contains([]),
        headers: Vec::new(),
    }
}

fn invalid_token(description: &str) -> Expect {
    refused(
        401,
        is(format!(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{description}\""
        )),
    )
}

fn insufficient(description: &str) -> Expect {
    refused(
        403,
        is(format!(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"{description}\""
        )),
    )
}

fn case(name: &'static str, setup: Setup, req: Req, expect: Expect) -> Case {
    Case {
        name,
        setup,
        req,
        times: 1,
        expect,
    }
}

fn plain() -> Setup {
    Setup::default()
}

fn route(rule: Require) -> Setup {
    Setup {
        route_rule: Some(rule),
        ..Setup::default()
    }
}

fn optional() -> Setup {
    Setup {
        optional: true,
        ..Setup::default()
    }
}

fn source(source: Source) -> Setup {
    Setup {
        source,
        ..Setup::default()
    }
}

/// Every row, its tokens minted by `issuers.served`.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn cases(issuers: &Issuers) -> Vec<Case> {
    let issuer = &issuers.served;
    let id = || issuer.id_token();
    let access = || issuer.access_token();
    let mut rows = vec![
        // ---- the status table ----
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
        // ---- token sources ----
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
        ),
        // ---- optional auth ----
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
        // ---- rules ----
        case(
            "require_passes_members",
            route(Require::group("admin")),
            Req::bearer(&id().username("root").groups(["admin"]).sign()),
            ok("user:root"),
        ),
        case(
            "require_combines_groups_scopes_and_claims_and_passes_a_gold_reader",
            route(gold_rule()),
            Req::bearer(
                &access()
                    .username("reader")
                    .scopes(["reports/read", "reports/export"])
                    .custom("tier", "gold")
                    .sign(),
            ),
            ok("user:reader"),
        ),
        case(
            "require_combines_groups_scopes_and_claims_and_names_the_unmet_claim",
            route(gold_rule()),
            Req::bearer(&access().groups(["admin"]).custom("tier", "silver").sign()),
            refused(403, contains(["claim custom:tier equal to 'gold'"])),
        ),
        case(
            "require_combines_groups_scopes_and_claims_and_names_the_unmet_scopes",
            route(gold_rule()),
            Req::bearer(
                &access()
                    .scopes(["reports/read"])
                    .custom("tier", "gold")
                    .sign(),
            ),
            refused(403, contains(["scope=\"reports/read reports/export\""])),
        ),
        case(
            "require_with_not_passes_others",
            route(Require::group("suspended").not()),
            Req::bearer(&id().username("ok").groups(["staff"]).sign()),
            ok("user:ok"),
        ),
        case(
            "require_with_not_refuses_the_excluded_group",
            route(Require::group("suspended").not()),
            Req::bearer(&id().groups(["suspended"]).sign()),
            refused(403, contains(["error=\"insufficient_scope\""])),
        ),
        case(
            "require_on_anonymous_request_is_401",
            Setup {
                optional: true,
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::anonymous(),
            refused(401, is(BARE)),
        ),
        case(
            "negated_claim_rule_refuses_the_user",
            route(disabled_rule()),
            Req::bearer(&id().custom("status", "disabled").sign()),
            refused(403, contains(["error=\"insufficient_scope\""])),
        ),
        case(
            "require_without_auth_layer_is_a_500_naming_cognito_auth",
            Setup {
                no_auth: true,
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::bearer(&id().groups(["admin"]).sign()),
            Expect {
                body: contains(["CognitoAuth"]),
                ..refused(500, Text::Absent)
            },
        ),
        Case {
            times: 2,
            ..case(
                "asynchronous_verifier_check_admits_others_cache_hits_included",
                Setup {
                    signed_out: Some("mallory"),
                    ..Setup::default()
                },
                Req::bearer(&id().username("alice").sign()),
                ok("user:alice"),
            )
        },
        Case {
            times: 2,
            ..case(
                "asynchronous_verifier_check_refuses_through_the_layer_cache_hits_included",
                Setup {
                    signed_out: Some("mallory"),
                    ..Setup::default()
                },
                Req::bearer(&id().username("mallory").sign()),
                invalid_token("the session was signed out"),
            )
        },
        case(
            "layer_wide_require_applies_to_every_request",
            Setup {
                layer_rule: Some(Require::group("staff")),
                ..Setup::default()
            },
            Req::bearer(&id().groups(["guests"]).sign()),
            insufficient("requires group staff"),
        ),
        case(
            "layer_wide_require_admits_members",
            Setup {
                layer_rule: Some(Require::group("staff")),
                ..Setup::default()
            },
            Req::bearer(&access().username("sam").groups(["staff"]).sign()),
            ok("user:sam"),
        ),
        case(
            "token_use_rule_refuses_the_other_token_use_with_401_invalid_token",
            Setup {
                layer_rule: Some(Require::token_use(TokenUse::Access)),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            invalid_token("requires access token"),
        ),
        case(
            "token_use_rule_admits_its_token_use",
            Setup {
                layer_rule: Some(Require::token_use(TokenUse::Access)),
                ..Setup::default()
            },
            Req::bearer(&access().username("tess").sign()),
            ok("user:tess"),
        ),
        // ---- rendering ----
        case(
            "problem_json_renders_rfc9457_bodies_in_auth",
            Setup {
                problem_json: true,
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::anonymous(),
            Expect {
                body: contains(["\"status\":401", "\"title\":\"Unauthorized\""]),
                headers: vec![("content-type", Some("application/problem+json"))],
                ..refused(401, is(BARE))
            },
        ),
        case(
            "problem_json_renders_rfc9457_bodies_in_require",
            Setup {
                problem_json: true,
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            Expect {
                body: contains([
                    "\"error\":\"insufficient_scope\"",
                    "\"detail\":\"requires group admin\"",
                ]),
                headers: vec![("content-type", Some("application/problem+json"))],
                ..refused(403, contains(["error=\"insufficient_scope\""]))
            },
        ),
        case(
            "problem_json_renders_an_invalid_token",
            Setup {
                problem_json: true,
                ..Setup::default()
            },
            Req::bearer(&id().expired().sign()),
            Expect {
                body: is(
                    "{\"detail\":\"the token has expired\",\"error\":\"invalid_token\",\
                          \"status\":401,\"title\":\"Unauthorized\",\"type\":\"about:blank\"}",
                ),
                headers: vec![("content-type", Some("application/problem+json"))],
                ..invalid_token("the token has expired")
            },
        ),
        case(
            "problem_json_renders_an_unmet_scope",
            Setup {
                problem_json: true,
                route_rule: Some(Require::scope("x")),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            Expect {
                body: is(
                    "{\"detail\":\"requires scope x\",\"error\":\"insufficient_scope\",\
                          \"status\":403,\"title\":\"Forbidden\",\"type\":\"about:blank\"}",
                ),
                headers: vec![("content-type", Some("application/problem+json"))],
                ..refused(
                    403,
                    is("Bearer realm=\"api\", error=\"insufficient_scope\", \
                        error_description=\"requires scope x\", scope=\"x\""),
                )
            },
        ),
        case(
            "plain_text_is_the_default_body",
            route(Require::group("admin")),
            Req::bearer(&id().sign()),
            Expect {
                body: is("requires group admin"),
                headers: vec![("content-type", Some("text/plain; charset=utf-8"))],
                ..insufficient("requires group admin")
            },
        ),
        case(
            "realm_set_on_the_layer_reaches_require",
            Setup {
                realm: Some("reports"),
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            refused(
                403,
                contains(["Bearer realm=\"reports\", error=\"insufficient_scope\""]),
            ),
        ),
        case(
            "custom_renderer_shapes_the_auth_refusal",
            Setup {
                custom_body: true,
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::anonymous(),
            Expect {
                body: is("{\"message\":\"401\"}"),
                ..refused(401, is(BARE))
            },
        ),
        case(
            "custom_renderer_shapes_the_require_refusal",
            Setup {
                custom_body: true,
                route_rule: Some(Require::group("admin")),
                ..Setup::default()
            },
            Req::bearer(&id().sign()),
            Expect {
                body: is("{\"message\":\"403\"}"),
                ..refused(403, contains(["error=\"insufficient_scope\""]))
            },
        ),
    ];
    rows.extend(malformed_bearer_rows());
    rows.extend(unrepresentable_payload_rows(issuers));
    rows
}

fn gold_rule() -> Require {
    Require::group("admin")
        .or(Require::all_scopes(["reports/read", "reports/export"]))
        .and(Require::claim_equals("custom:tier", "gold"))
}

fn disabled_rule() -> Require {
    Require::claim_equals("custom:status", "disabled").not()
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

/// The signed claims of a user a negated rule refuses, with one member no claim map can hold:
/// refused as malformed, never admitted with claims that read as empty.
fn unrepresentable_payload_rows(issuers: &Issuers) -> Vec<Case> {
    let issuer = &issuers.served;
    let disabled = issuer.id_token().custom("status", "disabled");
    let payload = Value::Object(disabled.claims()).to_string();
    let open = payload.strip_suffix('}').unwrap_or(&payload).to_owned();
    [
        r#""x":"\ud800""#,
        r#""x":"x\ud800\u0041""#,
        r#""x":1e400"#,
        r#""x":-1e400"#,
    ]
    .into_iter()
    .map(|hidden| {
        let token = issuer.sign_payload(format!("{open},{hidden}}}").as_bytes());
        case(
            "negated_claim_rule_cannot_be_dodged_by_a_payload_the_claim_map_cannot_hold",
            route(disabled_rule()),
            Req::bearer(&token),
            invalid_token("the token is malformed"),
        )
    })
    .collect()
}
