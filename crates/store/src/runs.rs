//! Run moments (where each delta load resumes) and the run history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::run::{Outcome, RunRecord, Trigger};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::UpdateOptions;

use crate::Store;
use crate::bson_json::{bson_date, instant};
use crate::collections::{RUNMOMENTS, RUNS};
use crate::error::{Result, StoreError};

/// Where the next delta load of one source starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunMoment {
    /// The source (`bunq_payments`, `ynab_transactions:<budget id>`, ...).
    pub source: String,
    /// When the last successful load started. The next load asks for what
    /// changed since then, so the overlap is absorbed by upserts and
    /// nothing is lost if a run dies midway.
    pub timestamp: DateTime<Utc>,
    /// YNAB's `server_knowledge` of that load, for delta requests.
    pub server_knowledge: Option<i64>,
}

impl Store {
    /// The run moment of `source`, or `None` before its first successful
    /// load.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the stored timestamp is not a date, or
    /// a driver error.
    pub async fn runmoment(&self, source: &str) -> Result<Option<RunMoment>> {
        let moments = self.collection(RUNMOMENTS);
        let find = moments.find_one(doc! { "source": source });
        let Some(doc) = self.timed("find", RUNMOMENTS, find).await? else {
            return Ok(None);
        };
        let corrupt = |message: &str| StoreError::Corrupt {
            collection: RUNMOMENTS.to_owned(),
            key: source.to_owned(),
            message: message.to_owned(),
        };
        let timestamp = doc
            .get_datetime("timestamp")
            .ok()
            .and_then(|d| instant(*d))
            .ok_or_else(|| corrupt("timestamp is not a date"))?;
        let server_knowledge = match doc.get("server_knowledge") {
            None | Some(Bson::Null) => None,
            Some(Bson::Int64(k)) => Some(*k),
            Some(Bson::Int32(k)) => Some(i64::from(*k)),
            Some(_) => return Err(corrupt("server_knowledge is not an integer")),
        };
        Ok(Some(RunMoment {
            source: source.to_owned(),
            timestamp,
            server_knowledge,
        }))
    }

    /// Records where the next load of a source starts. Call it only after
    /// the load succeeded and its records are stored, with the moment the
    /// load *started*: a failed run then leaves the previous moment in
    /// place, and the next run loads the same window again.
    ///
    /// # Errors
    /// A driver error naming `runmoments`.
    pub async fn set_runmoment(&self, moment: &RunMoment) -> Result<()> {
        let fields = doc! {
            "source": &moment.source,
            "timestamp": bson_date(moment.timestamp),
            "server_knowledge": moment.server_knowledge,
            "updated_at": bson_date(Utc::now()),
        };
        let moments = self.collection(RUNMOMENTS);
        let update = moments
            .update_one(doc! { "source": &moment.source }, doc! { "$set": fields })
            .with_options(UpdateOptions::builder().upsert(true).build());
        self.timed("upsert", RUNMOMENTS, update).await?;
        Ok(())
    }

    /// Records the start of a run (its outcome is normally `running`).
    ///
    /// # Errors
    /// A driver error naming `runs`, also when the run id exists already.
    pub async fn insert_run(&self, run: &RunRecord) -> Result<()> {
        let runs = self.collection(RUNS);
        let insert = runs.insert_one(run_document(run));
        self.timed("insert", RUNS, insert).await?;
        Ok(())
    }

    /// Records how a run ended, by `run_id`. A run whose start was never
    /// recorded is inserted whole, so the outcome is not lost.
    ///
    /// # Errors
    /// A driver error naming `runs`.
    pub async fn finish_run(&self, run: &RunRecord) -> Result<()> {
        let runs = self.collection(RUNS);
        let update = runs
            .update_one(
                doc! { "run_id": &run.run_id },
                doc! { "$set": run_document(run) },
            )
            .with_options(UpdateOptions::builder().upsert(true).build());
        self.timed("update", RUNS, update).await?;
        if let Some(observer) = self.observer() {
            observer.run_finished(run);
        }
        Ok(())
    }

    /// The latest `limit` runs of `job`, newest first.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a run document that does not parse, or
    /// a driver error.
    pub async fn recent_runs(&self, job: &str, limit: u32) -> Result<Vec<RunRecord>> {
        let runs = self.collection(RUNS);
        let find = runs
            .find(doc! { "job": job })
            .sort(doc! { "started_at": -1 })
            .limit(i64::from(limit));
        let cursor = self.timed("find", RUNS, find).await?;
        let documents: Vec<Document> = self.timed("find", RUNS, cursor.try_collect()).await?;
        documents.iter().map(run_record).collect()
    }
}

