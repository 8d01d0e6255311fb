//! A local Application Load Balancer: a P-256 key, its PEM served per key id on 127.0.0.1, and
//! tokens shaped as a load balancer forwards them in `x-amzn-oidc-data`.

use std::io;

use base64::engine::general_purpose::{STANDARD, URL_SAFE};

use super::server::{Endpoint, Server};
use super::*;
use crate::alb::{Alb, AlbVerifier};
use crate::crypto::{Curve, EcSigningKey};
use crate::error::ConfigError;

/// A local load balancer for tests: see [`alb`](crate::alb) for what its tokens are checked
/// on. The endpoint stops when it is dropped.
pub struct LocalAlb {
    state: Arc<AlbState>,
    endpoint: String,
    _server: Server,
}

struct AlbState {
    kid: String,
    key: EcSigningKey,
    /// Never published: tokens signed with it must fail.
    other: EcSigningKey,
    pem: String,
    behaviour: Mutex<JwksBehaviour>,
    requests: AtomicUsize,
}

impl Endpoint for AlbState {
    fn body(&self, path: &str) -> Option<String> {
        (path.strip_prefix('/') == Some(self.kid.as_str())).then(|| self.pem.clone())
    }

    fn behaviour(&self) -> JwksBehaviour {
        *lock(&self.behaviour)
    }

    fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }
}

fn key_error(_: &'static str) -> io::Error {
    io::Error::other("EC key generation failed")
}

impl LocalAlb {
    /// The region of the local load balancer.
    pub const REGION: &'static str = "eu-west-1";
    /// The ARN of the local load balancer: the signer of its tokens.
    pub const SIGNER: &'static str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/local/50dc6c495c0c9188";
    /// The ARN of another load balancer of the same region, not trusted by [`alb`](Self::alb).
    pub const OTHER_SIGNER: &'static str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/0123456789abcdef";
    /// The app client of its tokens.
    pub const CLIENT_ID: &'static str = "localalbclient";
    /// The issuer of its tokens.
    pub const ISSUER: &'static str =
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_LocalPool";

    /// Generates a key and starts serving its PEM.
    ///
    /// # Errors
    /// When key generation fails or no loopback port can be bound.
    pub fn start() -> io::Result<LocalAlb> {
        let key = EcSigningKey::generate(Curve::P256).map_err(key_error)?;
        let der = key.p256_spki_der().ok_or_else(|| key_error(""))?;
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        );
        let state = Arc::new(AlbState {
            kid: "7f0c6b2e-3d4a-4c5b-9e8f-0a1b2c3d4e5f".to_owned(),
            key,
            other: EcSigningKey::generate(Curve::P256).map_err(key_error)?,
            pem,
            behaviour: Mutex::new(JwksBehaviour::Normal),
            requests: AtomicUsize::new(0),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let server = Server::start(listener, Arc::clone(&state))?;
        Ok(LocalAlb {
            endpoint: format!("http://{}", server.addr()),
            state,
            _server: server,
        })
    }

    /// The `kid` of its key.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.state.kid
    }

    /// Where its key is served: `{endpoint}/{kid}`.
    #[must_use]
    pub fn key_endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The configuration trusting this load balancer only.
    ///
    /// # Errors
    /// Never for the constants above; the type is the builder's.
    pub fn alb(&self) -> Result<Alb, ConfigError> {
        Alb::new(Self::REGION)?
            .signer(Self::SIGNER)?
            .client_id(Self::CLIENT_ID)?
            .issuer(Self::ISSUER)?
            .key_endpoint(&self.endpoint)
    }

    /// A verifier trusting this load balancer only.
    ///
    /// # Errors
    /// Never for the constants above; the type is the builder's.
    pub fn verifier(&self) -> Result<AlbVerifier, ConfigError> {
        self.alb()?.build()
    }

    /// How the key endpoint answers from now on.
    pub fn set_behaviour(&self, behaviour: JwksBehaviour) {
        *lock(&self.state.behaviour) = behaviour;
    }

    /// How many times its key was requested.
    #[must_use]
    pub fn key_requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// A token as the load balancer forwards it: signed, padded, for user `alb-user`, valid
    /// for two minutes.
    pub fn token(&self) -> AlbTokenBuilder<'_> {
        let exp = now() + 120;
        let header = json!({
            "alg": "ES256",
            "kid": self.state.kid,
            "signer": Self::SIGNER,
            "iss": Self::ISSUER,
            "client": Self::CLIENT_ID,
            "exp": exp,
        });
        let payload = json!({
            "sub": "alb-user",
            "username": "alb-user",
            "email_verified": "true",
            "exp": exp,
            "iss": Self::ISSUER,
        });
        AlbTokenBuilder {
            alb: self,
            header: as_map(header),
            payload: as_map(payload),
            padded: true,
            standard_alphabet: false,
            der: false,
            other_key: false,
            tampered: false,
        }
    }
}

