//! What one bunq payment becomes in YNAB: the pure decision behind the sync
//! worker. Given the payment, the links of all bunq accounts and the
//! settings, it either plans one YNAB transaction or names why the payment
//! is skipped.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::bunq::Payment;
use crate::linking::{Link, Unlinked};
use crate::money::Milliunits;
use crate::time::local_date;

/// YNAB's limit on `payee_name`, in characters.
pub const PAYEE_NAME_MAX_CHARS: usize = 200;
/// YNAB's limit on `memo`, in characters.
pub const MEMO_MAX_CHARS: usize = 500;
/// YNAB's limit on `import_id`, in characters.
pub const IMPORT_ID_MAX_CHARS: usize = 36;
/// Prefix of the import ids this project gives YNAB transactions.
pub const IMPORT_ID_PREFIX: &str = "BUNQ:";
/// Payee used when bunq names neither the counterparty nor its IBAN.
pub const UNKNOWN_PAYEE: &str = "Unknown payee";

/// Settings that shape every plan.
#[derive(Clone, Copy, Debug)]
pub struct SyncSettings {
    /// Nothing created before this instant is sent to YNAB.
    pub start: DateTime<Utc>,
    /// The zone whose calendar dates YNAB shows.
    pub zone: Tz,
}

/// Who the YNAB transaction is with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payee {
    /// A named payee (YNAB resolves or creates it).
    Name(String),
    /// A transfer: the other account's `transfer_payee_id`.
    Transfer {
        /// The payee id that makes YNAB create the mirror side.
        payee_id: String,
        /// The other YNAB account.
        account_id: String,
    },
}

/// The YNAB transaction planned for a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionPlan {
    /// The bunq payment.
    pub payment_id: i64,
    /// The YNAB budget.
    pub budget_id: String,
    /// The YNAB account.
    pub account_id: String,
    /// The payment's local date.
    pub date: NaiveDate,
    /// Exact amount.
    pub amount: Milliunits,
    /// Payee or transfer.
    pub payee: Payee,
    /// The description, cut to YNAB's limit.
    pub memo: Option<String>,
    /// The idempotency key derived from the payment id.
    pub import_id: String,
}

/// Why a payment gets no YNAB transaction of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Created before `START_SYNC_DATE`.
    BeforeStartDate,
    /// Its bunq account syncs nowhere (yet): re-evaluated when linked.
    AccountNotLinked(Unlinked),
    /// The incoming side of a transfer between two linked accounts of one
    /// budget; the outgoing side's transfer covers it.
    TransferCounterpart {
        /// The YNAB account the transfer comes from.
        from_account_id: String,
    },
}

impl SkipReason {
    /// A stable code for the queue entry's `reason` field.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BeforeStartDate => "before_start_date",
            Self::AccountNotLinked(_) => "account_not_linked",
            Self::TransferCounterpart { .. } => "transfer_counterpart",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BeforeStartDate => f.write_str("created before START_SYNC_DATE"),
            Self::AccountNotLinked(why) => write!(f, "account not linked: {why}"),
            Self::TransferCounterpart { from_account_id } => {
                write!(
                    f,
                    "incoming side of a transfer from YNAB account {from_account_id}"
                )
            }
        }
    }
}

/// The plan for one payment, or why there is none.
///
/// `own_link` is the link of the payment's account (or why it has none);
/// `links` are all linked bunq accounts, used to recognise transfers.
pub fn plan_payment(
    payment: &Payment,
    own_link: Result<&Link, &Unlinked>,
    links: &[Link],
    settings: &SyncSettings,
) -> Result<TransactionPlan, SkipReason> {
    if payment.created < settings.start {
        return Err(SkipReason::BeforeStartDate);
    }
    let link = own_link.map_err(|why| SkipReason::AccountNotLinked(why.clone()))?;
    let other = payment.counterparty.iban.as_ref().and_then(|iban| {
        links
            .iter()
            .find(|l| &l.iban == iban && l.budget_id == link.budget_id && l != &link)
    });

    let payee = match other {
        // Incoming money from another linked account of the same budget:
        // the outgoing payment's transfer creates this side.
        Some(other) if payment.amount.0 > 0 => {
            return Err(SkipReason::TransferCounterpart {
                from_account_id: other.ynab_account_id.clone(),
            });
        }
        Some(Link {
            transfer_payee_id: Some(payee_id),
            ynab_account_id,
            ..
        }) => Payee::Transfer {
            payee_id: payee_id.clone(),
            account_id: ynab_account_id.clone(),
        },
        _ => Payee::Name(payee_name(payment)),
    };

    Ok(TransactionPlan {
        payment_id: payment.id,
        budget_id: link.budget_id.clone(),
        account_id: link.ynab_account_id.clone(),
        date: local_date(payment.created, settings.zone),
        amount: payment.amount,
        payee,
        memo: memo(&payment.description),
        import_id: import_id(payment.id),
    })
}

