//! The JSON 1.1 wire calls both emulators answer, and what their answers are made of.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::Emulator;

/// The `X-Amz-Target` prefix of user-pool operations.
pub(crate) const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The `X-Amz-Target` prefix of identity-pool operations (`GetId`, `GetCredentialsForIdentity`…).
pub const IDENTITY_TARGET_PREFIX: &str = "AWSCognitoIdentityService.";
/// Both emulators want this content type (moto answers 500 without it).
const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// An error answer from an emulator (or no answer at all).
pub(crate) struct Failure {
    url: String,
    status: Option<u16>,
    pub(crate) body: String,
}

impl Failure {
    pub(crate) fn panic(self, e: Emulator, op: &str) -> ! {
        match self.status {
            Some(status) => panic!(
                "{e} {op} failed: HTTP {status} from {}: {}",
                self.url, self.body
            ),
            None => panic!(
                "{e} {op} failed: {} (is the emulator running at {}? run ./scripts/test.sh)",
                self.body, self.url
            ),
        }
    }
}

pub(crate) async fn try_call(
    http: &reqwest::Client,
    url: &str,
    target_prefix: &str,
    op: &str,
    body: &Value,
) -> Result<Value, Failure> {
    let endpoint = format!("{url}/");
    let failure = |status: Option<u16>, body: String| Failure {
        url: endpoint.clone(),
        status,
        body,
    };
    let resp = http
        .post(&endpoint)
        .header("Content-Type", AMZ_JSON)
        .header("X-Amz-Target", format!("{target_prefix}{op}"))
        .body(body.to_string())
        .send()
        .await
        .map_err(|err| failure(None, error_chain(&err)))?;
    let status = resp.status();
    // The response content type is not checked: moto says text/html.
    let text = resp
        .text()
        .await
        .map_err(|err| failure(Some(status.as_u16()), format!("reading the body: {err}")))?;
    if !status.is_success() {
        return Err(failure(Some(status.as_u16()), text));
    }
    if text.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(&text).map_err(|err| {
        failure(
            Some(status.as_u16()),
            format!("response is not JSON ({err}): {text}"),
        )
    })
}

/// An error with its sources: reqwest's own message leaves out the cause ("connection refused").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

pub(crate) fn string_at(resp: &Value, pointer: &str, op: &str) -> String {
    resp.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{op}: no string at {pointer} in the response: {resp}"))
        .to_owned()
}

/// A name no other pool of this or a parallel test run has.
pub(crate) fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}-{}-{n}-{nanos:08x}", std::process::id())
}
