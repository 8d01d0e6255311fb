//! cognito-core against tokens issued by cognito-local (npm `cognito-local`), signed in through
//! its real user-pool API.
//!
//! cognito-local's tokens carry its own issuer (`http://127.0.0.1:<port>/<pool>`, plain http on
//! loopback), so the verifier is configured with `.issuer(..)` as well as `.jwks_url(..)`. It
//! signs every pool's tokens with one fixed key (kid `CognitoLocal`), and it honours an app
//! client's token validity down to seconds, so its tokens really expire.
//!
//! Every test skips (returns early) when `COGNITO_TEST_COGNITO_LOCAL_URL` is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets it.

use std::error::Error;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_core::{ConfigError, ErrorKind, Require, TokenUse, UserPool, Verifier};
use cognito_integration_tests::{
    Emulator, EmulatorPool, PoolOptions, decode_claims, edit_claims, emulator_url,
};
use serde_json::json;

type TestResult = Result<(), Box<dyn Error>>;

const USER: &str = "alice";
const PASSWORD: &str = "correct horse";
const SIGNIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Token validity of the pool whose tokens expire during the test. One second works, but a
/// token signed late in a second would then be expired before a loaded machine verifies it.
const SHORT_VALIDITY_SECS: u32 = 3;

/// A fresh pool with a custom attribute `department`, and a user `alice` (email verified,
/// department `eng`) in the groups `admins` and `staff`.
async fn seeded_pool(url: &str, token_validity_seconds: Option<u32>) -> EmulatorPool {
    let pool = EmulatorPool::create(
        Emulator::CognitoLocal,
        url,
        PoolOptions {
            custom_attributes: vec!["department".into()],
            token_validity_seconds,
        },
    )
    .await;
    pool.create_user(
        USER,
        PASSWORD,
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("custom:department", "eng"),
        ],
    )
    .await;
    pool.add_to_group(USER, "admins").await;
    pool.add_to_group(USER, "staff").await;
    pool
}

/// The pool as a user configures it for cognito-local: its issuer and its keys both on the
/// emulator.
fn user_pool(pool: &EmulatorPool, client_id: &str) -> Result<UserPool, ConfigError> {
    UserPool::new(&pool.pool_id)?
        .client_id(client_id)?
        .any_token_use()
        .jwks_url(&pool.jwks_url)?
        .issuer(&pool.issuer)
}

fn sorted(groups: &[String]) -> Vec<&str> {
    let mut groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    groups.sort_unstable();
    groups
}

async fn refused(verifier: &Verifier, token: &str) -> cognito_core::Error {
    let err = verifier
        .verify(token)
        .await
        .expect_err("the token should have been refused");
    assert_eq!(err.status(), 401, "{err:?}");
    err
}

fn numeric_claim(token: &str, name: &str) -> u64 {
    decode_claims(token)[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} is not a number"))
}

#[tokio::test]
async fn cognito_local_id_and_access_tokens_verify_with_their_claims() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, None).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);

    let id = verifier.verify(&tokens.id_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    assert_eq!(id.issuer(), pool.issuer);
    assert!(id.issuer().starts_with("http://127.0.0.1:"));
    assert_eq!(id.username(), Some(USER));
    assert_eq!(id.client_id(), Some(pool.client_id.as_str()));
    assert_eq!(id.audience(), std::slice::from_ref(&pool.client_id));
    assert_eq!(sorted(id.groups()), ["admins", "staff"]);
    assert!(id.in_group("staff"));
    assert_eq!(id.custom("department"), Some("eng"));
    assert_eq!(id.email(), Some("alice@example.com"));
    assert_eq!(
        decode_claims(&tokens.id_token)["email_verified"],
        json!(true),
        "cognito-local sends email_verified as a boolean"
    );
    assert_eq!(id.email_verified(), Some(true));
    assert!(!id.is_machine());
    assert!(id.auth_time().is_some());
    assert!(id.expires_at() > SystemTime::now());
    assert!(Require::group("admins").check(&id).is_ok());
    assert!(Require::group("finance").check(&id).is_err());

    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    assert_eq!(access.issuer(), pool.issuer);
    assert_eq!(access.sub(), id.sub(), "both tokens name the same user");
    assert_eq!(access.username(), Some(USER));
    assert_eq!(access.client_id(), Some(pool.client_id.as_str()));
    assert!(access.audience().is_empty());
    assert_eq!(access.scopes().collect::<Vec<_>>(), [SIGNIN_SCOPE]);
    assert!(access.has_scope(SIGNIN_SCOPE));
    assert!(Require::scope(SIGNIN_SCOPE).check(&access).is_ok());
    assert_eq!(sorted(access.groups()), ["admins", "staff"]);
    assert!(!access.is_machine());
    assert_ne!(access.jti(), id.jti());
    Ok(())
}

