//! The verifier configuration for a pool on an emulator, as a user of the library writes it:
//! [`EmulatorPool::user_pool`].

use cognito_core::{ConfigError, UserPool};

use crate::{Emulator, EmulatorPool};

impl EmulatorPool {
    /// The pool as a user configures it for this emulator, accepting tokens of the app client
    /// `client_id` and of either use: on moto the issuer derived from the pool id (moto's tokens
    /// carry the real AWS form) and only the keys from the emulator; on cognito-local its own
    /// issuer too.
    ///
    /// # Errors
    ///
    /// When the pool id, the client id or a URL is not one `UserPool` accepts.
    pub fn user_pool(&self, client_id: &str) -> Result<UserPool, ConfigError> {
        let configured = UserPool::new(&self.pool_id)?
            .client_id(client_id)?
            .any_token_use()
            .jwks_url(&self.jwks_url)?;
        match self.emulator {
            Emulator::Moto => Ok(configured),
            Emulator::CognitoLocal => configured.issuer(&self.issuer),
        }
    }
}
