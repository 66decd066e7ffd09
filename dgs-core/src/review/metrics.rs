//! Quality metrics of one iteration, computed from the reviewed groups.
//!
//! The true category of a reviewed group is its predicted category when the verdict is
//! correct, and the corrected category when the verdict is incorrect and names one. An
//! incorrect verdict without a corrected category counts as an error for accuracy and as a
//! false positive of the predicted category. It has no true category, so it adds to no
//! category's support or recall and stays out of the confusion matrix.
//!
//! Per-category precision, recall and F1 follow scikit-learn's `zero_division=0`: a ratio
//! with a zero denominator is reported as `None` per category and counted as 0 in the macro
//! and weighted averages.

use super::wilson::wilson_interval;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// 97.5th percentile of the standard normal, for 95% intervals.
const Z_95: f64 = 1.959_963_984_540_054;

/// The predicted category of one group in the iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub group_id: u64,
    pub category: String,
    pub group_size: u64,
}

/// A group with a recorded verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewedGroup {
    pub group_id: u64,
    /// Category predicted in the iteration being measured.
    pub predicted: String,
    /// Whether the reviewer accepted `predicted`.
    pub correct: bool,
    /// Category the reviewer marked as right, for incorrect verdicts.
    pub corrected: Option<String>,
    pub group_size: u64,
}

/// Everything [`compute_metrics`] needs.
#[derive(Clone, Debug)]
pub struct MetricsInput<'a> {
    /// Every group of the iteration, reviewed or not.
    pub predictions: &'a [Prediction],
    pub reviewed: &'a [ReviewedGroup],
    /// Groups in the review sample, the denominator of coverage.
    pub sampled_groups: u64,
    /// Fallback category, usually `Indeterminado`.
    pub fallback: &'a str,
}

/// Precision, recall and F1 of one category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryMetrics {
    pub category: String,
    /// `None` when the category was never predicted among reviewed groups.
    pub precision: Option<f64>,
    /// `None` when the category is never the true category.
    pub recall: Option<f64>,
    /// `None` when precision or recall is `None`; 0 when both are 0.
    pub f1: Option<f64>,
    /// Weight of reviewed groups whose true category is this one.
    pub support: f64,
    /// Weight of reviewed groups predicted as this category.
    pub predicted: f64,
}

/// Macro or weighted averages of the per-category metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Averages {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Counts of true (rows) against predicted (columns) categories, in `labels` order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub labels: Vec<String>,
    /// `counts[true_index][predicted_index]`, weighted like the metrics that hold it.
    pub counts: Vec<Vec<f64>>,
}

/// Metrics under one weighting: each group counts 1, or each group counts its rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightedMetrics {
    /// Weight of reviewed groups.
    pub reviewed: f64,
    /// Weight of reviewed groups judged correct.
    pub correct: f64,
    /// `correct / reviewed`; `None` with nothing reviewed.
    pub accuracy: Option<f64>,
    /// Wilson 95% interval of the accuracy. Given per group only: rows of one group share a
    /// verdict, so they are not independent trials.
    pub accuracy_interval: Option<(f64, f64)>,
    pub per_category: Vec<CategoryMetrics>,
    pub macro_avg: Averages,
    pub weighted_avg: Averages,
    pub confusion: ConfusionMatrix,
    /// Share of all groups (or rows) of the iteration predicted as the fallback category.
    pub fallback_rate: f64,
}

/// Metrics of one iteration, per group and per row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub groups: u64,
    pub rows: u64,
    pub reviewed_groups: u64,
    pub reviewed_rows: u64,
    /// Reviewed groups divided by sampled groups; `None` without a sample.
    pub coverage: Option<f64>,
    pub by_group: WeightedMetrics,
    pub by_row: WeightedMetrics,
}

/// Computes the metrics of one iteration.
pub fn compute_metrics(input: &MetricsInput<'_>) -> Metrics {
    let groups = input.predictions.len() as u64;
    let rows = input.predictions.iter().map(|p| p.group_size).sum();
    let reviewed_groups = input.reviewed.len() as u64;
    let reviewed_rows = input.reviewed.iter().map(|r| r.group_size).sum();

    let coverage =
        (input.sampled_groups > 0).then(|| reviewed_groups as f64 / input.sampled_groups as f64);

    let mut by_group = weighted(input, |_| 1.0);
    let (low, high) = wilson_interval(by_group.correct, by_group.reviewed, Z_95);
    by_group.accuracy_interval = (by_group.reviewed > 0.0).then_some((low, high));
    let by_row = weighted(input, |size| size as f64);

    Metrics {
        groups,
        rows,
        reviewed_groups,
        reviewed_rows,
        coverage,
        by_group,
        by_row,
    }
}

fn true_category(group: &ReviewedGroup) -> Option<&str> {
    if group.correct {
        Some(&group.predicted)
    } else {
        group.corrected.as_deref()
    }
}

