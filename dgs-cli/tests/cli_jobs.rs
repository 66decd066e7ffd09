//! `dgs jobs`, `dgs status`, `dgs prompts` and `dgs classify` with the offline keyword
//! provider, run as a user runs them.

mod support;

use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::process::Output;
use support::mock_llm::MockLlm;
use support::{demo_prompt, dgs, path_arg, read_csv, repo_path, write_ledger};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout_json(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON value")
}

/// Runs a keyword-provider job on the test ledger and returns its id.
fn keyword_job(input: &Path, store: &Path, out: &Path) -> String {
    let output = dgs()
        .args([
            "run",
            path_arg(input),
            "--column",
            "Glosa",
            "--prompt",
            path_arg(&demo_prompt()),
            "--chunk-size",
            "10",
            "--store",
            path_arg(store),
            "--out",
            path_arg(out),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "run: {}", stderr(&output));
    assert!(
        stderr(&output).contains("offline keyword provider"),
        "the keyword provider notice is printed: {}",
        stderr(&output)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn jobs_and_status_json_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let store = dir.path().join("dgs.db");
    let first = keyword_job(&input, &store, &dir.path().join("a.csv"));
    let second = keyword_job(&input, &store, &dir.path().join("b.xlsx"));

    let jobs = stdout_json(
        &dgs()
            .args(["jobs", "--json", "--store", path_arg(&store)])
            .output()
            .unwrap(),
    );
    let list = jobs["jobs"].as_array().expect("`jobs` is an array");
    assert_eq!(list.len(), 2, "two jobs listed");
    assert_eq!(list[0]["id"], second.as_str(), "newest job first");
    assert_eq!(list[1]["id"], first.as_str());
    for job in list {
        assert_eq!(job["status"], "completed");
        let created = job["created_at"].as_str().expect("created_at is text");
        assert!(
            chrono::DateTime::parse_from_rfc3339(created).is_ok(),
            "{created}"
        );
        assert_eq!(job["rows"], 60);
        assert_eq!(job["groups"], 48);
    }

    let status = stdout_json(
        &dgs()
            .args(["status", "--json", "--store", path_arg(&store)])
            .output()
            .unwrap(),
    );
    assert_eq!(
        status["job_id"],
        second.as_str(),
        "status defaults to the latest job"
    );
    assert_eq!(status["status"], "completed");
    assert_eq!(status["rows"], 60);
    assert_eq!(status["groups"], 48);
    assert_eq!(status["chunks"], 5);
    assert_eq!(status["committed_chunks"], 5);
    assert_eq!(status["provider"], "keywords");
    assert_eq!(status["prompt_id"], "chilecompra-es");

    let status = stdout_json(
        &dgs()
            .args(["status", &first, "--json", "--store", path_arg(&store)])
            .output()
            .unwrap(),
    );
    assert_eq!(status["job_id"], first.as_str());

    let (header, records) = read_csv(&dir.path().join("a.csv"));
    let category = header.iter().position(|name| name == "category").unwrap();
    let fallback_rows = records
        .iter()
        .filter(|record| record[category] == "Indeterminado")
        .count();
    let text = dgs()
        .args(["status", &first, "--store", path_arg(&store)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("Indeterminado {fallback_rows} rows")),
        "status counts the export's {fallback_rows} Indeterminado rows: {text}"
    );

    let unknown = dgs()
        .args(["status", "no-such-job", "--store", path_arg(&store)])
        .output()
        .unwrap();
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "unknown job id is a usage error"
    );
    assert!(
        stderr(&unknown).contains("no-such-job"),
        "{}",
        stderr(&unknown)
    );

    let unknown = dgs()
        .args(["resume", "no-such-job", "--store", path_arg(&store)])
        .output()
        .unwrap();
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "resume of an unknown job is a usage error"
    );
    assert!(
        stderr(&unknown).contains("no-such-job"),
        "{}",
        stderr(&unknown)
    );

    let exported = dir.path().join("again.jsonl");
    let output = dgs()
        .args([
            "export",
            &first,
            "--out",
            path_arg(&exported),
            "--store",
            path_arg(&store),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "export: {}", stderr(&output));
    let lines = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(lines.lines().count(), 60, "one JSON line per row");
}

#[test]
fn run_rejects_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let store = dir.path().join("dgs.db");
    let out = dir.path().join("out.csv");
    let bad_prompt = dir.path().join("bad.json");
    std::fs::write(&bad_prompt, "{\"id\": ").unwrap();
    let prompt = demo_prompt();

    let cases: [(&str, Vec<&str>, &str); 4] = [
        (
            "missing column",
            vec!["--column", "Detalle", "--prompt", path_arg(&prompt)],
            "Detalle",
        ),
        (
            "bad prompt file",
            vec!["--column", "Glosa", "--prompt", path_arg(&bad_prompt)],
            "bad.json",
        ),
        (
            "missing input",
            vec!["--column", "Glosa", "--prompt", path_arg(&prompt)],
            "nowhere.zip",
        ),
        (
            "bad out extension",
            vec!["--column", "Glosa", "--prompt", path_arg(&prompt)],
            "out.pdf",
        ),
    ];
    for (name, options, named) in cases {
        let input_arg = if name == "missing input" {
            "nowhere.zip"
        } else {
            path_arg(&input)
        };
        let out_arg = if name == "bad out extension" {
            dir.path().join("out.pdf")
        } else {
            out.clone()
        };
        let output = dgs()
            .arg("run")
            .arg(input_arg)
            .args(options)
            .args(["--store", path_arg(&store), "--out", path_arg(&out_arg)])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(named),
            "{name}: error names `{named}`: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{name}: no job id printed");
    }
}