/// A run as stored: dates as BSON dates, counts as Int64.
fn run_document(run: &RunRecord) -> Document {
    let counts: Document = run
        .counts
        .iter()
        .map(|(name, n)| (name.clone(), Bson::Int64(*n)))
        .collect();
    doc! {
        "run_id": &run.run_id,
        "job": &run.job,
        "trigger": trigger_name(run.trigger),
        "started_at": bson_date(run.started_at),
        "ended_at": run.ended_at.map(bson_date),
        "outcome": outcome_name(run.outcome),
        "counts": counts,
        "error": run.error.as_deref(),
    }
}

/// A stored run back as a record.
fn run_record(doc: &Document) -> Result<RunRecord> {
    let run = StoredRun {
        doc,
        key: doc.get_str("run_id").unwrap_or("?"),
    };
    let trigger = run.text("trigger")?;
    let outcome = run.text("outcome")?;

    Ok(RunRecord {
        run_id: run.key.to_owned(),
        job: run.text("job")?.to_owned(),
        trigger: parse_trigger(trigger)
            .ok_or_else(|| run.corrupt(format!("trigger {trigger:?}")))?,
        started_at: run
            .date("started_at")?
            .ok_or_else(|| run.corrupt("no started_at".into()))?,
        ended_at: run.date("ended_at")?,
        outcome: parse_outcome(outcome)
            .ok_or_else(|| run.corrupt(format!("outcome {outcome:?}")))?,
        counts: run.counts()?,
        error: doc.get_str("error").ok().map(str::to_owned),
    })
}

/// Typed access to the fields of a stored run.
struct StoredRun<'a> {
    doc: &'a Document,
    key: &'a str,
}

impl<'a> StoredRun<'a> {
    fn corrupt(&self, message: String) -> StoreError {
        StoreError::Corrupt {
            collection: RUNS.to_owned(),
            key: self.key.to_owned(),
            message,
        }
    }

    fn text(&self, field: &str) -> Result<&'a str> {
        self.doc
            .get_str(field)
            .map_err(|e| self.corrupt(format!("{field}: {e}")))
    }

    fn date(&self, field: &str) -> Result<Option<DateTime<Utc>>> {
        match self.doc.get(field) {
            None | Some(Bson::Null) => Ok(None),
            Some(Bson::DateTime(d)) => instant(*d)
                .map(Some)
                .ok_or_else(|| self.corrupt(format!("{field} is out of range"))),
            Some(_) => Err(self.corrupt(format!("{field} is not a date"))),
        }
    }

    fn counts(&self) -> Result<BTreeMap<String, i64>> {
        let counts = self
            .doc
            .get_document("counts")
            .map_err(|e| self.corrupt(format!("counts: {e}")))?;
        counts
            .iter()
            .map(|(name, value)| {
                let n = value.as_i64().or_else(|| value.as_i32().map(i64::from));
                let n = n.ok_or_else(|| self.corrupt(format!("count {name} is not an integer")))?;
                Ok((name.clone(), n))
            })
            .collect()
    }
}

fn trigger_name(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Schedule => "schedule",
        Trigger::Manual => "manual",
        Trigger::Callback => "callback",
        Trigger::Health => "health",
    }
}

fn parse_trigger(name: &str) -> Option<Trigger> {
    [
        Trigger::Schedule,
        Trigger::Manual,
        Trigger::Callback,
        Trigger::Health,
    ]
    .into_iter()
    .find(|t| trigger_name(*t) == name)
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Running => "running",
        Outcome::Succeeded => "succeeded",
        Outcome::Failed => "failed",
    }
}

fn parse_outcome(name: &str) -> Option<Outcome> {
    [Outcome::Running, Outcome::Succeeded, Outcome::Failed]
        .into_iter()
        .find(|o| outcome_name(*o) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_and_outcome_names_match_the_domain_serialisation() {
        for trigger in [
            Trigger::Schedule,
            Trigger::Manual,
            Trigger::Callback,
            Trigger::Health,
        ] {
            let serialised = serde_json::to_value(trigger).expect("serialise");
            assert_eq!(serialised, trigger_name(trigger));
            assert_eq!(parse_trigger(trigger_name(trigger)), Some(trigger));
        }
        for outcome in [Outcome::Running, Outcome::Succeeded, Outcome::Failed] {
            let serialised = serde_json::to_value(outcome).expect("serialise");
            assert_eq!(serialised, outcome_name(outcome));
            assert_eq!(parse_outcome(outcome_name(outcome)), Some(outcome));
        }
    }

    #[test]
    fn a_stored_run_with_an_unknown_outcome_is_corrupt_and_names_the_run() {
        let stored = doc! {
            "run_id": "r1", "job": "ingest", "trigger": "schedule",
            "started_at": bson_date(Utc::now()), "ended_at": null,
            "outcome": "exploded", "counts": { "enqueued": 3_i64 }, "error": null,
        };

        let err = run_record(&stored).unwrap_err();

        assert_eq!(
            err.to_string(),
            "corrupt document r1 in runs: outcome \"exploded\""
        );
    }
}
