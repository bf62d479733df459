//! Edge amounts and dates: every cent value from -10,000.00 to 10,000.00
//! converts exactly into the transaction sent to YNAB; extreme amounts and
//! payments at 00:30 Amsterdam time on the days summer and winter time
//! start arrive in sandbox YNAB unchanged.

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use domain::Milliunits;
use domain::linking::Link;
use domain::run::Trigger;
use domain::sync::{SyncSettings, plan_payment};
use ynab::NewTransaction;

use crate::helpers::{TestApp, payment, yesterday};

#[test]
fn every_cent_from_minus_to_plus_ten_thousand_reaches_the_ynab_request_exactly() {
    let link = Link {
        bunq_account_id: 1,
        iban: domain::Iban::parse("NL91ABNA0417164300").expect("valid"),
        budget_id: "b".into(),
        ynab_account_id: "a".into(),
        transfer_payee_id: None,
    };
    let settings = SyncSettings {
        start: Utc.timestamp_opt(0, 0).single().expect("valid"),
        zone: Amsterdam,
    };
    let mut template = payment(1, 1, "0.00", Utc::now());

    for cents in -1_000_000_i64..=1_000_000 {
        let sign = if cents < 0 { "-" } else { "" };
        let text = format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100);
        template.amount = Milliunits::from_decimal_str(&text).expect("valid amount");

        let plan = plan_payment(&template, Ok(&link), std::slice::from_ref(&link), &settings)
            .expect("planned");
        let sent =
            serde_json::to_value(NewTransaction::from_plan(&plan, None).amount).expect("serialise");

        assert_eq!(sent.as_i64(), Some(cents * 10), "{text}");
    }
}

#[tokio::test]
async fn extreme_amounts_and_daylight_saving_midnights_arrive_in_ynab_unchanged() {
    let (app, account) = TestApp::synced().await;
    let amounts = [
        "-10000.00",
        "10000.00",
        "-0.01",
        "0.01",
        "2.01",
        "-8.03",
        "0.29",
        "-9999.99",
    ];
    let amounts: Vec<String> = amounts.iter().map(|a| (*a).to_owned()).collect();
    let ids = app
        .add_payments(account, 980_000_000, &amounts, yesterday())
        .await;
    // 00:30 in Amsterdam on 31 March 2024 (UTC+1) and 27 October 2024 (UTC+2).
    let spring = Utc
        .with_ymd_and_hms(2024, 3, 30, 23, 30, 0)
        .single()
        .expect("valid");
    let autumn = Utc
        .with_ymd_and_hms(2024, 10, 26, 22, 30, 0)
        .single()
        .expect("valid");
    let spring_id = app.add_payment(account, 980_000_100, "-1.00", spring).await;
    let autumn_id = app.add_payment(account, 980_000_200, "-1.00", autumn).await;
    let mut worker = app.worker();
    worker.settings.start = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");

    worker.drain(Trigger::Manual).await.expect("drain");

    for (id, amount) in ids.iter().zip(&amounts) {
        let txn = app.ynab_transaction(*id).expect("created");
        assert_eq!(
            txn.amount,
            Milliunits::from_decimal_str(amount).expect("valid"),
            "{amount}"
        );
    }
    let date = |id| app.ynab_transaction(id).expect("created").date.to_string();
    assert_eq!(date(spring_id), "2024-03-31");
    assert_eq!(date(autumn_id), "2024-10-27");
    app.db.drop_now().await;
}
