//! A local Cognito-shaped issuer for tests, examples and offline development (feature
//! `test-util`).
//!
//! [`LocalIssuer::start`] generates an RSA key, serves its JWKS on `127.0.0.1` on a free port
//! (from a thread of its own, so it works with any runtime or none), and mints ID and access
//! tokens shaped like a user pool's. Tokens carry the real Cognito issuer form
//! (`https://cognito-idp.{region}.amazonaws.com/{pool}`); the pool from
//! [`LocalIssuer::user_pool`] fetches its keys from the local endpoint instead.
//!
//! [`LocalIssuerBuilder::algorithms`] also publishes a key for each other [`Algorithm`]
//! (P-256, P-384 and P-521 EC keys, an Ed25519 key, the RSA key under one `kid` per RSA
//! algorithm), so that [`TokenBuilder::algorithm`] mints tokens of that algorithm, as an OIDC
//! provider would; [`LocalIssuer::oidc_issuer`] verifies them.
//!
//! [`Algorithm`]: crate::Algorithm
//!
//! ```
//! use std::time::Duration;
//! use cognito_core::test_util::{JwksBehaviour, LocalIssuer};
//!
//! let issuer = LocalIssuer::start()?;
//! let token = issuer
//!     .access_token()
//!     .username("bob")
//!     .scopes(["reports/read"])
//!     .lifetime(Duration::from_secs(300))
//!     .sign();
//! assert_eq!(token.split('.').count(), 3);
//! issuer.set_jwks_behaviour(JwksBehaviour::Status(500));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The server stops when the `LocalIssuer` is dropped.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value, json};

use crate::issuer::{ClientChosen, OidcIssuer, UserPool};
use crate::jwks::Jwks;
use crate::jws::STRICT_B64;

mod alb;
mod algorithms;
mod keys;
mod server;
mod token;

pub use alb::{AlbTokenBuilder, LocalAlb};
use algorithms::AlgorithmKey;
use keys::SigningKey;
pub use token::TokenBuilder;
use token::{Signer, sign_compact};

/// How the local JWKS endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JwksBehaviour {
    /// The published keys, as Cognito serves them.
    #[default]
    Normal,
    /// This HTTP status, with a short text body.
    Status(u16),
    /// 200 with a body that is not JSON.
    Garbage,
    /// 200 with a JSON body of 2 MiB (over the default body limit).
    Oversized,
    /// Accepts the request and never answers (until the issuer is dropped).
    Stall,
    /// The published keys, after this delay: a slow endpoint that still answers.
    Delayed(Duration),
}

struct Keys {
    active: Arc<SigningKey>,
    published: Vec<Arc<SigningKey>>,
    /// Never published: tokens signed with it must fail.
    other: Arc<SigningKey>,
    /// One key per other algorithm the issuer was built with, published after the RSA keys.
    by_algorithm: Vec<Arc<AlgorithmKey>>,
}

struct State {
    pool_id: String,
    region: String,
    client_id: String,
    issuer: String,
    keys: Mutex<Keys>,
    /// Published after the signing keys, as they are: keys a verifier cannot use.
    raw_keys: Mutex<Vec<Value>>,
    behaviour: Mutex<JwksBehaviour>,
    jwks_requests: AtomicUsize,
    next_kid: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    fn jwks_json(&self) -> String {
        let keys = lock(&self.keys);
        let mut jwks: Vec<Value> = keys.published.iter().map(|k| k.jwk()).collect();
        jwks.extend(keys.by_algorithm.iter().map(|k| k.jwk()));
        jwks.extend(lock(&self.raw_keys).iter().cloned());
        json!({ "keys": jwks }).to_string()
    }

    fn new_kid(&self) -> String {
        format!("local-{}", self.next_kid.fetch_add(1, Ordering::Relaxed))
    }
}

/// Settings for a [`LocalIssuer`].
#[derive(Debug, Clone)]
#[must_use]
pub struct LocalIssuerBuilder {
    pool_id: String,
    client_id: String,
    algorithms: Vec<crate::Algorithm>,
}

