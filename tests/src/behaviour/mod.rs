//! One table of request → answer cases that every adapter is held to.
//!
//! A [`Case`] names the app ([`Setup`]: token source, optional auth, the layer's and the
//! route's rules, realm, body format, renderer), the request ([`Req`]) and the expected answer
//! ([`Expect`]). A [`Driver`] per framework builds that app and sends the request; [`check`]
//! runs every row through one driver and fails with the list of rows the adapter answered
//! differently. A new behaviour is one row, and every adapter is held to it.

mod cases;

use std::fmt::Write as _;

use cognito_core::alb::AlbVerifier;
use cognito_core::test_util::{JwksBehaviour, LocalAlb, LocalIssuer};
use cognito_core::{Require, TokenUse, Verifier};

pub use cases::cases;

/// Where the app reads the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `Authorization: Bearer`.
    Bearer,
    /// The cookie of this name.
    Cookie(&'static str),
    /// The bare value of the header of this name.
    Header(&'static str),
    /// A custom lookup reading the query parameter of this name.
    Query(&'static str),
}

/// Which keys the app's pool serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// The shared issuer's, served normally.
    Served,
    /// Another issuer whose JWKS endpoint answers 500.
    Unavailable,
}

/// The app a case runs against: `auth` (unless `no_auth`) in front of `route_rule` (if any) in
/// front of an echo handler that answers `user:<username>` or `anonymous`.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The pool's keys.
    pub keys: Keys,
    /// The token use the pool accepts; `None` is any.
    pub token_use: Option<TokenUse>,
    /// A verifier check that refuses this username ("the session was signed out").
    pub signed_out: Option<&'static str>,
    /// `CognitoAuth::optional()`.
    pub optional: bool,
    /// `CognitoAuth::token_source(..)`.
    pub source: Source,
    /// `CognitoAuth::require(..)`.
    pub layer_rule: Option<Require>,
    /// A `require(..)` in front of the handler.
    pub route_rule: Option<Require>,
    /// `CognitoAuth::realm(..)`.
    pub realm: Option<&'static str>,
    /// `CognitoAuth::problem_json()`.
    pub problem_json: bool,
    /// A custom renderer answering `{"message":"<status>"}` on top of the standard answer.
    pub custom_body: bool,
    /// No `CognitoAuth` at all in front of the route rule.
    pub no_auth: bool,
    /// `CognitoAuth::alb(..)`: the identity a load balancer forwards, instead of a token.
    pub alb: Option<AlbVerifier>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            keys: Keys::Served,
            token_use: None,
            signed_out: None,
            optional: false,
            source: Source::Bearer,
            layer_rule: None,
            route_rule: None,
            realm: None,
            problem_json: false,
            custom_body: false,
            no_auth: false,
            alb: None,
        }
    }
}

impl Setup {
    /// The verifier for this setup: a fresh one per app, so no case warms another's cache.
    ///
    /// # Panics
    /// When the verifier cannot be built (a broken test setup).
    #[must_use]
    pub fn verifier(&self, issuers: &Issuers) -> Verifier {
        let issuer = match self.keys {
            Keys::Served => &issuers.served,
            Keys::Unavailable => &issuers.unavailable,
        };
        let pool = match self.token_use {
            Some(token_use) => issuer.user_pool().token_use(token_use),
            None => issuer.user_pool(),
        };
        let mut builder = Verifier::builder().pool(pool);
        if let Some(name) = self.signed_out {
            builder = builder.check_async(move |claims| async move {
                if claims.username() == Some(name) {
                    Err("the session was signed out")
                } else {
                    Ok(())
                }
            });
        }
        builder.build().expect("the setup's verifier")
    }
}

/// The request of a case: a GET of `path` with these header fields (a name given twice is two
/// fields).
#[derive(Debug, Clone)]
pub struct Req {
    /// Path and query.
    pub path: String,
    /// Header fields, in order.
    pub headers: Vec<(&'static str, String)>,
}

impl Req {
    /// `GET /` with no header.
    #[must_use]
    pub fn anonymous() -> Req {
        Req::get("/")
    }

    /// `GET path` with no header.
    #[must_use]
    pub fn get(path: impl Into<String>) -> Req {
        Req {
            path: path.into(),
            headers: Vec::new(),
        }
    }

    /// `GET /` with `Authorization: Bearer <token>`.
    #[must_use]
    pub fn bearer(token: &str) -> Req {
        Req::anonymous().header("authorization", format!("Bearer {token}"))
    }

    /// This request with one more header field.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.headers.push((name, value.into()));
        self
    }
}

