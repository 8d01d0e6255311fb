//! What the library logs about identity-pool exchanges: never a secret key, a session token or
//! an ID token, whatever the identity pool answers.
//!
//! A subscriber installed for the whole test binary records every span and event of the
//! library's own targets (`cognito_core`, `cognito_tower`, `cognito_axum`, `cognito_actix`) at
//! every level, with all their fields, while an axum API (`CognitoAuth` outside
//! `IdentityPoolLayer`) exchanges the test kit's ID tokens with a fake identity endpoint that
//! answers with faults carrying those secrets. The AWS SDK's own targets are not recorded: at
//! TRACE they log the answers, secrets included (see SECURITY.md).

use std::error::Error;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_core::test_util::LocalIssuer;
use cognito_integration_tests::{AxumServer, IdentityAnswer, IdentityEndpoint, http_client};
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

type TestResult<T = ()> = Result<T, Box<dyn Error>>;

const POOL: &str = "eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678";
const GET_ID: &str = "GetId";
const GET_CREDENTIALS: &str = "GetCredentialsForIdentity";
const FAILED: &str = "identity-pool call failed";

/// The secrets the faulty answers below carry (each of them spelled out in full).
const SECRET_KEY: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEYLEAK";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjSESSIONTOKENLEAK";

/// HTTP 200 with credentials the SDK cannot read: `Expiration` is not a number.
const UNREADABLE_CREDENTIALS: &str = r#"{"IdentityId": "eu-west-1:00000000-0000-4000-8000-000000000001", "Credentials": {"AccessKeyId": "ASIAUNREADABLE", "SecretKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEYLEAK", "SessionToken": "IQoJb3JpZ2luX2VjSESSIONTOKENLEAK", "Expiration": "tomorrow"}}"#;
/// HTTP 200 whose credentials lack their expiry.
const CREDENTIALS_WITHOUT_EXPIRY: &str = r#"{"IdentityId": "eu-west-1:00000000-0000-4000-8000-000000000001", "Credentials": {"AccessKeyId": "ASIANOEXPIRY", "SecretKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEYLEAK", "SessionToken": "IQoJb3JpZ2luX2VjSESSIONTOKENLEAK"}}"#;
/// A 500 page that quotes the secrets.
const SERVER_ERROR_PAGE: &str = "<html>Internal Server Error: SecretKey=wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEYLEAK SessionToken=IQoJb3JpZ2luX2VjSESSIONTOKENLEAK</html>";

// ---- the recording subscriber -----------------------------------------------------------------

/// One span or event of a library target, as text: level, target, name and every field.
#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    text: String,
}

/// Records every span and event of the library's targets, at every level.
struct Recorder {
    records: Arc<Mutex<Vec<Captured>>>,
    next_span: AtomicU64,
}

fn is_library(target: &str) -> bool {
    [
        "cognito_core",
        "cognito_tower",
        "cognito_axum",
        "cognito_actix",
    ]
    .iter()
    .any(|crate_name| {
        target == *crate_name
            || target
                .strip_prefix(crate_name)
                .is_some_and(|rest| rest.starts_with("::"))
    })
}

/// Writes each field as `name=value`, error sources included.
struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        let _ = write!(self.0, " {}={value} ({value:?})", field.name());
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(self.0, ": {cause} ({cause:?})");
            source = cause.source();
        }
    }
}

impl Recorder {
    fn push(&self, metadata: &Metadata<'_>, record: impl FnOnce(&mut Fields<'_>)) {
        let mut text = format!(
            "{} {} {}:",
            metadata.level(),
            metadata.target(),
            metadata.name()
        );
        record(&mut Fields(&mut text));
        lock(&self.records).push(Captured {
            level: *metadata.level(),
            text,
        });
    }
}

