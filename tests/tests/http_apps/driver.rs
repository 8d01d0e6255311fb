//! Runs the rows of `cases.rs` through a framework: seeds the emulator, serves the framework's
//! app once per [`App`] configuration, sends each row's request with `reqwest` and holds the
//! answer to the row.

use std::error::Error;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_core::{TokenUse, Verifier};
use cognito_integration_tests::{
    Emulator, EmulatorPool, PoolOptions, Tokens, decode_claims, edit_claims, emulator_url,
    http_client,
};
use serde_json::{Value, json};

use crate::cases::{
    ALICE, App, BOB, Bearer, CASES, Case, Client, EXPIRED, Expect, FRESH, Forgery, Holder,
    REFRESHED, SIGNIN_SCOPE,
};

pub(crate) type TestResult = Result<(), Box<dyn Error>>;

const PASSWORD: &str = "correct horse";
/// Token validity of the cognito-local pool whose tokens expire during the test: one second
/// would risk a token expiring before a loaded machine serves it.
const SHORT_VALIDITY_SECS: u32 = 3;

/// A web framework the table runs through: it serves its app, protected by a verifier, on
/// 127.0.0.1 on a free port.
pub(crate) trait Framework {
    /// Its name, for messages.
    const NAME: &'static str;
    /// Rows of its own, run after [`CASES`].
    const OWN_CASES: &'static [Case];
    /// Rows of its own, run after [`EXPIRED`].
    const OWN_EXPIRED: &'static [Case];
    type Server: Served;

    /// Serves the app, protected by `verifier`.
    fn serve(verifier: Verifier) -> impl Future<Output = Self::Server>;
}

/// An app being served.
pub(crate) trait Served {
    /// `http://127.0.0.1:{port}`.
    fn base(&self) -> &str;
    /// Stops serving, and waits until it has.
    fn stop(self) -> impl Future<Output = ()>;
}

/// Every row of [`CASES`] and the framework's own, against `e`'s tokens.
pub(crate) async fn answers_every_row<F: Framework>(e: Emulator) -> TestResult {
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, None).await;
    let second_client = pool.add_client("second-app").await;
    assert_ne!(second_client, pool.client_id);
    let other_pool = seeded_pool(e, &url, None).await;
    assert_ne!(other_pool.pool_id, pool.pool_id);

    let mut world = World::new(e, pool, second_client);
    let pool = &world.pool;
    let signed_in = [
        (
            Holder::Alice,
            pool.sign_in(&pool.client_id, ALICE, PASSWORD).await,
        ),
        (
            Holder::Bob,
            pool.sign_in(&pool.client_id, BOB, PASSWORD).await,
        ),
        (
            Holder::AliceOfSecondClient,
            pool.sign_in(&world.second_client, ALICE, PASSWORD).await,
        ),
        (
            Holder::AliceOfOtherPool,
            other_pool
                .sign_in(&other_pool.client_id, ALICE, PASSWORD)
                .await,
        ),
    ];
    world.tokens.extend(signed_in);

    let mut servers = Vec::new();
    for app in App::ALL {
        servers.push((app, F::serve(world.verifier(app)?).await));
    }
    let apps = Apps::<F>(servers);
    apps.answer(&world, CASES.iter().chain(F::OWN_CASES)).await;
    apps.stop().await;
    Ok(())
}

