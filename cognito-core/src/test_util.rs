//! A local Cognito-shaped issuer for tests, examples and offline development (feature
//! `test-util`).
//!
//! [`LocalIssuer::start`] generates an RSA key, serves its JWKS on `127.0.0.1` on a free port
//! (from a thread of its own, so it works with any runtime or none), and mints ID and access
//! tokens shaped like a user pool's. Tokens carry the real Cognito issuer form
//! (`https://cognito-idp.{region}.amazonaws.com/{pool}`); the pool from
//! [`LocalIssuer::user_pool`] fetches its keys from the local endpoint instead.
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

use crate::issuer::{ClientChosen, UserPool};
use crate::jwks::Jwks;
use crate::jws::STRICT_B64;

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

/// An RSA signing key of the local issuer.
struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl SigningKey {
    fn generate(kid: String) -> std::io::Result<Self> {
        let pkcs1 = generate_pkcs1_der()?;
        let (n, e) = der::rsa_public_components(&pkcs1)
            .ok_or_else(|| std::io::Error::other("generated key is not PKCS#1"))?;
        // DER integers carry a leading zero byte when the top bit is set; JWK values are the
        // minimal big-endian octets (RFC 7518 §6.3.1).
        let minimal = |bytes: Vec<u8>| -> Vec<u8> {
            let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
            bytes[start..].to_vec()
        };
        Ok(SigningKey {
            kid,
            encoding: EncodingKey::from_rsa_der(&pkcs1),
            n: minimal(n),
            e: minimal(e),
        })
    }

    fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": STRICT_B64.encode(&self.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": STRICT_B64.encode(&self.n),
            "use": "sig",
        })
    }
}

#[cfg(feature = "aws-lc")]
fn generate_pkcs1_der() -> std::io::Result<Vec<u8>> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| std::io::Error::other("RSA key generation failed"))?;
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'static>>::as_der(&pair)
        .map_err(|_| std::io::Error::other("RSA key encoding failed"))?;
    der::pkcs8_to_pkcs1(pkcs8.as_ref())
        .map(<[u8]>::to_vec)
        .ok_or_else(|| std::io::Error::other("generated key is not PKCS#8 RSA"))
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
fn generate_pkcs1_der() -> std::io::Result<Vec<u8>> {
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|_| std::io::Error::other("RSA key generation failed"))?;
    key.to_pkcs1_der()
        .map(|der| der.as_bytes().to_vec())
        .map_err(|_| std::io::Error::other("RSA key encoding failed"))
}

struct Keys {
    active: Arc<SigningKey>,
    published: Vec<Arc<SigningKey>>,
    /// Never published: tokens signed with it must fail.
    other: Arc<SigningKey>,
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
        let active = Arc::new(SigningKey::generate("local-0".into())?);
        let other = Arc::new(SigningKey::generate("local-other".into())?);
        let state = Arc::new(State {
            region: pool.region().to_owned(),
            issuer: pool.issuer_url().to_owned(),
            pool_id: self.pool_id,
            client_id: self.client_id,
            keys: Mutex::new(Keys {
                published: vec![Arc::clone(&active)],
                active,
                other,
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
            jwks_url,
        })
    }
}

/// A local Cognito-shaped issuer: keys, a loopback JWKS endpoint, and a token minter.
pub struct LocalIssuer {
    state: Arc<State>,
    server: server::Server,
    pool: UserPool<ClientChosen>,
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

/// How a token is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Signer {
    Active,
    Other,
    AlgNone,
    HmacWithPublicKey,
}

/// Builds one token. Starts from the claims Cognito puts in an ID or access token for user
/// `testuser`, valid for one hour from now.
#[must_use]
pub struct TokenBuilder {
    state: Arc<State>,
    token_use: crate::TokenUse,
    username: String,
    sub: Option<String>,
    client_id: String,
    groups: Vec<String>,
    scopes: Option<Vec<String>>,
    issued_at: SystemTime,
    lifetime: Duration,
    extra: Map<String, Value>,
    removed: Vec<String>,
    header: Map<String, Value>,
    signer: Signer,
}

static JTI: AtomicU64 = AtomicU64::new(1);

impl TokenBuilder {
    fn new(state: Arc<State>, token_use: crate::TokenUse) -> Self {
        let client_id = state.client_id.clone();
        TokenBuilder {
            state,
            token_use,
            username: "testuser".into(),
            sub: None,
            client_id,
            groups: Vec::new(),
            scopes: None,
            issued_at: SystemTime::now(),
            lifetime: Duration::from_secs(3600),
            extra: Map::new(),
            removed: Vec::new(),
            header: Map::new(),
            signer: Signer::Active,
        }
    }

