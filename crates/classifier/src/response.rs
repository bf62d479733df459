//! Reading the inference response: per row a category id, name and
//! confidence from the outputs `category_id` (`BYTES`), `category_name`
//! (`BYTES`) and `confidence` (`FP64`), and the answering `model_version`.

use serde::Deserialize;
use serde_json::Value;

/// The model's suggestion for one payment.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The YNAB category id.
    pub category_id: String,
    /// Its name, for people reading the record.
    pub category_name: String,
    /// The model's confidence, in `[0, 1]`.
    pub confidence: f64,
}

/// A whole answer: one suggestion per row, in request order.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The model version that answered, if the server said.
    pub model_version: Option<String>,
    /// One suggestion per payment.
    pub rows: Vec<Suggestion>,
}

#[derive(Deserialize)]
struct InferenceResponse {
    #[serde(default)]
    model_version: Option<String>,
    outputs: Vec<Output>,
}

#[derive(Deserialize)]
struct Output {
    name: String,
    datatype: String,
    data: Vec<Value>,
}

/// Reads a response body for `rows` payments; the error names what is
/// wrong.
pub(crate) fn read(body: &[u8], rows: usize) -> Result<Prediction, String> {
    let response: InferenceResponse =
        serde_json::from_slice(body).map_err(|e| format!("not an inference response: {e}"))?;
    let output = |name: &str, datatype: &str| -> Result<&Vec<Value>, String> {
        let found = response
            .outputs
            .iter()
            .find(|o| o.name == name)
            .ok_or_else(|| format!("output {name} is missing"))?;
        if found.datatype != datatype {
            return Err(format!(
                "output {name} is {}, expected {datatype}",
                found.datatype
            ));
        }
        if found.data.len() != rows {
            return Err(format!(
                "output {name} has {} values for {rows} rows",
                found.data.len()
            ));
        }
        Ok(&found.data)
    };
    let ids = output("category_id", "BYTES")?;
    let names = output("category_name", "BYTES")?;
    let confidences = output("confidence", "FP64")?;

    let rows = (0..rows)
        .map(|row| {
            let text = |values: &[Value], name: &str| {
                values[row]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name}[{row}] is not a string"))
            };
            let confidence = confidences[row]
                .as_f64()
                .filter(|c| (0.0..=1.0).contains(c))
                .ok_or_else(|| format!("confidence[{row}] is not a number in [0, 1]"))?;
            Ok(Suggestion {
                category_id: text(ids, "category_id")?,
                category_name: text(names, "category_name")?,
                confidence,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Prediction {
        model_version: response.model_version,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: Value) -> Vec<u8> {
        value.to_string().into_bytes()
    }

    #[test]
    fn reads_one_suggestion_per_row_and_the_model_version() {
        let answer = body(
            json!({"model_name": "b1", "model_version": "7", "outputs": [
            {"name": "category_id", "shape": [2], "datatype": "BYTES", "data": ["c1", "c2"]},
            {"name": "category_name", "shape": [2], "datatype": "BYTES", "data": ["Food", "Rent"]},
            {"name": "confidence", "shape": [2], "datatype": "FP64", "data": [0.9, 0.4]}]}),
        );

        let prediction = read(&answer, 2).expect("valid");

        assert_eq!(prediction.model_version.as_deref(), Some("7"));
        assert_eq!(prediction.rows[1].category_name, "Rent");
        assert!((prediction.rows[0].confidence - 0.9).abs() < f64::EPSILON);
    }

    #[test]
    fn a_missing_output_or_a_short_one_is_named() {
        let missing = body(json!({"outputs": []}));
        assert_eq!(
            read(&missing, 1).unwrap_err(),
            "output category_id is missing"
        );

        let short = body(json!({"outputs": [
            {"name": "category_id", "datatype": "BYTES", "data": []}]}));
        assert_eq!(
            read(&short, 1).unwrap_err(),
            "output category_id has 0 values for 1 rows"
        );
        assert!(
            read(b"<html>", 1)
                .unwrap_err()
                .starts_with("not an inference response")
        );
    }
}
