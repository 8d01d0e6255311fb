//! The application's own checks, and what holds whatever fails: unreachable keys fail closed,
//! tokens never appear in output, configuration errors name their field.
#![cfg(feature = "test-util")]

use std::time::SystemTime;

use cognito_core::test_util::LocalIssuer;
use cognito_core::{ErrorClass, ErrorKind, OidcIssuer, UserPool, Verifier};

fn issuer() -> LocalIssuer {
    LocalIssuer::start().expect("local issuer")
}

fn verifier(issuer: &LocalIssuer) -> Verifier {
    Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .expect("verifier")
}

async fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify(token).await {
        Ok(claims) => panic!("token verified: {claims:?}"),
        Err(e) => e.kind().clone(),
    }
}

// ---- the user's check --------------------------------------------------------------------------------

#[tokio::test]
async fn user_check_runs_last_and_on_every_cache_hit() {
    let issuer = issuer();
    let revoked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let list = revoked.clone();
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .check(move |claims| {
            let revoked = list.lock().unwrap();
            match claims.origin_jti() {
                Some(jti) if revoked.iter().any(|r| r == jti) => Err("the token was revoked"),
                _ => Ok(()),
            }
        })
        .build()
        .unwrap();
    let token = issuer.id_token().sign();
    let origin = verifier
        .verify(&token)
        .await
        .unwrap()
        .origin_jti()
        .unwrap()
        .to_owned();
    revoked.lock().unwrap().push(origin);
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::CheckFailed("the token was revoked".into())
    );
    assert_eq!(err.status(), 401);
    // An expired token fails on expiry, before the check sees it.
    assert_eq!(
        kind(&verifier, &issuer.id_token().expired().sign()).await,
        ErrorKind::Expired
    );
}

#[tokio::test]
async fn async_check_runs_after_the_sync_check_and_on_every_cache_hit() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    let issuer = issuer();
    let calls = Arc::new(AtomicUsize::new(0));
    let signed_out = Arc::new(Mutex::new(Vec::<String>::new()));
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .check(|claims| match claims.username() {
            Some("blocked") => Err("the user is blocked"),
            _ => Ok(()),
        })
        .check_async({
            let (calls, signed_out) = (calls.clone(), signed_out.clone());
            move |claims| {
                let (calls, signed_out) = (calls.clone(), signed_out.clone());
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    let session = claims.origin_jti().unwrap_or_default().to_owned();
                    if signed_out.lock().unwrap().contains(&session) {
                        Err("the session was signed out")
                    } else {
                        Ok(())
                    }
                }
            }
        })
        .build()
        .unwrap();

    let token = issuer.id_token().sign();
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Cached, but never answered without waiting for the check.
    assert_eq!(verifier.cached_tokens(), 1);
    assert!(verifier.verify_cached(&token).is_none());
    assert!(matches!(
        verifier.decide(cognito_core::token::Found::Token(&token), false),
        cognito_core::Decision::Verify(_)
    ));
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the cache hit was checked too"
    );

    signed_out
        .lock()
        .unwrap()
        .push(claims.origin_jti().unwrap().to_owned());
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::CheckFailed("the session was signed out".into())
    );
    assert_eq!(err.status(), 401);
    let err = verifier
        .verify_at(&token, SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::CheckFailed("the session was signed out".into())
    );

    // The synchronous check refuses first: the asynchronous one is not even asked.
    let before = calls.load(Ordering::SeqCst);
    let blocked = issuer.id_token().username("blocked").sign();
    assert_eq!(
        kind(&verifier, &blocked).await,
        ErrorKind::CheckFailed("the user is blocked".into())
    );
    assert_eq!(calls.load(Ordering::SeqCst), before);
}

// ---- fail closed and no secrets in output ----------------------------------------------------------

