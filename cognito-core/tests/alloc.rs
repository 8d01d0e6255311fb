//! Requirement checks allocate nothing when the rule holds. One test in its own binary, so no
//! other test thread allocates while it counts.
#![cfg(feature = "test-util")]

use std::alloc::System;

use cognito_core::test_util::LocalIssuer;
use cognito_core::{Require, TokenUse, Verifier};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn successful_requirement_checks_do_not_allocate() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    let token = issuer
        .access_token()
        .groups(["admin", "staff"])
        .scopes(["reports/read", "reports/export"])
        .claim("tier", "gold")
        .sign();
    let claims = runtime.block_on(verifier.verify(&token)).unwrap();
    let rules = [
        Require::group("admin"),
        Require::any_group(["nobody", "staff"]),
        Require::all_groups(["admin", "staff"]),
        Require::scope("reports/read"),
        Require::all_scopes(["reports/read", "reports/export"]),
        Require::token_use(TokenUse::Access),
        Require::claim_equals("tier", "gold"),
        Require::group("admin").and(Require::scope("reports/export")),
        Require::group("nobody").or(Require::scope("reports/read")),
        !Require::group("nobody"),
    ];
    // The first claim rule parses the payload into a map once; that is the only allocation.
    for rule in &rules {
        assert!(rule.check(&claims).is_ok(), "{rule}");
    }

    let region = Region::new(GLOBAL);
    for _ in 0..1000 {
        for rule in &rules {
            assert!(rule.check(&claims).is_ok());
        }
    }
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");

    // A failing check does allocate (it builds the `Unmet`), which the counter sees.
    let region = Region::new(GLOBAL);
    let unmet = Require::group("nobody").check(&claims).unwrap_err();
    let _text = unmet.to_string();
    assert!(region.change().allocations > 0);
}
