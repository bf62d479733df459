//! The bunq API context: everything a client needs to talk to bunq after an
//! API key was exchanged (key pair, installation, device, session). It is
//! shared by every service through MongoDB, one document per environment.
//! The secrets in it are `SecretString`s, and its `Debug` redacts them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Which bunq the context belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Environment {
    /// The real bank, `https://api.bunq.com/v1`.
    Production,
    /// bunq's public sandbox, `https://public-api.sandbox.bunq.com/v1`.
    Sandbox,
}

/// A `BUNQ_ENVIRONMENT` value that names no environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a bunq environment (expected PRODUCTION or SANDBOX)")]
pub struct EnvironmentError(pub String);

impl Environment {
    /// The name used in configuration and as the `_id` of the stored
    /// context: `PRODUCTION` or `SANDBOX`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "PRODUCTION",
            Self::Sandbox => "SANDBOX",
        }
    }

    /// bunq's own base URL for this environment, without a trailing slash.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::Production => "https://api.bunq.com/v1",
            Self::Sandbox => "https://public-api.sandbox.bunq.com/v1",
        }
    }
}

impl FromStr for Environment {
    type Err = EnvironmentError;

    /// Reads `PRODUCTION` or `SANDBOX` (any case, surrounding blanks ignored).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_uppercase().as_str() {
            "PRODUCTION" => Ok(Self::Production),
            "SANDBOX" => Ok(Self::Sandbox),
            _ => Err(EnvironmentError(text.to_owned())),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of user a session belongs to, named by the wrapper key
/// `session-server` answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserKind {
    /// `UserPerson`: a private customer.
    #[serde(rename = "UserPerson")]
    Person,
    /// `UserCompany`: a business customer.
    #[serde(rename = "UserCompany")]
    Company,
    /// `UserApiKey`: a key another user granted; its own `id` is the user
    /// id in `/user/{id}` paths.
    #[serde(rename = "UserApiKey")]
    ApiKey,
    /// `UserPaymentServiceProvider`: a licensed third party.
    #[serde(rename = "UserPaymentServiceProvider")]
    PaymentServiceProvider,
}

impl UserKind {
    /// Every kind, for exhaustive iteration.
    pub const ALL: [Self; 4] = [
        Self::Person,
        Self::Company,
        Self::ApiKey,
        Self::PaymentServiceProvider,
    ];

    /// The wrapper key bunq uses for this kind.
    pub fn wrapper_key(self) -> &'static str {
        match self {
            Self::Person => "UserPerson",
            Self::Company => "UserCompany",
            Self::ApiKey => "UserApiKey",
            Self::PaymentServiceProvider => "UserPaymentServiceProvider",
        }
    }

    /// The kind for a wrapper key, if bunq documents it.
    pub fn from_wrapper_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.wrapper_key() == key)
    }
}

/// Everything needed to call bunq on behalf of one user. Pure data: the
/// `bunq` crate creates and renews it, the `store` crate persists it.
#[derive(Clone, Serialize, Deserialize)]
pub struct ApiContext {
    /// Which bunq this context is valid for.
    pub environment: Environment,
    /// The API key the user created in the bunq app.
    #[serde(with = "secret")]
    pub api_key: SecretString,
    /// Our RSA-2048 private key, PKCS#8 PEM; it signs request bodies.
    #[serde(with = "secret")]
    pub private_key_pem: SecretString,
    /// The installation token, sent on `device-server` and
    /// `session-server`.
    #[serde(with = "secret")]
    pub installation_token: SecretString,
    /// bunq's public key from the installation, SubjectPublicKeyInfo PEM;
    /// it verifies every response.
    pub server_public_key_pem: String,
    /// The id of our `device-server`.
    pub device_server_id: i64,
    /// The session token, sent on every other call.
    #[serde(with = "secret")]
    pub session_token: SecretString,
    /// When we stop trusting the session: its creation plus the user's
    /// `session_timeout`, minus a safety margin.
    pub session_expires_at: DateTime<Utc>,
    /// The id in `/user/{id}/...` paths.
    pub user_id: i64,
    /// Which user object the session answered with.
    pub user_kind: UserKind,
}

