//! The axum quickstart (`quickstart::app`) and the actix quickstart (`quickstart_actix::app`)
//! answer the same table of (token, route rule) cases identically over real HTTP: the same status,
//! `WWW-Authenticate` challenge, `Retry-After`, content type and body, case by case.
//!
//! Both apps protect the pool of ONE `LocalIssuer` (each with a verifier of its own, so neither
//! warms the other's cache), are served on 127.0.0.1 (axum by `axum::serve`, actix by
//! `HttpServer`), and get the very same request bytes from `reqwest`. The routes carry the rules:
//! `/` public (optional auth), `/me` any signed-in user (extractor), `/admin` group `admin`
//! (`require`), `/reports` access token with scope `reports/read` (`require`).
//!
//! A second issuer whose JWKS endpoint answers 500 gets its own pair of apps: both must answer
//! 503 with the same `Retry-After`.
//!
//! On a mismatch the test prints the whole table, one line per case, and the differing fields.

use std::fmt::Write as _;
use std::time::Duration;

use actix_web::HttpServer;
use cognito_actix::Verifier;
use cognito_actix::cognito_core::test_util::{JwksBehaviour, LocalIssuer};
use cognito_integration_tests::{ActixServer, AxumServer, edit_claims};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::json;

// ---- the two servers --------------------------------------------------------------------------

/// The two apps, each with its own verifier for the same pool.
struct Apps {
    http: reqwest::Client,
    axum: AxumServer,
    actix: ActixServer,
}

impl Apps {
    async fn start(issuer: &LocalIssuer) -> Apps {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("building the reqwest client");
        Apps {
            http,
            axum: AxumServer::start(quickstart::app(Verifier::from(issuer.user_pool()))).await,
            actix: {
                let verifier = Verifier::from(issuer.user_pool());
                ActixServer::start(HttpServer::new(move || {
                    quickstart_actix::app(verifier.clone())
                }))
            },
        }
    }

    /// Runs every case through axum, then actix (so each verifier sees the same sequence).
    async fn run(&self, cases: &[Case]) -> Vec<Row> {
        let mut rows = Vec::with_capacity(cases.len());
        for case in cases {
            let axum = self.send(self.axum.base(), case).await;
            let actix = self.send(self.actix.base(), case).await;
            rows.push(Row {
                name: case.name,
                path: case.path,
                expect: case.expect,
                axum,
                actix,
            });
        }
        rows
    }

    async fn send(&self, base: &str, case: &Case) -> Observed {
        let mut request = self.http.get(format!("{base}{}", case.path));
        for value in &case.authorization {
            // `header` appends: several values make several `Authorization` fields.
            request = request.header(AUTHORIZATION, value.clone());
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("case `{}`: GET {base}{}: {e}", case.name, case.path));
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let status = response.status().as_u16();
        let www_authenticate = header(WWW_AUTHENTICATE);
        let retry_after = header(RETRY_AFTER);
        let content_type = header(CONTENT_TYPE);
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("case `{}`: reading the body: {e}", case.name));
        Observed {
            status,
            www_authenticate,
            retry_after,
            content_type,
            body,
        }
    }

    async fn stop(self) {
        self.actix.stop().await;
        drop(self.axum);
    }
}

// ---- the table --------------------------------------------------------------------------------

/// One request: a path (its rule) and the `Authorization` header values to send.
struct Case {
    name: &'static str,
    path: &'static str,
    authorization: Vec<HeaderValue>,
    /// The status DESIGN §5 says both must answer (so two equally broken apps do not pass).
    expect: u16,
}

impl Case {
    fn anonymous(name: &'static str, path: &'static str, expect: u16) -> Case {
        Case {
            name,
            path,
            authorization: Vec::new(),
            expect,
        }
    }