#[test]
fn prompts_add_list_default_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("dgs.db");
    let store_arg = ["--store", path_arg(&store)];

    let output = dgs()
        .args(["prompts", "add", path_arg(&demo_prompt())])
        .args(store_arg)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "add: {}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "chilecompra-es version 1"
    );

    let default_prompt = repo_path("examples/prompts/default.es.json");
    let output = dgs()
        .args(["prompts", "add", path_arg(&default_prompt)])
        .args(store_arg)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "add default: {}",
        stderr(&output)
    );
    let default_id: Value =
        serde_json::from_str(&std::fs::read_to_string(&default_prompt).unwrap()).unwrap();
    let default_id = default_id["id"].as_str().unwrap().to_owned();

    let mut changed: Value =
        serde_json::from_str(&std::fs::read_to_string(demo_prompt()).unwrap()).unwrap();
    changed["template"] = Value::String(format!(
        "{}\nResponde con cuidado.",
        changed["template"].as_str().unwrap()
    ));
    let changed_path = dir.path().join("changed.json");
    std::fs::write(&changed_path, changed.to_string()).unwrap();
    let output = dgs()
        .args(["prompts", "add", path_arg(&changed_path)])
        .args(store_arg)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "chilecompra-es version 2"
    );

    let output = dgs()
        .args(["prompts", "set-default", &default_id])
        .args(store_arg)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "set-default: {}",
        stderr(&output)
    );

    let list = stdout_json(
        &dgs()
            .args(["prompts", "list", "--json"])
            .args(store_arg)
            .output()
            .unwrap(),
    );
    let prompts = list["prompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 2, "two prompts: {list}");
    let demo = prompts
        .iter()
        .find(|prompt| prompt["id"] == "chilecompra-es")
        .unwrap();
    assert_eq!(demo["version"], 2, "list shows the latest version");
    assert_eq!(demo["is_default"], false);
    let default = prompts
        .iter()
        .find(|prompt| prompt["id"] == default_id.as_str())
        .unwrap();
    assert_eq!(default["is_default"], true);

    let history = stdout_json(
        &dgs()
            .args(["prompts", "history", "chilecompra-es", "--json"])
            .args(store_arg)
            .output()
            .unwrap(),
    );
    let versions: Vec<u64> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|version| version["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);

    let first = stdout_json(
        &dgs()
            .args([
                "prompts",
                "show",
                "chilecompra-es",
                "--version",
                "1",
                "--json",
            ])
            .args(store_arg)
            .output()
            .unwrap(),
    );
    assert_eq!(first["version"], 1);
    assert!(!first["template"]
        .as_str()
        .unwrap()
        .contains("Responde con cuidado."));

    let missing = dgs()
        .args(["prompts", "show", "nope"])
        .args(store_arg)
        .output()
        .unwrap();
    assert_eq!(
        missing.status.code(),
        Some(2),
        "unknown prompt: {}",
        stderr(&missing)
    );
    assert!(stderr(&missing).contains("nope"));

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[{\"id\": \"x\"}]").unwrap();
    let output = dgs()
        .args(["prompts", "add", path_arg(&bad)])
        .args(store_arg)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "bad prompt file: {}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("bad.json"));
}

/// Counts the rows `dgs read` gets from an input.
fn input_rows(input: &Path) -> usize {
    let output = dgs().args(["read", path_arg(input)]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout).lines().count()
}

#[test]
fn classify_sample_writes_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo_path("examples/data/auxiliares.zip");
    let out = dir.path().join("clasificacion.csv");
    let output = dgs()
        .current_dir(dir.path())
        .args([
            "classify",
            path_arg(&sample),
            "--column",
            "Descripción|Glosa|detalle",
            "--prompt",
            path_arg(&demo_prompt()),
            "--out",
            path_arg(&out),
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "classify: {}",
        stderr(&output)
    );
    assert!(
        !dir.path().join("dgs.db").exists(),
        "classify keeps no store"
    );

    let (header, records) = read_csv(&out);
    let rows = input_rows(&sample);
    assert!(rows > 1000, "the sample has its rows: {rows}");
    assert_eq!(records.len(), rows, "one output row per input row");
    let row_index = header.iter().position(|name| name == "row_index").unwrap();
    let category = header.iter().position(|name| name == "category").unwrap();
    let indexes: HashSet<&str> = records
        .iter()
        .map(|record| record[row_index].as_str())
        .collect();
    assert_eq!(indexes.len(), rows, "every row index exactly once");
    for index in 0..rows {
        assert!(
            indexes.contains(index.to_string().as_str()),
            "row {index} is missing"
        );
    }
    assert!(
        records.iter().all(|record| !record[category].is_empty()),
        "every row has a category"
    );
}

#[test]
fn classify_xlsx_reads_back_with_calamine() {
    use calamine::{open_workbook, Reader, Xlsx};

    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let out = dir.path().join("out.xlsx");
    let output = dgs()
        .args([
            "classify",
            path_arg(&input),
            "--column",
            "Glosa",
            "--prompt",
            path_arg(&demo_prompt()),
            "--out",
            path_arg(&out),
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "classify: {}",
        stderr(&output)
    );

    let mut workbook: Xlsx<_> = open_workbook(&out).unwrap();
    let range = workbook.worksheet_range("clasificacion").unwrap();
    assert_eq!(range.height(), 61, "header plus one row per input row");
}

#[test]
fn classify_dry_run_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let mock = MockLlm::start(&demo_prompt(), std::time::Duration::ZERO);
    let output = dgs()
        .env("OPENAI_BASE_URL", mock.base_url())
        .env("OPENAI_API_KEY", "test-key")
        .args([
            "classify",
            path_arg(&input),
            "--column",
            "Glosa",
            "--prompt",
            path_arg(&demo_prompt()),
            "--chunk-size",
            "10",
            "--model",
            "gpt-4o-mini",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "dry run: {}",
        stderr(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("items: 48"), "{stdout}");
    assert!(stdout.contains("chunks: 5"), "{stdout}");
    assert!(stdout.contains("model: gpt-4o-mini"), "{stdout}");
    assert!(stdout.contains("prompt tokens: "), "{stdout}");
    assert!(
        stdout.contains("cost: $"),
        "gpt-4o-mini has a price: {stdout}"
    );
    assert!(mock.received().is_empty(), "a dry run sends no request");
}

/// Runs a keyword job with extra environment variables and options and returns its
/// `dgs status --json` report.
fn keyword_job_status(dir: &Path, env: &[(&str, &str)], options: &[&str]) -> Value {
    let input = write_ledger(dir);
    let store = dir.join("dgs.db");
    let out = dir.join("out.csv");
    let mut command = dgs();
    command.envs(env.iter().copied()).args([
        "run",
        path_arg(&input),
        "--column",
        "Glosa",
        "--prompt",
        path_arg(&demo_prompt()),
        "--store",
        path_arg(&store),
        "--out",
        path_arg(&out),
    ]);
    let output = command.args(options).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "run: {}", stderr(&output));
    stdout_json(
        &dgs()
            .args(["status", "--json", "--store", path_arg(&store)])
            .output()
            .unwrap(),
    )
}

#[test]
fn chunk_size_option_overrides_env() {
    let env = [("LLM_DISTRIBUTED_CHUNK_SIZE", "7")];

    let dir = tempfile::tempdir().unwrap();
    let status = keyword_job_status(dir.path(), &env, &[]);
    assert_eq!(
        status["chunks"], 7,
        "48 groups in chunks of 7 from the environment"
    );

    let dir = tempfile::tempdir().unwrap();
    let status = keyword_job_status(dir.path(), &env, &["--chunk-size", "10"]);
    assert_eq!(
        status["chunks"], 5,
        "48 groups in chunks of 10 from --chunk-size"
    );
}

#[test]
fn export_honours_csv_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let store = dir.path().join("dgs.db");
    let job_id = keyword_job(&input, &store, &dir.path().join("first.csv"));

    let out = dir.path().join("semicolon.csv");
    let output = dgs()
        .args([
            "export",
            &job_id,
            "--out",
            path_arg(&out),
            "--csv-delimiter",
            ";",
        ])
        .args(["--store", path_arg(&store)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "export: {}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.trim_start_matches('\u{FEFF}').lines().next().unwrap();
    assert!(header.starts_with("row_index;file;sheet;line;"), "{header}");
    assert_eq!(text.lines().count(), 61, "header plus one line per row");
}
