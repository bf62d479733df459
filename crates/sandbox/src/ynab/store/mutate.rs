//! Changes to a plan with YNAB's rules: ids must exist in the plan, dates
//! may be at most one day past today (UTC) and at most five years old,
//! `import_id` is unique per account (deleted transactions keep theirs),
//! a transfer payee makes a transfer with a mirror transaction in the other
//! account, and every change raises the server knowledge once per request.

use chrono::{DateTime, Utc};
use domain::Milliunits;

use super::check::{Draft, PayeeChoice, collect_indexed};
use super::load::new_uuid;
use super::{Cleared, Plan, StoredTransaction};
use crate::ynab::input::TransactionFields;

/// One transaction of a list as read from the body: its fields, or what
/// was wrong with them.
pub(crate) type Parsed = Result<TransactionFields, Vec<String>>;

/// Why a change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SaveError {
    /// Validation problems, ready to be joined into one detail.
    Invalid(Vec<String>),
    /// A single create whose `import_id` already exists on the account.
    Duplicate(String),
    /// No live transaction with that id.
    NotFound,
}

/// What a change request did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Change {
    /// The transactions created or updated, in request order.
    pub(crate) ids: Vec<String>,
    /// Import ids not created because the account already has them.
    pub(crate) duplicate_import_ids: Vec<String>,
}

impl Plan {
    /// Creates one transaction (`{"transaction": {...}}`).
    pub(crate) fn create_one(
        &mut self,
        fields: &TransactionFields,
        now: DateTime<Utc>,
    ) -> Result<String, SaveError> {
        let draft = self
            .draft(None, fields, now.date_naive())
            .map_err(SaveError::Invalid)?;
        if let Some(import_id) = &draft.import_id
            && self.imported(&draft.account_id, import_id).is_some()
        {
            return Err(SaveError::Duplicate(import_id.clone()));
        }
        let knowledge = self.next_knowledge(now);
        Ok(self.insert_draft(draft, knowledge))
    }

    /// Creates many transactions (`{"transactions": [...]}`): all or none
    /// when one is invalid; duplicates are skipped and listed.
    pub(crate) fn create_many(
        &mut self,
        items: Vec<Parsed>,
        now: DateTime<Utc>,
    ) -> Result<Change, SaveError> {
        let today = now.date_naive();
        let drafts = collect_indexed(
            items
                .into_iter()
                .map(|item| self.draft(None, &item?, today)),
        )?;

        let mut change = Change::default();
        let mut knowledge = None;
        for draft in drafts {
            if let Some(import_id) = &draft.import_id
                && self.imported(&draft.account_id, import_id).is_some()
            {
                change.duplicate_import_ids.push(import_id.clone());
                continue;
            }
            let at = *knowledge.get_or_insert_with(|| self.next_knowledge(now));
            change.ids.push(self.insert_draft(draft, at));
        }
        Ok(change)
    }

    /// Updates one live transaction (PUT).
    pub(crate) fn update_one(
        &mut self,
        id: &str,
        fields: &TransactionFields,
        now: DateTime<Utc>,
    ) -> Result<(), SaveError> {
        let base = self
            .live_transaction(id)
            .cloned()
            .ok_or(SaveError::NotFound)?;
        let draft = self
            .draft(Some(&base), fields, now.date_naive())
            .map_err(SaveError::Invalid)?;
        let knowledge = self.next_knowledge(now);
        self.apply_update(&base, draft, knowledge);
        Ok(())
    }

    /// Updates many transactions found by `id` or, failing that, by
    /// `import_id` (PATCH): all or none.
    pub(crate) fn update_many(
        &mut self,
        items: Vec<Parsed>,
        now: DateTime<Utc>,
    ) -> Result<Change, SaveError> {
        let today = now.date_naive();
        let checked = collect_indexed(items.into_iter().map(|item| {
            let fields = item?;
            let base = self.patch_target(&fields)?;
            let draft = self.draft(Some(&base), &fields, today)?;
            Ok((base, draft))
        }))?;

        let knowledge = self.next_knowledge(now);
        let mut change = Change::default();
        for (base, draft) in checked {
            change.ids.push(base.id.clone());
            // Re-read: an earlier item of the same request may have moved it.
            let current = self.transaction(&base.id).cloned().unwrap_or(base);
            self.apply_update(&current, draft, knowledge);
        }
        Ok(change)
    }

