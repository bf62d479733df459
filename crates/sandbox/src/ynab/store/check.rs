//! Checks a transaction in a request against the plan before anything is
//! written: the account, payee and category must exist, the date must be
//! within YNAB's window (at most one day past today in UTC, at most five
//! years back), and a PATCH item must name a transaction by `id` or
//! `import_id`. Every problem is collected, so one answer lists them all.

use chrono::{Days, Months, NaiveDate};

use super::mutate::SaveError;
use super::{Cleared, FlagColor, Plan, StoredTransaction};
use crate::ynab::input::TransactionFields;

/// Who the payee of a checked transaction is.
#[derive(Clone, Debug)]
pub(super) enum PayeeChoice {
    /// Leave an existing transaction's payee as it is.
    Keep,
    /// No payee.
    Nobody,
    /// An existing payee (a transfer payee makes a transfer).
    Existing(String),
    /// The payee of this name, created when there is none.
    Named(String),
}

/// A transaction checked against the plan, ready to be written.
#[derive(Clone, Debug)]
pub(super) struct Draft {
    pub(super) account_id: String,
    pub(super) date: NaiveDate,
    pub(super) amount: i64,
    pub(super) payee: PayeeChoice,
    pub(super) category_id: Option<String>,
    pub(super) memo: Option<String>,
    pub(super) cleared: Cleared,
    pub(super) approved: bool,
    pub(super) flag_color: Option<FlagColor>,
    pub(super) import_id: Option<String>,
}

impl Plan {
    /// The transaction a PATCH item names.
    pub(super) fn patch_target(
        &self,
        fields: &TransactionFields,
    ) -> Result<StoredTransaction, Vec<String>> {
        if let Some(Some(id)) = &fields.id {
            return self
                .live_transaction(id)
                .cloned()
                .ok_or_else(|| vec![format!("transaction id {id:?} was not found")]);
        }
        let Some(Some(import_id)) = &fields.import_id else {
            return Err(vec!["either id or import_id must be specified".to_owned()]);
        };
        self.transactions()
            .iter()
            .find(|t| {
                !t.deleted
                    && t.import_id.as_deref() == Some(import_id.as_str())
                    && fields
                        .account_id
                        .as_deref()
                        .is_none_or(|a| a == t.account_id)
            })
            .cloned()
            .ok_or_else(|| {
                vec![format!(
                    "transaction with import_id {import_id:?} was not found"
                )]
            })
    }

    /// Checks request fields against the plan, on top of `base` for an
    /// update; every problem is listed.
    pub(super) fn draft(
        &self,
        base: Option<&StoredTransaction>,
        fields: &TransactionFields,
        today: NaiveDate,
    ) -> Result<Draft, Vec<String>> {
        let mut errors = Vec::new();
        let account_id = self.checked_account(base, fields, &mut errors);
        let date = checked_date(base, fields, today, &mut errors);
        let amount = fields.amount.or(base.map(|b| b.amount.0));
        if amount.is_none() {
            errors.push("amount is required".to_owned());
        }
        let payee = self.checked_payee(base, fields, account_id.as_deref(), &mut errors);
        let category_id = self.checked_category(base, fields, &mut errors);

        let (Some(account_id), Some(date), Some(amount)) = (account_id, date, amount) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Draft {
            account_id,
            date,
            amount,
            payee,
            category_id,
            memo: fields
                .memo
                .clone()
                .unwrap_or_else(|| base.and_then(|b| b.memo.clone())),
            cleared: fields
                .cleared
                .or(base.map(|b| b.cleared))
                .unwrap_or(Cleared::Uncleared),
            approved: fields
                .approved
                .or(base.map(|b| b.approved))
                .unwrap_or(false),
            flag_color: fields
                .flag_color
                .unwrap_or_else(|| base.and_then(|b| b.flag_color)),
            // An existing transaction's import id never changes.
            import_id: match base {
                Some(b) => b.import_id.clone(),
                None => fields.import_id.clone().flatten().filter(|i| !i.is_empty()),
            },
        })
    }

    fn checked_account(
        &self,
        base: Option<&StoredTransaction>,
        fields: &TransactionFields,
        errors: &mut Vec<String>,
    ) -> Option<String> {
        let Some(id) = fields
            .account_id
            .clone()
            .or(base.map(|b| b.account_id.clone()))
        else {
            errors.push("account_id is required".to_owned());
            return None;
        };
        if self.account(&id).is_none() {
            errors.push(format!("account_id {id:?} does not exist in this plan"));
            return None;
        }
        Some(id)
    }

    fn checked_payee(
        &self,
        base: Option<&StoredTransaction>,
        fields: &TransactionFields,
        account_id: Option<&str>,
        errors: &mut Vec<String>,
    ) -> PayeeChoice {
        match (&fields.payee_id, &fields.payee_name) {
            (Some(Some(id)), _) => match self.payee(id) {
                None => {
                    errors.push(format!("payee_id {id:?} does not exist in this plan"));
                    PayeeChoice::Nobody
                }
                Some(p)
                    if p.transfer_account_id.is_some()
                        && p.transfer_account_id.as_deref() == account_id =>
                {
                    errors.push(format!(
                        "payee_id {id:?} is a transfer to the transaction's own account"
                    ));
                    PayeeChoice::Nobody
                }
                Some(_) => PayeeChoice::Existing(id.clone()),
            },
            (_, Some(Some(name))) if !name.is_empty() => PayeeChoice::Named(name.clone()),
            (None, None) if base.is_some() => PayeeChoice::Keep,
            _ => PayeeChoice::Nobody,
        }
    }

    fn checked_category(
        &self,
        base: Option<&StoredTransaction>,
        fields: &TransactionFields,
        errors: &mut Vec<String>,
    ) -> Option<String> {
        match &fields.category_id {
            Some(Some(id)) if self.category(id).is_none() => {
                errors.push(format!("category_id {id:?} does not exist in this plan"));
                None
            }
            Some(given) => given.clone(),
            None => base.and_then(|b| b.category_id.clone()),
        }
    }
}

/// YNAB accepts dates up to one day past today in UTC (so that users east
/// of Greenwich can enter their local date) and at most five years back.
fn checked_date(
    base: Option<&StoredTransaction>,
    fields: &TransactionFields,
    today: NaiveDate,
    errors: &mut Vec<String>,
) -> Option<NaiveDate> {
    let Some(date) = fields.date else {
        let kept = base.map(|b| b.date);
        if kept.is_none() {
            errors.push("date is required".to_owned());
        }
        return kept;
    };
    let latest = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let earliest = today.checked_sub_months(Months::new(60)).unwrap_or(today);
    if date > latest || date < earliest {
        errors.push("date must not be in the future or over 5 years ago".to_owned());
        return None;
    }
    Some(date)
}

/// Collects per-item results; on any failure, every problem of every item
/// is returned with YNAB's ` (index: N)` suffix.
pub(super) fn collect_indexed<T>(
    results: impl Iterator<Item = Result<T, Vec<String>>>,
) -> Result<Vec<T>, SaveError> {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (index, result) in results.enumerate() {
        match result {
            Ok(item) => items.push(item),
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| format!("{e} (index: {index})")))
            }
        }
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(SaveError::Invalid(problems))
    }
}
