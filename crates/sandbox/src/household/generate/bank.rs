//! The bunq side of the household: accounts with IBANs, and a payment
//! history built from monthly payments, own-account transfers, card and
//! iDEAL purchases, refunds and savings interest, numbered in time order
//! with running balances.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use domain::bunq::AccountType;
use domain::{Iban, Milliunits};

use super::catalogue::{
    Channel, MERCHANTS, MOVES, Merchant, Move, RECURRING, Recurring, Slot, WITHDRAWAL,
    recurring_mcc,
};
use super::{Dice, HouseholdParams};
use crate::household::{BankAccount, BankPayment, Party};

/// Payments per month that are not purchases (recurring ones and transfers).
const FIXED_PER_MONTH: u32 = 22;

/// Purchases per month the amounts are scaled for; more purchases get
/// smaller amounts so balances stay plausible.
const BASE_PURCHASES: u32 = 38;

/// What the user did in YNAB with a payment: ground truth for the budgets.
#[derive(Clone, Debug)]
pub(crate) struct Truth {
    /// The payee the user keeps in YNAB.
    pub payee: Option<String>,
    /// The right category (before noise); `None` for transfers.
    pub category: Option<&'static str>,
    /// For an own-account transfer: the other bunq account's id.
    pub transfer_peer: Option<i64>,
}

/// The generated bank history, with a [`Truth`] per payment (same order).
pub(crate) struct BankHistory {
    /// Standard accounts in [`Slot`] order, then the extra ones.
    pub accounts: Vec<BankAccount>,
    /// Payments, ascending id and time.
    pub payments: Vec<BankPayment>,
    /// Ground truth, parallel to `payments`.
    pub truths: Vec<Truth>,
}

/// A payment before it has an id and a balance.
struct Draft {
    account: usize,
    created: DateTime<Utc>,
    cents: i64,
    description: String,
    kind: (&'static str, &'static str),
    party: Party,
    truth: Truth,
}

/// Generates accounts and payments between `start` and `params.end`.
pub(crate) fn generate(
    dice: &mut Dice,
    params: &HouseholdParams,
    start: DateTime<Utc>,
) -> BankHistory {
    let accounts = accounts(dice, params, start);
    let mut drafts = Vec::new();
    let purchases = params
        .payments_per_month
        .saturating_sub(FIXED_PER_MONTH)
        .max(1);
    let scale = f64::from(BASE_PURCHASES.min(purchases)) / f64::from(purchases);

    for (year, month) in months(start, params.end) {
        for item in RECURRING {
            drafts.extend(recurring(dice, item, year, month));
        }
        drafts.extend(transfers(dice, &accounts, year, month));
        for _ in 0..purchases {
            drafts.extend(purchase(dice, year, month, scale));
        }
    }
    drafts.retain(|d| d.created >= start && d.created < params.end);
    drafts.sort_by_key(|d| d.created);

    let (payments, truths) = number(dice, &accounts, drafts);
    BankHistory {
        accounts,
        payments,
        truths,
    }
}

fn accounts(dice: &mut Dice, params: &HouseholdParams, start: DateTime<Utc>) -> Vec<BankAccount> {
    let standard = [
        (AccountType::Bank, "Betaalrekening"),
        (AccountType::Savings, "Spaarrekening"),
        (AccountType::Joint, "Gezamenlijke rekening"),
        (AccountType::Bank, "Side project"),
        (AccountType::Bank, "Vakantiepot"),
    ];
    let extra = (0..params.extra_accounts).map(|n| (AccountType::Bank, format!("Potje {}", n + 1)));
    let all = standard
        .iter()
        .map(|(kind, name)| (*kind, (*name).to_owned()))
        .chain(extra);

    let mut id = 3_400_000 + dice.between(1, 90_000);
    all.map(|(kind, description)| {
        id += dice.between(1, 400);
        let bban = format!("BUNQ20{:08}", dice.between(10_000_000, 99_999_999));
        BankAccount {
            id,
            kind,
            description,
            iban: own_iban(&bban),
            created: start - Duration::days(dice.between(30, 900)),
            status: "ACTIVE".to_owned(),
        }
    })
    .collect()
}

/// A bunq IBAN for a generated BBAN.
fn own_iban(bban: &str) -> Iban {
    // The BBAN is "BUNQ" and ten digits, a valid shape, so the only failure
    // `from_parts` knows (a malformed shape) cannot happen.
    Iban::from_parts("NL", bban).expect("a BUNQ BBAN of ten digits is a valid IBAN body")
}

/// IBAN of a company or person outside the household.
pub(crate) fn external_iban(bban: &str) -> Iban {
    let country = if bban.starts_with("DEUT") { "DE" } else { "NL" };
    // Every BBAN in the catalogue is four letters and ten digits, a valid
    // shape for both countries.
    Iban::from_parts(country, bban).expect("catalogue BBANs are valid IBAN bodies")
}

