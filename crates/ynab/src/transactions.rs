//! Writing transactions: the request types, serialised exactly as YNAB's
//! `NewTransaction` and `ExistingTransaction` schemas, bulk creates in
//! chunks, and the single update tests use to recategorise.

use chrono::NaiveDate;
use domain::Milliunits;
use domain::sync::{Payee, TransactionPlan};
use domain::ynab::Transaction;
use reqwest::Method;
use serde::Serialize;
use serde_json::json;

use crate::envelope::Data;
use crate::http::Call;
use crate::{YnabClient, YnabError};

mod checks;

/// Transactions per create request. YNAB documents no cap; 100 keeps one
/// request body small while a first sync of a few thousand payments still
/// costs only tens of the hour's 200 requests.
pub const CREATE_CHUNK_SIZE: usize = 100;

/// A transaction's cleared status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cleared {
    /// Cleared by the bank.
    Cleared,
    /// Not yet cleared; what this project sends.
    #[default]
    Uncleared,
    /// Reconciled.
    Reconciled,
}

/// A transaction's flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagColor {
    /// Red.
    Red,
    /// Orange.
    Orange,
    /// Yellow.
    Yellow,
    /// Green.
    Green,
    /// Blue; marks transactions this project created.
    Blue,
    /// Purple.
    Purple,
}

/// A transaction to create (YNAB's `NewTransaction`). Absent options are
/// left out of the body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewTransaction {
    /// The YNAB account it goes into.
    pub account_id: String,
    /// Its date; YNAB refuses future dates.
    pub date: NaiveDate,
    /// Signed amount; outflows are negative.
    pub amount: Milliunits,
    /// A payee by id: another account's `transfer_payee_id` makes a
    /// transfer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee_id: Option<String>,
    /// A payee by name (at most 200 characters), resolved or created by
    /// YNAB when `payee_id` is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee_name: Option<String>,
    /// The category, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// At most 500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// Cleared status.
    pub cleared: Cleared,
    /// Whether it is approved.
    pub approved: bool,
    /// The flag, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_color: Option<FlagColor>,
    /// At most 36 characters; YNAB refuses a second transaction with the
    /// same `import_id` on the same account, which makes creates safe to
    /// repeat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_id: Option<String>,
}

impl NewTransaction {
    /// The transaction the sync worker sends for `plan`: uncleared,
    /// unapproved and flagged blue (how users spot what this project
    /// created), with the category the model suggested, if any. A transfer
    /// plan names the other account's transfer payee instead of a name.
    pub fn from_plan(plan: &TransactionPlan, category_id: Option<String>) -> Self {
        let (payee_id, payee_name) = match &plan.payee {
            Payee::Name(name) => (None, Some(name.clone())),
            Payee::Transfer { payee_id, .. } => (Some(payee_id.clone()), None),
        };
        Self {
            account_id: plan.account_id.clone(),
            date: plan.date,
            amount: plan.amount,
            payee_id,
            payee_name,
            category_id,
            memo: plan.memo.clone(),
            cleared: Cleared::Uncleared,
            approved: false,
            flag_color: Some(FlagColor::Blue),
            import_id: Some(plan.import_id.clone()),
        }
    }
}

/// Changes to one transaction (YNAB's `ExistingTransaction`). `None`
/// leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TransactionPatch {
    /// Move it to another account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// New date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// New amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Milliunits>,
    /// New payee by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee_id: Option<Option<String>>,
    /// New payee by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee_name: Option<Option<String>>,
    /// New category; `Some(None)` uncategorises.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Option<String>>,
    /// New memo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<Option<String>>,
    /// New cleared status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleared: Option<Cleared>,
    /// Approve or unapprove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
    /// New flag; `Some(None)` removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_color: Option<Option<FlagColor>>,
}

impl TransactionPatch {
    /// A patch that only sets the category (`None` uncategorises).
    pub fn category(category_id: Option<String>) -> Self {
        Self {
            category_id: Some(category_id),
            ..Self::default()
        }
    }
}

