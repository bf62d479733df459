//! The payee-memory baseline: the category last seen for the normalised
//! counterparty, as YNAB itself remembers payees. A new model must beat it
//! to be worth promoting.

use std::collections::HashMap;

use crate::features::PaymentFeatures;

/// Last category per payee key.
#[derive(Clone, Debug, Default)]
pub struct PayeeMemory {
    last: HashMap<String, String>,
}

impl PayeeMemory {
    /// Remembers, in time order, the category of each payee.
    pub fn fit<'a>(history: impl IntoIterator<Item = (&'a PaymentFeatures, &'a str)>) -> Self {
        let mut last = HashMap::new();
        for (features, category) in history {
            if let Some(key) = features.payee_key() {
                last.insert(key, category.to_owned());
            }
        }
        Self { last }
    }

    /// The remembered category (confidence 1), or `None` for a new payee.
    pub fn predict(&self, features: &PaymentFeatures) -> Option<(&str, f64)> {
        let key = features.payee_key()?;
        self.last.get(&key).map(|c| (c.as_str(), 1.0))
    }
}
