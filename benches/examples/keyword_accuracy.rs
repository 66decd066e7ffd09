//! Prints the accuracy of the offline keyword provider on the real ChileCompra sample: the
//! baseline any LLM configuration has to beat.
//!
//! The train half is the even 0-based data rows and the test half the odd ones, without the
//! row whose `nombre_nivel1` is `x`. Each row is one item, classified through
//! `classify::Engine` with chunks of 50 and the `examples/prompts/chilecompra.es.json`
//! prompt. Every result is scored with `review::compute_metrics` as a reviewed group of one
//! row whose true category is `nombre_nivel1`.
//!
//! `cargo run -p dgs-benches --release --example keyword_accuracy [-- SAMPLE_CSV]`
//!
//! SAMPLE_CSV defaults to `../shared/data/chilecompra/rubros_onu_muestra.csv` next to the
//! repository.

use dgs_benches::sample::{
    load_chilecompra_prompt, load_sample, sample_path_from_args, SampleRow, Split, NOT_A_CATEGORY,
};
use dgs_core::classify::{
    ClassifyOptions, Engine, EnginePrompt, Item, RunResults, FALLBACK_CATEGORY,
};
use dgs_core::llm::KeywordProvider;
use dgs_core::prompt::{CompileOptions, CompiledPrompt};
use dgs_core::review::{compute_metrics, Metrics, MetricsInput, Prediction, ReviewedGroup};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const CHUNK_SIZE: usize = 50;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Figures of one half of the sample.
struct HalfReport {
    split: Split,
    metrics: Metrics,
    run: RunResults,
    elapsed: Duration,
}

async fn run() -> Result<(), String> {
    let sample_path = sample_path_from_args();
    let rows = load_sample(&sample_path).map_err(|error| error.to_string())?;
    let prompt = load_chilecompra_prompt().map_err(|error| error.to_string())?;
    let compiled = prompt
        .compile(&CompileOptions::default())
        .map_err(|error| error.to_string())?;
    let engine = keyword_engine(&compiled)?;

    let mut reports = Vec::new();
    for split in [Split::Test, Split::Train] {
        let half: Vec<&SampleRow> = rows
            .iter()
            .filter(|row| row.split == split && row.level1 != NOT_A_CATEGORY)
            .collect();
        reports.push(measure_half(&engine, split, &half).await?);
    }

    println!(
        "Sample: {} ({} rows), prompt `{}` version {} ({} categories), provider keywords, \
         chunks of {CHUNK_SIZE}\n",
        sample_path.display(),
        rows.len(),
        prompt.id,
        prompt.version,
        prompt.categories.len()
    );
    print_table(&reports);
    Ok(())
}

fn keyword_engine(compiled: &CompiledPrompt) -> Result<Engine, String> {
    let provider = Arc::new(KeywordProvider::from_compiled(compiled));
    let options = ClassifyOptions {
        chunk_size: CHUNK_SIZE,
        ..ClassifyOptions::default()
    };
    Engine::new(provider, EnginePrompt::from(compiled), options, None)
        .map_err(|error| error.to_string())
}

async fn measure_half(
    engine: &Engine,
    split: Split,
    half: &[&SampleRow],
) -> Result<HalfReport, String> {
    let items: Vec<Item> = half
        .iter()
        .map(|row| {
            Item::new(
                row.position as u64,
                "cleanLineDescription",
                &row.description,
            )
        })
        .collect();

    let start = Instant::now();
    let run = engine.classify_all(items, CancellationToken::new()).await;
    let elapsed = start.elapsed();

    if run.results.len() != half.len() {
        return Err(format!(
            "{} half: {} results for {} items",
            split.as_str(),
            run.results.len(),
            half.len()
        ));
    }

    let mut predictions = Vec::with_capacity(half.len());
    let mut reviewed = Vec::with_capacity(half.len());
    for (row, result) in half.iter().zip(&run.results) {
        if result.id != row.position as u64 {
            return Err(format!(
                "result for item {} arrived in the place of row {}",
                result.id, row.position
            ));
        }
        predictions.push(Prediction {
            group_id: result.id,
            category: result.category.clone(),
            group_size: 1,
        });
        let correct = result.category == row.level1;
        reviewed.push(ReviewedGroup {
            group_id: result.id,
            predicted: result.category.clone(),
            correct,
            corrected: (!correct).then(|| row.level1.clone()),
            group_size: 1,
        });
    }

    let metrics = compute_metrics(&MetricsInput {
        predictions: &predictions,
        reviewed: &reviewed,
        sampled_groups: reviewed.len() as u64,
        fallback: FALLBACK_CATEGORY,
    });
    Ok(HalfReport {
        split,
        metrics,
        run,
        elapsed,
    })
}

fn print_table(reports: &[HalfReport]) {
    println!(
        "| Half | Items | Accuracy | 95% interval | Accuracy on items not Indeterminado | Indeterminado rate | Macro F1 (all labels) | Macro F1 (true categories only) | Weighted F1 | Statuses | Requests | Prompt tokens | Completion tokens | Wall time |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    for report in reports {
        let by_group = &report.metrics.by_group;
        let accuracy = by_group.accuracy.unwrap_or(0.0);
        let (low, high) = by_group.accuracy_interval.unwrap_or((0.0, 0.0));
        let answered = report
            .run
            .results
            .iter()
            .filter(|result| result.category != FALLBACK_CATEGORY)
            .count();
        let answered_accuracy = if answered > 0 {
            by_group.correct / answered as f64
        } else {
            0.0
        };
        let true_categories: Vec<f64> = by_group
            .per_category
            .iter()
            .filter(|category| category.support > 0.0)
            .map(|category| category.f1.unwrap_or(0.0))
            .collect();
        let true_macro_f1 = true_categories.iter().sum::<f64>() / true_categories.len() as f64;
        let summary = &report.run.summary;

        println!(
            "| {} | {} | {:.1}% | {:.1}%–{:.1}% | {:.1}% | {:.1}% | {:.3} | {:.3} | {:.3} | ok {}, missing {}, unknown_category {}, failed {} | {} | {} | {} | {:.2} s |",
            report.split.as_str(),
            report.metrics.reviewed_groups,
            accuracy * 100.0,
            low * 100.0,
            high * 100.0,
            answered_accuracy * 100.0,
            by_group.fallback_rate * 100.0,
            by_group.macro_avg.f1,
            true_macro_f1,
            by_group.weighted_avg.f1,
            summary.ok,
            summary.missing,
            summary.unknown_category,
            summary.failed,
            summary.requests,
            summary.usage.prompt_tokens,
            summary.usage.completion_tokens,
            report.elapsed.as_secs_f64(),
        );
    }
}