/// When YNAB will accept a transaction dated `date`. YNAB takes dates up
/// to one day past its UTC today, so that a local date east of Greenwich
/// (a payment at 00:30 in Amsterdam is still "yesterday" in UTC) goes in at
/// once. Returns `None` when `date` is acceptable at `now`, else the UTC
/// midnight that starts `date`: from then on YNAB accepts it under the
/// strictest reading of its rule (no day ahead at all). The date itself is
/// never shifted. Should YNAB refuse a date this lets through, the sync
/// worker defers the payment on that refusal (see `sync-worker`'s
/// `create`).
pub fn ynab_ready_at(date: NaiveDate, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let latest = now.date_naive().succ_opt().unwrap_or(NaiveDate::MAX);
    (date > latest).then(|| utc_midnight(date))
}

/// The UTC midnight that starts `date`.
pub fn utc_midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The import id of a payment: `BUNQ:<id>`, at most 24 characters for any
/// 64-bit id, well under YNAB's 36.
pub fn import_id(payment_id: i64) -> String {
    format!("{IMPORT_ID_PREFIX}{payment_id}")
}

/// The payment id an import id of ours carries, if it is one of ours.
pub fn payment_id_from_import_id(import_id: &str) -> Option<i64> {
    import_id.strip_prefix(IMPORT_ID_PREFIX)?.parse().ok()
}

/// Counterparty name, else its IBAN, else a fixed placeholder; cut to
/// YNAB's limit.
pub fn payee_name(payment: &Payment) -> String {
    let counterparty = &payment.counterparty;
    let name = counterparty
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| counterparty.iban.as_ref().map(ToString::to_string))
        .unwrap_or_else(|| UNKNOWN_PAYEE.to_owned());
    cut(&name, PAYEE_NAME_MAX_CHARS)
}

/// The description cut to YNAB's memo limit; `None` when blank.
pub fn memo(description: &str) -> Option<String> {
    let trimmed = description.trim();
    (!trimmed.is_empty()).then(|| cut(trimmed, MEMO_MAX_CHARS))
}

