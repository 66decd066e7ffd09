//! Helpers shared by the CLI test files.

#![allow(dead_code)]

pub mod mock_llm;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Returns a `dgs` command with no provider key, endpoint, engine setting or store from the
/// test environment, so every test sets exactly what it needs.
pub fn dgs() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dgs"));
    for name in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "GEMINI_API_KEY",
        "GEMINI_BASE_URL",
        "LLM_DISTRIBUTED_CHUNK_SIZE",
        "LLM_MAX_WORKERS",
        "LLM_CONCURRENCY_LIMIT",
        "DGS_STORE",
        "RUST_LOG",
    ] {
        command.env_remove(name);
    }
    command
}

/// Returns a path under the repository root.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// The demo prompt file.
pub fn demo_prompt() -> PathBuf {
    repo_path("examples/prompts/chilecompra.es.json")
}

pub fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Writes a `;`-separated ledger with a `Glosa` column: 48 distinct descriptions, the first
/// 12 repeated once more, so 60 rows in 48 groups. The descriptions differ in words, not
/// only in numbers, because the ledger dedup key masks numbers.
pub fn write_ledger(dir: &Path) -> PathBuf {
    let nouns = [
        "papel",
        "toner",
        "silla",
        "escritorio",
        "computador",
        "impresora",
        "guantes",
        "jeringas",
    ];
    let qualifiers = [
        "azul",
        "grande",
        "reciclado",
        "premium",
        "importado",
        "nacional",
    ];
    let mut descriptions = Vec::new();
    for noun in nouns {
        for qualifier in qualifiers {
            descriptions.push(format!("Compra de {noun} {qualifier}"));
        }
    }

    let mut text = String::from("Fecha;Glosa;Monto\n");
    let repeated = descriptions.iter().take(12);
    for (line, description) in descriptions.iter().chain(repeated).enumerate() {
        text.push_str(&format!(
            "2024-01-{:02};{description};{}\n",
            line % 28 + 1,
            1000 + line
        ));
    }
    let path = dir.join("ledger.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Reads a CSV export into its header and records, without the byte order mark.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("the export exists");
    let text = text.trim_start_matches('\u{FEFF}');
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, records)
}
