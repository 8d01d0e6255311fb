//! The crate's modules depend one way, in the order the crate docs give: no module refers to a
//! module above it (and so none imports a module that imports it back).

use std::path::Path;

/// Bottom to top, as in the crate docs ("How the crate reads").
const ORDER: &[&str] = &[
    "clock",
    "crypto",
    "partition",
    "error",
    "jws",
    "jwks",
    "issuer",
    "payload",
    "claims",
    "require",
    "authentication",
    "cache",
    "token",
    "rejection",
    "verifier",
    "alb",
    "adapter",
    "identity_pool",
    "test_util",
];

/// Items re-exported at the crate root, by the module that defines them.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Error", "error"),
    ("ErrorKind", "error"),
    ("ErrorClass", "error"),
    ("ConfigError", "error"),
    ("Unmet", "error"),
    ("RETRY_AFTER_SECS", "error"),
    ("Require", "require"),
    ("Claims", "claims"),
    ("Authentication", "authentication"),
    ("Verifier", "verifier"),
    ("TokenUse", "issuer"),
    ("UserPool", "issuer"),
    ("Jwks", "jwks"),
    ("Clock", "clock"),
    ("Algorithm", "crypto"),
    ("ManualClock", "clock"),
];

fn rank(module: &str) -> Option<usize> {
    ORDER.iter().position(|m| *m == module)
}

/// The modules a source file refers to through `crate::…`, outside comments.
fn references(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let module = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == name)
                .map_or(name.clone(), |(_, module)| (*module).to_owned());
            found.push(module);
        }
    }
    found
}

#[test]
fn no_module_refers_to_a_module_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path).unwrap() {
                files.push(inner.unwrap().path());
            }
        } else {
            files.push(path);
        }
    }
    let mut checked = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative
            .iter()
            .next()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let own = rank(&module).unwrap_or_else(|| panic!("{module} is not in ORDER"));
        let source = std::fs::read_to_string(&file).unwrap();
        for target in references(&source) {
            if target == module {
                continue;
            }
            let theirs = rank(&target).unwrap_or_else(|| {
                panic!(
                    "{} refers to crate::{target}, not in ORDER",
                    relative.display()
                )
            });
            assert!(
                theirs < own,
                "{} refers to {target}, which is above it",
                relative.display()
            );
        }
        if !checked.contains(&module) {
            checked.push(module);
        }
    }
    assert_eq!(
        checked.len(),
        ORDER.len(),
        "every module was read: {checked:?}"
    );
}