impl LocalIssuerBuilder {
    /// The pool id, `{region}_{suffix}`. Default: `us-east-1_LocalPool`.
    pub fn pool_id(mut self, pool_id: impl Into<String>) -> Self {
        self.pool_id = pool_id.into();
        self
    }

    /// The app client tokens are issued to. Default: `localclient`.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Also publishes a key for each of these algorithms, with the JWK `alg` it names and the
    /// `kid` `local-{alg}` (`local-es256`, `local-eddsa`…): a new P-256, P-384, P-521 or
    /// Ed25519 key, or, for `RS384`, `RS512` and the `PS*` algorithms, the issuer's first RSA
    /// key under one more `kid`. `RS256` is always there (the pool's own key). Tokens of these
    /// algorithms come from [`TokenBuilder::algorithm`]. Default: none.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = crate::Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Generates the keys and starts the JWKS endpoint.
    ///
    /// # Errors
    /// When the pool id is malformed, key generation fails or no loopback port can be bound.
    pub fn start(self) -> std::io::Result<LocalIssuer> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let jwks_url = format!(
            "http://{}/{}/.well-known/jwks.json",
            listener.local_addr()?,
            self.pool_id
        );
        let pool = UserPool::new(&self.pool_id)
            .and_then(|p| p.client_id(&self.client_id))
            .and_then(|p| p.jwks_url(&jwks_url))
            .map(UserPool::any_token_use)
            .map_err(std::io::Error::other)?;
        let oidc = OidcIssuer::new(pool.issuer_url())
            .and_then(|o| o.audience(&self.client_id))
            .and_then(|o| o.jwks_url(&jwks_url))
            .map_err(std::io::Error::other)?;
        let active = Arc::new(SigningKey::generate("local-0".into())?);
        let other = Arc::new(SigningKey::generate("local-other".into())?);
        let mut by_algorithm: Vec<Arc<AlgorithmKey>> = Vec::new();
        for alg in self.algorithms {
            if alg != crate::Algorithm::Rs256 && !by_algorithm.iter().any(|k| k.alg == alg) {
                by_algorithm.push(Arc::new(AlgorithmKey::generate(alg, &active)?));
            }
        }
        let state = Arc::new(State {
            region: pool.region().to_owned(),
            issuer: pool.issuer_url().to_owned(),
            pool_id: self.pool_id,
            client_id: self.client_id,
            keys: Mutex::new(Keys {
                published: vec![Arc::clone(&active)],
                active,
                other,
                by_algorithm,
            }),
            raw_keys: Mutex::new(Vec::new()),
            behaviour: Mutex::new(JwksBehaviour::Normal),
            jwks_requests: AtomicUsize::new(0),
            next_kid: AtomicUsize::new(1),
        });
        let server = server::Server::start(listener, Arc::clone(&state))?;
        Ok(LocalIssuer {
            state,
            server,
            pool,
            oidc,
            jwks_url,
        })
    }
}

/// A local Cognito-shaped issuer: keys, a loopback JWKS endpoint, and a token minter.
pub struct LocalIssuer {
    state: Arc<State>,
    server: server::Server,
    pool: UserPool<ClientChosen>,
    oidc: OidcIssuer<ClientChosen>,
    jwks_url: String,
}

impl LocalIssuer {
    /// Starts an issuer for pool `us-east-1_LocalPool` and client `localclient`.
    ///
    /// # Errors
    /// When key generation fails or no loopback port can be bound.
    pub fn start() -> std::io::Result<Self> {
        Self::builder().start()
    }

    /// Settings for an issuer.
    pub fn builder() -> LocalIssuerBuilder {
        LocalIssuerBuilder {
            pool_id: "us-east-1_LocalPool".into(),
            client_id: "localclient".into(),
            algorithms: Vec::new(),
        }
    }

    /// The pool id.
    #[must_use]
    pub fn pool_id(&self) -> &str {
        &self.state.pool_id
    }