impl ApiContext {
    /// Whether the session may still be used at `now`.
    pub fn session_valid_at(&self, now: DateTime<Utc>) -> bool {
        now < self.session_expires_at
    }
}

impl fmt::Debug for ApiContext {
    /// Shows the ids and dates; every secret is replaced by `[redacted]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "[redacted]";
        f.debug_struct("ApiContext")
            .field("environment", &self.environment)
            .field("api_key", &REDACTED)
            .field("private_key_pem", &REDACTED)
            .field("installation_token", &REDACTED)
            .field("server_public_key_pem", &self.server_public_key_pem)
            .field("device_server_id", &self.device_server_id)
            .field("session_token", &REDACTED)
            .field("session_expires_at", &self.session_expires_at)
            .field("user_id", &self.user_id)
            .field("user_kind", &self.user_kind)
            .finish()
    }
}

/// Serde for `SecretString` fields: the context must be persisted with its
/// secrets, so (de)serialising exposes them; nothing else does.
mod secret {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &SecretString,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.expose_secret())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SecretString, D::Error> {
        String::deserialize(deserializer).map(SecretString::from)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use secrecy::ExposeSecret;

    use super::*;

    fn context() -> ApiContext {
        ApiContext {
            environment: Environment::Sandbox,
            api_key: SecretString::from("sandbox_api_key_123"),
            private_key_pem: SecretString::from("-----BEGIN PRIVATE KEY-----\nMIIE"),
            installation_token: SecretString::from("installation-token-456"),
            server_public_key_pem: "-----BEGIN PUBLIC KEY-----".to_owned(),
            device_server_id: 7,
            session_token: SecretString::from("session-token-789"),
            session_expires_at: Utc
                .with_ymd_and_hms(2025, 1, 1, 12, 0, 0)
                .single()
                .expect("valid"),
            user_id: 42,
            user_kind: UserKind::ApiKey,
        }
    }

    #[test]
    fn debug_output_hides_every_secret() {
        let shown = format!("{:?}", context());

        for secret in [
            "sandbox_api_key_123",
            "MIIE",
            "installation-token-456",
            "session-token-789",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("user_id: 42"), "{shown}");
    }

    #[test]
    fn serde_round_trip_keeps_the_secrets() {
        let json = serde_json::to_value(context()).expect("valid");

        assert_eq!(json["environment"], "SANDBOX");
        assert_eq!(json["user_kind"], "UserApiKey");
        let back: ApiContext = serde_json::from_value(json).expect("valid");
        assert_eq!(back.api_key.expose_secret(), "sandbox_api_key_123");
        assert_eq!(back.session_token.expose_secret(), "session-token-789");
        assert_eq!(back.user_id, 42);
    }

    #[test]
    fn environments_parse_from_configuration() {
        assert_eq!(
            " sandbox ".parse::<Environment>().expect("valid"),
            Environment::Sandbox
        );
        assert_eq!(
            "PRODUCTION".parse::<Environment>().expect("valid"),
            Environment::Production
        );
        let err = "staging".parse::<Environment>().expect_err("invalid");
        assert!(err.to_string().contains("\"staging\""), "{err}");
    }

    #[test]
    fn sessions_expire_at_their_deadline() {
        let ctx = context();

        assert!(ctx.session_valid_at(ctx.session_expires_at - chrono::Duration::seconds(1)));
        assert!(!ctx.session_valid_at(ctx.session_expires_at));
    }

    #[test]
    fn user_kinds_map_to_wrapper_keys() {
        for kind in UserKind::ALL {
            assert_eq!(UserKind::from_wrapper_key(kind.wrapper_key()), Some(kind));
        }
        assert_eq!(UserKind::from_wrapper_key("UserLight"), None);
    }
}
