//! The review loop run as a user runs it, with the offline keyword provider on the demo
//! data: run, sample, review, metrics, rerun, compare and report.

mod support;

use calamine::{open_workbook, Reader, Xlsx};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{demo_prompt, dgs, path_arg, repo_path};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `dgs` with `args` and the store, and asserts the exit code.
fn dgs_ok(store: &Path, args: &[&str], code: i32) -> Output {
    let output = dgs()
        .args(args)
        .args(["--store", path_arg(store)])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "dgs {args:?}\nstdout: {}\nstderr: {}",
        stdout(&output),
        stderr(&output)
    );
    output
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON value")
}

/// Runs a keyword-provider job on the demo ZIP and returns its id.
fn demo_job(store: &Path, out: &Path) -> String {
    let input = repo_path("examples/data/auxiliares.zip");
    let prompt = demo_prompt();
    let output = dgs_ok(
        store,
        &[
            "run",
            path_arg(&input),
            "--column",
            "Descripción|Glosa|detalle",
            "--prompt",
            path_arg(&prompt),
            "--out",
            path_arg(out),
        ],
        0,
    );
    stdout(&output).lines().next().unwrap().to_owned()
}

/// Reads the review sheet of an XLSX review file: the header and the rows, as text.
fn read_review_xlsx(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).unwrap();
        let mut rows = range
            .rows()
            .map(|row| row.iter().map(|cell| cell.to_string()).collect::<Vec<_>>());
        let Some(header) = rows.next() else {
            continue;
        };
        if header.first().map(String::as_str) == Some("grupo") {
            return (header, rows.collect());
        }
    }
    panic!(
        "{} has no sheet whose first column is grupo",
        path.display()
    );
}

/// Parses a group id cell, which calamine may return as a float.
fn group_id(cell: &str) -> u64 {
    cell.parse::<f64>().expect("group ids are numbers") as u64
}

/// Samples the job with a fixed seed and returns the group ids of the review file.
fn sample_ids(store: &Path, job_id: &str, out: &Path) -> Vec<u64> {
    dgs_ok(
        store,
        &[
            "sample",
            job_id,
            "--size",
            "40",
            "--min-per-category",
            "1",
            "--seed",
            "11",
            "--out",
            path_arg(out),
        ],
        0,
    );
    let (_, rows) = read_review_xlsx(out);
    rows.iter().map(|row| group_id(&row[0])).collect()
}

/// Writes a copy of the demo prompt whose first category matches other keywords.
fn modified_prompt(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(demo_prompt()).unwrap();
    let mut prompt: Value = serde_json::from_str(&text).unwrap();
    prompt["categories"][0]["keywords"] = serde_json::json!(["alambre", "tarjetas", "papel"]);
    let path = dir.join("prompt-v2.json");
    std::fs::write(&path, serde_json::to_string(&prompt).unwrap()).unwrap();
    path
}

