//! Which YNAB account a bunq account syncs to: the one whose note contains
//! the bunq account's IBAN, in any budget. Accounts that cannot be linked
//! are reported with the reason, never silently dropped.

use crate::bunq::MonetaryAccount;
use crate::iban::Iban;
use crate::ynab::Account;

/// A YNAB account with the budget it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetAccount {
    /// The budget's id.
    pub budget_id: String,
    /// The account.
    pub account: Account,
}

/// Where one bunq account's payments go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The bunq monetary account id.
    pub bunq_account_id: i64,
    /// Its IBAN.
    pub iban: Iban,
    /// The YNAB budget.
    pub budget_id: String,
    /// The YNAB account.
    pub ynab_account_id: String,
    /// The payee id that makes a transfer into the YNAB account.
    pub transfer_payee_id: Option<String>,
}

/// Why a bunq account has no link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unlinked {
    /// The account has no IBAN alias.
    NoIban,
    /// No open YNAB account's note contains the IBAN.
    NoMatchingNote(Iban),
    /// Several YNAB accounts' notes contain the IBAN; their ids are listed.
    Ambiguous(Iban, Vec<String>),
}

impl std::fmt::Display for Unlinked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoIban => f.write_str("the bunq account has no IBAN"),
            Self::NoMatchingNote(iban) => {
                write!(f, "no open YNAB account has {} in its note", iban.masked())
            }
            Self::Ambiguous(iban, ids) => write!(
                f,
                "{} YNAB accounts have {} in their note: {}",
                ids.len(),
                iban.masked(),
                ids.join(", ")
            ),
        }
    }
}

/// Links one bunq account. Deleted and closed YNAB accounts are ignored.
/// Several candidates in one note are ambiguous and reported, because
/// syncing to the wrong one would put money in the wrong place.
pub fn link_account(
    bunq: &MonetaryAccount,
    ynab_accounts: &[BudgetAccount],
) -> Result<Link, Unlinked> {
    let iban = bunq.iban.clone().ok_or(Unlinked::NoIban)?;
    let candidates: Vec<&BudgetAccount> = ynab_accounts
        .iter()
        .filter(|c| !c.account.deleted && !c.account.closed)
        .filter(|c| {
            c.account
                .note
                .as_deref()
                .is_some_and(|note| iban.appears_in(note))
        })
        .collect();

    match candidates.as_slice() {
        [] => Err(Unlinked::NoMatchingNote(iban)),
        [only] => Ok(Link {
            bunq_account_id: bunq.id,
            iban,
            budget_id: only.budget_id.clone(),
            ynab_account_id: only.account.id.clone(),
            transfer_payee_id: only.account.transfer_payee_id.clone(),
        }),
        many => Err(Unlinked::Ambiguous(
            iban,
            many.iter().map(|c| c.account.id.clone()).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bunq(iban: Option<&str>) -> MonetaryAccount {
        let alias = iban.map_or(
            json!([]),
            |i| json!([{"type": "IBAN", "value": i, "name": "x"}]),
        );
        MonetaryAccount::from_wrapped(&json!({"MonetaryAccountBank": {
            "id": 1, "created": "2023-01-01 00:00:00.000000", "updated": "2023-01-01 00:00:00.000000",
            "status": "ACTIVE", "description": "Main", "currency": "EUR", "alias": alias}}))
        .expect("valid account")
    }

    fn ynab(id: &str, note: &str, closed: bool) -> BudgetAccount {
        let account = Account::from_json(&json!({"id": id, "name": id, "type": "checking",
            "closed": closed, "note": note, "transfer_payee_id": format!("p-{id}"), "deleted": false}))
        .expect("valid account");
        BudgetAccount {
            budget_id: "b1".into(),
            account,
        }
    }

    #[test]
    fn links_by_iban_in_the_note_regardless_of_layout() {
        let accounts = [
            ynab("a", "groceries", false),
            ynab("b", "bunq: nl91 abna 0417 1643 00", false),
        ];
        let link = link_account(&bunq(Some("NL91ABNA0417164300")), &accounts).expect("linked");
        assert_eq!(link.ynab_account_id, "b");
        assert_eq!(link.transfer_payee_id.as_deref(), Some("p-b"));
    }

    #[test]
    fn reports_why_an_account_is_unlinked() {
        let accounts = [ynab("a", "NL91ABNA0417164300", true)];
        assert_eq!(link_account(&bunq(None), &accounts), Err(Unlinked::NoIban));
        assert!(matches!(
            link_account(&bunq(Some("NL91ABNA0417164300")), &accounts),
            Err(Unlinked::NoMatchingNote(_))
        ));
        let twice = [
            ynab("a", "NL91ABNA0417164300", false),
            ynab("b", "NL91ABNA0417164300", false),
        ];
        assert!(matches!(
            link_account(&bunq(Some("NL91ABNA0417164300")), &twice),
            Err(Unlinked::Ambiguous(_, ids)) if ids.len() == 2
        ));
    }
}
