//! ZIP archives through the ingest driver: order, junk, names, nesting, encryption, limits
//! and broken entries, on archives built in memory here.

mod common;

use common::{build_zip, mark_encrypted, read_default, read_file_path, read_memory, Entry};
use dgs_core::ingest::{Format, IngestOptions};
use dgs_core::Value;

#[test]
fn entries_read_in_archive_order() {
    let zip = build_zip(&[
        Entry::File(b"b.csv", b"x\nb1\nb2\n"),
        Entry::File(b"a.csv", b"x\na1\n"),
        Entry::Directory("data/"),
        Entry::File(b"data/c.csv", b"x\nc1\n"),
    ]);
    let read = read_default("input.zip", &zip);
    assert_eq!(read.files(), ["b.csv", "a.csv", "data/c.csv"]);
    assert_eq!(
        read.texts("x"),
        [
            Some("b1".into()),
            Some("b2".into()),
            Some("a1".into()),
            Some("c1".into())
        ]
    );
    assert!(
        read.summary.skipped.is_empty(),
        "directories are not reported"
    );
}

#[test]
fn junk_entries_skipped_with_reason() {
    let zip = build_zip(&[
        Entry::File(b"__MACOSX/._data.csv", b"\x00\x05\x16\x07junk"),
        Entry::File(b"._data.csv", b"\x00\x05\x16\x07junk"),
        Entry::File(b"folder/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        Entry::File(b"Thumbs.db", b"\xd0\xcf\x11\xe0"),
        Entry::File(b"data.csv", b"x\n1\n"),
    ]);
    let read = read_default("mac.zip", &zip);
    assert_eq!(read.files(), ["data.csv"]);
    assert!(read
        .skip_reason("__MACOSX/._data.csv")
        .unwrap()
        .contains("__MACOSX"));
    assert!(read.skip_reason("._data.csv").unwrap().contains("._"));
    assert!(read.skip_reason("folder/.DS_Store").is_some());
    assert!(read.skip_reason("Thumbs.db").is_some());
    assert!(!read.summary.has_errors());
}

#[test]
fn unsupported_entries_skipped() {
    let zip = build_zip(&[
        Entry::File(b"readme.pdf", b"%PDF"),
        Entry::File(b"old.xls", b"\xd0\xcf\x11\xe0"),
        Entry::File(b"data.csv", b"x\n1\n"),
    ]);
    let read = read_default("mixed.zip", &zip);
    assert!(read
        .skip_reason("readme.pdf")
        .unwrap()
        .contains("unsupported"));
    assert!(read
        .skip_reason("old.xls")
        .unwrap()
        .contains("save it as .xlsx"));
    assert_eq!(read.rows.len(), 1);
}

#[test]
fn cp437_name_without_utf8_flag() {
    // "Año ñandú.csv" in CP437: ñ = 0xA4, ú = 0xA3.
    let zip = build_zip(&[Entry::File(b"A\xa4o \xa4and\xa3.csv", b"x\n1\n")]);
    let read = read_default("dos.zip", &zip);
    assert_eq!(read.files(), ["Año ñandú.csv"]);
}

#[test]
fn cp850_name_without_utf8_flag() {
    // 0xB5 is Á in CP850; 0xE0 is Ó.
    let zip = build_zip(&[Entry::File(b"\xb5REA \xe0PTICA.csv", b"x\n1\n")]);
    let read = read_default("dos.zip", &zip);
    assert_eq!(read.files(), ["ÁREA ÓPTICA.csv"]);
}

#[test]
fn decomposed_utf8_name_normalised() {
    let zip = build_zip(&[Entry::File("Nin\u{303}o.csv".as_bytes(), b"x\n1\n")]);
    let read = read_default("mac.zip", &zip);
    assert_eq!(read.files(), ["Niño.csv"]);
}

#[test]
fn nested_zip_read_one_level_deep() {
    let deepest = build_zip(&[Entry::File(b"deep.csv", b"x\nnever\n")]);
    let inner = build_zip(&[
        Entry::File(b"file.csv", b"x\ninner\n"),
        Entry::File(b"deeper.zip", &deepest),
    ]);
    let outer = build_zip(&[
        Entry::File(b"first.csv", b"x\nouter\n"),
        Entry::File(b"inner.zip", &inner),
    ]);
    let read = read_default("outer.zip", &outer);
    assert_eq!(read.files(), ["first.csv", "inner.zip/file.csv"]);
    let reason = read.skip_reason("inner.zip/deeper.zip").unwrap();
    assert!(reason.contains("one level"), "{reason}");
}

#[test]
fn zip_in_folder_prefixes_paths() {
    let inner = build_zip(&[Entry::File(b"file.csv", b"x\n1\n")]);
    let outer = build_zip(&[Entry::File(b"inner.zip", &inner)]);
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("outer.zip"), outer).unwrap();
    let read = read_file_path(folder.path(), &IngestOptions::default());
    assert_eq!(read.files(), ["outer.zip/inner.zip/file.csv"]);
}

#[test]
fn zip_file_path_uses_entry_names() {
    let zip = build_zip(&[Entry::File(b"data/a.csv", b"x\n1\n")]);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("input.zip");
    std::fs::write(&path, zip).unwrap();
    let read = read_file_path(&path, &IngestOptions::default());
    assert_eq!(read.files(), ["data/a.csv"]);
}

