//! YNAB's field limits on a new transaction, checked before anything is
//! sent: a chunk with one bad transaction would otherwise fail whole, and
//! cost a request of the hour's budget. The limits are the domain's.

use domain::sync::{IMPORT_ID_MAX_CHARS, MEMO_MAX_CHARS, PAYEE_NAME_MAX_CHARS};

use super::NewTransaction;
use crate::YnabError;

/// Checks every transaction, naming the first that breaks a rule.
pub(crate) fn check_all(txns: &[NewTransaction]) -> Result<(), YnabError> {
    txns.iter().enumerate().try_for_each(|(index, txn)| {
        check(txn).map_err(|message| YnabError::InvalidTransaction { index, message })
    })
}

fn check(txn: &NewTransaction) -> Result<(), String> {
    if txn.account_id.trim().is_empty() {
        return Err("account_id is empty".into());
    }
    at_most("memo", txn.memo.as_deref(), MEMO_MAX_CHARS)?;
    at_most(
        "payee_name",
        txn.payee_name.as_deref(),
        PAYEE_NAME_MAX_CHARS,
    )?;
    at_most("import_id", txn.import_id.as_deref(), IMPORT_ID_MAX_CHARS)?;
    if txn.import_id.as_deref().is_some_and(str::is_empty) {
        return Err("import_id is empty".into());
    }
    Ok(())
}

fn at_most(field: &str, value: Option<&str>, max: usize) -> Result<(), String> {
    let chars = value.map_or(0, |v| v.chars().count());
    if chars > max {
        return Err(format!(
            "{field} is {chars} characters long; YNAB takes at most {max}"
        ));
    }
    Ok(())
}
