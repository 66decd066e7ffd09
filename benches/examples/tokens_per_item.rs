//! Prints the tokens per item of dgs's request and answer format next to those of the
//! JSON format of the service dgs replaces, counted with tiktoken's o200k encoding (gpt-4o
//! family) on the unique descriptions of the real ChileCompra sample, in chunks of 50.
//!
//! `cargo run -p dgs-benches --release --example tokens_per_item [-- SAMPLE_CSV]`
//!
//! SAMPLE_CSV defaults to `../shared/data/chilecompra/rubros_onu_muestra.csv` next to the
//! repository.

use dgs_benches::sample::{load_chilecompra_prompt, load_sample, sample_path_from_args};
use dgs_benches::token_formats::{
    count_dgs, count_reference, reference_instructions, typical_score, FormatCounts,
    ItemArrayStyle, MeasuredItem, REASON,
};
use dgs_core::llm::{PriceTable, Tokenizer, PRICES_AS_OF};
use dgs_core::prompt::CompiledPrompt;
use dgs_core::prompt::{CompileOptions, FALLBACK_CATEGORY_ID};
use std::collections::HashSet;
use std::process::ExitCode;

const CHUNK_SIZE: usize = 50;
/// Chunk sizes of the table that shows how the instructions' share shrinks per item.
const CHUNK_SIZES: [usize; 4] = [25, 50, 100, 200];
const PRICED_MODEL: &str = "gpt-4o-mini";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let sample_path = sample_path_from_args();
    let rows = load_sample(&sample_path).map_err(|error| error.to_string())?;
    let prompt = load_chilecompra_prompt().map_err(|error| error.to_string())?;
    let compile = |with_reason| {
        let options = CompileOptions {
            with_reason,
            ..CompileOptions::default()
        };
        prompt.compile(&options).map_err(|error| error.to_string())
    };
    let with_reasons = compile(true)?;
    let without_reasons = compile(false)?;

    // One item per distinct description, in sample order; a description that appears under
    // two categories keeps the category of its first row.
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for row in &rows {
        if !seen.insert(row.description.clone()) {
            continue;
        }
        let category_number = with_reasons
            .category_number(&row.level1)
            .unwrap_or(FALLBACK_CATEGORY_ID);
        let category_name = with_reasons
            .category_name(category_number)
            .expect("a number from category_number or the fallback has a name")
            .to_owned();
        items.push(MeasuredItem {
            row_index: items.len(),
            description: row.description.clone(),
            category_number,
            category_name,
            score: typical_score(items.len()),
        });
    }

    let instructions = reference_instructions(&with_reasons)
        .ok_or("the chilecompra template no longer ends with {output_format}")?;
    let compiled = Prompts {
        without_reasons: &without_reasons,
        with_reasons: &with_reasons,
        reference: &instructions,
    };
    let formats = compiled.count(&items, CHUNK_SIZE);

    println!(
        "Sample: {} ({} rows, {} unique descriptions), prompt `{}` ({} categories)",
        sample_path.display(),
        rows.len(),
        items.len(),
        prompt.id,
        prompt.categories.len()
    );
    println!(
        "Tokenizer: {:?} ({PRICED_MODEL}); chunks of {CHUNK_SIZE} items; reason in \
         every expected answer with reasons: \"{REASON}\"; prices as of {PRICES_AS_OF}\n",
        Tokenizer::for_model(PRICED_MODEL)
    );
    print_counts(&formats);
    println!();
    print_ratios(&formats[..2], &formats[2]);
    println!();
    print_ratios(&formats[..2], &formats[3]);
    println!();
    print_chunk_sizes(&compiled, &items);
    Ok(())
}

/// The three prompts measured: dgs's without and with reasons, and the reference
/// instructions.
struct Prompts<'a> {
    without_reasons: &'a CompiledPrompt,
    with_reasons: &'a CompiledPrompt,
    reference: &'a str,
}

impl Prompts<'_> {
    /// Counts dgs without and with reasons, the reference with a compact item array, and the
    /// reference with Python's default JSON output.
    fn count(&self, items: &[MeasuredItem], chunk_size: usize) -> [FormatCounts; 4] {
        let tokenizer = Tokenizer::for_model(PRICED_MODEL);
        [
            count_dgs(
                "dgs, without reasons",
                self.without_reasons,
                items,
                chunk_size,
                tokenizer,
            ),
            count_dgs(
                "dgs, with reasons",
                self.with_reasons,
                items,
                chunk_size,
                tokenizer,
            ),
            count_reference(
                "reference, compact item JSON",
                self.reference,
                items,
                chunk_size,
                ItemArrayStyle::Compact,
                tokenizer,
            ),
            count_reference(
                "reference, item JSON as Python json.dumps defaults",
                self.reference,
                items,
                chunk_size,
                ItemArrayStyle::PythonDefaults,
                tokenizer,
            ),
        ]
    }
}

fn print_chunk_sizes(prompts: &Prompts<'_>, items: &[MeasuredItem]) {
    println!(
        "| Chunk size | dgs without reasons, total tokens per item | dgs with reasons | reference, compact | dgs without reasons / reference | dgs with reasons / reference |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for chunk_size in CHUNK_SIZES {
        let formats = prompts.count(items, chunk_size);
        let reference = formats[2].total_per_item();
        println!(
            "| {chunk_size} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} |",
            formats[0].total_per_item(),
            formats[1].total_per_item(),
            reference,
            formats[0].total_per_item() / reference,
            formats[1].total_per_item() / reference,
        );
    }
}

fn print_counts(formats: &[FormatCounts]) {
    let prices = PriceTable::builtin();
    println!(
        "| Format | Chunks | Instruction tokens per chunk | Prompt tokens per item, without instructions | Prompt tokens per item, with instructions | Completion tokens per item | Total tokens per item, without instructions | Total tokens per item | {PRICED_MODEL} USD per 10,000 items |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for format in formats {
        let cost = prices
            .cost(PRICED_MODEL, format.usage())
            .map_or("n/a".to_owned(), |usd| {
                format!("{:.3}", usd * 10_000.0 / format.items as f64)
            });
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {cost} |",
            format.label,
            format.chunks,
            format.system_tokens,
            format.item_prompt_per_item(),
            format.prompt_per_item(),
            format.completion_per_item(),
            format.format_per_item(),
            format.total_per_item(),
        );
    }
}

fn print_ratios(ours: &[FormatCounts], reference: &FormatCounts) {
    let prices = PriceTable::builtin();
    let cost = |format: &FormatCounts| prices.cost(PRICED_MODEL, format.usage());
    println!(
        "| Ratio to {} | Prompt, without instructions | Prompt, with instructions | Completion | Total, without instructions | Total | {PRICED_MODEL} cost |",
        reference.label
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for format in ours {
        let cost_ratio = match (cost(format), cost(reference)) {
            (Some(ours), Some(theirs)) if theirs > 0.0 => format!("{:.2}", ours / theirs),
            _ => "n/a".to_owned(),
        };
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {cost_ratio} |",
            format.label,
            format.item_prompt_per_item() / reference.item_prompt_per_item(),
            format.prompt_per_item() / reference.prompt_per_item(),
            format.completion_per_item() / reference.completion_per_item(),
            format.format_per_item() / reference.format_per_item(),
            format.total_per_item() / reference.total_per_item(),
        );
    }
}
