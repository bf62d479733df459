//! `POST /payment`: read the notification, fetch the payment it names from
//! bunq, store and enqueue it, answer, and hand it to the sync tasks.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use bunq::BunqError;
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::notification::{self, Notification};
use crate::sync::Submitted;

/// The answer to a callback that was handled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallbackAnswer {
    /// `accepted` (stored, queued and being synced) or `ignored`.
    pub status: &'static str,
    /// The payment, when accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<i64>,
    /// Why it was ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The body of an error answer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What was wrong (generic for 5xx).
    pub error: String,
}

/// Receives one bunq callback.
#[utoipa::path(
    post,
    path = "/payment",
    tag = "callback",
    description = "Receives a bunq MUTATION callback (`NotificationUrl`). Only the payment's \
        `id` and `monetary_account_id` are read from the body; the payment itself is fetched \
        from bunq, stored, queued and synced to YNAB right after the answer. Other categories \
        and object types are answered 200 and ignored. Also served at `/payments`.",
    request_body(content = crate::openapi::CallbackBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Accepted or ignored", body = CallbackAnswer),
        (status = 400, description = "Not a readable NotificationUrl", body = ErrorBody),
        (status = 403, description = "Caller outside the allowed networks", body = ErrorBody),
        (status = 404, description = "bunq knows no such payment", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 503, description = "bunq or MongoDB unreachable; bunq retries", body = ErrorBody),
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CallbackAnswer>, ApiError> {
    let body = body.map_err(|rejection| ApiError::Body {
        status: rejection.status(),
        message: rejection.body_text(),
    })?;
    match notification::parse(&body).map_err(ApiError::BadRequest)? {
        Notification::Ignored(reason) => {
            tracing::debug!(reason, "callback ignored");
            metrics::counter!("callback_requests_total", "outcome" => "ignored").increment(1);
            Ok(Json(CallbackAnswer {
                status: "ignored",
                payment_id: None,
                reason: Some(reason),
            }))
        }
        Notification::Payment { id, account_id } => accept(&state, id, account_id).await,
    }
}

/// Fetches, stores and enqueues the payment, then submits it for syncing.
async fn accept(
    state: &AppState,
    payment_id: i64,
    account_id: i64,
) -> Result<Json<CallbackAnswer>, ApiError> {
    let payment = match state.bunq().payment(account_id, payment_id).await {
        Ok(payment) => payment,
        Err(BunqError::Api {
            status: 400 | 404, ..
        }) => {
            return Err(ApiError::UnknownPayment {
                payment_id,
                account_id,
            });
        }
        Err(error) => {
            let error = anyhow::Error::new(error).context(format!(
                "could not fetch payment {payment_id} of account {account_id} from bunq"
            ));
            return Err(ApiError::Unavailable(error));
        }
    };

    let unavailable = |e: store::StoreError| ApiError::Unavailable(e.into());
    let store = state.store();
    store
        .upsert_bunq_payments(std::slice::from_ref(&payment))
        .await
        .map_err(unavailable)?;
    store
        .enqueue_payments(&[(payment.id, payment.created)], Utc::now())
        .await
        .map_err(unavailable)?;

    let submitted = state.syncer().submit(payment.id);
    tracing::info!(payment.id = payment.id, account.id = payment.monetary_account_id,
        submitted = ?submitted, "callback payment stored and queued");
    if submitted == Submitted::LeftForWorker {
        tracing::warn!(
            payment.id = payment.id,
            "sync tasks busy; left for the sync worker"
        );
    }
    metrics::counter!("callback_requests_total", "outcome" => "accepted").increment(1);
    Ok(Json(CallbackAnswer {
        status: "accepted",
        payment_id: Some(payment.id),
        reason: None,
    }))
}
