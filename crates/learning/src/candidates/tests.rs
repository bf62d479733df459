//! Every candidate learns a small, separable problem.

use super::*;

/// Three classes told apart by tokens 0/1/2 (with an unrelated token 3
/// now and then), 30 rows each, and one rare class (token 4, 3 rows).
fn toy() -> (Vec<SparseRow>, Vec<usize>) {
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for i in 0..93_u32 {
        let class = if i < 90 { (i % 3) as usize } else { 3 };
        let token = if class == 3 { 4 } else { class as u32 };
        let mut row = vec![(token, 1.0)];
        if i % 4 == 0 {
            row.push((3, 1.0));
        }
        row.extend([(5, (i % 7) as f32 / 7.0), (6, 0.5), (7, 0.1)]);
        row.sort_by_key(|(c, _)| *c);
        rows.push(row);
        labels.push(class);
    }
    (rows, labels)
}

#[test]
fn every_default_candidate_separates_the_toy_classes() {
    let (rows, labels) = toy();
    let data = TrainingData {
        rows: &rows,
        labels: &labels,
        classes: 4,
        tokens: 5,
    };

    for candidate in Candidate::defaults() {
        let classifier = candidate.fit(&data).expect("fits");

        for (row, &label) in rows.iter().zip(&labels) {
            let p = classifier.probabilities(row);
            let best = (0..p.len())
                .max_by(|a, b| p[*a].total_cmp(&p[*b]))
                .expect("classes");
            assert_eq!(best, label, "{} on {row:?}: {p:?}", candidate.name());
        }
    }
}

#[test]
fn a_single_class_is_refused_with_the_algorithm_named() {
    let rows = vec![vec![(0, 1.0)]; 3];
    let data = TrainingData {
        rows: &rows,
        labels: &[0, 0, 0],
        classes: 1,
        tokens: 1,
    };

    let err = Candidate::defaults()[0].fit(&data).unwrap_err();

    assert_eq!(
        err.to_string(),
        "fitting naive_bayes failed: at least two categories are needed"
    );
}

#[test]
fn rare_classes_are_repeated_up_to_four_times() {
    let labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2];

    let rows = balanced_rows(&labels, 3);

    assert_eq!(rows.iter().filter(|&&i| i == 8).count(), 4);
    assert_eq!(rows.iter().filter(|&&i| i == 0).count(), 1);
}

#[test]
fn params_are_the_candidate_without_its_name() {
    let params = Candidate::NaiveBayes {
        alpha: 0.5,
        fit_prior: true,
    }
    .params();

    assert_eq!(params, serde_json::json!({"alpha": 0.5, "fit_prior": true}));
}