/// Calendar months (Amsterdam) from `start` to `end`, both included.
fn months(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(i32, u32)> {
    let (first, last) = (
        start.with_timezone(&Amsterdam),
        end.with_timezone(&Amsterdam),
    );
    let mut out = Vec::new();
    let (mut year, mut month) = (first.year(), first.month());
    while (year, month) <= (last.year(), last.month()) {
        out.push((year, month));
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    out
}

/// An Amsterdam wall-clock time as UTC, with random minutes and
/// microseconds as bunq records them.
fn local(dice: &mut Dice, year: i32, month: u32, day: u32, hour: u32) -> Option<DateTime<Utc>> {
    let minute = dice.between(0, 59) as u32;
    let second = dice.between(0, 59) as u32;
    let micros = dice.between(0, 999_999);
    let instant = Amsterdam
        .with_ymd_and_hms(year, month, day, hour, minute, second)
        .earliest()?;
    Some(instant.with_timezone(&Utc) + Duration::microseconds(micros))
}

fn days_in(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(next.0, next.1, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

fn month_name(year: i32, month: u32) -> String {
    const NAMES: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!("{} {year}", NAMES[(month as usize + 11) % 12])
}

fn recurring(dice: &mut Dice, item: &Recurring, year: i32, month: u32) -> Option<Draft> {
    let created = local(dice, year, month, item.day, item.hour)?;
    let (name, bban) = item.party;
    let party = Party {
        name: name.map(str::to_owned),
        iban: (!bban.is_empty()).then(|| external_iban(bban)),
        merchant_category_code: recurring_mcc(item.payee).map(str::to_owned),
    };
    Some(Draft {
        account: item.account.index(),
        created,
        cents: item.cents,
        description: item
            .description
            .replace("{month}", &month_name(year, month)),
        kind: item.kind,
        party,
        truth: Truth {
            payee: Some(item.payee.to_owned()),
            category: Some(item.category),
            transfer_peer: None,
        },
    })
}

/// The owner's name as it shows on the other side of an own transfer.
const OWNER: &str = "R. de Vries";

/// Monthly moves between own accounts, savings interest and the odd
/// holiday booking from the unlinked account.
fn transfers(dice: &mut Dice, accounts: &[BankAccount], year: i32, month: u32) -> Vec<Draft> {
    let index = |(from, to, day, cents, text, category): &Move<Slot>| {
        (from.index(), to.index(), *day, *cents, *text, *category)
    };
    let mut moves: Vec<Move<usize>> = MOVES.iter().map(index).collect();
    let extra = |to| {
        (
            Slot::Current.index(),
            to,
            27,
            5_000,
            "Potje",
            Some("Emergency fund"),
        )
    };
    moves.extend((Slot::ALL.len()..accounts.len()).map(extra));
    if month.is_multiple_of(5) {
        moves.push(index(&WITHDRAWAL));
    }

    let mut out = Vec::new();
    for step in moves {
        if let Some(created) = local(dice, year, month, step.2, 10) {
            out.extend(transfer(accounts, step, created));
        }
    }
    if month.is_multiple_of(3) {
        out.extend(interest(dice, year, month));
    }
    if month % 6 == 2 {
        out.extend(booking(dice, year, month));
    }
    out
}

/// Both sides of a move between own accounts: bunq type `BUNQ`, the
/// counterparty IBAN being the other account.
fn transfer(
    accounts: &[BankAccount],
    (from, to, _, cents, description, category): Move<usize>,
    created: DateTime<Utc>,
) -> [Draft; 2] {
    let side = |account: usize, other: usize, cents: i64| Draft {
        account,
        created,
        cents,
        description: description.to_owned(),
        kind: ("BUNQ", "PAYMENT"),
        party: Party {
            name: Some(OWNER.to_owned()),
            iban: Some(accounts[other].iban.clone()),
            merchant_category_code: None,
        },
        truth: Truth {
            payee: Some(accounts[other].description.clone()),
            category,
            transfer_peer: Some(accounts[other].id),
        },
    };
    [side(from, to, -cents), side(to, from, cents)]
}

fn interest(dice: &mut Dice, year: i32, month: u32) -> Option<Draft> {
    Some(Draft {
        account: Slot::Savings.index(),
        created: local(dice, year, month, 1, 3)?,
        cents: dice.between(300, 1_500),
        description: format!("bunq rente {}", month_name(year, month)),
        kind: ("BUNQ", "PAYMENT"),
        party: Party {
            name: Some("bunq B.V.".to_owned()),
            iban: Some(external_iban("BUNQ2040000000")),
            merchant_category_code: None,
        },
        truth: truth("bunq", "Inflow: Ready to Assign"),
    })
}

fn booking(dice: &mut Dice, year: i32, month: u32) -> Option<Draft> {
    let day = dice.between(1, 28) as u32;
    Some(Draft {
        account: Slot::Unlinked.index(),
        created: local(dice, year, month, day, 20)?,
        cents: -dice.between(45_000, 90_000),
        description: format!(
            "{:016} Booking.com reservering",
            dice.between(1, 10_i64.pow(15))
        ),
        kind: ("IDEAL", "PAYMENT"),
        party: Party {
            name: Some("Booking.com B.V.".to_owned()),
            iban: Some(external_iban("INGB0007788990")),
            merchant_category_code: None,
        },
        truth: truth("Booking.com", "Vacation"),
    })
}

fn truth(payee: &str, category: &'static str) -> Truth {
    Truth {
        payee: Some(payee.to_owned()),
        category: Some(category),
        transfer_peer: None,
    }
}

/// One purchase in the month, and now and then its refund.
fn purchase(dice: &mut Dice, year: i32, month: u32, scale: f64) -> Vec<Draft> {
    let weights: Vec<u32> = MERCHANTS.iter().map(|m| m.weight).collect();
    let merchant = &MERCHANTS[dice.weighted(&weights)];
    let (account, category) = place(dice, merchant);
    let day = dice.between(1, i64::from(days_in(year, month))) as u32;
    let night = merchant.night && dice.chance(0.3);
    let hour = if night {
        dice.between(0, 1)
    } else {
        dice.between(8, 21)
    };
    let Some(created) = local(dice, year, month, day, hour as u32) else {
        return Vec::new();
    };
    let drawn = dice.between(merchant.cents.0, merchant.cents.1) as f64;

    let paid = Draft {
        account: account.index(),
        created,
        cents: -((drawn * scale).round() as i64).max(10),
        description: describe(dice, merchant),
        kind: channel_kind(merchant.channel),
        party: Party {
            name: (!dice.chance(0.04)).then(|| merchant.name.to_owned()),
            iban: merchant.bban.map(external_iban),
            merchant_category_code: merchant.mcc.map(str::to_owned),
        },
        truth: truth(merchant.payee, category),
    };
    let refund = dice.chance(0.015).then(|| refund(dice, &paid));
    std::iter::once(paid).chain(refund).collect()
}

/// Which account pays a merchant, and the category that follows: the side
/// project buys office supplies online, the joint account some groceries.
fn place(dice: &mut Dice, merchant: &Merchant) -> (Slot, &'static str) {
    if merchant.channel == Channel::Ideal && dice.chance(0.06) {
        (Slot::Side, "Office supplies")
    } else if merchant.category == "Groceries" && dice.chance(0.4) {
        (Slot::Joint, merchant.category)
    } else {
        (Slot::Current, merchant.category)
    }
}

/// The merchant paying a purchase back a few days later.
fn refund(dice: &mut Dice, paid: &Draft) -> Draft {
    Draft {
        account: paid.account,
        created: paid.created + Duration::days(dice.between(1, 10)),
        cents: -paid.cents,
        description: format!("Terugbetaling {}", paid.description),
        kind: (paid.kind.0, "REVERSAL"),
        party: paid.party.clone(),
        truth: paid.truth.clone(),
    }
}

fn channel_kind(channel: Channel) -> (&'static str, &'static str) {
    match channel {
        Channel::Maestro => ("MAESTRO", "PAYMENT"),
        Channel::Mastercard => ("MASTERCARD", "PAYMENT"),
        Channel::Ideal => ("IDEAL", "PAYMENT"),
    }
}

fn describe(dice: &mut Dice, merchant: &Merchant) -> String {
    match merchant.channel {
        Channel::Ideal => format!(
            "{:016} {} bestelling {}",
            dice.between(1, 10_i64.pow(15)),
            merchant.name,
            dice.between(100_000, 999_999)
        ),
        _ => format!("{}, NL", merchant.name),
    }
}

/// Gives drafts (already in time order) ascending ids and running balances.
fn number(
    dice: &mut Dice,
    accounts: &[BankAccount],
    drafts: Vec<Draft>,
) -> (Vec<BankPayment>, Vec<Truth>) {
    const OPENING_CENTS: [i64; 5] = [250_000, 1_200_000, 150_000, 80_000, 30_000];
    let mut balances: Vec<i64> = (0..accounts.len())
        .map(|i| OPENING_CENTS.get(i).copied().unwrap_or(0))
        .collect();
    let mut id = 150_000_000 + dice.between(0, 999_999);
    let mut payments = Vec::with_capacity(drafts.len());
    let mut truths = Vec::with_capacity(drafts.len());

    for draft in drafts {
        // Other customers' payments take ids in between, as at bunq.
        id += dice.between(1, 3);
        balances[draft.account] += draft.cents;
        payments.push(BankPayment {
            id,
            account_id: accounts[draft.account].id,
            created: draft.created,
            amount: Milliunits(draft.cents * 10),
            description: draft.description,
            payment_type: draft.kind.0.to_owned(),
            sub_type: draft.kind.1.to_owned(),
            counterparty: draft.party,
            balance_after: Milliunits(balances[draft.account] * 10),
        });
        truths.push(draft.truth);
    }
    (payments, truths)
}
