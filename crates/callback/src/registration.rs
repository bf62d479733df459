//! Registering `https://{BUNQ_CALLBACK_HOST}/payment` with bunq at start.
//! bunq replaces the whole set of URL notification filters on every POST,
//! so the set is read, merged and written back: the user's other callbacks
//! stay, this service's own earlier URL (remembered in MongoDB collection
//! `callback_registrations`) is replaced when the host changed, and bunq's
//! limit of two URLs per category is reported before bunq refuses.

use bunq::{BunqClient, BunqError, MUTATION, NotificationFilter};
use mongodb::Database;
use mongodb::bson::{Document, doc};

/// Where the registered URL is remembered, one document per bunq
/// environment (`_id`), so a host change can replace it.
pub const REGISTRATIONS: &str = "callback_registrations";

/// bunq's limit of callback URLs per notification category.
pub const MAX_PER_CATEGORY: usize = 2;

/// Why registration failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// bunq's two MUTATION slots are taken by other callbacks.
    #[error(
        "bunq allows at most {MAX_PER_CATEGORY} MUTATION callback URLs and these are taken: \
         {}; remove one (bunq app, or its notification-filter-url API) and start again",
        .taken.join(", ")
    )]
    LimitReached {
        /// The other MUTATION targets registered now.
        taken: Vec<String>,
    },
    /// bunq could not be read or refused the new set.
    #[error("could not register the callback URL {target} with bunq")]
    Bunq {
        /// The URL being registered.
        target: String,
        /// What bunq said (boxed: it is large, and this path is cold).
        #[source]
        source: Box<BunqError>,
    },
    /// The remembered registration could not be read or saved.
    #[error("could not read or save collection {REGISTRATIONS}")]
    Store(#[from] mongodb::error::Error),
}

/// What registration did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registration {
    /// The URL was registered already; nothing was sent.
    Unchanged,
    /// The set was written with the URL added (and maybe an old one gone).
    Registered {
        /// This service's earlier URL that was removed, if any.
        replaced: Option<String>,
    },
}

/// The new set of filters, or `None` when `existing` needs no change.
///
/// # Errors
/// [`RegistrationError::LimitReached`] when the MUTATION slots are full.
pub fn merge(
    existing: &[NotificationFilter],
    target: &str,
    previous: Option<&str>,
) -> Result<Option<Vec<NotificationFilter>>, RegistrationError> {
    let is_mutation_to =
        |f: &NotificationFilter, url: &str| f.category == MUTATION && f.notification_target == url;
    let stale = previous.filter(|p| *p != target);
    let has_stale = stale.is_some_and(|p| existing.iter().any(|f| is_mutation_to(f, p)));
    let has_own = existing.iter().any(|f| is_mutation_to(f, target));
    if has_own && !has_stale {
        return Ok(None);
    }

    let mut merged: Vec<NotificationFilter> = existing
        .iter()
        .filter(|f| !stale.is_some_and(|p| is_mutation_to(f, p)))
        .cloned()
        .collect();
    if !has_own {
        merged.push(NotificationFilter::mutation(target));
    }
    let taken: Vec<String> = merged
        .iter()
        .filter(|f| f.category == MUTATION && f.notification_target != target)
        .map(|f| f.notification_target.clone())
        .collect();
    if taken.len() >= MAX_PER_CATEGORY {
        return Err(RegistrationError::LimitReached { taken });
    }
    Ok(Some(merged))
}

/// Registers `target` with bunq, merging with what is there.
///
/// # Errors
/// [`RegistrationError`]: the limit, bunq, or MongoDB.
pub async fn register(
    bunq: &BunqClient,
    database: &Database,
    target: &str,
) -> Result<Registration, RegistrationError> {
    let bunq_error = |source| RegistrationError::Bunq {
        target: target.to_owned(),
        source: Box::new(source),
    };
    let key = bunq.environment().to_string();
    let previous = remembered(database, &key).await?;
    let existing = bunq.notification_filters().await.map_err(bunq_error)?;

    let outcome = match merge(&existing, target, previous.as_deref())? {
        None => Registration::Unchanged,
        Some(filters) => {
            bunq.set_notification_filters(&filters)
                .await
                .map_err(bunq_error)?;
            let replaced = previous.filter(|p| p != target);
            Registration::Registered { replaced }
        }
    };
    remember(database, &key, target).await?;
    tracing::info!(callback.url = target, outcome = ?outcome, "callback registered with bunq");
    Ok(outcome)
}

async fn remembered(database: &Database, key: &str) -> mongodb::error::Result<Option<String>> {
    let found = database
        .collection::<Document>(REGISTRATIONS)
        .find_one(doc! { "_id": key })
        .await?;
    Ok(found.and_then(|d| d.get_str("target").ok().map(str::to_owned)))
}

async fn remember(database: &Database, key: &str, target: &str) -> mongodb::error::Result<()> {
    let registered_at = mongodb::bson::DateTime::now();
    database
        .collection::<Document>(REGISTRATIONS)
        .update_one(
            doc! { "_id": key },
            doc! { "$set": { "target": target, "registered_at": registered_at } },
        )
        .upsert(true)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "https://new.example/payment";

    fn other(category: &str, url: &str) -> NotificationFilter {
        NotificationFilter {
            category: category.to_owned(),
            notification_target: url.to_owned(),
        }
    }

    #[test]
    fn an_existing_registration_needs_no_write() {
        let existing = [NotificationFilter::mutation(OURS)];

        assert_eq!(merge(&existing, OURS, Some(OURS)).expect("ok"), None);
    }

    #[test]
    fn other_callbacks_are_kept_and_ours_is_added() {
        let existing = [
            other("PAYMENT", "https://a.example/p"),
            other(MUTATION, "https://b.example/m"),
        ];

        let merged = merge(&existing, OURS, None).expect("ok").expect("a write");

        assert_eq!(merged.len(), 3);
        assert_eq!(merged[..2], existing);
        assert_eq!(merged[2], NotificationFilter::mutation(OURS));
    }

    #[test]
    fn our_old_url_is_replaced_and_frees_its_slot() {
        let old = "https://old.example/payment";
        let existing = [
            other(MUTATION, "https://b.example/m"),
            NotificationFilter::mutation(old),
        ];

        let merged = merge(&existing, OURS, Some(old))
            .expect("ok")
            .expect("a write");

        assert_eq!(
            merged,
            vec![
                other(MUTATION, "https://b.example/m"),
                NotificationFilter::mutation(OURS)
            ]
        );
    }

    #[test]
    fn two_other_mutation_callbacks_are_the_limit_and_are_named() {
        let existing = [
            other(MUTATION, "https://a.example/m"),
            other(MUTATION, "https://b.example/m"),
        ];

        let err = merge(&existing, OURS, None).expect_err("full");

        let message = err.to_string();
        assert!(message.contains("https://a.example/m"), "{message}");
        assert!(message.contains("https://b.example/m"), "{message}");
    }
}