/// What a text (challenge or body) must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Not there at all.
    Absent,
    /// Exactly this.
    Is(String),
    /// Containing each of these.
    Contains(Vec<String>),
}

impl Text {
    fn holds(&self, actual: Option<&str>) -> bool {
        match (self, actual) {
            (Text::Absent, actual) => actual.is_none(),
            (Text::Is(expected), Some(actual)) => expected == actual,
            (Text::Contains(parts), Some(actual)) => parts.iter().all(|p| actual.contains(p)),
            (_, None) => false,
        }
    }
}

/// The expected answer.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The status code.
    pub status: u16,
    /// The `WWW-Authenticate` value.
    pub challenge: Text,
    /// The body.
    pub body: Text,
    /// Further header fields that must have these values (`None`: must be absent).
    pub headers: Vec<(&'static str, Option<&'static str>)>,
}

/// An answer as a driver read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// Every header field, names lowercase, values as text.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl Answer {
    /// The value of the header `name` (lowercase), if present.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// What in this answer differs from `expect`, one line per field; empty when it holds.
    fn differences(&self, expect: &Expect) -> Vec<String> {
        let mut found = Vec::new();
        if self.status != expect.status {
            found.push(format!(
                "status {} (expected {})",
                self.status, expect.status
            ));
        }
        let challenge = self.header("www-authenticate");
        if !expect.challenge.holds(challenge) {
            found.push(format!(
                "challenge {challenge:?} (expected {:?})",
                expect.challenge
            ));
        }
        if !expect.body.holds(Some(&self.body)) {
            found.push(format!("body {:?} (expected {:?})", self.body, expect.body));
        }
        for (name, value) in &expect.headers {
            if self.header(name) != *value {
                found.push(format!(
                    "{name} {:?} (expected {value:?})",
                    self.header(name)
                ));
            }
        }
        // Every refusal, whatever renders it, may not be kept by a cache on the way.
        if self.status != 200 && self.header("cache-control") != Some("no-store") {
            found.push(format!(
                "cache-control {:?} on a refusal (expected \"no-store\")",
                self.header("cache-control")
            ));
        }
        found
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the row shows, as a test name would say it.
    pub name: &'static str,
    /// The app.
    pub setup: Setup,
    /// The request.
    pub req: Req,
    /// How many times the request is sent to the same app (a second time answers from the
    /// verifier's cache); every answer must meet `expect`.
    pub times: usize,
    /// The answer.
    pub expect: Expect,
}

/// The issuers the cases are built from.
#[derive(Debug)]
pub struct Issuers {
    /// The issuer of every token and of the pool of most setups.
    pub served: LocalIssuer,
    /// An issuer whose JWKS endpoint answers 500.
    pub unavailable: LocalIssuer,
    /// A load balancer, for the rows of that door.
    pub alb: LocalAlb,
}

impl Issuers {
    /// Starts both issuers.
    ///
    /// # Panics
    /// When an issuer cannot start.
    #[must_use]
    pub fn start() -> Issuers {
        let unavailable = LocalIssuer::start().expect("starting an issuer");
        unavailable.set_jwks_behaviour(JwksBehaviour::Status(500));
        Issuers {
            served: LocalIssuer::start().expect("starting an issuer"),
            unavailable,
            alb: LocalAlb::start().expect("starting a load balancer"),
        }
    }
}

/// A framework's way to build the app of a [`Setup`] and send it a [`Req`].
#[allow(async_fn_in_trait)]
pub trait Driver {
    /// The answers of the app for `case.setup` (verifying with `verifier`) to `case.req`, sent
    /// `case.times` times to the same app.
    async fn answers(&self, case: &Case, verifier: Verifier) -> Vec<Answer>;
}

/// Runs every case through `driver`, and returns how many rows there are.
///
/// # Panics
/// When any answer differs from its row, with every differing row and field.
pub async fn check<D: Driver>(driver: &D, issuers: &Issuers) -> usize {
    let cases = cases(issuers);
    let mut report = String::new();
    for case in &cases {
        let verifier = case.setup.verifier(issuers);
        let answers = driver.answers(case, verifier).await;
        assert_eq!(answers.len(), case.times, "{}: answers", case.name);
        for (round, answer) in answers.iter().enumerate() {
            let differences = answer.differences(&case.expect);
            if !differences.is_empty() {
                let _ = writeln!(report, "{} (request {}):", case.name, round + 1);
                for line in differences {
                    let _ = writeln!(report, "    {line}");
                }
            }
        }
    }
    assert!(report.is_empty(), "rows answered otherwise:\n{report}");
    cases.len()
}
