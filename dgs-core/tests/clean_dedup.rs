//! End-to-end grouping of Spanish ledger descriptions through `clean` and `dedup`.

use dgs_core::clean::{CleanConfig, CleanError, Cleaner, Preset};
use dgs_core::dedup::{
    clean_and_dedup, DedupError, DedupOptions, DedupStrategy, Deduplicator, KeyBuilder, KeyStorage,
    NO_GROUP,
};
use dgs_core::ingest::Row;
use dgs_core::Value;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

fn rows(descriptions: &[&str]) -> Vec<Row> {
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
            values: vec![Value::Text(text.to_string())],
        })
        .collect()
}

fn same_group(key_refinery: Preset, strategy: DedupStrategy, first: &str, second: &str) -> bool {
    let config = CleanConfig {
        key_refinery: key_refinery.into(),
        ..CleanConfig::for_columns(["Glosa"])
    };
    let cleaner = Cleaner::new(&config).unwrap();
    let (_, dedup) = clean_and_dedup(
        &rows(&[first, second]),
        &cleaner,
        &strategy,
        &DedupOptions::default(),
    )
    .unwrap();
    dedup.group_map.group_of(1) == Some(0)
}

#[test]
fn ledger_merges_variants() {
    let pairs = [
        (
            "PAGO FACT. 00123 PROV. ACME 03/2024",
            "Pago Fact 00456 Prov Acme 04/2024",
        ),
        ("Pago proveedor ACME S.A.", "pago proveedor acme SA"),
        ("Factura N° 123 Peña Ltda.", "Factura Nº 9876 PEÑA LTDA"),
        ("Factura #123", "Factura No. 77"),
        ("Arriendo oficina marzo 2024", "ARRIENDO OFICINA 04/2024"),
        ("Honorarios $ 1.234.567", "Honorarios 2.500,00"),
        ("“Servicio” de aseo – enero", "\"Servicio\" de aseo - enero"),
        ("Compra\u{a0}insumos", "Compra   insumos"),
        ("Cuota 1º crédito", "Cuota 2° crédito"),
        (
            "Depósito cliente RUT 76.123.456-7",
            "Deposito cliente RUT 12345678-K",
        ),
    ];
    for (first, second) in pairs {
        assert!(
            same_group(Preset::Ledger, DedupStrategy::Exact, first, second),
            "{first:?} and {second:?} should share a group"
        );
    }
}

#[test]
fn ledger_keeps_meanings_apart() {
    let pairs = [
        ("Compra de papel", "Venta de papel"),
        ("IVA débito", "IVA crédito"),
        ("Arriendo oficina", "Arriendo bodega"),
        ("Pago año 2024", "Pago ano 2024"),
        ("Nota de crédito 123", "Nota de débito 123"),
        ("Pago proveedor ACME", "Pago cliente ACME"),
    ];
    for (first, second) in pairs {
        for strategy in [DedupStrategy::Exact, DedupStrategy::Fingerprint] {
            let merged = same_group(Preset::Ledger, strategy.clone(), first, second);
            let allowed_fold = strategy == DedupStrategy::Fingerprint && first.contains("año");
            if !allowed_fold {
                assert!(
                    !merged,
                    "{first:?} and {second:?} must stay apart with {strategy:?}"
                );
            }
        }
    }
}

#[test]
fn fingerprint_ignores_word_order() {
    assert!(same_group(
        Preset::Ledger,
        DedupStrategy::Fingerprint,
        "Pago ACME proveedor",
        "proveedor acme pago"
    ));
    assert!(!same_group(
        Preset::Ledger,
        DedupStrategy::Exact,
        "Pago ACME proveedor",
        "proveedor acme pago"
    ));
}

#[test]
fn basic_key_merges_only_spacing_and_quotes() {
    assert!(same_group(
        Preset::Basic,
        DedupStrategy::Exact,
        " “Pago”  ACME ",
        "\"Pago\" ACME"
    ));
    assert!(!same_group(
        Preset::Basic,
        DedupStrategy::Exact,
        "Pago ACME",
        "pago acme"
    ));
    assert!(!same_group(
        Preset::Basic,
        DedupStrategy::Exact,
        "Fact 001",
        "Fact 002"
    ));
}

#[test]
fn llm_input_uses_basic_text() {
    let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
    let (clean_rows, dedup) = clean_and_dedup(
        &rows(&[
            " PAGO FACT. 00123 ",
            "Venta de papel",
            "Pago Fact 00456",
            "Venta  de papel",
        ]),
        &cleaner,
        &DedupStrategy::Exact,
        &DedupOptions::default(),
    )
    .unwrap();

    assert_eq!(clean_rows.len(), 4);
    assert_eq!(clean_rows[2].fields, ["Pago Fact 00456"]);
    let input = dedup.llm_input(cleaner.field_names());
    assert_eq!(input.len(), 2);
    assert_eq!(input[0].id, 0);
    assert_eq!(
        input[0].fields,
        [("cleanGlosa".to_string(), "PAGO FACT. 00123".to_string())]
    );
    assert_eq!(input[0].group_size, 2);
    assert_eq!(input[1].id, 1);
    assert_eq!(input[1].group_size, 2);
    assert_eq!(dedup.group_map.as_slice(), [0, 1, 0, 1]);
}

