//! What every framework adapter's `CognitoAuth` holds and decides, written once: whether
//! authentication is optional, where the token is read, the rule every verified request must
//! meet, and how refusals are answered. An adapter keeps only the translation into its
//! framework's request and response types.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_core::adapter::AuthSettings;
//! use cognito_core::rejection::{BodyFormat, Rejection, Render};
//! use cognito_core::test_util::LocalIssuer;
//! use cognito_core::token::{Found, Lookup};
//! use cognito_core::{Authentication, Decision, Error, Require, Verifier};
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
//! let decision = settings.decide(&verifier, Lookup::Found(Found::Missing));
//! let Decision::Decided(Err(error)) = decision else { panic!("{decision:?}") };
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

use crate::authentication::Authentication;
use crate::claims::Claims;
use crate::error::Error;
use crate::rejection::{Rejections, Render};
use crate::require::Require;
use crate::token::{Found, Lookup, Source};
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
}

impl<C, R: Render> Default for AuthSettings<C, R> {
    fn default() -> Self {
        AuthSettings {
            optional: false,
            source: Source::Bearer,
            require: None,
            rejections: Rejections::default(),
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
            .finish()
    }
}

impl<C, R: Render> AuthSettings<C, R> {
    /// What to do with the token the source found (see [`Verifier::decide`]).
    pub fn decide(&self, verifier: &Verifier, lookup: Lookup<'_>) -> Decision {
        match lookup {
            Lookup::Found(found) => verifier.decide(found, self.optional),
            Lookup::Owned(token) => verifier.decide(Found::Token(&token), self.optional),
        }
    }

    /// What a verified request concluded, once it meets the settings' rule.
    ///
    /// # Errors
    /// [`ErrorKind::RequirementNotMet`](crate::ErrorKind::RequirementNotMet) when the rule is not met (403; 401 for a token-use rule).
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
