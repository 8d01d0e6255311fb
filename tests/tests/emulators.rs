//! cognito-core against tokens that moto server (PyPI `moto`) and cognito-local (npm
//! `cognito-local`) issue through their real user-pool APIs: one list of scenarios, run against
//! each emulator.
//!
//! What differs between the two is written down once per emulator in [`Facts`]: the issuer their
//! tokens carry (moto the real AWS form `https://cognito-idp.us-east-1.amazonaws.com/<pool>`, so
//! the verifier is configured as for a real pool with only the JWKS URL pointed at the emulator;
//! cognito-local its own `http://127.0.0.1:<port>/<pool>`, configured with `.issuer(..)`), how
//! they write `email_verified`, whether they send `origin_jti`. Both sign every pool's tokens
//! with one fixed key, so a token of another pool has a signature that verifies, and only the
//! issuer and app-client checks refuse it. cognito-local honours an app client's token validity
//! down to seconds, so its tokens really expire: that scenario runs against it alone.
//!
//! Every test skips (returns early) when its emulator's URL variable is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets them.

use std::error::Error;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_core::{ErrorKind, Require, TokenUse, Verifier};
use cognito_integration_tests::{
    Emulator, EmulatorPool, PoolOptions, decode_claims, edit_claims, emulator_url,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn Error>>;

const USER: &str = "alice";
const PASSWORD: &str = "correct horse";
const SIGNIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Token validity of the pool whose tokens expire during the test. One second works, but a
/// token signed late in a second would then be expired before a loaded machine verifies it.
const SHORT_VALIDITY_SECS: u32 = 3;

// ---- what differs between the emulators -------------------------------------------------------

/// The facts of one emulator that the scenarios depend on.
struct Facts {
    emulator: Emulator,
    /// How the `iss` of its tokens begins.
    issuer_prefix: &'static str,
    /// `email_verified` as its ID tokens carry it, as JSON text.
    email_verified: &'static str,
    /// Whether its tokens carry `origin_jti`, one per sign-in and kept by refreshes.
    origin_jti: bool,
    /// Whether it signs every pool's tokens with one key, so that a token of one pool verifies
    /// under another pool's keys.
    one_key_for_every_pool: bool,
}

const MOTO: Facts = Facts {
    emulator: Emulator::Moto,
    issuer_prefix: "https://cognito-idp.us-east-1.amazonaws.com/",
    email_verified: r#""true""#,
    origin_jti: true,
    one_key_for_every_pool: true,
};

const COGNITO_LOCAL: Facts = Facts {
    emulator: Emulator::CognitoLocal,
    issuer_prefix: "http://127.0.0.1:",
    email_verified: "true",
    origin_jti: false,
    one_key_for_every_pool: true,
};

// ---- the driver -------------------------------------------------------------------------------

/// A running emulator and its facts, handed to each scenario.
struct Emu {
    facts: &'static Facts,
    url: String,
}

impl Emu {
    /// A fresh pool with a custom attribute `department`, and a user `alice` (email verified,
    /// department `eng`) in the groups `admins` and `staff`.
    async fn seeded_pool(&self, token_validity_seconds: Option<u32>) -> EmulatorPool {
        let pool = EmulatorPool::create(
            self.facts.emulator,
            &self.url,
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
}

/// Runs `scenario` against the emulator of `facts`, or skips it when that emulator is not there.
async fn run<S, F>(facts: &'static Facts, scenario: S) -> TestResult
where
    S: FnOnce(Emu) -> F,
    F: Future<Output = TestResult>,
{
    let Some(url) = emulator_url(facts.emulator) else {
        return Ok(());
    };
    scenario(Emu { facts, url }).await
}

/// One test per scenario and emulator, `moto::<scenario>` and `cognito_local::<scenario>`.
macro_rules! against_each_emulator {
    ($($scenario:ident,)*) => {
        against_each_emulator!(@module moto, MOTO, $($scenario)*);
        against_each_emulator!(@module cognito_local, COGNITO_LOCAL, $($scenario)*);
    };
    (@module $module:ident, $facts:ident, $($scenario:ident)*) => {
        mod $module {
            $(
                #[tokio::test]
                async fn $scenario() -> super::TestResult {
                    super::run(&super::$facts, super::$scenario).await
                }
            )*
        }
    };
}

against_each_emulator! {
    id_and_access_tokens_verify_with_their_claims,
    user_password_auth_tokens_verify,
    refreshed_tokens_verify,
    token_of_another_pool_is_refused_as_unknown_issuer,
    token_of_another_app_client_is_refused_as_wrong_client,
    id_token_is_refused_where_an_access_token_is_required,
    access_token_is_refused_where_an_id_token_is_required,
    tampered_token_is_refused_as_invalid_signature,
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

// ---- the scenarios ----------------------------------------------------------------------------

async fn id_and_access_tokens_verify_with_their_claims(emu: Emu) -> TestResult {
    let e = emu.facts.emulator;
    let pool = emu.seeded_pool(None).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(pool.user_pool(&pool.client_id)?);
    assert_eq!(
        verifier.issuers().collect::<Vec<_>>(),
        [pool.issuer.as_str()],
        "{e}: the configured issuer is the one the emulator puts into its tokens"
    );

    let id = verifier.verify(&tokens.id_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    assert_eq!(id.issuer(), pool.issuer);
    assert!(
        id.issuer().starts_with(emu.facts.issuer_prefix),
        "{e}: {}",
        id.issuer()
    );
    assert_eq!(id.username(), Some(USER));
    assert_eq!(id.client_id(), Some(pool.client_id.as_str()));
    assert_eq!(id.audience(), std::slice::from_ref(&pool.client_id));
    assert_eq!(sorted(id.groups()), ["admins", "staff"]);
    assert!(id.in_group("admins"));
    assert!(id.in_group("staff"));
    assert_eq!(id.custom("department"), Some("eng"));
    assert_eq!(id.email(), Some("alice@example.com"));
    assert_eq!(
        decode_claims(&tokens.id_token)["email_verified"],
        serde_json::from_str::<Value>(emu.facts.email_verified)?,
        "{e} sends email_verified as {}",
        emu.facts.email_verified
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
    assert!(
        access.audience().is_empty(),
        "{e}: access tokens have no aud"
    );
    assert_eq!(access.scopes().collect::<Vec<_>>(), [SIGNIN_SCOPE]);
    assert!(access.has_scope(SIGNIN_SCOPE));
    assert!(Require::scope(SIGNIN_SCOPE).check(&access).is_ok());
    assert_eq!(sorted(access.groups()), ["admins", "staff"]);
    assert_eq!(
        access.origin_jti().is_some(),
        emu.facts.origin_jti,
        "{e}: origin_jti"
    );
    if emu.facts.origin_jti {
        assert_eq!(
            access.origin_jti(),
            id.origin_jti(),
            "one sign-in, one origin_jti"
        );
    }
    assert_ne!(access.jti(), id.jti());
    assert!(!access.is_machine());
    Ok(())
}

async fn user_password_auth_tokens_verify(emu: Emu) -> TestResult {
    let pool = emu.seeded_pool(None).await;
    let tokens = pool
        .sign_in_user_password(&pool.client_id, USER, PASSWORD)
        .await;
    let verifier = Verifier::builder()
        .pool(pool.user_pool(&pool.client_id)?)
        .build()?;

    let id = verifier.verify(&tokens.id_token).await?;
    let access = verifier.verify(&tokens.access_token).await?;
    assert_eq!(id.username(), Some(USER));
    assert_eq!(access.username(), Some(USER));
    assert_eq!(access.sub(), id.sub());
    Ok(())
}

async fn refreshed_tokens_verify(emu: Emu) -> TestResult {
    let pool = emu.seeded_pool(None).await;
    let first = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let refresh_token = first
        .refresh_token
        .as_deref()
        .expect("the admin sign-in returns a refresh token");
    let refreshed = pool.refresh(&pool.client_id, refresh_token).await;
    assert_ne!(refreshed.id_token, first.id_token);
    assert_ne!(refreshed.access_token, first.access_token);

    let verifier = Verifier::from(pool.user_pool(&pool.client_id)?);
    let first_access = verifier.verify(&first.access_token).await?;
    let id = verifier.verify(&refreshed.id_token).await?;
    let access = verifier.verify(&refreshed.access_token).await?;
    assert_eq!(id.token_use(), Some(TokenUse::Id));
    assert_eq!(access.token_use(), Some(TokenUse::Access));
    assert_eq!(id.username(), Some(USER));
    assert_eq!(access.sub(), first_access.sub());
    assert_eq!(sorted(id.groups()), ["admins", "staff"]);
    assert_eq!(id.custom("department"), Some("eng"));
    if emu.facts.origin_jti {
        assert_eq!(
            access.origin_jti(),
            first_access.origin_jti(),
            "tokens of one refresh token share origin_jti"
        );
    }
    Ok(())
}

async fn token_of_another_pool_is_refused_as_unknown_issuer(emu: Emu) -> TestResult {
    let pool_a = emu.seeded_pool(None).await;
    let pool_b = emu.seeded_pool(None).await;
    assert_ne!(pool_a.pool_id, pool_b.pool_id);
    let tokens_a = pool_a.sign_in(&pool_a.client_id, USER, PASSWORD).await;

    // With one key for every pool, pool A's token verifies under pool B's JWKS.
    let a_with_b_keys = Verifier::from(
        pool_a
            .user_pool(&pool_a.client_id)?
            .jwks_url(&pool_b.jwks_url)?,
    );
    for token in [&tokens_a.id_token, &tokens_a.access_token] {
        let verified = a_with_b_keys.verify(token).await;
        assert_eq!(
            verified.is_ok(),
            emu.facts.one_key_for_every_pool,
            "{}: {verified:?}",
            emu.facts.emulator
        );
    }

    // So only the issuer check keeps pool B's API from accepting it, even with any client.
    let verifier_b = Verifier::from(pool_b.user_pool(&pool_b.client_id)?);
    let any_client_b = Verifier::from(pool_b.user_pool(&pool_b.client_id)?.any_client());
    for verifier in [&verifier_b, &any_client_b] {
        for token in [&tokens_a.id_token, &tokens_a.access_token] {
            let err = refused(verifier, token).await;
            assert_eq!(err.kind(), &ErrorKind::UnknownIssuer);
        }
    }
    Ok(())
}

async fn token_of_another_app_client_is_refused_as_wrong_client(emu: Emu) -> TestResult {
    let pool = emu.seeded_pool(None).await;
    let client_2 = pool.add_client("second-app").await;
    assert_ne!(client_2, pool.client_id);
    let tokens_2 = pool.sign_in(&client_2, USER, PASSWORD).await;

    let verifier_1 = Verifier::from(pool.user_pool(&pool.client_id)?);
    for token in [&tokens_2.id_token, &tokens_2.access_token] {
        let err = refused(&verifier_1, token).await;
        assert_eq!(err.kind(), &ErrorKind::WrongClient);
    }

    // The same tokens pass where client 2 is accepted, so the client was the only problem.
    let verifier_2 = Verifier::from(pool.user_pool(&pool.client_id)?.client_id(&client_2)?);
    let id = verifier_2.verify(&tokens_2.id_token).await?;
    let access = verifier_2.verify(&tokens_2.access_token).await?;
    assert_eq!(id.client_id(), Some(client_2.as_str()));
    assert_eq!(access.client_id(), Some(client_2.as_str()));
    let any_client = Verifier::from(pool.user_pool(&pool.client_id)?.any_client());
    any_client.verify(&tokens_2.id_token).await?;
    any_client.verify(&tokens_2.access_token).await?;
    Ok(())
}

async fn id_token_is_refused_where_an_access_token_is_required(emu: Emu) -> TestResult {
    token_of_the_other_use_is_refused(emu, TokenUse::Access).await
}

async fn access_token_is_refused_where_an_id_token_is_required(emu: Emu) -> TestResult {
    token_of_the_other_use_is_refused(emu, TokenUse::Id).await
}

/// A verifier for tokens of `required` use refuses the other token of a sign-in as of the wrong
/// use, and accepts the one of that use.
async fn token_of_the_other_use_is_refused(emu: Emu, required: TokenUse) -> TestResult {
    let pool = emu.seeded_pool(None).await;
    let tokens = pool.sign_in(&pool.client_id, USER, PASSWORD).await;
    let verifier = Verifier::from(pool.user_pool(&pool.client_id)?.token_use(required));
    let (wanted, other) = match required {
        TokenUse::Access => (&tokens.access_token, &tokens.id_token),
        TokenUse::Id => (&tokens.id_token, &tokens.access_token),
    };

    let err = refused(&verifier, other).await;
    assert_eq!(err.kind(), &ErrorKind::WrongTokenUse);
    let claims = verifier.verify(wanted).await?;
    assert_eq!(claims.token_use(), Some(required));
    Ok(())
}

async fn tampered_token_is_refused_as_invalid_signature(emu: Emu) -> TestResult {
    let pool = EmulatorPool::create(emu.facts.emulator, &emu.url, PoolOptions::default()).await;
    pool.create_user("mallory", PASSWORD, &[]).await;
    pool.add_to_group("mallory", "staff").await;
    let tokens = pool.sign_in(&pool.client_id, "mallory", PASSWORD).await;
    let verifier = Verifier::from(pool.user_pool(&pool.client_id)?);

    // The genuine tokens pass, and do not make mallory an admin.
    let genuine = verifier.verify(&tokens.id_token).await?;
    assert_eq!(genuine.groups(), ["staff"]);
    verifier.verify(&tokens.access_token).await?;

    // Mallory adds herself to `admins` in both tokens, keeping the emulator's signatures.
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

// ---- cognito-local alone: tokens that really expire (moto always issues 1-hour tokens) --------

#[tokio::test]
async fn cognito_local_token_that_really_expired_is_refused_as_expired() -> TestResult {
    run(
        &COGNITO_LOCAL,
        token_that_really_expired_is_refused_as_expired,
    )
    .await
}

fn numeric_claim(token: &str, name: &str) -> u64 {
    decode_claims(token)[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} is not a number"))
}

async fn token_that_really_expired_is_refused_as_expired(emu: Emu) -> TestResult {
    let pool = emu.seeded_pool(Some(SHORT_VALIDITY_SECS)).await;
    let verifier = Verifier::from(pool.user_pool(&pool.client_id)?);
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
        .pool(pool.user_pool(&pool.client_id)?)
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
        .expect("the admin sign-in returns a refresh token");
    let refreshed = pool.refresh(&pool.client_id, refresh_token).await;
    let renewed = verifier.verify(&refreshed.access_token).await?;
    assert_eq!(renewed.sub(), access.sub());
    verifier.verify(&refreshed.id_token).await?;
    Ok(())
}
