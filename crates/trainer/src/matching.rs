//! The matched data set of one budget: its linked bunq accounts' payments
//! matched with its YNAB transactions (see `domain::matching`), named with
//! the budget's categories and stored in `matched_transactions`, replacing
//! the budget's previous rows so that recategorised transactions relabel.
//! Only new and changed rows are written (see `Store::replace_matched`).

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use domain::linking::{Link, link_account};
use domain::matching::{MatchCounts, MatchSettings, match_transactions};
use domain::time::millis;
use domain::ynab::Transaction;
use store::{MatchedCounts, MatchedRow, Store};
use tracing::{debug, info};

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

/// One budget's labelled rows, matched and named but not stored yet.
#[derive(Clone, Debug)]
pub struct BudgetMatch {
    /// The budget.
    pub budget_id: String,
    /// Its labelled rows, oldest payment first.
    pub rows: Vec<MatchedRow>,
    /// What matching found.
    pub counts: MatchCounts,
    /// The budget's transactions, which the stored rows embed.
    transactions: Vec<Transaction>,
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
    let matched = match_budget(store, budget_id, links, settings).await?;
    store_matched(store, &matched).await?;
    Ok((matched.rows, matched.counts))
}

/// Reads the budget's payments, transactions and categories and matches
/// them into labelled rows, without storing them.
///
/// # Errors
/// When reading MongoDB fails.
pub async fn match_budget(
    store: &Store,
    budget_id: &str,
    links: &[Link],
    settings: &MatchSettings,
) -> anyhow::Result<BudgetMatch> {
    let links: Vec<Link> = links
        .iter()
        .filter(|l| l.budget_id == budget_id)
        .cloned()
        .collect();
    let accounts: Vec<i64> = links.iter().map(|l| l.bunq_account_id).collect();
    let clock = Instant::now();
    let payments = async {
        store
            .bunq_payments_of(&accounts)
            .await
            .context("could not read bunq payments")
    };
    let transactions = async {
        store
            .ynab_transactions_of(budget_id)
            .await
            .with_context(|| format!("could not read transactions of YNAB budget {budget_id}"))
    };
    let categories = async {
        store
            .category_names(budget_id)
            .await
            .with_context(|| format!("could not read categories of YNAB budget {budget_id}"))
    };
    let (payments, transactions, categories) =
        tokio::try_join!(payments, transactions, categories)?;
    let names: HashMap<String, store::CategoryName> =
        categories.into_iter().map(|c| (c.id.clone(), c)).collect();
    debug!(budget.id = %budget_id, payments = payments.len(), transactions = transactions.len(),
           elapsed_ms = millis(clock.elapsed()), "payments, transactions and categories read");

    let clock = Instant::now();
    let report = match_transactions(&payments, &transactions, &links, settings);
    // Matches are one to one: each payment moves into its row, uncopied.
    let mut by_id: HashMap<i64, domain::bunq::Payment> =
        payments.into_iter().map(|p| (p.id, p)).collect();
    let mut rows: Vec<MatchedRow> = report
        .matches
        .iter()
        .filter_map(|m| {
            let payment = by_id.remove(&m.payment_id)?;
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
    debug!(budget.id = %budget_id, rows = rows.len(), elapsed_ms = millis(clock.elapsed()), "payments matched");
    Ok(BudgetMatch {
        budget_id: budget_id.to_owned(),
        rows,
        counts: report.counts,
        transactions,
    })
}

/// Makes `matched` the budget's rows in `matched_transactions`, writing
/// only new and changed rows, and logs the counts.
///
/// # Errors
/// When writing MongoDB fails.
pub async fn store_matched(store: &Store, matched: &BudgetMatch) -> anyhow::Result<MatchedCounts> {
    let budget_id = &matched.budget_id;
    let clock = Instant::now();
    let stored = store
        .replace_matched(budget_id, &matched.rows, &matched.transactions)
        .await
        .with_context(|| format!("could not store the matched rows of YNAB budget {budget_id}"))?;
    let c = matched.counts;
    info!(budget.id = %budget_id, labels = matched.rows.len(), exact = c.exact, windowed = c.windowed,
          tied = c.tied, unmatched = c.unmatched, split = c.split, transfer = c.transfer,
          uncategorised = c.uncategorised, deleted = c.deleted, rows_inserted = stored.inserted,
          rows_updated = stored.updated, rows_unchanged = stored.unchanged,
          rows_deleted = stored.deleted, elapsed_ms = millis(clock.elapsed()), "matched data set rebuilt");
    Ok(stored)
}