fn weighted(input: &MetricsInput<'_>, weight_of: impl Fn(u64) -> f64) -> WeightedMetrics {
    let labels: Vec<String> = input
        .reviewed
        .iter()
        .flat_map(|group| [Some(group.predicted.as_str()), true_category(group)])
        .flatten()
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| (label.as_str(), i))
        .collect();

    let mut confusion = vec![vec![0.0; labels.len()]; labels.len()];
    let mut predicted = vec![0.0; labels.len()];
    let mut support = vec![0.0; labels.len()];
    let mut reviewed = 0.0;
    let mut correct = 0.0;

    for group in input.reviewed {
        let weight = weight_of(group.group_size);
        let predicted_index = index[group.predicted.as_str()];
        reviewed += weight;
        predicted[predicted_index] += weight;

        if let Some(truth) = true_category(group) {
            let true_index = index[truth];
            support[true_index] += weight;
            confusion[true_index][predicted_index] += weight;
            if true_index == predicted_index {
                correct += weight;
            }
        }
    }

    let per_category: Vec<CategoryMetrics> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| category_metrics(label, confusion[i][i], predicted[i], support[i]))
        .collect();

    let total_weight: f64 = input
        .predictions
        .iter()
        .map(|p| weight_of(p.group_size))
        .sum();
    let fallback_weight: f64 = input
        .predictions
        .iter()
        .filter(|p| p.category == input.fallback)
        .map(|p| weight_of(p.group_size))
        .sum();

    WeightedMetrics {
        reviewed,
        correct,
        accuracy: (reviewed > 0.0).then(|| correct / reviewed),
        accuracy_interval: None,
        macro_avg: macro_average(&per_category),
        weighted_avg: weighted_average(&per_category),
        per_category,
        confusion: ConfusionMatrix {
            labels,
            counts: confusion,
        },
        fallback_rate: if total_weight > 0.0 {
            fallback_weight / total_weight
        } else {
            0.0
        },
    }
}

fn category_metrics(
    category: &str,
    true_positive: f64,
    predicted: f64,
    support: f64,
) -> CategoryMetrics {
    let precision = (predicted > 0.0).then(|| true_positive / predicted);
    let recall = (support > 0.0).then(|| true_positive / support);
    let f1 = match (precision, recall) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    CategoryMetrics {
        category: category.to_owned(),
        precision,
        recall,
        f1,
        support,
        predicted,
    }
}

