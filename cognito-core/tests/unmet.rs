#![cfg(feature = "test-util")]
//! What an unmet authorization rule says, and the 403 answer it turns into.

use std::sync::LazyLock;

use cognito_core::test_util::LocalIssuer;
use cognito_core::{Claims, Error, ErrorClass, ErrorKind, Require, TokenUse, Verifier};
use serde_json::json;

/// One issuer for the whole file: key generation is the slow part.
static ISSUER: LazyLock<LocalIssuer> =
    LazyLock::new(|| LocalIssuer::start().expect("local issuer starts"));

async fn verify(token: &str) -> Claims {
    Verifier::from(ISSUER.user_pool())
        .verify(token)
        .await
        .expect("token verifies")
}

async fn id_token_in_groups(groups: &[&str]) -> Claims {
    verify(&ISSUER.id_token().groups(groups.iter().copied()).sign()).await
}

async fn access_token_with_scopes(scopes: &[&str]) -> Claims {
    verify(&ISSUER.access_token().scopes(scopes.iter().copied()).sign()).await
}

#[tokio::test]
async fn unmet_rule_is_the_rule_that_failed() {
    let group = Require::group("admin");
    let rule = group.clone() & Require::scope("s");
    let claims = access_token_with_scopes(&["s"]).await;

    let first = rule.check(&claims).expect_err("not in admin");
    let second = rule.check(&claims).expect_err("not in admin");
    assert_eq!(first, second, "the same rule fails both times");
    assert_eq!(first.rule().to_string(), group.to_string());
    assert_eq!(format!("{first:?}"), "Unmet(group admin)");
}

#[tokio::test]
async fn scope_hint_names_the_scopes_of_scope_rules() {
    let claims = access_token_with_scopes(&["profile"]).await;
    let hint = |rule: Require| rule.check(&claims).expect_err("unmet").scope_hint();

    assert_eq!(
        hint(Require::scope("reports/read")),
        Some("reports/read".into())
    );
    assert_eq!(
        hint(Require::all_scopes(["reports/read", "reports/export"])),
        Some("reports/read reports/export".into())
    );
    assert_eq!(
        hint(Require::any_scope(["a/read", "b/read"])),
        Some("a/read b/read".into())
    );
    assert_eq!(
        hint(Require::scope("a/read") | Require::scope("b/read") | Require::scope("a/read")),
        Some("a/read b/read".into()),
        "each scope once"
    );
    assert_eq!(
        hint(Require::group("admin") | Require::scope("admin/all")),
        Some("admin/all".into())
    );
}

#[tokio::test]
async fn scope_hint_is_none_for_group_and_not_rules() {
    let claims = access_token_with_scopes(&["profile"]).await;
    let hint = |rule: Require| rule.check(&claims).expect_err("unmet").scope_hint();

    assert_eq!(hint(Require::group("admin")), None);
    assert_eq!(hint(Require::all_groups(["a", "b"])), None);
    assert_eq!(hint(Require::claim_equals("custom:tenant", "acme")), None);
    assert_eq!(hint(Require::token_use(TokenUse::Id)), None);
    assert_eq!(hint(Require::predicate("never", |_| false)), None);
    assert_eq!(hint(!Require::scope("profile")), None);
    assert_eq!(
        hint(Require::group("admin") & Require::scope("reports/read")),
        None,
        "the failed part of the `and` is the group"
    );
}

#[tokio::test]
async fn unmet_scope_rule_is_a_403_with_an_insufficient_scope_challenge() {
    let claims = access_token_with_scopes(&["profile"]).await;
    let unmet = Require::all_scopes(["reports/read", "reports/export"])
        .check(&claims)
        .expect_err("scopes missing");
    let err = Error::from(unmet);

    assert!(matches!(err.kind(), ErrorKind::RequirementNotMet(_)));
    assert_eq!(err.class(), ErrorClass::RequirementNotMet);
    assert_eq!(err.status(), 403);
    assert_eq!(err.retry_after(), None);
    assert_eq!(
        err.www_authenticate("api").as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires scopes reports/read and reports/export\", \
             scope=\"reports/read reports/export\""
        )
    );
}

#[tokio::test]
async fn unmet_group_rule_is_a_403_challenge_without_scope() {
    let claims = id_token_in_groups(&["staff"]).await;
    let err = Error::from(
        Require::group("admin")
            .check(&claims)
            .expect_err("not admin"),
    );

    assert_eq!(err.status(), 403);
    assert_eq!(
        err.www_authenticate("api").as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"requires group admin\""
        )
    );
}

