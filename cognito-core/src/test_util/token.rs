//! The token builder: Cognito-shaped ID and access tokens, and how they are signed.

use super::*;

/// How a token is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Signer {
    Active,
    /// The key published for this algorithm.
    Algorithm(crate::Algorithm),
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
    pub(super) fn new(state: Arc<State>, token_use: crate::TokenUse) -> Self {
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

    /// Signs with the key published for `alg` (see [`LocalIssuerBuilder::algorithms`]), under
    /// its `kid`, with `alg` in the header. `RS256` is the active key, as by default. An
    /// algorithm the issuer has no key for leaves the signature empty, and the `kid` the
    /// active key's: the token never verifies.
    pub fn algorithm(mut self, alg: crate::Algorithm) -> Self {
        self.signer = match alg {
            crate::Algorithm::Rs256 => Signer::Active,
            alg => Signer::Algorithm(alg),
        };
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
        if let Signer::Algorithm(alg) = self.signer {
            let key = keys.by_algorithm.iter().find(|k| k.alg == alg).cloned();
            let kid = key.as_ref().map_or(&keys.active.kid, |k| &k.kid).clone();
            drop(keys);
            let payload = Value::Object(claims).to_string();
            return compact(
                &self.header,
                payload.as_bytes(),
                &kid,
                alg.name(),
                |input| key.map(|k| k.sign(input)).unwrap_or_default(),
            );
        }
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
pub(super) fn sign_compact(
    extra_header: &Map<String, Value>,
    payload: &[u8],
    key: &SigningKey,
    signer: &Signer,
) -> String {
    let alg = match signer {
        Signer::Algorithm(alg) => alg.name(),
        Signer::Active | Signer::Other => "RS256",
        Signer::AlgNone => "none",
        Signer::HmacWithPublicKey => "HS256",
    };
    // Signing with a freshly generated, valid key does not fail; if it ever did, the empty
    // signature makes the token fail verification rather than the test harness panic.
    compact(extra_header, payload, &key.kid, alg, |input| {
        let signature = match signer {
            Signer::Active | Signer::Other | Signer::Algorithm(_) => {
                jsonwebtoken::crypto::sign(input, &key.encoding, Algorithm::RS256)
            }
            Signer::AlgNone => Ok(String::new()),
            Signer::HmacWithPublicKey => jsonwebtoken::crypto::sign(
                input,
                &EncodingKey::from_secret(&key.n),
                Algorithm::HS256,
            ),
        };
        signature.unwrap_or_default()
    })
}

/// The compact token for `payload` under the header `{"alg":<alg>,"kid":<kid>}` with
/// `extra_header` merged over it, signed by `sign` (which returns the base64url signature).
fn compact(
    extra_header: &Map<String, Value>,
    payload: &[u8],
    kid: &str,
    alg: &str,
    sign: impl FnOnce(&[u8]) -> String,
) -> String {
    let mut header = Map::new();
    header.insert("kid".into(), json!(kid));
    header.insert("alg".into(), json!(alg));
    for (name, value) in extra_header {
        header.insert(name.clone(), value.clone());
    }
    let signing_input = format!(
        "{}.{}",
        STRICT_B64.encode(Value::Object(header).to_string()),
        STRICT_B64.encode(payload)
    );
    let signature = sign(signing_input.as_bytes());
    format!("{signing_input}.{signature}")
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
pub(super) fn derived_sub(pool_id: &str, username: &str) -> String {
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
