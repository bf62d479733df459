//! `trainer export`: one budget's labelled payments, freshly matched, as a
//! JSON Lines file (see [`crate::jsonl`]) in time order, for offline
//! evaluation and benchmarks.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::jsonl::{LabelledLine, write_lines};
use crate::matching::{links, refresh_budget};
use crate::training::Trainer;

/// Writes the labelled payments of `budget_id` to `output`; returns how
/// many.
///
/// # Errors
/// When the budget is unknown, MongoDB fails or the file cannot be written.
pub async fn export(trainer: &Trainer, budget_id: &str, output: &Path) -> anyhow::Result<usize> {
    let budgets = trainer
        .store
        .ynab_budgets()
        .await
        .context("could not read YNAB budgets")?;
    if !budgets.iter().any(|b| b.id == budget_id) {
        bail!("YNAB budget {budget_id} is not in the store (run the ingest first)");
    }
    let links = links(&trainer.store).await?;
    let (rows, _) =
        refresh_budget(&trainer.store, budget_id, &links, &trainer.match_settings()).await?;
    let lines: Vec<LabelledLine> = rows
        .into_iter()
        .map(|r| LabelledLine {
            payment: Value::Object(r.payment.raw),
            category: r.category_name,
            category_group: r.category_group_name,
        })
        .collect();

    let file = std::fs::File::create(output)
        .with_context(|| format!("could not create {}", output.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write_lines(&mut out, &lines)
        .with_context(|| format!("could not write {}", output.display()))?;
    tracing::info!(budget.id = %budget_id, rows = lines.len(), output = %output.display(), "data set exported");
    Ok(lines.len())
}
