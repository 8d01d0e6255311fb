//! An axum API whose handlers call S3 *as the signed-in user*, with temporary AWS credentials
//! from a Cognito identity pool.
//!
//! Every route sits behind [`CognitoAuth`] (the user pool's tokens) and an
//! [`IdentityPoolLayer`] (the identity pool). A handler that takes [`AwsCredentials`] gets the
//! caller's credentials (exchanged once per identity and cached until shortly before they
//! expire) and builds an S3 client from them. Each user's notes are S3 objects under the prefix
//! `{identity_id}/`: the identity id is what IAM's policy variable
//! `${cognito-identity.amazonaws.com:sub}` stands for, so the identity pool's role can confine
//! each user to their own prefix:
//!
//! ```json
//! {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
//!  "Resource": "arn:aws:s3:::notes/${cognito-identity.amazonaws.com:sub}/*"}
//! ```
//!
//! Routes:
//!
//! - `GET /whoami`: the caller's identity id and when their credentials expire;
//! - `PUT /notes/{name}`: stores the request body as the note `name`;
//! - `GET /notes`: the names of the caller's notes;
//! - `GET /notes/{name}`: one note.
//!
//! [`Settings::from_env`] reads the pools and the bucket; [`setup::seed_moto`] creates them all
//! on a moto server (PyPI `moto`), which serves Cognito, the identity pool and S3 on one port.

use std::sync::Arc;
use std::time::SystemTime;

use aws_sdk_s3::config::{BehaviorVersion, Region};
use aws_sdk_s3::error::DisplayErrorContext;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_core::ConfigError;
use serde_json::json;

pub mod setup;

/// Where the API finds its user pool, identity pool and bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `COGNITO_USER_POOL_ID`: the user pool whose tokens the API accepts.
    pub user_pool_id: String,
    /// `COGNITO_CLIENT_ID`: the app client the tokens must be issued to.
    pub client_id: String,
    /// `COGNITO_IDENTITY_POOL_ID`: the identity pool (`{region}:{uuid}`) that turns the tokens
    /// into AWS credentials. Its region is the region of S3 calls too.
    pub identity_pool_id: String,
    /// `AWS_ENDPOINT_URL`: one endpoint for the identity pool and S3 (an emulator such as moto
    /// server); `None` for AWS itself.
    pub endpoint_url: Option<String>,
    /// `COGNITO_JWKS_URL`: where the user pool's keys are. Default: from the issuer on AWS,
    /// `{AWS_ENDPOINT_URL}/{user_pool_id}/.well-known/jwks.json` with an endpoint (moto's).
    pub jwks_url: Option<String>,
    /// `NOTES_BUCKET`: the bucket holding the notes. Default: `notes`.
    pub bucket: String,
}

/// The bucket used when `NOTES_BUCKET` is unset.
pub const DEFAULT_BUCKET: &str = "notes";

