//! The generated household: deterministic, realistic in shape, and with
//! a YNAB mirror for every payment of a linked account.

use std::collections::HashMap;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Europe::Amsterdam;
use domain::bunq::AccountType;
use domain::time::local_date;
use sandbox::household::{Household, HouseholdParams, generate};

fn end() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-15T10:00:00Z")
        .expect("valid")
        .with_timezone(&Utc)
}

fn household() -> Household {
    generate(&HouseholdParams {
        end: end(),
        ..HouseholdParams::default()
    })
}

/// bunq account id → (budget index, YNAB account id), by IBAN in the note.
fn links(household: &Household) -> HashMap<i64, (usize, String)> {
    let mut links = HashMap::new();
    for account in &household.accounts {
        for (index, budget) in household.budgets.iter().enumerate() {
            for ynab in budget.accounts.iter().filter(|a| !a.closed) {
                if ynab
                    .note
                    .as_deref()
                    .is_some_and(|n| account.iban.appears_in(n))
                {
                    links.insert(account.id, (index, ynab.id.clone()));
                }
            }
        }
    }
    links
}

#[test]
fn the_same_seed_and_end_give_the_same_household() {
    let (a, b) = (household(), household());

    let payments = |h: &Household| {
        h.payments
            .iter()
            .map(|p| (p.id, p.created, p.amount, p.description.clone()))
            .collect::<Vec<_>>()
    };
    let transactions = |h: &Household| {
        h.budgets
            .iter()
            .flat_map(|b| &b.transactions)
            .map(|t| (t.id.clone(), t.category_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(payments(&a), payments(&b));
    assert_eq!(transactions(&a), transactions(&b));
    assert_eq!(
        a.accounts
            .iter()
            .map(|x| x.iban.clone())
            .collect::<Vec<_>>(),
        b.accounts
            .iter()
            .map(|x| x.iban.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_default_household_has_about_1500_payments_over_two_years() {
    let household = household();

    let first = household.payments.first().expect("payments").created;
    assert!(
        (1_300..=1_700).contains(&household.payments.len()),
        "{}",
        household.payments.len()
    );
    assert!(end() - first > chrono::Duration::days(700));
    assert!(household.payments.iter().all(|p| p.created < end()));
}

#[test]
fn a_larger_household_reaches_five_thousand_payments() {
    let params = HouseholdParams {
        end: end(),
        payments_per_month: 220,
        extra_accounts: 2,
        ..HouseholdParams::default()
    };

    let household = generate(&params);

    assert!(
        household.payments.len() >= 5_000,
        "{}",
        household.payments.len()
    );
    assert_eq!(household.accounts.len(), 7);
}

#[test]
fn ids_rise_with_time_amounts_are_whole_cents_and_balances_add_up() {
    let household = household();

    assert!(
        household
            .payments
            .windows(2)
            .all(|w| w[0].id < w[1].id && w[0].created <= w[1].created)
    );
    assert!(
        household
            .payments
            .iter()
            .all(|p| p.amount.0 % 10 == 0 && p.amount.0 != 0)
    );
    let mut last: HashMap<i64, i64> = HashMap::new();
    for payment in &household.payments {
        if let Some(previous) = last.get(&payment.account_id) {
            assert_eq!(
                previous + payment.amount.0,
                payment.balance_after.0,
                "payment {}",
                payment.id
            );
        }
        last.insert(payment.account_id, payment.balance_after.0);
    }
}

#[test]
fn the_household_has_every_kind_of_account_and_payment_a_client_must_handle() {
    let household = household();
    let links = links(&household);
    let kinds: Vec<AccountType> = household.accounts.iter().map(|a| a.kind).collect();
    let types: Vec<&str> = household
        .payments
        .iter()
        .map(|p| p.payment_type.as_str())
        .collect();

    for kind in [AccountType::Bank, AccountType::Savings, AccountType::Joint] {
        assert!(kinds.contains(&kind), "{kind:?}");
    }
    assert!(
        household
            .accounts
            .iter()
            .any(|a| !links.contains_key(&a.id)),
        "an unlinked account"
    );
    for kind in [
        "EBA_SCT",
        "EBA_SDD",
        "MASTERCARD",
        "MAESTRO",
        "IDEAL",
        "BUNQ",
    ] {
        assert!(types.contains(&kind), "{kind}");
    }
    assert!(
        household
            .payments
            .iter()
            .any(|p| p.sub_type == "REVERSAL" && p.amount.0 > 0)
    );
    assert!(
        household
            .payments
            .iter()
            .any(|p| p.counterparty.name.is_none())
    );
    assert!(
        household
            .payments
            .iter()
            .any(|p| p.counterparty.merchant_category_code.is_some())
    );
    let night =
        |p: &&sandbox::household::BankPayment| p.created.with_timezone(&Amsterdam).hour() < 2;
    assert!(household.payments.iter().filter(night).count() >= 20);
}

#[test]
fn every_payment_of_a_linked_account_has_one_matching_ynab_transaction() {
    let household = household();
    let links = links(&household);
    let mirrors: HashMap<i64, (&str, &sandbox::household::BudgetTransaction)> = household
        .budgets
        .iter()
        .flat_map(|b| b.transactions.iter().map(move |t| (b.id.as_str(), t)))
        .filter_map(|(budget, t)| t.bunq_payment_id.map(|id| (id, (budget, t))))
        .collect();

    let mut linked = 0;
    for payment in &household.payments {
        let Some((index, ynab_account)) = links.get(&payment.account_id) else {
            assert!(
                !mirrors.contains_key(&payment.id),
                "unlinked payments have no mirror"
            );
            continue;
        };
        linked += 1;
        let (budget, mirror) = mirrors.get(&payment.id).expect("a mirror");
        assert_eq!(*budget, household.budgets[*index].id);
        assert_eq!(&mirror.account_id, ynab_account);
        assert_eq!(mirror.amount, payment.amount);
        assert_eq!(mirror.date, local_date(payment.created, Amsterdam));
    }
    assert_eq!(mirrors.len(), linked);
}

#[test]
fn transfers_between_linked_accounts_are_ynab_transfer_pairs_without_category() {
    let household = household();
    let budget = &household.budgets[0];

    let transfers: Vec<_> = budget
        .transactions
        .iter()
        .filter(|t| t.transfer_account_id.is_some())
        .collect();

    assert!(transfers.len() >= 40, "{}", transfers.len());
    assert!(transfers.iter().all(|t| t.category_id.is_none()));
    let outgoing = transfers.iter().filter(|t| t.amount.0 < 0).count();
    assert_eq!(outgoing * 2, transfers.len(), "both sides are there");
}

#[test]
fn categories_follow_the_payee_most_of_the_time() {
    let household = household();
    let budget = &household.budgets[0];
    let mut by_payee: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for t in budget
        .transactions
        .iter()
        .filter(|t| t.category_id.is_some())
    {
        let payee = t.payee_name.as_deref().unwrap_or_default();
        *by_payee
            .entry(payee)
            .or_default()
            .entry(t.category_id.as_deref().unwrap_or_default())
            .or_default() += 1;
    }

    let (mut majority, mut total) = (0, 0);
    for counts in by_payee.values() {
        majority += counts.values().max().copied().unwrap_or(0);
        total += counts.values().sum::<usize>();
    }

    let share = majority as f64 / total as f64;
    assert!((0.88..0.99).contains(&share), "rule share {share}");
}
