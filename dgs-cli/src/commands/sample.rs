//! `dgs sample`: draws a stratified sample of a job's classified groups, stores it and
//! writes the review file.

use crate::failure::{CommandResult, Failure};
use crate::runner::job_failure;
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::review::{
    write_review_file, ReviewFileOptions, ReviewLanguage, SampleOptions, SampleSize,
};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct SampleArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// Groups to draw. Default: 100 unless --fraction is given.
    #[arg(long, value_name = "N", conflicts_with = "fraction")]
    size: Option<u64>,

    /// Fraction of all groups to draw, in 0 < F <= 1, rounded up.
    #[arg(long, value_name = "F")]
    fraction: Option<f64>,

    /// Groups drawn from each category (and score band) at least, or all of a smaller one.
    #[arg(long, value_name = "K", default_value_t = 5)]
    min_per_category: u64,

    /// Seed of the generator; the same seed draws the same sample.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,

    /// Upper edges of score bands that split each category, ascending, e.g. `0.5,0.8`.
    #[arg(long, value_name = "EDGES", value_delimiter = ',')]
    score_bands: Vec<f64>,

    /// Iteration to sample. Default: the job's current iteration.
    #[arg(long, value_name = "N")]
    iteration: Option<u32>,

    /// Review file to write; the extension picks the format: .xlsx or .csv.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Language of the review file's headers, drop-down values and instructions: es or en.
    #[arg(long, value_name = "LANG", default_value = "es")]
    lang: String,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &SampleArgs) -> CommandResult {
    let language = review_language(&args.lang)?;
    let size = match (args.size, args.fraction) {
        (_, Some(fraction)) => SampleSize::Fraction(fraction),
        (Some(count), None) => SampleSize::Count(count),
        (None, None) => SampleOptions::default().size,
    };
    let options = SampleOptions {
        size,
        min_per_stratum: args.min_per_category,
        seed: args.seed,
        score_bands: args.score_bands.clone(),
    };

    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);
    let drawn = jobs
        .draw_sample(&args.job_id, args.iteration, &options)
        .await
        .map_err(job_failure)?;

    let file_options = ReviewFileOptions {
        language,
        fallback_category: drawn.fallback.clone(),
        ..ReviewFileOptions::default()
    };
    write_review_file(
        &args.out,
        None,
        &drawn.items,
        &drawn.categories,
        &file_options,
    )
    .map_err(|error| Failure::failed(error.to_string()))?;

    let bands = !options.score_bands.is_empty();
    println!(
        "sample {} of iteration {}: {} groups (requested {}, seed {})",
        drawn.record.sample_id,
        drawn.record.iteration,
        drawn.items.len(),
        drawn.sample.requested,
        drawn.sample.seed
    );
    if bands {
        println!(
            "{:<40} {:>5} {:>10} {:>8}",
            "category", "band", "population", "sampled"
        );
    } else {
        println!("{:<40} {:>10} {:>8}", "category", "population", "sampled");
    }
    for stratum in &drawn.sample.strata {
        if bands {
            println!(
                "{:<40} {:>5} {:>10} {:>8}",
                stratum.key.category, stratum.key.band, stratum.population, stratum.sampled
            );
        } else {
            println!(
                "{:<40} {:>10} {:>8}",
                stratum.key.category, stratum.population, stratum.sampled
            );
        }
    }
    eprintln!(
        "Wrote {} groups to {}. Import the verdicts with: dgs review {} {} --store {}",
        drawn.items.len(),
        args.out.display(),
        args.job_id,
        args.out.display(),
        args.store.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Parses `--lang` for review files.
fn review_language(tag: &str) -> Result<ReviewLanguage, Failure> {
    match tag.to_ascii_lowercase().as_str() {
        "es" => Ok(ReviewLanguage::Spanish),
        "en" => Ok(ReviewLanguage::English),
        _ => Err(Failure::usage(format!(
            "--lang {tag:?} is invalid: expected es or en"
        ))),
    }
}
