//! Key fetches under attack and during rotation: fetches no client can cancel, new keys never
//! called invalid before the store has looked, and published keys that cannot be used.
#![cfg(feature = "test-util")]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_core::{ErrorKind, ManualClock, Verifier};
use serde_json::{Value, json};

const COOLDOWN: Duration = Duration::from_secs(10);

fn verifier(issuer: &LocalIssuer, clock: &ManualClock) -> Verifier {
    Verifier::builder()
        .pool(issuer.user_pool())
        .clock(clock.clone())
        .jwks_cooldown(COOLDOWN)
        // Generous: a fetch that times out on a loaded machine would fail these tests for the
        // wrong reason.
        .jwks_timeouts(Duration::from_secs(5), Duration::from_secs(5))
        .no_cache()
        .build()
        .unwrap()
}

/// A token naming a `kid` the issuer never published, signed by a key it does not publish.
fn forged(issuer: &LocalIssuer, i: usize) -> String {
    issuer
        .id_token()
        .other_key()
        .header("kid", format!("forged-{i}"))
        .sign()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_requests_with_unknown_kids_do_not_stop_legitimate_tokens() {
    let issuer = LocalIssuer::start().unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let verifier = verifier(&issuer, &clock);
    // A slow endpoint: every fetch outlives the forged requests that trigger it.
    issuer.set_jwks_behaviour(JwksBehaviour::Delayed(Duration::from_millis(150)));
    for i in 0..20 {
        // Every fifth request comes after a cooldown, so it may fetch; the last ones arrive
        // within the cooldown of the last fetch, as the legitimate request below does.
        if i % 5 == 0 && i > 0 {
            clock.advance(COOLDOWN + Duration::from_secs(1));
        }
        // Each forged request is closed after 30 ms, as a client hanging up would.
        let token = forged(&issuer, i);
        let _ = tokio::time::timeout(Duration::from_millis(30), verifier.verify(&token)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The service never loaded its keys before, and the forged traffic did not keep it from
    // doing so: the fetches finished without their callers.
    let legitimate = issuer.id_token().username("alice").sign();
    let claims = verifier.verify(&legitimate).await.unwrap();
    assert_eq!(claims.username(), Some("alice"));
    let fetches = issuer.jwks_requests();
    assert!(
        (1..=4).contains(&fetches),
        "at most one fetch per cooldown: {fetches}"
    );
}

#[tokio::test]
async fn key_published_after_a_fetch_is_retried_not_called_invalid() {
    let issuer = LocalIssuer::start().unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let verifier = verifier(&issuer, &clock);
    verifier.hydrate().await.unwrap();
    clock.advance(COOLDOWN + Duration::from_secs(1));
    // An attacker's forged kid makes the store fetch; the fetch shows it unknown.
    let first = verifier.verify(&forged(&issuer, 0)).await.unwrap_err();
    assert_eq!(first.kind(), &ErrorKind::UnknownKeyId);
    assert_eq!(issuer.jwks_requests(), 2);

    // The pool rotates a moment later; a user's token signed with the new key arrives.
    issuer.rotate_key().unwrap();
    let rotated = issuer.id_token().username("bob").sign();
    clock.advance(Duration::from_secs(4));
    let answer = verifier.verify(&rotated).await.unwrap_err();
    assert_eq!(answer.kind(), &ErrorKind::KeyNotYetFetched);
    assert_eq!(answer.status(), 503, "not 401: the token may be valid");
    assert_eq!(answer.retry_after(), Some(Duration::from_secs(6)));
    assert_eq!(issuer.jwks_requests(), 2, "no fetch within the cooldown");

    // More forged kids keep arriving; whichever request comes first after the cooldown
    // fetches, and the user's retry then verifies.
    clock.advance(Duration::from_secs(7));
    let forged_again = verifier.verify(&forged(&issuer, 1)).await.unwrap_err();
    assert_eq!(forged_again.kind(), &ErrorKind::UnknownKeyId);
    assert_eq!(issuer.jwks_requests(), 3);
    let claims = verifier.verify(&rotated).await.unwrap();
    assert_eq!(claims.username(), Some("bob"));
}

#[tokio::test]
async fn retry_after_counts_down_the_cooldown_after_a_failed_fetch() {
    let issuer = LocalIssuer::start().unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let verifier = verifier(&issuer, &clock);
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let token = issuer.id_token().sign();
    let failed = verifier.verify(&token).await.unwrap_err();
    assert_eq!(failed.kind(), &ErrorKind::KeysUnavailable);
    clock.advance(Duration::from_millis(2500));
    let waiting = verifier.verify(&token).await.unwrap_err();
    assert_eq!(waiting.kind(), &ErrorKind::KeysUnavailable);
    // 7.5 s left, rounded up.
    assert_eq!(waiting.retry_after(), Some(Duration::from_secs(8)));
}

/// Publishes, next to the issuer's signing key, an encryption key and an EC key.
fn publish_unusable_keys(issuer: &LocalIssuer) {
    let jwks: Value = serde_json::from_str(&issuer.jwks_json()).unwrap();
    let mut encryption = jwks["keys"][0].clone();
    encryption["kid"] = json!("enc-key");
    encryption["use"] = json!("enc");
    issuer.publish_raw_key(encryption);
    issuer.publish_raw_key(
        json!({"kty": "EC", "kid": "ec-key", "crv": "P-256", "x": "AA", "y": "AA"}),
    );
}

#[tokio::test]
async fn token_naming_a_published_but_unusable_key_says_so() {
    let issuer = LocalIssuer::start().unwrap();
    publish_unusable_keys(&issuer);
    let verifier = Verifier::from(issuer.user_pool().jwks(issuer.jwks()));
    for kid in ["enc-key", "ec-key"] {
        let token = issuer.id_token().header("kid", kid).sign();
        let error = verifier.verify(&token).await.unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::UnusableKey, "{kid}");
        assert_eq!(error.status(), 401);
        assert_eq!(
            error.to_string(),
            "the token key was published but is not usable"
        );
    }
    // A kid nobody published is still just unknown.
    let unknown = issuer.id_token().header("kid", "nobody").sign();
    assert_eq!(
        verifier.verify(&unknown).await.unwrap_err().kind(),
        &ErrorKind::UnknownKeyId
    );
    assert_eq!(issuer.jwks_requests(), 0);
}

/// Every formatted log line, for the duration of a test thread's subscriber.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn capture() -> (Lines, tracing::subscriber::DefaultGuard) {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (lines, tracing::subscriber::set_default(subscriber))
}

#[test]
fn skipped_keys_of_a_static_set_are_logged_with_kid_and_reason() {
    let issuer = LocalIssuer::start().unwrap();
    publish_unusable_keys(&issuer);
    let jwks = issuer.jwks();
    let (lines, _guard) = capture();
    let _verifier = Verifier::from(issuer.user_pool().jwks(jwks));
    let text = lines.text();
    let skipped: Vec<&str> = text.lines().filter(|l| l.contains("key skipped")).collect();
    assert_eq!(skipped.len(), 2, "{text}");
    assert!(skipped.iter().all(|l| l.contains("WARN")), "{text}");
    assert!(
        skipped[0].contains("enc-key") && skipped[0].contains("not a signature key"),
        "{text}"
    );
    assert!(
        skipped[1].contains("ec-key")
            && skipped[1].contains("x or y is not as long as the curve's coordinates"),
        "{text}"
    );
}

#[tokio::test]
async fn skipped_keys_of_a_fetched_set_are_logged_once_per_load() {
    let issuer = LocalIssuer::start().unwrap();
    publish_unusable_keys(&issuer);
    let clock = ManualClock::new(SystemTime::now());
    let verifier = verifier(&issuer, &clock);
    let (lines, _guard) = capture();
    verifier.hydrate().await.unwrap();
    let unusable = issuer.id_token().header("kid", "enc-key").sign();
    for _ in 0..3 {
        assert_eq!(
            verifier.verify(&unusable).await.unwrap_err().kind(),
            &ErrorKind::UnusableKey
        );
    }
    let text = lines.text();
    assert_eq!(text.matches("key skipped").count(), 2, "{text}");
    assert_eq!(issuer.jwks_requests(), 1, "an unusable kid fetches nothing");
}
