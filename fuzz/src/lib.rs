//! What the fuzz targets share: a local issuer, a verifier for it, and a runtime to drive the
//! verifier, built once per fuzzing process (key generation is slow, and the verifier must
//! outlive every input).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_core::test_util::LocalIssuer;
use cognito_core::{Claims, Error, UserPool, Verifier};

/// The local issuer, a cache-less verifier of its tokens, and a runtime.
pub struct Fixture {
    pub issuer: LocalIssuer,
    pub verifier: Verifier,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    /// Starts a local issuer and builds a verifier for the pool `configure` makes of the
    /// issuer's own pool. The verifier holds the issuer's published keys from the start and
    /// never fetches: no input leads to network I/O, so every run of an input does the same.
    pub fn new(configure: impl FnOnce(UserPool) -> UserPool) -> Self {
        let issuer = LocalIssuer::start().expect("local issuer starts");
        let pool = configure(issuer.user_pool().jwks(issuer.jwks()));
        let verifier = Verifier::builder()
            .pool(pool)
            .no_cache()
            .build()
            .expect("verifier builds");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime builds");
        let fixture = Fixture {
            issuer,
            verifier,
            runtime,
        };
        let token = fixture.issuer.id_token().username("fixture").sign();
        assert!(
            fixture.verify(&token).is_ok(),
            "a token of the issuer verifies"
        );
        fixture
    }

    /// Verifies `token`.
    pub fn verify(&self, token: &str) -> Result<Claims, Error> {
        self.runtime.block_on(self.verifier.verify(token))
    }
}

/// A refused token is refused as an invalid token (401), whatever made it fail.
pub fn assert_refused_as_invalid(result: &Result<Claims, Error>) {
    if let Err(err) = result {
        assert_eq!(err.status(), 401, "refused with {err:?}");
    }
}

/// base64url without padding, as in a compact JWS.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a base64url segment without padding.
pub fn unb64(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(segment).ok()
}
