//! The quickstart API: four routes behind Cognito authentication.
//!
//! - `/`: public;
//! - `/me`: any signed-in user, answers with the token's claims;
//! - `/admin`: members of the group `admin` only;
//! - `/reports`: access tokens with the scope `reports/read` only.
//!
//! With no configuration, [`Demo`] starts the embedded local issuer and mints tokens to try the
//! routes with; [`Config::from_env`] reads a real (or emulated) user pool instead.

use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{ConfigError, Require, TokenUse};

/// The API, protected by `verifier`.
pub fn app(verifier: Verifier) -> Router {
    Router::new()
        .route("/", get(public))
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(require(Require::group("admin"))),
        )
        .route(
            "/reports",
            get(reports).route_layer(require(
                Require::token_use(TokenUse::Access).and(Require::scope("reports/read")),
            )),
        )
        .layer(CognitoAuth::new(verifier).optional())
}

async fn public() -> &'static str {
    "hello: this route is public; /me, /admin and /reports need a token\n"
}

async fn me(claims: Claims) -> impl IntoResponse {
    Json(claims.into_inner())
}

async fn admin(claims: Claims) -> String {
    format!(
        "welcome to the admin area, {}\n",
        claims.username().unwrap_or(claims.sub())
    )
}

async fn reports(claims: Claims) -> String {
    format!(
        "reports for {}: 3 ready\n",
        claims.username().unwrap_or(claims.sub())
    )
}

/// A real (or emulated) user pool, from the environment.
#[derive(Debug)]
pub struct Config {
    /// `COGNITO_USER_POOL_ID`.
    pub pool_id: String,
    /// `COGNITO_CLIENT_ID`.
    pub client_id: String,
    /// `COGNITO_JWKS_URL`, for emulators.
    pub jwks_url: Option<String>,
    /// `COGNITO_ISSUER`, for emulators whose `iss` is not the AWS form.
    pub issuer: Option<String>,
}

impl Config {
    /// Reads the pool from `COGNITO_USER_POOL_ID` and `COGNITO_CLIENT_ID` (and optionally
    /// `COGNITO_JWKS_URL`, `COGNITO_ISSUER`); `None` when the pool id is not set.
    #[must_use]
    pub fn from_env() -> Option<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Some(Config {
            pool_id: var("COGNITO_USER_POOL_ID")?,
            client_id: var("COGNITO_CLIENT_ID").unwrap_or_default(),
            jwks_url: var("COGNITO_JWKS_URL"),
            issuer: var("COGNITO_ISSUER"),
        })
    }

    /// The verifier for this pool.
    ///
    /// # Errors
    /// A setting that cannot work, named.
    pub fn verifier(&self) -> Result<Verifier, ConfigError> {
        // `/me` reads ID tokens, `/reports` access tokens: both are accepted, and the route
        // that needs an access token says so with a rule.
        let mut pool = UserPool::new(&self.pool_id)?
            .client_id(&self.client_id)?
            .any_token_use();
        if let Some(issuer) = &self.issuer {
            pool = pool.issuer(issuer)?;
        }
        if let Some(url) = &self.jwks_url {
            pool = pool.jwks_url(url)?;
        }
        Ok(Verifier::from(pool))
    }
}

/// The verifier the quickstart protects its API with: the pool of [`Config::from_env`], or,
/// without one, the embedded demo issuer (returned with it: its endpoint serves the keys, so it
/// must live as long as the server).
///
/// # Errors
/// The message to print and the process exit code: 2 for a configuration error, 1 when the
/// demo issuer cannot start.
pub fn verifier_from_env() -> Result<(Verifier, Option<Demo>), (String, u8)> {
    match Config::from_env() {
        Some(config) => match config.verifier() {
            Ok(verifier) => {
                println!("protecting the API with user pool {}", config.pool_id);
                Ok((verifier, None))
            }
            Err(e) => Err((format!("configuration error: {e}"), 2)),
        },
        None => match Demo::start() {
            Ok(demo) => Ok((demo.verifier(), Some(demo))),
            Err(e) => Err((format!("cannot start the local issuer: {e}"), 1)),
        },
    }
}

