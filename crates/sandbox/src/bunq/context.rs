//! The context flow: `POST /installation` registers the client's key and
//! hands out an installation token and the server key; `POST /device-server`
//! binds the API key; `POST /session-server` opens a session and answers
//! with the user.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use domain::time::format_bunq_timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::crypto::ClientKey;
use super::guard::Caller;
use super::render::{respond, user_object};
use super::{BunqError, BunqState};

#[derive(Deserialize)]
struct InstallationBody {
    client_public_key: String,
}

#[derive(Deserialize)]
struct DeviceBody {
    description: String,
    secret: String,
    #[serde(default)]
    permitted_ips: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct SessionBody {
    secret: String,
}

/// Reads a JSON body, answering 400 the way bunq does when it cannot.
pub(crate) fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BunqError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let reason = if e.is_data() {
            "is missing a field or has a wrong type"
        } else {
            "is not valid JSON"
        };
        BunqError::bad_request(format!("The request body {reason} ({e})."))
    })
}

/// `POST /v1/installation`.
pub(crate) async fn installation(
    State(state): State<Arc<BunqState>>,
    body: Bytes,
) -> Result<Response, BunqError> {
    let body: InstallationBody = parse_body(&body)?;
    let key = ClientKey::from_pem(&body.client_public_key).ok_or_else(|| {
        BunqError::bad_request("The client_public_key is not a valid RSA public key in PEM format.")
    })?;

    let (id, token) = state.store().install(key);
    tracing::info!(installation.id = id, "bunq installation created");
    let now = format_bunq_timestamp(Utc::now());
    Ok(respond(vec![
        json!({"Id": {"id": id}}),
        json!({"Token": {"id": id, "created": now, "updated": now, "token": token}}),
        json!({"ServerPublicKey": {"server_public_key": state.key.public_pem()}}),
    ]))
}

/// `POST /v1/device-server`.
pub(crate) async fn device_server(
    State(state): State<Arc<BunqState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, BunqError> {
    let body: DeviceBody = parse_body(&body)?;
    if body.secret != state.settings.api_key {
        return Err(BunqError::bad_credentials());
    }
    let ips = body.permitted_ips.unwrap_or_default();
    if ips
        .iter()
        .any(|ip| ip != "*" && ip.parse::<std::net::IpAddr>().is_err())
    {
        return Err(BunqError::bad_request(
            "The permitted_ips contain an invalid IP address.",
        ));
    }

    let device = state
        .store()
        .register_device(&caller.installation)
        .ok_or_else(|| BunqError::bad_request("This device already exists."))?;
    tracing::info!(device.id = device, device.description = %body.description, "bunq device registered");
    Ok(respond(vec![json!({"Id": {"id": device}})]))
}

/// `POST /v1/session-server`.
pub(crate) async fn session_server(
    State(state): State<Arc<BunqState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, BunqError> {
    let body: SessionBody = parse_body(&body)?;
    let has_device = state
        .store()
        .installation(&caller.installation)
        .is_some_and(|i| i.device.is_some());
    if body.secret != state.settings.api_key || !has_device {
        return Err(BunqError::bad_credentials());
    }

    let timeout = state.settings.session_timeout;
    let (id, token) = state.store().open_session(&caller.installation, timeout);
    tracing::info!(session.id = id, "bunq session opened");
    Ok(respond(vec![
        json!({"Id": {"id": id}}),
        json!({"Token": {"id": id, "token": token}}),
        user_object(&state.user, timeout.as_secs()),
    ]))
}
