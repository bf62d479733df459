//! The GET routes: user, plans, one plan (full export), accounts,
//! categories, payees and transactions, each honouring
//! `last_knowledge_of_server` where the spec offers it.

use axum::extract::{Path, Query as QueryParams, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Months, NaiveDate};
use serde_json::{Map, Value, json};

use super::{Api, Query, data, date_param, flag_param, knowledge_param};
use crate::ynab::error::ApiError;
use crate::ynab::render;
use crate::ynab::store::{Plan, StoredTransaction, visible};

/// `GET /user`.
pub(crate) async fn user(State(api): State<Api>) -> Response {
    data(StatusCode::OK, json!({"user": {"id": api.state.user_id}}))
}

/// `GET /plans` (`include_accounts`).
pub(crate) async fn plans(
    State(api): State<Api>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let with_accounts = flag_param(&query, "include_accounts")?;
    let today = api.state.settings.clock.today();
    let plans = api
        .state
        .plans
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let summaries: Vec<Value> = plans
        .iter()
        .map(|p| render::plan_summary(p, today, with_accounts))
        .collect();

    let mut body = Map::new();
    // YNAB answers `null` without default plan selection; a null does not
    // validate against 1.76's schema, so the first plan is the default.
    if let Some(first) = summaries.first() {
        body.insert(api.family.default_member().to_owned(), first.clone());
    }
    body.insert(api.family.list_member().to_owned(), Value::Array(summaries));
    Ok(data(StatusCode::OK, Value::Object(body)))
}

/// `GET /plans/{plan_id}`: the whole plan, or what changed since K.
pub(crate) async fn plan(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let since = knowledge_param(&query)?;
    let today = api.state.settings.clock.today();
    api.read(&plan_id, |plan| {
        let mut detail = render::plan_summary(plan, today, false);
        if let Some(object) = detail.as_object_mut() {
            for (member, items) in plan_members(plan, since, today) {
                object.insert(member.to_owned(), Value::Array(items));
            }
        }
        let mut body = Map::new();
        body.insert(api.family.one_member().to_owned(), detail);
        body.insert("server_knowledge".to_owned(), json!(plan.knowledge));
        Ok(data(StatusCode::OK, Value::Object(body)))
    })
}

/// The entity lists of a plan export, in 1.85's `*Base` forms (no
/// `_formatted`/`_currency` pairs). Months, payee locations, splits and
/// scheduled transactions are not played, so those lists are empty.
fn plan_members(
    plan: &Plan,
    since: Option<i64>,
    today: NaiveDate,
) -> Vec<(&'static str, Vec<Value>)> {
    let totals = render::balances(plan);
    let accounts = plan
        .accounts
        .iter()
        .filter(|a| visible(a.changed_at, a.deleted, since))
        .map(|a| render::account(a, totals.get(a.id.as_str()).copied().unwrap_or_default()))
        .map(render::base_form)
        .collect();
    let payees = plan
        .payees
        .iter()
        .filter(|p| visible(p.changed_at, p.deleted, since))
        .map(render::payee);
    let groups = plan
        .groups
        .iter()
        .filter(|g| visible(g.changed_at, g.deleted, since))
        .map(render::group);
    let activity = render::activity(plan, today);
    let categories = plan
        .categories
        .iter()
        .filter(|c| visible(c.changed_at, c.deleted, since))
        .map(|c| render::category(plan, c, activity.get(c.id.as_str()).copied().unwrap_or(0)))
        .map(render::base_form);
    let transactions = plan
        .transactions()
        .iter()
        .filter(|t| visible(t.changed_at, t.deleted, since))
        .map(render::transaction_summary)
        .map(render::base_form);
    vec![
        ("accounts", accounts),
        ("payees", payees.collect()),
        ("payee_locations", Vec::new()),
        ("category_groups", groups.collect()),
        ("categories", categories.collect()),
        ("months", Vec::new()),
        ("transactions", transactions.collect()),
        ("subtransactions", Vec::new()),
        ("scheduled_transactions", Vec::new()),
        ("scheduled_subtransactions", Vec::new()),
    ]
}

/// `GET /plans/{plan_id}/accounts`.
pub(crate) async fn accounts(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let since = knowledge_param(&query)?;
    api.read(&plan_id, |plan| {
        let totals = render::balances(plan);
        let accounts: Vec<Value> = plan
            .accounts
            .iter()
            .filter(|a| visible(a.changed_at, a.deleted, since))
            .map(|a| render::account(a, totals.get(a.id.as_str()).copied().unwrap_or_default()))
            .collect();
        Ok(data(
            StatusCode::OK,
            json!({"accounts": accounts, "server_knowledge": plan.knowledge}),
        ))
    })
}