#[test]
fn push_rows_reports_first_failing_row() {
    let texts = vec!["Pago"; 5000];
    let mut all_rows = rows(&texts);
    let other_table: Arc<[String]> = Arc::from(vec!["Detalle".to_string()]);
    for row in &mut all_rows[1000..] {
        row.columns = Arc::clone(&other_table);
    }
    let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
    let keys = KeyBuilder::new(&DedupStrategy::Exact, cleaner.columns()).unwrap();

    for _ in 0..20 {
        let error = Deduplicator::default()
            .push_rows(&all_rows, &cleaner, &keys)
            .unwrap_err();
        match error {
            DedupError::Clean(CleanError::MissingColumn { row_index, .. }) => {
                assert_eq!(row_index, 1000)
            }
            other => panic!("unexpected error {other:?}"),
        }
    }
}

#[test]
fn push_rows_in_chunks_matches_batch() {
    // 37 suppliers named with letters only, because the ledger key masks digits.
    let supplier = |index: u8| {
        format!(
            "{}{}",
            char::from(b'a' + index % 26),
            char::from(b'a' + index / 26)
        )
    };
    let descriptions: Vec<String> = (0..3000u32)
        .map(|index| format!("Pago fact {index} prov {}", supplier((index % 37) as u8)))
        .collect();
    let texts: Vec<&str> = descriptions.iter().map(String::as_str).collect();
    let all_rows = rows(&texts);
    let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();

    let (_, batch) = clean_and_dedup(
        &all_rows,
        &cleaner,
        &DedupStrategy::Exact,
        &DedupOptions::default(),
    )
    .unwrap();

    let keys = KeyBuilder::new(&DedupStrategy::Exact, cleaner.columns()).unwrap();
    let mut streaming = Deduplicator::default();
    for chunk in all_rows.chunks(700) {
        streaming.push_rows(chunk, &cleaner, &keys).unwrap();
    }
    let streamed = streaming.finish();

    assert_eq!(batch.group_map, streamed.group_map);
    assert_eq!(batch.stats, streamed.stats);
    assert_eq!(batch.stats.groups, 37);
}

/// Short descriptions from a small vocabulary, so random rows collide often.
fn description() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "pago",
        "PAGO",
        "fact.",
        "Fact",
        "00123",
        "456",
        "acme",
        "ACME",
        "S.A.",
        "SA",
        "año",
        "ano",
        "03/2024",
        " ",
        "\u{a0}",
        "–",
        "“IVA”",
        "débito",
        "crédito",
    ]);
    prop::collection::vec(words, 0..5).prop_map(|words| words.join(" "))
}

proptest! {
    #[test]
    fn groups_partition_rows(
        descriptions in prop::collection::vec(description(), 0..120),
        hashed in any::<bool>(),
        fingerprint in any::<bool>(),
    ) {
        let texts: Vec<&str> = descriptions.iter().map(String::as_str).collect();
        let input = rows(&texts);
        let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
        let strategy = if fingerprint { DedupStrategy::Fingerprint } else { DedupStrategy::Exact };
        let key_storage = if hashed { KeyStorage::Hash128 } else { KeyStorage::Exact };
        let options = DedupOptions { key_storage, ..DedupOptions::default() };
        let (clean_rows, dedup) = clean_and_dedup(&input, &cleaner, &strategy, &options).unwrap();
        let map = &dedup.group_map;

        // Every row belongs to exactly one group.
        prop_assert_eq!(map.len(), input.len());
        prop_assert!(map.as_slice().iter().all(|group| *group != NO_GROUP));

        // Group ids are row indexes of the first member, and a representative is its own group.
        let rebuilt = map.groups();
        for (group_id, members) in &rebuilt {
            prop_assert_eq!(members[0], *group_id);
            prop_assert!(map.is_representative(*group_id));
        }

        // Rows share a group exactly when their keys are equal.
        let keys = KeyBuilder::new(&strategy, cleaner.columns()).unwrap();
        let mut first_by_key: BTreeMap<String, u64> = BTreeMap::new();
        for (row, clean) in input.iter().zip(&clean_rows) {
            let mut key = String::new();
            keys.build(row, clean, &mut key).unwrap();
            let first = *first_by_key.entry(key).or_insert(row.row_index);
            prop_assert_eq!(map.group_of(row.row_index), Some(first));
        }

        // The map round-trips: the rebuilt partition has the groups, sizes and members.
        prop_assert_eq!(rebuilt.len(), dedup.groups.len());
        for group in &dedup.groups {
            let members = &rebuilt[&group.group_id];
            prop_assert_eq!(members.len() as u64, group.size);
        }
        let member_count: usize = rebuilt.values().map(Vec::len).sum();
        prop_assert_eq!(member_count, input.len());
        let json = serde_json::to_string(map).unwrap();
        let decoded: dgs_core::dedup::GroupMap = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&decoded, map);

        // Stats agree with the partition.
        prop_assert_eq!(dedup.stats.rows, input.len() as u64);
        prop_assert_eq!(dedup.stats.groups, rebuilt.len() as u64);
        prop_assert_eq!(dedup.stats.duplicates, (input.len() - rebuilt.len()) as u64);
    }
}