    /// The app client id tokens are issued to by default.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.state.client_id
    }

    /// The `iss` of the tokens: the real Cognito form for the pool id.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// The address of the JWKS endpoint.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://127.0.0.1:{port}/{pool}/.well-known/jwks.json`.
    #[must_use]
    pub fn jwks_url(&self) -> &str {
        &self.jwks_url
    }

    /// A [`UserPool`] for this issuer: its pool id, its client, keys from the local endpoint,
    /// ID and access tokens alike (`any_token_use`; narrow it with `.token_use(..)`).
    #[must_use]
    pub fn user_pool(&self) -> UserPool<ClientChosen> {
        self.pool.clone()
    }

    /// This issuer as a generic OIDC issuer: its `iss`, its client as the audience (so ID
    /// tokens verify; access tokens carry no `aud`), keys from the local endpoint, every
    /// [`Algorithm`](crate::Algorithm) accepted (narrow it with `.algorithms(..)`).
    #[must_use]
    pub fn oidc_issuer(&self) -> OidcIssuer<ClientChosen> {
        self.oidc.clone()
    }

    /// The `kid` tokens of `alg` are signed under: the active key's for `RS256`, the key
    /// published for `alg` by [`LocalIssuerBuilder::algorithms`], or `None`.
    #[must_use]
    pub fn kid_for(&self, alg: crate::Algorithm) -> Option<String> {
        let keys = lock(&self.state.keys);
        if alg == crate::Algorithm::Rs256 {
            return Some(keys.active.kid.clone());
        }
        keys.by_algorithm
            .iter()
            .find(|k| k.alg == alg)
            .map(|k| k.kid.clone())
    }

    /// The currently published keys, parsed (for a verifier that must not fetch).
    #[must_use]
    pub fn jwks(&self) -> Jwks {
        Jwks::from_json(&self.jwks_json()).unwrap_or_default()
    }

    /// The currently published JWKS document.
    #[must_use]
    pub fn jwks_json(&self) -> String {
        self.state.jwks_json()
    }

    /// The `kid` new tokens are signed with.
    #[must_use]
    pub fn active_kid(&self) -> String {
        lock(&self.state.keys).active.kid.clone()
    }

    /// Publishes `jwk` as it is, after the signing keys: an encryption key, an EC key, a
    /// malformed entry — what a verifier must skip. Tokens can name it with
    /// [`TokenBuilder::header`]`("kid", ..)`.
    pub fn publish_raw_key(&self, jwk: Value) {
        lock(&self.state.raw_keys).push(jwk);
    }

    /// Generates a new signing key and publishes it next to the old ones; new tokens are signed
    /// with it. Returns its `kid`.
    ///
    /// # Errors
    /// When key generation fails.
    pub fn rotate_key(&self) -> std::io::Result<String> {
        let key = Arc::new(SigningKey::generate(self.state.new_kid())?);
        let kid = key.kid.clone();
        let mut keys = lock(&self.state.keys);
        keys.published.push(Arc::clone(&key));
        keys.active = key;
        Ok(kid)
    }

    /// Stops publishing every key but the active one.
    pub fn retire_old_keys(&self) {
        let mut keys = lock(&self.state.keys);
        let active = Arc::clone(&keys.active);
        keys.published.retain(|k| Arc::ptr_eq(k, &active));
    }

    /// Sets how the JWKS endpoint answers from now on.
    pub fn set_jwks_behaviour(&self, behaviour: JwksBehaviour) {
        *lock(&self.state.behaviour) = behaviour;
    }

    /// How many JWKS requests the endpoint has received.
    #[must_use]
    pub fn jwks_requests(&self) -> usize {
        self.state.jwks_requests.load(Ordering::SeqCst)
    }

    /// Signs `payload` exactly as given (any bytes: it need not be JSON, nor UTF-8) with the
    /// active key, under the header `{"alg":"RS256","kid":<active kid>}`, and returns the
    /// compact token (base64url segments without padding).
    ///
    /// For tests of what the verifier makes of payloads that [`TokenBuilder`] would never
    /// write: odd escapes, odd numbers, duplicate members, text that is not JSON at all. The
    /// signature is genuine, so whatever the verifier refuses, it refuses on the payload.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::{SystemTime, UNIX_EPOCH};
    /// use cognito_core::test_util::LocalIssuer;
    /// use cognito_core::Verifier;
    ///
    /// let issuer = LocalIssuer::start()?;
    /// let verifier = Verifier::from(issuer.user_pool().jwks(issuer.jwks()));
    /// let exp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() + 3600;
    /// let payload = format!(
    ///     r#"{{"iss":"{}","sub":"caf\u00e9","token_use":"id","aud":"{}","exp":{exp}}}"#,
    ///     issuer.issuer(),
    ///     issuer.client_id(),
    /// );
    /// let claims = verifier.verify(&issuer.sign_payload(payload.as_bytes())).await?;
    /// assert_eq!(claims.sub(), "café");
    ///
    /// // Signed all the same, refused on the payload.
    /// let not_json = issuer.sign_payload(b"not json");
    /// assert!(verifier.verify(&not_json).await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn sign_payload(&self, payload: &[u8]) -> String {
        let key = Arc::clone(&lock(&self.state.keys).active);
        sign_compact(&Map::new(), payload, &key, &Signer::Active)
    }

    /// A builder for an ID token (`token_use: id`, `aud`: the client).
    pub fn id_token(&self) -> TokenBuilder {
        TokenBuilder::new(Arc::clone(&self.state), crate::TokenUse::Id)
    }

    /// A builder for an access token (`token_use: access`, `client_id`: the client).
    pub fn access_token(&self) -> TokenBuilder {
        TokenBuilder::new(Arc::clone(&self.state), crate::TokenUse::Access)
    }
}