/// `GET /plans/{plan_id}/accounts/{account_id}`.
pub(crate) async fn account(
    State(api): State<Api>,
    Path((plan_id, account_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    api.read(&plan_id, |plan| {
        let record = plan.account(&account_id).ok_or(ApiError::NotFound)?;
        let balance = render::balances(plan)
            .get(record.id.as_str())
            .copied()
            .unwrap_or_default();
        Ok(data(
            StatusCode::OK,
            json!({"account": render::account(record, balance)}),
        ))
    })
}

/// `GET /plans/{plan_id}/categories`: groups with their categories; in a
/// delta, the groups that changed or hold a changed category.
pub(crate) async fn categories(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let since = knowledge_param(&query)?;
    let today = api.state.settings.clock.today();
    api.read(&plan_id, |plan| {
        let activity = render::activity(plan, today);
        let mut groups = Vec::new();
        for group in &plan.groups {
            let categories: Vec<Value> = plan
                .categories
                .iter()
                .filter(|c| c.group_id == group.id && visible(c.changed_at, c.deleted, since))
                .map(|c| {
                    render::category(plan, c, activity.get(c.id.as_str()).copied().unwrap_or(0))
                })
                .collect();
            let group_changed = visible(group.changed_at, group.deleted, since);
            if group_changed || (since.is_some() && !categories.is_empty()) {
                let mut object = render::group(group);
                if let Some(object) = object.as_object_mut() {
                    object.insert("categories".to_owned(), Value::Array(categories));
                }
                groups.push(object);
            }
        }
        Ok(data(
            StatusCode::OK,
            json!({"category_groups": groups, "server_knowledge": plan.knowledge}),
        ))
    })
}

/// `GET /plans/{plan_id}/payees`.
pub(crate) async fn payees(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let since = knowledge_param(&query)?;
    api.read(&plan_id, |plan| {
        let payees: Vec<Value> = plan
            .payees
            .iter()
            .filter(|p| visible(p.changed_at, p.deleted, since))
            .map(render::payee)
            .collect();
        Ok(data(
            StatusCode::OK,
            json!({"payees": payees, "server_knowledge": plan.knowledge}),
        ))
    })
}

/// `GET /plans/{plan_id}/transactions`.
pub(crate) async fn transactions(
    State(api): State<Api>,
    Path(plan_id): Path<String>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let filter = TransactionFilter::from_query(&query, api.state.settings.clock.today())?;
    api.read(&plan_id, |plan| Ok(list_transactions(plan, &filter, None)))
}

/// `GET /plans/{plan_id}/accounts/{account_id}/transactions`.
pub(crate) async fn account_transactions(
    State(api): State<Api>,
    Path((plan_id, account_id)): Path<(String, String)>,
    QueryParams(query): QueryParams<Query>,
) -> Result<Response, ApiError> {
    let filter = TransactionFilter::from_query(&query, api.state.settings.clock.today())?;
    api.read(&plan_id, |plan| {
        plan.account(&account_id).ok_or(ApiError::NotFound)?;
        Ok(list_transactions(plan, &filter, Some(&account_id)))
    })
}

/// `GET /plans/{plan_id}/transactions/{transaction_id}`.
pub(crate) async fn transaction(
    State(api): State<Api>,
    Path((plan_id, transaction_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    api.read(&plan_id, |plan| {
        let txn = plan
            .live_transaction(&transaction_id)
            .ok_or(ApiError::NotFound)?;
        Ok(transaction_response(plan, txn, StatusCode::OK))
    })
}

/// A `TransactionResponse` body.
pub(crate) fn transaction_response(
    plan: &Plan,
    txn: &StoredTransaction,
    status: StatusCode,
) -> Response {
    let detail = render::transaction_detail(plan, txn);
    data(
        status,
        json!({"transaction": detail, "server_knowledge": plan.knowledge}),
    )
}

/// The query of a transaction list.
struct TransactionFilter {
    since_date: NaiveDate,
    until_date: Option<NaiveDate>,
    kind: Option<Kind>,
    since_knowledge: Option<i64>,
}

/// The `type` parameter.
#[derive(Clone, Copy)]
enum Kind {
    Uncategorized,
    Unapproved,
}

impl TransactionFilter {
    /// Since API 1.85 a missing `since_date` means one year before today.
    fn from_query(query: &Query, today: NaiveDate) -> Result<Self, ApiError> {
        let default_since = today.checked_sub_months(Months::new(12)).unwrap_or(today);
        let kind = match query.get("type").map(String::as_str) {
            None => None,
            Some("uncategorized") => Some(Kind::Uncategorized),
            Some("unapproved") => Some(Kind::Unapproved),
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "type {other:?} is not one of uncategorized, unapproved"
                )));
            }
        };
        Ok(Self {
            since_date: date_param(query, "since_date")?.unwrap_or(default_since),
            until_date: date_param(query, "until_date")?,
            kind,
            since_knowledge: knowledge_param(query)?,
        })
    }

    fn keeps(&self, txn: &StoredTransaction) -> bool {
        let in_range = txn.date >= self.since_date && self.until_date.is_none_or(|u| txn.date <= u);
        let of_kind = match self.kind {
            None => true,
            Some(Kind::Uncategorized) => {
                txn.category_id.is_none() && txn.transfer_account_id.is_none()
            }
            Some(Kind::Unapproved) => !txn.approved,
        };
        in_range && of_kind && visible(txn.changed_at, txn.deleted, self.since_knowledge)
    }
}

/// A `TransactionsResponse`, in date order.
fn list_transactions(
    plan: &Plan,
    filter: &TransactionFilter,
    account_id: Option<&str>,
) -> Response {
    let mut selected: Vec<&StoredTransaction> = plan
        .transactions()
        .iter()
        .filter(|t| account_id.is_none_or(|a| a == t.account_id) && filter.keeps(t))
        .collect();
    selected.sort_by_key(|t| t.date);
    let items: Vec<Value> = selected
        .into_iter()
        .map(|t| render::transaction_detail(plan, t))
        .collect();
    data(
        StatusCode::OK,
        json!({"transactions": items, "server_knowledge": plan.knowledge}),
    )
}