    /// Deletes a live transaction, and the other side of a transfer.
    pub(crate) fn delete(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), SaveError> {
        let partner = self
            .live_transaction(id)
            .ok_or(SaveError::NotFound)?
            .transfer_transaction_id
            .clone();
        let knowledge = self.next_knowledge(now);
        self.retire(id, knowledge);
        if let Some(partner) = partner {
            self.retire(&partner, knowledge);
        }
        Ok(())
    }

    /// Writes a new transaction (and a transfer's mirror); returns its id.
    fn insert_draft(&mut self, draft: Draft, knowledge: i64) -> String {
        let mut txn = self.materialise(draft, None, knowledge);
        // Imported transactions remember the payee name they came with.
        if txn.import_id.is_some() {
            txn.import_payee_name = self.payee_name(txn.payee_id.as_deref());
        }
        let (id, is_transfer) = (txn.id.clone(), txn.transfer_account_id.is_some());
        self.touch_account(&txn.account_id, knowledge);
        self.touch_category(txn.category_id.as_deref(), knowledge);
        self.push_transaction(txn);

        if is_transfer {
            self.add_mirror(&id, knowledge);
        }
        id
    }

    /// Rewrites `base` from `draft`, keeping a transfer's two sides in step.
    fn apply_update(&mut self, base: &StoredTransaction, draft: Draft, knowledge: i64) {
        let mut updated = self.materialise(draft, base.payee_id.clone(), knowledge);
        updated.id = base.id.clone();
        updated.import_payee_name = base.import_payee_name.clone();
        let same_transfer = updated.transfer_account_id == base.transfer_account_id
            && updated.account_id == base.account_id;
        if same_transfer {
            updated.transfer_transaction_id = base.transfer_transaction_id.clone();
        }
        self.touch_account(&base.account_id, knowledge);
        self.touch_account(&updated.account_id, knowledge);
        self.touch_category(base.category_id.as_deref(), knowledge);
        self.touch_category(updated.category_id.as_deref(), knowledge);
        self.replace_transaction(base, updated.clone());

        match (&base.transfer_transaction_id, same_transfer) {
            (Some(partner), true) => self.sync_mirror(partner, &updated, knowledge),
            (_, true) => {}
            (partner, false) => {
                if let Some(partner) = partner {
                    self.retire(partner, knowledge);
                }
                if updated.transfer_account_id.is_some() {
                    self.add_mirror(&updated.id, knowledge);
                }
            }
        }
    }

    /// A transaction made from a checked draft, with a fresh id, its payee
    /// resolved (`kept` is the payee an update leaves alone) and, when the
    /// payee is a transfer payee, its transfer account set.
    fn materialise(
        &mut self,
        draft: Draft,
        kept: Option<String>,
        knowledge: i64,
    ) -> StoredTransaction {
        let payee_id = self.resolve_payee(draft.payee, kept, knowledge);
        let target = self.transfer_target(payee_id.as_deref());
        let category_id =
            self.category_for(&draft.account_id, target.as_deref(), draft.category_id);
        StoredTransaction {
            id: new_uuid(),
            account_id: draft.account_id,
            date: draft.date,
            amount: Milliunits(draft.amount),
            memo: draft.memo,
            cleared: draft.cleared,
            approved: draft.approved,
            flag_color: draft.flag_color,
            payee_id,
            category_id,
            transfer_account_id: target,
            transfer_transaction_id: None,
            import_id: draft.import_id,
            import_payee_name: None,
            deleted: false,
            changed_at: knowledge,
        }
    }

    /// Stores `updated` in place of `base`, moving its import id with it
    /// when it changed account.
    fn replace_transaction(&mut self, base: &StoredTransaction, updated: StoredTransaction) {
        if let Some(import_id) = &base.import_id
            && base.account_id != updated.account_id
        {
            let old_key = (base.account_id.clone(), import_id.clone());
            if let Some(position) = self.by_import.remove(&old_key) {
                self.by_import
                    .insert((updated.account_id.clone(), import_id.clone()), position);
            }
        }
        if let Some(slot) = self.transaction_mut(&base.id) {
            *slot = updated;
        }
    }

