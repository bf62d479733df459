//! The HTTP surface: `POST /payment` (and `/payments`, the name the old
//! docs used) behind the source check and the body limit, plus `/health`,
//! `/metrics`, `/openapi.json` and `/docs`.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tracing::Instrument;

use crate::AppState;
use crate::error::ApiError;

pub mod payment;

/// The callback routes with their guard and body limit.
pub fn callbacks(state: AppState) -> Router {
    let limit = state.body_limit();
    Router::new()
        .route("/payment", post(payment::receive))
        .route("/payments", post(payment::receive))
        .route_layer(from_fn_with_state(state.clone(), allow_source))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Refuses callers outside the allowed networks before the body is read,
/// and opens the request's span with the caller's address.
async fn allow_source(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        // Served without connection info: nothing vouches for the caller.
        let unknown = std::net::IpAddr::from([0, 0, 0, 0]);
        return ApiError::Forbidden(unknown).into_response();
    };
    let client = state.trust().client_ip(peer, request.headers());
    if !state.trust().allowed.contains(client) {
        return ApiError::Forbidden(client).into_response();
    }
    let span = tracing::info_span!("callback", client.ip = %client, peer.ip = %peer.ip());
    next.run(request).instrument(span).await
}
