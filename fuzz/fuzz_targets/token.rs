//! Any bytes, as a token: the verifier never panics, refuses as 401 `invalid_token`, and
//! verifies nothing (no input carries a signature of the issuer's freshly generated key).

#![no_main]

use std::sync::LazyLock;

use cognito_core_fuzz::{Fixture, assert_refused_as_invalid};
use libfuzzer_sys::fuzz_target;

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| Fixture::new(|pool| pool));

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let token = String::from_utf8_lossy(data);
    let result = fixture.verify(&token);
    assert!(result.is_err(), "a token the issuer never signed verified");
    assert_refused_as_invalid(&result);
});
