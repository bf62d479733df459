//! The YNAB side of the household: a "Household" budget linked to the
//! current, savings and joint accounts and a "Side project" budget linked to
//! the side-project account, each with one transaction per bunq payment of a
//! linked account (transfer pairs between linked accounts), categorised by
//! the payee with a little noise, plus cash-only transactions.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use domain::time::local_date;
use domain::{Iban, Milliunits};

use super::Dice;
use super::bank::{BankHistory, Truth, external_iban};
use super::catalogue::{
    CASH_PAYEES, HOUSEHOLD_GROUPS, HOUSEHOLD_NOISE, SIDE_GROUPS, SIDE_NOISE, Slot,
};
use crate::household::{
    BankPayment, Budget, BudgetAccount, BudgetTransaction, Category, CategoryGroup,
};

/// Share of categorised transactions whose category the user picked
/// "wrongly", so that no model can be perfect.
const NOISE: f64 = 0.07;

/// Where a bunq account is linked: budget index and YNAB account id.
type Links = HashMap<i64, (usize, String)>;

/// Builds both budgets from the bank history.
pub(crate) fn generate(dice: &mut Dice, bank: &BankHistory, end: DateTime<Utc>) -> Vec<Budget> {
    let mut budgets = vec![household(dice, bank), side_project(dice, bank)];
    let links = links(bank, &budgets);

    for (payment, truth) in bank.payments.iter().zip(&bank.truths) {
        let Some((index, account_id)) = links.get(&payment.account_id) else {
            continue;
        };
        let target = (*index, account_id.as_str());
        let mirror = mirror(dice, &budgets, &links, target, (payment, truth), end);
        budgets[*index].transactions.push(mirror);
    }
    let cash = cash(dice, &budgets[0], bank, end);
    budgets[0].transactions.extend(cash);
    for budget in &mut budgets {
        budget.transactions.sort_by_key(|t| t.date);
    }
    budgets
}

fn household(dice: &mut Dice, bank: &BankHistory) -> Budget {
    let iban = |slot: Slot| &bank.accounts[slot.index()].iban;
    let accounts = vec![
        account(
            dice,
            "Betaalrekening",
            "checking",
            Some(iban(Slot::Current).to_string()),
        ),
        account(
            dice,
            "Spaarrekening",
            "savings",
            Some(spaced_lower(iban(Slot::Savings))),
        ),
        account(
            dice,
            "Gezamenlijke rekening",
            "checking",
            Some(format!(
                "Gedeeld met Sam. IBAN: {} (bunq)",
                iban(Slot::Joint)
            )),
        ),
        account(dice, "Portemonnee", "cash", None),
        BudgetAccount {
            closed: true,
            ..account(
                dice,
                "ING (oud)",
                "checking",
                Some(format!("Oude rekening {}", external_iban("INGB0001234567"))),
            )
        },
    ];
    budget(dice, "Household", accounts, HOUSEHOLD_GROUPS)
}

fn side_project(dice: &mut Dice, bank: &BankHistory) -> Budget {
    let iban = &bank.accounts[Slot::Side.index()].iban;
    let note = format!(
        "Zakelijke rekening bij bunq\niban {}\nBTW per kwartaal",
        iban
    );
    let accounts = vec![account(dice, "Zakelijk", "checking", Some(note))];
    budget(dice, "Side project", accounts, SIDE_GROUPS)
}

/// `nl12 bunq 2012 3456 78`: the layout a person types.
fn spaced_lower(iban: &Iban) -> String {
    let lower = iban.as_str().to_lowercase();
    let groups: Vec<&str> = lower
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    groups.join(" ")
}

fn account(dice: &mut Dice, name: &str, kind: &str, note: Option<String>) -> BudgetAccount {
    BudgetAccount {
        id: dice.uuid(),
        name: name.to_owned(),
        account_type: kind.to_owned(),
        note,
        transfer_payee_id: dice.uuid(),
        closed: false,
    }
}

fn budget(
    dice: &mut Dice,
    name: &str,
    accounts: Vec<BudgetAccount>,
    groups: &[(&str, &[&str])],
) -> Budget {
    let category_groups = groups
        .iter()
        .map(|(group, names)| CategoryGroup {
            id: dice.uuid(),
            name: (*group).to_owned(),
            categories: names
                .iter()
                .map(|name| Category {
                    id: dice.uuid(),
                    name: (*name).to_owned(),
                })
                .collect(),
        })
        .collect();
    Budget {
        id: dice.uuid(),
        name: name.to_owned(),
        accounts,
        category_groups,
        transactions: Vec::new(),
    }
}

