#![cfg(feature = "test-util")]
//! Property tests: no input makes the verifier panic, and nothing but the exact tokens the
//! issuer signed verifies.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{Claims, Error, ErrorClass, ErrorKind, Verifier};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;

/// The issuer, a cache-less verifier with its keys loaded, a runtime to drive it, and tokens
/// the issuer signed. Built once: key generation is slow and the verifier must outlive every
/// case.
struct Fixture {
    issuer: LocalIssuer,
    verifier: Verifier,
    runtime: tokio::runtime::Runtime,
    tokens: Vec<String>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let issuer = LocalIssuer::start().expect("local issuer starts");
    let verifier = Verifier::builder()
        .pool(issuer.user_pool())
        .no_cache()
        .build()
        .expect("verifier builds");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime builds");
    runtime
        .block_on(verifier.hydrate())
        .expect("keys load from the local issuer");
    let tokens = vec![
        issuer
            .access_token()
            .username("alice")
            .groups(["admin"])
            .scopes(["openid", "reports/read"])
            .sign(),
        issuer
            .id_token()
            .username("bob")
            .email("bob@example.com")
            .custom("department", "finance")
            .sign(),
    ];
    let fixture = Fixture {
        issuer,
        verifier,
        runtime,
        tokens,
    };
    for token in &fixture.tokens {
        assert!(
            fixture.verify(token).is_ok(),
            "the unmutated token verifies"
        );
    }
    fixture
});

impl Fixture {
    fn verify(&self, token: &str) -> Result<Claims, Error> {
        self.runtime.block_on(self.verifier.verify(token))
    }
}

