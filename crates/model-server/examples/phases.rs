//! Benchmark helper (not a test): where the time of one inference request
//! goes inside the server, without HTTP. Loads the promoted model of a
//! budget from MongoDB (`MONGO_URI`, `MONGO_DB`, as the server reads them),
//! then decodes and answers one request body many times, timing each
//! phase: JSON parsing, tensor decoding into payment features, prediction,
//! and writing the response. Prints one JSON object of mean microseconds.
//!
//!     cargo run --release -p model-server --example phases -- BUDGET BODY_FILE [ROUNDS]

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use model_server::ServerConfig;
use model_server::codec::decode;
use model_server::protocol::InferenceRequest;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (budget, body, rounds) = match args.as_slice() {
        [budget, body] => (budget, body, 2_000),
        [budget, body, rounds] => (budget, body, rounds.parse().context("ROUNDS")?),
        _ => bail!("usage: phases BUDGET BODY_FILE [ROUNDS]"),
    };
    let config = ServerConfig::from_env()?;
    let store = store::Store::connect(&config.mongo).await?;
    let record = store
        .promoted_model(budget)
        .await?
        .with_context(|| format!("budget {budget} has no promoted model"))?;
    let model = learning::Model::from_bytes(&record.model)?;
    let body = std::fs::read(body).with_context(|| format!("reading {body}"))?;

    let mut spent = [Duration::ZERO; 4];
    let mut rows = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let request: InferenceRequest<'_> = serde_json::from_slice(&body)?;
        let parsed = Instant::now();
        let payments = decode(&request).map_err(|e| anyhow::anyhow!("{e}"))?;
        let decoded = Instant::now();
        let predictions = model.predict(&payments);
        let predicted = Instant::now();
        let answer: Vec<_> = predictions
            .iter()
            .map(|p| (&p.category_id, &p.category_name, p.confidence))
            .collect();
        let written = serde_json::to_vec(&answer)?;
        let finished = Instant::now();
        std::hint::black_box(written);
        rows = payments.len();
        for (total, (from, to)) in spent.iter_mut().zip([
            (started, parsed),
            (parsed, decoded),
            (decoded, predicted),
            (predicted, finished),
        ]) {
            *total += to - from;
        }
    }
    let mean = |d: Duration| (d.as_secs_f64() / f64::from(rounds) * 1e7).round() / 10.0;
    let total = mean(spent.iter().sum());
    let [parse, decode, predict, write] = spent.map(mean);
    println!(
        "{}",
        serde_json::json!({
            "rows": rows, "rounds": rounds, "model_version": record.version,
            "mean_us": {"parse": parse, "decode": decode, "predict": predict, "write": write,
                        "total": total},
        })
    );
    Ok(())
}