#[test]
fn review_loop_run_to_report() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("dgs.db");
    let job_id = demo_job(&store, &dir.path().join("out.csv"));

    // Same seed, same sample.
    let first = sample_ids(&store, &job_id, &dir.path().join("revision.xlsx"));
    let second = sample_ids(&store, &job_id, &dir.path().join("revision-2.xlsx"));
    assert!(first.len() >= 40, "sampled {} groups", first.len());
    assert_eq!(first, second, "the same seed draws the same groups");

    // A fraction with score bands, as an English CSV.
    let banded = dir.path().join("review-en.csv");
    let output = dgs_ok(
        &store,
        &[
            "sample",
            &job_id,
            "--fraction",
            "0.01",
            "--score-bands",
            "0.5,0.8",
            "--lang",
            "en",
            "--out",
            path_arg(&banded),
        ],
        0,
    );
    assert!(
        stdout(&output).contains("band"),
        "the strata table has a band column: {}",
        stdout(&output)
    );
    let text = std::fs::read_to_string(&banded).unwrap();
    let header = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(header.starts_with("group;"), "English header: {header}");

    // Fill verdicts: correct, incorrect with a corrected category written in lower case,
    // and one incorrect with a category the prompt does not have.
    let (header, rows) = read_review_xlsx(&dir.path().join("revision.xlsx"));
    let predicted_column = header
        .iter()
        .position(|name| name == "categoria_predicha")
        .expect("review file has categoria_predicha");
    let mut filled = String::from("grupo;veredicto;categoria_correcta\n");
    let mut filled_rows = 0;
    for (index, row) in rows.iter().take(12).enumerate() {
        let group = group_id(&row[0]);
        let line = match index {
            0..=5 => format!("{group};correcto;\n"),
            6..=10 => {
                let corrected = if row[predicted_column] == "Obras" {
                    "productos de papel"
                } else {
                    "obras"
                };
                format!("{group};incorrecto;{corrected}\n")
            }
            _ => format!("{group};incorrecto;Categoría inexistente\n"),
        };
        filled.push_str(&line);
        filled_rows += 1;
    }
    let verdicts = dir.path().join("verdicts.csv");
    std::fs::write(&verdicts, filled).unwrap();

    let review = dgs_ok(
        &store,
        &["review", &job_id, path_arg(&verdicts), "--reviewer", "ana"],
        1,
    );
    assert!(
        stdout(&review).contains("imported: 12, blank: 0, repeated: 0, problems: 1"),
        "counts: {}",
        stdout(&review)
    );
    assert!(
        stderr(&review).contains("line 13"),
        "the problem names the line: {}",
        stderr(&review)
    );
    assert!(
        stderr(&review).contains("Categoría inexistente"),
        "the problem names the value: {}",
        stderr(&review)
    );

    let metrics = stdout_json(&dgs_ok(&store, &["metrics", &job_id, "--json"], 0));
    assert_eq!(metrics["iteration"], 1);
    assert_eq!(metrics["metrics"]["reviewed_groups"], filled_rows);
    let accuracy = metrics["metrics"]["by_group"]["accuracy"]
        .as_f64()
        .expect("accuracy is present");
    assert!((accuracy - 6.0 / 12.0).abs() < 1e-9, "accuracy {accuracy}");
    assert!(metrics["metrics"]["by_group"]["accuracy_interval"].is_array());
    assert!(metrics["total_tokens"].as_u64().unwrap() > 0);

    // Importing the same file again changes nothing.
    dgs_ok(&store, &["review", &job_id, path_arg(&verdicts)], 1);
    let again = stdout_json(&dgs_ok(&store, &["metrics", &job_id, "--json"], 0));
    assert_eq!(again["metrics"], metrics["metrics"]);

    // A new prompt version classifies the stored groups as iteration 2.
    let prompt = modified_prompt(dir.path());
    let rerun = dgs_ok(
        &store,
        &["rerun", &job_id, "--prompt", path_arg(&prompt)],
        0,
    );
    assert_eq!(stdout(&rerun).lines().next(), Some("2"));
    let status = stdout_json(&dgs_ok(&store, &["status", &job_id, "--json"], 0));
    assert_eq!(status["status"], "completed");
    assert_eq!(status["prompt_version"], 2);

    let comparison = stdout_json(&dgs_ok(
        &store,
        &["compare", &job_id, "1", "2", "--json"],
        0,
    ));
    assert_eq!(comparison["before_iteration"], 1);
    assert_eq!(comparison["after_iteration"], 2);
    assert!(
        !comparison["changes"].as_array().unwrap().is_empty(),
        "the changed keywords move some groups"
    );
    assert!(comparison["by_group"]["accuracy"]["before"].is_number());

    let report = dir.path().join("informe.html");
    dgs_ok(
        &store,
        &[
            "report",
            &job_id,
            "--out",
            path_arg(&report),
            "--lang",
            "en",
        ],
        0,
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<svg"), "the report has charts");
    assert!(html.contains(&job_id));
}

#[test]
fn review_rejects_unknown_job() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("dgs.db");
    std::fs::write(dir.path().join("v.csv"), "grupo;veredicto\n1;correcto\n").unwrap();
    let prompt = demo_prompt();
    dgs_ok(&store, &["prompts", "add", path_arg(&prompt)], 0);
    let output = dgs_ok(
        &store,
        &["review", "no-such-job", path_arg(&dir.path().join("v.csv"))],
        2,
    );
    assert!(
        stderr(&output).contains("no-such-job"),
        "{}",
        stderr(&output)
    );
}
