#![cfg(feature = "test-util")]
//! Authorization rules on verified claims: each constructor and the combinators.

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

/// The text of the unmet rule, which must also be what `Error` shows.
fn unmet_text(rule: &Require, claims: &Claims) -> String {
    let unmet = rule.check(claims).expect_err("rule is unmet");
    assert!(!rule.holds(claims), "holds agrees with check");
    let text = unmet.to_string();
    assert_eq!(Error::from(unmet).to_string(), text);
    text
}

fn assert_holds(rule: &Require, claims: &Claims) {
    assert_eq!(rule.check(claims), Ok(()), "{rule:?} should hold");
    assert!(rule.holds(claims), "holds agrees with check");
}

#[tokio::test]
async fn group_holds_only_for_members() {
    let admin = id_token_in_groups(&["admin", "staff"]).await;
    let staff = id_token_in_groups(&["staff"]).await;
    let nobody = id_token_in_groups(&[]).await;
    let rule = Require::group("admin");

    assert_holds(&rule, &admin);
    assert_eq!(unmet_text(&rule, &staff), "requires group admin");
    assert_eq!(unmet_text(&rule, &nobody), "requires group admin");
}

#[tokio::test]
async fn group_names_match_exactly() {
    let claims = id_token_in_groups(&["Admin", "admins"]).await;
    assert!(!Require::group("admin").holds(&claims));
}

#[tokio::test]
async fn any_group_holds_with_one_of_the_groups() {
    let rule = Require::any_group(["admin", "auditor"]);
    assert_holds(&rule, &id_token_in_groups(&["auditor"]).await);
    assert_holds(&rule, &id_token_in_groups(&["admin", "auditor"]).await);
    assert_eq!(
        unmet_text(&rule, &id_token_in_groups(&["staff"]).await),
        "requires groups admin or auditor"
    );
}

#[tokio::test]
async fn empty_any_group_never_holds() {
    let rule = Require::any_group(Vec::<String>::new());
    assert!(!rule.holds(&id_token_in_groups(&["admin"]).await));
    assert!(!rule.holds(&id_token_in_groups(&[]).await));
}

#[tokio::test]
async fn all_groups_needs_every_group() {
    let rule = Require::all_groups(["admin", "finance"]);
    assert_holds(
        &rule,
        &id_token_in_groups(&["finance", "staff", "admin"]).await,
    );
    assert_eq!(
        unmet_text(&rule, &id_token_in_groups(&["admin"]).await),
        "requires groups admin and finance"
    );
}

#[tokio::test]
async fn scope_holds_only_with_the_whole_scope() {
    let rule = Require::scope("reports/read");
    assert_holds(
        &rule,
        &access_token_with_scopes(&["openid", "reports/read"]).await,
    );
    assert_eq!(
        unmet_text(
            &rule,
            &access_token_with_scopes(&["reports/readwrite"]).await
        ),
        "requires scope reports/read"
    );
    assert!(!rule.holds(&access_token_with_scopes(&["reports"]).await));
}

#[tokio::test]
async fn scope_rules_never_hold_for_id_tokens() {
    let id = verify(&ISSUER.id_token().sign()).await;
    assert!(!Require::scope("openid").holds(&id));
}

#[tokio::test]
async fn any_scope_holds_with_one_of_the_scopes() {
    let rule = Require::any_scope(["orders/read", "orders/admin"]);
    assert_holds(&rule, &access_token_with_scopes(&["orders/admin"]).await);
    assert_eq!(
        unmet_text(&rule, &access_token_with_scopes(&["profile"]).await),
        "requires scopes orders/read or orders/admin"
    );
}

#[tokio::test]
async fn empty_any_scope_never_holds() {
    let rule = Require::any_scope(Vec::<&str>::new());
    assert!(!rule.holds(&access_token_with_scopes(&["openid"]).await));
}

