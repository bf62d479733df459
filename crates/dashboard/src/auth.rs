//! The password on every page and the CSRF guard on every form.
//!
//! Pages use HTTP Basic authentication: any user name, the configured
//! password, compared in constant time (over SHA-256 digests, so the
//! comparison does not even leak the length). Because browsers send Basic
//! credentials with cross-site requests too, every POST must also carry
//! the per-process CSRF token from the form, and an `Origin` header, when
//! present, must name this host.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::DashboardError;

/// The realm browsers show in their password prompt.
const REALM: &str = "Basic realm=\"bunq-ynab-connect dashboard\", charset=\"UTF-8\"";

/// Middleware: lets a request through only with the right password.
pub async fn require_password(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let supplied = basic_password(request.headers());
    if supplied.is_some_and(|p| same_secret(p.as_bytes(), state.password_digest())) {
        return next.run(request).await;
    }
    tracing::info!(path = %request.uri().path(), "dashboard request without the right password");
    (
        StatusCode::UNAUTHORIZED,
        [(WWW_AUTHENTICATE, REALM)],
        Html("<!doctype html><title>401</title><h1>401 Unauthorized</h1><p>The dashboard needs its password (DASHBOARD_PASSWORD).</p>"),
    )
        .into_response()
}

/// The password of a `Basic` authorization header (user name ignored).
fn basic_password(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (_user, password) = text.split_once(':')?;
    Some(password.to_owned())
}

/// SHA-256 of a secret, the form both sides are compared in.
pub fn digest(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

/// Whether `supplied` hashes to `expected`, in constant time.
fn same_secret(supplied: &[u8], expected: &[u8; 32]) -> bool {
    digest(supplied).ct_eq(expected).into()
}

/// Checks a form's CSRF token and the request's origin.
///
/// # Errors
/// [`DashboardError::Forbidden`] when the token is wrong or the `Origin`
/// header names another host.
pub fn check_form(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
) -> Result<(), DashboardError> {
    if !bool::from(token.as_bytes().ct_eq(state.csrf_token().as_bytes())) {
        return Err(DashboardError::Forbidden(
            "the form's token is missing or stale; reload the page",
        ));
    }
    if let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
        if origin_host != host {
            return Err(DashboardError::Forbidden(
                "the form was sent from another site",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_read_from_a_basic_header_whatever_the_user_name() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("anyone:s3cret:with:colons");
        headers.insert(
            AUTHORIZATION,
            format!("Basic {encoded}").parse().expect("header"),
        );

        assert_eq!(
            basic_password(&headers).as_deref(),
            Some("s3cret:with:colons")
        );
    }

    #[test]
    fn only_the_configured_password_matches() {
        let expected = digest(b"correct horse");

        assert!(same_secret(b"correct horse", &expected));
        assert!(!same_secret(b"correct hors", &expected));
        assert!(!same_secret(b"", &expected));
    }
}
