//! The model that is stored and served: vocabulary, categories and a fitted
//! classifier, serialised compactly (postcard) and identically for the same
//! fit. Prediction does no I/O and allocates per payment only its row and
//! its class scores.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::classifier::Classifier;
use crate::error::LearningError;
use crate::features::PaymentFeatures;
use crate::vocabulary::{SparseRow, Vocabulary};

/// The serialisation format this build reads and writes.
const FORMAT: u32 = 1;

/// A category a model can predict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCategory {
    /// YNAB category id.
    pub id: String,
    /// Its name when the model was trained.
    pub name: String,
    /// Its group's name, when known.
    pub group: Option<String>,
}

/// One prediction.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// YNAB category id.
    pub category_id: String,
    /// The category's name.
    pub category_name: String,
    /// The model's probability for it, in [0, 1].
    pub confidence: f64,
}

/// A trained category model of one budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    format: u32,
    /// The algorithm (`logistic_regression`, ...).
    pub algorithm: String,
    /// Its parameters, as JSON text.
    pub params: String,
    /// The IANA zone whose local days the day features use.
    pub zone: String,
    /// Token → column.
    pub vocabulary: Vocabulary,
    /// Class index → category.
    pub categories: Vec<ModelCategory>,
    /// The fitted classifier.
    pub classifier: Classifier,
    #[serde(skip)]
    tz: Option<Tz>,
}

impl Model {
    /// Assembles a model.
    pub fn new(
        algorithm: &str,
        params: &serde_json::Value,
        zone: Tz,
        vocabulary: Vocabulary,
        categories: Vec<ModelCategory>,
        classifier: Classifier,
    ) -> Self {
        Self {
            format: FORMAT,
            algorithm: algorithm.to_owned(),
            params: params.to_string(),
            zone: zone.name().to_owned(),
            vocabulary,
            categories,
            classifier,
            tz: Some(zone),
        }
    }

    /// The encoded row of a payment.
    pub fn encode(&self, payment: &PaymentFeatures) -> SparseRow {
        let zone = self.tz.unwrap_or(chrono_tz::Europe::Amsterdam);
        let mut row = SparseRow::with_capacity(32);
        payment.for_each_token(zone, |token| {
            if let Some(column) = self.vocabulary.column(token) {
                row.push((column, 1.0));
            }
        });
        self.vocabulary.finish_row(row, payment.numeric(zone))
    }

    /// The most probable category of each payment, in order.
    pub fn predict(&self, payments: &[PaymentFeatures]) -> Vec<Prediction> {
        payments.iter().map(|p| self.predict_one(p)).collect()
    }

    /// The most probable category of one payment.
    pub fn predict_one(&self, payment: &PaymentFeatures) -> Prediction {
        let probabilities = self.classifier.probabilities(&self.encode(payment));
        // Highest probability; the lowest class index wins a tie.
        let (class, confidence) =
            probabilities
                .iter()
                .enumerate()
                .fold(
                    (0, f32::MIN),
                    |best, (i, &p)| if p > best.1 { (i, p) } else { best },
                );
        let category = self.categories.get(class);
        Prediction {
            category_id: category.map(|c| c.id.clone()).unwrap_or_default(),
            category_name: category.map(|c| c.name.clone()).unwrap_or_default(),
            confidence: f64::from(confidence.clamp(0.0, 1.0)),
        }
    }

    /// The model as bytes.
    ///
    /// # Errors
    /// [`LearningError::Encode`] if serialisation fails.
    pub fn to_bytes(&self) -> Result<Vec<u8>, LearningError> {
        postcard::to_allocvec(self).map_err(|e| LearningError::Encode(e.to_string()))
    }

    /// A model from [`Model::to_bytes`] output.
    ///
    /// # Errors
    /// [`LearningError::Decode`] for bytes of another format or version,
    /// truncated bytes, or an unknown time zone.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LearningError> {
        let mut model: Self =
            postcard::from_bytes(bytes).map_err(|e| LearningError::Decode(e.to_string()))?;
        if model.format != FORMAT {
            return Err(LearningError::Decode(format!(
                "format {} is not {FORMAT}",
                model.format
            )));
        }
        let zone: Tz = model
            .zone
            .parse()
            .map_err(|_| LearningError::Decode(format!("unknown zone {:?}", model.zone)))?;
        model.tz = Some(zone);
        model.vocabulary.reindex();
        Ok(model)
    }
}
