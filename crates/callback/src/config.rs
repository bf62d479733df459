//! Configuration of the callback service, read once from the environment.
//! Every missing or malformed setting stops the service with one line
//! naming the variable.

use anyhow::Context;
use runtime::env;
use sync_worker::SyncConfig;

use crate::trust::{BUNQ_CALLBACK_NETWORK, Networks, Trust};

/// The default listening port (`CALLBACK_PORT`).
pub const DEFAULT_PORT: u16 = 8000;

/// The default largest accepted body: bunq's callbacks are a few KiB.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Everything `callback` needs to know at start.
#[derive(Debug)]
pub struct CallbackConfig {
    /// MongoDB, YNAB, the model server, `START_SYNC_DATE`, `TIMEZONE` and
    /// the queue settings: the sync worker's configuration, since a
    /// callback syncs its payment exactly as the worker does.
    pub sync: SyncConfig,
    /// bunq (`BUNQ_ENVIRONMENT`, required; `BUNQ_API_URL`).
    pub bunq: bunq::BunqConfig,
    /// bunq's rate limits as this client keeps them (the published ones;
    /// tests shrink them with the sandbox's).
    pub bunq_rate_limits: bunq::RateLimits,
    /// The public host bunq calls (`BUNQ_CALLBACK_HOST`, required): a host
    /// name with an optional port, no scheme, no path.
    pub host: String,
    /// `CALLBACK_ALLOWED_NETWORKS` (default `185.40.108.0/22`) and
    /// `CALLBACK_TRUSTED_PROXIES` (default none).
    pub trust: Trust,
    /// `CALLBACK_PORT` (default 8000).
    pub port: u16,
    /// `CALLBACK_BODY_LIMIT_BYTES` (default 65536): larger bodies get 413.
    pub body_limit: usize,
    /// Callbacks waiting for a sync task (`CALLBACK_SYNC_QUEUE`, default
    /// 1000). When full, a payment stays queued in MongoDB for the sync
    /// worker, so memory stays bounded under any burst.
    pub sync_queue: usize,
    /// Payments synced at once (`CALLBACK_SYNC_CONCURRENCY`, default 4).
    pub sync_concurrency: usize,
    /// Failure notices (`NOTIFY_WEBHOOK_URL`, ...), as every service sends
    /// them.
    pub notify: notify::NotifyConfig,
}

impl CallbackConfig {
    /// Reads the configuration from the environment.
    ///
    /// # Errors
    /// One error naming the first variable that is missing or malformed.
    pub fn from_env() -> anyhow::Result<Self> {
        let host = env::optional("BUNQ_CALLBACK_HOST").context(
            "BUNQ_CALLBACK_HOST is not set: it is the public host name bunq sends \
             callbacks to (for example callback.example.com), without https:// or a path",
        )?;
        let host = parse_host(&host).map_err(|e| anyhow::anyhow!("BUNQ_CALLBACK_HOST {e}"))?;
        let allowed = env::optional("CALLBACK_ALLOWED_NETWORKS")
            .unwrap_or_else(|| BUNQ_CALLBACK_NETWORK.to_owned());
        let allowed = networks("CALLBACK_ALLOWED_NETWORKS", &allowed)?;
        anyhow::ensure!(
            !allowed.is_empty(),
            "CALLBACK_ALLOWED_NETWORKS is invalid: it names no network"
        );
        let proxies = env::optional("CALLBACK_TRUSTED_PROXIES").unwrap_or_default();
        let proxies = networks("CALLBACK_TRUSTED_PROXIES", &proxies)?;

        Ok(Self {
            sync: SyncConfig::from_env()?,
            bunq: settings::bunq_from_env()?,
            bunq_rate_limits: bunq::RateLimits::default(),
            host,
            trust: Trust { allowed, proxies },
            port: env::parsed_or("CALLBACK_PORT", DEFAULT_PORT)?,
            body_limit: positive("CALLBACK_BODY_LIMIT_BYTES", DEFAULT_BODY_LIMIT_BYTES)?,
            sync_queue: positive("CALLBACK_SYNC_QUEUE", 1000)?,
            sync_concurrency: positive("CALLBACK_SYNC_CONCURRENCY", 4)?,
            notify: notify::NotifyConfig::from_env()?,
        })
    }

    /// The URL registered with bunq: `https://{host}/payment`.
    pub fn callback_url(&self) -> String {
        callback_url(&self.host)
    }
}

/// `https://{host}/payment`.
pub fn callback_url(host: &str) -> String {
    format!("https://{host}/payment")
}

/// Checks a `BUNQ_CALLBACK_HOST` value: a host name or address with an
/// optional port, nothing else.
///
/// # Errors
/// A lower-case reason naming the value (to follow the variable's name).
pub fn parse_host(value: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("is invalid ({value:?}): {why}"));
    if value.contains("://") {
        return bad("give the host only, without a scheme such as https://");
    }
    if value.contains(['/', '?', '#']) {
        return bad("give the host only, without a path (the service adds /payment)");
    }
    if value.contains(|c: char| c.is_whitespace() || c == '@') {
        return bad("a host name has no spaces or user name");
    }
    let Ok(url) = reqwest::Url::parse(&format!("https://{value}/")) else {
        return bad("not a host name with an optional port");
    };
    match url.host_str() {
        Some(host) if !host.is_empty() => Ok(value.to_owned()),
        _ => bad("not a host name with an optional port"),
    }
}

fn networks(name: &str, list: &str) -> anyhow::Result<Networks> {
    Networks::parse(list).map_err(|e| anyhow::anyhow!("{name} is invalid: {e}"))
}

fn positive(name: &str, default: usize) -> anyhow::Result<usize> {
    let value = env::parsed_or(name, default)?;
    anyhow::ensure!(value > 0, "{name} is invalid: it must be above 0");
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_with_or_without_a_port_is_accepted() {
        assert_eq!(
            parse_host("callback.example.com"),
            Ok("callback.example.com".to_owned())
        );
        assert_eq!(
            parse_host("127.0.0.1:8443"),
            Ok("127.0.0.1:8443".to_owned())
        );
    }

    #[test]
    fn a_scheme_a_path_or_junk_is_rejected_with_the_value_named() {
        for value in [
            "https://callback.example.com",
            "callback.example.com/payment",
            "callback.example.com?x=1",
            "call back.example.com",
            "user@callback.example.com",
            "callback.example.com:notaport",
        ] {
            let err = parse_host(value).expect_err(value);
            assert!(err.contains(value), "{err}");
        }
    }

    #[test]
    fn the_callback_url_is_https_on_the_payment_path() {
        assert_eq!(
            callback_url("cb.example.com"),
            "https://cb.example.com/payment"
        );
    }
}
