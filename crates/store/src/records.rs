//! Storing and reading the source records of bunq and YNAB.
//!
//! bunq accounts and YNAB budgets are full loads (the APIs list them all
//! each time); payments and the YNAB accounts, categories and transactions
//! of a budget are delta upserts. YNAB reports deleted entities with
//! `deleted: true`; they are stored that way, never dropped.

use domain::bunq::{MonetaryAccount, Payment};
use domain::linking::BudgetAccount;
use domain::ynab::{Account, Budget, Category, Transaction};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use serde_json::{Map, Value};

use crate::Store;
use crate::bulk::UpsertCounts;
use crate::documents::{
    BUNQ_ACCOUNT, BUNQ_PAYMENT, Layout, SourceDoc, YNAB_ACCOUNT, YNAB_BUDGET, YNAB_CATEGORY,
    YNAB_TRANSACTION,
};
use crate::error::Result;

impl Store {
    /// Upserts bunq payments by `id`, in one round trip per 1,000.
    ///
    /// # Errors
    /// A [`crate::StoreError`] naming `bunq_payments`.
    pub async fn upsert_bunq_payments(&self, payments: &[Payment]) -> Result<UpsertCounts> {
        let docs = payments
            .iter()
            .map(|p| BUNQ_PAYMENT.document(Bson::Int64(p.id), &p.raw, doc! {}))
            .collect::<Result<Vec<_>>>()?;
        self.upsert_layout(&BUNQ_PAYMENT, &docs).await
    }

    /// Replaces all bunq accounts (a full load): accounts bunq no longer
    /// lists are removed, and no reader ever sees the collection empty.
    ///
    /// # Errors
    /// A [`crate::StoreError`] naming `bunq_accounts`.
    pub async fn replace_bunq_accounts(
        &self,
        accounts: &[MonetaryAccount],
    ) -> Result<UpsertCounts> {
        let docs = accounts
            .iter()
            .map(|a| {
                let added = doc! { "account_type": a.account_type.wrapper_key() };
                BUNQ_ACCOUNT.document(Bson::Int64(a.id), &a.raw, added)
            })
            .collect::<Result<Vec<_>>>()?;
        self.replace_all(BUNQ_ACCOUNT.collection, BUNQ_ACCOUNT.key, &docs)
            .await
    }

    /// Replaces all YNAB budgets (a full load), as for bunq accounts.
    ///
    /// # Errors
    /// A [`crate::StoreError`] naming `ynab_budgets`, also when a budget's
    /// `first_month` or `last_month` is not a date.
    pub async fn replace_ynab_budgets(&self, budgets: &[Budget]) -> Result<UpsertCounts> {
        let docs = budgets
            .iter()
            .map(|b| YNAB_BUDGET.document(Bson::from(b.id.as_str()), &b.raw, doc! {}))
            .collect::<Result<Vec<_>>>()?;
        self.replace_all(YNAB_BUDGET.collection, YNAB_BUDGET.key, &docs)
            .await
    }

    /// Upserts the accounts of one budget (deleted ones included).
    ///
    /// # Errors
    /// A [`crate::StoreError`] naming `ynab_accounts`.
    pub async fn upsert_ynab_accounts(
        &self,
        budget_id: &str,
        accounts: &[Account],
    ) -> Result<UpsertCounts> {
        let records: Vec<_> = accounts.iter().map(|a| (a.id.as_str(), &a.raw)).collect();
        self.upsert_budget_records(&YNAB_ACCOUNT, budget_id, &records)
            .await
    }

    /// Upserts the categories of one budget (deleted ones included).
    ///
    /// # Errors
    /// A [`crate::StoreError`] naming `ynab_categories`, also when a goal
    /// date is not a date.
    pub async fn upsert_ynab_categories(
        &self,
        budget_id: &str,
        categories: &[Category],
    ) -> Result<UpsertCounts> {
        let records: Vec<_> = categories.iter().map(|c| (c.id.as_str(), &c.raw)).collect();
        self.upsert_budget_records(&YNAB_CATEGORY, budget_id, &records)
            .await
    }

