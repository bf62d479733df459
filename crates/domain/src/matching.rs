//! Which YNAB transaction belongs to which bunq payment: the labelled data
//! set the trainer learns from (`matched_transactions`).
//!
//! A transaction this project created names its payment in its `import_id`
//! and matches exactly. Older history matches a payment of the linked bunq
//! account with the same amount and a local date within a small window,
//! one to one, nearest date first; ties that cannot be resolved are left
//! out and counted. Only categorised, live, unsplit, non-transfer matches
//! become labels.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::bunq::Payment;
use crate::linking::Link;
use crate::money::Milliunits;
use crate::sync::payment_id_from_import_id;
use crate::time::local_date;
use crate::ynab::Transaction;

/// Days a YNAB date may differ from the payment's local date (default).
pub const DEFAULT_WINDOW_DAYS: i64 = 2;

/// How matching is done.
#[derive(Clone, Copy, Debug)]
pub struct MatchSettings {
    /// The largest difference, in days, between a transaction's date and
    /// its payment's local date (default [`DEFAULT_WINDOW_DAYS`]).
    pub window_days: i64,
    /// The zone whose calendar YNAB dates are in.
    pub zone: Tz,
}

/// How a pair was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMethod {
    /// The transaction's `import_id` names the payment.
    ImportId,
    /// Same account and amount, date within the window.
    DateWindow,
}

impl MatchMethod {
    /// A stable name for storage (`import_id`, `date_window`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImportId => "import_id",
            Self::DateWindow => "date_window",
        }
    }
}

/// One labelled pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// The bunq payment.
    pub payment_id: i64,
    /// The YNAB transaction (also the row's key, `match_id`).
    pub transaction_id: String,
    /// The budget of the transaction.
    pub budget_id: String,
    /// The category the user gave the transaction: the label.
    pub category_id: String,
    /// How the pair was found.
    pub method: MatchMethod,
    /// The transaction's date minus the payment's local date, in days.
    pub day_offset: i64,
}

/// What matching found, beyond the labels themselves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchCounts {
    /// Labels matched through `import_id`.
    pub exact: usize,
    /// Labels matched by amount and date.
    pub windowed: usize,
    /// Transactions left out because several payments (or several
    /// transactions) fit equally well.
    pub tied: usize,
    /// Live transactions of linked accounts with no payment.
    pub unmatched: usize,
    /// Deleted transactions (never labels).
    pub deleted: usize,
    /// Matched split transactions (never labels).
    pub split: usize,
    /// Matched transfers (never labels).
    pub transfer: usize,
    /// Matched transactions without a category (never labels).
    pub uncategorised: usize,
}

/// The labels and the counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchReport {
    /// Labelled pairs, ordered by payment id.
    pub matches: Vec<Match>,
    /// What else was found.
    pub counts: MatchCounts,
}

/// A transaction paired with a payment, before the label filter.
struct Pair<'a> {
    transaction: &'a Transaction,
    payment_id: i64,
    method: MatchMethod,
    day_offset: i64,
}

/// Matches `transactions` with `payments` through the account `links`.
/// Transactions of accounts no bunq account links to are ignored.
pub fn match_transactions(
    payments: &[Payment],
    transactions: &[Transaction],
    links: &[Link],
    settings: &MatchSettings,
) -> MatchReport {
    let budget_of: HashMap<&str, &str> = links
        .iter()
        .map(|l| (l.ynab_account_id.as_str(), l.budget_id.as_str()))
        .collect();
    let mut counts = MatchCounts::default();
    let mut live: Vec<&Transaction> = Vec::new();
    for t in transactions
        .iter()
        .filter(|t| budget_of.contains_key(t.account_id.as_str()))
    {
        if t.deleted {
            counts.deleted += 1;
        } else {
            live.push(t);
        }
    }
    live.sort_by(|a, b| a.id.cmp(&b.id));

    let dates: HashMap<i64, NaiveDate> = payments
        .iter()
        .map(|p| (p.id, local_date(p.created, settings.zone)))
        .collect();
    let mut used: HashSet<i64> = HashSet::new();
    let mut pairs = exact_pairs(&live, &dates, &mut used);
    let paired: HashSet<&str> = pairs.iter().map(|p| p.transaction.id.as_str()).collect();
    let rest: Vec<&Transaction> = live
        .iter()
        .copied()
        .filter(|t| !paired.contains(t.id.as_str()))
        .collect();
    let (windowed, tied) = window_pairs(&rest, payments, links, &dates, &used, settings);
    pairs.extend(windowed);
    counts.tied = tied;
    counts.unmatched = live.len() - pairs.len() - tied;

    let mut matches: Vec<Match> = pairs
        .into_iter()
        .filter_map(|p| label(p, &budget_of, &mut counts))
        .collect();
    matches
        .sort_by(|a, b| (a.payment_id, &a.transaction_id).cmp(&(b.payment_id, &b.transaction_id)));
    MatchReport { matches, counts }
}