    /// The user name (`cognito:username` / `username`). The default `sub` is derived from it,
    /// so tokens of one user share a `sub`.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = username.into();
        self
    }

    /// The `sub`.
    #[allow(clippy::should_implement_trait)] // named after the claim, not subtraction
    pub fn sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// `cognito:groups`. Absent when empty, as in Cognito.
    pub fn groups<I: IntoIterator<Item = S>, S: Into<String>>(mut self, groups: I) -> Self {
        self.groups = groups.into_iter().map(Into::into).collect();
        self
    }

    /// `scope` (access tokens). Default: `aws.cognito.signin.user.admin`.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// A custom attribute, written as `custom:{name}`.
    pub fn custom(self, name: &str, value: impl Into<String>) -> Self {
        self.claim(&format!("custom:{name}"), Value::String(value.into()))
    }

    /// `email`, with `email_verified: true`.
    pub fn email(self, email: impl Into<String>) -> Self {
        self.claim("email", Value::String(email.into()))
            .claim("email_verified", Value::Bool(true))
    }

    /// The app client (`aud` of an ID token, `client_id` of an access token).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// `iat` (and `auth_time`); `exp` follows from the lifetime.
    pub fn issued_at(mut self, at: SystemTime) -> Self {
        self.issued_at = at;
        self
    }

    /// Time from `iat` to `exp`. Default: one hour.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Issued two hours ago, expired one hour ago.
    pub fn expired(self) -> Self {
        let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
        self.issued_at(two_hours_ago)
            .lifetime(Duration::from_secs(3600))
    }

    /// Carries `nbf` one hour from now.
    pub fn not_yet_valid(self) -> Self {
        let in_an_hour = unix(SystemTime::now()) + 3600;
        self.claim("nbf", json!(in_an_hour))
    }

    /// Carries the issuer of another pool in the same region.
    pub fn wrong_issuer(self) -> Self {
        let other = format!(
            "https://cognito-idp.{}.amazonaws.com/{}_OtherPool",
            self.state.region, self.state.region
        );
        self.claim("iss", Value::String(other))
    }