#[tokio::test]
async fn all_scopes_needs_every_scope() {
    let rule = Require::all_scopes(["reports/read", "reports/export"]);
    assert_holds(
        &rule,
        &access_token_with_scopes(&["reports/export", "openid", "reports/read"]).await,
    );
    assert_eq!(
        unmet_text(&rule, &access_token_with_scopes(&["reports/read"]).await),
        "requires scopes reports/read and reports/export"
    );
}

#[tokio::test]
async fn claim_equals_compares_json_values() {
    let claims = verify(
        &ISSUER
            .id_token()
            .custom("tenant", "acme")
            .claim("level", 3)
            .claim("beta", true)
            .sign(),
    )
    .await;

    assert_holds(&Require::claim_equals("custom:tenant", "acme"), &claims);
    assert_holds(&Require::claim_equals("level", 3), &claims);
    assert_holds(&Require::claim_equals("beta", true), &claims);
    assert_holds(&Require::claim_equals("token_use", "id"), &claims);

    assert!(
        !Require::claim_equals("level", "3").holds(&claims),
        "\"3\" is not 3"
    );
    assert!(!Require::claim_equals("custom:tenant", "Acme").holds(&claims));
    assert!(!Require::claim_equals("absent", json!(null)).holds(&claims));
    assert_eq!(
        unmet_text(&Require::claim_equals("custom:tenant", "globex"), &claims),
        "requires claim custom:tenant equal to \"globex\""
    );
}

#[tokio::test]
async fn claim_contains_finds_elements_of_arrays() {
    let claims = verify(
        &ISSUER
            .id_token()
            .groups(["admin", "staff"])
            .claim("regions", json!(["eu-west-1", 7]))
            .sign(),
    )
    .await;

    assert_holds(&Require::claim_contains("cognito:groups", "staff"), &claims);
    assert_holds(&Require::claim_contains("regions", "eu-west-1"), &claims);
    assert_holds(&Require::claim_contains("regions", 7), &claims);
    assert!(!Require::claim_contains("regions", "7").holds(&claims));
    assert!(!Require::claim_contains("regions", "eu-west").holds(&claims));
    assert_eq!(
        unmet_text(&Require::claim_contains("cognito:groups", "root"), &claims),
        "requires claim cognito:groups containing \"root\""
    );
}

#[tokio::test]
async fn claim_contains_finds_words_of_space_separated_strings() {
    let claims = verify(
        &ISSUER
            .access_token()
            .scopes(["openid", "reports/read"])
            .claim("amr", "pwd  mfa")
            .sign(),
    )
    .await;

    assert_holds(&Require::claim_contains("scope", "reports/read"), &claims);
    assert_holds(&Require::claim_contains("amr", "mfa"), &claims);
    assert!(
        !Require::claim_contains("scope", "reports").holds(&claims),
        "whole words only"
    );
    assert!(!Require::claim_contains("scope", "openid reports/read").holds(&claims));
    assert!(!Require::claim_contains("amr", "").holds(&claims));
    assert!(!Require::claim_contains("amr", json!(["mfa"])).holds(&claims));
}

#[tokio::test]
async fn claim_contains_never_holds_for_absent_or_scalar_claims() {
    let claims = verify(&ISSUER.access_token().claim("version", 2).sign()).await;
    assert!(!Require::claim_contains("absent", "x").holds(&claims));
    assert!(!Require::claim_contains("version", 2).holds(&claims));
}

#[tokio::test]
async fn token_use_holds_for_the_named_use_only() {
    let id = verify(&ISSUER.id_token().sign()).await;
    let access = verify(&ISSUER.access_token().sign()).await;

    assert_holds(&Require::token_use(TokenUse::Id), &id);
    assert_holds(&Require::token_use(TokenUse::Access), &access);
    assert_eq!(
        unmet_text(&Require::token_use(TokenUse::Access), &id),
        "requires access token"
    );
    assert_eq!(
        unmet_text(&Require::token_use(TokenUse::Id), &access),
        "requires id token"
    );
}