/// Pairs whose `import_id` names a known payment.
fn exact_pairs<'a>(
    live: &[&'a Transaction],
    dates: &HashMap<i64, NaiveDate>,
    used: &mut HashSet<i64>,
) -> Vec<Pair<'a>> {
    let mut pairs = Vec::new();
    for t in live {
        let Some(payment_id) = t.import_id.as_deref().and_then(payment_id_from_import_id) else {
            continue;
        };
        let Some(date) = dates.get(&payment_id) else {
            continue;
        };
        if used.insert(payment_id) {
            let day_offset = (t.date - *date).num_days();
            pairs.push(Pair {
                transaction: t,
                payment_id,
                method: MatchMethod::ImportId,
                day_offset,
            });
        }
    }
    pairs
}

/// Pairs by account, amount and nearest date; returns them and the number
/// of transactions left out as ties.
fn window_pairs<'a>(
    rest: &[&'a Transaction],
    payments: &[Payment],
    links: &[Link],
    dates: &HashMap<i64, NaiveDate>,
    used: &HashSet<i64>,
    settings: &MatchSettings,
) -> (Vec<Pair<'a>>, usize) {
    let account_of: HashMap<i64, &str> = links
        .iter()
        .map(|l| (l.bunq_account_id, l.ynab_account_id.as_str()))
        .collect();
    // Group both sides by (YNAB account, amount); only such groups can pair.
    let mut groups: BTreeMap<(&str, Milliunits), Group<'a>> = BTreeMap::new();
    for t in rest.iter().filter(|t| t.amount.0 != 0) {
        groups
            .entry((t.account_id.as_str(), t.amount))
            .or_default()
            .transactions
            .push(t);
    }
    for p in payments.iter().filter(|p| !used.contains(&p.id)) {
        let Some(account) = account_of.get(&p.monetary_account_id) else {
            continue;
        };
        if let Some(group) = groups.get_mut(&(*account, p.amount)) {
            group.payments.push((p.id, dates[&p.id]));
        }
    }

    let mut pairs = Vec::new();
    let mut tied = 0;
    for group in groups.into_values() {
        tied += group.resolve(settings.window_days, &mut pairs);
    }
    (pairs, tied)
}

/// The transactions and payments of one account with one amount.
#[derive(Default)]
struct Group<'a> {
    transactions: Vec<&'a Transaction>,
    payments: Vec<(i64, NaiveDate)>,
}

impl<'a> Group<'a> {
    /// Pairs at distance 0, then 1, ... up to `window` days. At each
    /// distance a pair is taken only when neither side has another
    /// candidate at that distance; the sides of a tie are set aside for
    /// good, because no later distance can say which pairing is right.
    /// Returns the number of transactions set aside.
    fn resolve(mut self, window: i64, pairs: &mut Vec<Pair<'a>>) -> usize {
        self.payments.sort_unstable();
        let mut open_t = vec![true; self.transactions.len()];
        let mut open_p = vec![true; self.payments.len()];
        let mut tied = 0;
        for distance in 0..=window {
            let near = |ti: usize, pi: usize| {
                (self.transactions[ti].date - self.payments[pi].1)
                    .num_days()
                    .abs()
                    == distance
            };
            let t_cands: Vec<Vec<usize>> = (0..self.transactions.len())
                .map(|ti| {
                    let open = open_t[ti];
                    (0..self.payments.len())
                        .filter(|&pi| open && open_p[pi] && near(ti, pi))
                        .collect()
                })
                .collect();
            let p_counts: Vec<usize> = (0..self.payments.len())
                .map(|pi| t_cands.iter().filter(|c| c.contains(&pi)).count())
                .collect();
            for (ti, cands) in t_cands.iter().enumerate() {
                match cands.as_slice() {
                    [] => {}
                    [pi] if p_counts[*pi] == 1 => {
                        let (payment_id, date) = self.payments[*pi];
                        let transaction = self.transactions[ti];
                        let day_offset = (transaction.date - date).num_days();
                        let method = MatchMethod::DateWindow;
                        pairs.push(Pair {
                            transaction,
                            payment_id,
                            method,
                            day_offset,
                        });
                        (open_t[ti], open_p[*pi]) = (false, false);
                    }
                    many => {
                        tied += 1;
                        open_t[ti] = false;
                        many.iter().for_each(|&pi| open_p[pi] = false);
                    }
                }
            }
        }
        tied
    }
}

/// The label of a pair, or `None` (counted) when it is not one.
fn label(
    pair: Pair<'_>,
    budget_of: &HashMap<&str, &str>,
    counts: &mut MatchCounts,
) -> Option<Match> {
    let t = pair.transaction;
    let split = t
        .raw
        .get("subtransactions")
        .and_then(|s| s.as_array())
        .is_some_and(|s| !s.is_empty());
    if split {
        counts.split += 1;
        return None;
    }
    if t.transfer_account_id.is_some() {
        counts.transfer += 1;
        return None;
    }
    let Some(category_id) = t.category_id.clone() else {
        counts.uncategorised += 1;
        return None;
    };
    match pair.method {
        MatchMethod::ImportId => counts.exact += 1,
        MatchMethod::DateWindow => counts.windowed += 1,
    }
    Some(Match {
        payment_id: pair.payment_id,
        transaction_id: t.id.clone(),
        budget_id: budget_of
            .get(t.account_id.as_str())
            .copied()
            .unwrap_or_default()
            .to_owned(),
        category_id,
        method: pair.method,
        day_offset: pair.day_offset,
    })
}

#[cfg(test)]
mod tests;