impl Subscriber for Recorder {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_library(metadata.target()) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        is_library(metadata.target())
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.push(span.metadata(), |fields| span.record(fields));
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _span: &Id, values: &Record<'_>) {
        let mut text = String::from("span values:");
        values.record(&mut Fields(&mut text));
        lock(&self.records).push(Captured {
            level: Level::TRACE,
            text,
        });
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.push(event.metadata(), |fields| event.record(fields));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The records of the whole binary, on every thread (the exchange, the app's tasks and the test
/// kit's JWKS server alike). Installs the recorder on first use.
fn records() -> Arc<Mutex<Vec<Captured>>> {
    static RECORDS: OnceLock<Arc<Mutex<Vec<Captured>>>> = OnceLock::new();
    Arc::clone(RECORDS.get_or_init(|| {
        let records = Arc::new(Mutex::new(Vec::new()));
        tracing::subscriber::set_global_default(Recorder {
            records: Arc::clone(&records),
            next_span: AtomicU64::new(1),
        })
        .expect("no other global subscriber in this test binary");
        records
    }))
}

// ---- the app ----------------------------------------------------------------------------------

/// The secrets of every credential set the handler was given.
#[derive(Clone, Default)]
struct Issued(Arc<Mutex<Vec<String>>>);

async fn credentials(State(issued): State<Issued>, credentials: AwsCredentials) -> Json<Value> {
    lock(&issued.0).extend([
        credentials.secret_access_key().to_owned(),
        credentials.session_token().to_owned(),
    ]);
    Json(json!({"access_key_id": credentials.access_key_id()}))
}

async fn app(issuer: &LocalIssuer, endpoint: &str, issued: &Issued) -> TestResult<AxumServer> {
    let exchange = IdentityPool::new(POOL)?
        .endpoint(endpoint)?
        .timeouts(Duration::from_millis(200), Duration::from_millis(500))
        .build();
    let router = Router::new()
        .route("/credentials", get(credentials))
        .with_state(issued.clone())
        .layer(IdentityPoolLayer::new(exchange))
        .layer(CognitoAuth::new(issuer.user_pool()));
    Ok(AxumServer::start(router).await)
}

async fn status(server: &AxumServer, token: &str) -> TestResult<u16> {
    let response = http_client()
        .get(format!("{}/credentials", server.base()))
        .bearer_auth(token)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

// ---- the test ---------------------------------------------------------------------------------

/// Faulty answers of either call, each carrying a secret key, a session token or the ID token
/// the call was made with, leave a WARN line naming the operation (and the error code when
/// there is one), and no record of any level carries any of those secrets; nor does a
/// successful exchange log the credentials it hands out.
#[tokio::test]
async fn faulty_exchanges_log_no_secret_session_token_or_id_token() -> TestResult {
    use IdentityAnswer::{Credentials, Raw, ServiceError, ServiceErrorQuotingLogins, Stall};
    let records = records();
    let issuer = LocalIssuer::start()?;
    let issued = Issued::default();
    let mut id_tokens = Vec::new();
    for body in [
        UNREADABLE_CREDENTIALS,
        CREDENTIALS_WITHOUT_EXPIRY,
        SERVER_ERROR_PAGE,
    ] {
        assert!(body.contains(SECRET_KEY) && body.contains(SESSION_TOKEN));
    }

    let cases = [
        (GET_CREDENTIALS, Raw(200, UNREADABLE_CREDENTIALS), 503, None),
        (
            GET_CREDENTIALS,
            Raw(200, CREDENTIALS_WITHOUT_EXPIRY),
            503,
            None,
        ),
        (
            GET_ID,
            ServiceErrorQuotingLogins(400, "NotAuthorizedException"),
            403,
            Some("NotAuthorizedException"),
        ),
        (
            GET_CREDENTIALS,
            ServiceErrorQuotingLogins(400, "NotAuthorizedException"),
            403,
            Some("NotAuthorizedException"),
        ),
        (
            GET_CREDENTIALS,
            ServiceErrorQuotingLogins(400, "InvalidIdentityPoolConfigurationException"),
            500,
            Some("InvalidIdentityPoolConfigurationException"),
        ),
        (
            GET_ID,
            ServiceErrorQuotingLogins(500, "InternalErrorException"),
            503,
            Some("InternalErrorException"),
        ),
        (
            GET_ID,
            ServiceError(400, "TooManyRequestsException"),
            503,
            Some("TooManyRequestsException"),
        ),
        (GET_ID, Raw(500, SERVER_ERROR_PAGE), 503, None),
        (GET_CREDENTIALS, Raw(500, SERVER_ERROR_PAGE), 503, None),
        (GET_CREDENTIALS, Stall(Duration::from_secs(2)), 503, None),
    ];
    for (operation, answer, expected, code) in cases {
        let case = format!("{answer:?} on {operation}");
        let fake = IdentityEndpoint::start(Credentials(Duration::from_secs(3600))).await;
        fake.answer(operation, answer);
        let server = app(&issuer, &fake.url, &issued).await?;
        let token = issuer.id_token().username("alice").sign();
        id_tokens.push(token.clone());

        let from = lock(&records).len();
        assert_eq!(status(&server, &token).await?, expected, "{case}");
        let warned = lock(&records)[from..].iter().any(|record| {
            record.level == Level::WARN
                && record.text.contains(FAILED)
                && record.text.contains(&format!("operation={operation}"))
                && code.is_none_or(|code| record.text.contains(&format!("code={code}")))
        });
        assert!(
            warned,
            "{case}: a WARN line names the operation and the code: {:#?}",
            &lock(&records)[from..]
        );
    }

    // Nothing listens on the endpoint: the call cannot be sent.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", closed.local_addr()?);
    drop(closed);
    let server = app(&issuer, &url, &issued).await?;
    let token = issuer.id_token().username("bob").sign();
    id_tokens.push(token.clone());
    let from = lock(&records).len();
    assert_eq!(status(&server, &token).await?, 503, "unreachable endpoint");
    assert!(
        lock(&records)[from..]
            .iter()
            .any(|record| record.level == Level::WARN && record.text.contains(FAILED)),
        "unreachable endpoint: a WARN line"
    );

    // A successful exchange, whose credentials must not be logged either.
    let fake = IdentityEndpoint::start(Credentials(Duration::from_secs(3600))).await;
    let server = app(&issuer, &fake.url, &issued).await?;
    let token = issuer.id_token().username("carol").sign();
    id_tokens.push(token.clone());
    assert_eq!(status(&server, &token).await?, 200, "well-formed answer");
    assert_eq!(
        lock(&issued.0).len(),
        2,
        "one credential set was handed out"
    );

    let mut secrets = vec![SECRET_KEY.to_owned(), SESSION_TOKEN.to_owned()];
    secrets.extend(lock(&issued.0).iter().cloned());
    let records = lock(&records);
    for record in records.iter() {
        for secret in &secrets {
            assert!(
                !record.text.contains(secret.as_str()),
                "a secret key or session token in the log: {record:?}"
            );
        }
        for token in &id_tokens {
            // Any of the three parts would be a leak; the signature is unique to the token.
            for part in token.split('.').filter(|part| part.len() >= 16) {
                assert!(
                    !record.text.contains(part),
                    "an ID token in the log: {record:?}"
                );
            }
        }
    }
    Ok(())
}
