//! The YNAB data the sandbox serves, one [`Plan`] per budget: accounts,
//! category groups, categories, payees and transactions, each remembering
//! the server knowledge at which it last changed, so that delta requests
//! (`last_knowledge_of_server`) can be answered exactly.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Milliunits;

mod check;
mod load;
mod mutate;

pub(crate) use load::stable_uuid;
pub(crate) use mutate::{Change, Parsed, SaveError};

/// A transaction's cleared status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cleared {
    /// `cleared`.
    Cleared,
    /// `uncleared`.
    Uncleared,
    /// `reconciled`.
    Reconciled,
}

impl Cleared {
    /// Every value, in the spec's order.
    pub const ALL: [Self; 3] = [Self::Cleared, Self::Uncleared, Self::Reconciled];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cleared => "cleared",
            Self::Uncleared => "uncleared",
            Self::Reconciled => "reconciled",
        }
    }

    /// Reads a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// A transaction's flag colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagColor {
    /// `red`.
    Red,
    /// `orange`.
    Orange,
    /// `yellow`.
    Yellow,
    /// `green`.
    Green,
    /// `blue`.
    Blue,
    /// `purple`.
    Purple,
}

impl FlagColor {
    /// Every colour, in the spec's order.
    pub const ALL: [Self; 6] = [
        Self::Red,
        Self::Orange,
        Self::Yellow,
        Self::Green,
        Self::Blue,
        Self::Purple,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Orange => "orange",
            Self::Yellow => "yellow",
            Self::Green => "green",
            Self::Blue => "blue",
            Self::Purple => "purple",
        }
    }

    /// Reads a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One transaction as the sandbox stores it. Test helpers hand out clones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTransaction {
    /// Its id (a UUID).
    pub id: String,
    /// The account it is in.
    pub account_id: String,
    /// Its calendar date.
    pub date: NaiveDate,
    /// Signed amount.
    pub amount: Milliunits,
    /// Memo.
    pub memo: Option<String>,
    /// Cleared status.
    pub cleared: Cleared,
    /// Whether it is approved.
    pub approved: bool,
    /// Flag colour.
    pub flag_color: Option<FlagColor>,
    /// Its payee.
    pub payee_id: Option<String>,
    /// Its category.
    pub category_id: Option<String>,
    /// For a transfer: the account on the other side.
    pub transfer_account_id: Option<String>,
    /// For a transfer: the transaction on the other side.
    pub transfer_transaction_id: Option<String>,
    /// The import id it was created with, unique per account.
    pub import_id: Option<String>,
    /// For imported transactions: the payee name given at import.
    pub import_payee_name: Option<String>,
    /// Deleted transactions stay, for delta requests and duplicate checks.
    pub deleted: bool,
    /// The server knowledge at which it last changed.
    pub changed_at: i64,
}

/// One account.
#[derive(Clone, Debug)]
pub(crate) struct AccountRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) account_type: String,
    pub(crate) on_budget: bool,
    pub(crate) closed: bool,
    pub(crate) note: Option<String>,
    pub(crate) transfer_payee_id: String,
    pub(crate) deleted: bool,
    pub(crate) changed_at: i64,
}

/// One category group.
#[derive(Clone, Debug)]
pub(crate) struct GroupRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) deleted: bool,
    pub(crate) changed_at: i64,
}

/// One category.
#[derive(Clone, Debug)]
pub(crate) struct CategoryRecord {
    pub(crate) id: String,
    pub(crate) group_id: String,
    pub(crate) name: String,
    pub(crate) deleted: bool,
    pub(crate) changed_at: i64,
}

/// One payee; transfer payees carry the account they transfer to.
#[derive(Clone, Debug)]
pub(crate) struct PayeeRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) transfer_account_id: Option<String>,
    pub(crate) deleted: bool,
    pub(crate) changed_at: i64,
}