fn macro_average(categories: &[CategoryMetrics]) -> Averages {
    let count = categories.len() as f64;
    if count == 0.0 {
        return Averages {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
    }
    Averages {
        precision: categories
            .iter()
            .map(|c| c.precision.unwrap_or(0.0))
            .sum::<f64>()
            / count,
        recall: categories
            .iter()
            .map(|c| c.recall.unwrap_or(0.0))
            .sum::<f64>()
            / count,
        f1: categories.iter().map(|c| c.f1.unwrap_or(0.0)).sum::<f64>() / count,
    }
}

fn weighted_average(categories: &[CategoryMetrics]) -> Averages {
    let total: f64 = categories.iter().map(|c| c.support).sum();
    if total == 0.0 {
        return Averages {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
    }
    let weigh = |value: fn(&CategoryMetrics) -> Option<f64>| {
        categories
            .iter()
            .map(|c| value(c).unwrap_or(0.0) * c.support)
            .sum::<f64>()
            / total
    };
    Averages {
        precision: weigh(|c| c.precision),
        recall: weigh(|c| c.recall),
        f1: weigh(|c| c.f1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviewed(
        group_id: u64,
        predicted: &str,
        correct: bool,
        corrected: Option<&str>,
        size: u64,
    ) -> ReviewedGroup {
        ReviewedGroup {
            group_id,
            predicted: predicted.to_owned(),
            correct,
            corrected: corrected.map(str::to_owned),
            group_size: size,
        }
    }

    fn prediction(group_id: u64, category: &str, size: u64) -> Prediction {
        Prediction {
            group_id,
            category: category.to_owned(),
            group_size: size,
        }
    }

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "expected {expected}, got {actual}"
        );
    }

    fn category<'a>(metrics: &'a WeightedMetrics, name: &str) -> &'a CategoryMetrics {
        metrics
            .per_category
            .iter()
            .find(|c| c.category == name)
            .unwrap()
    }

    /// Six reviewed groups. A is predicted 3 times (2 right), B twice (1 right, 1 truly C),
    /// Indeterminado once (truly A). C is never predicted; Indeterminado is never true.
    fn fixture() -> (Vec<Prediction>, Vec<ReviewedGroup>) {
        let reviewed = vec![
            reviewed(0, "A", true, None, 1),
            reviewed(1, "A", true, None, 4),
            reviewed(2, "A", false, Some("B"), 1),
            reviewed(3, "B", true, None, 2),
            reviewed(4, "B", false, Some("C"), 1),
            reviewed(5, "Indeterminado", false, Some("A"), 1),
        ];
        let mut predictions: Vec<Prediction> = reviewed
            .iter()
            .map(|r| prediction(r.group_id, &r.predicted, r.group_size))
            .collect();
        predictions.push(prediction(6, "Indeterminado", 3));
        predictions.push(prediction(7, "B", 1));
        (predictions, reviewed)
    }

    #[test]
    fn per_group_hand_computed() {
        let (predictions, reviewed) = fixture();
        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &reviewed,
            sampled_groups: 8,
            fallback: "Indeterminado",
        });
        let by_group = &metrics.by_group;

        close(by_group.accuracy.unwrap(), 3.0 / 6.0);
        close(metrics.coverage.unwrap(), 6.0 / 8.0);

        let a = category(by_group, "A");
        close(a.precision.unwrap(), 2.0 / 3.0);
        close(a.recall.unwrap(), 2.0 / 3.0);
        close(a.f1.unwrap(), 2.0 / 3.0);
        close(a.support, 3.0);

        let b = category(by_group, "B");
        close(b.precision.unwrap(), 1.0 / 2.0);
        close(b.recall.unwrap(), 1.0 / 2.0);

        let c = category(by_group, "C");
        assert_eq!(c.precision, None, "C is never predicted");
        close(c.recall.unwrap(), 0.0);
        assert_eq!(c.f1, None);

        let fallback = category(by_group, "Indeterminado");
        close(fallback.precision.unwrap(), 0.0);
        assert_eq!(fallback.recall, None, "Indeterminado is never true");

        // Macro over A, B, C, Indeterminado with undefined values as 0.
        close(
            by_group.macro_avg.precision,
            (2.0 / 3.0 + 0.5 + 0.0 + 0.0) / 4.0,
        );
        close(
            by_group.macro_avg.recall,
            (2.0 / 3.0 + 0.5 + 0.0 + 0.0) / 4.0,
        );
        // Weighted by support: A 3, B 2, C 1.
        close(
            by_group.weighted_avg.recall,
            (3.0 * 2.0 / 3.0 + 2.0 * 0.5) / 6.0,
        );

        close(by_group.fallback_rate, 2.0 / 8.0);
    }

    #[test]
    fn confusion_matrix_rows_are_truth() {
        let (predictions, reviewed) = fixture();
        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &reviewed,
            sampled_groups: 6,
            fallback: "Indeterminado",
        });
        let confusion = &metrics.by_group.confusion;
        let at = |truth: &str, predicted: &str| {
            let t = confusion.labels.iter().position(|l| l == truth).unwrap();
            let p = confusion
                .labels
                .iter()
                .position(|l| l == predicted)
                .unwrap();
            confusion.counts[t][p]
        };

        assert_eq!(confusion.labels, vec!["A", "B", "C", "Indeterminado"]);
        close(at("A", "A"), 2.0);
        close(at("B", "A"), 1.0);
        close(at("C", "B"), 1.0);
        close(at("A", "Indeterminado"), 1.0);
        close(confusion.counts.iter().flatten().sum(), 6.0);
    }

    #[test]
    fn per_row_weights_by_group_size() {
        let (predictions, reviewed) = fixture();
        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &reviewed,
            sampled_groups: 6,
            fallback: "Indeterminado",
        });
        let by_row = &metrics.by_row;

        // Correct rows: 1 + 4 + 2 = 7 of 10 reviewed rows.
        close(by_row.accuracy.unwrap(), 0.7);
        assert_eq!(by_row.accuracy_interval, None);
        close(category(by_row, "A").precision.unwrap(), 5.0 / 6.0);
        close(by_row.fallback_rate, 4.0 / 14.0);
        assert_eq!(metrics.rows, 14);
        assert_eq!(metrics.reviewed_rows, 10);
    }

    #[test]
    fn incorrect_without_correction_counts_as_error_only() {
        let reviewed = vec![
            reviewed(0, "A", true, None, 1),
            reviewed(1, "A", false, None, 1),
        ];
        let predictions: Vec<Prediction> = reviewed
            .iter()
            .map(|r| prediction(r.group_id, &r.predicted, 1))
            .collect();
        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &reviewed,
            sampled_groups: 2,
            fallback: "Indeterminado",
        });

        close(metrics.by_group.accuracy.unwrap(), 0.5);
        let a = category(&metrics.by_group, "A");
        close(a.precision.unwrap(), 0.5);
        close(a.recall.unwrap(), 1.0);
        close(a.support, 1.0);
    }

    #[test]
    fn wilson_interval_on_accuracy() {
        let (predictions, reviewed) = fixture();
        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &reviewed,
            sampled_groups: 6,
            fallback: "Indeterminado",
        });
        let (low, high) = metrics.by_group.accuracy_interval.unwrap();
        let (expected_low, expected_high) = wilson_interval(3.0, 6.0, Z_95);
        close(low, expected_low);
        close(high, expected_high);
        assert!(low < 0.5);
        assert!(high > 0.5);
    }

    #[test]
    fn nothing_reviewed() {
        let predictions = vec![prediction(0, "A", 2)];
        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &[],
            sampled_groups: 0,
            fallback: "Indeterminado",
        });
        assert_eq!(metrics.by_group.accuracy, None);
        assert_eq!(metrics.by_group.accuracy_interval, None);
        assert_eq!(metrics.coverage, None);
        assert!(metrics.by_group.per_category.is_empty());
    }
}