/// At most `max` characters (not bytes), never splitting a character.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Amsterdam;
    use serde_json::json;

    use super::*;
    use crate::iban::Iban;

    const OWN: &str = "NL91ABNA0417164300";
    const SAVINGS: &str = "NL02ABNA0123456789";

    fn payment(amount: &str, counterparty: serde_json::Value, created: &str) -> Payment {
        Payment::from_json(&json!({
            "id": 99, "monetary_account_id": 1, "created": created, "updated": created,
            "amount": {"value": amount, "currency": "EUR"}, "description": "  Weekly shop ",
            "type": "MASTERCARD", "sub_type": "PAYMENT", "counterparty_alias": counterparty
        }))
        .expect("valid payment")
    }

    fn link(id: i64, iban: &str, account: &str) -> Link {
        Link {
            bunq_account_id: id,
            iban: Iban::parse(iban).expect("valid"),
            budget_id: "b1".into(),
            ynab_account_id: account.into(),
            transfer_payee_id: Some(format!("payee-{account}")),
        }
    }

    fn settings() -> SyncSettings {
        SyncSettings {
            start: Utc
                .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .single()
                .expect("valid"),
            zone: Amsterdam,
        }
    }

    #[test]
    fn plans_a_card_payment_with_local_date_and_trimmed_memo() {
        let p = payment(
            "-12.34",
            json!({"display_name": "AH 1234"}),
            "2024-03-30 23:30:00.000000",
        );
        let links = [link(1, OWN, "ya")];

        let plan = plan_payment(&p, Ok(&links[0]), &links, &settings()).expect("planned");

        assert_eq!(plan.amount, Milliunits(-12_340));
        assert_eq!(plan.date.to_string(), "2024-03-31");
        assert_eq!(plan.payee, Payee::Name("AH 1234".into()));
        assert_eq!(plan.memo.as_deref(), Some("Weekly shop"));
        assert_eq!(plan.import_id, "BUNQ:99");
    }

    #[test]
    fn skips_payments_before_the_start_and_on_unlinked_accounts() {
        let p = payment("-1.00", json!({}), "2023-12-31 22:59:59.000000");
        let links = [link(1, OWN, "ya")];
        assert_eq!(
            plan_payment(&p, Ok(&links[0]), &links, &settings()),
            Err(SkipReason::BeforeStartDate)
        );

        let later = payment("-1.00", json!({}), "2024-02-01 10:00:00.000000");
        let why = Unlinked::NoIban;
        assert_eq!(
            plan_payment(&later, Err(&why), &links, &settings()),
            Err(SkipReason::AccountNotLinked(Unlinked::NoIban))
        );
    }

    #[test]
    fn a_transfer_between_linked_accounts_is_one_transfer() {
        let links = [link(1, OWN, "ya"), link(2, SAVINGS, "ys")];
        let out = payment(
            "-50.00",
            json!({"iban": SAVINGS, "display_name": "Me"}),
            "2024-02-01 10:00:00.000000",
        );
        let plan = plan_payment(&out, Ok(&links[0]), &links, &settings()).expect("planned");
        assert_eq!(
            plan.payee,
            Payee::Transfer {
                payee_id: "payee-ys".into(),
                account_id: "ys".into()
            }
        );

        let incoming = payment(
            "50.00",
            json!({"iban": OWN, "display_name": "Me"}),
            "2024-02-01 10:00:00.000000",
        );
        assert_eq!(
            plan_payment(&incoming, Ok(&links[1]), &links, &settings()),
            Err(SkipReason::TransferCounterpart {
                from_account_id: "ya".into()
            })
        );
    }

    #[test]
    fn payee_falls_back_to_iban_then_placeholder_and_is_cut() {
        let iban_only = payment(
            "-1.00",
            json!({"iban": SAVINGS, "display_name": " "}),
            "2024-02-01 10:00:00.000000",
        );
        assert_eq!(payee_name(&iban_only), SAVINGS);
        let nothing = payment("-1.00", json!(null), "2024-02-01 10:00:00.000000");
        assert_eq!(payee_name(&nothing), UNKNOWN_PAYEE);
        let long = payment(
            "-1.00",
            json!({"display_name": "é".repeat(300)}),
            "2024-02-01 10:00:00.000000",
        );
        assert_eq!(payee_name(&long).chars().count(), PAYEE_NAME_MAX_CHARS);
        assert_eq!(
            memo(&"x".repeat(600)).map(|m| m.len()),
            Some(MEMO_MAX_CHARS)
        );
    }

    #[test]
    fn half_past_midnight_on_both_daylight_saving_days_gets_the_local_date() {
        let links = [link(1, OWN, "ya")];
        // 00:30 Amsterdam on 31 March 2024 (CET, UTC+1) and on 27 October
        // 2024 (still CEST, UTC+2, until 03:00).
        let spring = payment("-1.00", json!({}), "2024-03-30 23:30:00.000000");
        let autumn = payment("-1.00", json!({}), "2024-10-26 22:30:00.000000");

        let spring = plan_payment(&spring, Ok(&links[0]), &links, &settings()).expect("planned");
        let autumn = plan_payment(&autumn, Ok(&links[0]), &links, &settings()).expect("planned");

        assert_eq!(spring.date.to_string(), "2024-03-31");
        assert_eq!(autumn.date.to_string(), "2024-10-27");
    }

    #[test]
    fn a_local_date_one_day_ahead_of_utc_goes_in_at_once() {
        let date = NaiveDate::from_ymd_opt(2024, 10, 27).expect("valid");
        let half_past_midnight_in_amsterdam = Utc
            .with_ymd_and_hms(2024, 10, 26, 22, 30, 0)
            .single()
            .expect("valid");

        assert_eq!(ynab_ready_at(date, half_past_midnight_in_amsterdam), None);
        assert_eq!(SkipReason::BeforeStartDate.code(), "before_start_date");
    }

    #[test]
    fn a_date_further_ahead_waits_for_its_utc_midnight() {
        let date = NaiveDate::from_ymd_opt(2024, 10, 28).expect("valid");
        let now = Utc
            .with_ymd_and_hms(2024, 10, 26, 22, 30, 0)
            .single()
            .expect("valid");
        let midnight = Utc
            .with_ymd_and_hms(2024, 10, 28, 0, 0, 0)
            .single()
            .expect("valid");

        assert_eq!(ynab_ready_at(date, now), Some(midnight));
        assert_eq!(
            ynab_ready_at(date, midnight - chrono::Duration::days(1)),
            None
        );
        assert_eq!(utc_midnight(date), midnight);
    }

    #[test]
    fn import_ids_fit_and_round_trip() {
        assert!(import_id(i64::MAX).len() <= IMPORT_ID_MAX_CHARS);
        assert_eq!(payment_id_from_import_id(&import_id(42)), Some(42));
        assert_eq!(payment_id_from_import_id("YNAB:-1000:2024-01-01:1"), None);
    }
}