#[tokio::test]
async fn failed_token_use_rule_is_an_invalid_token_not_a_missing_privilege() {
    let id = verify(&ISSUER.id_token().groups(["admin"]).sign()).await;
    let error =
        |rule: &Require, claims: &Claims| Error::from(rule.check(claims).expect_err("unmet"));

    // Alone, or as the failing part of an `and`: the wrong kind of token, 401.
    for rule in [
        Require::token_use(TokenUse::Access),
        Require::token_use(TokenUse::Access).and(Require::group("admin")),
        Require::group("admin").and(Require::token_use(TokenUse::Access)),
    ] {
        let error = error(&rule, &id);
        assert!(error.kind().class() == ErrorClass::InvalidToken, "{rule}");
        assert_eq!(error.status(), 401, "{rule}");
        assert_eq!(
            error.www_authenticate("api").as_deref(),
            Some(
                "Bearer realm=\"api\", error=\"invalid_token\", \
                 error_description=\"requires access token\""
            ),
            "{rule}"
        );
    }

    // The right token use, another part failing: 403 as usual.
    let access = verify(&ISSUER.access_token().sign()).await;
    let rule = Require::token_use(TokenUse::Access).and(Require::group("admin"));
    assert_eq!(error(&rule, &access).status(), 403);

    // Token use inside `or` / `not`: the whole rule failed, which is a requirement, 403.
    let either = Require::token_use(TokenUse::Access).or(Require::group("staff"));
    assert_eq!(error(&either, &id).status(), 403);
    let not_id = !Require::token_use(TokenUse::Id);
    let unmet = not_id.check(&id).expect_err("an ID token");
    assert!(!unmet.is_token_use());
    assert_eq!(Error::from(unmet).status(), 403);
}

#[tokio::test]
async fn route_rule_on_a_request_needs_verified_claims() {
    use cognito_core::Authentication;

    let rule = Require::group("admin");
    let admin = Authentication::Verified(id_token_in_groups(&["admin"]).await);
    let staff = Authentication::Verified(id_token_in_groups(&["staff"]).await);
    assert_eq!(
        Authentication::require(Some(&admin), &rule).map_err(|e| e.status()),
        Ok(())
    );
    assert_eq!(
        Authentication::require(Some(&staff), &rule)
            .unwrap_err()
            .status(),
        403
    );
    let anonymous = Authentication::require(Some(&Authentication::Anonymous), &rule);
    assert_eq!(anonymous.unwrap_err().kind(), &ErrorKind::MissingToken);
    // No auth middleware in front: a 500 naming it, not "no token".
    let forgotten = Authentication::require(None, &rule).unwrap_err();
    assert_eq!(forgotten.status(), 500);
    assert!(forgotten.to_string().contains("CognitoAuth"), "{forgotten}");
}

#[tokio::test]
async fn predicate_runs_on_the_claims_and_is_named_by_its_name() {
    let rule = Require::predicate("a verified email", |c| c.email_verified() == Some(true));
    let verified = verify(&ISSUER.id_token().email("a@example.com").sign()).await;
    let unverified = verify(
        &ISSUER
            .id_token()
            .email("b@example.com")
            .claim("email_verified", "false")
            .sign(),
    )
    .await;

    assert_holds(&rule, &verified);
    assert_eq!(unmet_text(&rule, &unverified), "requires a verified email");
}

#[tokio::test]
async fn rules_check_claims_with_an_application_type() {
    let token = ISSUER.id_token().groups(["admin"]).sign();
    let typed = Verifier::from(ISSUER.user_pool())
        .verify_as::<serde_json::Value>(&token)
        .await
        .expect("token verifies");
    assert!(Require::group("admin").check(&typed).is_ok());
    assert!(Require::group("staff").check(&typed).is_err());
}

