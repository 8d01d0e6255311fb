//! Identity-pool credentials end to end: an axum API served over real HTTP on 127.0.0.1, with
//! `CognitoAuth` outside `IdentityPoolLayer`, handlers taking `AwsCredentials`. One file per
//! topic under `identity_pool/`:
//!
//! - `harness.rs`: the API, its server, the client calling it and its replies;
//! - `moto.rs`: against moto server (user pool *and* identity pool): a user signed in through
//!   moto gets credentials from moto's identity pool, and an AWS SDK (S3) client built from them
//!   signs calls that moto serves. Caching is counted at the server, by an `IdentityEndpoint`
//!   proxy between the exchange and moto;
//! - against a fake identity endpoint (an `IdentityEndpoint` answering per scenario) and the
//!   test kit's `LocalIssuer`: `failures.rs` (refusals, throttling, faults, stalls and garbage
//!   map to DESIGN §5; tokens that do not verify never reach the exchange),
//!   `second_id_token.rs` (the access-token + ID-token path), `per_token_cache.rs` (what the
//!   caches may serve to which token) and `eager.rs` (eager mode);
//! - `example.rs`: the `identity-pool-example` router against moto.
//!
//! The moto tests skip (return early) when `COGNITO_TEST_MOTO_URL` is unset, except under
//! `CI=true`, where `emulator_url` panics instead. `./scripts/test.sh` sets it.

#[path = "identity_pool/eager.rs"]
mod eager;
#[path = "identity_pool/example.rs"]
mod example;
#[path = "identity_pool/failures.rs"]
mod failures;
#[path = "identity_pool/harness.rs"]
mod harness;
#[path = "identity_pool/moto.rs"]
mod moto;
#[path = "identity_pool/per_token_cache.rs"]
mod per_token_cache;
#[path = "identity_pool/second_id_token.rs"]
mod second_id_token;
