//! The generated household, as the YNAB half serves it: every historical
//! transfer linked to its other side, and the answers still true to the
//! spec with realistic data.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use sandbox::household::{HouseholdParams, generate};

use super::support::*;

fn params() -> HouseholdParams {
    let end = Utc
        .with_ymd_and_hms(2024, 6, 15, 12, 0, 0)
        .single()
        .unwrap_or_default();
    HouseholdParams {
        seed: 7,
        end,
        ..HouseholdParams::default()
    }
}

#[tokio::test]
async fn every_generated_transfer_is_linked_to_its_other_side() {
    let household = generate(&params());
    let ynab = TestYnab::serve(&household, params().end, 200).await;

    for budget in &household.budgets {
        let stored = ynab.state.transactions(&budget.id);
        let by_id: HashMap<_, _> = stored.iter().map(|t| (t.id.as_str(), t)).collect();
        let transfers: Vec<_> = stored
            .iter()
            .filter(|t| t.transfer_account_id.is_some())
            .collect();
        for txn in &transfers {
            let partner_id = txn.transfer_transaction_id.as_deref().expect("linked");
            let partner = by_id.get(partner_id).expect("the partner exists");
            assert_eq!(
                partner.transfer_transaction_id.as_deref(),
                Some(txn.id.as_str())
            );
            assert_eq!(partner.amount.0, -txn.amount.0);
            assert_eq!(
                partner.transfer_account_id.as_deref(),
                Some(txn.account_id.as_str())
            );
        }
        assert_eq!(
            stored.len(),
            budget.transactions.len(),
            "loading adds no transaction"
        );
    }
}

#[tokio::test]
async fn the_generated_budgets_are_served_true_to_the_1_85_spec() {
    let household = generate(&params());
    let ynab = TestYnab::serve(&household, params().end, 200).await;
    let spec = contract::Spec::ynab_plans().expect("the YNAB 1.85 document loads");

    for budget in &household.budgets {
        let base = format!("/plans/{}", budget.id);
        let paths = [
            base.clone(),
            format!("{base}/accounts"),
            format!("{base}/categories"),
            format!("{base}/transactions?since_date=2000-01-01"),
        ];
        for path in paths {
            let reply = ynab.get(&path).await;
            let bare = path.split('?').next().unwrap_or_default();
            if let Err(error) =
                spec.validate_response("GET", &format!("/v1{bare}"), reply.status, &reply.body)
            {
                panic!("{path}: {error}");
            }
        }
    }
}