#[test]
fn encrypted_entry_skipped_by_name() {
    let mut zip = build_zip(&[
        Entry::Stored(b"secret.csv", b"x\nhidden\n"),
        Entry::File(b"open.csv", b"x\nvisible\n"),
    ]);
    mark_encrypted(&mut zip, b"secret.csv");
    let read = read_default("locked.zip", &zip);
    assert_eq!(read.texts("x"), [Some("visible".into())]);
    assert!(read
        .skip_reason("secret.csv")
        .unwrap()
        .contains("encrypted"));
}

#[test]
fn compression_ratio_limit_stops_entry() {
    let mut bomb = b"x\n".to_vec();
    bomb.resize(8 << 20, b'0');
    let zip = build_zip(&[
        Entry::File(b"bomb.csv", &bomb),
        Entry::File(b"after.csv", b"x\nstill read\n"),
    ]);
    let read = read_default("bomb.zip", &zip);
    let error = read.report("bomb.csv").error.clone().unwrap();
    assert!(error.contains("max_compression_ratio"), "{error}");
    assert!(error.contains("bomb.csv"), "{error}");
    assert_eq!(
        read.texts("x").last().unwrap().as_deref(),
        Some("still read")
    );
}

#[test]
fn small_repetitive_entry_under_grace() {
    let mut text = b"x\n".to_vec();
    text.resize(512 << 10, b'0');
    let zip = build_zip(&[Entry::File(b"zeros.csv", &text)]);
    let read = read_default("ok.zip", &zip);
    assert!(!read.summary.has_errors(), "{:?}", read.summary.files);
}

#[test]
fn total_bytes_limit_stops_archive() {
    let entry = format!("x\n{}\n", "a".repeat(600));
    let zip = build_zip(&[
        Entry::File(b"one.csv", entry.as_bytes()),
        Entry::File(b"two.csv", entry.as_bytes()),
        Entry::File(b"three.csv", entry.as_bytes()),
    ]);
    let options = IngestOptions {
        max_total_bytes: 1_000,
        ..IngestOptions::default()
    };
    let read = read_memory("big.zip", zip, &options);
    assert!(read.report("one.csv").error.is_none());
    let entry_error = read.report("two.csv").error.clone().unwrap();
    assert!(entry_error.contains("max_total_bytes"), "{entry_error}");
    let archive = read.report("big.zip");
    assert_eq!(archive.format, Format::Zip);
    assert!(archive
        .error
        .as_deref()
        .unwrap()
        .contains("max_total_bytes"));
    assert!(read
        .summary
        .files
        .iter()
        .all(|report| report.path != "three.csv"));
}

#[test]
fn entry_count_limit_stops_archive() {
    let names: Vec<String> = (0..5).map(|index| format!("f{index}.csv")).collect();
    let entries: Vec<Entry<'_>> = names
        .iter()
        .map(|name| Entry::File(name.as_bytes(), b"x\n1\n"))
        .collect();
    let zip = build_zip(&entries);
    let options = IngestOptions {
        max_entries: 3,
        ..IngestOptions::default()
    };
    let read = read_memory("many.zip", zip, &options);
    assert_eq!(read.files(), ["f0.csv", "f1.csv", "f2.csv"]);
    let error = read.report("many.zip").error.clone().unwrap();
    assert!(error.contains("max_entries"), "{error}");
    assert!(error.contains("entries 4 to 5"), "{error}");
}

#[test]
fn corrupt_entry_keeps_rows_and_fails_alone() {
    let mut text = String::from("id;name\n");
    for index in 0..20_000 {
        text.push_str(&format!("{index};row {index}\n"));
    }
    let mut zip = build_zip(&[
        Entry::Stored(b"damaged.csv", text.as_bytes()),
        Entry::File(b"good.csv", b"id;name\nok;fine\n"),
    ]);
    // Change one data byte of the stored entry, so its CRC fails when the entry ends.
    let position = zip
        .windows(9)
        .position(|window| window == b"19999;row")
        .unwrap();
    zip[position + 6] = b'R';

    let read = read_default("damaged.zip", &zip);
    let damaged = read.report("damaged.csv");
    let error = damaged.error.clone().unwrap();
    assert!(error.contains("damaged.csv"), "{error}");
    assert!(error.contains("line"), "{error}");
    assert!(damaged.rows > 0, "rows before the error are kept");
    assert_eq!(read.report("good.csv").rows, 1);
}

#[test]
fn invalid_archive_reported() {
    let read = read_default("broken.zip", b"PK\x03\x04 definitely not a zip");
    let report = read.report("broken.zip");
    assert_eq!(report.format, Format::Zip);
    assert!(report.error.as_deref().unwrap().contains("broken.zip"));
}

#[test]
fn workbook_size_limit_reported() {
    let zip = build_zip(&[Entry::File(b"book.xlsx", &[b'x'; 1_000])]);
    let options = IngestOptions {
        max_workbook_bytes: 100,
        ..IngestOptions::default()
    };
    let read = read_memory("books.zip", zip, &options);
    let error = read.report("book.xlsx").error.clone().unwrap();
    assert!(error.contains("max_workbook_bytes"), "{error}");
}

#[test]
fn windows_1252_entry_in_zip() {
    let zip = build_zip(&[Entry::File(b"w.csv", b"Descripci\xf3n\nAz\xfacar\n")]);
    let read = read_default("w.zip", &zip);
    assert_eq!(
        read.rows[0].get("Descripción"),
        Some(&Value::Text("Azúcar".into()))
    );
}
