//! The human review loop: stratified samples of classified groups, verdicts, and quality
//! metrics per iteration.
//!
//! Everything here works on groups (a representative row and the rows that share its dedup
//! key), so one verdict covers every row of a group. Metrics are given both per group and
//! weighted by group size, which is the per-row view.

mod compare;
mod metrics;
mod report;
mod review_columns;
mod review_error;
mod review_file;
mod review_instructions;
mod rng;
mod sampling;
mod verdict_import;
mod verdict_values;
mod wilson;

pub use compare::{
    compare_iterations, reviewed_groups, CategoryChange, CategoryF1Delta, ChangeOutcome,
    Comparison, CountDelta, Delta, GroupResult, GroupRowCount, IterationView, OutcomeCounts,
    VerdictView, WeightedDeltas,
};
pub use metrics::{
    compute_metrics, Averages, CategoryMetrics, ConfusionMatrix, Metrics, MetricsInput, Prediction,
    ReviewedGroup, WeightedMetrics,
};
pub use report::{render_report, Lang, ReportInput, DEFAULT_TOP_CATEGORIES};
pub use review_columns::ReviewLanguage;
pub use review_error::ReviewFileError;
pub use review_file::{write_review_file, ReviewFileOptions, ReviewFormat, ReviewItem};
pub use sampling::{
    stratified_sample, Sample, SampleCandidate, SampleError, SampleOptions, SampleSize, StratumKey,
    StratumReport,
};
pub use verdict_import::{
    match_category, read_verdicts, ImportProblem, ImportedVerdict, VerdictImport,
};
pub use verdict_values::{CORRECT_VALUES, INCORRECT_VALUES};
pub use wilson::wilson_interval;