#[tokio::test]
async fn cognito_local_user_password_auth_tokens_verify() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, None).await;
    let tokens = pool
        .sign_in_user_password(&pool.client_id, USER, PASSWORD)
        .await;
    let verifier = Verifier::builder()
        .pool(user_pool(&pool, &pool.client_id)?)
        .build()?;

    let id = verifier.verify(&tokens.id_token).await?;
    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(id.username(), Some(USER));
    assert_eq!(access.username(), Some(USER));
    assert_eq!(access.sub(), id.sub());
    Ok(())
}

#[tokio::test]
async fn cognito_local_refreshed_tokens_verify() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, None).await;
    let first = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let refresh_token = first
        .refresh_token
        .as_deref()
        .expect("ADMIN_USER_PASSWORD_AUTH returns a refresh token");
    let refreshed = pool.refresh(&pool.client_id, refresh_token).await;
    assert_ne!(refreshed.id_token, first.id_token);
    assert_ne!(refreshed.access_token, first.access_token);

    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);
    let first_access = verifier.verify(&first.access_token).await?;
    let id = verifier.verify(&refreshed.id_token).await?;
    let access = verifier.verify(&refreshed.access_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    assert_eq!(id.username(), Some(USER));
    assert_eq!(access.sub(), first_access.sub());
    assert_eq!(sorted(id.groups()), ["admins", "staff"]);
    assert_eq!(id.custom("department"), Some("eng"));
    Ok(())
}

#[tokio::test]
async fn cognito_local_token_of_another_pool_is_refused_as_unknown_issuer() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool_a = seeded_pool(&url, None).await;
    let pool_b = seeded_pool(&url, None).await;
    assert_ne!(pool_a.pool_id, pool_b.pool_id);
    let tokens_a = pool_a.sign_in(&pool_a.client_id, USER, PASSWORD).await;

    // cognito-local signs every pool's tokens with one key: pool A's token verifies under pool
    // B's JWKS.
    let a_with_b_keys = Verifier::from(
        UserPool::new(&pool_a.pool_id)?
            .client_id(&pool_a.client_id)?
            .any_token_use()
            .issuer(&pool_a.issuer)?
            .jwks_url(&pool_b.jwks_url)?,
    );
    a_with_b_keys.verify(&tokens_a.id_token).await?;
    a_with_b_keys.verify(&tokens_a.access_token).await?;

    // So only the issuer check keeps pool B's API from accepting it, even with any client.
    let verifier_b = Verifier::from(user_pool(&pool_b, &pool_b.client_id)?);
    for token in [&tokens_a.id_token, &tokens_a.access_token] {
        let err = refused(&verifier_b, token).await;
        assert_eq!(err.kind(), &ErrorKind::UnknownIssuer);
    }
    let any_client_b = Verifier::from(
        UserPool::new(&pool_b.pool_id)?
            .any_client()
            .any_token_use()
            .issuer(&pool_b.issuer)?
            .jwks_url(&pool_b.jwks_url)?,
    );
    for token in [&tokens_a.id_token, &tokens_a.access_token] {
        let err = refused(&any_client_b, token).await;
        assert_eq!(err.kind(), &ErrorKind::UnknownIssuer);
    }
    Ok(())
}

#[tokio::test]
async fn cognito_local_token_of_another_app_client_is_refused_as_wrong_client() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, None).await;
    let client_2 = pool.add_client("second-app").await;
    assert_ne!(client_2, pool.client_id);
    let tokens_2 = pool.sign_in(&client_2, USER, PASSWORD).await;

    let verifier_1 = Verifier::from(user_pool(&pool, &pool.client_id)?);
    for token in [&tokens_2.id_token, &tokens_2.access_token] {
        let err = refused(&verifier_1, token).await;
        assert_eq!(err.kind(), &ErrorKind::WrongClient);
    }

    // The same tokens pass where client 2 is accepted, so the client was the only problem.
    let verifier_2 = Verifier::from(user_pool(&pool, &pool.client_id)?.client_id(&client_2)?);
    let id = verifier_2.verify(&tokens_2.id_token).await?;
    let access = verifier_2.verify(&tokens_2.access_token).await?;
    assert_eq!(id.client_id(), Some(client_2.as_str()));
    assert_eq!(access.client_id(), Some(client_2.as_str()));
    let any_client = Verifier::from(
        UserPool::new(&pool.pool_id)?
            .any_client()
            .any_token_use()
            .issuer(&pool.issuer)?
            .jwks_url(&pool.jwks_url)?,
    );
    any_client.verify(&tokens_2.id_token).await?;
    any_client.verify(&tokens_2.access_token).await?;
    Ok(())
}

#[tokio::test]
async fn cognito_local_id_token_is_refused_where_an_access_token_is_required() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, None).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?.token_use(TokenUse::Access));

    let err = refused(&verifier, &tokens.id_token).await;
    assert_eq!(err.kind(), &ErrorKind::WrongTokenUse);
    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    Ok(())
}

