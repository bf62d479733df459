//! The request bodies against the field names and enums of YNAB's 1.85
//! schemas (`NewTransaction`, `SaveTransactionWithOptionalFields`,
//! `TransactionClearedStatus`, `TransactionFlagColor`), the field checks,
//! and reading a save answer.

use domain::sync::{MEMO_MAX_CHARS, Payee, TransactionPlan};
use serde_json::{Value, json};

use super::*;

/// Every property `NewTransaction` has in the 1.85 spec (its own
/// `import_id` plus those of `SaveTransactionWithOptionalFields`).
const SPEC_FIELDS: [&str; 12] = [
    "account_id",
    "date",
    "amount",
    "payee_id",
    "payee_name",
    "category_id",
    "memo",
    "cleared",
    "approved",
    "flag_color",
    "subtransactions",
    "import_id",
];

fn full() -> NewTransaction {
    NewTransaction {
        account_id: "5b1f3d2a-0000-4000-8000-000000000001".into(),
        date: NaiveDate::from_ymd_opt(2024, 5, 1).expect("valid date"),
        amount: Milliunits(-12_340),
        payee_id: Some("5b1f3d2a-0000-4000-8000-000000000002".into()),
        payee_name: Some("Albert Heijn".into()),
        category_id: Some("5b1f3d2a-0000-4000-8000-000000000003".into()),
        memo: Some("boodschappen".into()),
        cleared: Cleared::Uncleared,
        approved: false,
        flag_color: Some(FlagColor::Blue),
        import_id: Some("bunq:123456".into()),
    }
}

fn minimal() -> NewTransaction {
    NewTransaction {
        payee_id: None,
        payee_name: None,
        category_id: None,
        memo: None,
        flag_color: None,
        import_id: None,
        ..full()
    }
}

#[test]
fn a_new_transaction_serialises_with_the_spec_field_names_and_types() {
    let body = serde_json::to_value(full()).expect("serialises");

    assert_eq!(
        body,
        json!({
            "account_id": "5b1f3d2a-0000-4000-8000-000000000001",
            "date": "2024-05-01",
            "amount": -12340,
            "payee_id": "5b1f3d2a-0000-4000-8000-000000000002",
            "payee_name": "Albert Heijn",
            "category_id": "5b1f3d2a-0000-4000-8000-000000000003",
            "memo": "boodschappen",
            "cleared": "uncleared",
            "approved": false,
            "flag_color": "blue",
            "import_id": "bunq:123456",
        })
    );
    let Value::Object(fields) = body else {
        panic!("an object")
    };
    assert!(fields.keys().all(|k| SPEC_FIELDS.contains(&k.as_str())));
}

#[test]
fn absent_options_are_left_out_rather_than_sent_as_null() {
    let body = serde_json::to_value(minimal()).expect("serialises");

    let Value::Object(fields) = body else {
        panic!("an object")
    };
    let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5);
    for key in ["account_id", "date", "amount", "cleared", "approved"] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
}

#[test]
fn enums_serialise_to_the_spec_values() {
    let cleared = [Cleared::Cleared, Cleared::Uncleared, Cleared::Reconciled];
    let flags = [
        FlagColor::Red,
        FlagColor::Orange,
        FlagColor::Yellow,
        FlagColor::Green,
        FlagColor::Blue,
        FlagColor::Purple,
    ];

    let cleared = serde_json::to_value(cleared).expect("serialises");
    let flags = serde_json::to_value(flags).expect("serialises");

    assert_eq!(cleared, json!(["cleared", "uncleared", "reconciled"]));
    assert_eq!(
        flags,
        json!(["red", "orange", "yellow", "green", "blue", "purple"])
    );
}