/// cognito-local alone (moto always issues 1-hour tokens): tokens that really expire are refused,
/// though cached, and a refreshed pair gets in again.
pub(crate) async fn refuses_expired_tokens<F: Framework>() -> TestResult {
    let e = Emulator::CognitoLocal;
    let Some(url) = emulator_url(e) else {
        return Ok(());
    };
    let pool = seeded_pool(e, &url, Some(SHORT_VALIDITY_SECS)).await;
    let mut world = World::new(e, pool, String::new());
    let verifier = world.verifier(App::Main)?;
    // Keys loaded before the sign-in, so the first requests follow it closely.
    verifier.hydrate().await?;
    let apps = Apps::<F>(vec![(App::Main, F::serve(verifier).await)]);
    let pool = &world.pool;
    let alice = pool.sign_in(&pool.client_id, ALICE, PASSWORD).await;
    world.tokens.push((Holder::Alice, alice.clone()));

    apps.answer(&world, FRESH).await;

    let mut latest_exp = 0;
    for token in [&alice.id_token, &alice.access_token] {
        let claims = decode_claims(token);
        let (Some(iat), Some(exp)) = (claims["iat"].as_u64(), claims["exp"].as_u64()) else {
            panic!("iat and exp are numbers: {claims}");
        };
        assert_eq!(exp - iat, u64::from(SHORT_VALIDITY_SECS));
        latest_exp = latest_exp.max(exp);
    }
    // Wait until a second past the expiry.
    let past_exp = UNIX_EPOCH + Duration::from_secs(latest_exp + 1);
    if let Ok(wait) = past_exp.duration_since(SystemTime::now()) {
        tokio::time::sleep(wait).await;
    }
    apps.answer(&world, EXPIRED.iter().chain(F::OWN_EXPIRED))
        .await;

    let refresh_token = alice
        .refresh_token
        .as_deref()
        .expect("the admin sign-in returns a refresh token");
    let refreshed = world
        .pool
        .refresh(&world.pool.client_id, refresh_token)
        .await;
    world.tokens.push((Holder::AliceRefreshed, refreshed));
    apps.answer(&world, REFRESHED).await;
    apps.stop().await;
    Ok(())
}

/// A fresh pool with a custom attribute `department`, `alice` (department `eng`, group `admin`)
/// and `bob` (no group).
async fn seeded_pool(e: Emulator, url: &str, token_validity_seconds: Option<u32>) -> EmulatorPool {
    let pool = EmulatorPool::create(
        e,
        url,
        PoolOptions {
            custom_attributes: vec!["department".into()],
            token_validity_seconds,
        },
    )
    .await;
    pool.create_user(
        ALICE,
        PASSWORD,
        &[("email", "alice@example.com"), ("custom:department", "eng")],
    )
    .await;
    pool.add_to_group(ALICE, "admin").await;
    pool.create_user(BOB, PASSWORD, &[("email", "bob@example.com")])
        .await;
    pool
}

/// The emulator's pool and the tokens its users signed in for.
struct World {
    emulator: Emulator,
    pool: EmulatorPool,
    second_client: String,
    tokens: Vec<(Holder, Tokens)>,
}

impl World {
    fn new(emulator: Emulator, pool: EmulatorPool, second_client: String) -> World {
        World {
            emulator,
            pool,
            second_client,
            tokens: Vec::new(),
        }
    }

    /// The verifier of an app configuration.
    fn verifier(&self, app: App) -> Result<Verifier, Box<dyn Error>> {
        let pool = &self.pool;
        Ok(match app {
            App::Main => pool.user_pool(&pool.client_id)?.into(),
            App::AccessOnly => pool
                .user_pool(&pool.client_id)?
                .token_use(TokenUse::Access)
                .into(),
            App::SecondClient => pool.user_pool(&self.second_client)?.into(),
        })
    }

    fn tokens_of(&self, holder: Holder) -> &Tokens {
        self.tokens
            .iter()
            .find_map(|(h, tokens)| (*h == holder).then_some(tokens))
            .unwrap_or_else(|| panic!("no tokens of {holder:?} in this run"))
    }

    /// The `Authorization: Bearer` token of a row, if any.
    fn bearer(&self, bearer: Bearer) -> Option<String> {
        let token = |holder, token_use| {
            let tokens = self.tokens_of(holder);
            match token_use {
                TokenUse::Id => tokens.id_token.clone(),
                TokenUse::Access => tokens.access_token.clone(),
            }
        };
        match bearer {
            Bearer::None => None,
            Bearer::Genuine(holder, token_use) => Some(token(holder, token_use)),
            Bearer::Forged(holder, token_use, forgery) => {
                let genuine = token(holder, token_use);
                let forged = edit_claims(&genuine, |claims| match forgery {
                    Forgery::JoinAdminGroup => {
                        claims.insert("cognito:groups".into(), json!(["admin"]));
                    }
                    Forgery::ClaimToBeAlice => {
                        claims.insert("cognito:username".into(), json!(ALICE));
                    }
                });
                assert_ne!(forged, genuine, "{forgery:?} changed nothing");
                Some(forged)
            }
        }
    }

