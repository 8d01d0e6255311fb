//! The key store: rotation, single-flight fetches, cooldown, failing endpoints, removed keys,
//! background refresh.
#![cfg(feature = "test-util")]

use std::time::{Duration, SystemTime};

use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_core::{ErrorKind, Jwks, ManualClock, Verifier};
use serde_json::{Value, json};

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

fn past_cooldown(clock: &ManualClock) {
    clock.advance(COOLDOWN + Duration::from_secs(1));
}

async fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    verifier.verify(token).await.unwrap_err().kind().clone()
}

#[tokio::test]
async fn rotated_key_is_picked_up_with_one_fetch() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(false);
    verifier.hydrate().await.unwrap();
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
    assert_eq!(issuer.jwks_requests(), 1);

    issuer.rotate_key().unwrap();
    past_cooldown(&clock);
    let new_token = issuer.id_token().sign();
    assert!(verifier.verify(&new_token).await.is_ok());
    assert_eq!(issuer.jwks_requests(), 2);
    for _ in 0..5 {
        assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
    }
    assert_eq!(issuer.jwks_requests(), 2, "the new key is now cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_unknown_kid_verifications_cause_one_fetch() {
    let Setup {
        issuer, verifier, ..
    } = setup(false);
    let forged = issuer.id_token().other_key().sign();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let verifier = verifier.clone();
            let token = forged.clone();
            tokio::spawn(async move { verifier.verify(&token).await.unwrap_err().kind().clone() })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    // The request that started the fetch learns the kid is unknown; the others only joined
    // (or followed) a fetch that may predate a new key, and are told to retry.
    assert!(answers.contains(&ErrorKind::UnknownKeyId), "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|k| matches!(k, ErrorKind::UnknownKeyId | ErrorKind::KeyNotYetFetched)),
        "{answers:?}"
    );
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_requests_share_one_fetch() {
    let Setup {
        issuer, verifier, ..
    } = setup(false);
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let verifier = verifier.clone();
            let token = issuer.id_token().username(format!("user{i}")).sign();
            tokio::spawn(async move { verifier.verify(&token).await.is_ok() })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap());
    }
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test]
async fn cooldown_prevents_a_second_fetch() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(false);
    let forged = issuer.id_token().other_key().sign();
    assert_eq!(kind(&verifier, &forged).await, ErrorKind::UnknownKeyId);
    assert_eq!(issuer.jwks_requests(), 1);
    for _ in 0..10 {
        assert_eq!(kind(&verifier, &forged).await, ErrorKind::KeyNotYetFetched);
    }
    assert_eq!(issuer.jwks_requests(), 1, "no fetch within the cooldown");
    past_cooldown(&clock);
    assert_eq!(kind(&verifier, &forged).await, ErrorKind::UnknownKeyId);
    assert_eq!(
        issuer.jwks_requests(),
        2,
        "one fetch once the cooldown is over"
    );
}

async fn failing_endpoint_keeps_cached_keys(behaviour: JwksBehaviour) {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(false);
    verifier.hydrate().await.unwrap();
    let known = issuer.id_token().sign();
    assert!(verifier.verify(&known).await.is_ok());

    issuer.set_jwks_behaviour(behaviour);
    issuer.rotate_key().unwrap();
    past_cooldown(&clock);
    let unknown = issuer.id_token().sign();
    let err = verifier.verify(&unknown).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::KeysUnavailable, "{behaviour:?}");
    assert_eq!(err.status(), 503);
    assert_eq!(issuer.jwks_requests(), 2);
    // Within the cooldown after a failure, unknown kids stay 503 without another fetch.
    assert_eq!(kind(&verifier, &unknown).await, ErrorKind::KeysUnavailable);
    assert_eq!(issuer.jwks_requests(), 2);
    // The keys loaded before the failure keep serving.
    assert!(verifier.verify(&known).await.is_ok(), "{behaviour:?}");
    assert!(verifier.hydrate().await.is_err());
    assert!(verifier.verify(&known).await.is_ok(), "{behaviour:?}");

    // Once the endpoint recovers, the next fetch after the cooldown brings the new key.
    issuer.set_jwks_behaviour(JwksBehaviour::Normal);
    past_cooldown(&clock);
    assert!(verifier.verify(&unknown).await.is_ok());
}

