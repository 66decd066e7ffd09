//! The `dgs inspect` and `dgs read` commands run as a user runs them: the built binary on
//! files written here, checking stdout, stderr and exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn dgs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dgs"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the dgs binary runs")
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Creates a folder with two good CSV files, a PDF and, when `broken`, an invalid JSON file.
fn input_folder(broken: bool) -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("a.csv"),
        "\u{FEFF}id;name\n1;Lápiz\n2;Papel\n",
    )
    .unwrap();
    std::fs::write(folder.path().join("b.csv"), "name,amount\nCafé,\"1,5\"\n").unwrap();
    std::fs::write(folder.path().join("notes.pdf"), "%PDF").unwrap();
    if broken {
        std::fs::write(folder.path().join("c.json"), "[{\"id\": ").unwrap();
    }
    folder
}

#[test]
fn inspect_json_shape() {
    let folder = input_folder(false);
    let output = dgs(&["inspect", "--json", path_arg(folder.path())]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON value");
    let object = json.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), ["files", "skipped"]);

    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let first = files[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "columns",
            "delimiter",
            "encoding",
            "error",
            "format",
            "path",
            "rows",
            "sheet",
            "warnings"
        ]
    );
    assert_eq!(first["path"], "a.csv");
    assert_eq!(first["format"], "csv");
    assert_eq!(first["delimiter"], ";");
    assert_eq!(first["rows"], 2);
    assert_eq!(first["columns"], serde_json::json!(["id", "name"]));
    assert_eq!(first["error"], serde_json::Value::Null);

    let skipped = json["skipped"].as_array().unwrap();
    assert_eq!(skipped[0]["path"], "notes.pdf");
    assert!(skipped[0]["reason"]
        .as_str()
        .unwrap()
        .contains("unsupported"));
}

#[test]
fn inspect_table_lists_files() {
    let folder = input_folder(false);
    let output = dgs(&["inspect", path_arg(folder.path())]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout.starts_with("FILE"), "{stdout}");
    assert!(stdout.contains("a.csv"), "{stdout}");
    assert!(stdout.contains("notes.pdf"), "{stdout}");
}

#[test]
fn read_jsonl_writes_every_row() {
    let folder = input_folder(false);
    let output = dgs(&["read", path_arg(folder.path())]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let stdout = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["row_index"], 0);
    assert_eq!(rows[0]["file"], "a.csv");
    assert_eq!(rows[0]["sheet"], serde_json::Value::Null);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["fields"]["name"], "Lápiz");
    assert_eq!(rows[2]["row_index"], 2);
    assert_eq!(rows[2]["fields"]["amount"], "1,5");
}

#[test]
fn read_csv_uses_column_union() {
    let folder = input_folder(false);
    let output = dgs(&["read", "--format", "csv", path_arg(folder.path())]);
    assert_eq!(output.status.code(), Some(0));

    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "row_index,file,sheet,line,id,name,amount");
    assert_eq!(lines[1], "0,a.csv,,2,1,Lápiz,");
    assert_eq!(lines[3], "2,b.csv,,2,,Café,\"1,5\"");
    assert_eq!(lines.len(), 4);
}

#[test]
fn broken_file_exits_one_and_keeps_rows() {
    let folder = input_folder(true);
    let output = dgs(&["read", path_arg(folder.path())]);
    assert_eq!(output.status.code(), Some(1));

    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        3,
        "rows of the good files are still written"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("c.json"), "{stderr}");

    let inspect = dgs(&["inspect", "--json", path_arg(folder.path())]);
    assert_eq!(inspect.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let failed = &json["files"][2];
    assert_eq!(failed["path"], "c.json");
    assert!(failed["error"].as_str().unwrap().contains("c.json"));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(dgs(&["read"]).status.code(), Some(2));
    assert_eq!(
        dgs(&["read", "--format", "xml", "x.csv"]).status.code(),
        Some(2)
    );
    assert_eq!(dgs(&["frobnicate"]).status.code(), Some(2));

    let missing = dgs(&["inspect", "/nonexistent/input.zip"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(stderr.contains("/nonexistent/input.zip"), "{stderr}");
}

#[test]
fn zip_input_read() {
    use std::io::Write;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("input.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("data/a.csv", options).unwrap();
    writer.write_all(b"x\n1\n2\n").unwrap();
    writer.start_file("__MACOSX/data/._a.csv", options).unwrap();
    writer.write_all(b"junk").unwrap();
    writer.finish().unwrap();

    let output = dgs(&["read", path_arg(&path)]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2);
    assert!(stdout.contains("\"file\":\"data/a.csv\""), "{stdout}");
}
