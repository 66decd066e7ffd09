//! The cost estimate of `dgs classify --dry-run`: reads, cleans and groups the input as a job
//! would, then counts the tokens of the requests without sending any.

use crate::failure::Failure;
use dgs_core::clean::{Cleaner, ColumnResolver};
use dgs_core::dedup::{Deduplicator, KeyBuilder};
use dgs_core::ingest::{read_path, IngestEvent, Row};
use dgs_core::job::JobOptions;
use dgs_core::llm::{estimate, CostEstimate, PriceTable};
use dgs_core::prompt::Prompt;
use dgs_core::wire::WireItem;
use std::ops::ControlFlow;
use std::path::Path;

/// Rows cleaned and grouped per batch.
const BATCH_ROWS: usize = 4096;

/// Estimates the tokens and cost of classifying `input` with `prompt` and `options` on
/// `model`.
///
/// NOTE: the read, clean and group loop repeats the job's prepare stage, which dgs-core does
/// not export; a change there must be mirrored here or the estimate counts other items.
pub(crate) fn estimate_job(
    input: &Path,
    prompt: &Prompt,
    options: &JobOptions,
    model: &str,
) -> Result<CostEstimate, Failure> {
    let cleaner =
        Cleaner::new(&options.clean).map_err(|error| Failure::usage(error.to_string()))?;
    let keys = KeyBuilder::new(&options.dedup, cleaner.columns())
        .map_err(|error| Failure::usage(error.to_string()))?;
    let mut deduplicator = Deduplicator::new(options.dedup_options.clone());
    let mut aliases = ColumnResolver::new(&options.column_aliases);

    let mut batch: Vec<Row> = Vec::with_capacity(BATCH_ROWS);
    let mut failure: Option<Failure> = None;
    let push = |batch: &mut Vec<Row>, deduplicator: &mut Deduplicator| {
        let result = deduplicator.push_rows(batch, &cleaner, &keys);
        batch.clear();
        result
            .map(|_| ())
            .map_err(|error| Failure::failed(error.to_string()))
    };
    let summary = read_path(input, &options.ingest, |event| {
        if let IngestEvent::Row(mut row) = event {
            row.columns = aliases.columns_for(&row);
            batch.push(row);
            if batch.len() == BATCH_ROWS {
                if let Err(error) = push(&mut batch, &mut deduplicator) {
                    failure = Some(error);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    })
    .map_err(|error| Failure::usage(error.to_string()))?;
    if let Some(error) = failure {
        return Err(error);
    }
    push(&mut batch, &mut deduplicator)?;
    for report in &summary.files {
        if let Some(error) = &report.error {
            eprintln!("error: {error}");
        }
    }

    let dedup = deduplicator.finish();
    let field_names = cleaner.field_names().to_vec();
    let items: Vec<WireItem> = dedup
        .llm_input(&field_names)
        .into_iter()
        .enumerate()
        .map(|(position, input)| WireItem {
            id: position as u32 + 1,
            values: input.fields.into_iter().map(|(_, value)| value).collect(),
        })
        .collect();
    let compiled = prompt
        .compile(&options.compile.to_compile_options(&field_names))
        .map_err(|error| {
            Failure::usage(format!("prompt {} does not compile: {error}", prompt.id))
        })?;

    Ok(estimate(
        &compiled,
        &field_names,
        &items,
        options.classify.chunk_size,
        model,
        &PriceTable::builtin(),
    ))
}

/// Prints an estimate on stdout.
pub(crate) fn print_estimate(estimate: &CostEstimate) {
    println!("model: {}", estimate.model);
    println!("items: {}", estimate.items);
    println!(
        "chunks: {} of up to {} items",
        estimate.chunks, estimate.chunk_size
    );
    println!("prompt tokens: {}", estimate.prompt_tokens);
    println!("completion tokens: {}", estimate.completion_tokens);
    match estimate.cost_usd {
        Some(cost) => println!("cost: ${cost:.4} (estimate, retries not included)"),
        None => println!("cost: unknown, no price for model {}", estimate.model),
    }
}
