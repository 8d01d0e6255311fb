//! The verified-token cache that sits in front of the key store.
#![cfg(feature = "test-util")]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cognito_core::test_util::LocalIssuer;
use cognito_core::{Clock, ErrorKind, ManualClock, Verifier};

const COOLDOWN: Duration = Duration::from_secs(10);

struct Setup {
    issuer: LocalIssuer,
    clock: ManualClock,
    verifier: Verifier,
}

/// A verifier on a manual clock (so the cooldown can be passed without waiting), with short
/// fetch timeouts.
fn setup(cache: bool) -> Setup {
    let issuer = LocalIssuer::start().unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let mut builder = Verifier::builder()
        .pool(issuer.user_pool())
        .clock(clock.clone())
        .jwks_cooldown(COOLDOWN)
        .jwks_timeouts(Duration::from_millis(500), Duration::from_millis(500));
    if !cache {
        builder = builder.no_cache();
    }
    let verifier = builder.build().unwrap();
    Setup {
        issuer,
        clock,
        verifier,
    }
}

async fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    verifier.verify(token).await.unwrap_err().kind().clone()
}

#[tokio::test]
async fn cache_holds_each_verified_token_once() {
    let Setup {
        issuer, verifier, ..
    } = setup(true);
    let token = issuer.id_token().sign();
    for _ in 0..3 {
        assert!(verifier.verify(&token).await.is_ok());
    }
    assert_eq!(verifier.cached_tokens(), 1);
    assert!(verifier.verify(&issuer.access_token().sign()).await.is_ok());
    assert_eq!(verifier.cached_tokens(), 2);
    // Refused tokens are not cached.
    let _ = verifier.verify(&issuer.id_token().expired().sign()).await;
    assert_eq!(verifier.cached_tokens(), 2);
}

#[tokio::test]
async fn cache_hit_rechecks_expiry_against_the_clock() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(true);
    let token = issuer.id_token().lifetime(Duration::from_secs(60)).sign();
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(verifier.cached_tokens(), 1);
    clock.advance(Duration::from_secs(61));
    assert_eq!(kind(&verifier, &token).await, ErrorKind::Expired);
    assert_eq!(verifier.cached_tokens(), 0, "the expired entry was dropped");
}

#[tokio::test]
async fn cache_is_bounded_and_can_be_turned_off() {
    let issuer = LocalIssuer::start().unwrap();
    let small = Verifier::builder()
        .pool(issuer.user_pool())
        .cache_capacity(10)
        .build()
        .unwrap();
    for i in 0..50 {
        let token = issuer.id_token().username(format!("u{i}")).sign();
        assert!(small.verify(&token).await.is_ok());
    }
    assert!(small.cached_tokens() <= 10, "{}", small.cached_tokens());
    let none = Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .unwrap();
    assert!(none.verify(&issuer.id_token().sign()).await.is_ok());
    assert_eq!(none.cached_tokens(), 0);
}

#[tokio::test]
async fn large_tokens_take_a_larger_share_of_the_cache() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = || {
        Verifier::builder()
            .pool(issuer.user_pool())
            .cache_capacity(10)
            .build()
            .unwrap()
    };
    // Ordinary tokens count once each: ten fill a cache of ten.
    let ordinary = verifier();
    for i in 0..10 {
        let token = issuer.id_token().username(format!("user{i}")).sign();
        assert!(ordinary.verify(&token).await.is_ok());
    }
    assert_eq!(ordinary.cached_tokens(), 10);
    // A token with 12 KB of claims weighs 8 (about 30 KB of token and payload): the same
    // cache holds one of them at most, not ten.
    let padded = verifier();
    for i in 0..10 {
        let token = issuer
            .id_token()
            .username(format!("big{i}"))
            .claim("padding", "x".repeat(12_000))
            .sign();
        assert!(padded.verify(&token).await.is_ok());
    }
    assert!(padded.cached_tokens() <= 1, "{}", padded.cached_tokens());
}

#[tokio::test]
async fn clones_share_keys_and_cache() {
    let Setup {
        issuer, verifier, ..
    } = setup(true);
    let clone = verifier.clone();
    let token = issuer.id_token().sign();
    assert!(verifier.verify(&token).await.is_ok());
    assert!(clone.verify(&token).await.is_ok());
    assert_eq!(clone.cached_tokens(), 1);
    assert_eq!(issuer.jwks_requests(), 1);
}

#[test]
fn manual_clock_is_shared_by_clones() {
    let manual = ManualClock::new(SystemTime::UNIX_EPOCH);
    let clock = Clock::from(manual.clone());
    manual.advance(Duration::from_secs(5));
    assert_eq!(clock.unix_seconds(), 5);
    let _ = Arc::new(clock);
}