impl Settings {
    /// Reads the settings from the environment variables named on the fields; `Ok(None)` when
    /// `COGNITO_IDENTITY_POOL_ID` is unset.
    ///
    /// # Errors
    /// When the identity pool is set but `COGNITO_USER_POOL_ID` or `COGNITO_CLIENT_ID` is not.
    pub fn from_env() -> Result<Option<Settings>, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(identity_pool_id) = var("COGNITO_IDENTITY_POOL_ID") else {
            return Ok(None);
        };
        let required = |name: &str| {
            var(name).ok_or_else(|| format!("{name} must be set with COGNITO_IDENTITY_POOL_ID"))
        };
        Ok(Some(Settings {
            user_pool_id: required("COGNITO_USER_POOL_ID")?,
            client_id: required("COGNITO_CLIENT_ID")?,
            identity_pool_id,
            endpoint_url: var("AWS_ENDPOINT_URL").map(|url| url.trim_end_matches('/').to_owned()),
            jwks_url: var("COGNITO_JWKS_URL"),
            bucket: var("NOTES_BUCKET").unwrap_or_else(|| DEFAULT_BUCKET.to_owned()),
        }))
    }

    /// The region of the identity pool (the part of its id before `:`).
    #[must_use]
    pub fn region(&self) -> &str {
        self.identity_pool_id
            .split_once(':')
            .map_or("us-east-1", |(region, _)| region)
    }

    /// The JWKS URL in use: [`jwks_url`](Settings::jwks_url), else the endpoint's (moto's
    /// layout), else `None` (the issuer's own, on AWS).
    #[must_use]
    pub fn effective_jwks_url(&self) -> Option<String> {
        self.jwks_url.clone().or_else(|| {
            self.endpoint_url
                .as_ref()
                .map(|url| format!("{url}/{}/.well-known/jwks.json", self.user_pool_id))
        })
    }

    /// The lines that set these settings in a POSIX shell.
    #[must_use]
    pub fn exports(&self) -> String {
        let mut lines = vec![
            format!("export COGNITO_USER_POOL_ID={}", self.user_pool_id),
            format!("export COGNITO_CLIENT_ID={}", self.client_id),
            format!("export COGNITO_IDENTITY_POOL_ID={}", self.identity_pool_id),
        ];
        if let Some(url) = &self.endpoint_url {
            lines.push(format!("export AWS_ENDPOINT_URL={url}"));
        }
        if let Some(url) = &self.jwks_url {
            lines.push(format!("export COGNITO_JWKS_URL={url}"));
        }
        lines.push(format!("export NOTES_BUCKET={}", self.bucket));
        lines.join("\n")
    }
}

/// The API for `settings`: the routes, behind `IdentityPoolLayer` inside `CognitoAuth`.
///
/// # Errors
/// When a pool id, the client id or a URL is malformed.
pub fn app(settings: &Settings) -> Result<Router, ConfigError> {
    // Identity pools exchange ID tokens; the routes take access tokens too (with the ID token
    // from a second header), so both uses are accepted.
    let mut pool = UserPool::new(&settings.user_pool_id)?
        .client_id(&settings.client_id)?
        .any_token_use();
    if let Some(url) = settings.effective_jwks_url() {
        pool = pool.jwks_url(&url)?;
    }
    let mut identity_pool = IdentityPool::new(&settings.identity_pool_id)?;
    if let Some(url) = &settings.endpoint_url {
        identity_pool = identity_pool.endpoint(url)?;
    }
    let exchange = identity_pool.build();

    let mut s3 = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(settings.region().to_owned()));
    if let Some(url) = &settings.endpoint_url {
        // Emulators serve buckets as paths, not as host names.
        s3 = s3.endpoint_url(url).force_path_style(true);
    }
    let notes = Notes {
        s3: s3.build(),
        bucket: Arc::from(settings.bucket.as_str()),
    };

    // axum runs the last `.layer` first: CognitoAuth verifies the token, then the identity
    // layer makes the caller's credentials available to the handlers.
    Ok(Router::new()
        .route("/whoami", get(whoami))
        .route("/notes", get(list_notes))
        .route("/notes/{name}", get(read_note).put(write_note))
        .with_state(notes)
        .layer(IdentityPoolLayer::new(exchange))
        .layer(CognitoAuth::new(pool)))
}

/// The S3 settings shared by every request; each request adds its caller's credentials.
#[derive(Clone)]
struct Notes {
    s3: aws_sdk_s3::Config,
    bucket: Arc<str>,
}

impl Notes {
    /// An S3 client acting as the caller: every call is signed with their credentials.
    fn client(&self, credentials: AwsCredentials) -> aws_sdk_s3::Client {
        let config = self
            .s3
            .to_builder()
            .credentials_provider(credentials.into_inner())
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

/// The object key of a note: under the caller's identity id, the
/// `${cognito-identity.amazonaws.com:sub}` of the role's policy.
fn key(credentials: &AwsCredentials, name: &str) -> String {
    format!("{}/{name}", credentials.identity_id())
}

/// Note names are one path segment of letters, digits, `.`, `_` and `-`, not `.` or `..`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn bad_name() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "a note name is 1 to 100 letters, digits, '.', '_' or '-'\n",
    )
        .into_response()
}

