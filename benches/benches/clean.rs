//! Cleaning and dedup throughput on generated Spanish ledger descriptions.
//!
//! Run with `cargo bench -p dgs-benches --bench clean`. The descriptions come from a seeded
//! generator in this file, so every run measures the same input: ledger lines that repeat
//! with different case, spacing, punctuation, document numbers, dates and amounts.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use dgs_core::clean::{CleanConfig, Cleaner, Preset, Refinery};
use dgs_core::dedup::{
    clean_and_dedup, DedupOptions, DedupStrategy, Deduplicator, KeyBuilder, KeyStorage,
};
use dgs_core::ingest::Row;
use dgs_core::Value;
use std::hint::black_box;
use std::sync::Arc;

const ROWS: usize = 20_000;
const SEED: u64 = 0x5eed_2024;

const CONCEPTS: [&str; 16] = [
    "PAGO",
    "Pago",
    "pago",
    "Abono",
    "Cargo",
    "Compra de",
    "Venta de",
    "Arriendo",
    "Honorarios",
    "Depósito",
    "Transferencia",
    "Nota de crédito",
    "IVA débito",
    "IVA crédito",
    "Reembolso",
    "Anticipo",
];
const DOCUMENTS: [&str; 8] = [
    "FACT.",
    "Fact",
    "FACT-",
    "Factura N°",
    "Factura Nº",
    "Boleta #",
    "OC",
    "Guía despacho",
];
const ITEMS: [&str; 12] = [
    "papel",
    "oficina",
    "bodega",
    "insumos computacionales",
    "servicio de aseo",
    "combustible",
    "mantención vehículos",
    "útiles de escritorio",
    "asesoría contable",
    "licencias software",
    "arriendo maquinaria",
    "pasajes aéreos",
];
const SUPPLIERS: [&str; 10] = [
    "ACME S.A.",
    "Acme SA",
    "Comercial Peña Ltda.",
    "Constructora Ñuñoa SpA",
    "Servicios Andinos",
    "Distribuidora del Sur",
    "Transportes O’Higgins",
    "Librería Martínez",
    "“El Roble” E.I.R.L.",
    "Importadora Pacífico",
];
const MONTHS: [&str; 6] = ["enero", "febrero", "marzo", "abril", "mayo", "junio"];

/// xorshift64*: small, fast and deterministic for a given seed.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len())]
    }
}

fn description(generator: &mut Generator) -> String {
    let concept = generator.pick(&CONCEPTS);
    let item = generator.pick(&ITEMS);
    let supplier = generator.pick(&SUPPLIERS);
    let document = generator.pick(&DOCUMENTS);
    let number = generator.below(100_000);
    let month = generator.below(12) + 1;
    let day = generator.below(28) + 1;
    let date = match generator.below(4) {
        0 => format!("{month:02}/2024"),
        1 => format!("2024-{month:02}-{day:02}"),
        2 => format!("{day:02}/{month:02}/24"),
        _ => format!("{} 2024", MONTHS[month % MONTHS.len()]),
    };
    let amount = match generator.below(3) {
        0 => format!(
            "$ {}.{:03}",
            generator.below(999) + 1,
            generator.below(1000)
        ),
        1 => format!(
            "{}.{:03},{:02}",
            generator.below(99) + 1,
            generator.below(1000),
            generator.below(100)
        ),
        _ => String::new(),
    };
    let spacing = if generator.below(10) == 0 {
        "\u{a0} "
    } else {
        " "
    };
    format!("{concept} {item}{spacing}{document}{number:05} {supplier} {date} {amount}")
}

fn descriptions() -> Vec<String> {
    let mut generator = Generator(SEED);
    (0..ROWS).map(|_| description(&mut generator)).collect()
}

fn rows(descriptions: &[String]) -> Vec<Row> {
    let columns: Arc<[String]> = Arc::from(vec!["Glosa".to_string()]);
    let file: Arc<str> = Arc::from("mayor.csv");
    descriptions
        .iter()
        .enumerate()
        .map(|(row_index, text)| Row {
            row_index: row_index as u64,
            file: Arc::clone(&file),
            sheet: None,
            line: row_index as u64 + 2,
            columns: Arc::clone(&columns),
            values: vec![Value::Text(text.clone())],
        })
        .collect()
}

fn refineries(c: &mut Criterion) {
    let texts = descriptions();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("refinery");
    group.throughput(Throughput::Bytes(bytes as u64));

    for preset in Preset::ALL {
        let refinery = Refinery::from_preset(preset, &[]);
        group.bench_function(preset.name(), |b| {
            let mut out = String::new();
            b.iter(|| {
                for text in &texts {
                    refinery.apply(text, &mut out);
                    black_box(&out);
                }
            })
        });
    }
    group.finish();
}

fn cleaning(c: &mut Criterion) {
    let input = rows(&descriptions());
    let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
    let mut group = c.benchmark_group("clean_rows");
    group.throughput(Throughput::Elements(input.len() as u64));
    group.bench_function("basic_and_ledger_key", |b| {
        b.iter(|| black_box(cleaner.clean_rows(&input).unwrap()))
    });
    group.finish();
}

fn grouping(c: &mut Criterion) {
    let input = rows(&descriptions());
    let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
    let clean_rows = cleaner.clean_rows(&input).unwrap();
    let keys: Vec<String> = clean_rows.iter().map(|row| row.keys[0].clone()).collect();

    let mut group = c.benchmark_group("dedup_push");
    group.throughput(Throughput::Elements(keys.len() as u64));
    for (name, key_storage) in [
        ("exact", KeyStorage::Exact),
        ("hash128", KeyStorage::Hash128),
    ] {
        let options = DedupOptions {
            key_storage,
            ..DedupOptions::default()
        };
        group.bench_function(name, |b| {
            b.iter_batched(
                || Deduplicator::new(options.clone()),
                |mut deduplicator| {
                    for (clean, key) in clean_rows.iter().zip(&keys) {
                        deduplicator.push_row(clean, key).unwrap();
                    }
                    black_box(deduplicator.finish())
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();

    let mut group = c.benchmark_group("clean_and_dedup");
    group.throughput(Throughput::Elements(input.len() as u64));
    for (name, strategy) in [
        ("exact", DedupStrategy::Exact),
        ("fingerprint", DedupStrategy::Fingerprint),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    clean_and_dedup(&input, &cleaner, &strategy, &DedupOptions::default()).unwrap(),
                )
            })
        });
    }
    let keys_builder = KeyBuilder::new(&DedupStrategy::Exact, cleaner.columns()).unwrap();
    group.bench_function("streaming_chunks_of_4096", |b| {
        b.iter(|| {
            let mut deduplicator = Deduplicator::default();
            for chunk in input.chunks(4096) {
                black_box(
                    deduplicator
                        .push_rows(chunk, &cleaner, &keys_builder)
                        .unwrap(),
                );
            }
            black_box(deduplicator.finish())
        })
    });
    group.finish();
}

criterion_group!(benches, refineries, cleaning, grouping);
criterion_main!(benches);
