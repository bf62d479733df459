//! `exchange-pat`: binds a new bunq API key to this installation.

use secrecy::SecretString;
use tracing::{info, warn};

use crate::load::Ingest;

/// Exchanges the API key; the bunq client stores the new context only when
/// every step succeeded, so a failed exchange leaves the previous one.
///
/// # Errors
/// When bunq refuses the key or cannot be reached.
pub async fn exchange(
    ingest: &Ingest,
    api_key: SecretString,
    description: &str,
    permitted_ips: &[String],
) -> anyhow::Result<()> {
    ingest
        .bunq
        .exchange_api_key(api_key, description, permitted_ips)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "could not exchange the bunq API key (the previous context is kept): {e}"
            )
        })?;
    let user_id = ingest.bunq.user_id().await?;
    info!(
        user.id = user_id,
        device = description,
        "bunq API key exchanged"
    );
    warn!("delete any older API keys of this device in the bunq app");
    Ok(())
}
