//! The layer's and the route's rules.

use cognito_core::{Require, TokenUse};
use serde_json::Value;

use super::{BARE, case, contains, insufficient, invalid_token, is, ok, refused, route};
use crate::behaviour::{Case, Expect, Issuers, Req, Setup, Text};

/// The layer's and the route's rules.
pub(super) fn rules(issuers: &Issuers) -> Vec<Case> {
    let issuer = &issuers.served;
    let id = || issuer.id_token();
    let access = || issuer.access_token();
    let mut rows = vec![
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
    ];
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
