//! What a notice says: which run failed and why, which payment failed for
//! good, or that the bunq key stopped working, in a title and a few lines
//! of plain text.

use domain::run::{Outcome, RunRecord};
use serde_json::json;

/// The kind of a notice, also its metric label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// A run ended failed.
    RunFailed,
    /// A payment used up its attempts.
    PaymentFailed,
    /// The bunq API key (context) no longer works.
    BunqKey,
}

impl NoticeKind {
    /// The label value: `run_failed`, `payment_failed`, `bunq_key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RunFailed => "run_failed",
            Self::PaymentFailed => "payment_failed",
            Self::BunqKey => "bunq_key",
        }
    }
}

/// One notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub kind: NoticeKind,
    /// One line for the title.
    pub title: String,
    /// The details.
    pub message: String,
    /// Equal keys within the minimum interval are sent once.
    pub key: String,
}

/// Phrases of the bunq client's errors that mean the key (the stored API
/// context) no longer works, as recorded in a run's error text.
const BUNQ_KEY_PHRASES: &[&str] = &[
    "no bunq api context",
    "bunq answered 401",
    "bunq answered 403",
];

impl Notice {
    /// The notices a finished run calls for: none for a run that did not
    /// fail; one naming the run and its error for a failed one; for a
    /// failure that says the bunq key stopped working, a second one saying
    /// so and what to do.
    pub fn for_run(run: &RunRecord) -> Vec<Self> {
        if run.outcome != Outcome::Failed {
            return Vec::new();
        }
        let error = run.error.as_deref().unwrap_or("(no error recorded)");
        let trigger = serde_json::to_value(run.trigger)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut notices = vec![Self {
            kind: NoticeKind::RunFailed,
            title: format!("bunq-ynab-connect: {} run failed", run.job),
            message: format!(
                "The {} run {} ({trigger}, started {}) failed: {error}",
                run.job,
                run.run_id,
                run.started_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            key: format!("run:{}", run.job),
        }];
        let lower = error.to_ascii_lowercase();
        if BUNQ_KEY_PHRASES.iter().any(|p| lower.contains(p)) {
            notices.push(Self {
                kind: NoticeKind::BunqKey,
                title: "bunq-ynab-connect: the bunq API key stopped working".into(),
                message: format!(
                    "bunq refused the stored API context in run {}: {error}. \
                     Exchange a new key with `ingest exchange-pat`.",
                    run.run_id
                ),
                key: "bunq_key".into(),
            });
        }
        notices
    }

    /// The notice for a payment whose attempts are used up.
    pub fn payment_failed(payment_id: i64, attempts: u32, error: &str) -> Self {
        Self {
            kind: NoticeKind::PaymentFailed,
            title: format!("bunq-ynab-connect: payment {payment_id} failed for good"),
            message: format!(
                "Payment {payment_id} failed {attempts} times and will not be retried \
                 on its own: {error}. Retry it from the dashboard's queue page."
            ),
            key: format!("payment:{payment_id}"),
        }
    }

    /// The text of an ntfy-style body: the message alone (the title goes
    /// in a header).
    pub fn plain_body(&self) -> String {
        self.message.clone()
    }

    /// A Slack-compatible body: `{"text": "*title*\nmessage"}`.
    pub fn slack_body(&self) -> serde_json::Value {
        json!({ "text": format!("*{}*\n{}", self.title, self.message) })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::run::Trigger;

    use super::*;

    fn failed_run(error: &str) -> RunRecord {
        RunRecord {
            run_id: "r-1".into(),
            job: "ingest".into(),
            trigger: Trigger::Schedule,
            started_at: Utc::now(),
            ended_at: Some(Utc::now()),
            outcome: Outcome::Failed,
            counts: Default::default(),
            error: Some(error.into()),
        }
    }

    #[test]
    fn a_failed_run_gives_a_notice_naming_the_job_the_run_and_the_error() {
        let notices = Notice::for_run(&failed_run("could not list YNAB budgets"));

        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].kind, NoticeKind::RunFailed);
        assert!(notices[0].message.contains("r-1"));
        assert!(notices[0].message.contains("could not list YNAB budgets"));
    }

    #[test]
    fn a_refused_bunq_context_also_says_the_key_stopped_working() {
        let error =
            "could not list bunq accounts: no bunq API context: run `ingest exchange-pat` first";

        let kinds: Vec<NoticeKind> = Notice::for_run(&failed_run(error))
            .iter()
            .map(|n| n.kind)
            .collect();

        assert_eq!(kinds, [NoticeKind::RunFailed, NoticeKind::BunqKey]);
    }

    #[test]
    fn a_succeeded_run_gives_no_notice() {
        let mut run = failed_run("x");
        run.outcome = Outcome::Succeeded;

        assert!(Notice::for_run(&run).is_empty());
    }
}
