//! The quickstart example does what it prints: every request of `Demo::requests()` sent over
//! real HTTP to `quickstart::app` answers the status and body the printed commands promise, and
//! the same app protects a moto user pool configured through `quickstart::Config`.

use std::collections::BTreeSet;
use std::error::Error;

use cognito_integration_tests::{
    AxumServer, Emulator, EmulatorPool, PoolOptions, emulator_url, http_client,
};
use quickstart::{Config, Demo, app};

type TestResult = Result<(), Box<dyn Error>>;

const PASSWORD: &str = "correct horse";

/// An app served on 127.0.0.1 on a free port until dropped.
struct Server {
    base: String,
    http: reqwest::Client,
    _server: AxumServer,
}

impl Server {
    async fn start(router: axum::Router) -> Server {
        let server = AxumServer::start(router).await;
        let http = http_client();
        Server {
            base: server.base().to_owned(),
            http,
            _server: server,
        }
    }

    /// Status and body of `GET path`, with `token` as a bearer token.
    async fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: reading the body: {e}"));
        (status, body)
    }
}

#[tokio::test]
async fn every_printed_request_answers_as_printed() -> TestResult {
    let demo = Demo::start()?;
    let server = Server::start(app(demo.verifier())).await;
    let requests = Demo::requests();
    assert!(!requests.is_empty());

    for request in &requests {
        let token = request.token_var.map(|var| {
            demo.token(var)
                .unwrap_or_else(|| panic!("{}: no token for ${var}", request.what))
        });
        let (status, body) = server.get(request.path, token).await;
        assert_eq!(
            status, request.status,
            "{} (GET {} with {:?}): body {body:?}",
            request.what, request.path, request.token_var
        );
        assert!(
            body.contains(request.body_contains),
            "{} (GET {} with {:?}): body {body:?} does not contain {:?}",
            request.what,
            request.path,
            request.token_var,
            request.body_contains
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_instructions_print_one_curl_per_request_and_export_its_tokens() -> TestResult {
    let demo = Demo::start()?;
    let base = "http://127.0.0.1:3000";
    let text = demo.instructions(base);
    let requests = Demo::requests();

    let curls: Vec<&str> = text
        .lines()
        .filter(|line| line.trim_start().starts_with("curl "))
        .collect();
    assert_eq!(curls.len(), requests.len(), "{text}");
    for (curl, request) in curls.iter().zip(&requests) {
        let url = format!("{base}{}", request.path);
        assert!(
            curl.split_whitespace().any(|word| word == url),
            "{curl:?} does not request {url}"
        );
        match request.token_var {
            Some(var) => assert!(
                curl.contains(&format!("\"Authorization: Bearer ${var}\"")),
                "{curl:?} does not send ${var}"
            ),
            None => assert!(
                !curl.contains("Authorization"),
                "{curl:?} sends a token for {:?}",
                request.what
            ),
        }
    }

    let vars: BTreeSet<&str> = requests.iter().filter_map(|r| r.token_var).collect();
    assert!(!vars.is_empty());
    for var in vars {
        let token = demo.token(var).expect("a token for every variable used");
        let export = format!("export {var}={token}");
        assert!(
            text.lines().any(|line| line == export),
            "${var} is not exported with its token:\n{text}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_app_protects_a_moto_pool_configured_like_the_environment_says() -> TestResult {
    let Some(url) = emulator_url(Emulator::Moto) else {
        return Ok(());
    };
    let pool = EmulatorPool::create(Emulator::Moto, &url, PoolOptions::default()).await;
    pool.create_user("alice", PASSWORD, &[("email", "alice@example.com")])
        .await;
    pool.add_to_group("alice", "admin").await;
    pool.create_user("bob", PASSWORD, &[]).await;

    // What COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID and COGNITO_JWKS_URL would say for moto (its
    // tokens carry the real AWS issuer, so COGNITO_ISSUER stays unset).
    let config = Config {
        pool_id: pool.pool_id.clone(),
        client_id: pool.client_id.clone(),
        jwks_url: Some(pool.jwks_url.clone()),
        issuer: None,
    };
    let server = Server::start(app(config.verifier()?)).await;
    let alice = pool.sign_in(&pool.client_id, "alice", PASSWORD).await;
    let bob = pool.sign_in(&pool.client_id, "bob", PASSWORD).await;

    let (status, body) = server.get("/admin", Some(&alice.id_token)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("welcome to the admin area, alice"), "{body}");
    let (status, body) = server.get("/me", Some(&alice.id_token)).await;
    assert_eq!(status, 200, "{body}");
    let me: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(me["cognito:username"], "alice", "{body}");
    assert_eq!(me["iss"], pool.issuer.as_str(), "{body}");

    let (status, body) = server.get("/admin", Some(&bob.id_token)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("requires group admin"), "{body}");
    let (status, body) = server.get("/me", Some(&bob.id_token)).await;
    assert_eq!(status, 200, "{body}");

    // The demo's own tokens mean nothing to this pool.
    let demo = Demo::start()?;
    let (status, body) = server.get("/me", Some(&demo.admin_token)).await;
    assert_eq!(status, 401, "{body}");
    Ok(())
}

/// The README's quickstart is the example's code, not a look-alike: every line of its snippet
/// (hidden doctest lines aside) appears in `examples/quickstart/src/lib.rs`, in the same order.
#[test]
fn readme_quickstart_snippet_is_the_example_code() {
    let readme = include_str!("../../README.md");
    let example = include_str!("../../examples/quickstart/src/lib.rs");
    let section = readme
        .split("## Quickstart (axum)")
        .nth(1)
        .expect("the README has a quickstart section");
    let snippet = section
        .split("```rust")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("the quickstart section has a rust block");
    let shown: Vec<&str> = snippet
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && *line != "#" && !line.starts_with("# "))
        .collect();
    assert!(shown.len() >= 20, "the snippet shows the app: {shown:?}");
    let mut example_lines = example.lines().map(str::trim);
    for line in shown {
        assert!(
            example_lines.any(|e| e == line),
            "a README quickstart line is not in the example (in this order): {line}"
        );
    }
}

/// Every test SECURITY.md names as keeping a guarantee exists where it says: within
/// parentheses, a `` `path` `` of a Rust file followed by the `` `names` `` of functions (or
/// behaviour-table rows) in it.
#[test]
fn security_md_names_tests_that_exist_where_it_says() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("SECURITY.md")).expect("SECURITY.md");
    let mut missing = Vec::new();
    let mut checked = 0;
    // The file named last in each open parenthesis, innermost last.
    let mut files: Vec<Option<String>> = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(['(', ')', '`']) {
        let (mark, after) = (rest.as_bytes()[at], &rest[at + 1..]);
        rest = after;
        match mark {
            b'(' => files.push(None),
            b')' => {
                files.pop();
            }
            _ => {
                let Some(end) = rest.find('`') else { break };
                let quoted = &rest[..end];
                rest = &rest[end + 1..];
                let Some(file) = files.last_mut() else {
                    continue;
                };
                if quoted.ends_with(".rs") && quoted.contains('/') {
                    *file = std::fs::read_to_string(root.join(quoted)).ok();
                    if file.is_none() {
                        missing.push(format!("{quoted} (no such file)"));
                    }
                    continue;
                }
                let is_test_name = quoted.len() > 12
                    && quoted.contains('_')
                    && quoted
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                let (Some(source), true) = (file.as_deref(), is_test_name) else {
                    continue;
                };
                checked += 1;
                let defined = source.contains(&format!("fn {quoted}("))
                    || source.contains(&format!("fn {quoted}<"))
                    || source.contains(&format!("\"{quoted}\""));
                if !defined {
                    missing.push(quoted.to_owned());
                }
            }
        }
    }
    assert!(
        checked > 40,
        "only {checked} names found: has the format changed?"
    );
    assert!(
        missing.is_empty(),
        "SECURITY.md names tests that are not there: {missing:?}"
    );
}