    /// Creates the other side of the transfer `source_id` makes.
    fn add_mirror(&mut self, source_id: &str, knowledge: i64) {
        let Some(source) = self.transaction(source_id).cloned() else {
            return;
        };
        let Some(target) = source.transfer_account_id.clone() else {
            return;
        };
        let Some(source_payee) = self
            .account(&source.account_id)
            .map(|a| a.transfer_payee_id.clone())
        else {
            return;
        };
        let mirror = StoredTransaction {
            id: new_uuid(),
            account_id: target.clone(),
            date: source.date,
            amount: Milliunits(-source.amount.0),
            memo: source.memo.clone(),
            cleared: Cleared::Uncleared,
            approved: source.approved,
            flag_color: None,
            payee_id: Some(source_payee),
            category_id: None,
            transfer_account_id: Some(source.account_id.clone()),
            transfer_transaction_id: Some(source.id.clone()),
            import_id: None,
            import_payee_name: None,
            deleted: false,
            changed_at: knowledge,
        };
        let mirror_id = mirror.id.clone();
        self.push_transaction(mirror);
        self.touch_account(&target, knowledge);
        if let Some(source) = self.transaction_mut(source_id) {
            source.transfer_transaction_id = Some(mirror_id);
        }
    }

    /// Keeps the other side of a transfer at the same date and the
    /// opposite amount.
    fn sync_mirror(&mut self, partner_id: &str, source: &StoredTransaction, knowledge: i64) {
        let Some(partner) = self.transaction_mut(partner_id) else {
            return;
        };
        if partner.date == source.date && partner.amount.0 == -source.amount.0 {
            return;
        }
        partner.date = source.date;
        partner.amount = Milliunits(-source.amount.0);
        partner.changed_at = knowledge;
        let account_id = partner.account_id.clone();
        self.touch_account(&account_id, knowledge);
    }

    /// Marks a transaction deleted at `knowledge`.
    fn retire(&mut self, id: &str, knowledge: i64) {
        let Some(txn) = self.transaction_mut(id) else {
            return;
        };
        txn.deleted = true;
        txn.changed_at = knowledge;
        let (account_id, category_id) = (txn.account_id.clone(), txn.category_id.clone());
        self.touch_account(&account_id, knowledge);
        self.touch_category(category_id.as_deref(), knowledge);
    }

    /// The payee id a choice comes to, creating a named payee when needed.
    fn resolve_payee(
        &mut self,
        choice: PayeeChoice,
        kept: Option<String>,
        knowledge: i64,
    ) -> Option<String> {
        match choice {
            PayeeChoice::Keep => kept,
            PayeeChoice::Nobody => None,
            PayeeChoice::Existing(id) => Some(id),
            PayeeChoice::Named(name) => Some(self.payee_named(&name, knowledge)),
        }
    }

    /// The ordinary (non-transfer) payee called `name`, created when new.
    fn payee_named(&mut self, name: &str, knowledge: i64) -> String {
        let existing = self
            .payees
            .iter()
            .find(|p| !p.deleted && p.transfer_account_id.is_none() && p.name == name);
        if let Some(payee) = existing {
            return payee.id.clone();
        }
        let id = new_uuid();
        self.payees.push(super::PayeeRecord {
            id: id.clone(),
            name: name.to_owned(),
            transfer_account_id: None,
            deleted: false,
            changed_at: knowledge,
        });
        id
    }

    fn payee_name(&self, payee_id: Option<&str>) -> Option<String> {
        payee_id
            .and_then(|id| self.payee(id))
            .map(|p| p.name.clone())
    }

    /// The account a payee transfers to, if it is a transfer payee.
    fn transfer_target(&self, payee_id: Option<&str>) -> Option<String> {
        payee_id
            .and_then(|id| self.payee(id))
            .and_then(|p| p.transfer_account_id.clone())
    }

    /// A transfer between two on-budget accounts moves no money between
    /// categories, so YNAB keeps it uncategorised.
    fn category_for(
        &self,
        account_id: &str,
        target: Option<&str>,
        wanted: Option<String>,
    ) -> Option<String> {
        let on_budget = |id: &str| self.account(id).is_some_and(|a| a.on_budget);
        match target {
            Some(target) if on_budget(account_id) && on_budget(target) => None,
            _ => wanted,
        }
    }
}
