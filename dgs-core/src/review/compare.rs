//! Comparison of two iterations of one job: how the metrics moved, which groups changed
//! category, and whether each change fixed or broke a reviewed group.
//!
//! A prompt change is judged by what it did to reviewed groups. A change on a group whose
//! verdict names the true category is exactly one of: fixed (wrong before, right after),
//! broke (right before, wrong after) or wrong to wrong.

use super::metrics::{
    compute_metrics, Metrics, MetricsInput, Prediction, ReviewedGroup, WeightedMetrics,
};
use crate::llm::TokenUsage;
use crate::store::{Verdict, VerdictKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The classification of one group in one iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub group_id: u64,
    pub category: String,
    /// Model confidence in 0..=1, or -1 for fallback results.
    pub score: f64,
    /// Number of rows in the group.
    pub group_size: u64,
}

/// One iteration's metrics, classifications and usage, as [`compare_iterations`] and the
/// HTML report take them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IterationView {
    /// Iteration number, from 1.
    pub iteration: u32,
    /// Metrics computed on this iteration's predictions with the job's verdicts.
    pub metrics: Metrics,
    /// Every group of the iteration.
    pub classifications: Vec<GroupResult>,
    pub usage: TokenUsage,
    /// Cost in US dollars; `None` when the model has no price.
    pub cost: Option<f64>,
    /// Wall-clock duration in milliseconds; `None` while the iteration runs.
    pub duration_ms: Option<u64>,
}

impl IterationView {
    /// Builds the view of one iteration, computing its metrics from `verdicts` judged against
    /// this iteration's categories (see [`reviewed_groups`]).
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        iteration: u32,
        classifications: Vec<GroupResult>,
        verdicts: &[VerdictView],
        sampled_groups: u64,
        fallback: &str,
        usage: TokenUsage,
        cost: Option<f64>,
        duration_ms: Option<u64>,
    ) -> Self {
        let predictions: Vec<Prediction> = classifications
            .iter()
            .map(|group| Prediction {
                group_id: group.group_id,
                category: group.category.clone(),
                group_size: group.group_size,
            })
            .collect();
        let reviewed = reviewed_groups(&classifications, verdicts);

        let metrics = compute_metrics(&MetricsInput {
            predictions: &predictions,
            reviewed: &reviewed,
            sampled_groups,
            fallback,
        });

        IterationView {
            iteration,
            metrics,
            classifications,
            usage,
            cost,
            duration_ms,
        }
    }
}

/// Judges one iteration's categories against verdicts that may come from another iteration.
///
/// A verdict with a true category judges any category. A verdict without one judges only the
/// rejected category as wrong, so a group whose category moved away from it is left out.
/// Verdicts on groups absent from `classifications` are ignored.
pub fn reviewed_groups(
    classifications: &[GroupResult],
    verdicts: &[VerdictView],
) -> Vec<ReviewedGroup> {
    let by_id: HashMap<u64, &GroupResult> = classifications
        .iter()
        .map(|group| (group.group_id, group))
        .collect();

    let mut reviewed = Vec::new();
    for verdict in verdicts {
        let Some(group) = by_id.get(&verdict.group_id) else {
            continue;
        };

        let (correct, corrected) = match verdict.true_category.as_deref() {
            Some(truth) if truth == group.category => (true, None),
            Some(truth) => (false, Some(truth.to_owned())),
            None if verdict.rejected_category.as_deref() == Some(group.category.as_str()) => {
                (false, None)
            }
            None => continue,
        };

        reviewed.push(ReviewedGroup {
            group_id: group.group_id,
            predicted: group.category.clone(),
            correct,
            corrected,
            group_size: group.group_size,
        });
    }
    reviewed
}

/// A verdict reduced to what decides whether a category is right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerdictView {
    pub group_id: u64,
    /// Category the reviewer accepted or gave as the right one; `None` for an incorrect
    /// verdict without a corrected category.
    pub true_category: Option<String>,
    /// Category the reviewer rejected, for incorrect verdicts.
    pub rejected_category: Option<String>,
}