#[test]
fn a_patch_sends_only_what_it_changes_and_null_to_clear() {
    let recategorise = TransactionPatch::category(Some("c1".into()));
    let uncategorise = TransactionPatch::category(None);
    let unflag = TransactionPatch {
        flag_color: Some(None),
        ..TransactionPatch::default()
    };

    assert_eq!(
        serde_json::to_value(recategorise).expect("ok"),
        json!({"category_id": "c1"})
    );
    assert_eq!(
        serde_json::to_value(uncategorise).expect("ok"),
        json!({"category_id": null})
    );
    assert_eq!(
        serde_json::to_value(unflag).expect("ok"),
        json!({"flag_color": null})
    );
}

#[test]
fn over_long_fields_are_refused_with_the_index_and_the_field() {
    let long_memo = NewTransaction {
        memo: Some("é".repeat(MEMO_MAX_CHARS + 1)),
        ..full()
    };
    let at_limit = NewTransaction {
        memo: Some("é".repeat(MEMO_MAX_CHARS)),
        ..full()
    };
    let long_import = NewTransaction {
        import_id: Some("x".repeat(37)),
        ..full()
    };

    let memo_err = checks::check_all(&[full(), long_memo]).expect_err("refused");
    let import_err = checks::check_all(&[long_import]).expect_err("refused");

    assert!(checks::check_all(&[at_limit, minimal()]).is_ok());
    assert_eq!(
        memo_err.to_string(),
        "transaction 1 is invalid: memo is 501 characters long; YNAB takes at most 500"
    );
    assert!(
        import_err
            .to_string()
            .contains("import_id is 37 characters")
    );
}

#[test]
fn a_bulk_save_answer_adds_ids_duplicates_and_transactions() {
    let body = json!({"data": {
        "transaction_ids": ["t1"],
        "duplicate_import_ids": ["bunq:1"],
        "transactions": [{"id": "t1", "date": "2024-05-01", "amount": -1000,
                          "account_id": "a1", "deleted": false}],
        "server_knowledge": 42,
    }});
    let mut outcome = CreateOutcome {
        transaction_ids: vec!["t0".into()],
        ..CreateOutcome::default()
    };

    merge_saved(&mut outcome, &Data::open("/p".into(), &body).expect("data")).expect("merged");

    assert_eq!(outcome.transaction_ids, ["t0", "t1"]);
    assert_eq!(outcome.duplicate_import_ids, ["bunq:1"]);
    assert_eq!(outcome.transactions[0].id, "t1");
    assert_eq!(outcome.server_knowledge, 42);
}

#[test]
fn a_save_answer_without_transaction_ids_is_a_decode_error() {
    let body = json!({"data": {"server_knowledge": 42}});
    let mut outcome = CreateOutcome::default();

    let err = merge_saved(&mut outcome, &Data::open("/p".into(), &body).expect("data"))
        .expect_err("refused");

    assert!(matches!(err, YnabError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("transaction_ids"));
}

#[test]
fn a_plan_becomes_an_uncleared_unapproved_blue_transaction() {
    let plan = TransactionPlan {
        payment_id: 42,
        budget_id: "b1".into(),
        account_id: "a1".into(),
        date: NaiveDate::from_ymd_opt(2024, 5, 1).expect("valid date"),
        amount: Milliunits(-2_010),
        payee: Payee::Name("Bakker".into()),
        memo: Some("brood".into()),
        import_id: "BUNQ:42".into(),
    };
    let transfer = TransactionPlan {
        payee: Payee::Transfer {
            payee_id: "p2".into(),
            account_id: "a2".into(),
        },
        ..plan.clone()
    };

    let named = NewTransaction::from_plan(&plan, Some("c1".into()));
    let moved = NewTransaction::from_plan(&transfer, None);

    assert_eq!(
        serde_json::to_value(named).expect("serialises"),
        json!({"account_id": "a1", "date": "2024-05-01", "amount": -2010,
               "payee_name": "Bakker", "category_id": "c1", "memo": "brood",
               "cleared": "uncleared", "approved": false, "flag_color": "blue",
               "import_id": "BUNQ:42"})
    );
    assert_eq!(
        (moved.payee_id.as_deref(), moved.payee_name),
        (Some("p2"), None)
    );
}