    /// Upserts the transactions of one budget (deleted ones included).
    ///
    /// # Errors
    /// A [`crate::StoreError`] naming `ynab_transactions`.
    pub async fn upsert_ynab_transactions(
        &self,
        budget_id: &str,
        transactions: &[Transaction],
    ) -> Result<UpsertCounts> {
        let records: Vec<_> = transactions
            .iter()
            .map(|t| (t.id.as_str(), &t.raw))
            .collect();
        self.upsert_budget_records(&YNAB_TRANSACTION, budget_id, &records)
            .await
    }

    /// Every stored bunq account, ordered by id.
    ///
    /// # Errors
    /// [`crate::StoreError::Corrupt`] when a document no longer parses as
    /// an account, or a driver error.
    pub async fn bunq_accounts(&self) -> Result<Vec<MonetaryAccount>> {
        self.read_records(&BUNQ_ACCOUNT, doc! {}, |doc, raw| {
            let wrapper = doc.get_str("account_type").map_err(|e| e.to_string())?;
            let item = Value::Object(Map::from_iter([(wrapper.to_owned(), Value::Object(raw))]));
            MonetaryAccount::from_wrapped(&item).map_err(|e| e.to_string())
        })
        .await
    }

    /// The stored bunq payment `id`, if any.
    ///
    /// # Errors
    /// [`crate::StoreError::Corrupt`] when the document no longer parses
    /// as a payment, or a driver error.
    pub async fn bunq_payment(&self, id: i64) -> Result<Option<Payment>> {
        let found = self
            .read_records(&BUNQ_PAYMENT, doc! { "id": id }, |_, raw| {
                Payment::from_json(&Value::Object(raw)).map_err(|e| e.to_string())
            })
            .await?;
        Ok(found.into_iter().next())
    }

    /// Every stored YNAB budget, ordered by id.
    ///
    /// # Errors
    /// [`crate::StoreError::Corrupt`] or a driver error.
    pub async fn ynab_budgets(&self) -> Result<Vec<Budget>> {
        self.read_records(&YNAB_BUDGET, doc! {}, |_, raw| {
            Budget::from_json(&Value::Object(raw)).map_err(|e| e.to_string())
        })
        .await
    }

    /// Every stored YNAB account of every budget (closed and deleted ones
    /// included; linking skips those), ordered by id.
    ///
    /// # Errors
    /// [`crate::StoreError::Corrupt`] or a driver error.
    pub async fn ynab_accounts(&self) -> Result<Vec<BudgetAccount>> {
        self.read_records(&YNAB_ACCOUNT, doc! {}, |doc, raw| {
            let budget_id = doc
                .get_str("budget_id")
                .map_err(|e| e.to_string())?
                .to_owned();
            let account = Account::from_json(&Value::Object(raw)).map_err(|e| e.to_string())?;
            Ok(BudgetAccount { budget_id, account })
        })
        .await
    }

    async fn upsert_layout(&self, layout: &Layout, docs: &[SourceDoc]) -> Result<UpsertCounts> {
        self.upsert_source_docs(layout.collection, layout.key, docs, None)
            .await
    }

    /// Upserts YNAB records of one budget, each tagged with `budget_id`.
    async fn upsert_budget_records(
        &self,
        layout: &Layout,
        budget_id: &str,
        records: &[(&str, &Map<String, Value>)],
    ) -> Result<UpsertCounts> {
        let docs = records
            .iter()
            .map(|(id, raw)| layout.document(Bson::from(*id), raw, doc! { "budget_id": budget_id }))
            .collect::<Result<Vec<_>>>()?;
        self.upsert_layout(layout, &docs).await
    }

    /// Reads the documents matching `filter`, ordered by key, and rebuilds
    /// each record from the document and the source object within it.
    async fn read_records<T>(
        &self,
        layout: &Layout,
        filter: Document,
        rebuild: impl Fn(&Document, Map<String, Value>) -> Result<T, String>,
    ) -> Result<Vec<T>> {
        let collection = self.collection(layout.collection);
        let find = collection.find(filter).sort(doc! { layout.key: 1 });
        let cursor = self.timed("find", layout.collection, find).await?;
        let documents: Vec<Document> = self
            .timed("find", layout.collection, cursor.try_collect())
            .await?;

        documents
            .iter()
            .map(|doc| {
                let raw = layout.source_object(doc)?;
                rebuild(doc, raw).map_err(|m| layout.corrupt(doc.get(layout.key), &m))
            })
            .collect()
    }
}
