//! What every framework adapter's `CognitoAuth` holds and decides, written once: whether
//! authentication is optional, where the token is read, the rule every verified request must
//! meet, and how refusals are answered. An adapter keeps only the translation into its
//! framework's request and response types.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_core::adapter::{AuthSettings, Next};
//! use cognito_core::rejection::{BodyFormat, Rejection, Render};
//! use cognito_core::test_util::LocalIssuer;
//! use cognito_core::token::{Found, Lookup};
//! use cognito_core::{Authentication, Error, Require, Verifier};
//!
//! /// A framework whose responses are the core rejection itself.
//! struct Plain;
//! impl Render for Plain {
//!     type Response = Rejection;
//!     fn standard(error: &Error, realm: &str, format: BodyFormat) -> Rejection {
//!         Rejection::new(error, realm, format)
//!     }
//! }
//!
//! let issuer = LocalIssuer::start()?;
//! let verifier = Verifier::from(issuer.user_pool());
//! let mut settings = AuthSettings::<(), Plain>::default();
//! settings.require = Some(Require::group("admin"));
//!
//! // No token: refused with a bare challenge, as the adapter renders it.
//! let next = settings.decide(&verifier, Lookup::Found(Found::Missing));
//! let Next::Decided(Err(error)) = next else { panic!("{next:?}") };
//! assert_eq!(settings.rejections.render(&error).status, 401);
//!
//! // A verified user outside the group: the settings' rule refuses with 403.
//! let claims = verifier.verify(&issuer.id_token().sign()).await?;
//! let refused = settings.admit(claims).unwrap_err();
//! assert_eq!(refused.status(), 403);
//!
//! let admin = verifier.verify(&issuer.id_token().groups(["admin"]).sign()).await?;
//! assert!(matches!(settings.admit(admin)?, Authentication::Verified(_)));
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "test-util"))]
//! # fn main() {}
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::alb::{AlbHeaders, AlbVerifier};
use crate::authentication::Authentication;
use crate::claims::Claims;
use crate::error::{Error, ErrorKind};
use crate::rejection::{Rejections, Render};
use crate::require::Require;
use crate::token::{self, AlbFound, Found, Lookup, Source};
use crate::verifier::{Decision, Verifier};

/// The settings of one auth layer or middleware: `C` is the framework's custom token lookup,
/// `R` its response type (see [`Render`]). Every service the layer builds shares one copy.
#[non_exhaustive]
pub struct AuthSettings<C, R: Render> {
    /// Requests without a token go on as [`Authentication::Anonymous`]. Default: `false`.
    pub optional: bool,
    /// Where the token is read. Default: [`Source::Bearer`].
    pub source: Source<C>,
    /// The rule every verified request must meet (403 otherwise). Default: none.
    pub require: Option<Require>,
    /// How refusals are answered.
    pub rejections: Rejections<R>,
    /// The load balancer whose forwarded identity is read instead of `source`. Default: none.
    pub alb: Option<AlbVerifier>,
}

/// A verification to wait for: a token not in the cache, or what a load balancer forwarded.
pub type Pending = Pin<Box<dyn Future<Output = Result<Claims, Error>> + Send>>;

/// What an auth layer does with a request, before any waiting.
pub enum Next {
    /// No credentials, and authentication is optional: the request goes on as anonymous.
    Anonymous,
    /// Decided at once: a cached token's claims, or why the request is refused.
    Decided(Result<Claims, Error>),
    /// Decided once this verification ends.
    Verify(Pending),
}

impl fmt::Debug for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Next::Anonymous => f.write_str("Anonymous"),
            Next::Decided(answer) => f.debug_tuple("Decided").field(answer).finish(),
            Next::Verify(_) => f.write_str("Verify(..)"),
        }
    }
}

impl<C, R: Render> Default for AuthSettings<C, R> {
    fn default() -> Self {
        AuthSettings {
            optional: false,
            source: Source::Bearer,
            require: None,
            rejections: Rejections::default(),
            alb: None,
        }
    }
}