#[tokio::test]
async fn unreachable_keys_fail_closed_with_503() {
    let issuer = issuer();
    let token = issuer.id_token().sign();
    let pool = UserPool::new(issuer.pool_id())
        .unwrap()
        .client_id(issuer.client_id())
        .unwrap()
        .any_token_use()
        .jwks_url("http://127.0.0.1:9/nothing-listens-here")
        .unwrap();
    let verifier = Verifier::from(pool);
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::KeysUnavailable);
    assert_eq!(err.class(), ErrorClass::KeysUnavailable);
    assert_eq!(err.status(), 503);
    assert!(err.retry_after().is_some());
    assert!(verifier.hydrate().await.is_err());
}

#[tokio::test]
async fn token_never_appears_in_errors_or_debug_output() {
    let issuer = issuer();
    let verifier = verifier(&issuer);
    let good = issuer.id_token().username("secret-user-name").sign();
    let claims = verifier.verify(&good).await.unwrap();
    let signature = good.rsplit('.').next().unwrap();
    assert!(!format!("{claims:?}").contains(signature));
    assert!(!format!("{verifier:?}").contains(signature));
    // What an adapter holds before verifying: the token found, and the decision to verify it.
    let found = cognito_core::token::Found::Token(&good);
    assert!(!format!("{found:?}").contains(signature));
    let fresh = issuer.id_token().sign();
    let decision = verifier.decide(cognito_core::token::Found::Token(&fresh), false);
    assert!(matches!(decision, cognito_core::Decision::Verify(_)));
    let fresh_signature = fresh.rsplit('.').next().unwrap();
    assert!(!format!("{decision:?}").contains(fresh_signature));
    let bad = [
        issuer
            .id_token()
            .expired()
            .username("attacker<script>")
            .sign(),
        issuer.id_token().header("alg", "attacker<script>").sign(),
        issuer
            .id_token()
            .claim("iss", "https://attacker<script>")
            .sign(),
        "attacker<script>.x.y".to_owned(),
    ];
    for token in bad {
        let err = verifier.verify(&token).await.unwrap_err();
        for text in [
            err.to_string(),
            format!("{err:?}"),
            err.www_authenticate("api").unwrap_or_default(),
        ] {
            assert!(!text.contains("attacker"), "{text}");
            assert!(!text.contains(&token), "{text}");
        }
    }
}

#[tokio::test]
async fn configuration_errors_name_their_field() {
    assert_eq!(Verifier::builder().build().unwrap_err().field(), "issuers");
    let issuer = issuer();
    let twice = Verifier::builder()
        .pool(issuer.user_pool())
        .pool(issuer.user_pool())
        .build()
        .unwrap_err();
    assert_eq!(twice.field(), "issuers");
    let tiny = Verifier::builder()
        .pool(issuer.user_pool())
        .max_token_len(10)
        .build()
        .unwrap_err();
    assert_eq!(tiny.field(), "max_token_len");
    assert!(tiny.to_string().contains("max_token_len"));
}

#[test]
fn one_identity_provider_under_two_issuer_urls_is_refused() {
    // The same pool through a proxy: its users would share identities and cached credentials
    // with the direct issuer's, keyed by the pool alone.
    let direct = UserPool::new("eu-west-1_AbCdEf123")
        .unwrap()
        .client_id("client")
        .unwrap()
        .any_token_use();
    let proxied = direct
        .clone()
        .issuer("https://proxy.example.com/eu-west-1_AbCdEf123")
        .unwrap();
    let error = Verifier::builder()
        .pool(direct)
        .pool(proxied)
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "issuers");
    assert!(error.to_string().contains("identity provider"), "{error}");

    // Two OIDC issuers that differ only by a trailing slash are one provider too.
    let oidc = |url: &str| OidcIssuer::new(url).unwrap().audience("api").unwrap();
    let error = Verifier::builder()
        .oidc(oidc("https://idp.example.com"))
        .oidc(oidc("https://idp.example.com/"))
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "issuers");
}