fn s3_failed(operation: &str, error: &dyn std::error::Error) -> Response {
    eprintln!("S3 {operation} failed: {}", DisplayErrorContext(error));
    (StatusCode::BAD_GATEWAY, format!("S3 {operation} failed\n")).into_response()
}

async fn whoami(credentials: AwsCredentials) -> Json<serde_json::Value> {
    let expires_in = credentials
        .expiration()
        .duration_since(SystemTime::now())
        .map_or(0, |left| left.as_secs());
    Json(json!({
        "identity_id": credentials.identity_id(),
        "access_key_id": credentials.access_key_id(),
        "expires_in_seconds": expires_in,
    }))
}

async fn write_note(
    State(notes): State<Notes>,
    Path(name): Path<String>,
    credentials: AwsCredentials,
    body: String,
) -> Response {
    if !valid_name(&name) {
        return bad_name();
    }
    let key = key(&credentials, &name);
    let result = notes
        .client(credentials)
        .put_object()
        .bucket(&*notes.bucket)
        .key(&key)
        .content_type("text/plain; charset=utf-8")
        .body(body.into_bytes().into())
        .send()
        .await;
    match result {
        Ok(_) => (StatusCode::CREATED, format!("stored {key}\n")).into_response(),
        Err(e) => s3_failed("PutObject", &e),
    }
}

async fn list_notes(State(notes): State<Notes>, credentials: AwsCredentials) -> Response {
    let prefix = key(&credentials, "");
    let mut pages = notes
        .client(credentials)
        .list_objects_v2()
        .bucket(&*notes.bucket)
        .prefix(&prefix)
        .into_paginator()
        .send();
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => names.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key()?.strip_prefix(&prefix))
                    .map(str::to_owned),
            ),
            Err(e) => return s3_failed("ListObjectsV2", &e),
        }
    }
    Json(json!({ "notes": names })).into_response()
}

async fn read_note(
    State(notes): State<Notes>,
    Path(name): Path<String>,
    credentials: AwsCredentials,
) -> Response {
    if !valid_name(&name) {
        return bad_name();
    }
    let key = key(&credentials, &name);
    let result = notes
        .client(credentials)
        .get_object()
        .bucket(&*notes.bucket)
        .key(&key)
        .send()
        .await;
    let object = match result {
        Ok(object) => object,
        Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
            return (StatusCode::NOT_FOUND, "no such note\n").into_response();
        }
        Err(e) => return s3_failed("GetObject", &e),
    };
    match object.body.collect().await {
        Ok(bytes) => String::from_utf8_lossy(&bytes.into_bytes())
            .into_owned()
            .into_response(),
        Err(e) => s3_failed("GetObject", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_names_are_one_safe_segment() {
        for good in ["a", "todo.txt", "2024-01_plan", &"x".repeat(100)] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "ü", &"x".repeat(101)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_jwks_url_follows_the_endpoint_unless_set() {
        let mut settings = Settings {
            user_pool_id: "us-east-1_abc".into(),
            client_id: "client".into(),
            identity_pool_id: "eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678".into(),
            endpoint_url: None,
            jwks_url: None,
            bucket: DEFAULT_BUCKET.into(),
        };
        assert_eq!(settings.region(), "eu-west-1");
        assert_eq!(settings.effective_jwks_url(), None);
        settings.endpoint_url = Some("http://127.0.0.1:5000".into());
        assert_eq!(
            settings.effective_jwks_url().as_deref(),
            Some("http://127.0.0.1:5000/us-east-1_abc/.well-known/jwks.json")
        );
        settings.jwks_url = Some("http://127.0.0.1:9/jwks.json".into());
        assert_eq!(
            settings.effective_jwks_url().as_deref(),
            Some("http://127.0.0.1:9/jwks.json")
        );
        assert!(app(&settings).is_ok());
    }
}
