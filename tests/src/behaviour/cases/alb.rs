//! Behind an Application Load Balancer: the identity it forwards, read instead of a token.

use cognito_core::Require;

use super::{BARE, INVALID_REQUEST, case, insufficient, invalid_token, is, ok, refused};
use crate::behaviour::{Case, Issuers, Req, Setup};

fn behind_alb(issuers: &Issuers) -> Setup {
    Setup {
        alb: Some(
            issuers
                .alb
                .verifier()
                .expect("the load balancer's verifier"),
        ),
        ..Setup::default()
    }
}

/// The rows of the load balancer door.
pub(super) fn alb(issuers: &Issuers) -> Vec<Case> {
    let alb = &issuers.alb;
    let data = |token: String| Req::anonymous().header("x-amzn-oidc-data", token);
    vec![
        case(
            "alb_headers_reach_the_handler_with_the_user_info",
            behind_alb(issuers),
            data(alb.token().sub("carla").sign()).header("x-amzn-oidc-identity", "carla"),
            ok("user:carla"),
        ),
        case(
            "alb_without_its_data_header_is_401_with_bare_bearer_challenge",
            behind_alb(issuers),
            Req::bearer(&issuers.served.id_token().sign()),
            refused(401, is(BARE)),
        ),
        case(
            "optional_alb_lets_requests_without_its_headers_through",
            Setup {
                optional: true,
                ..behind_alb(issuers)
            },
            Req::anonymous(),
            ok("anonymous"),
        ),
        case(
            "alb_token_of_an_untrusted_signer_is_401",
            behind_alb(issuers),
            data(
                alb.token()
                    .signer(cognito_core::test_util::LocalAlb::OTHER_SIGNER)
                    .sign(),
            ),
            invalid_token("the token was signed by a load balancer not trusted here"),
        ),
        case(
            "alb_identity_header_of_another_user_is_401",
            behind_alb(issuers),
            data(alb.token().sub("carla").sign()).header("x-amzn-oidc-identity", "mallory"),
            invalid_token("the identity headers do not agree with the token"),
        ),
        case(
            "alb_data_header_twice_is_400_invalid_request",
            behind_alb(issuers),
            data(alb.token().sign()).header("x-amzn-oidc-data", alb.token().sign()),
            refused(400, is(INVALID_REQUEST)),
        ),
        case(
            "alb_users_meet_route_rules_like_token_users",
            Setup {
                route_rule: Some(Require::group("admin")),
                ..behind_alb(issuers)
            },
            data(alb.token().sign()),
            insufficient("requires group admin"),
        ),
    ]
}
