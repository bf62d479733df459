//! The three calls that build an API context, and reading their answers:
//! `installation` (our public key in, a token and bunq's public key out),
//! `device-server` (binds the API key to this installation and to the
//! permitted IPs) and `session-server` (the session token and the user).

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use domain::bunq_context::UserKind;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::crypto::{KeyPair, Signer};
use crate::envelope::{integer_field, parse_page, string_field, wrapped};
use crate::error::BunqError;
use crate::transport::{Credentials, Request, Transport};

/// `POST /installation`.
pub(crate) const INSTALLATION: &str = "/installation";
/// `POST /device-server`.
pub(crate) const DEVICE_SERVER: &str = "/device-server";
/// `POST /session-server`.
pub(crate) const SESSION_SERVER: &str = "/session-server";

/// bunq's default auto-logout (one week), used when the session's user
/// object does not say.
const DEFAULT_SESSION_TIMEOUT_SECS: i64 = 7 * 24 * 3600;
/// We stop using a session this long before bunq would end it (at most a
/// tenth of its lifetime, so that short test sessions stay usable).
const SESSION_MARGIN_SECS: i64 = 60;

/// What `installation` answered.
pub(crate) struct Installation {
    /// For `X-Bunq-Client-Authentication` on device and session calls.
    pub(crate) token: SecretString,
    /// bunq's key for verifying every later answer.
    pub(crate) server_public_key_pem: String,
}

/// What `session-server` answered.
pub(crate) struct NewSession {
    pub(crate) token: SecretString,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) user_id: i64,
    pub(crate) user_kind: UserKind,
}

/// Registers our public key. The answer cannot be verified yet: the key
/// to verify it with is in it.
///
/// # Errors
/// Any [`BunqError`] of the call, or a decode error when the token or the
/// server key is missing.
pub(crate) async fn install(
    transport: &Transport,
    keys: &KeyPair,
    signer: &Signer,
) -> Result<Installation, BunqError> {
    let request = Request::post(
        INSTALLATION,
        &json!({ "client_public_key": keys.public_pem }),
    );
    let credentials = Credentials {
        token: None,
        signer,
        verifier: None,
    };
    let body = transport.send(&request, &credentials).await?;

    let page = parse_page(INSTALLATION, &body)?;
    let token = string_field(
        INSTALLATION,
        wrapped(INSTALLATION, &page.items, "Token")?,
        "token",
    )?;
    let server_key = wrapped(INSTALLATION, &page.items, "ServerPublicKey")?;
    Ok(Installation {
        token: SecretString::from(token),
        server_public_key_pem: string_field(INSTALLATION, server_key, "server_public_key")?
            .to_owned(),
    })
}

/// Creates the device server for `api_key`; an empty `permitted_ips`
/// leaves the field out, and bunq then binds the key to the calling IP.
///
/// # Errors
/// Any [`BunqError`] of the call; a decode error without an `Id`.
pub(crate) async fn register_device(
    transport: &Transport,
    credentials: &Credentials<'_>,
    api_key: &SecretString,
    description: &str,
    permitted_ips: &[String],
) -> Result<i64, BunqError> {
    let mut body = json!({ "description": description, "secret": api_key.expose_secret() });
    if !permitted_ips.is_empty() {
        body["permitted_ips"] = json!(permitted_ips);
    }
    let answer = transport
        .send(&Request::post(DEVICE_SERVER, &body), credentials)
        .await?;

    let page = parse_page(DEVICE_SERVER, &answer)?;
    integer_field(
        DEVICE_SERVER,
        wrapped(DEVICE_SERVER, &page.items, "Id")?,
        "id",
    )
}

/// The `session-server` request for `api_key`.
pub(crate) fn session_request(api_key: &SecretString) -> Request {
    Request::post(
        SESSION_SERVER,
        &json!({ "secret": api_key.expose_secret() }),
    )
}

/// Reads a `session-server` answer; `requested_at` is when the request
/// left, from which the session's lifetime counts.
///
/// # Errors
/// A decode error when the token or a known user object is missing.
pub(crate) fn parse_session(
    body: &Bytes,
    requested_at: DateTime<Utc>,
) -> Result<NewSession, BunqError> {
    let path = SESSION_SERVER;
    let page = parse_page(path, body)?;
    let token = string_field(path, wrapped(path, &page.items, "Token")?, "token")?;
    let (user_kind, user) = page
        .items
        .iter()
        .find_map(|item| {
            let map = item.as_object()?;
            map.iter()
                .find_map(|(key, inner)| Some((UserKind::from_wrapper_key(key)?, inner)))
        })
        .ok_or_else(|| BunqError::shape(path, "no UserPerson, UserCompany or UserApiKey object"))?;

    // The id in `/user/{id}` paths is the user object's own `id`; for a
    // UserApiKey that is the key's id, not the granting user's.
    let user_id = integer_field(path, user, "id")?;
    let timeout = session_timeout_secs(user).unwrap_or(DEFAULT_SESSION_TIMEOUT_SECS);
    Ok(NewSession {
        token: SecretString::from(token),
        expires_at: requested_at + session_lifetime(timeout),
        user_id,
        user_kind,
    })
}