/// One budget ("plan") with everything in it.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) id: String,
    pub(crate) name: String,
    /// The server knowledge: raised by one on every change request.
    pub(crate) knowledge: i64,
    pub(crate) last_modified_on: DateTime<Utc>,
    pub(crate) accounts: Vec<AccountRecord>,
    pub(crate) groups: Vec<GroupRecord>,
    pub(crate) categories: Vec<CategoryRecord>,
    pub(crate) payees: Vec<PayeeRecord>,
    transactions: Vec<StoredTransaction>,
    /// Transaction id → position in `transactions`.
    by_id: HashMap<String, usize>,
    /// (account id, import id) → position in `transactions`.
    by_import: HashMap<(String, String), usize>,
}

impl Plan {
    /// A live (not deleted) account.
    pub(crate) fn account(&self, id: &str) -> Option<&AccountRecord> {
        self.accounts.iter().find(|a| a.id == id && !a.deleted)
    }

    /// A live category.
    pub(crate) fn category(&self, id: &str) -> Option<&CategoryRecord> {
        self.categories.iter().find(|c| c.id == id && !c.deleted)
    }

    /// The name of a category's group.
    pub(crate) fn group_name(&self, group_id: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.id == group_id)
            .map(|g| g.name.as_str())
    }

    /// A live payee.
    pub(crate) fn payee(&self, id: &str) -> Option<&PayeeRecord> {
        self.payees.iter().find(|p| p.id == id && !p.deleted)
    }

    /// Every transaction, deleted ones included, in insertion order.
    pub(crate) fn transactions(&self) -> &[StoredTransaction] {
        &self.transactions
    }

    /// A transaction by id, deleted or not.
    pub(crate) fn transaction(&self, id: &str) -> Option<&StoredTransaction> {
        self.by_id.get(id).and_then(|&i| self.transactions.get(i))
    }

    /// A live transaction by id.
    pub(crate) fn live_transaction(&self, id: &str) -> Option<&StoredTransaction> {
        self.transaction(id).filter(|t| !t.deleted)
    }

    /// The transaction holding `import_id` on `account_id`, deleted or not:
    /// a deleted transaction's import id still counts as taken.
    pub(crate) fn imported(&self, account_id: &str, import_id: &str) -> Option<&StoredTransaction> {
        let key = (account_id.to_owned(), import_id.to_owned());
        self.by_import
            .get(&key)
            .and_then(|&i| self.transactions.get(i))
    }

    /// Adds a transaction and indexes it.
    fn push_transaction(&mut self, txn: StoredTransaction) {
        let position = self.transactions.len();
        self.by_id.insert(txn.id.clone(), position);
        if let Some(import_id) = &txn.import_id {
            self.by_import
                .insert((txn.account_id.clone(), import_id.clone()), position);
        }
        self.transactions.push(txn);
    }

    /// A transaction by id, for changing it. Import ids never change, so
    /// the indexes stay valid.
    fn transaction_mut(&mut self, id: &str) -> Option<&mut StoredTransaction> {
        let position = *self.by_id.get(id)?;
        self.transactions.get_mut(position)
    }

    /// Marks an account as changed at knowledge `at` (its balance moved).
    fn touch_account(&mut self, id: &str, at: i64) {
        if let Some(account) = self.accounts.iter_mut().find(|a| a.id == id) {
            account.changed_at = at;
        }
    }

    /// Marks a category as changed at knowledge `at` (its activity moved).
    fn touch_category(&mut self, id: Option<&str>, at: i64) {
        let Some(id) = id else { return };
        if let Some(category) = self.categories.iter_mut().find(|c| c.id == id) {
            category.changed_at = at;
        }
    }

    /// Starts a change: raises the server knowledge and returns it.
    fn next_knowledge(&mut self, now: DateTime<Utc>) -> i64 {
        self.knowledge += 1;
        self.last_modified_on = now;
        self.knowledge
    }
}

/// Whether an entity belongs in a response: with a starting knowledge,
/// everything changed after it (deleted or not); without, every live one.
pub(crate) fn visible(changed_at: i64, deleted: bool, since: Option<i64>) -> bool {
    match since {
        Some(knowledge) => changed_at > knowledge,
        None => !deleted,
    }
}