    /// Sets any claim, replacing the default value (including `iss`, `exp`, `token_use`…).
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.removed.retain(|r| r != name);
        self.extra.insert(name.to_owned(), value.into());
        self
    }

    /// Leaves a claim out, including a default one.
    pub fn without_claim(mut self, name: &str) -> Self {
        self.extra.remove(name);
        self.removed.push(name.to_owned());
        self
    }

    /// Sets a header parameter (`kid`, `alg`, `crit`, `jku`…), replacing the default.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_owned(), value.into());
        self
    }

    /// Signs with a key that is never published (the JWKS does not have its `kid`).
    pub fn other_key(mut self) -> Self {
        self.signer = Signer::Other;
        self
    }

    /// An unsigned token: `alg: none`, empty signature.
    pub fn alg_none(mut self) -> Self {
        self.signer = Signer::AlgNone;
        self
    }

    /// The key-confusion forgery: `alg: HS256`, HMAC keyed with the published RSA modulus.
    pub fn hs256_with_public_key(mut self) -> Self {
        self.signer = Signer::HmacWithPublicKey;
        self
    }

    /// The claims the token will carry.
    #[must_use]
    pub fn claims(&self) -> Map<String, Value> {
        let iat = unix(self.issued_at);
        let exp = iat.saturating_add(self.lifetime.as_secs());
        let sub = self
            .sub
            .clone()
            .unwrap_or_else(|| derived_sub(&self.state.pool_id, &self.username));
        let jti = format!(
            "{:016x}-{:x}",
            JTI.fetch_add(1, Ordering::Relaxed),
            unix(SystemTime::now())
        );
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(sub));
        if !self.groups.is_empty() {
            claims.insert("cognito:groups".into(), json!(self.groups));
        }
        claims.insert("iss".into(), json!(self.state.issuer));
        claims.insert("origin_jti".into(), json!(format!("origin-{jti}")));
        claims.insert("event_id".into(), json!(format!("event-{jti}")));
        claims.insert("token_use".into(), json!(self.token_use.as_str()));
        claims.insert("auth_time".into(), json!(iat));
        claims.insert("exp".into(), json!(exp));
        claims.insert("iat".into(), json!(iat));
        claims.insert("jti".into(), json!(jti));
        match self.token_use {
            crate::TokenUse::Id => {
                claims.insert("aud".into(), json!(self.client_id));
                claims.insert("cognito:username".into(), json!(self.username));
            }
            crate::TokenUse::Access => {
                claims.insert("client_id".into(), json!(self.client_id));
                claims.insert("username".into(), json!(self.username));
                claims.insert("version".into(), json!(2));
                let scope = self.scopes.as_ref().map_or_else(
                    || "aws.cognito.signin.user.admin".to_owned(),
                    |s| s.join(" "),
                );
                claims.insert("scope".into(), json!(scope));
            }
        }
        for (name, value) in &self.extra {
            claims.insert(name.clone(), value.clone());
        }
        for name in &self.removed {
            claims.remove(name);
        }
        claims
    }

    /// Signs and returns the compact token.
    #[must_use]
    pub fn sign(self) -> String {
        let claims = self.claims();
        let keys = lock(&self.state.keys);
        let key = match self.signer {
            Signer::Other => Arc::clone(&keys.other),
            _ => Arc::clone(&keys.active),
        };
        drop(keys);
        sign_compact(
            &self.header,
            Value::Object(claims).to_string().as_bytes(),
            &key,
            &self.signer,
        )
    }
}

/// The compact token for `payload` (taken as it is) signed by `signer` with `key`, under the
/// header `{"alg":…,"kid":<key's kid>}` with `extra_header` merged over it.
fn sign_compact(
    extra_header: &Map<String, Value>,
    payload: &[u8],
    key: &SigningKey,
    signer: &Signer,
) -> String {
    let alg = match signer {
        Signer::Active | Signer::Other => "RS256",
        Signer::AlgNone => "none",
        Signer::HmacWithPublicKey => "HS256",
    };
    let mut header = Map::new();
    header.insert("kid".into(), json!(key.kid));
    header.insert("alg".into(), json!(alg));
    for (name, value) in extra_header {
        header.insert(name.clone(), value.clone());
    }
    let signing_input = format!(
        "{}.{}",
        STRICT_B64.encode(Value::Object(header).to_string()),
        STRICT_B64.encode(payload)
    );
    let signature = match signer {
        Signer::Active | Signer::Other => {
            jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key.encoding, Algorithm::RS256)
        }
        Signer::AlgNone => Ok(String::new()),
        Signer::HmacWithPublicKey => jsonwebtoken::crypto::sign(
            signing_input.as_bytes(),
            &EncodingKey::from_secret(&key.n),
            Algorithm::HS256,
        ),
    };
    // Signing with a freshly generated, valid key does not fail; if it ever did, the empty
    // signature makes the token fail verification rather than the test harness panic.
    format!("{signing_input}.{}", signature.unwrap_or_default())
}

impl fmt::Debug for TokenBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBuilder")
            .field("token_use", &self.token_use)
            .field("username", &self.username)
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