    fn header(name: &'static str, path: &'static str, value: &[u8], expect: u16) -> Case {
        let value = HeaderValue::from_bytes(value)
            .unwrap_or_else(|e| panic!("case `{name}`: not a header value: {e}"));
        Case {
            name,
            path,
            authorization: vec![value],
            expect,
        }
    }

    fn bearer(name: &'static str, path: &'static str, token: &str, expect: u16) -> Case {
        Case::header(name, path, format!("Bearer {token}").as_bytes(), expect)
    }
}

/// What one app answered.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observed {
    status: u16,
    www_authenticate: Option<String>,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: String,
}

impl Observed {
    /// `401 invalid_token`, `403 insufficient_scope scope="…"`, `503 retry-after=10`, `200`.
    fn summary(&self) -> String {
        let mut out = self.status.to_string();
        if let Some(challenge) = &self.www_authenticate {
            match param(challenge, "error") {
                Some(error) => write!(out, " {error}").unwrap(),
                None => out.push_str(" bare-challenge"),
            }
            if let Some(scope) = param(challenge, "scope") {
                write!(out, " scope={scope}").unwrap();
            }
        }
        if let Some(retry_after) = &self.retry_after {
            write!(out, " retry-after={retry_after}").unwrap();
        }
        out
    }
}

/// The value of `name="…"` in a challenge (no unescaping: it is for display only).
fn param<'a>(challenge: &'a str, name: &str) -> Option<&'a str> {
    let start = challenge.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &challenge[start..];
    Some(&rest[..rest.find('"').unwrap_or(rest.len())])
}

struct Row {
    name: &'static str,
    path: &'static str,
    expect: u16,
    axum: Observed,
    actix: Observed,
}

impl Row {
    fn ok(&self) -> bool {
        self.axum == self.actix && self.axum.status == self.expect
    }
}

/// Panics with the whole table when any row has a mismatch (between the apps, or with the
/// expected status); the differing fields follow the table.
fn assert_all_agree(title: &str, rows: &[Row]) {
    if rows.iter().all(Row::ok) {
        return;
    }
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let path_width = rows.iter().map(|r| r.path.len()).max().unwrap_or(0);
    let axum_width = rows
        .iter()
        .map(|r| r.axum.summary().len())
        .max()
        .unwrap_or(0);
    let mut table = format!(
        "{title}: the axum and actix quickstarts disagree (or miss the expected status)\n\n   \
         {:name_width$}  {:path_width$}  want  {:axum_width$}  actix\n",
        "case", "path", "axum"
    );
    for row in rows {
        let mark = if row.ok() { "  " } else { "✗ " };
        writeln!(
            table,
            " {mark}{:name_width$}  {:path_width$}  {:4}  {:axum_width$}  {}",
            row.name,
            row.path,
            row.expect,
            row.axum.summary(),
            row.actix.summary()
        )
        .unwrap();
    }
    for row in rows.iter().filter(|r| !r.ok()) {
        writeln!(table, "\n✗ {} ({}):", row.name, row.path).unwrap();
        if row.axum.status != row.expect || row.actix.status != row.expect {
            writeln!(
                table,
                "    expected status {}: axum {}, actix {}",
                row.expect, row.axum.status, row.actix.status
            )
            .unwrap();
        }
        let fields: [(&str, String, String); 5] = [
            (
                "status",
                row.axum.status.to_string(),
                row.actix.status.to_string(),
            ),
            (
                "www-authenticate",
                format!("{:?}", row.axum.www_authenticate),
                format!("{:?}", row.actix.www_authenticate),
            ),
            (
                "retry-after",
                format!("{:?}", row.axum.retry_after),
                format!("{:?}", row.actix.retry_after),
            ),
            (
                "content-type",
                format!("{:?}", row.axum.content_type),
                format!("{:?}", row.actix.content_type),
            ),
            (
                "body",
                format!("{:?}", row.axum.body),
                format!("{:?}", row.actix.body),
            ),
        ];
        for (field, axum, actix) in fields {
            if axum != actix {
                writeln!(
                    table,
                    "    {field}:\n      axum:  {axum}\n      actix: {actix}"
                )
                .unwrap();
            }
        }
    }
    panic!("{table}");
}

