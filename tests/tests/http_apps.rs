//! An axum app and an actix-web app behind `CognitoAuth`, served over real HTTP on loopback and
//! called with `reqwest` using tokens that moto server and cognito-local issued through their
//! real user-pool APIs, both held to one table of requests and answers (`http_apps/cases.rs`).
//!
//! This is the whole path a user's API takes: bearer header → layer or middleware → verifier
//! (JWKS fetched from the emulator) → claims in the request extensions → `require` or extractor →
//! handler, and the refusals rendered as DESIGN §5 says (401 `invalid_token`, 403
//! `insufficient_scope`).
//!
//! - `http_apps/cases.rs`: the table, one row per request;
//! - `http_apps/app.rs`: what the app's handlers answer, in both frameworks;
//! - `http_apps/driver.rs`: seeds an emulator, serves a framework's app and runs the rows;
//! - `http_apps/axum_app.rs`, `http_apps/actix_app.rs`: each framework's app and server (the
//!   actix one with rows of its own, for its guards).
//!
//! Every test skips (returns early) when its emulator's URL variable is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets them.

/// The tests of one framework: the table against each emulator, and cognito-local's expiring
/// tokens.
macro_rules! tests_through {
    ($framework:ty) => {
        #[tokio::test]
        async fn answers_every_row_with_moto_tokens() -> $crate::driver::TestResult {
            $crate::driver::answers_every_row::<$framework>(
                cognito_integration_tests::Emulator::Moto,
            )
            .await
        }

        #[tokio::test]
        async fn answers_every_row_with_cognito_local_tokens() -> $crate::driver::TestResult {
            $crate::driver::answers_every_row::<$framework>(
                cognito_integration_tests::Emulator::CognitoLocal,
            )
            .await
        }

        #[tokio::test]
        async fn refuses_cognito_local_tokens_that_really_expired_and_takes_refreshed_ones()
        -> $crate::driver::TestResult {
            $crate::driver::refuses_expired_tokens::<$framework>().await
        }
    };
}

#[path = "http_apps/actix_app.rs"]
mod actix_app;
#[path = "http_apps/app.rs"]
mod app;
#[path = "http_apps/axum_app.rs"]
mod axum_app;
#[path = "http_apps/cases.rs"]
mod cases;
#[path = "http_apps/driver.rs"]
mod driver;