impl fmt::Debug for LocalIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalIssuer")
            .field("pool_id", &self.state.pool_id)
            .field("client_id", &self.state.client_id)
            .field("jwks_url", &self.jwks_url)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::token::derived_sub;
    use super::*;

    #[test]
    fn derived_sub_is_stable_per_user_and_uuid_shaped() {
        let a = derived_sub("us-east-1_X", "alice");
        assert_eq!(a, derived_sub("us-east-1_X", "alice"));
        assert_ne!(a, derived_sub("us-east-1_X", "bob"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn sign_payload_signs_the_bytes_as_given_under_the_active_key() {
        let issuer = LocalIssuer::start().unwrap();
        let payload = b"{\"x\":\"\\ud800\",\"n\":1e400} \xff";
        let token = issuer.sign_payload(payload);
        let segments: Vec<&str> = token.split('.').collect();
        assert_eq!(segments.len(), 3);
        let header: Value =
            serde_json::from_slice(&STRICT_B64.decode(segments[0]).unwrap()).unwrap();
        assert_eq!(header, json!({"alg": "RS256", "kid": issuer.active_kid()}));
        assert_eq!(STRICT_B64.decode(segments[1]).unwrap(), payload);
        // The same signing path as a built token: the signature checks out with the
        // published key.
        let jwks = issuer.jwks();
        let key = jwks.find(&issuer.active_kid()).unwrap();
        let signing_input = &token[..token.rfind('.').unwrap()];
        let signature = STRICT_B64.decode(segments[2]).unwrap();
        let rs256 = crate::Algorithm::Rs256;
        assert!(key.verify(rs256, signing_input.as_bytes(), &signature));
        assert!(!key.verify(rs256, b"other.input", &signature));
    }

    #[test]
    fn generated_key_round_trips_through_der() {
        let key = SigningKey::generate("k".into()).unwrap();
        assert_eq!(key.n.len(), 256);
        assert!(key.n[0] >= 0x80, "a 2048-bit modulus fills 256 bytes");
        assert_eq!(key.e, [1, 0, 1]);
    }
}
