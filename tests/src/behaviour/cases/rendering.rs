//! How refusals are written: problem details, realms, custom renderers.

use cognito_core::Require;

use super::{BARE, case, contains, insufficient, invalid_token, is, refused, route};
use crate::behaviour::{Case, Expect, Issuers, Req, Setup};

/// How refusals are written: problem details, realms, custom renderers.
pub(super) fn rendering(issuers: &Issuers) -> Vec<Case> {
    let issuer = &issuers.served;
    let id = || issuer.id_token();
    vec![
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
    ]
}
