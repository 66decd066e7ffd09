//! Prints how many groups each key preset and strategy makes on one column of a CSV file.
//!
//! Usage: `cargo run -p dgs-core --release --example dedup_presets -- FILE.csv COLUMN`
//!
//! With a third argument naming a preset, it also prints up to 30 rows that preset's key put
//! in a group whose representative has a different `basic` text, to check what merged.
//!
//! The file must be UTF-8 (a BOM is skipped); the separator is `;` when the header line has
//! one, else `,`.

use dgs_core::clean::{CleanConfig, Cleaner, Preset};
use dgs_core::dedup::{clean_and_dedup, DedupOptions, DedupStrategy};
use dgs_core::ingest::Row;
use dgs_core::Value;
use std::error::Error;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(column)) = (args.next(), args.next()) else {
        return Err("usage: dedup_presets FILE.csv COLUMN [PRESET]".into());
    };
    let shown_preset: Option<Preset> = args.next().map(|name| name.parse()).transpose()?;

    let rows = read_rows(&path)?;
    println!("{path}: {} rows, column {column:?}", rows.len());
    println!(
        "{:<12} {:<12} {:>8} {:>8} {:>7}",
        "key", "strategy", "groups", "dupes", "ratio"
    );

    for preset in Preset::ALL {
        for strategy in [DedupStrategy::Exact, DedupStrategy::Fingerprint] {
            let config = CleanConfig {
                key_refinery: preset.into(),
                ..CleanConfig::for_columns([column.clone()])
            };
            let cleaner = Cleaner::new(&config)?;
            let (clean_rows, dedup) =
                clean_and_dedup(&rows, &cleaner, &strategy, &DedupOptions::default())?;
            let strategy_name = match strategy {
                DedupStrategy::Exact => "exact",
                DedupStrategy::Fingerprint => "fingerprint",
                DedupStrategy::Columns { .. } => "columns",
            };
            println!(
                "{:<12} {:<12} {:>8} {:>8} {:>6.1}%",
                preset.name(),
                strategy_name,
                dedup.stats.groups,
                dedup.stats.duplicates,
                dedup.stats.ratio * 100.0
            );

            if shown_preset == Some(preset) && strategy == DedupStrategy::Exact {
                let merged = clean_rows.iter().filter_map(|clean| {
                    let group_id = dedup.group_map.group_of(clean.row_index)?;
                    let representative = &clean_rows[group_id as usize];
                    (representative.fields != clean.fields).then(|| {
                        format!("  {:?} -> {:?}", clean.fields[0], representative.fields[0])
                    })
                });
                for line in merged.take(30) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(())
}

fn read_rows(path: &str) -> Result<Vec<Row>, Box<dyn Error>> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8(bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = if header_line.contains(';') {
        b';'
    } else {
        b','
    };

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let columns: Arc<[String]> = reader
        .headers()?
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into();
    let file: Arc<str> = Arc::from(path);

    let mut rows = Vec::new();
    for (row_index, record) in reader.records().enumerate() {
        let record = record?;
        rows.push(Row {
            row_index: row_index as u64,
            file: Arc::clone(&file),
            sheet: None,
            line: record.position().map_or(0, |position| position.line()),
            columns: Arc::clone(&columns),
            values: record
                .iter()
                .map(|field| Value::Text(field.to_string()))
                .collect(),
        });
    }
    Ok(rows)
}
