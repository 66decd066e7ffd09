//! `dgs metrics`: computes, stores and prints the quality metrics of one iteration from the
//! job's verdicts.

use crate::failure::CommandResult;
use crate::runner::job_failure;
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::review::{IterationView, WeightedMetrics};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct MetricsArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// Iteration to measure. Default: the job's current iteration.
    #[arg(long, value_name = "N")]
    iteration: Option<u32>,

    /// Print the metrics, tokens, cost and duration as one JSON object.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &MetricsArgs) -> CommandResult {
    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);
    let view = jobs
        .iteration_metrics(&args.job_id, args.iteration)
        .await
        .map_err(job_failure)?;

    if args.json {
        let json = serde_json::json!({
            "job_id": args.job_id,
            "iteration": view.iteration,
            "metrics": view.metrics,
            "usage": view.usage,
            "total_tokens": view.usage.total_tokens(),
            "cost": view.cost,
            "duration_ms": view.duration_ms,
        });
        println!("{json}");
    } else {
        print_table(&args.job_id, &view);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(job_id: &str, view: &IterationView) {
    let metrics = &view.metrics;
    println!("job {job_id}, iteration {}", view.iteration);
    println!(
        "reviewed: {} of {} groups, {} of {} rows; coverage of the sample: {}",
        metrics.reviewed_groups,
        metrics.groups,
        metrics.reviewed_rows,
        metrics.rows,
        percent(metrics.coverage)
    );
    println!(
        "tokens: {} ({} prompt, {} completion); cost: {}; duration: {}",
        view.usage.total_tokens(),
        view.usage.prompt_tokens,
        view.usage.completion_tokens,
        view.cost
            .map_or("-".to_owned(), |cost| format!("{cost:.4}")),
        view.duration_ms
            .map_or("-".to_owned(), |ms| format!("{:.1} s", ms as f64 / 1000.0))
    );
    println!();
    println!(
        "{:<8} {:>9} {:>17} {:>9} {:>12} {:>14}",
        "by", "accuracy", "wilson 95%", "macro F1", "weighted F1", "fallback rate"
    );
    print_summary("groups", &metrics.by_group);
    print_summary("rows", &metrics.by_row);

    println!();
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9}",
        "category (by group)", "precision", "recall", "F1", "support"
    );
    for category in &metrics.by_group.per_category {
        println!(
            "{:<40} {:>9} {:>9} {:>9} {:>9}",
            category.category,
            percent(category.precision),
            percent(category.recall),
            percent(category.f1),
            category.support
        );
    }
}

fn print_summary(label: &str, metrics: &WeightedMetrics) {
    let interval = metrics
        .accuracy_interval
        .map_or("-".to_owned(), |(low, high)| {
            format!("{:.1}%-{:.1}%", low * 100.0, high * 100.0)
        });
    println!(
        "{:<8} {:>9} {:>17} {:>9} {:>12} {:>14}",
        label,
        percent(metrics.accuracy),
        interval,
        percent(Some(metrics.macro_avg.f1)),
        percent(Some(metrics.weighted_avg.f1)),
        percent(Some(metrics.fallback_rate))
    );
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |value| format!("{:.1}%", value * 100.0))
}