/// One request to try, with what it answers.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    /// What it shows.
    pub what: &'static str,
    /// The path.
    pub path: &'static str,
    /// The shell variable holding the token, if any.
    pub token_var: Option<&'static str>,
    /// The expected status.
    pub status: u16,
    /// Text the body contains.
    pub body_contains: &'static str,
}

/// The embedded local issuer and tokens for three users.
pub struct Demo {
    /// The issuer; the API trusts it.
    pub issuer: LocalIssuer,
    /// `ADMIN_TOKEN`: an ID token of `alice`, in the group `admin`.
    pub admin_token: String,
    /// `USER_TOKEN`: an ID token of `bob`, in no group.
    pub user_token: String,
    /// `READER_TOKEN`: an access token of `bob` with the scope `reports/read`.
    pub reader_token: String,
}

impl Demo {
    /// Starts the local issuer and mints the tokens (valid for one hour).
    ///
    /// # Errors
    /// When the issuer cannot start (no loopback port, key generation failed).
    pub fn start() -> std::io::Result<Self> {
        let issuer = LocalIssuer::start()?;
        let admin_token = issuer
            .id_token()
            .username("alice")
            .groups(["admin"])
            .email("alice@example.com")
            .sign();
        let user_token = issuer.id_token().username("bob").sign();
        let reader_token = issuer
            .access_token()
            .username("bob")
            .scopes(["reports/read"])
            .sign();
        Ok(Demo {
            issuer,
            admin_token,
            user_token,
            reader_token,
        })
    }

    /// A verifier trusting the local issuer.
    #[must_use]
    pub fn verifier(&self) -> Verifier {
        Verifier::from(self.issuer.user_pool())
    }

    /// The token a shell variable of [`DemoRequest::token_var`] holds.
    #[must_use]
    pub fn token(&self, var: &str) -> Option<&str> {
        match var {
            "ADMIN_TOKEN" => Some(&self.admin_token),
            "USER_TOKEN" => Some(&self.user_token),
            "READER_TOKEN" => Some(&self.reader_token),
            _ => None,
        }
    }

    /// The requests the quickstart prints, with their answers.
    #[must_use]
    pub fn requests() -> Vec<DemoRequest> {
        let r = |what, path, token_var, status, body_contains| DemoRequest {
            what,
            path,
            token_var,
            status,
            body_contains,
        };
        vec![
            r("a public route", "/", None, 200, "public"),
            r("no token", "/me", None, 401, "no bearer token"),
            r(
                "alice's claims",
                "/me",
                Some("ADMIN_TOKEN"),
                200,
                "\"cognito:username\":\"alice\"",
            ),
            r(
                "alice is an admin",
                "/admin",
                Some("ADMIN_TOKEN"),
                200,
                "welcome to the admin area, alice",
            ),
            r(
                "bob is not",
                "/admin",
                Some("USER_TOKEN"),
                403,
                "requires group admin",
            ),
            r(
                "an ID token is the wrong kind of token",
                "/reports",
                Some("USER_TOKEN"),
                401,
                "requires access token",
            ),
            r(
                "bob's access token has reports/read",
                "/reports",
                Some("READER_TOKEN"),
                200,
                "reports for bob",
            ),
        ]
    }

    /// The shell lines the quickstart prints for a server at `base_url`.
    #[must_use]
    pub fn instructions(&self, base_url: &str) -> String {
        let mut out = String::new();
        out.push_str("# tokens from the embedded local issuer (valid for one hour):\n");
        for var in ["ADMIN_TOKEN", "USER_TOKEN", "READER_TOKEN"] {
            let token = self.token(var).unwrap_or_default();
            out.push_str(&format!("export {var}={token}\n"));
        }
        out.push('\n');
        for request in Self::requests() {
            let auth = request
                .token_var
                .map(|var| format!(" -H \"Authorization: Bearer ${var}\""))
                .unwrap_or_default();
            out.push_str(&format!(
                "curl -i{auth} {base_url}{}\n#   {}: {} and a body containing {:?}\n",
                request.path, request.what, request.status, request.body_contains
            ));
        }
        out
    }
}
