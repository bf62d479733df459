//! Builds a [`Plan`] from a generated household budget: payees from the
//! history's payee names plus one transfer payee per account, and the two
//! sides of each historical transfer linked to each other.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    AccountRecord, CategoryRecord, Cleared, GroupRecord, PayeeRecord, Plan, StoredTransaction,
};
use crate::household::{Budget, BudgetAccount, BudgetTransaction};

/// The knowledge every loaded entity starts at.
const INITIAL_KNOWLEDGE: i64 = 1;

/// Account types YNAB keeps off budget (tracking accounts).
const OFF_BUDGET_TYPES: [&str; 8] = [
    "otherAsset",
    "otherLiability",
    "mortgage",
    "autoLoan",
    "studentLoan",
    "personalLoan",
    "medicalDebt",
    "otherDebt",
];

impl Plan {
    /// Loads one budget of the household.
    pub(crate) fn from_budget(budget: &Budget, now: DateTime<Utc>) -> Self {
        let mut plan = Self {
            id: budget.id.clone(),
            name: budget.name.clone(),
            knowledge: INITIAL_KNOWLEDGE,
            last_modified_on: now,
            accounts: budget.accounts.iter().map(account_record).collect(),
            groups: Vec::new(),
            categories: Vec::new(),
            payees: budget.accounts.iter().map(transfer_payee).collect(),
            transactions: Vec::new(),
            by_id: HashMap::new(),
            by_import: HashMap::new(),
        };
        plan.load_categories(budget);

        for txn in &budget.transactions {
            let payee_id = plan.history_payee(txn);
            let stored = stored_transaction(txn, payee_id);
            plan.push_transaction(stored);
        }
        plan.pair_transfers();
        plan
    }

    fn load_categories(&mut self, budget: &Budget) {
        for group in &budget.category_groups {
            self.groups.push(GroupRecord {
                id: group.id.clone(),
                name: group.name.clone(),
                deleted: false,
                changed_at: INITIAL_KNOWLEDGE,
            });
            self.categories
                .extend(group.categories.iter().map(|c| CategoryRecord {
                    id: c.id.clone(),
                    group_id: group.id.clone(),
                    name: c.name.clone(),
                    deleted: false,
                    changed_at: INITIAL_KNOWLEDGE,
                }));
        }
    }

    /// The payee of a historical transaction: the other account's transfer
    /// payee for a transfer, else the payee of that name (created once).
    fn history_payee(&mut self, txn: &BudgetTransaction) -> Option<String> {
        if let Some(other) = &txn.transfer_account_id {
            return self
                .accounts
                .iter()
                .find(|a| &a.id == other)
                .map(|a| a.transfer_payee_id.clone());
        }
        let name = txn.payee_name.as_deref().filter(|n| !n.is_empty())?;
        if let Some(existing) = self
            .payees
            .iter()
            .find(|p| p.transfer_account_id.is_none() && p.name == name)
        {
            return Some(existing.id.clone());
        }
        let id = stable_uuid(&[&self.id, "payee", name]);
        self.payees.push(PayeeRecord {
            id: id.clone(),
            name: name.to_owned(),
            transfer_account_id: None,
            deleted: false,
            changed_at: INITIAL_KNOWLEDGE,
        });
        Some(id)
    }

    /// Links each historical transfer to its other side: the unpaired
    /// transaction in the other account pointing back, with the opposite
    /// amount, nearest in date. A side without a partner stays unlinked.
    fn pair_transfers(&mut self) {
        let mut open: HashMap<(String, String, i64), Vec<usize>> = HashMap::new();
        for (i, t) in self.transactions.iter().enumerate() {
            if let Some(other) = &t.transfer_account_id {
                open.entry((t.account_id.clone(), other.clone(), t.amount.0))
                    .or_default()
                    .push(i);
            }
        }

        for i in 0..self.transactions.len() {
            let t = &self.transactions[i];
            let (Some(other), None) = (&t.transfer_account_id, &t.transfer_transaction_id) else {
                continue;
            };
            let key = (other.clone(), t.account_id.clone(), -t.amount.0);
            let date = t.date;
            let Some(candidates) = open.get_mut(&key) else {
                continue;
            };
            let nearest = candidates
                .iter()
                .enumerate()
                .filter(|&(_, &j)| self.transactions[j].transfer_transaction_id.is_none())
                .min_by_key(|&(_, &j)| (self.transactions[j].date - date).num_days().abs())
                .map(|(slot, &j)| (slot, j));
            if let Some((slot, j)) = nearest {
                candidates.swap_remove(slot);
                self.transactions[j].transfer_transaction_id =
                    Some(self.transactions[i].id.clone());
                self.transactions[i].transfer_transaction_id =
                    Some(self.transactions[j].id.clone());
            }
        }
    }
}

fn account_record(account: &BudgetAccount) -> AccountRecord {
    AccountRecord {
        id: account.id.clone(),
        name: account.name.clone(),
        account_type: account.account_type.clone(),
        on_budget: !OFF_BUDGET_TYPES.contains(&account.account_type.as_str()),
        closed: account.closed,
        note: account.note.clone(),
        transfer_payee_id: account.transfer_payee_id.clone(),
        deleted: false,
        changed_at: INITIAL_KNOWLEDGE,
    }
}

fn transfer_payee(account: &BudgetAccount) -> PayeeRecord {
    PayeeRecord {
        id: account.transfer_payee_id.clone(),
        name: format!("Transfer : {}", account.name),
        transfer_account_id: Some(account.id.clone()),
        deleted: false,
        changed_at: INITIAL_KNOWLEDGE,
    }
}

fn stored_transaction(txn: &BudgetTransaction, payee_id: Option<String>) -> StoredTransaction {
    StoredTransaction {
        id: txn.id.clone(),
        account_id: txn.account_id.clone(),
        date: txn.date,
        amount: txn.amount,
        memo: txn.memo.clone(),
        cleared: Cleared::parse(&txn.cleared).unwrap_or(Cleared::Uncleared),
        approved: txn.approved,
        flag_color: None,
        payee_id,
        category_id: txn.category_id.clone(),
        transfer_account_id: txn.transfer_account_id.clone(),
        transfer_transaction_id: None,
        import_id: None,
        import_payee_name: None,
        deleted: false,
        changed_at: INITIAL_KNOWLEDGE,
    }
}

/// A UUID derived from `parts`, so that a household loads with the same
/// payee ids every time.
pub(crate) fn stable_uuid(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A fresh random UUID for an entity created at run time.
pub(crate) fn new_uuid() -> String {
    Uuid::new_v4().to_string()
}
