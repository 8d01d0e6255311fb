//! The rows, one file per group: the status table of DESIGN §5, token sources and optional
//! auth, rules, and rendering. Each row reads as the sentence a test name would say; the
//! helpers here write the common answers.

mod alb;
mod rendering;
mod rules;
mod sources;
mod status;

use cognito_core::Require;

use super::{Case, Expect, Issuers, Req, Setup, Source, Text};

const BARE: &str = "Bearer realm=\"api\"";
const INVALID_REQUEST: &str = "Bearer realm=\"api\", error=\"invalid_request\", \
     error_description=\"the request's credentials are malformed\"";

fn is(text: impl Into<String>) -> Text {
    Text::Is(text.into())
}

fn contains<const N: usize>(parts: [&str; N]) -> Text {
    Text::Contains(parts.iter().map(|p| (*p).to_owned()).collect())
}

/// 200 with this body.
fn ok(body: impl Into<String>) -> Expect {
    Expect {
        status: 200,
        challenge: Text::Absent,
        body: is(body),
        headers: vec![("cache-control", None)],
    }
}

/// A refusal with this status and challenge, any body.
fn refused(status: u16, challenge: Text) -> Expect {
    Expect {
        status,
        challenge,
        body: contains([]),
        headers: Vec::new(),
    }
}

fn invalid_token(description: &str) -> Expect {
    refused(
        401,
        is(format!(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{description}\""
        )),
    )
}

fn insufficient(description: &str) -> Expect {
    refused(
        403,
        is(format!(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"{description}\""
        )),
    )
}

fn case(name: &'static str, setup: Setup, req: Req, expect: Expect) -> Case {
    Case {
        name,
        setup,
        req,
        times: 1,
        expect,
    }
}

fn plain() -> Setup {
    Setup::default()
}

fn route(rule: Require) -> Setup {
    Setup {
        route_rule: Some(rule),
        ..Setup::default()
    }
}

fn optional() -> Setup {
    Setup {
        optional: true,
        ..Setup::default()
    }
}

fn source(source: Source) -> Setup {
    Setup {
        source,
        ..Setup::default()
    }
}

/// Every row, its tokens minted by `issuers.served`.
#[must_use]
pub fn cases(issuers: &Issuers) -> Vec<Case> {
    let mut rows = status::status(issuers);
    rows.extend(sources::sources(issuers));
    rows.extend(rules::rules(issuers));
    rows.extend(rendering::rendering(issuers));
    rows.extend(alb::alb(issuers));
    rows
}
