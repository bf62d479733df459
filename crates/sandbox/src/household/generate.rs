//! Builds a [`Household`] from a seed: a bunq user with current, savings,
//! joint and side-project accounts (plus unlinked ones), two years of Dutch
//! household payments, and YNAB budgets whose transactions mirror them with
//! learnable categories. The same seed and end always give the same data.

use chrono::{DateTime, Months, SubsecRound, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Household, User, UserKind};

mod bank;
mod budgets;
mod catalogue;

/// Size and seed of a generated household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdParams {
    /// RNG seed; the same seed and `end` give the same household.
    pub seed: u64,
    /// The history ends here (default: now, whole seconds).
    pub end: DateTime<Utc>,
    /// Months of history (default 24).
    pub months: u32,
    /// Payments per month across all accounts (default 60, about 1,500 in
    /// two years once transfers count twice).
    pub payments_per_month: u32,
    /// Extra unlinked bank accounts beyond the standard five (default 0).
    pub extra_accounts: u32,
}

impl Default for HouseholdParams {
    fn default() -> Self {
        Self {
            seed: 42,
            end: Utc::now().trunc_subsecs(0),
            months: 24,
            payments_per_month: 60,
            extra_accounts: 0,
        }
    }
}

/// The seeded random source every part of the generator draws from, so
/// that one seed fixes the whole household.
pub(crate) struct Dice(ChaCha8Rng);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A random (version 4) UUID drawn from the seed.
    pub(crate) fn uuid(&mut self) -> String {
        let bytes: [u8; 16] = self.0.r#gen();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// A whole number in `low..=high`.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        self.0.gen_range(low..=high)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.0.gen_bool(p.clamp(0.0, 1.0))
    }

    /// An index into `weights`, drawn in proportion to them.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut pick = self.0.gen_range(0..total.max(1));
        for (index, weight) in weights.iter().enumerate() {
            if pick < *weight {
                return index;
            }
            pick -= weight;
        }
        0
    }
}

/// Generates the household for `params`.
pub fn generate(params: &HouseholdParams) -> Household {
    let mut dice = Dice::new(params.seed);
    let start = params
        .end
        .checked_sub_months(Months::new(params.months))
        .unwrap_or(params.end);

    let user = User {
        id: 7_210_000 + dice.between(1, 9_999),
        display_name: "Robin de Vries".to_owned(),
        legal_name: "Robin Johanna de Vries".to_owned(),
        public_nick_name: "Robin".to_owned(),
        kind: UserKind::Person,
    };
    let bank = bank::generate(&mut dice, params, start);
    let budgets = budgets::generate(&mut dice, &bank, params.end);

    Household {
        user,
        accounts: bank.accounts,
        payments: bank.payments,
        budgets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> HouseholdParams {
        let end = DateTime::parse_from_rfc3339("2025-06-30T12:00:00Z").expect("valid");
        HouseholdParams {
            end: end.with_timezone(&Utc),
            months: 3,
            ..HouseholdParams::default()
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_household() {
        let (a, b) = (generate(&small()), generate(&small()));
        let ids = |h: &Household| {
            h.payments
                .iter()
                .map(|p| (p.id, p.amount))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.budgets[0].id, b.budgets[0].id);
    }

    #[test]
    fn another_seed_gives_another_household() {
        let other = HouseholdParams { seed: 7, ..small() };
        let amounts = |h: &Household| h.payments.iter().map(|p| p.amount).collect::<Vec<_>>();
        assert_ne!(amounts(&generate(&small())), amounts(&generate(&other)));
    }
}
