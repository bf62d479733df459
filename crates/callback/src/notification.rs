//! Reading bunq's `NotificationUrl` body. Only the category, the object's
//! type and, for a payment, its `id` and `monetary_account_id` are taken:
//! everything else in the body is ignored, because anyone who can reach
//! the URL can write it. The payment itself is fetched from bunq.

use serde::Deserialize;
use serde_json::{Map, Value};

/// What a callback asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// A MUTATION about a payment.
    Payment {
        /// The bunq payment id.
        id: i64,
        /// The monetary account it is on.
        account_id: i64,
    },
    /// Something this service does not act on (answered 200, so that bunq
    /// does not retry it).
    Ignored(String),
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "NotificationUrl")]
    notification_url: NotificationUrl,
}

#[derive(Deserialize)]
struct NotificationUrl {
    category: String,
    object: Map<String, Value>,
}

#[derive(Deserialize)]
struct PaymentRef {
    id: i64,
    monetary_account_id: i64,
}

/// Reads a callback body.
///
/// # Errors
/// A message for the 400 answer: not JSON, cut off, nested deeper than
/// serde_json's limit (128), or not shaped as a `NotificationUrl`.
pub fn parse(body: &[u8]) -> Result<Notification, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the body is empty; expected a bunq NotificationUrl".to_owned());
    }
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| shorten(format!("the body is not a bunq NotificationUrl: {e}")))?;
    let notification = envelope.notification_url;
    if notification.category != "MUTATION" {
        let category = shorten(notification.category);
        return Ok(Notification::Ignored(format!("category {category}")));
    }
    let Some(payment) = notification.object.get("Payment") else {
        let kind = notification
            .object
            .keys()
            .next()
            .map_or("none", String::as_str);
        return Ok(Notification::Ignored(format!(
            "object {}",
            shorten(kind.to_owned())
        )));
    };
    let payment = PaymentRef::deserialize(payment).map_err(|e| {
        shorten(format!(
            "the Payment needs an integer id and monetary_account_id: {e}"
        ))
    })?;
    if payment.id <= 0 || payment.monetary_account_id <= 0 {
        return Err("the Payment's id and monetary_account_id must be positive".to_owned());
    }
    Ok(Notification::Payment {
        id: payment.id,
        account_id: payment.monetary_account_id,
    })
}

/// Keeps echoed text short: an answer never repeats a large body.
fn shorten(mut text: String) -> String {
    const MAX_CHARS: usize = 200;
    if let Some((cut, _)) = text.char_indices().nth(MAX_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).expect("json")
    }

    #[test]
    fn a_mutation_payment_gives_its_ids_and_nothing_else() {
        let value = json!({"NotificationUrl": {"target_url": "https://h/payment",
            "category": "MUTATION", "event_type": "MUTATION_CREATED",
            "object": {"Payment": {"id": 42, "monetary_account_id": 7,
                "amount": {"value": "-1000000.00", "currency": "EUR"}}}}});

        assert_eq!(
            parse(&body(&value)),
            Ok(Notification::Payment {
                id: 42,
                account_id: 7
            })
        );
    }

    #[test]
    fn other_categories_and_object_types_are_ignored() {
        let card = json!({"NotificationUrl": {"category": "CARD_TRANSACTION_SUCCESSFUL",
            "object": {"MasterCardAction": {"id": 1}}}});
        let request = json!({"NotificationUrl": {"category": "MUTATION",
            "object": {"RequestResponse": {"id": 1}}}});

        assert!(matches!(parse(&body(&card)), Ok(Notification::Ignored(_))));
        assert!(matches!(
            parse(&body(&request)),
            Ok(Notification::Ignored(_))
        ));
    }

    #[test]
    fn wrong_types_missing_ids_and_junk_are_errors() {
        for bad in [
            &b""[..],
            b"   ",
            b"{",
            b"null",
            b"[1,2]",
            br#"{"NotificationUrl": {"category": 5, "object": {}}}"#,
            br#"{"NotificationUrl": {"category": "MUTATION", "object": []}}"#,
            br#"{"NotificationUrl": {"category": "MUTATION", "object": {"Payment": {"id": "42", "monetary_account_id": 7}}}}"#,
            br#"{"NotificationUrl": {"category": "MUTATION", "object": {"Payment": {"id": 42}}}}"#,
            br#"{"NotificationUrl": {"category": "MUTATION", "object": {"Payment": {"id": -1, "monetary_account_id": 7}}}}"#,
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!(
            r#"{{"NotificationUrl": {{"category": "MUTATION", "object": {{"X": {}{}}}}}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );

        assert!(parse(deep.as_bytes()).is_err());
    }
}
