//! The shared bunq API context in collection `bunq_context`: one document
//! per environment (`_id` = `PRODUCTION` or `SANDBOX`), written with
//! optimistic concurrency. Every save names the `version` it read; a save
//! against a newer document is a [`SaveOutcome::Conflict`], never a lost
//! update. `_id` is unique by nature, so this collection needs no index.

use chrono::{DateTime, Utc};
use domain::bunq_context::{ApiContext, Environment, UserKind};
use mongodb::bson::{self, Document, doc};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::{Collection, Database};
use secrecy::{ExposeSecret, SecretString};

/// The collection's name.
pub const COLLECTION: &str = "bunq_context";

/// MongoDB's code for a duplicate key.
const DUPLICATE_KEY: i32 = 11000;

/// A value together with the version it was stored under.
#[derive(Clone, Debug)]
pub struct Versioned<T> {
    /// The stored value.
    pub value: T,
    /// Its version: 1 for the first save, one more for each save after.
    pub version: i64,
}

/// How a compare-and-swap save ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The context is stored under this new version.
    Saved {
        /// The version now stored.
        version: i64,
    },
    /// Another process saved first: the stored version is not the expected
    /// one. Reload and decide again.
    Conflict,
}

/// Why the context could not be loaded or saved. Messages never carry a
/// secret: they name the environment and the field, not its value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// MongoDB refused or could not be reached.
    #[error("could not {operation} the bunq {environment} context in MongoDB")]
    Mongo {
        /// `load` or `save`.
        operation: &'static str,
        /// The context concerned.
        environment: Environment,
        /// The driver's error.
        #[source]
        source: mongodb::error::Error,
    },
    /// The stored document lacks a field or has one of the wrong type.
    #[error("the stored bunq {environment} context is malformed: field {field:?} {problem}")]
    Malformed {
        /// The context concerned.
        environment: Environment,
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A context of one environment was about to be saved as another's.
    #[error("cannot save a {context} context as the {environment} context")]
    EnvironmentMismatch {
        /// The document that would have been written.
        environment: Environment,
        /// The environment the context itself names.
        context: Environment,
    },
}

/// Reads and writes the `bunq_context` collection.
#[derive(Clone, Debug)]
pub struct ContextRepo {
    collection: Collection<Document>,
}

impl ContextRepo {
    /// The repository over `database.bunq_context`.
    pub fn new(database: &Database) -> Self {
        Self {
            collection: database.collection(COLLECTION),
        }
    }

    /// The stored context of `environment`, with its version.
    ///
    /// # Errors
    /// [`ContextError::Mongo`] when the read fails, [`ContextError::Malformed`]
    /// when the stored document does not have the expected shape.
    pub async fn load(
        &self,
        environment: Environment,
    ) -> Result<Option<Versioned<ApiContext>>, ContextError> {
        let found = self
            .collection
            .find_one(doc! { "_id": environment.as_str() })
            .await
            .map_err(|source| ContextError::Mongo {
                operation: "load",
                environment,
                source,
            })?;
        found
            .map(|document| from_document(environment, &document))
            .transpose()
    }

    /// Saves `context` if the stored version is still `expected_version`
    /// (`None`: nothing is stored yet). The first save inserts version 1;
    /// each later save replaces the document and adds one.
    ///
    /// # Errors
    /// [`ContextError::Mongo`] when the write fails for another reason than
    /// a lost race, [`ContextError::EnvironmentMismatch`] when `context`
    /// belongs to another environment.
    pub async fn save(
        &self,
        environment: Environment,
        context: &ApiContext,
        expected_version: Option<i64>,
    ) -> Result<SaveOutcome, ContextError> {
        if context.environment != environment {
            let context = context.environment;
            return Err(ContextError::EnvironmentMismatch {
                environment,
                context,
            });
        }
        let written = match expected_version {
            None => self.insert_first(context).await,
            Some(expected) => self.replace_version(context, expected).await,
        };
        written.map_err(|source| ContextError::Mongo {
            operation: "save",
            environment,
            source,
        })
    }

    /// Inserts version 1; a document already there is a conflict.
    async fn insert_first(
        &self,
        context: &ApiContext,
    ) -> Result<SaveOutcome, mongodb::error::Error> {
        match self.collection.insert_one(to_document(context, 1)).await {
            Ok(_) => Ok(SaveOutcome::Saved { version: 1 }),
            Err(e) if is_duplicate_key(&e) => Ok(SaveOutcome::Conflict),
            Err(e) => Err(e),
        }
    }