#[tokio::test]
async fn cognito_local_access_token_is_refused_where_an_id_token_is_required() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, None).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?.token_use(TokenUse::Id));

    let err = refused(&verifier, &tokens.access_token).await;
    assert_eq!(err.kind(), &ErrorKind::WrongTokenUse);
    let id = verifier.verify(&tokens.id_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    Ok(())
}

#[tokio::test]
async fn cognito_local_tampered_token_is_refused_as_invalid_signature() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = EmulatorPool::create(Emulator::CognitoLocal, &url, PoolOptions::default()).await;
    pool.create_user("mallory", PASSWORD, &[]).await;
    pool.add_to_group("mallory", "staff").await;
    let tokens = pool.sign_in(&pool.client_id, "mallory", PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);

    // The genuine tokens pass, and do not make mallory an admin.
    let genuine = verifier.verify(&tokens.id_token).await?;
    assert_eq!(genuine.groups(), ["staff"]);
    verifier.verify(&tokens.access_token).await?;

    // Mallory adds herself to `admins` in both tokens, keeping cognito-local's signatures.
    for token in [&tokens.id_token, &tokens.access_token] {
        let forged = edit_claims(token, |claims| {
            claims.insert("cognito:groups".into(), json!(["staff", "admins"]));
        });
        assert_ne!(&forged, token);
        let err = refused(&verifier, &forged).await;
        assert_eq!(err.kind(), &ErrorKind::InvalidSignature);
    }

    // A later expiry, or another user's name, is just as forged.
    let forged_exp = edit_claims(&tokens.access_token, |claims| {
        let exp = claims["exp"].as_u64().expect("exp is a number");
        claims.insert("exp".into(), json!(exp + 365 * 24 * 3600));
    });
    let err = refused(&verifier, &forged_exp).await;
    assert_eq!(err.kind(), &ErrorKind::InvalidSignature);
    let forged_user = edit_claims(&tokens.id_token, |claims| {
        claims.insert("cognito:username".into(), json!("admin"));
    });
    let err = refused(&verifier, &forged_user).await;
    assert_eq!(err.kind(), &ErrorKind::InvalidSignature);
    Ok(())
}

#[tokio::test]
async fn cognito_local_token_that_really_expired_is_refused_as_expired() -> TestResult {
    let Some(url) = emulator_url(Emulator::CognitoLocal) else {
        return Ok(());
    };
    let pool = seeded_pool(&url, Some(SHORT_VALIDITY_SECS)).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);
    // Keys loaded before the sign-in, so the first verification follows it closely.
    verifier.hydrate().await?;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;

    // Valid right after the sign-in (and now in the verifier's cache).
    let id = verifier.verify(&tokens.id_token).await?;
    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(id.username(), Some(USER));
    assert_eq!(access.username(), Some(USER));

    let mut latest_exp = 0;
    for token in [&tokens.id_token, &tokens.access_token] {
        let (iat, exp) = (numeric_claim(token, "iat"), numeric_claim(token, "exp"));
        assert_eq!(
            exp - iat,
            u64::from(SHORT_VALIDITY_SECS),
            "cognito-local honours the app client's validity in seconds"
        );
        latest_exp = latest_exp.max(exp);
    }

    // Wait until a second past the expiry.
    let past_exp = UNIX_EPOCH + Duration::from_secs(latest_exp + 1);
    if let Ok(wait) = past_exp.duration_since(SystemTime::now()) {
        tokio::time::sleep(wait).await;
    }

    // Refused by the same verifier (a cache hit re-checks `exp`) and by a fresh one with no
    // cache (the full verification).
    let fresh = Verifier::builder()
        .pool(user_pool(&pool, &pool.client_id)?)
        .no_cache()
        .build()?;
    for token in [&tokens.id_token, &tokens.access_token] {
        let err = refused(&verifier, token).await;
        assert_eq!(err.kind(), &ErrorKind::Expired);
        let err = refused(&fresh, token).await;
        assert_eq!(err.kind(), &ErrorKind::Expired);

        // Expiry is all that is wrong with them: as of their issue time they verify.
        let iat = numeric_claim(token, "iat");
        fresh
            .verify_at(token, UNIX_EPOCH + Duration::from_secs(iat))
            .await?;
    }

    // The refresh token outlives them and gets a new pair that verifies.
    let refresh_token = tokens
        .refresh_token
        .as_deref()
        .expect("ADMIN_USER_PASSWORD_AUTH returns a refresh token");
    let refreshed = pool.refresh(&pool.client_id, refresh_token).await;
    let renewed = verifier.verify(&refreshed.access_token).await?;
    assert_eq!(renewed.sub(), access.sub());
    verifier.verify(&refreshed.id_token).await?;
    Ok(())
}