impl VerdictView {
    /// Builds the view of `verdict`, where `reviewed_category` is the category the group had
    /// in the iteration the reviewer saw.
    pub fn from_verdict(verdict: &Verdict, reviewed_category: &str) -> Self {
        match verdict.verdict {
            VerdictKind::Correct => VerdictView {
                group_id: verdict.group_id,
                true_category: Some(reviewed_category.to_owned()),
                rejected_category: None,
            },
            VerdictKind::Incorrect => VerdictView {
                group_id: verdict.group_id,
                true_category: verdict.corrected_category.clone(),
                rejected_category: Some(reviewed_category.to_owned()),
            },
        }
    }
}

/// Effect of one category change on a reviewed group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// Wrong before, the true category after.
    Fixed,
    /// The true category before, another one after.
    Broke,
    /// Wrong before and after.
    WrongToWrong,
    /// The verdict names no true category, so at most one side is known to be wrong.
    Undetermined,
}

impl ChangeOutcome {
    /// Returns the snake_case name used in JSON and in the `dgs compare` table.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeOutcome::Fixed => "fixed",
            ChangeOutcome::Broke => "broke",
            ChangeOutcome::WrongToWrong => "wrong_to_wrong",
            ChangeOutcome::Undetermined => "undetermined",
        }
    }
}

/// A group whose category differs between the two iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryChange {
    pub group_id: u64,
    pub group_size: u64,
    pub before: String,
    pub after: String,
    /// `None` when the group has no verdict.
    pub outcome: Option<ChangeOutcome>,
}

/// A number before and after, and `after - before` when both exist.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub delta: Option<f64>,
}

impl Delta {
    fn new(before: Option<f64>, after: Option<f64>) -> Self {
        let delta = match (before, after) {
            (Some(b), Some(a)) => Some(a - b),
            _ => None,
        };
        Delta {
            before,
            after,
            delta,
        }
    }
}

/// A count before and after, and the signed difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountDelta {
    pub before: u64,
    pub after: u64,
    pub delta: i64,
}

impl CountDelta {
    fn new(before: u64, after: u64) -> Self {
        CountDelta {
            before,
            after,
            delta: after as i64 - before as i64,
        }
    }
}

/// Changes of the headline metrics under one weighting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightedDeltas {
    pub accuracy: Delta,
    pub macro_f1: Delta,
    pub weighted_f1: Delta,
    pub fallback_rate: Delta,
}

impl WeightedDeltas {
    fn new(before: &WeightedMetrics, after: &WeightedMetrics) -> Self {
        let has_reviews = |m: &WeightedMetrics| m.reviewed > 0.0;
        let averaged = |m: &WeightedMetrics, f1: f64| has_reviews(m).then_some(f1);
        WeightedDeltas {
            accuracy: Delta::new(before.accuracy, after.accuracy),
            macro_f1: Delta::new(
                averaged(before, before.macro_avg.f1),
                averaged(after, after.macro_avg.f1),
            ),
            weighted_f1: Delta::new(
                averaged(before, before.weighted_avg.f1),
                averaged(after, after.weighted_avg.f1),
            ),
            fallback_rate: Delta::new(Some(before.fallback_rate), Some(after.fallback_rate)),
        }
    }
}

/// Change of one category's F1, per group and per row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryF1Delta {
    pub category: String,
    pub by_group: Delta,
    pub by_row: Delta,
}

/// Groups and rows behind one count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRowCount {
    pub groups: u64,
    pub rows: u64,
}

impl GroupRowCount {
    fn add(&mut self, group_size: u64) {
        self.groups += 1;
        self.rows += group_size;
    }
}

/// Changed groups by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    pub fixed: GroupRowCount,
    pub broke: GroupRowCount,
    pub wrong_to_wrong: GroupRowCount,
    pub undetermined: GroupRowCount,
    /// Changed groups without a verdict.
    pub unreviewed: GroupRowCount,
}