    /// Replaces the document only while it still has version `expected`.
    async fn replace_version(
        &self,
        context: &ApiContext,
        expected: i64,
    ) -> Result<SaveOutcome, mongodb::error::Error> {
        let filter = doc! { "_id": context.environment.as_str(), "version": expected };
        let replacement = to_document(context, expected + 1);
        let result = self.collection.replace_one(filter, replacement).await?;
        Ok(if result.matched_count == 1 {
            SaveOutcome::Saved {
                version: expected + 1,
            }
        } else {
            SaveOutcome::Conflict
        })
    }
}

fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    matches!(
        error.kind.as_ref(),
        ErrorKind::Write(WriteFailure::WriteError(write)) if write.code == DUPLICATE_KEY
    )
}

fn to_document(context: &ApiContext, version: i64) -> Document {
    doc! {
        "_id": context.environment.as_str(),
        "version": version,
        "api_key": context.api_key.expose_secret(),
        "private_key_pem": context.private_key_pem.expose_secret(),
        "installation_token": context.installation_token.expose_secret(),
        "server_public_key_pem": &context.server_public_key_pem,
        "device_server_id": context.device_server_id,
        "session_token": context.session_token.expose_secret(),
        "session_expires_at": bson_date(context.session_expires_at),
        "user_id": context.user_id,
        "user_kind": context.user_kind.wrapper_key(),
        "updated_at": bson_date(Utc::now()),
    }
}

fn from_document(
    environment: Environment,
    document: &Document,
) -> Result<Versioned<ApiContext>, ContextError> {
    let field = Fields {
        environment,
        document,
    };
    let kind = field.string("user_kind")?;
    let user_kind = UserKind::from_wrapper_key(kind).ok_or_else(|| {
        field.malformed("user_kind", format!("is {kind:?}, not a bunq user kind"))
    })?;
    let expires = field
        .document
        .get_datetime("session_expires_at")
        .map_err(|e| field.malformed("session_expires_at", format!("is not a date ({e})")))?;

    let context = ApiContext {
        environment,
        api_key: field.secret("api_key")?,
        private_key_pem: field.secret("private_key_pem")?,
        installation_token: field.secret("installation_token")?,
        server_public_key_pem: field.string("server_public_key_pem")?.to_owned(),
        device_server_id: field.integer("device_server_id")?,
        session_token: field.secret("session_token")?,
        session_expires_at: chrono_date(*expires),
        user_id: field.integer("user_id")?,
        user_kind,
    };
    Ok(Versioned {
        value: context,
        version: field.integer("version")?,
    })
}

/// Typed access to the stored document with errors that name the field
/// (and never show its value, which may be a secret).
struct Fields<'a> {
    environment: Environment,
    document: &'a Document,
}

impl Fields<'_> {
    fn malformed(&self, field: &'static str, problem: String) -> ContextError {
        ContextError::Malformed {
            environment: self.environment,
            field,
            problem,
        }
    }

    fn string(&self, field: &'static str) -> Result<&str, ContextError> {
        self.document
            .get_str(field)
            .map_err(|_| self.malformed(field, "is missing or not a string".to_owned()))
    }

    fn secret(&self, field: &'static str) -> Result<SecretString, ContextError> {
        self.string(field).map(SecretString::from)
    }

    fn integer(&self, field: &'static str) -> Result<i64, ContextError> {
        match self.document.get(field) {
            Some(bson::Bson::Int64(value)) => Ok(*value),
            Some(bson::Bson::Int32(value)) => Ok(i64::from(*value)),
            _ => Err(self.malformed(field, "is missing or not an integer".to_owned())),
        }
    }
}

fn bson_date(instant: DateTime<Utc>) -> bson::DateTime {
    bson::DateTime::from_millis(instant.timestamp_millis())
}

