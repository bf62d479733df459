//! The context in force and its session, shared safely by every task of
//! this process and every process using the same MongoDB.
//!
//! Renewal is the delicate part. One task per process renews at a time;
//! before creating a session it re-reads the stored context and adopts a
//! valid session another process stored meanwhile; after creating one it
//! saves with compare-and-swap, and on a conflict adopts the stored one
//! instead. However the processes interleave, they end up on one session.

use std::sync::{Arc, PoisonError};

use chrono::Utc;
use domain::bunq_context::ApiContext;
use reqwest::Method;
use secrecy::ExposeSecret;
use store::context::{SaveOutcome, Versioned};
use tracing::info;

use crate::auth::{self, NewSession};
use crate::client::Inner;
use crate::crypto::{Signer, Verifier};
use crate::error::BunqError;
use crate::transport::Credentials;

/// A loaded context with its keys ready for use.
pub(crate) struct Active {
    /// The stored version it was read or saved as.
    pub(crate) version: i64,
    pub(crate) context: ApiContext,
    pub(crate) signer: Signer,
    pub(crate) verifier: Verifier,
}

impl Active {
    /// Reads the keys of a stored context.
    ///
    /// # Errors
    /// [`BunqError::Crypto`] when a stored key is unreadable.
    pub(crate) fn new(stored: Versioned<ApiContext>) -> Result<Self, BunqError> {
        Ok(Self {
            signer: Signer::from_pem(&stored.value.private_key_pem)?,
            verifier: Verifier::from_pem(&stored.value.server_public_key_pem)?,
            version: stored.version,
            context: stored.value,
        })
    }

    /// Keys for an ordinary call: the session token.
    pub(crate) fn credentials(&self) -> Credentials<'_> {
        Credentials {
            token: Some(&self.context.session_token),
            signer: &self.signer,
            verifier: Some(&self.verifier),
        }
    }

    /// Keys for `session-server`: the installation token.
    fn installation_credentials(&self) -> Credentials<'_> {
        Credentials {
            token: Some(&self.context.installation_token),
            signer: &self.signer,
            verifier: Some(&self.verifier),
        }
    }

    /// Whether `other` holds the same session token.
    fn same_session(&self, other: &ApiContext) -> bool {
        self.context.session_token.expose_secret() == other.session_token.expose_secret()
    }

    /// A session that is not `stale`'s and has not expired.
    fn replaces(&self, stale: &Active) -> bool {
        !self.same_session(&stale.context) && self.context.session_valid_at(Utc::now())
    }
}

impl Inner {
    /// The context in force, loaded from MongoDB on first use.
    ///
    /// # Errors
    /// [`BunqError::NoContext`] when none is stored; store and key errors.
    pub(crate) async fn active(&self) -> Result<Arc<Active>, BunqError> {
        match self.current() {
            Some(active) => Ok(active),
            None => self.load_stored().await,
        }
    }

    /// The context in force with a session that has not expired, renewed
    /// first when needed.
    ///
    /// # Errors
    /// As [`Inner::active`] and [`Inner::renew`].
    pub(crate) async fn session(&self) -> Result<Arc<Active>, BunqError> {
        let active = self.active().await?;
        if active.context.session_valid_at(Utc::now()) {
            return Ok(active);
        }
        info!(environment = %self.environment, "bunq session expired, renewing it");
        self.renew(&active).await
    }

    /// Replaces the session of `stale`, which expired or which bunq
    /// refused, unless someone already did.
    ///
    /// # Errors
    /// The `session-server` call's error once retries are spent; store and
    /// key errors.
    pub(crate) async fn renew(&self, stale: &Active) -> Result<Arc<Active>, BunqError> {
        let _turn = self.renewal.lock().await;
        if let Some(current) = self.current().filter(|current| current.replaces(stale)) {
            return Ok(current);
        }

        let mut attempt = 1;
        loop {
            let stored = self.load_stored().await?;
            if stored.replaces(stale) {
                info!(
                    environment = %self.environment,
                    "adopted the bunq session another process stored"
                );
                return Ok(stored);
            }
            let request = auth::session_request(&stored.context.api_key);
            let requested_at = Utc::now();
            match self
                .transport
                .send_once(&request, &stored.installation_credentials())
                .await
            {
                Ok(body) => {
                    let session = auth::parse_session(&body, requested_at)?;
                    return self.store_session(&stored, session).await;
                }
                // Between attempts, the re-read above may find the session
                // that made bunq answer 429 (another process's).
                Err(error) if self.transport.may_retry(&Method::POST, &error, attempt) => {
                    self.transport
                        .pause_before_retry(&request, &error, attempt)
                        .await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Saves `session` into `base`'s context, or adopts what another
    /// process saved first.
    async fn store_session(
        &self,
        base: &Active,
        session: NewSession,
    ) -> Result<Arc<Active>, BunqError> {
        self.transport.counters.session_created();
        let mut context = base.context.clone();
        context.session_token = session.token;
        context.session_expires_at = session.expires_at;
        context.user_id = session.user_id;
        context.user_kind = session.user_kind;

        match self
            .contexts
            .save(self.environment, &context, Some(base.version))
            .await?
        {
            SaveOutcome::Saved { version } => {
                info!(
                    environment = %self.environment,
                    user.id = context.user_id,
                    expires_at = %context.session_expires_at,
                    "bunq session created"
                );
                let active = Active {
                    version,
                    context,
                    signer: base.signer.clone(),
                    verifier: base.verifier.clone(),
                };
                Ok(self.adopt(Arc::new(active)))
            }
            SaveOutcome::Conflict => {
                info!(
                    environment = %self.environment,
                    "another process stored a bunq session first, adopting it"
                );
                self.load_stored().await
            }
        }
    }

    /// Reads the stored context and makes it the one in force.
    ///
    /// # Errors
    /// [`BunqError::NoContext`] when none is stored; store and key errors.
    pub(crate) async fn load_stored(&self) -> Result<Arc<Active>, BunqError> {
        let stored = self
            .contexts
            .load(self.environment)
            .await?
            .ok_or(BunqError::NoContext)?;
        Ok(self.adopt(Arc::new(Active::new(stored)?)))
    }

    /// Makes `active` the context in force unless a newer version already
    /// is; returns the one in force.
    pub(crate) fn adopt(&self, active: Arc<Active>) -> Arc<Active> {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        match current.as_ref() {
            Some(newer) if newer.version > active.version => newer.clone(),
            _ => {
                *current = Some(active.clone());
                active
            }
        }
    }

    fn current(&self) -> Option<Arc<Active>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