#[tokio::test]
async fn jwks_500_keeps_serving_cached_keys_and_fails_closed_for_unknown_ones() {
    failing_endpoint_keeps_cached_keys(JwksBehaviour::Status(500)).await;
}

#[tokio::test]
async fn jwks_garbage_keeps_serving_cached_keys_and_fails_closed_for_unknown_ones() {
    failing_endpoint_keeps_cached_keys(JwksBehaviour::Garbage).await;
}

#[tokio::test]
async fn jwks_oversized_keeps_serving_cached_keys_and_fails_closed_for_unknown_ones() {
    failing_endpoint_keeps_cached_keys(JwksBehaviour::Oversized).await;
}

#[tokio::test]
async fn jwks_stall_keeps_serving_cached_keys_and_fails_closed_for_unknown_ones() {
    failing_endpoint_keeps_cached_keys(JwksBehaviour::Stall).await;
}

#[tokio::test]
async fn jwks_404_is_a_failure_not_an_empty_key_set() {
    failing_endpoint_keeps_cached_keys(JwksBehaviour::Status(404)).await;
}

#[tokio::test]
async fn cold_verifier_with_failing_endpoint_answers_503() {
    for behaviour in [
        JwksBehaviour::Status(503),
        JwksBehaviour::Garbage,
        JwksBehaviour::Oversized,
        JwksBehaviour::Stall,
    ] {
        let Setup {
            issuer, verifier, ..
        } = setup(false);
        issuer.set_jwks_behaviour(behaviour);
        let err = verifier
            .verify(&issuer.id_token().sign())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::KeysUnavailable, "{behaviour:?}");
        assert!(err.retry_after().is_some());
    }
}

#[tokio::test]
async fn removed_key_stops_verifying() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(false);
    let old = issuer.id_token().sign();
    assert!(verifier.verify(&old).await.is_ok());
    issuer.rotate_key().unwrap();
    issuer.retire_old_keys();
    past_cooldown(&clock);
    // A token of the new key makes the store fetch; the new document lacks the old key.
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
    assert_eq!(kind(&verifier, &old).await, ErrorKind::KeyNotYetFetched);
    past_cooldown(&clock);
    assert_eq!(kind(&verifier, &old).await, ErrorKind::UnknownKeyId);
}

#[tokio::test]
async fn cached_token_stops_verifying_when_its_key_is_removed() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(true);
    let old = issuer.id_token().sign();
    assert!(verifier.verify(&old).await.is_ok());
    assert_eq!(verifier.cached_tokens(), 1);
    issuer.rotate_key().unwrap();
    issuer.retire_old_keys();
    past_cooldown(&clock);
    verifier.hydrate().await.unwrap();
    assert_eq!(kind(&verifier, &old).await, ErrorKind::KeyNotYetFetched);
    assert_eq!(verifier.cached_tokens(), 0);
}

#[tokio::test]
async fn refresh_keeps_cached_tokens_of_keys_published_unchanged() {
    let Setup {
        issuer, verifier, ..
    } = setup(true);
    let token = issuer.id_token().sign();
    assert!(verifier.verify(&token).await.is_ok());
    verifier.hydrate().await.unwrap();
    assert_eq!(issuer.jwks_requests(), 2);
    assert!(
        verifier.verify_cached(&token).is_some(),
        "the same key, fetched again: still a cache hit"
    );
    // A rotation that keeps the old key published does not drop its tokens either.
    issuer.rotate_key().unwrap();
    verifier.hydrate().await.unwrap();
    assert!(verifier.verify_cached(&token).is_some());
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
}

