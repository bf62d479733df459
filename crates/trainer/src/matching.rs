//! The matched data set of one budget: its linked bunq accounts' payments
//! matched with its YNAB transactions (see `domain::matching`), named with
//! the budget's categories and stored in `matched_transactions`, replacing
//! the budget's previous rows so that recategorised transactions relabel.

use std::collections::HashMap;

use anyhow::Context;
use domain::linking::{Link, link_account};
use domain::matching::{MatchCounts, MatchSettings, match_transactions};
use store::{MatchedRow, Store};
use tracing::info;

/// Every link between a bunq account and a YNAB account, from the stored
/// accounts (unlinked accounts are the ingest's to report).
///
/// # Errors
/// When the accounts cannot be read.
pub async fn links(store: &Store) -> anyhow::Result<Vec<Link>> {
    let bunq = store
        .bunq_accounts()
        .await
        .context("could not read bunq accounts")?;
    let ynab = store
        .ynab_accounts()
        .await
        .context("could not read YNAB accounts")?;
    Ok(bunq
        .iter()
        .filter_map(|a| link_account(a, &ynab).ok())
        .collect())
}

/// Matches, names and stores the labelled rows of `budget_id`; returns
/// them, oldest payment first, with the matching counts.
///
/// # Errors
/// When reading or writing MongoDB fails.
pub async fn refresh_budget(
    store: &Store,
    budget_id: &str,
    links: &[Link],
    settings: &MatchSettings,
) -> anyhow::Result<(Vec<MatchedRow>, MatchCounts)> {
    let links: Vec<Link> = links
        .iter()
        .filter(|l| l.budget_id == budget_id)
        .cloned()
        .collect();
    let accounts: Vec<i64> = links.iter().map(|l| l.bunq_account_id).collect();
    let payments = store
        .bunq_payments_of(&accounts)
        .await
        .context("could not read bunq payments")?;
    let transactions = store
        .ynab_transactions_of(budget_id)
        .await
        .with_context(|| format!("could not read transactions of YNAB budget {budget_id}"))?;
    let names: HashMap<String, store::CategoryName> = store
        .category_names(budget_id)
        .await
        .with_context(|| format!("could not read categories of YNAB budget {budget_id}"))?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();

    let report = match_transactions(&payments, &transactions, &links, settings);
    let by_id: HashMap<i64, &domain::bunq::Payment> = payments.iter().map(|p| (p.id, p)).collect();
    let mut rows: Vec<MatchedRow> = report
        .matches
        .iter()
        .filter_map(|m| {
            let payment = (*by_id.get(&m.payment_id)?).clone();
            let name = names.get(&m.category_id);
            Some(MatchedRow {
                match_id: m.transaction_id.clone(),
                budget_id: m.budget_id.clone(),
                payment,
                method: m.method.as_str().to_owned(),
                day_offset: m.day_offset,
                category_id: m.category_id.clone(),
                category_name: name.map_or_else(|| m.category_id.clone(), |c| c.name.clone()),
                category_group_name: name.and_then(|c| c.group.clone()),
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.payment.created, r.payment.id));

    store
        .replace_matched(budget_id, &rows, &transactions)
        .await
        .with_context(|| format!("could not store the matched rows of YNAB budget {budget_id}"))?;
    let c = report.counts;
    info!(budget.id = %budget_id, labels = rows.len(), exact = c.exact, windowed = c.windowed,
          tied = c.tied, unmatched = c.unmatched, split = c.split, transfer = c.transfer,
          uncategorised = c.uncategorised, deleted = c.deleted, "matched data set rebuilt");
    Ok((rows, report.counts))
}