/// Which YNAB account each linked bunq account maps to.
fn links(bank: &BankHistory, budgets: &[Budget]) -> Links {
    let mut links = Links::new();
    for account in &bank.accounts {
        for (index, budget) in budgets.iter().enumerate() {
            let linked = budget.accounts.iter().find(|a| {
                !a.closed
                    && a.note
                        .as_deref()
                        .is_some_and(|n| account.iban.appears_in(n))
            });
            if let Some(linked) = linked {
                links.insert(account.id, (index, linked.id.clone()));
            }
        }
    }
    links
}

/// The YNAB transaction the user keeps for one bunq payment.
fn mirror(
    dice: &mut Dice,
    budgets: &[Budget],
    links: &Links,
    (index, account_id): (usize, &str),
    (payment, truth): (&BankPayment, &Truth),
    end: DateTime<Utc>,
) -> BudgetTransaction {
    let budget = &budgets[index];
    // Only a move between two accounts of the same budget is a YNAB transfer.
    let peer = truth.transfer_peer.and_then(|peer| links.get(&peer));
    let (payee_name, category_id, transfer_account_id) = match peer {
        Some((peer_index, peer_account)) if *peer_index == index => (
            transfer_payee(budget, peer_account),
            None,
            Some(peer_account.clone()),
        ),
        _ => (
            truth.payee.clone(),
            category(dice, budget, truth, payment.amount),
            None,
        ),
    };
    let age = end - payment.created;
    let fresh = age < Duration::days(7);

    BudgetTransaction {
        id: dice.uuid(),
        account_id: account_id.to_owned(),
        date: local_date(payment.created, Amsterdam),
        amount: payment.amount,
        payee_name,
        memo: Some(payment.description.clone()).filter(|m| !m.is_empty()),
        category_id,
        transfer_account_id,
        cleared: cleared(dice, age, fresh),
        approved: !(fresh && dice.chance(0.3)),
        bunq_payment_id: Some(payment.id),
    }
}

/// The payee name YNAB shows on a transfer: "Transfer : <account>".
fn transfer_payee(budget: &Budget, peer_account: &str) -> Option<String> {
    let peer = budget.accounts.iter().find(|a| a.id == peer_account)?;
    Some(format!("Transfer : {}", peer.name))
}

/// The category id the user chose: the rule's category, or now and then
/// another spending category (noise). Inflows are never mislabelled.
fn category(dice: &mut Dice, budget: &Budget, truth: &Truth, amount: Milliunits) -> Option<String> {
    let mut name = truth.category?;
    if amount.0 < 0 && dice.chance(NOISE) {
        let pool = if budget.name == "Household" {
            HOUSEHOLD_NOISE
        } else {
            SIDE_NOISE
        };
        name = pool[dice.between(0, pool.len() as i64 - 1) as usize];
    }
    category_id(budget, name)
}

fn category_id(budget: &Budget, name: &str) -> Option<String> {
    let mut categories = budget.category_groups.iter().flat_map(|g| &g.categories);
    categories.find(|c| c.name == name).map(|c| c.id.clone())
}

/// Old transactions are reconciled, recent ones sometimes still uncleared.
fn cleared(dice: &mut Dice, age: Duration, fresh: bool) -> String {
    let state = if age > Duration::days(90) {
        "reconciled"
    } else if fresh && dice.chance(0.3) {
        "uncleared"
    } else {
        "cleared"
    };
    state.to_owned()
}

/// Cash purchases that only YNAB knows, about three a month.
fn cash(
    dice: &mut Dice,
    budget: &Budget,
    bank: &BankHistory,
    end: DateTime<Utc>,
) -> Vec<BudgetTransaction> {
    let Some(wallet) = budget.accounts.iter().find(|a| a.account_type == "cash") else {
        return Vec::new();
    };
    let Some(first) = bank
        .payments
        .first()
        .map(|p| local_date(p.created, Amsterdam))
    else {
        return Vec::new();
    };
    let last = local_date(end, Amsterdam);
    let mut out = Vec::new();
    let mut date: NaiveDate = first;
    while date <= last {
        let (payee, category) = CASH_PAYEES[dice.between(0, CASH_PAYEES.len() as i64 - 1) as usize];
        out.push(BudgetTransaction {
            id: dice.uuid(),
            account_id: wallet.id.clone(),
            date,
            amount: Milliunits(-dice.between(2, 25) * 1_000),
            payee_name: Some(payee.to_owned()),
            memo: None,
            category_id: category_id(budget, category),
            transfer_account_id: None,
            cleared: "cleared".to_owned(),
            approved: true,
            bunq_payment_id: None,
        });
        date += Duration::days(dice.between(7, 13));
    }
    out
}
