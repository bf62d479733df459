//! YNAB's budgets (plans since API 1.79), accounts, categories and
//! transactions, checked on the way in. Each record keeps the object YNAB
//! sent (`raw`) so that it is stored field for field.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::json::{RecordError, checked};
use crate::money::Milliunits;
use crate::time::parse_date;

/// A YNAB budget ("plan" in API 1.79 and later).
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// The budget's UUID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When anything in it last changed.
    pub last_modified_on: Option<DateTime<Utc>>,
    /// The object as YNAB sent it.
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct BudgetView {
    id: String,
    name: String,
    #[serde(default)]
    last_modified_on: Option<DateTime<Utc>>,
}

impl Budget {
    /// Reads one budget summary.
    ///
    /// # Errors
    /// [`RecordError`] when `id` or `name` is missing or mistyped.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        let (view, raw) = checked::<BudgetView>("YNAB budget", value)?;
        Ok(Self {
            id: view.id,
            name: view.name,
            last_modified_on: view.last_modified_on,
            raw,
        })
    }
}

/// A YNAB account. Its `note` links it to a bunq account by IBAN.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// The account's UUID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `checking`, `savings`, `creditCard`, ...
    pub account_type: String,
    /// Whether it is closed.
    pub closed: bool,
    /// The free-text note, where users put the bunq IBAN.
    pub note: Option<String>,
    /// The payee that makes a transaction a transfer into this account.
    pub transfer_payee_id: Option<String>,
    /// Deleted accounts appear only in delta responses.
    pub deleted: bool,
    /// The object as YNAB sent it.
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct AccountView {
    id: String,
    name: String,
    #[serde(rename = "type")]
    account_type: String,
    closed: bool,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    transfer_payee_id: Option<String>,
    deleted: bool,
}

impl Account {
    /// Reads one account.
    ///
    /// # Errors
    /// [`RecordError`] when a required field is missing or mistyped.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        let (v, raw) = checked::<AccountView>("YNAB account", value)?;
        Ok(Self {
            id: v.id,
            name: v.name,
            account_type: v.account_type,
            closed: v.closed,
            note: v.note,
            transfer_payee_id: v.transfer_payee_id,
            deleted: v.deleted,
            raw,
        })
    }
}

/// A YNAB category (flattened out of its group).
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    /// The category's UUID.
    pub id: String,
    /// The group it belongs to.
    pub category_group_id: String,
    /// Its name.
    pub name: String,
    /// Hidden categories still label old transactions.
    pub hidden: bool,
    /// Deleted categories appear only in delta responses.
    pub deleted: bool,
    /// The object as YNAB sent it.
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct CategoryView {
    id: String,
    category_group_id: String,
    name: String,
    hidden: bool,
    deleted: bool,
}

#[derive(Deserialize)]
struct GroupView {
    id: String,
    name: String,
    deleted: bool,
    #[serde(default)]
    categories: Vec<Value>,
}

impl Category {
    /// Reads one category group and returns its categories, each carrying
    /// `category_group_name` (as YNAB itself adds in newer versions).
    ///
    /// # Errors
    /// [`RecordError`] when the group or one of its categories is malformed.
    pub fn from_group_json(group: &Value) -> Result<(String, Vec<Self>), RecordError> {
        let (g, _) = checked::<GroupView>("YNAB category group", group)?;
        let categories = g
            .categories
            .iter()
            .map(|c| {
                let (v, mut raw) = checked::<CategoryView>("YNAB category", c)?;
                raw.entry("category_group_name")
                    .or_insert_with(|| Value::from(g.name.clone()));
                Ok(Self {
                    id: v.id,
                    category_group_id: v.category_group_id,
                    name: v.name,
                    hidden: v.hidden,
                    deleted: v.deleted || g.deleted,
                    raw,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok((g.id, categories))
    }
}

/// A YNAB transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct Transaction {
    /// The transaction's id.
    pub id: String,
    /// Its calendar date.
    pub date: NaiveDate,
    /// Signed amount in milliunits.
    pub amount: Milliunits,
    /// The account it is in.
    pub account_id: String,
    /// Its category, if any.
    pub category_id: Option<String>,
    /// The import id this project (or a bank import) gave it.
    pub import_id: Option<String>,
    /// Set for one side of a transfer between accounts.
    pub transfer_account_id: Option<String>,
    /// Deleted transactions appear only in delta responses.
    pub deleted: bool,
    /// The object as YNAB sent it.
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct TransactionView {
    id: String,
    date: String,
    amount: i64,
    account_id: String,
    #[serde(default)]
    category_id: Option<String>,
    #[serde(default)]
    import_id: Option<String>,
    #[serde(default)]
    transfer_account_id: Option<String>,
    deleted: bool,
}

impl Transaction {
    /// Reads one transaction (TransactionDetail).
    ///
    /// # Errors
    /// [`RecordError`] when a required field is missing or mistyped, or the
    /// date is not an ISO date.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        let (v, raw) = checked::<TransactionView>("YNAB transaction", value)?;
        let date = parse_date(&v.date)
            .map_err(|e| RecordError::new("YNAB transaction", Some(v.id.clone()), e.to_string()))?;
        Ok(Self {
            id: v.id,
            date,
            amount: Milliunits(v.amount),
            account_id: v.account_id,
            category_id: v.category_id,
            import_id: v.import_id,
            transfer_account_id: v.transfer_account_id,
            deleted: v.deleted,
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_categories_out_of_their_group() {
        let group = json!({"id": "g1", "name": "Living", "hidden": false, "deleted": false,
            "categories": [{"id": "c1", "category_group_id": "g1", "name": "Groceries",
                            "hidden": false, "deleted": false, "budgeted": 0}]});
        let (group_id, categories) = Category::from_group_json(&group).expect("ok");
        assert_eq!(group_id, "g1");
        assert_eq!(categories[0].raw["category_group_name"], "Living");
    }

    #[test]
    fn a_transaction_with_a_bad_date_is_rejected_with_its_id() {
        let txn = json!({"id": "t1", "date": "01-05-2024", "amount": -1000,
                         "account_id": "a1", "deleted": false});
        let err = Transaction::from_json(&txn).unwrap_err();
        assert_eq!(err.id.as_deref(), Some("t1"));
        assert!(err.to_string().contains("not a date"));
    }

    #[test]
    fn a_string_amount_is_a_type_error() {
        let txn = json!({"id": "t1", "date": "2024-05-01", "amount": "-1000",
                         "account_id": "a1", "deleted": false});
        assert!(
            Transaction::from_json(&txn)
                .unwrap_err()
                .message
                .contains("invalid type")
        );
    }
}
