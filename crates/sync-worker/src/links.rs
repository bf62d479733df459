//! Where each bunq account's payments go, computed once per drain from the
//! stored bunq and YNAB accounts.

use std::collections::HashMap;

use domain::linking::{Link, Unlinked, link_account};
use store::Store;

/// The link (or why there is none) of every stored bunq account.
#[derive(Debug, Default)]
pub(crate) struct Links {
    by_account: HashMap<i64, Result<Link, Unlinked>>,
    linked: Vec<Link>,
}

impl Links {
    /// Links every stored bunq account.
    pub(crate) async fn load(store: &Store) -> anyhow::Result<Self> {
        let bunq = store.bunq_accounts().await?;
        let ynab = store.ynab_accounts().await?;
        let by_account: HashMap<i64, Result<Link, Unlinked>> = bunq
            .iter()
            .map(|a| (a.id, link_account(a, &ynab)))
            .collect();
        let linked = by_account
            .values()
            .filter_map(|l| l.as_ref().ok().cloned())
            .collect();
        Ok(Self { by_account, linked })
    }

    /// The link of one bunq account; `None` when the account is unknown.
    pub(crate) fn own(&self, account_id: i64) -> Option<Result<&Link, &Unlinked>> {
        self.by_account.get(&account_id).map(Result::as_ref)
    }

    /// Every linked account.
    pub(crate) fn linked(&self) -> &[Link] {
        &self.linked
    }

    /// The ids of the linked bunq accounts.
    pub(crate) fn linked_account_ids(&self) -> Vec<i64> {
        self.linked.iter().map(|l| l.bunq_account_id).collect()
    }

    /// The linked account with this IBAN, by bunq account id.
    pub(crate) fn account_by_iban(&self, iban: &domain::Iban) -> Option<i64> {
        self.by_account.iter().find_map(|(id, link)| match link {
            Ok(link) if &link.iban == iban => Some(*id),
            Err(Unlinked::NoMatchingNote(i) | Unlinked::Ambiguous(i, _)) if i == iban => Some(*id),
            _ => None,
        })
    }
}