/// Everything that moved between two iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub before_iteration: u32,
    pub after_iteration: u32,
    pub by_group: WeightedDeltas,
    pub by_row: WeightedDeltas,
    pub prompt_tokens: CountDelta,
    pub completion_tokens: CountDelta,
    pub total_tokens: CountDelta,
    /// Cost in US dollars.
    pub cost: Delta,
    pub duration_ms: Delta,
    /// Every category with an F1 in either iteration, in name order.
    pub category_f1: Vec<CategoryF1Delta>,
    /// Groups whose category changed, largest first, then by group id.
    pub changes: Vec<CategoryChange>,
    pub outcomes: OutcomeCounts,
    /// Groups present in only one of the two iterations, which are not compared.
    pub unmatched_groups: u64,
}

/// Compares `after` with `before`, judging category changes against `verdicts`.
pub fn compare_iterations(
    before: &IterationView,
    after: &IterationView,
    verdicts: &[VerdictView],
) -> Comparison {
    let (changes, unmatched_groups) = category_changes(before, after, verdicts);

    let mut outcomes = OutcomeCounts::default();
    for change in &changes {
        let count = match change.outcome {
            Some(ChangeOutcome::Fixed) => &mut outcomes.fixed,
            Some(ChangeOutcome::Broke) => &mut outcomes.broke,
            Some(ChangeOutcome::WrongToWrong) => &mut outcomes.wrong_to_wrong,
            Some(ChangeOutcome::Undetermined) => &mut outcomes.undetermined,
            None => &mut outcomes.unreviewed,
        };
        count.add(change.group_size);
    }

    Comparison {
        before_iteration: before.iteration,
        after_iteration: after.iteration,
        by_group: WeightedDeltas::new(&before.metrics.by_group, &after.metrics.by_group),
        by_row: WeightedDeltas::new(&before.metrics.by_row, &after.metrics.by_row),
        prompt_tokens: CountDelta::new(before.usage.prompt_tokens, after.usage.prompt_tokens),
        completion_tokens: CountDelta::new(
            before.usage.completion_tokens,
            after.usage.completion_tokens,
        ),
        total_tokens: CountDelta::new(before.usage.total_tokens(), after.usage.total_tokens()),
        cost: Delta::new(before.cost, after.cost),
        duration_ms: Delta::new(
            before.duration_ms.map(|d| d as f64),
            after.duration_ms.map(|d| d as f64),
        ),
        category_f1: category_f1_deltas(&before.metrics, &after.metrics),
        changes,
        outcomes,
        unmatched_groups,
    }
}

fn category_changes(
    before: &IterationView,
    after: &IterationView,
    verdicts: &[VerdictView],
) -> (Vec<CategoryChange>, u64) {
    let before_by_id: HashMap<u64, &GroupResult> = before
        .classifications
        .iter()
        .map(|group| (group.group_id, group))
        .collect();
    let verdict_by_id: HashMap<u64, &VerdictView> =
        verdicts.iter().map(|v| (v.group_id, v)).collect();

    let mut changes = Vec::new();
    let mut matched = 0u64;
    for group in &after.classifications {
        let Some(previous) = before_by_id.get(&group.group_id) else {
            continue;
        };
        matched += 1;
        if previous.category == group.category {
            continue;
        }

        let outcome = verdict_by_id
            .get(&group.group_id)
            .map(|verdict| judge_change(&previous.category, &group.category, verdict));
        changes.push(CategoryChange {
            group_id: group.group_id,
            group_size: group.group_size,
            before: previous.category.clone(),
            after: group.category.clone(),
            outcome,
        });
    }

    changes.sort_by(|a, b| {
        b.group_size
            .cmp(&a.group_size)
            .then(a.group_id.cmp(&b.group_id))
    });

    let total = before.classifications.len() as u64 + after.classifications.len() as u64;
    (changes, total - 2 * matched)
}