    /// The `sub` of a user of the pool.
    fn sub_of(&self, user: &str) -> Value {
        let holder = match user {
            ALICE => Holder::Alice,
            BOB => Holder::Bob,
            other => panic!("no user {other} in the table"),
        };
        let sub = decode_claims(&self.tokens_of(holder).id_token)["sub"].clone();
        assert!(sub.is_string(), "{sub}");
        sub
    }

    /// The JSON body a 200 row expects, if it expects one.
    fn json_expected(&self, expect: Expect) -> Option<Value> {
        match expect {
            Expect::Me {
                user,
                groups,
                department,
                token_use,
            } => Some(json!({
                "sub": self.sub_of(user),
                "username": user,
                "groups": groups,
                "department": department,
                "token_use": token_use.as_str(),
            })),
            Expect::AccessOf(client) => Some(json!({
                "username": ALICE,
                "client_id": match client {
                    Client::First => &self.pool.client_id,
                    Client::Second => &self.second_client,
                },
                "scopes": [SIGNIN_SCOPE],
                "token_use": "access",
            })),
            _ => None,
        }
    }
}

/// The framework's app, served once per configuration.
struct Apps<F: Framework>(Vec<(App, F::Server)>);

impl<F: Framework> Apps<F> {
    async fn answer(&self, world: &World, cases: impl IntoIterator<Item = &Case>) {
        let http = http_client();
        for case in cases {
            let (_, server) = self
                .0
                .iter()
                .find(|(app, _)| *app == case.app)
                .unwrap_or_else(|| panic!("no {:?} app served in this run", case.app));
            let token = world.bearer(case.bearer);
            let mut request = http.get(format!("{}{}", server.base(), case.path));
            if let Some(token) = &token {
                request = request.bearer_auth(token);
            }
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {}: {e}", case.path));
            let status = response.status().as_u16();
            let challenge = response
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .map(|v| v.to_str().expect("an ASCII WWW-Authenticate").to_owned());
            let body = response
                .text()
                .await
                .unwrap_or_else(|e| panic!("GET {}: reading the body: {e}", case.path));
            let answer = Answer {
                status,
                challenge,
                body,
            };
            let context = format!(
                "{} with {} tokens: {}: {:?} GET {} → {answer:?}",
                F::NAME,
                world.emulator,
                case.says,
                case.app,
                case.path
            );
            answer.holds(case.expect, world.json_expected(case.expect), &context);
            if let Some(token) = token.filter(|_| status != 200) {
                assert!(!answer.body.contains(&token), "token echoed: {context}");
            }
        }
    }

    async fn stop(self) {
        for (_, server) in self.0 {
            server.stop().await;
        }
    }
}

/// What an app answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    challenge: Option<String>,
    body: String,
}

impl Answer {
    fn holds(&self, expect: Expect, json: Option<Value>, context: &str) {
        let challenge = self.challenge.as_deref().unwrap_or_default();
        match expect {
            Expect::Me { .. } | Expect::AccessOf(_) => {
                assert_eq!(self.status, 200, "{context}");
                let body: Value = serde_json::from_str(&self.body)
                    .unwrap_or_else(|e| panic!("no JSON ({e}): {context}"));
                assert_eq!(Some(body), json, "{context}");
            }
            Expect::Text(text) => {
                assert_eq!(self.status, 200, "{context}");
                assert_eq!(self.body, text, "{context}");
            }
            Expect::NoToken => {
                assert_eq!(self.status, 401, "{context}");
                assert_eq!(challenge, "Bearer realm=\"api\"", "{context}");
                assert_eq!(self.body, "no bearer token", "{context}");
            }
            Expect::InvalidToken(description) => {
                assert_eq!(self.status, 401, "{context}");
                assert!(
                    challenge.starts_with("Bearer realm=\"api\"")
                        && challenge.contains("error=\"invalid_token\"")
                        && challenge.contains(&format!("error_description=\"{description}\"")),
                    "{context}"
                );
                assert!(self.body.contains(description), "{context}");
            }
            Expect::MissingGroup(description) => {
                assert_eq!(self.status, 403, "{context}");
                assert!(
                    challenge.starts_with("Bearer realm=\"api\"")
                        && challenge.contains("error=\"insufficient_scope\"")
                        && challenge.contains(description),
                    "{context}"
                );
                assert!(
                    !challenge.contains("scope=\""),
                    "a group requirement names no scope: {context}"
                );
                assert!(self.body.contains(description), "{context}");
            }
        }
    }
}
