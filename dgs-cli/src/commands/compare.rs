//! `dgs compare`: compares two iterations of a job, judging category changes against the
//! job's verdicts.

use crate::failure::CommandResult;
use crate::runner::job_failure;
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::review::{compare_iterations, Comparison, Delta};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct CompareArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// Iteration before the change.
    before: u32,

    /// Iteration after the change.
    after: u32,

    /// Print the comparison as one JSON object.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &CompareArgs) -> CommandResult {
    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);
    let before = jobs
        .iteration_view(&args.job_id, args.before)
        .await
        .map_err(job_failure)?;
    let after = jobs
        .iteration_view(&args.job_id, args.after)
        .await
        .map_err(job_failure)?;
    let verdicts = jobs
        .verdict_views(&args.job_id)
        .await
        .map_err(job_failure)?;
    let comparison = compare_iterations(&before, &after, &verdicts);

    if args.json {
        let json = serde_json::to_string(&comparison).expect("comparisons serialise to JSON");
        println!("{json}");
    } else {
        print_comparison(&comparison);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_comparison(comparison: &Comparison) {
    println!(
        "iteration {} -> {}",
        comparison.before_iteration, comparison.after_iteration
    );
    println!("{:<24} {:>9} {:>9} {:>9}", "", "before", "after", "delta");
    print_delta("accuracy (groups)", &comparison.by_group.accuracy);
    print_delta("accuracy (rows)", &comparison.by_row.accuracy);
    print_delta("fallback rate (groups)", &comparison.by_group.fallback_rate);
    print_delta("fallback rate (rows)", &comparison.by_row.fallback_rate);
    println!(
        "{:<24} {:>9} {:>9} {:>+9}",
        "tokens",
        comparison.total_tokens.before,
        comparison.total_tokens.after,
        comparison.total_tokens.delta
    );

    let outcomes = &comparison.outcomes;
    println!();
    println!(
        "changed groups: {}; fixed {}, broke {}, wrong_to_wrong {}, undetermined {}, unreviewed {}",
        comparison.changes.len(),
        outcomes.fixed.groups,
        outcomes.broke.groups,
        outcomes.wrong_to_wrong.groups,
        outcomes.undetermined.groups,
        outcomes.unreviewed.groups
    );
    for change in &comparison.changes {
        let outcome = change
            .outcome
            .map_or("unreviewed", |outcome| outcome.as_str());
        println!(
            "group {} ({} rows): {} -> {} [{}]",
            change.group_id, change.group_size, change.before, change.after, outcome
        );
    }
}

fn print_delta(label: &str, delta: &Delta) {
    let show = |value: Option<f64>| value.map_or("-".to_owned(), |v| format!("{:.1}%", v * 100.0));
    let change = delta
        .delta
        .map_or("-".to_owned(), |v| format!("{:+.1}", v * 100.0));
    println!(
        "{:<24} {:>9} {:>9} {:>9}",
        label,
        show(delta.before),
        show(delta.after),
        change
    );
}