/// Judges a change from `before` to a different `after` category.
fn judge_change(before: &str, after: &str, verdict: &VerdictView) -> ChangeOutcome {
    if let Some(truth) = verdict.true_category.as_deref() {
        return if before == truth {
            ChangeOutcome::Broke
        } else if after == truth {
            ChangeOutcome::Fixed
        } else {
            ChangeOutcome::WrongToWrong
        };
    }

    // Without a true category only the rejected category is known to be wrong. Two different
    // sides cannot both be the rejected one, so one side stays unknown.
    ChangeOutcome::Undetermined
}

fn category_f1_deltas(before: &Metrics, after: &Metrics) -> Vec<CategoryF1Delta> {
    let f1_of = |metrics: &WeightedMetrics, category: &str| {
        metrics
            .per_category
            .iter()
            .find(|c| c.category == category)
            .and_then(|c| c.f1)
    };

    let categories: BTreeSet<&str> = [before, after]
        .iter()
        .flat_map(|m| m.by_group.per_category.iter())
        .map(|c| c.category.as_str())
        .collect();

    categories
        .into_iter()
        .map(|category| CategoryF1Delta {
            category: category.to_owned(),
            by_group: Delta::new(
                f1_of(&before.by_group, category),
                f1_of(&after.by_group, category),
            ),
            by_row: Delta::new(
                f1_of(&before.by_row, category),
                f1_of(&after.by_row, category),
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn group(group_id: u64, category: &str, group_size: u64) -> GroupResult {
        GroupResult {
            group_id,
            category: category.to_owned(),
            score: 0.9,
            group_size,
        }
    }

    fn verdict(group_id: u64, kind: VerdictKind, corrected: Option<&str>) -> Verdict {
        Verdict {
            job_id: "job-1".to_owned(),
            group_id,
            verdict: kind,
            corrected_category: corrected.map(str::to_owned),
            reviewer: Some("ana".to_owned()),
            iteration_reviewed: 1,
            recorded_at: Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
        }
    }

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-12,
            "expected {expected}, got {actual}"
        );
    }

    /// Groups 1 to 6 in both iterations, 7 only before and 8 only after.
    /// 1: A -> B, truly B (fixed). 2: A -> C, truly A (broke). 3: B -> C, truly A (wrong to
    /// wrong). 4: A unchanged, truly A. 5: B -> A, no verdict. 6: Indeterminado -> A, rejected
    /// without a corrected category.
    fn fixture() -> (IterationView, IterationView, Vec<VerdictView>) {
        let verdicts = vec![
            VerdictView::from_verdict(&verdict(1, VerdictKind::Incorrect, Some("B")), "A"),
            VerdictView::from_verdict(&verdict(2, VerdictKind::Correct, None), "A"),
            VerdictView::from_verdict(&verdict(3, VerdictKind::Incorrect, Some("A")), "B"),
            VerdictView::from_verdict(&verdict(4, VerdictKind::Correct, None), "A"),
            VerdictView::from_verdict(&verdict(6, VerdictKind::Incorrect, None), "Indeterminado"),
        ];

        let before = IterationView::build(
            1,
            vec![
                group(1, "A", 3),
                group(2, "A", 2),
                group(3, "B", 1),
                group(4, "A", 5),
                group(5, "B", 4),
                group(6, "Indeterminado", 1),
                group(7, "A", 1),
            ],
            &verdicts,
            5,
            "Indeterminado",
            TokenUsage {
                prompt_tokens: 1000,
                completion_tokens: 200,
            },
            Some(0.01),
            Some(2000),
        );
        let after = IterationView::build(
            2,
            vec![
                group(1, "B", 3),
                group(2, "C", 2),
                group(3, "C", 1),
                group(4, "A", 5),
                group(5, "A", 4),
                group(6, "A", 1),
                group(8, "Indeterminado", 2),
            ],
            &verdicts,
            5,
            "Indeterminado",
            TokenUsage {
                prompt_tokens: 1500,
                completion_tokens: 150,
            },
            Some(0.015),
            Some(1500),
        );
        (before, after, verdicts)
    }

    #[test]
    fn changes_are_judged_by_verdict() {
        let (before, after, verdicts) = fixture();
        let comparison = compare_iterations(&before, &after, &verdicts);

        let outcome_of = |id: u64| {
            comparison
                .changes
                .iter()
                .find(|c| c.group_id == id)
                .map(|c| c.outcome)
        };
        assert_eq!(outcome_of(1), Some(Some(ChangeOutcome::Fixed)));
        assert_eq!(outcome_of(2), Some(Some(ChangeOutcome::Broke)));
        assert_eq!(outcome_of(3), Some(Some(ChangeOutcome::WrongToWrong)));
        assert_eq!(outcome_of(4), None, "group 4 did not change");
        assert_eq!(outcome_of(5), Some(None), "group 5 has no verdict");
        assert_eq!(outcome_of(6), Some(Some(ChangeOutcome::Undetermined)));

        let ids: Vec<u64> = comparison.changes.iter().map(|c| c.group_id).collect();
        assert_eq!(ids, vec![5, 1, 2, 3, 6], "largest first, then by id");
        let fixed = &comparison.changes[1];
        assert_eq!(fixed.before, "A");
        assert_eq!(fixed.after, "B");
        assert_eq!(fixed.group_size, 3);
    }

    #[test]
    fn outcome_counts_groups_and_rows() {
        let (before, after, verdicts) = fixture();
        let outcomes = compare_iterations(&before, &after, &verdicts).outcomes;

        let count = |groups, rows| GroupRowCount { groups, rows };
        assert_eq!(outcomes.fixed, count(1, 3));
        assert_eq!(outcomes.broke, count(1, 2));
        assert_eq!(outcomes.wrong_to_wrong, count(1, 1));
        assert_eq!(outcomes.undetermined, count(1, 1));
        assert_eq!(outcomes.unreviewed, count(1, 4));
    }

    #[test]
    fn unmatched_groups_are_counted() {
        let (before, after, verdicts) = fixture();
        let comparison = compare_iterations(&before, &after, &verdicts);
        assert_eq!(comparison.unmatched_groups, 2);
        assert!(comparison.changes.iter().all(|c| c.group_id < 7));
    }

    #[test]
    fn metric_deltas_hand_computed() {
        let (before, after, verdicts) = fixture();
        let comparison = compare_iterations(&before, &after, &verdicts);
        let by_group = &comparison.by_group;
        let by_row = &comparison.by_row;

        // Before: 2 of 5 reviewed groups right. After: group 6 moved away from its rejected
        // category and is not judged, so 2 of 4.
        close(by_group.accuracy.before.unwrap(), 0.4);
        close(by_group.accuracy.after.unwrap(), 0.5);
        close(by_group.accuracy.delta.unwrap(), 0.1);
        // Rows: 7 of 12 before, 8 of 11 after.
        close(by_row.accuracy.delta.unwrap(), 8.0 / 11.0 - 7.0 / 12.0);

        // Before: F1 A 2/3, B 0, Indeterminado undefined. After: A 1/2, B 1, C undefined.
        close(by_group.macro_f1.before.unwrap(), 2.0 / 9.0);
        close(by_group.macro_f1.after.unwrap(), 0.5);
        close(by_group.macro_f1.delta.unwrap(), 0.5 - 2.0 / 9.0);
        close(by_group.weighted_f1.before.unwrap(), 0.5);
        close(by_group.weighted_f1.after.unwrap(), 0.625);
        close(by_group.weighted_f1.delta.unwrap(), 0.125);

        close(by_group.fallback_rate.delta.unwrap(), 0.0);
        close(by_row.fallback_rate.before.unwrap(), 1.0 / 17.0);
        close(by_row.fallback_rate.after.unwrap(), 2.0 / 18.0);
        close(by_row.fallback_rate.delta.unwrap(), 2.0 / 18.0 - 1.0 / 17.0);
    }

    #[test]
    fn usage_cost_and_duration_deltas() {
        let (before, after, verdicts) = fixture();
        let comparison = compare_iterations(&before, &after, &verdicts);

        assert_eq!(comparison.prompt_tokens.delta, 500);
        assert_eq!(comparison.completion_tokens.delta, -50);
        assert_eq!(
            comparison.total_tokens,
            CountDelta {
                before: 1200,
                after: 1650,
                delta: 450
            }
        );
        close(comparison.cost.delta.unwrap(), 0.005);
        close(comparison.duration_ms.delta.unwrap(), -500.0);
    }

    #[test]
    fn missing_cost_gives_no_delta() {
        let (mut before, after, verdicts) = fixture();
        before.cost = None;
        let comparison = compare_iterations(&before, &after, &verdicts);
        assert_eq!(comparison.cost.before, None);
        assert_eq!(comparison.cost.delta, None);
        close(comparison.cost.after.unwrap(), 0.015);
    }

    #[test]
    fn category_f1_deltas_by_name() {
        let (before, after, verdicts) = fixture();
        let comparison = compare_iterations(&before, &after, &verdicts);
        let names: Vec<&str> = comparison
            .category_f1
            .iter()
            .map(|c| c.category.as_str())
            .collect();
        assert_eq!(names, vec!["A", "B", "C", "Indeterminado"]);

        let a = &comparison.category_f1[0].by_group;
        close(a.delta.unwrap(), 0.5 - 2.0 / 3.0);
        let b = &comparison.category_f1[1].by_group;
        close(b.before.unwrap(), 0.0);
        close(b.delta.unwrap(), 1.0);
        let c = &comparison.category_f1[2].by_group;
        assert_eq!(c.delta, None, "C is never the true category");
    }

    #[test]
    fn identical_iterations_have_no_changes() {
        let (before, _, verdicts) = fixture();
        let comparison = compare_iterations(&before, &before, &verdicts);
        assert!(comparison.changes.is_empty());
        assert_eq!(comparison.outcomes, OutcomeCounts::default());
        close(comparison.by_group.accuracy.delta.unwrap(), 0.0);
        assert_eq!(comparison.unmatched_groups, 0);
    }

    #[test]
    fn reviewed_groups_judge_other_iterations() {
        let verdicts = vec![
            VerdictView::from_verdict(&verdict(1, VerdictKind::Correct, None), "A"),
            VerdictView::from_verdict(&verdict(2, VerdictKind::Incorrect, None), "A"),
            VerdictView::from_verdict(&verdict(3, VerdictKind::Incorrect, None), "A"),
            VerdictView::from_verdict(&verdict(9, VerdictKind::Correct, None), "A"),
        ];
        let groups = [group(1, "B", 1), group(2, "A", 1), group(3, "B", 1)];

        let reviewed = reviewed_groups(&groups, &verdicts);

        assert_eq!(reviewed.len(), 2, "group 3 left its rejected category");
        assert!(!reviewed[0].correct);
        assert_eq!(reviewed[0].corrected.as_deref(), Some("A"));
        assert_eq!(reviewed[1].group_id, 2);
        assert!(!reviewed[1].correct);
        assert_eq!(reviewed[1].corrected, None);
    }

    #[test]
    fn comparison_serialises_outcomes() {
        let (before, after, verdicts) = fixture();
        let comparison = compare_iterations(&before, &after, &verdicts);
        let json = serde_json::to_string(&comparison).unwrap();

        assert!(json.contains(r#""outcome":"fixed""#), "{json}");
        assert!(json.contains(r#""outcome":"wrong_to_wrong""#));
        let back: Comparison = serde_json::from_str(&json).unwrap();
        assert_eq!(back, comparison);
    }
}