impl<C: Clone, R: Render> Clone for AuthSettings<C, R> {
    fn clone(&self) -> Self {
        AuthSettings {
            optional: self.optional,
            source: self.source.clone(),
            require: self.require.clone(),
            rejections: self.rejections.clone(),
            alb: self.alb.clone(),
        }
    }
}

impl<C, R: Render> fmt::Debug for AuthSettings<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("optional", &self.optional)
            .field("source", &self.source)
            .field("require", &self.require)
            .field("rejections", &self.rejections)
            .field("alb", &self.alb)
            .finish()
    }
}

impl<C, R: Render> AuthSettings<C, R> {
    /// Reads a request's credentials: the load balancer's headers when [`alb`](Self::alb)
    /// is set, else the token [`source`](Self::source) names. `headers(name)` gives the values
    /// of the header `name` (lowercase); `custom` runs a custom source's lookup.
    pub fn read<'a, I>(
        &self,
        headers: impl Fn(&str) -> I,
        custom: impl FnOnce(&C) -> Option<String>,
    ) -> Lookup<'a>
    where
        I: Iterator<Item = &'a [u8]>,
    {
        match self.alb {
            Some(_) => Lookup::Alb(token::alb_headers(headers)),
            None => self.source.lookup(headers, custom),
        }
    }

    /// What to do with what [`read`](Self::read) found: go on as anonymous (only when
    /// optional), answer at once, or wait for a verification.
    pub fn decide(&self, verifier: &Verifier, lookup: Lookup<'_>) -> Next {
        let decision = match lookup {
            Lookup::Found(found) => verifier.decide(found, self.optional),
            Lookup::Owned(token) => verifier.decide(Found::Token(&token), self.optional),
            Lookup::Alb(found) => return self.decide_alb(found),
        };
        match decision {
            Decision::Anonymous => Next::Anonymous,
            Decision::Decided(answer) => Next::Decided(answer),
            Decision::Verify(token) => {
                let verifier = verifier.clone();
                Next::Verify(Box::pin(async move { verifier.verify(&token).await }))
            }
        }
    }

    fn decide_alb(&self, found: AlbFound<'_>) -> Next {
        let Some(alb) = &self.alb else {
            return Next::Decided(Err(Error::misconfigured(
                "load balancer headers were read without a load balancer configured",
            )));
        };
        let malformed = |found: Found<'_>| matches!(found, Found::Malformed);
        if malformed(found.data) || malformed(found.access_token) || malformed(found.identity) {
            return Next::Decided(Err(ErrorKind::InvalidRequest.into()));
        }
        let owned = |found: Found<'_>| match found {
            Found::Token(text) => Some(text.to_owned()),
            Found::Missing | Found::Malformed => None,
        };
        let Some(data) = owned(found.data) else {
            return if self.optional {
                Next::Anonymous
            } else {
                Next::Decided(Err(Error::missing_token()))
            };
        };
        let (access_token, identity) = (owned(found.access_token), owned(found.identity));
        let alb = alb.clone();
        Next::Verify(Box::pin(async move {
            let mut headers = AlbHeaders::new(&data);
            if let Some(token) = &access_token {
                headers = headers.access_token(token);
            }
            if let Some(sub) = &identity {
                headers = headers.identity(sub);
            }
            alb.verify(headers).await
        }))
    }

    /// What a verified request concluded, once it meets the settings' rule.
    ///
    /// # Errors
    /// [`ErrorKind::RequirementNotMet`] when the rule is not met (403; 401 for a token-use
    /// rule).
    pub fn admit(&self, claims: Claims) -> Result<Authentication, Error> {
        if let Some(rule) = &self.require {
            rule.check(&claims)?;
        }
        Ok(Authentication::Verified(claims))
    }
}