/// The user's `session_timeout`, or for a UserApiKey that of the user who
/// granted (else requested) the key.
fn session_timeout_secs(user: &Value) -> Option<i64> {
    let own = user.get("session_timeout").and_then(Value::as_i64);
    let anchored = || {
        ["granted_by_user", "requested_by_user"]
            .iter()
            .find_map(|field| {
                let anchored = user.get(*field)?.as_object()?;
                anchored
                    .values()
                    .find_map(|inner| inner.get("session_timeout")?.as_i64())
            })
    };
    own.or_else(anchored).filter(|secs| *secs > 0)
}

/// How long we use a session of `timeout_secs`: the timeout minus a safety
/// margin of 60 s, or a tenth of it when that is less.
fn session_lifetime(timeout_secs: i64) -> Duration {
    let timeout_ms = timeout_secs.saturating_mul(1000);
    let margin_ms = (SESSION_MARGIN_SECS * 1000).min(timeout_ms / 10);
    Duration::milliseconds(timeout_ms - margin_ms)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answer(user: Value) -> Bytes {
        let body = json!({"Response": [
            {"Id": {"id": 1}},
            {"Token": {"id": 2, "created": "2024-01-01 00:00:00.000000", "token": "session-abc"}},
            user
        ]});
        Bytes::from(body.to_string())
    }

    fn at_noon() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
            .expect("valid")
            .to_utc()
    }

    #[test]
    fn a_person_session_expires_a_minute_before_its_timeout() {
        let body = answer(json!({"UserPerson": {"id": 77, "session_timeout": 3600}}));

        let session = parse_session(&body, at_noon()).expect("session");

        assert_eq!(session.token.expose_secret(), "session-abc");
        assert_eq!((session.user_id, session.user_kind), (77, UserKind::Person));
        assert_eq!(session.expires_at - at_noon(), Duration::seconds(3540));
    }

    #[test]
    fn a_company_session_reads_the_company_user() {
        let body = answer(json!({"UserCompany": {"id": 88, "session_timeout": 600}}));

        let session = parse_session(&body, at_noon()).expect("session");

        assert_eq!(
            (session.user_id, session.user_kind),
            (88, UserKind::Company)
        );
        assert_eq!(session.expires_at - at_noon(), Duration::seconds(540));
    }

    #[test]
    fn an_api_key_session_uses_the_key_id_and_the_granting_users_timeout() {
        let body = answer(json!({"UserApiKey": {
            "id": 99,
            "requested_by_user": {"UserPerson": {"id": 5, "session_timeout": 100}},
            "granted_by_user": {"UserPerson": {"id": 6, "session_timeout": 1200}}
        }}));

        let session = parse_session(&body, at_noon()).expect("session");

        assert_eq!((session.user_id, session.user_kind), (99, UserKind::ApiKey));
        assert_eq!(session.expires_at - at_noon(), Duration::seconds(1140));
    }

    #[test]
    fn short_sessions_keep_nine_tenths_of_their_lifetime() {
        assert_eq!(session_lifetime(5), Duration::milliseconds(4500));
        assert_eq!(session_lifetime(20), Duration::seconds(18));
        let body = answer(json!({"UserPerson": {"id": 1}}));
        let session = parse_session(&body, at_noon()).expect("session");
        assert_eq!(
            session.expires_at - at_noon(),
            Duration::seconds(7 * 24 * 3600 - 60)
        );
    }

    #[test]
    fn an_answer_without_a_user_or_token_is_a_decode_error() {
        let no_user = answer(json!({"UserLight": {"id": 1}}));
        let no_token = Bytes::from(json!({"Response": [{"UserPerson": {"id": 1}}]}).to_string());

        assert!(matches!(
            parse_session(&no_user, at_noon()),
            Err(BunqError::Decode { .. })
        ));
        let err = parse_session(&no_token, at_noon()).err().expect("error");
        assert!(err.to_string().contains("/session-server"), "{err}");
    }
}
