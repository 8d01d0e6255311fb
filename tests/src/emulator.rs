//! Which emulator a test runs against, and where it runs: [`Emulator`] and [`emulator_url`].

use std::fmt;

/// Environment variable holding the base URL of a running moto server (set by `./scripts/test.sh`).
pub const MOTO_URL_VAR: &str = "COGNITO_TEST_MOTO_URL";

/// Environment variable holding the base URL of a running cognito-local (set by `./scripts/test.sh`).
pub const COGNITO_LOCAL_URL_VAR: &str = "COGNITO_TEST_COGNITO_LOCAL_URL";

/// One of the two Cognito emulators the integration tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Emulator {
    /// moto server (PyPI `moto`): user pools and identity pools. Its tokens carry the real AWS
    /// issuer form `https://cognito-idp.us-east-1.amazonaws.com/<pool_id>` and always last 1 hour.
    Moto,
    /// cognito-local (npm `cognito-local`): user pools only. Its tokens carry the issuer
    /// `<url>/<pool_id>` and honour the app client's token validity, down to seconds.
    CognitoLocal,
}

impl Emulator {
    /// Both emulators, for tests that run the same checks against each.
    pub const ALL: [Emulator; 2] = [Emulator::Moto, Emulator::CognitoLocal];

    /// The environment variable that holds this emulator's base URL.
    pub fn url_var(self) -> &'static str {
        match self {
            Emulator::Moto => MOTO_URL_VAR,
            Emulator::CognitoLocal => COGNITO_LOCAL_URL_VAR,
        }
    }

    /// A short name for messages: `moto` or `cognito-local`.
    pub fn name(self) -> &'static str {
        match self {
            Emulator::Moto => "moto",
            Emulator::CognitoLocal => "cognito-local",
        }
    }
}

impl fmt::Display for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Base URL of a running emulator from its environment variable ([`MOTO_URL_VAR`] or
/// [`COGNITO_LOCAL_URL_VAR`]), without a trailing slash; `None` if unset.
///
/// # Panics
///
/// When the variable is unset and `CI=true`: emulator tests must never be skipped in CI.
/// Otherwise an unset variable prints `skipping: <var> not set (run ./scripts/test.sh)` to
/// stderr and returns `None`, so that a plain `cargo test` still passes without the emulators.
pub fn emulator_url(e: Emulator) -> Option<String> {
    let var = e.url_var();
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_owned()),
        _ if in_ci() => panic!(
            "{var} is not set but CI=true: the {e} emulator tests must not be skipped in CI \
             (run them through ./scripts/test.sh, which installs and starts the emulators)"
        ),
        _ => {
            eprintln!("skipping: {var} not set (run ./scripts/test.sh)");
            None
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}
