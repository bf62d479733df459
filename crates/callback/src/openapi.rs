//! The OpenAPI document (`/openapi.json`) and Swagger UI (`/docs`), whose
//! assets are compiled into the binary (`utoipa-swagger-ui`'s `vendored`
//! feature): the page renders with no network beyond this service.

use axum::Router;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::payment::{CallbackAnswer, ErrorBody};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "bunq-ynab-connect callback",
        description = "Receives bunq MUTATION callbacks and syncs the payment to YNAB at once. \
            Callers outside the allowed networks (bunq: 185.40.108.0/22) get 403."
    ),
    paths(crate::routes::payment::receive),
    components(schemas(
        CallbackBody,
        NotificationUrl,
        CallbackObject,
        PaymentRef,
        CallbackAnswer,
        ErrorBody
    ))
)]
pub struct ApiDoc;

/// A bunq callback body (only the fields read are described).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "a schema for the document, never built")]
pub struct CallbackBody {
    /// The notification.
    #[serde(rename = "NotificationUrl")]
    #[schema(rename = "NotificationUrl")]
    pub notification_url: NotificationUrl,
}

/// bunq's `NotificationUrl`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "a schema for the document, never built")]
pub struct NotificationUrl {
    /// The URL bunq called.
    pub target_url: Option<String>,
    /// `MUTATION` is acted on; other categories are ignored.
    #[schema(example = "MUTATION")]
    pub category: String,
    /// For example `MUTATION_CREATED`.
    pub event_type: Option<String>,
    /// The object, wrapped by its type name; only `Payment` is acted on.
    pub object: CallbackObject,
}

/// The object of a notification.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "a schema for the document, never built")]
pub struct CallbackObject {
    /// The payment; its other fields are ignored.
    #[serde(rename = "Payment")]
    #[schema(rename = "Payment")]
    pub payment: Option<PaymentRef>,
}

/// What is read of a payment: the rest is fetched from bunq.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code, reason = "a schema for the document, never built")]
pub struct PaymentRef {
    /// The bunq payment id.
    pub id: i64,
    /// The monetary account it is on.
    pub monetary_account_id: i64,
}

/// `/docs` (Swagger UI) and `/openapi.json`.
pub fn router() -> Router {
    SwaggerUi::new("/docs")
        .url("/openapi.json", ApiDoc::openapi())
        .into()
}
