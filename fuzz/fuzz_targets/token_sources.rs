//! Any bytes as request header values (one a line; the first line names the cookie):
//! `bearer`, `cookie` and `header_value` never panic, and a token they find is non-empty,
//! visible ASCII, and a part of one of the values given (for `bearer` and `header_value`,
//! exactly the value's credential).

#![no_main]

use cognito_core::token::{self, Found};
use libfuzzer_sys::fuzz_target;

/// At most this many header values (more add nothing the code under test treats differently).
const MAX_VALUES: usize = 6;

fuzz_target!(|data: &[u8]| {
    let mut pieces = data.split(|&b| b == b'\n');
    let name = pieces
        .next()
        .and_then(|name| std::str::from_utf8(name).ok())
        .unwrap_or("id_token");
    let values: Vec<&[u8]> = pieces.take(MAX_VALUES).collect();

    let found = token::bearer(values.iter().copied());
    assert_token_within(found, &values);
    match (values.len(), found) {
        (0, found) => assert_eq!(found, Found::Missing),
        (1, Found::Token(t)) => {
            let value = values[0];
            assert!(
                value[..7].eq_ignore_ascii_case(b"bearer "),
                "bearer() read {value:?}"
            );
            assert_eq!(
                &value[7..],
                t.as_bytes(),
                "bearer() read part of the credential"
            );
        }
        (1, _) => {}
        (_, found) => assert_eq!(found, Found::Malformed, "several Authorization values"),
    }
    for value in &values {
        let found = token::bearer([*value]);
        assert_token_within(found, &values);
    }

    let found = token::cookie(values.iter().copied(), name);
    assert_token_within(found, &values);
    if let Found::Token(t) = found {
        let plain = format!("{name}={t}");
        let quoted = format!("{name}=\"{t}\"");
        assert!(
            values
                .iter()
                .any(|v| contains(v, plain.as_bytes()) || contains(v, quoted.as_bytes())),
            "cookie() read a value not given as {name}=…"
        );
    }

    let found = token::header_value(values.iter().copied());
    assert_token_within(found, &values);
    match (values.len(), found) {
        (0, found) => assert_eq!(found, Found::Missing),
        (1, Found::Token(t)) => assert_eq!(values[0], t.as_bytes(), "header_value()"),
        (1, _) => {}
        (_, found) => assert_eq!(found, Found::Malformed, "several header values"),
    }
    let _ = found.into_result();
    let _ = format!("{found:?}");
});

/// A found token is non-empty visible ASCII, and lies inside one of `values`.
fn assert_token_within(found: Found<'_>, values: &[&[u8]]) {
    let Found::Token(token) = found else { return };
    assert!(!token.is_empty(), "an empty token");
    assert!(
        token.bytes().all(|b| b.is_ascii_graphic()),
        "a token with bytes that are not visible ASCII: {:?}",
        token.as_bytes()
    );
    let range = token.as_bytes().as_ptr_range();
    assert!(
        values.iter().any(|v| {
            let within = v.as_ptr_range();
            within.start <= range.start && range.end <= within.end
        }),
        "a token that lies in none of the values"
    );
    assert!(values.iter().any(|v| contains(v, token.as_bytes())));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}