#[tokio::test]
async fn unmet_not_scope_rule_has_no_scope_attribute() {
    let claims = access_token_with_scopes(&["beta"]).await;
    let err = Error::from(
        (!Require::scope("beta"))
            .check(&claims)
            .expect_err("has beta"),
    );
    let challenge = err.www_authenticate("api").expect("403 has a challenge");
    assert!(challenge.contains("error=\"insufficient_scope\""));
    assert!(!challenge.contains("scope=\"beta\""), "{challenge}");
}

/// RFC 6750 §3: `error_description` and `scope` are quoted strings whose characters are
/// limited to %x20-21 / %x23-5B / %x5D-7E (no `"`, no `\`).
fn assert_rfc6750_attribute(challenge: &str, name: &str) {
    let start = challenge
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("{name} in {challenge}"))
        + name.len()
        + 2;
    let rest = &challenge[start..];
    let end = rest
        .find("\", ")
        .or_else(|| rest.strip_suffix('"').map(str::len))
        .unwrap_or_else(|| panic!("closing quote of {name} in {challenge}"));
    let value = &rest[..end];
    assert!(
        value
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
        "{name} is not a valid RFC 6750 value: {value:?} in {challenge}"
    );
}

#[tokio::test]
async fn challenge_for_an_unmet_claim_rule_is_a_well_formed_header_value() {
    let claims = verify(&ISSUER.id_token().custom("tenant", "globex").sign()).await;
    let err = Error::from(
        Require::claim_equals("custom:tenant", "acme")
            .check(&claims)
            .expect_err("other tenant"),
    );
    let challenge = err.www_authenticate("api").expect("403 has a challenge");
    assert_rfc6750_attribute(&challenge, "error_description");
}

#[tokio::test]
async fn unmet_text_never_contains_values_from_the_token() {
    let token = ISSUER
        .access_token()
        .username("mallory-user")
        .groups(["staff", "secret-project-x"])
        .scopes(["profile", "internal/hidden-scope"])
        .custom("tenant", "evil-corp")
        .claim("roles", json!(["role-from-token"]))
        .sign();
    let claims = verify(&token).await;
    let from_token = [
        "secret-project-x",
        "staff",
        "internal/hidden-scope",
        "profile",
        "evil-corp",
        "role-from-token",
        "mallory-user",
        claims.sub(),
    ];

    let rules = [
        Require::group("admin"),
        Require::any_group(["admin", "auditor"]),
        Require::all_groups(["admin", "auditor"]),
        Require::scope("reports/read"),
        Require::any_scope(["reports/read", "reports/write"]),
        Require::all_scopes(["reports/read", "reports/write"]),
        Require::claim_equals("custom:tenant", "acme"),
        Require::claim_contains("roles", "role-admin"),
        Require::claim_contains("scope", "reports/read"),
        Require::token_use(TokenUse::Id),
        Require::predicate("a tenant admin", |_| false),
        Require::group("admin") | Require::scope("reports/read"),
        Require::all_scopes(["profile"]) & Require::group("admin"),
        !Require::group("staff"),
    ];
    for rule in rules {
        let unmet = rule.check(&claims).expect_err("rule is unmet");
        let err = Error::from(unmet.clone());
        let challenge = err.www_authenticate("api").expect("403 has a challenge");
        for shown in [
            unmet.to_string(),
            format!("{unmet:?}"),
            err.to_string(),
            challenge,
        ] {
            for value in from_token {
                // A rule may name what it requires even if the token happens to carry it
                // (`!group("staff")`); only values the rule does not name must stay out.
                if rule.to_string().contains(value) {
                    continue;
                }
                assert!(
                    !shown.contains(value),
                    "{shown:?} shows {value:?} from the token"
                );
            }
        }
    }
}

#[tokio::test]
async fn cloned_rules_check_the_same() {
    let rule = Require::group("admin") | Require::scope("s");
    let clone = rule.clone();
    let claims = id_token_in_groups(&["admin"]).await;
    assert!(rule.holds(&claims));
    assert!(clone.holds(&claims));
    assert_eq!(rule.to_string(), clone.to_string());
}

#[tokio::test]
async fn empty_all_of_lists_are_never_met() {
    let claims = verify(&ISSUER.access_token().groups(["admin"]).sign()).await;
    let empty: [&str; 0] = [];
    assert!(!Require::all_groups(empty).holds(&claims));
    assert!(!Require::all_scopes(empty).holds(&claims));
    let unmet = Require::any_group(empty).check(&claims).unwrap_err();
    assert_eq!(unmet.to_string(), "requires groups (none)");
}
