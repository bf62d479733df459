//! The collection names (a contract with users' existing databases and
//! Mongo Express bookmarks) and the indexes each one carries.

use mongodb::IndexModel;
use mongodb::bson::{Document, doc};
use mongodb::options::IndexOptions;

/// bunq monetary accounts, keyed by `id`; replaced by each full load.
pub const BUNQ_ACCOUNTS: &str = "bunq_accounts";
/// bunq payments, keyed by `id`.
pub const BUNQ_PAYMENTS: &str = "bunq_payments";
/// YNAB budgets, keyed by `id`; replaced by each full load.
pub const YNAB_BUDGETS: &str = "ynab_budgets";
/// YNAB accounts of every budget, keyed by `id`.
pub const YNAB_ACCOUNTS: &str = "ynab_accounts";
/// YNAB categories of every budget, keyed by `id`.
pub const YNAB_CATEGORIES: &str = "ynab_categories";
/// YNAB transactions of every budget, keyed by `id`.
pub const YNAB_TRANSACTIONS: &str = "ynab_transactions";
/// Payments waiting to be synced, keyed by `payment_id`.
pub const PAYMENT_QUEUE: &str = "payment_queue";
/// The start of each source's last successful load, keyed by `source`.
pub const RUNMOMENTS: &str = "runmoments";
/// The history of scheduled and manual runs, keyed by `run_id`.
pub const RUNS: &str = "runs";
/// bunq payments matched with their YNAB transaction, keyed by `match_id`.
pub const MATCHED_TRANSACTIONS: &str = "matched_transactions";
/// Category suggestions made for payments, keyed by `payment_id`.
pub const PAYMENT_CLASSIFICATIONS: &str = "payment_classifications";
/// Trained category models, one document per version, keyed by
/// (`budget_id`, `version`).
pub const MODELS: &str = "models";
/// The persisted bunq API context (its indexes are managed by
/// [`crate::context`]).
pub const BUNQ_CONTEXT: &str = "bunq_context";

/// One index: the collection and its keys, unique or not.
pub(crate) struct IndexSpec {
    pub(crate) collection: &'static str,
    pub(crate) keys: fn() -> Document,
    pub(crate) unique: bool,
}

/// Every index the store relies on. Names are left to the server's default
/// (`id_1`, `state_1_next_attempt_at_1`), which matches the indexes the
/// Python system created, so a migrated database needs no index changes.
pub(crate) const INDEXES: &[IndexSpec] = &[
    unique(BUNQ_ACCOUNTS, || doc! { "id": 1 }),
    unique(BUNQ_PAYMENTS, || doc! { "id": 1 }),
    plain(
        BUNQ_PAYMENTS,
        || doc! { "monetary_account_id": 1, "created": 1 },
    ),
    unique(YNAB_BUDGETS, || doc! { "id": 1 }),
    unique(YNAB_ACCOUNTS, || doc! { "id": 1 }),
    unique(YNAB_CATEGORIES, || doc! { "id": 1 }),
    unique(YNAB_TRANSACTIONS, || doc! { "id": 1 }),
    plain(
        YNAB_TRANSACTIONS,
        || doc! { "budget_id": 1, "account_id": 1, "date": 1 },
    ),
    plain(YNAB_TRANSACTIONS, || doc! { "import_id": 1 }),
    unique(PAYMENT_QUEUE, || doc! { "payment_id": 1 }),
    plain(PAYMENT_QUEUE, || doc! { "state": 1, "next_attempt_at": 1 }),
    plain(
        PAYMENT_QUEUE,
        || doc! { "payment_created": 1, "payment_id": 1 },
    ),
    plain(PAYMENT_QUEUE, || doc! { "lease_owner": 1 }),
    unique(RUNMOMENTS, || doc! { "source": 1 }),
    unique(RUNS, || doc! { "run_id": 1 }),
    plain(RUNS, || doc! { "job": 1, "started_at": -1 }),
    unique(MATCHED_TRANSACTIONS, || doc! { "match_id": 1 }),
    plain(
        MATCHED_TRANSACTIONS,
        || doc! { "budget_id": 1, "payment_created": 1 },
    ),
    unique(MODELS, || doc! { "budget_id": 1, "version": 1 }),
    plain(MODELS, || doc! { "budget_id": 1, "status": 1 }),
    unique(PAYMENT_CLASSIFICATIONS, || doc! { "payment_id": 1 }),
];

const fn unique(collection: &'static str, keys: fn() -> Document) -> IndexSpec {
    IndexSpec {
        collection,
        keys,
        unique: true,
    }
}

const fn plain(collection: &'static str, keys: fn() -> Document) -> IndexSpec {
    IndexSpec {
        collection,
        keys,
        unique: false,
    }
}

impl IndexSpec {
    /// The driver's description of this index.
    pub(crate) fn model(&self) -> IndexModel {
        let options = self
            .unique
            .then(|| IndexOptions::builder().unique(true).build());
        IndexModel::builder()
            .keys((self.keys)())
            .options(options)
            .build()
    }
}