#[tokio::test]
async fn and_holds_when_both_hold_and_names_the_first_failing_part() {
    let rule = Require::group("admin").and(Require::scope("reports/read"));
    let both = verify(
        &ISSUER
            .access_token()
            .groups(["admin"])
            .scopes(["reports/read"])
            .sign(),
    )
    .await;
    let scope_only = access_token_with_scopes(&["reports/read"]).await;
    let group_only = verify(&ISSUER.access_token().groups(["admin"]).sign()).await;
    let neither = access_token_with_scopes(&[]).await;

    assert_holds(&rule, &both);
    assert_eq!(unmet_text(&rule, &scope_only), "requires group admin");
    assert_eq!(
        unmet_text(&rule, &group_only),
        "requires scope reports/read"
    );
    assert_eq!(unmet_text(&rule, &neither), "requires group admin");
}

#[tokio::test]
async fn and_reports_the_failing_part_of_a_nested_rule() {
    let claims = id_token_in_groups(&["a", "b"]).await;
    let rule = Require::group("a") & (Require::group("b") & Require::group("c"));
    let unmet = rule.check(&claims).expect_err("c is missing");
    assert_eq!(unmet.to_string(), "requires group c");
    assert_eq!(unmet.rule().to_string(), "group c");
}

#[tokio::test]
async fn or_holds_when_either_holds_and_names_the_whole_rule() {
    let rule = Require::group("admin").or(Require::scope("reports/read"));
    assert_holds(&rule, &id_token_in_groups(&["admin"]).await);
    assert_holds(&rule, &access_token_with_scopes(&["reports/read"]).await);
    assert_eq!(
        unmet_text(&rule, &access_token_with_scopes(&["profile"]).await),
        "requires (group admin) or (scope reports/read)"
    );
}

#[tokio::test]
async fn not_inverts_the_rule_and_names_the_whole_rule() {
    let rule = Require::group("suspended").not();
    assert_holds(&rule, &id_token_in_groups(&["staff"]).await);
    assert_eq!(
        unmet_text(&rule, &id_token_in_groups(&["suspended"]).await),
        "requires not (group suspended)"
    );
}

#[tokio::test]
async fn operators_build_the_same_rules_as_the_methods() {
    let and = Require::group("a") & Require::scope("s");
    let or = Require::group("a") | Require::scope("s");
    let not = !Require::group("a");

    assert_eq!(
        and.to_string(),
        Require::group("a").and(Require::scope("s")).to_string()
    );
    assert_eq!(
        or.to_string(),
        Require::group("a").or(Require::scope("s")).to_string()
    );
    assert_eq!(not.to_string(), Require::group("a").not().to_string());
    assert_eq!(format!("{not:?}"), "Require(not (group a))");

    let in_a = id_token_in_groups(&["a"]).await;
    assert!(!and.holds(&in_a));
    assert!(or.holds(&in_a));
    assert!(!not.holds(&in_a));
}

#[tokio::test]
async fn combined_rules_follow_boolean_logic() {
    // (admin or (auditor and not suspended)) and an access token
    let rule = (Require::group("admin")
        | (Require::group("auditor") & !Require::group("suspended")))
        & Require::token_use(TokenUse::Access);

    let cases: [(&[&str], bool); 5] = [
        (&["admin"], true),
        (&["admin", "suspended"], true),
        (&["auditor"], true),
        (&["auditor", "suspended"], false),
        (&["staff"], false),
    ];
    for (groups, expected) in cases {
        let claims = verify(&ISSUER.access_token().groups(groups.iter().copied()).sign()).await;
        assert_eq!(rule.holds(&claims), expected, "groups {groups:?}");
        assert_eq!(rule.check(&claims).is_ok(), expected, "groups {groups:?}");
    }
    let id = verify(&ISSUER.id_token().groups(["admin"]).sign()).await;
    assert_eq!(unmet_text(&rule, &id), "requires access token");
}
