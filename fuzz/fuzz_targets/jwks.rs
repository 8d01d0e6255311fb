//! Any text as a JWKS document: parsing never panics; every usable key is one of the
//! document's entries, under a `kid` no other usable key has; every entry of a
//! `{"keys":[...]}` document is either usable or listed as skipped; and only a JSON object is
//! accepted as a document.

#![no_main]

use cognito_core::Jwks;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(jwks) = Jwks::from_json(text) else {
        return;
    };
    let kids: Vec<&str> = jwks.kids().collect();
    assert_eq!(kids.len(), jwks.len(), "kids() and len() disagree");
    assert_eq!(
        jwks.is_empty(),
        kids.is_empty(),
        "is_empty() and kids() disagree"
    );
    let mut unique = kids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        kids.len(),
        "two usable keys share a kid: {kids:?}"
    );
    let _ = format!("{jwks:?}");

    assert!(
        text.trim_start_matches([' ', '\t', '\r', '\n'])
            .starts_with('{'),
        "a document that is not a JSON object was accepted as a key set: {jwks:?}"
    );
    // The entries, when the whole document parses independently (it may not: members other
    // than `keys` are skipped by the key set's parser, not read).
    let Ok(document) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(entries) = document.get("keys").and_then(Value::as_array) else {
        panic!("a document without a `keys` array was accepted: {jwks:?}");
    };
    assert!(
        jwks.len() + jwks.skipped().len() <= entries.len(),
        "more keys than entries: {jwks:?}"
    );
    assert_eq!(
        jwks.len() + jwks.skipped().len(),
        entries.len(),
        "an entry is neither usable nor skipped: {jwks:?}"
    );
    // The entries' kids, as a multiset, are those of the usable and the skipped keys.
    let mut listed: Vec<Option<&str>> = entries
        .iter()
        .map(|entry| entry.get("kid").and_then(Value::as_str))
        .collect();
    let mut read: Vec<Option<&str>> = kids
        .iter()
        .map(|&kid| Some(kid))
        .chain(jwks.skipped().iter().map(|s| s.kid.as_deref()))
        .collect();
    listed.sort_unstable();
    read.sort_unstable();
    assert_eq!(listed, read, "the kids read are not the entries' kids");
    for kid in &kids {
        assert!(
            entries.iter().any(|entry| {
                entry.get("kid").and_then(Value::as_str) == Some(kid)
                    && entry.get("kty").and_then(Value::as_str) == Some("RSA")
            }),
            "usable key {kid:?} is no RSA entry of the document"
        );
    }
});