fn cases(issuer: &LocalIssuer) -> Vec<Case> {
    let id = || issuer.id_token();
    let access = || issuer.access_token();
    let admin = id().username("alice").groups(["admin"]).sign();
    let user = id().username("bob").sign();
    let reader = access().username("bob").scopes(["reports/read"]).sign();
    let tampered = edit_claims(&user, |claims| {
        claims.insert("cognito:groups".into(), json!(["admin"]));
    });

    vec![
        // No credentials of ours: public route passes, the others want a token.
        Case::anonymous("no token", "/", 200),
        Case::anonymous("no token", "/me", 401),
        Case::anonymous("no token", "/admin", 401),
        Case::anonymous("no token", "/reports", 401),
        Case::header("basic scheme", "/", b"Basic dXNlcjpwdw==", 200),
        Case::header("basic scheme", "/me", b"Basic dXNlcjpwdw==", 401),
        // Broken bearer credentials: 400 invalid_request (RFC 6750 §3.1), even on the public
        // route.
        Case::header("bearer, no token", "/me", b"Bearer", 400),
        Case::header("bearer, two spaces", "/me", b"Bearer  x", 400),
        Case::header("bearer, two spaces", "/", b"Bearer  x", 400),
        Case::header("bearer, tab", "/me", b"Bearer\tx", 400),
        Case::header("non-ASCII byte", "/me", b"Bearer abc\xffdef", 400),
        Case {
            name: "two authorization fields",
            path: "/me",
            authorization: vec![
                HeaderValue::from_str(&format!("Bearer {user}")).unwrap(),
                HeaderValue::from_str(&format!("Bearer {admin}")).unwrap(),
            ],
            expect: 400,
        },
        Case {
            name: "two authorization fields",
            path: "/",
            authorization: vec![
                HeaderValue::from_str(&format!("Bearer {user}")).unwrap(),
                HeaderValue::from_str(&format!("Bearer {admin}")).unwrap(),
            ],
            expect: 400,
        },
        Case::bearer("malformed token", "/me", "not-a-jwt", 401),
        Case::bearer("malformed token", "/", "not-a-jwt", 401),
        Case::bearer("three junk parts", "/admin", "a.b.c", 401),
        Case::bearer("tampered (group added)", "/admin", &tampered, 401),
        Case::bearer("expired", "/me", &id().expired().sign(), 401),
        Case::bearer("expired", "/", &id().expired().sign(), 401),
        Case::bearer("not yet valid", "/me", &id().not_yet_valid().sign(), 401),
        // The apps' keys were fetched within the cooldown: an unknown kid may be a key
        // published since, so the client is told to retry rather than that the token is bad.
        Case::bearer(
            "other key, unknown kid",
            "/me",
            &id().other_key().sign(),
            503,
        ),
        Case::bearer(
            "other key, published kid",
            "/me",
            &id().other_key().header("kid", issuer.active_kid()).sign(),
            401,
        ),
        Case::bearer("wrong issuer", "/me", &id().wrong_issuer().sign(), 401),
        Case::bearer(
            "wrong client (id)",
            "/me",
            &id().client_id("other").sign(),
            401,
        ),
        Case::bearer(
            "wrong client (access)",
            "/reports",
            &access().client_id("other").scopes(["reports/read"]).sign(),
            401,
        ),
        Case::bearer(
            "alg none",
            "/admin",
            &id().groups(["admin"]).alg_none().sign(),
            401,
        ),
        Case::bearer(
            "hs256 with the public key",
            "/me",
            &id().hs256_with_public_key().sign(),
            401,
        ),
        Case::bearer("missing exp", "/me", &id().without_claim("exp").sign(), 401),
        Case::bearer(
            "token_use neither id nor access",
            "/me",
            &id().claim("token_use", "refresh").sign(),
            401,
        ),
        // Valid tokens and the route rules.
        Case::bearer("valid id token", "/me", &admin, 200),
        Case::bearer("valid access token", "/me", &reader, 200),
        Case::header(
            "lowercase scheme",
            "/me",
            format!("bearer {user}").as_bytes(),
            200,
        ),
        Case::bearer("admin (id)", "/admin", &admin, 200),
        Case::bearer("non-admin (id)", "/admin", &user, 403),
        Case::bearer(
            "admin (access)",
            "/admin",
            &access().username("alice").groups(["admin"]).sign(),
            200,
        ),
        Case::bearer("non-admin (access)", "/admin", &reader, 403),
        Case::bearer("id token", "/reports", &user, 401),
        Case::bearer(
            "id token with a scope claim",
            "/reports",
            &id().claim("scope", "reports/read").sign(),
            401,
        ),
        Case::bearer("access, reports/read", "/reports", &reader, 200),
        Case::bearer(
            "access, reports/read + more",
            "/reports",
            &access().scopes(["openid", "reports/read"]).sign(),
            200,
        ),
        Case::bearer("access, default scope", "/reports", &access().sign(), 403),
        Case::bearer(
            "access, reports/write",
            "/reports",
            &access().scopes(["reports/write"]).sign(),
            403,
        ),
        Case::bearer("valid id token", "/", &user, 200),
        Case::bearer("valid access token", "/", &reader, 200),
        // Again, now from the verifiers' caches.
        Case::bearer("admin (id), cached", "/admin", &admin, 200),
        Case::bearer("non-admin (id), cached", "/admin", &user, 403),
        Case::bearer("id token, cached", "/reports", &user, 401),
    ]
}