impl fmt::Debug for LocalAlb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalAlb")
            .field("endpoint", &self.endpoint)
            .field("kid", &self.state.kid)
            .finish_non_exhaustive()
    }
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A load balancer token being made: see [`LocalAlb::token`].
#[must_use]
pub struct AlbTokenBuilder<'a> {
    alb: &'a LocalAlb,
    header: Map<String, Value>,
    payload: Map<String, Value>,
    padded: bool,
    standard_alphabet: bool,
    der: bool,
    other_key: bool,
    tampered: bool,
}

impl AlbTokenBuilder<'_> {
    /// The user's `sub` (and `username`).
    #[allow(clippy::should_implement_trait)] // named after the claim, not subtraction
    pub fn sub(mut self, sub: impl Into<String>) -> Self {
        let sub = sub.into();
        self.payload.insert("username".into(), sub.clone().into());
        self.payload.insert("sub".into(), sub.into());
        self
    }

    /// A user info claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.payload.insert(name.into(), value.into());
        self
    }

    /// A header member (`signer`, `client`, `iss`, `kid`, `alg`, `exp`, or another).
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.into(), value.into());
        self
    }

    /// Signed by the load balancer `arn`.
    pub fn signer(self, arn: &str) -> Self {
        self.header("signer", arn)
    }

    /// Valid for `lifetime` from now (default: two minutes).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        let exp = now() + lifetime.as_secs();
        self.header.insert("exp".into(), exp.into());
        self.payload.insert("exp".into(), exp.into());
        self
    }

    /// Expired a minute ago.
    pub fn expired(mut self) -> Self {
        let exp = now() - 60;
        self.header.insert("exp".into(), exp.into());
        self.payload.insert("exp".into(), exp.into());
        self
    }

    /// Without `=` padding.
    pub fn unpadded(mut self) -> Self {
        self.padded = false;
        self
    }

    /// The signature in the standard base64 alphabet.
    pub fn standard_alphabet_signature(mut self) -> Self {
        self.standard_alphabet = true;
        self
    }

    /// The signature DER-encoded, as ECDSA libraries write it (and JWS does not).
    pub fn der_signature(mut self) -> Self {
        self.der = true;
        self
    }

    /// Signed with a key that is never published.
    pub fn other_key(mut self) -> Self {
        self.other_key = true;
        self
    }

    /// The payload changed after signing.
    pub fn tampered(mut self) -> Self {
        self.tampered = true;
        self
    }

    /// The token.
    #[must_use]
    pub fn sign(self) -> String {
        let encode = |bytes: &[u8]| {
            let text = URL_SAFE.encode(bytes);
            if self.padded {
                text
            } else {
                text.trim_end_matches('=').to_owned()
            }
        };
        let header = encode(Value::Object(self.header.clone()).to_string().as_bytes());
        let payload = encode(Value::Object(self.payload.clone()).to_string().as_bytes());
        let signing_input = format!("{header}.{payload}");
        let key = if self.other_key {
            &self.alb.state.other
        } else {
            &self.alb.state.key
        };
        let mut signature = key.sign(signing_input.as_bytes());
        if self.der {
            signature = der(&signature);
        }
        let signature = if self.standard_alphabet {
            STANDARD.encode(&signature)
        } else {
            encode(&signature)
        };
        let payload = if self.tampered {
            let mut claims = self.payload.clone();
            claims.insert("sub".into(), "someone-else".into());
            encode(Value::Object(claims).to_string().as_bytes())
        } else {
            payload
        };
        format!("{header}.{payload}.{signature}")
    }
}

/// `R‖S` as a DER `SEQUENCE` of two `INTEGER`s.
fn der(raw: &[u8]) -> Vec<u8> {
    let integer = |half: &[u8]| {
        let trimmed: Vec<u8> = half.iter().copied().skip_while(|b| *b == 0).collect();
        let mut bytes = if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            [&[0u8][..], &trimmed].concat()
        } else {
            trimmed
        };
        if bytes.is_empty() {
            bytes.push(0);
        }
        [&[0x02, bytes.len() as u8][..], &bytes].concat()
    };
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = [integer(r), integer(s)].concat();
    [&[0x30, body.len() as u8][..], &body].concat()
}
