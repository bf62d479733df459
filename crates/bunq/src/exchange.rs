//! Exchanging an API key for a complete context: first setup, and again
//! whenever the permitted IPs change. Nothing is stored until every step
//! worked, so a failed exchange leaves the previous context in force.

use std::sync::Arc;

use chrono::Utc;
use domain::bunq_context::{ApiContext, Environment};
use secrecy::SecretString;
use store::context::SaveOutcome;
use tracing::{info, warn};

use crate::auth::{self, Installation, NewSession};
use crate::client::Inner;
use crate::crypto::{KeyPair, Signer, Verifier, generate_key_pair};
use crate::error::BunqError;
use crate::session::Active;
use crate::transport::Credentials;

/// A save that keeps losing races this often means something is wrong.
const MAX_SAVE_ATTEMPTS: u32 = 5;

impl Inner {
    /// New key pair, installation, device server, first session; then
    /// stores the context, replacing whatever was stored.
    ///
    /// # Errors
    /// The first failing step's error; nothing is stored then.
    pub(crate) async fn exchange(
        &self,
        api_key: SecretString,
        description: &str,
        permitted_ips: &[String],
    ) -> Result<(), BunqError> {
        let keys = generate_key_pair().await?;
        let signer = Signer::from_pem(&keys.private_pem)?;
        let installation = auth::install(&self.transport, &keys, &signer).await?;
        let verifier = Verifier::from_pem(&installation.server_public_key_pem)?;
        let credentials = Credentials {
            token: Some(&installation.token),
            signer: &signer,
            verifier: Some(&verifier),
        };

        let device_server_id = auth::register_device(
            &self.transport,
            &credentials,
            &api_key,
            description,
            permitted_ips,
        )
        .await?;
        let session = self.first_session(&api_key, &credentials).await?;

        let parts = Parts {
            api_key,
            keys,
            installation,
            device_server_id,
            session,
        };
        let context = parts.into_context(self.environment);
        let version = self.save_over_anything(&context).await?;
        info!(
            environment = %self.environment,
            device.id = device_server_id,
            user.id = context.user_id,
            permitted_ips = permitted_ips.len(),
            "bunq API key exchanged; delete the previous key in the bunq app"
        );
        self.adopt(Arc::new(Active {
            version,
            context,
            signer,
            verifier,
        }));
        Ok(())
    }

    /// `session-server` with the installation token, retried as any POST.
    async fn first_session(
        &self,
        api_key: &SecretString,
        credentials: &Credentials<'_>,
    ) -> Result<NewSession, BunqError> {
        let requested_at = Utc::now();
        let request = auth::session_request(api_key);
        let body = self.transport.send(&request, credentials).await?;
        let session = auth::parse_session(&body, requested_at)?;
        self.transport.counters.session_created();
        Ok(session)
    }

    /// Stores `context` whatever version is stored: an exchange is the
    /// user's explicit wish and wins over any session renewal.
    async fn save_over_anything(&self, context: &ApiContext) -> Result<i64, BunqError> {
        for _ in 0..MAX_SAVE_ATTEMPTS {
            let expected = self
                .contexts
                .load(self.environment)
                .await?
                .map(|stored| stored.version);
            match self
                .contexts
                .save(self.environment, context, expected)
                .await?
            {
                SaveOutcome::Saved { version } => return Ok(version),
                SaveOutcome::Conflict => {
                    warn!(
                        environment = %self.environment,
                        "bunq context changed while saving, retrying"
                    );
                }
            }
        }
        Err(BunqError::Contention {
            environment: self.environment,
        })
    }
}

/// What the exchange gathered, step by step.
struct Parts {
    api_key: SecretString,
    keys: KeyPair,
    installation: Installation,
    device_server_id: i64,
    session: NewSession,
}

impl Parts {
    fn into_context(self, environment: Environment) -> ApiContext {
        ApiContext {
            environment,
            api_key: self.api_key,
            private_key_pem: self.keys.private_pem,
            installation_token: self.installation.token,
            server_public_key_pem: self.installation.server_public_key_pem,
            device_server_id: self.device_server_id,
            session_token: self.session.token,
            session_expires_at: self.session.expires_at,
            user_id: self.session.user_id,
            user_kind: self.session.user_kind,
        }
    }
}