#[tokio::test]
async fn axum_and_actix_quickstarts_answer_every_case_identically() {
    let issuer = LocalIssuer::start().expect("starting the local issuer");
    let cases = cases(&issuer);
    let apps = Apps::start(&issuer).await;
    let rows = apps.run(&cases).await;
    apps.stop().await;

    assert_all_agree("one issuer, both quickstarts", &rows);
    // The table covers every status the apps answer with.
    for status in [200, 400, 401, 403] {
        assert!(
            rows.iter().any(|r| r.actix.status == status),
            "no case answered {status}"
        );
    }
}

#[tokio::test]
async fn axum_and_actix_quickstarts_answer_unavailable_keys_identically() {
    let issuer = LocalIssuer::start().expect("starting the local issuer");
    issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
    let admin = issuer.id_token().username("alice").groups(["admin"]).sign();
    let reader = issuer
        .access_token()
        .username("bob")
        .scopes(["reports/read"])
        .sign();
    let cases = vec![
        // Nothing to verify: no keys needed.
        Case::anonymous("no token", "/", 200),
        Case::anonymous("no token", "/me", 401),
        Case::bearer("malformed token", "/me", "not-a-jwt", 401),
        // A known issuer whose keys cannot be fetched: 503, on every route.
        Case::bearer("keys unavailable", "/me", &admin, 503),
        Case::bearer("keys unavailable", "/admin", &admin, 503),
        Case::bearer("keys unavailable", "/reports", &reader, 503),
        Case::bearer("keys unavailable", "/", &admin, 503),
        // An issuer that is not configured is refused before any fetch.
        Case::bearer(
            "wrong issuer",
            "/me",
            &issuer.id_token().wrong_issuer().sign(),
            401,
        ),
    ];
    let apps = Apps::start(&issuer).await;
    let rows = apps.run(&cases).await;
    apps.stop().await;

    assert_all_agree("JWKS endpoint answering 500", &rows);
    for row in rows.iter().filter(|r| r.expect == 503) {
        assert_eq!(row.actix.retry_after.as_deref(), Some("10"), "{}", row.name);
        assert_eq!(row.actix.www_authenticate, None, "{}", row.name);
    }
}