/// Defines an adapter's `CognitoAuth`: the struct (the verifier and its settings, an
/// [`AuthSettings`]) with its constructor and builder methods, for the token source type
/// `$source` (a newtype over [`Source`]) and the rejections type `$rejections`, so that every
/// adapter's builder reads and behaves the same. The struct's own docs come first.
#[doc(hidden)]
#[macro_export]
macro_rules! auth_builder {
    (
        $(#[$meta:meta])*
        pub struct $name:ident;
        settings: $settings:ty,
        source: $source:ty,
        rejections: $rejections:ty $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        #[must_use]
        pub struct $name {
            verifier: $crate::Verifier,
            settings: $settings,
        }

        impl $name {
        /// Verifies tokens with `verifier`: a [`UserPool`](cognito_core::UserPool), an
        /// [`OidcIssuer`](cognito_core::OidcIssuer), or a built
        /// [`Verifier`](cognito_core::Verifier) to share keys and cache with other layers or
        /// code.
        pub fn new(verifier: impl Into<$crate::Verifier>) -> Self {
            Self {
                verifier: verifier.into(),
                settings: <$settings>::default(),
            }
        }

        /// Reads the identity an Application Load Balancer forwards (`x-amzn-oidc-data`, and
        /// `x-amzn-oidc-accesstoken` and `x-amzn-oidc-identity` when present), verified by
        /// `alb`, instead of a token. A request without `x-amzn-oidc-data` has no token (401,
        /// or anonymous when optional); see [`alb`](cognito_core::alb) for every check.
        pub fn alb(alb: $crate::alb::AlbVerifier) -> Self {
            let mut settings = <$settings>::default();
            let verifier = alb.bearer_verifier();
            settings.alb = Some(alb);
            Self { verifier, settings }
        }

        /// Lets requests without a token through as
        /// [`Authentication::Anonymous`](cognito_core::Authentication). A request with a token
        /// that does not verify is still refused.
        pub fn optional(mut self) -> Self {
            self.settings.optional = true;
            self
        }

        /// Where the token is read from. Default: `TokenSource::bearer()`.
        pub fn token_source(mut self, source: $source) -> Self {
            self.settings.source = source.0;
            self
        }

        /// A rule every verified request must meet (403 otherwise), before any route's own.
        pub fn require(mut self, rule: $crate::Require) -> Self {
            self.settings.require = Some(rule);
            self
        }

        /// The realm of the `WWW-Authenticate` challenges. Default: `api`.
        pub fn realm(mut self, realm: impl Into<std::sync::Arc<str>>) -> Self {
            self.settings.rejections = self.settings.rejections.realm(realm);
            self
        }

        /// Answers refusals with RFC 9457 problem details instead of plain text.
        pub fn problem_json(mut self) -> Self {
            self.settings.rejections = self.settings.rejections.problem_json();
            self
        }

        /// Replaces how refusals are rendered (realm, format, or a renderer of your own).
        pub fn rejections(mut self, rejections: $rejections) -> Self {
            self.settings.rejections = rejections;
            self
        }

        /// The verifier, to share with other layers or code.
        #[must_use]
        pub fn verifier(&self) -> &$crate::Verifier {
            &self.verifier
        }
        }
    };
}

/// Writes the constructors every adapter's `TokenSource` (a newtype over [`Source`]) shares;
/// `$header` is the framework's header name type. The custom lookup, a function of the
/// framework's request, is the adapter's own.
#[doc(hidden)]
#[macro_export]
macro_rules! token_source_constructors {
    ($header:ty) => {
        /// `Authorization: Bearer <token>`: the scheme case-insensitive, one space.
        #[must_use]
        pub fn bearer() -> Self {
            Self($crate::token::Source::Bearer)
        }

        /// The cookie `name`, read from the `Cookie` headers.
        #[must_use]
        pub fn cookie(name: impl Into<std::sync::Arc<str>>) -> Self {
            Self($crate::token::Source::cookie(name))
        }

        /// The bare value of the header `name`.
        #[must_use]
        pub fn header(name: $header) -> Self {
            Self($crate::token::Source::header(name.as_str()))
        }
    };
}
