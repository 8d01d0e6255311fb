//! Why a payload does not fit an application's claim type, without the claim's value.

use std::fmt;

/// Why a payload does not fit an application's claim type: the claim (its path in the
/// payload), the type, and what the type expected there. Never the claim's value: serde's own
/// message quotes it ("invalid type: string \"alice@example.com\", expected u32").
#[derive(Debug)]
pub(super) struct ClaimsTypeMismatch {
    claim: String,
    type_name: &'static str,
    expected: String,
}

impl ClaimsTypeMismatch {
    pub(super) fn new<U>(error: &serde_path_to_error::Error<serde_json::Error>) -> Self {
        let message = error.inner().to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        let expected = if let Some((_, expected)) = message.split_once(", expected ") {
            format!("expected {expected}")
        } else if message.starts_with("missing field `") {
            // Names a field of the type, not anything from the token.
            message.to_owned()
        } else {
            "a value of another type or shape".to_owned()
        };
        ClaimsTypeMismatch {
            claim: error.path().to_string(),
            type_name: std::any::type_name::<U>(),
            expected,
        }
    }
}

impl fmt::Display for ClaimsTypeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "claim `{}` does not fit `{}`: {}",
            self.claim, self.type_name, self.expected
        )
    }
}

impl std::error::Error for ClaimsTypeMismatch {}