/// What a create call made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateOutcome {
    /// Ids of the transactions created, in YNAB's order.
    pub transaction_ids: Vec<String>,
    /// The transactions created, as YNAB stored them.
    pub transactions: Vec<Transaction>,
    /// Import ids that already existed on their account; those were not
    /// created again.
    pub duplicate_import_ids: Vec<String>,
    /// The budget's knowledge after the last chunk (0 when nothing was
    /// sent).
    pub server_knowledge: i64,
}

impl YnabClient {
    /// Creates `txns` with `POST .../transactions {"transactions": [...]}`,
    /// [`CREATE_CHUNK_SIZE`] per request. Import ids that already exist
    /// come back in `duplicate_import_ids` instead of failing the call.
    ///
    /// Every transaction is checked against YNAB's field limits first, so
    /// an invalid one costs no request. A chunk whose transactions all have
    /// an `import_id` is retried after a 5xx or timeout (YNAB refuses the
    /// copies); others only after a 429. When a later chunk fails, earlier
    /// ones stay created: repeat the call and they come back as duplicates.
    ///
    /// # Errors
    /// [`YnabError::InvalidTransaction`] before anything is sent;
    /// [`YnabError::Duplicate`] if YNAB answers 409 (it does so for single
    /// creates only); otherwise see [`YnabClient`].
    pub async fn create_transactions(
        &self,
        budget_id: &str,
        txns: &[NewTransaction],
    ) -> Result<CreateOutcome, YnabError> {
        checks::check_all(txns)?;

        let mut outcome = CreateOutcome::default();
        for chunk in txns.chunks(CREATE_CHUNK_SIZE) {
            let call = Call {
                method: Method::POST,
                segments: self.budget_path(budget_id, &["transactions"]),
                query: Vec::new(),
                body: Some(json!({ "transactions": chunk })),
                idempotent: chunk.iter().all(|t| t.import_id.is_some()),
            };
            let body = self.http.send(&call).await?;
            merge_saved(&mut outcome, &Data::open(call.path(), &body)?)?;
        }
        tracing::debug!(
            budget.id = budget_id,
            created = outcome.transaction_ids.len(),
            duplicates = outcome.duplicate_import_ids.len(),
            "created YNAB transactions"
        );
        Ok(outcome)
    }

    /// Changes one transaction with `PUT .../transactions/{id}` and returns
    /// it as YNAB stored it. Safe to repeat, so retried like a read.
    ///
    /// # Errors
    /// See [`YnabClient`].
    pub async fn update_transaction(
        &self,
        budget_id: &str,
        id: &str,
        patch: &TransactionPatch,
    ) -> Result<Transaction, YnabError> {
        let call = Call {
            method: Method::PUT,
            segments: self.budget_path(budget_id, &["transactions", id]),
            query: Vec::new(),
            body: Some(json!({ "transaction": patch })),
            idempotent: true,
        };
        let body = self.http.send(&call).await?;

        let data = Data::open(call.path(), &body)?;
        data.server_knowledge()?;
        let Some(raw) = data.get("transaction") else {
            return Err(data.error("`data.transaction` is missing".into()));
        };
        Transaction::from_json(raw).map_err(|e| data.error(format!("`data.transaction`: {e}")))
    }
}

/// Adds one `SaveTransactionsResponse` to `outcome`.
fn merge_saved(outcome: &mut CreateOutcome, data: &Data<'_>) -> Result<(), YnabError> {
    outcome.server_knowledge = data.server_knowledge()?;
    outcome
        .transaction_ids
        .extend(data.strings("transaction_ids", true)?);
    outcome
        .duplicate_import_ids
        .extend(data.strings("duplicate_import_ids", false)?);

    // Bulk answers list `transactions`; a single create answers with
    // `transaction`. Accept either.
    if data.get("transactions").is_some() {
        outcome
            .transactions
            .extend(data.records("transactions", Transaction::from_json)?);
    } else if let Some(single) = data.get("transaction") {
        let txn = Transaction::from_json(single)
            .map_err(|e| data.error(format!("`data.transaction`: {e}")))?;
        outcome.transactions.push(txn);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
