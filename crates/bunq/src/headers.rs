//! The headers bunq documents for every request, built fresh per request:
//! each one gets its own `X-Bunq-Client-Request-Id`, and the token and
//! signature headers are marked sensitive so that no HTTP-level logging
//! shows them.

use reqwest::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use secrecy::{ExposeSecret, SecretString};

use crate::error::BunqError;

/// `X-Bunq-Language`: the language of error descriptions.
pub(crate) const LANGUAGE: HeaderName = HeaderName::from_static("x-bunq-language");
/// `X-Bunq-Region`.
pub(crate) const REGION: HeaderName = HeaderName::from_static("x-bunq-region");
/// `X-Bunq-Geolocation`: `lon lat alt radius country`; zeros say "unknown".
pub(crate) const GEOLOCATION: HeaderName = HeaderName::from_static("x-bunq-geolocation");
/// `X-Bunq-Client-Request-Id`: unique per request; bunq rejects reuse.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-bunq-client-request-id");
/// `X-Bunq-Client-Authentication`: the installation or session token.
pub(crate) const AUTHENTICATION: HeaderName =
    HeaderName::from_static("x-bunq-client-authentication");
/// `X-Bunq-Client-Signature`: our signature of the request body.
pub(crate) const CLIENT_SIGNATURE: HeaderName = HeaderName::from_static("x-bunq-client-signature");
/// `X-Bunq-Server-Signature`: bunq's signature of the response body.
pub(crate) const SERVER_SIGNATURE: HeaderName = HeaderName::from_static("x-bunq-server-signature");

/// What varies between requests.
pub(crate) struct RequestHeaders<'a> {
    /// Sent as `User-Agent`.
    pub(crate) user_agent: &'a HeaderValue,
    /// The token for `X-Bunq-Client-Authentication`; `None` only for
    /// `installation`.
    pub(crate) token: Option<&'a SecretString>,
    /// The base64 body signature, for requests with a body.
    pub(crate) signature: Option<String>,
}

impl RequestHeaders<'_> {
    /// The complete header set and the request id in it.
    ///
    /// # Errors
    /// [`BunqError::Crypto`] when a stored token cannot be a header value
    /// (the message does not show it).
    pub(crate) fn build(self) -> Result<(HeaderMap, String), BunqError> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut headers = HeaderMap::with_capacity(9);
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(LANGUAGE, HeaderValue::from_static("en_US"));
        headers.insert(REGION, HeaderValue::from_static("nl_NL"));
        headers.insert(GEOLOCATION, HeaderValue::from_static("0 0 0 0 000"));
        headers.insert(REQUEST_ID, header_value(&request_id, "request id")?);

        if let Some(token) = self.token {
            let mut value = header_value(token.expose_secret(), "the stored bunq token")?;
            value.set_sensitive(true);
            headers.insert(AUTHENTICATION, value);
        }
        if let Some(signature) = self.signature {
            let mut value = header_value(&signature, "the body signature")?;
            value.set_sensitive(true);
            headers.insert(CLIENT_SIGNATURE, value);
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok((headers, request_id))
    }
}

fn header_value(text: &str, what: &str) -> Result<HeaderValue, BunqError> {
    HeaderValue::from_str(text)
        .map_err(|_| BunqError::Crypto(format!("{what} is not a valid HTTP header value")))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn build(token: Option<&SecretString>, signature: Option<&str>) -> (HeaderMap, String) {
        let user_agent = HeaderValue::from_static("bunq-ynab-connect/test");
        RequestHeaders {
            user_agent: &user_agent,
            token,
            signature: signature.map(str::to_owned),
        }
        .build()
        .expect("headers")
    }

    #[test]
    fn every_documented_header_is_sent() {
        let token = SecretString::from("session-token");

        let (headers, request_id) = build(Some(&token), Some("c2lnbmF0dXJl"));

        let expected = [
            ("cache-control", "no-cache"),
            ("user-agent", "bunq-ynab-connect/test"),
            ("x-bunq-language", "en_US"),
            ("x-bunq-region", "nl_NL"),
            ("x-bunq-geolocation", "0 0 0 0 000"),
            ("x-bunq-client-authentication", "session-token"),
            ("x-bunq-client-signature", "c2lnbmF0dXJl"),
            ("content-type", "application/json"),
        ];
        for (name, value) in expected {
            assert_eq!(
                headers.get(name).map(|v| v.as_bytes()),
                Some(value.as_bytes()),
                "{name}"
            );
        }
        assert_eq!(headers[REQUEST_ID].to_str().expect("ascii"), request_id);
        assert!(headers[AUTHENTICATION].is_sensitive());
        assert_eq!(headers.len(), expected.len() + 1);
    }

    #[test]
    fn installation_and_get_requests_leave_out_what_they_lack() {
        let (headers, _) = build(None, None);

        assert!(!headers.contains_key(AUTHENTICATION));
        assert!(!headers.contains_key(CLIENT_SIGNATURE));
        assert!(!headers.contains_key(CONTENT_TYPE));
        assert!(headers.contains_key(REQUEST_ID));
    }

    #[test]
    fn request_ids_are_unique_uuids() {
        let ids: HashSet<String> = (0..1_000).map(|_| build(None, None).1).collect();

        assert_eq!(ids.len(), 1_000);
        assert!(
            ids.iter()
                .all(|id| uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 4))
        );
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_without_showing_it() {
        let token = SecretString::from("bad\ntoken");
        let user_agent = HeaderValue::from_static("ua");

        let err = RequestHeaders {
            user_agent: &user_agent,
            token: Some(&token),
            signature: None,
        }
        .build()
        .expect_err("invalid");

        assert!(!err.to_string().contains("bad"), "{err}");
    }
}
