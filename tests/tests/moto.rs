//! cognito-core against tokens issued by moto server (PyPI `moto`), signed in through its real
//! user-pool API.
//!
//! moto's tokens carry the real AWS issuer (`https://cognito-idp.us-east-1.amazonaws.com/<pool>`),
//! so the verifier is configured as for a real pool, with only the JWKS URL pointed at the
//! emulator. moto signs every pool's tokens with one fixed key: a token of another pool has a
//! signature that verifies, and only the issuer and app-client checks refuse it.
//!
//! Every test skips (returns early) when `COGNITO_TEST_MOTO_URL` is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets it.

use std::error::Error;

use cognito_core::{ConfigError, ErrorKind, Require, TokenUse, UserPool, Verifier};
use cognito_integration_tests::{
    Emulator, EmulatorPool, PoolOptions, Tokens, decode_claims, edit_claims, emulator_url,
};
use serde_json::json;

type TestResult = Result<(), Box<dyn Error>>;

const USER: &str = "alice";
const PASSWORD: &str = "correct horse";
const SIGNIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// A fresh pool with a custom attribute `department`, and a user `alice` (email verified,
/// department `eng`) in the groups `admins` and `staff`.
async fn seeded_pool(url: &str) -> EmulatorPool {
    let pool = EmulatorPool::create(
        Emulator::Moto,
        url,
        PoolOptions {
            custom_attributes: vec!["department".into()],
            ..PoolOptions::default()
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

/// The pool as a user configures it for moto: the issuer derived from the pool id (moto's
/// tokens carry the real AWS form), the keys from the emulator.
fn user_pool(pool: &EmulatorPool, client_id: &str) -> Result<UserPool, ConfigError> {
    UserPool::new(&pool.pool_id)?
        .client_id(client_id)?
        .any_token_use()
        .jwks_url(&pool.jwks_url)
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

#[tokio::test]
async fn moto_id_and_access_tokens_verify_with_their_claims() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = seeded_pool(&url).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);
    assert_eq!(
        verifier.issuers().collect::<Vec<_>>(),
        [pool.issuer.as_str()],
        "the derived issuer is the one moto puts into its tokens"
    );

    let id = verifier.verify(&tokens.id_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    assert_eq!(id.issuer(), pool.issuer);
    assert_eq!(id.username(), Some(USER));
    assert_eq!(id.client_id(), Some(pool.client_id.as_str()));
    assert_eq!(id.audience(), std::slice::from_ref(&pool.client_id));
    assert_eq!(sorted(id.groups()), ["admins", "staff"]);
    assert!(id.in_group("admins"));
    assert_eq!(id.custom("department"), Some("eng"));
    assert_eq!(id.email(), Some("alice@example.com"));
    assert_eq!(
        decode_claims(&tokens.id_token)["email_verified"],
        json!("true"),
        "moto sends email_verified as a string"
    );
    assert_eq!(id.email_verified(), Some(true));
    assert!(!id.is_machine());
    assert!(id.auth_time().is_some());
    assert!(id.expires_at() > std::time::SystemTime::now());
    assert!(Require::group("admins").check(&id).is_ok());
    assert!(Require::group("finance").check(&id).is_err());

    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    assert_eq!(access.issuer(), pool.issuer);
    assert_eq!(access.sub(), id.sub(), "both tokens name the same user");
    assert_eq!(access.username(), Some(USER));
    assert_eq!(access.client_id(), Some(pool.client_id.as_str()));
    assert!(
        access.audience().is_empty(),
        "moto's access tokens have no aud"
    );
    assert_eq!(access.scopes().collect::<Vec<_>>(), [SIGNIN_SCOPE]);
    assert!(access.has_scope(SIGNIN_SCOPE));
    assert!(Require::scope(SIGNIN_SCOPE).check(&access).is_ok());
    assert_eq!(sorted(access.groups()), ["admins", "staff"]);
    assert!(access.origin_jti().is_some());
    assert_eq!(
        access.origin_jti(),
        id.origin_jti(),
        "one sign-in, one origin_jti"
    );
    assert_ne!(access.jti(), id.jti());
    assert!(!access.is_machine());
    Ok(())
}

#[tokio::test]
async fn moto_user_password_auth_tokens_verify() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = seeded_pool(&url).await;
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
async fn moto_refreshed_tokens_verify() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = seeded_pool(&url).await;
    let first = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let refresh_token = first
        .refresh_token
        .as_deref()
        .expect("ADMIN_NO_SRP_AUTH returns a refresh token");
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
    assert_eq!(
        access.origin_jti(),
        first_access.origin_jti(),
        "tokens of one refresh token share origin_jti"
    );
    Ok(())
}

#[tokio::test]
async fn moto_token_of_another_pool_is_refused_as_unknown_issuer() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool_a = seeded_pool(&url).await;
    let pool_b = seeded_pool(&url).await;
    assert_ne!(pool_a.pool_id, pool_b.pool_id);
    let tokens_a = pool_a.sign_in(&pool_a.client_id, USER, PASSWORD).await;

    // moto signs every pool's tokens with one key: pool A's token verifies under pool B's JWKS.
    let a_with_b_keys = Verifier::from(
        UserPool::new(&pool_a.pool_id)?
            .client_id(&pool_a.client_id)?
            .any_token_use()
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
            .jwks_url(&pool_b.jwks_url)?,
    );
    for token in [&tokens_a.id_token, &tokens_a.access_token] {
        let err = refused(&any_client_b, token).await;
        assert_eq!(err.kind(), &ErrorKind::UnknownIssuer);
    }
    Ok(())
}

#[tokio::test]
async fn moto_token_of_another_app_client_is_refused_as_wrong_client() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = seeded_pool(&url).await;
    let client_2 = pool.add_client("second-app").await;
    assert_ne!(client_2, pool.client_id);
    let tokens_2: Tokens = pool.sign_in(&client_2, USER, PASSWORD).await;

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
            .jwks_url(&pool.jwks_url)?,
    );
    any_client.verify(&tokens_2.id_token).await?;
    any_client.verify(&tokens_2.access_token).await?;
    Ok(())
}

#[tokio::test]
async fn moto_id_token_is_refused_where_an_access_token_is_required() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = seeded_pool(&url).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?.token_use(TokenUse::Access));

    let err = refused(&verifier, &tokens.id_token).await;
    assert_eq!(err.kind(), &ErrorKind::WrongTokenUse);
    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    Ok(())
}

#[tokio::test]
async fn moto_access_token_is_refused_where_an_id_token_is_required() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = seeded_pool(&url).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?.token_use(TokenUse::Id));

    let err = refused(&verifier, &tokens.access_token).await;
    assert_eq!(err.kind(), &ErrorKind::WrongTokenUse);
    let id = verifier.verify(&tokens.id_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    Ok(())
}

#[tokio::test]
async fn moto_tampered_token_is_refused_as_invalid_signature() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = EmulatorPool::create(Emulator::Moto, &url, PoolOptions::default()).await;
    pool.create_user("mallory", PASSWORD, &[]).await;
    pool.add_to_group("mallory", "staff").await;
    let tokens = pool.sign_in(&pool.client_id, "mallory", PASSWORD).await;
    let verifier = Verifier::from(user_pool(&pool, &pool.client_id)?);

    // The genuine tokens pass, and do not make mallory an admin.
    let genuine = verifier.verify(&tokens.id_token).await?;
    assert_eq!(genuine.groups(), ["staff"]);
    verifier.verify(&tokens.access_token).await?;

    // Mallory adds herself to `admins` in both tokens, keeping moto's signatures.
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
