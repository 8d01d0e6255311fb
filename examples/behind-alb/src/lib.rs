//! An API behind an Application Load Balancer whose listener rule signs users in with Cognito
//! (`authenticate-cognito`): the load balancer forwards who the user is, and the API verifies
//! it before it trusts a word of it.
//!
//! - `/`: public;
//! - `/me`: any signed-in user, answers with the user info the load balancer forwarded;
//! - `/admin`: members of the group `admin` only (groups come from the forwarded access token).
//!
//! With no configuration, [`Demo`] starts a local load balancer and a local user pool and mints
//! the headers to try the routes with; [`Config::from_env`] reads the real load balancer.

use std::time::Duration;

use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use cognito_axum::prelude::*;
use cognito_core::alb::{Alb, AlbVerifier};
use cognito_core::test_util::{LocalAlb, LocalIssuer};
use cognito_core::{ConfigError, Require, TokenUse};

/// The API, trusting what `alb` verifies.
pub fn app(alb: AlbVerifier) -> Router {
    Router::new()
        .route("/", get(public))
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(require(Require::group("admin"))),
        )
        .layer(CognitoAuth::alb(alb).optional())
}

async fn public() -> &'static str {
    "hello: this route is public; /me and /admin need the load balancer's sign-in\n"
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

/// The real load balancer, from the environment.
#[derive(Debug)]
pub struct Config {
    /// `ALB_REGION`.
    pub region: String,
    /// `ALB_ARNS`: the load balancers allowed to sign, comma-separated.
    pub arns: Vec<String>,
    /// `ALB_CLIENT_ID`: the app client the load balancer signs users in to.
    pub client_id: String,
    /// `ALB_ISSUER`: the user pool's issuer.
    pub issuer: String,
    /// `COGNITO_USER_POOL_ID`: to verify the forwarded access token too (and read groups).
    pub pool_id: Option<String>,
}

impl Config {
    /// Reads the load balancer from `ALB_REGION`, `ALB_ARNS`, `ALB_CLIENT_ID`, `ALB_ISSUER`
    /// (and optionally `COGNITO_USER_POOL_ID`); `None` when `ALB_REGION` is not set.
    #[must_use]
    pub fn from_env() -> Option<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Some(Config {
            region: var("ALB_REGION")?,
            arns: var("ALB_ARNS")
                .unwrap_or_default()
                .split(',')
                .map(|arn| arn.trim().to_owned())
                .filter(|arn| !arn.is_empty())
                .collect(),
            client_id: var("ALB_CLIENT_ID").unwrap_or_default(),
            issuer: var("ALB_ISSUER").unwrap_or_default(),
            pool_id: var("COGNITO_USER_POOL_ID"),
        })
    }

    /// The verifier for this load balancer.
    ///
    /// # Errors
    /// A setting that cannot work, named.
    pub fn verifier(&self) -> Result<AlbVerifier, ConfigError> {
        let mut alb = Alb::new(&self.region)?;
        for arn in &self.arns {
            alb = alb.signer(arn)?;
        }
        alb = alb.client_id(&self.client_id)?.issuer(&self.issuer)?;
        if let Some(pool_id) = &self.pool_id {
            let pool = UserPool::new(pool_id)?
                .client_id(&self.client_id)?
                .token_use(TokenUse::Access);
            alb = alb.access_token(pool);
        }
        alb.build()
    }
}

/// A local load balancer and user pool, and the headers of two users.
pub struct Demo {
    /// The load balancer; the API trusts it.
    pub alb: LocalAlb,
    /// The user pool whose access tokens carry the groups.
    pub pool: LocalIssuer,
    /// Alice, in the group `admin`: (`x-amzn-oidc-data`, `x-amzn-oidc-accesstoken`).
    pub alice: (String, String),
    /// Bob, in no group.
    pub bob: (String, String),
}

impl Demo {
    /// Starts the local load balancer and user pool and signs the users in (for one hour).
    ///
    /// # Errors
    /// When either cannot start (no loopback port, key generation failed).
    pub fn start() -> std::io::Result<Self> {
        let alb = LocalAlb::start()?;
        let pool = LocalIssuer::start()?;
        let hour = Duration::from_secs(3600);
        let user = |name: &str, groups: &[&str]| {
            let data = alb
                .token()
                .sub(format!("{name}-sub"))
                .claim("email", format!("{name}@example.com"))
                .lifetime(hour)
                .sign();
            let access = pool
                .access_token()
                .username(name)
                .sub(format!("{name}-sub"))
                .groups(groups.iter().copied())
                .lifetime(hour)
                .sign();
            (data, access)
        };
        let alice = user("alice", &["admin"]);
        let bob = user("bob", &[]);
        Ok(Demo {
            alb,
            pool,
            alice,
            bob,
        })
    }

    /// A verifier trusting the local load balancer, with the local pool's access tokens.
    ///
    /// # Errors
    /// Never for the local load balancer; the type is the builder's.
    pub fn verifier(&self) -> Result<AlbVerifier, ConfigError> {
        self.alb
            .alb()?
            .access_token(self.pool.user_pool().token_use(TokenUse::Access))
            .build()
    }

    /// The shell lines to try the API at `base_url` with.
    #[must_use]
    pub fn instructions(&self, base_url: &str) -> String {
        let headers = |(data, access): &(String, String)| {
            format!("-H \"x-amzn-oidc-data: {data}\" -H \"x-amzn-oidc-accesstoken: {access}\"")
        };
        [
            format!("curl -i {base_url}/\n#   public: 200"),
            format!("curl -i {base_url}/me\n#   not signed in: 401"),
            format!(
                "curl -i {} {base_url}/me\n#   alice's user info: 200",
                headers(&self.alice)
            ),
            format!(
                "curl -i {} {base_url}/admin\n#   alice is an admin: 200",
                headers(&self.alice)
            ),
            format!(
                "curl -i {} {base_url}/admin\n#   bob is not: 403",
                headers(&self.bob)
            ),
        ]
        .join("\n")
    }
}