#[tokio::test]
async fn abandoned_fetch_finishes_on_its_own_and_loads_the_keys() {
    let Setup {
        issuer, verifier, ..
    } = setup(false);
    issuer.set_jwks_behaviour(JwksBehaviour::Delayed(Duration::from_millis(200)));
    let forged = issuer.id_token().other_key().sign();
    // The caller gives up (a client gone, a timeout layer) while the fetch is in flight.
    let abandoned = tokio::time::timeout(Duration::from_millis(30), verifier.verify(&forged)).await;
    assert!(abandoned.is_err(), "the fetch was still in flight");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(issuer.jwks_requests(), 1);
    // The fetch ended without its caller and stored the keys: no second fetch is needed.
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test]
async fn token_expiring_while_its_keys_are_fetched_is_expired() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(false);
    // The token is valid when the request arrives; the endpoint takes 400 ms to answer.
    let token = issuer.id_token().claim(
        "exp",
        clock
            .now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 5,
    );
    let token = token.sign();
    issuer.set_jwks_behaviour(JwksBehaviour::Delayed(Duration::from_millis(400)));
    let verifying = tokio::spawn({
        let verifier = verifier.clone();
        async move { verifier.verify(&token).await }
    });
    // Meanwhile ten seconds pass on the verifier's clock.
    tokio::time::sleep(Duration::from_millis(100)).await;
    clock.advance(Duration::from_secs(10));
    let answer = verifying.await.unwrap();
    assert_eq!(answer.unwrap_err().kind(), &ErrorKind::Expired);
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test]
async fn clock_stepping_back_ends_the_cooldown_instead_of_stretching_it() {
    let Setup {
        issuer,
        clock,
        verifier,
    } = setup(false);
    let forged = issuer.id_token().other_key().sign();
    assert_eq!(kind(&verifier, &forged).await, ErrorKind::UnknownKeyId);
    assert_eq!(issuer.jwks_requests(), 1);
    // The system clock is corrected an hour back: the last fetch now lies in the future.
    clock.set(clock.now() - Duration::from_secs(3600));
    assert_eq!(kind(&verifier, &forged).await, ErrorKind::UnknownKeyId);
    assert_eq!(
        issuer.jwks_requests(),
        2,
        "fetched again, not refused for an hour"
    );
    assert_eq!(kind(&verifier, &forged).await, ErrorKind::KeyNotYetFetched);
    assert_eq!(
        issuer.jwks_requests(),
        2,
        "a new cooldown from the new time"
    );
}

#[tokio::test]
async fn malformed_key_in_the_set_is_skipped_not_fatal() {
    let issuer = LocalIssuer::start().unwrap();
    let mut doc: Value = serde_json::from_str(&issuer.jwks_json()).unwrap();
    let keys = doc["keys"].as_array_mut().unwrap();
    keys.insert(
        0,
        json!({"kty": "RSA", "kid": "broken", "n": "%%%", "e": "AQAB"}),
    );
    keys.insert(
        0,
        json!({"kty": "oct", "kid": "symmetric", "k": "c2VjcmV0"}),
    );
    let jwks = Jwks::from_json(&doc.to_string()).unwrap();
    assert_eq!(jwks.len(), 1);
    assert_eq!(jwks.skipped().len(), 2);
    let verifier = Verifier::from(issuer.user_pool().jwks(jwks));
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
}

#[tokio::test]
async fn static_key_set_never_fetches() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool().jwks(issuer.jwks()));
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
    assert_eq!(
        kind(&verifier, &issuer.id_token().other_key().sign()).await,
        ErrorKind::UnknownKeyId
    );
    verifier.hydrate().await.unwrap();
    assert_eq!(issuer.jwks_requests(), 0);
}

#[tokio::test]
async fn background_refresh_picks_up_rotation_and_stops_with_its_handle() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .unwrap();
    verifier.hydrate().await.unwrap();
    // Within the cooldown, a new kid alone would not cause a fetch; the refresh task does.
    issuer.rotate_key().unwrap();
    let handle = verifier.spawn_refresh(Duration::from_millis(50)).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while issuer.jwks_requests() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no refresh happened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(verifier.verify(&issuer.id_token().sign()).await.is_ok());
    handle.stop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after_stop = issuer.jwks_requests();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        issuer.jwks_requests(),
        after_stop,
        "refresh went on after stop"
    );
}

#[test]
fn background_refresh_outside_a_runtime_is_a_config_error() {
    let issuer = LocalIssuer::start().unwrap();
    let verifier = Verifier::from(issuer.user_pool());
    let err = verifier.spawn_refresh(Duration::from_secs(60)).unwrap_err();
    assert_eq!(err.field(), "refresh");
}