fn unix(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A stable, UUID-shaped `sub` for a user of a pool.
fn derived_sub(pool_id: &str, username: &str) -> String {
    let hash = |seed: u64| {
        pool_id
            .bytes()
            .chain([0])
            .chain(username.bytes())
            .fold(seed, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x6c62_272e_07bb_0142));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// Just enough DER to move RSA keys between encodings.
mod der {
    /// Reads one TLV: (tag, content, rest).
    fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let len = rest[..count]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, &rest[count..])
        };
        if rest.len() < len {
            return None;
        }
        Some((tag, &rest[..len], &rest[len..]))
    }

    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OCTET_STRING: u8 = 0x04;

    /// PKCS#8 `PrivateKeyInfo` → the PKCS#1 `RSAPrivateKey` inside it.
    #[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
    pub(super) fn pkcs8_to_pkcs1(pkcs8: &[u8]) -> Option<&[u8]> {
        let (SEQUENCE, info, _) = read(pkcs8)? else {
            return None;
        };
        let (INTEGER, _, rest) = read(info)? else {
            return None;
        };
        let (SEQUENCE, _, rest) = read(rest)? else {
            return None;
        };
        let (OCTET_STRING, key, _) = read(rest)? else {
            return None;
        };
        Some(key)
    }

    /// PKCS#1 `RSAPrivateKey` → (n, e).
    pub(super) fn rsa_public_components(pkcs1: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let (SEQUENCE, key, _) = read(pkcs1)? else {
            return None;
        };
        let (INTEGER, _, rest) = read(key)? else {
            return None;
        };
        let (INTEGER, n, rest) = read(rest)? else {
            return None;
        };
        let (INTEGER, e, _) = read(rest)? else {
            return None;
        };
        Some((n.to_vec(), e.to_vec()))
    }
}

/// The JWKS endpoint: hyper on a thread of its own with a single-threaded runtime.
mod server {
    use super::*;

    pub(super) struct Server {
        addr: SocketAddr,
        shutdown: Option<tokio::sync::oneshot::Sender<()>>,
        thread: Option<JoinHandle<()>>,
    }

    impl Server {
        pub(super) fn start(
            listener: std::net::TcpListener,
            state: Arc<State>,
        ) -> std::io::Result<Self> {
            listener.set_nonblocking(true)?;
            let addr = listener.local_addr()?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (shutdown, stop) = tokio::sync::oneshot::channel();
            let thread = std::thread::Builder::new()
                .name("local-issuer".into())
                .spawn(move || runtime.block_on(serve(listener, state, stop)))?;
            Ok(Server {
                addr,
                shutdown: Some(shutdown),
                thread: Some(thread),
            })
        }

        pub(super) fn addr(&self) -> SocketAddr {
            self.addr
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            if let Some(shutdown) = self.shutdown.take() {
                let _ = shutdown.send(());
            }
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }

    async fn serve(
        listener: std::net::TcpListener,
        state: Arc<State>,
        mut stop: tokio::sync::oneshot::Receiver<()>,
    ) {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        loop {
            tokio::select! {
                _ = &mut stop => return,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = Arc::clone(&state);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            answer(Arc::clone(&state), req)
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        }
    }

    async fn answer(
        state: Arc<State>,
        req: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        if !req.uri().path().ends_with("/.well-known/jwks.json") {
            return Ok(respond(StatusCode::NOT_FOUND, "not found".into()));
        }
        state.jwks_requests.fetch_add(1, Ordering::SeqCst);
        let behaviour = *lock(&state.behaviour);
        Ok(match behaviour {
            JwksBehaviour::Normal => respond(StatusCode::OK, state.jwks_json()),
            JwksBehaviour::Status(code) => respond(
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "failure on purpose".into(),
            ),
            JwksBehaviour::Garbage => respond(StatusCode::OK, "<html>not a key set".into()),
            JwksBehaviour::Oversized => {
                let padding = "x".repeat(2 * 1024 * 1024);
                respond(
                    StatusCode::OK,
                    format!("{{\"keys\":[],\"pad\":\"{padding}\"}}"),
                )
            }
            JwksBehaviour::Stall => {
                std::future::pending::<()>().await;
                respond(StatusCode::OK, String::new())
            }
            JwksBehaviour::Delayed(delay) => {
                tokio::time::sleep(delay).await;
                respond(StatusCode::OK, state.jwks_json())
            }
        })
    }

    fn respond(status: StatusCode, body: String) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
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
        assert!(key.verify(signing_input.as_bytes(), &signature));
        assert!(!key.verify(b"other.input", &signature));
    }

    #[test]
    fn generated_key_round_trips_through_der() {
        let key = SigningKey::generate("k".into()).unwrap();
        assert_eq!(key.n.len(), 256);
        assert!(key.n[0] >= 0x80, "a 2048-bit modulus fills 256 bytes");
        assert_eq!(key.e, [1, 0, 1]);
    }
}
