//! Property tests: arbitrary bytes and arbitrary small archives never make the driver panic,
//! and whatever it reads stays consistent (sequential row indexes, reports counting rows).

mod common;

use common::{build_zip, read_default, Entry};
use proptest::prelude::*;

fn entry_name() -> impl Strategy<Value = Vec<u8>> {
    let stem = proptest::collection::vec(any::<u8>(), 0..12);
    let extension = prop_oneof![
        Just(".csv"),
        Just(".txt"),
        Just(".tsv"),
        Just(".json"),
        Just(".jsonl"),
        Just(".ndjson"),
        Just(".xlsx"),
        Just(".zip"),
        Just(".xls"),
        Just(""),
    ];
    (stem, extension).prop_map(|(mut stem, extension)| {
        // Names ending in a slash or backslash are directories.
        stem.retain(|&byte| byte != 0 && byte != b'/' && byte != b'\\');
        stem.extend_from_slice(extension.as_bytes());
        if stem.is_empty() {
            stem.push(b'x');
        }
        stem
    })
}

fn csv_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"sep=;".to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(vec![0xFF, 0xFE]),
        Just("ñ".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..6),
    ];
    proptest::collection::vec(pieces, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_as_csv(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let read = read_default("fuzz.csv", &data);
        prop_assert_eq!(read.summary.files.len(), 1);
    }

    #[test]
    fn csv_shaped_bytes(data in csv_like_bytes()) {
        let read = read_default("fuzz.csv", &data);
        let report = &read.summary.files[0];
        prop_assert!(report.error.is_none(), "decoded text always parses: {:?}", report.error);
    }

    #[test]
    fn arbitrary_bytes_as_zip(data in proptest::collection::vec(any::<u8>(), 0..1024)) {
        read_default("fuzz.zip", &data);
    }

    #[test]
    fn arbitrary_small_zips(
        entries in proptest::collection::vec(
            (entry_name(), proptest::collection::vec(any::<u8>(), 0..512), any::<bool>()),
            0..6,
        )
    ) {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<_> = entries
            .into_iter()
            .filter(|(name, _, _)| seen.insert(name.clone()))
            .collect();
        let zip_entries: Vec<Entry<'_>> = entries
            .iter()
            .map(|(name, data, stored)| {
                if *stored {
                    Entry::Stored(name, data)
                } else {
                    Entry::File(name, data)
                }
            })
            .collect();
        let zip = build_zip(&zip_entries);
        let read = read_default("fuzz.zip", &zip);
        let accounted = read.summary.files.len() + read.summary.skipped.len();
        prop_assert!(accounted >= entries.len(), "every entry gets a report or a skip reason");
    }
}