fn chrono_date(date: bson::DateTime) -> DateTime<Utc> {
    // Every BSON date within chrono's range converts; the fallback only
    // covers dates hundreds of millennia away, which we never write.
    DateTime::from_timestamp_millis(date.timestamp_millis()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use test_support::TestDb;

    use super::*;

    fn context(session_token: &str) -> ApiContext {
        ApiContext {
            environment: Environment::Sandbox,
            api_key: SecretString::from("api-key"),
            private_key_pem: SecretString::from("private-key"),
            installation_token: SecretString::from("installation-token"),
            server_public_key_pem: "server-key".to_owned(),
            device_server_id: 11,
            session_token: SecretString::from(session_token),
            session_expires_at: Utc
                .with_ymd_and_hms(2030, 5, 1, 8, 30, 0)
                .single()
                .expect("valid"),
            user_id: 1234,
            user_kind: UserKind::Company,
        }
    }

    #[tokio::test]
    async fn a_saved_context_loads_back_with_its_version() {
        let db = TestDb::new().await;
        let repo = ContextRepo::new(db.database());

        let outcome = repo
            .save(Environment::Sandbox, &context("s1"), None)
            .await
            .expect("save");
        let loaded = repo
            .load(Environment::Sandbox)
            .await
            .expect("load")
            .expect("stored");

        assert_eq!(outcome, SaveOutcome::Saved { version: 1 });
        assert_eq!(loaded.version, 1);
        assert_eq!(loaded.value.session_token.expose_secret(), "s1");
        assert_eq!(loaded.value.api_key.expose_secret(), "api-key");
        assert_eq!(loaded.value.user_kind, UserKind::Company);
        assert_eq!(
            loaded.value.session_expires_at,
            context("s1").session_expires_at
        );
        assert!(
            repo.load(Environment::Production)
                .await
                .expect("load")
                .is_none()
        );
        db.drop_now().await;
    }

    #[tokio::test]
    async fn a_save_against_a_stale_version_is_a_conflict_and_changes_nothing() {
        let db = TestDb::new().await;
        let repo = ContextRepo::new(db.database());
        repo.save(Environment::Sandbox, &context("s1"), None)
            .await
            .expect("first");

        let winner = repo
            .save(Environment::Sandbox, &context("s2"), Some(1))
            .await
            .expect("cas");
        let loser = repo
            .save(Environment::Sandbox, &context("s3"), Some(1))
            .await
            .expect("cas");
        let second_insert = repo.save(Environment::Sandbox, &context("s4"), None).await;

        assert_eq!(winner, SaveOutcome::Saved { version: 2 });
        assert_eq!(loser, SaveOutcome::Conflict);
        assert_eq!(second_insert.expect("insert"), SaveOutcome::Conflict);
        let stored = repo
            .load(Environment::Sandbox)
            .await
            .expect("load")
            .expect("stored");
        assert_eq!(
            (stored.version, stored.value.session_token.expose_secret()),
            (2, "s2")
        );
        db.drop_now().await;
    }

    #[tokio::test]
    async fn concurrent_saves_of_one_version_let_exactly_one_win() {
        let db = TestDb::new().await;
        let repo = ContextRepo::new(db.database());
        repo.save(Environment::Sandbox, &context("s1"), None)
            .await
            .expect("first");

        let saves = (0..8).map(|i| {
            let repo = repo.clone();
            tokio::spawn(async move {
                repo.save(Environment::Sandbox, &context(&format!("t{i}")), Some(1))
                    .await
            })
        });
        let outcomes = futures::future::join_all(saves).await;

        let won = outcomes
            .into_iter()
            .map(|joined| joined.expect("task").expect("save"))
            .filter(|outcome| matches!(outcome, SaveOutcome::Saved { version: 2 }))
            .count();
        assert_eq!(won, 1);
        db.drop_now().await;
    }

    #[tokio::test]
    async fn a_context_of_another_environment_is_refused() {
        let db = TestDb::new().await;
        let repo = ContextRepo::new(db.database());

        let err = repo
            .save(Environment::Production, &context("s1"), None)
            .await
            .expect_err("mismatch");

        assert!(
            matches!(err, ContextError::EnvironmentMismatch { .. }),
            "{err}"
        );
        db.drop_now().await;
    }

    #[tokio::test]
    async fn a_malformed_document_names_the_field_but_not_the_secret() {
        let db = TestDb::new().await;
        let repo = ContextRepo::new(db.database());
        let mut document = to_document(&context("s1"), 1);
        document.insert("user_id", "not a number");
        document.insert(
            "session_expires_at",
            bson_date(Utc::now() + Duration::hours(1)),
        );
        db.database()
            .collection::<Document>(COLLECTION)
            .insert_one(document)
            .await
            .expect("insert");

        let err = repo
            .load(Environment::Sandbox)
            .await
            .expect_err("malformed");

        let message = err.to_string();
        assert!(message.contains("\"user_id\""), "{message}");
        assert!(
            !message.contains("api-key") && !message.contains("s1"),
            "{message}"
        );
        db.drop_now().await;
    }
}
