//! The sandbox's one source of truth: a seeded household with bunq accounts
//! and payments, and YNAB budgets whose accounts and categorised
//! transactions mirror that bank history. The bunq and YNAB halves of the
//! sandbox both serve views of this data.

use chrono::{DateTime, NaiveDate, Utc};
use domain::bunq::AccountType;
use domain::{Iban, Milliunits};

mod generate;

pub use generate::{HouseholdParams, generate};

/// The bunq user who owns every account.
#[derive(Clone, Debug)]
pub struct User {
    /// bunq user id.
    pub id: i64,
    /// Display name (`UserPerson.display_name`).
    pub display_name: String,
    /// Legal name.
    pub legal_name: String,
    /// Public nickname.
    pub public_nick_name: String,
    /// Which kind of user `session-server` reports.
    pub kind: UserKind,
}

/// The three user objects `session-server` can answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserKind {
    /// `UserPerson`.
    Person,
    /// `UserCompany`.
    Company,
    /// `UserApiKey` (carries `requested_by_user`).
    ApiKey,
}

/// One bunq monetary account.
#[derive(Clone, Debug)]
pub struct BankAccount {
    /// bunq id.
    pub id: i64,
    /// Wrapper type (Bank, Savings, Joint, ...).
    pub kind: AccountType,
    /// The user's name for it.
    pub description: String,
    /// Its IBAN alias.
    pub iban: Iban,
    /// When it was opened.
    pub created: DateTime<Utc>,
    /// `ACTIVE` or another bunq status.
    pub status: String,
}

/// The other side of a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// The name bunq shows; `None` tests the fallbacks.
    pub name: Option<String>,
    /// Its IBAN; card merchants have none.
    pub iban: Option<Iban>,
    /// Merchant category code for card payments.
    pub merchant_category_code: Option<String>,
}

/// One bunq payment. Payments are kept in ascending `id` order, which is
/// also ascending `created` order, as at bunq.
#[derive(Clone, Debug)]
pub struct BankPayment {
    /// bunq id, unique across accounts.
    pub id: i64,
    /// The account it belongs to.
    pub account_id: i64,
    /// When it happened.
    pub created: DateTime<Utc>,
    /// Signed amount.
    pub amount: Milliunits,
    /// Description / memo.
    pub description: String,
    /// bunq `type` (BUNQ, EBA_SCT, EBA_SDD, IDEAL, MASTERCARD, SAVINGS, ...).
    pub payment_type: String,
    /// bunq `sub_type` (PAYMENT, WITHDRAWAL, REVERSAL, SCT, SDD, ...).
    pub sub_type: String,
    /// The other side.
    pub counterparty: Party,
    /// The account balance after this payment.
    pub balance_after: Milliunits,
}

/// One YNAB budget (plan).
#[derive(Clone, Debug)]
pub struct Budget {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its accounts.
    pub accounts: Vec<BudgetAccount>,
    /// Its category groups with their categories.
    pub category_groups: Vec<CategoryGroup>,
    /// Its transactions, in date order.
    pub transactions: Vec<BudgetTransaction>,
}

/// One YNAB account.
#[derive(Clone, Debug)]
pub struct BudgetAccount {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// YNAB account type (`checking`, `savings`, ...).
    pub account_type: String,
    /// The note; linked accounts carry the bunq IBAN here.
    pub note: Option<String>,
    /// The payee that makes a transfer into this account.
    pub transfer_payee_id: String,
    /// Whether it is closed.
    pub closed: bool,
}

/// One YNAB category group.
#[derive(Clone, Debug)]
pub struct CategoryGroup {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its categories.
    pub categories: Vec<Category>,
}

/// One YNAB category.
#[derive(Clone, Debug)]
pub struct Category {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
}

/// One YNAB transaction of the generated history.
#[derive(Clone, Debug)]
pub struct BudgetTransaction {
    /// Id (UUID).
    pub id: String,
    /// The YNAB account.
    pub account_id: String,
    /// Local calendar date (Europe/Amsterdam) of the bunq payment.
    pub date: NaiveDate,
    /// Signed amount.
    pub amount: Milliunits,
    /// Payee name.
    pub payee_name: Option<String>,
    /// Memo.
    pub memo: Option<String>,
    /// Category; `None` for transfers and uncategorised ones.
    pub category_id: Option<String>,
    /// For a transfer: the other YNAB account.
    pub transfer_account_id: Option<String>,
    /// `cleared`, `uncleared` or `reconciled`.
    pub cleared: String,
    /// Whether the user approved it.
    pub approved: bool,
    /// The bunq payment it mirrors, when it does (not sent over the API;
    /// tests use it as ground truth).
    pub bunq_payment_id: Option<i64>,
}

/// Everything the sandbox serves at start.
#[derive(Clone, Debug)]
pub struct Household {
    /// The bunq user.
    pub user: User,
    /// bunq accounts.
    pub accounts: Vec<BankAccount>,
    /// bunq payments, ascending id.
    pub payments: Vec<BankPayment>,
    /// YNAB budgets.
    pub budgets: Vec<Budget>,
}
