//! The `dgs clean` command run as a user runs it: the built binary on files written here,
//! checking stdout, stderr, the output file and exit codes.

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

/// Creates a folder with two ledger CSV files whose descriptions repeat across files.
fn ledger_folder() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("a.csv"),
        "Glosa;Monto\n\
         PAGO FACT. 00123 PROV. ACME 03/2024;1.234,56\n\
         Pago Fact 00456 Prov Acme 04/2024;99\n\
         Compra de papel;5\n\
         Venta de papel;6\n\
         IVA débito;7\n\
         IVA crédito;8\n",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("b.csv"),
        "Glosa,Centro\nPago fact 789 prov acme 05/2024,x\nCompra  de papel,y\n",
    )
    .unwrap();
    folder
}

#[test]
fn clean_json_figures() {
    let folder = ledger_folder();
    let output = dgs(&[
        "clean",
        path_arg(folder.path()),
        "--column",
        "Glosa",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["rows"], 8);
    assert_eq!(stats["groups"], 5);
    assert_eq!(stats["duplicates"], 3);
    assert_eq!(stats["ratio"], 0.375);
    assert_eq!(stats["by_file"][0]["file"], "a.csv");
    assert_eq!(stats["by_file"][0]["new_groups"], 5);
    assert_eq!(stats["by_file"][1]["file"], "b.csv");
    assert_eq!(stats["by_file"][1]["duplicates"], 2);
    assert_eq!(stats["largest_groups"][0]["size"], 3);
    assert_eq!(
        stats["largest_groups"][0]["text"],
        "PAGO FACT. 00123 PROV. ACME 03/2024"
    );
}

#[test]
fn clean_writes_csv_rows() {
    let folder = ledger_folder();
    let out_folder = tempfile::tempdir().unwrap();
    let out = out_folder.path().join("out.csv");
    let input = folder.path().to_path_buf();
    let output = dgs(&[
        "clean",
        path_arg(&input),
        "--column",
        "Glosa",
        "--out",
        path_arg(&out),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("groups               5"), "{table}");

    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[0],
        "row_index,file,sheet,line,group_id,cleanGlosa,Glosa,Monto,Centro"
    );
    assert_eq!(lines.len(), 9);
    assert!(
        lines[2].starts_with("1,a.csv,,3,0,Pago Fact 00456 Prov Acme 04/2024,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[8].starts_with("7,b.csv,,3,2,Compra de papel,Compra  de papel,,y"),
        "{}",
        lines[8]
    );
}

#[test]
fn clean_writes_jsonl_rows() {
    let folder = ledger_folder();
    let input = folder.path().join("a.csv");
    let out = folder.path().join("rows.jsonl");
    let output = dgs(&[
        "clean",
        path_arg(&input),
        "--column",
        "Glosa",
        "--key-refinery",
        "basic",
        "--out",
        path_arg(&out),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let written = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<serde_json::Value> = written
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[1]["group_id"], 1,
        "the basic key keeps different invoice numbers apart"
    );
    assert_eq!(
        rows[1]["clean"]["cleanGlosa"],
        "Pago Fact 00456 Prov Acme 04/2024"
    );
    assert_eq!(rows[1]["fields"]["Monto"], "99");
}

#[test]
fn clean_missing_column_lists_columns() {
    let folder = ledger_folder();
    let output = dgs(&["clean", path_arg(folder.path()), "--column", "Descripcion"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("column \"Descripcion\" not found"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the columns are: Glosa, Monto, Centro"),
        "{stderr}"
    );
}

#[test]
fn clean_column_missing_in_one_file() {
    let folder = ledger_folder();
    let output = dgs(&[
        "clean",
        path_arg(folder.path()),
        "--column",
        "Glosa",
        "--column",
        "Monto",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "b.csv: line 2 (row 6): column \"Monto\" not found; the columns are: Glosa, Centro"
        ),
        "{stderr}"
    );
}

#[test]
fn clean_rejects_unknown_output_extension() {
    let folder = ledger_folder();
    let out_folder = tempfile::tempdir().unwrap();
    let out = out_folder.path().join("out.xlsx");
    let output = dgs(&[
        "clean",
        path_arg(folder.path()),
        "--column",
        "Glosa",
        "--out",
        path_arg(&out),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("use a .csv, .jsonl or .ndjson extension"),
        "{stderr}"
    );
}

#[test]
fn clean_rejects_output_inside_input() {
    let folder = ledger_folder();
    let out = folder.path().join("out.csv");
    let output = dgs(&[
        "clean",
        path_arg(folder.path()),
        "--column",
        "Glosa",
        "--out",
        path_arg(&out),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is inside the input folder"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn clean_rejects_output_same_as_input() {
    let folder = ledger_folder();
    let input = folder.path().join("a.csv");
    let before = std::fs::read(&input).unwrap();
    let output = dgs(&[
        "clean",
        path_arg(&input),
        "--column",
        "Glosa",
        "--out",
        path_arg(&input),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is the input file"), "{stderr}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn clean_empty_file_says_no_columns() {
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("vacio.csv");
    std::fs::write(&input, "").unwrap();
    let output = dgs(&["clean", path_arg(&input), "--column", "Glosa"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no columns found in"), "{stderr}");
    assert!(stderr.contains("vacio.csv"), "{stderr}");
}

#[test]
fn clean_table_shortens_long_text() {
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("largo.csv");
    let long_text = "x".repeat(10_000);
    std::fs::write(&input, format!("Glosa\n{long_text}\n{long_text}\n")).unwrap();

    let table = dgs(&["clean", path_arg(&input), "--column", "Glosa"]);
    assert_eq!(table.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&table.stdout);
    let shown = format!("{}...", "x".repeat(80));
    assert!(stdout.contains(&shown), "{stdout}");
    assert!(!stdout.contains(&"x".repeat(81)), "{stdout}");

    let json = dgs(&["clean", path_arg(&input), "--column", "Glosa", "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(stats["largest_groups"][0]["text"], long_text.as_str());
}

#[cfg(target_os = "linux")]
#[test]
fn clean_write_error_names_output() {
    let folder = ledger_folder();
    let out_folder = tempfile::tempdir().unwrap();
    let out = out_folder.path().join("lleno.csv");
    std::os::unix::fs::symlink("/dev/full", &out).unwrap();
    let output = dgs(&[
        "clean",
        path_arg(folder.path()),
        "--column",
        "Glosa",
        "--out",
        path_arg(&out),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(stderr.contains("lleno.csv"), "{stderr}");
}

#[test]
fn clean_sample_with_column_aliases() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/auxiliares.zip");
    let out_folder = tempfile::tempdir().unwrap();
    let out = out_folder.path().join("rows.jsonl");
    let output = dgs(&[
        "clean",
        path_arg(&sample),
        "--column",
        "Descripción|Glosa|detalle",
        "--out",
        path_arg(&out),
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["rows"], 6262);
    assert_eq!(
        stats["groups"], 4584,
        "one group per distinct catalogue name"
    );

    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 6262);

    let from_workbook = rows
        .iter()
        .find(|row| row["sheet"] == "Enero-Junio")
        .expect("a workbook row");
    let glosa = from_workbook["fields"]["Glosa"].as_str().unwrap();
    assert!(!glosa.is_empty());
    assert!(
        from_workbook["fields"].get("Descripción").is_none(),
        "the original column keeps its own name"
    );
    assert_eq!(
        from_workbook["clean"]["cleanDescripcion"].as_str().unwrap(),
        glosa.split_whitespace().collect::<Vec<_>>().join(" ")
    );
}

#[test]
fn clean_alias_missing_everywhere_lists_columns() {
    let folder = ledger_folder();
    let output = dgs(&[
        "clean",
        path_arg(folder.path()),
        "--column",
        "Descripción|Detalle",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"Descripción\" not found"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("Glosa"), "stderr: {stderr}");
}
