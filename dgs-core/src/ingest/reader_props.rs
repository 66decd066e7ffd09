//! Property tests: the XLSX, JSON and JSONL readers return errors, never panic, on any input,
//! and every JSON object becomes exactly one record.

use super::collect::CollectingSink;
use super::json::{read_json, read_jsonl};
use super::xlsx::read_xlsx;
use super::IngestOptions;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value as Json;
use std::io::{Cursor, Read, Write};

fn json_leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (-1e15f64..1e15).prop_map(Json::from),
        ".{0,8}".prop_map(Json::String),
    ]
}

fn json_value() -> impl Strategy<Value = Json> {
    json_leaf().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Json::Array),
            btree_map(".{0,6}", inner, 0..4)
                .prop_map(|map| Json::Object(map.into_iter().collect())),
        ]
    })
}

/// Builds a small workbook whose entries are stored uncompressed, so byte mutations reach
/// the XML.
fn stored_workbook() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Cuenta").unwrap();
    sheet.write_string(0, 1, "Importe").unwrap();
    for row in 1..6 {
        sheet.write_string(row, 0, "Caja").unwrap();
        sheet.write_number(row, 1, f64::from(row) * 1.5).unwrap();
    }
    sheet
        .merge_range(6, 0, 7, 1, "total", &rust_xlsxwriter::Format::new())
        .unwrap();
    let data = workbook.save_to_buffer().unwrap();

    let mut archive = zip::ZipArchive::new(Cursor::new(data)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).unwrap();
        writer.start_file(name, options).unwrap();
        writer.write_all(&contents).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn count_objects(values: &[Json]) -> usize {
    values.iter().filter(|value| value.is_object()).count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn xlsx_arbitrary_bytes_only_error(bytes in vec(any::<u8>(), 0..2048)) {
        let mut sink = CollectingSink::default();
        let result = read_xlsx("a.xlsx", bytes, &IngestOptions::default(), &mut sink);
        prop_assert!(result.is_err());
    }

    #[test]
    fn xlsx_mutated_workbook_no_panic(edits in vec((any::<Index>(), any::<u8>()), 1..6)) {
        let mut data = stored_workbook();
        for (index, byte) in edits {
            let position = index.index(data.len());
            data[position] = byte;
        }
        let mut sink = CollectingSink::default();
        let _ = read_xlsx("a.xlsx", data, &IngestOptions::default(), &mut sink);
    }

    #[test]
    fn json_arbitrary_bytes_no_panic(bytes in vec(any::<u8>(), 0..512)) {
        let mut sink = CollectingSink::default();
        let _ = read_json("a.json", &mut &bytes[..], &IngestOptions::default(), &mut sink);
    }

    #[test]
    fn jsonl_arbitrary_bytes_no_panic(bytes in vec(any::<u8>(), 0..512)) {
        let mut sink = CollectingSink::default();
        let _ = read_jsonl("a.jsonl", &mut &bytes[..], &IngestOptions::default(), &mut sink);
    }

    #[test]
    fn json_one_record_per_object(values in vec(json_value(), 0..12), pretty in any::<bool>()) {
        let array = Json::Array(values.clone());
        let text = if pretty { serde_json::to_string_pretty(&array) } else { serde_json::to_string(&array) }.unwrap();
        let mut sink = CollectingSink::default();
        let result = read_json("a.json", &mut text.as_bytes(), &IngestOptions::default(), &mut sink);

        let objects = count_objects(&values);
        if objects == 0 && !values.is_empty() {
            prop_assert!(result.is_err());
        } else {
            prop_assert!(result.is_ok(), "{:?}", result);
            let table = sink.single();
            prop_assert_eq!(table.records.len(), objects);
            let lines: Vec<u64> = table.records.iter().map(|(line, _)| *line).collect();
            prop_assert!(lines.windows(2).all(|pair| pair[0] <= pair[1]), "{:?}", lines);
        }
    }

    #[test]
    fn jsonl_one_record_per_object(values in vec(json_value(), 0..12)) {
        let text: String = values.iter().map(|value| format!("{value}\n")).collect();
        let mut sink = CollectingSink::default();
        let result = read_jsonl("a.jsonl", &mut text.as_bytes(), &IngestOptions::default(), &mut sink);

        let objects = count_objects(&values);
        if objects == 0 && !values.is_empty() {
            prop_assert!(result.is_err());
        } else {
            prop_assert!(result.is_ok(), "{:?}", result);
            prop_assert_eq!(sink.single().records.len(), objects);
        }
    }
}

#[test]
fn stored_workbook_reads_unmutated() {
    let mut sink = CollectingSink::default();
    read_xlsx(
        "a.xlsx",
        stored_workbook(),
        &IngestOptions::default(),
        &mut sink,
    )
    .unwrap();
    let table = sink.single();

    assert_eq!(table.info.columns, ["Cuenta", "Importe"]);
    assert_eq!(table.records.len(), 6);
    assert_eq!(
        table.records[5].1,
        [
            crate::Value::Text("total".into()),
            crate::Value::Text("total".into())
        ]
    );
}