/// A refused token is refused as an invalid token (401), never as anything that would let an
/// adapter treat it differently; or, when a mutation changed its `kid` to one the store has not
/// looked for since its last fetch, with a 503 that asks to retry after the cooldown.
fn assert_refused(result: Result<Claims, Error>, token: &str) -> Result<(), TestCaseError> {
    match result {
        Ok(claims) => Err(TestCaseError::fail(format!(
            "{token:?} verified as {claims:?}"
        ))),
        Err(err) if err.kind() == &ErrorKind::KeyNotYetFetched => {
            prop_assert_eq!(err.status(), 503);
            prop_assert!(err.retry_after().is_some());
            Ok(())
        }
        Err(err) => {
            prop_assert_eq!(err.class(), ErrorClass::InvalidToken, "{:?}", err);
            prop_assert_eq!(err.status(), 401);
            Ok(())
        }
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bytes that matter to the parser: the base64url alphabet, the separator, the standard
/// alphabet and padding (non-canonical), whitespace, and anything else.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(ALPHABET.to_vec()),
        1 => prop::sample::select(b".+/= \t\n\"{}\\".to_vec()),
        1 => any::<u8>(),
    ]
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compact JWS-shaped strings with headers and payloads that get past the first checks: real
/// and forged algorithms, the published `kid`, the configured issuer, and signatures that are
/// anything but the issuer's.
fn forged_token() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just(json!({"alg": "RS256", "kid": "local-0"})),
        Just(json!({"alg": "RS256", "kid": "local-0", "crit": ["exp"]})),
        Just(json!({"alg": "none", "kid": "local-0"})),
        Just(json!({"alg": "HS256", "kid": "local-0"})),
        Just(json!({"alg": "RS256"})),
        "[a-z0-9-]{0,12}".prop_map(|kid| json!({"alg": "RS256", "kid": kid})),
    ];
    let payload = (
        prop::option::of(Just(
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalPool",
        )),
        prop::option::of(prop_oneof![
            Just("id".to_owned()),
            Just("access".to_owned()),
            "[a-z]{0,6}"
        ]),
        prop::option::of(any::<i64>()),
        prop::option::of("[ -~]{0,20}"),
    )
        .prop_map(|(iss, token_use, exp, sub)| {
            json!({
                "iss": iss,
                "token_use": token_use,
                "exp": exp,
                "sub": sub,
                "aud": "localclient",
                "client_id": "localclient",
            })
            .to_string()
        });
    // A flat object with more brackets than the depth limit (so the depth scan reads it all),
    // then an unterminated string of escapes and brackets, cut anywhere.
    let tail = prop::collection::vec(prop::sample::select(b"{}[]\\a,:".to_vec()), 0..8);
    let structural = (33usize..50, tail).prop_map(|(members, tail)| {
        let tail = String::from_utf8(tail).expect("ASCII");
        format!("{{{}\"{tail}", "\"k\":[],".repeat(members))
    });
    let payload = prop_oneof![
        3 => payload,
        1 => "[ -~]{0,60}",
        1 => structural,
        1 => Just("{".repeat(40) + &"}".repeat(40)),
    ];
    let signature = prop::collection::vec(any::<u8>(), 0..300);
    (header, payload, signature).prop_map(|(header, payload, signature)| {
        format!(
            "{}.{}.{}",
            b64(header.to_string()),
            b64(payload),
            b64(signature)
        )
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_strings_never_panic_and_never_verify(token in any::<String>()) {
        let fixture = &*FIXTURE;
        assert_refused(fixture.verify(&token), &token)?;
    }

    #[test]
    fn strings_of_the_token_alphabet_never_panic_and_never_verify(
        token in "[A-Za-z0-9_.=+/-]{0,600}"
    ) {
        let fixture = &*FIXTURE;
        assert_refused(fixture.verify(&token), &token)?;
    }

    #[test]
    fn three_segment_strings_never_panic_and_never_verify(
        token in "[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,360}"
    ) {
        let fixture = &*FIXTURE;
        assert_refused(fixture.verify(&token), &token)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_never_verify(
        bytes in prop::collection::vec(interesting_byte(), 0..2000)
    ) {
        let token = String::from_utf8_lossy(&bytes);
        let fixture = &*FIXTURE;
        assert_refused(fixture.verify(&token), &token)?;
    }

    #[test]
    fn forged_tokens_never_panic_and_never_verify(token in forged_token()) {
        let fixture = &*FIXTURE;
        assert_refused(fixture.verify(&token), &token)?;
    }
}

/// One edit of a token.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(Index, u8),
    Replace(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    /// Exchange two of the three segments.
    SwapSegments(Index, Index),
    /// Keep only a prefix.
    Truncate(Index),
    /// Replace one segment by another's copy or by nothing.
    CopySegment(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), prop_oneof![3 => 1..0x40u8, 1 => 1..=u8::MAX])
            .prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        3 => (any::<Index>(), interesting_byte()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        2 => (any::<Index>(), interesting_byte()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapSegments(a, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::CopySegment(a, b)),
    ]
}

fn apply(token: &mut Vec<u8>, mutation: &Mutation) {
    let len = token.len();
    match *mutation {
        Mutation::Flip(ref at, mask) if len > 0 => token[at.index(len)] ^= mask,
        Mutation::Replace(ref at, byte) if len > 0 => token[at.index(len)] = byte,
        Mutation::Insert(ref at, byte) => token.insert(at.index(len + 1), byte),
        Mutation::Delete(ref at) if len > 0 => {
            token.remove(at.index(len));
        }
        Mutation::Truncate(ref at) => token.truncate(at.index(len + 1)),
        Mutation::SwapSegments(ref a, ref b) => {
            let mut segments: Vec<Vec<u8>> =
                token.split(|&b| b == b'.').map(<[u8]>::to_vec).collect();
            let n = segments.len();
            segments.swap(a.index(n), b.index(n));
            *token = segments.join(&b'.');
        }
        Mutation::CopySegment(ref from, ref to) => {
            let mut segments: Vec<Vec<u8>> =
                token.split(|&b| b == b'.').map(<[u8]>::to_vec).collect();
            let n = segments.len();
            let (from, to) = (from.index(n + 1), to.index(n));
            segments[to] = segments.get(from).cloned().unwrap_or_default();
            *token = segments.join(&b'.');
        }
        Mutation::Flip(..) | Mutation::Replace(..) | Mutation::Delete(..) => {}
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn mutated_tokens_never_panic_and_verify_only_when_unchanged(
        which in any::<Index>(),
        mutations in prop_oneof![
            3 => prop::collection::vec(mutation(), 1..2),
            1 => prop::collection::vec(mutation(), 2..5),
        ],
    ) {
        let fixture = &*FIXTURE;
        let original = which.get(&fixture.tokens);
        let mut bytes = original.as_bytes().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let mutated = String::from_utf8_lossy(&bytes);
        let result = fixture.verify(&mutated);
        if mutated == original.as_str() {
            prop_assert!(result.is_ok(), "the unchanged token verifies");
        } else {
            assert_refused(result, &mutated)?;
        }
    }
}

/// The base64url alphabet.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

proptest! {
    #![proptest_config(config(512))]

    /// The edit most likely to get a forgery past parsing: one base64url character for
    /// another, in the header, the payload or the signature. A change in the last character of
    /// a segment may only touch its stray bits; that is refused as non-canonical.
    #[test]
    fn one_character_replaced_never_verifies(
        which in any::<Index>(),
        at in any::<Index>(),
        replacement in prop::sample::select(ALPHABET.to_vec()),
    ) {
        let fixture = &*FIXTURE;
        let original = which.get(&fixture.tokens);
        let mut bytes = original.as_bytes().to_vec();
        let at = at.index(bytes.len());
        prop_assume!(bytes[at] != b'.' && bytes[at] != replacement);
        bytes[at] = replacement;
        let mutated = String::from_utf8(bytes).expect("ASCII stays UTF-8");
        assert_refused(fixture.verify(&mutated), &mutated)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn tokens_with_padding_or_whitespace_around_segments_never_verify(
        which in any::<Index>(),
        segment in 0..3usize,
        affix in prop_oneof![Just("="), Just("=="), Just(" "), Just("\n"), Just("\t")],
        before in any::<bool>(),
    ) {
        let fixture = &*FIXTURE;
        let original = which.get(&fixture.tokens);
        let mut segments: Vec<String> = original.split('.').map(str::to_owned).collect();
        if before {
            segments[segment].insert_str(0, affix);
        } else {
            segments[segment].push_str(affix);
        }
        let mutated = segments.join(".");
        assert_refused(fixture.verify(&mutated), &mutated)?;
    }
}

#[test]
fn oversized_tokens_are_refused_without_panicking() {
    let fixture = &*FIXTURE;
    let token = &fixture.tokens[0];
    let padded = format!("{token}{}", "A".repeat(40 * 1024));
    let err = fixture.verify(&padded).expect_err("too long");
    assert_eq!(err.status(), 401);
    // The fixture's issuer is alive for every case; say so once, so it is not dead code.
    assert!(fixture.issuer.jwks_requests() >= 1);
}
