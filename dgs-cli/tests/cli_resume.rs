//! `dgs run` and `dgs resume` against a slow OpenAI-compatible mock on 127.0.0.1: killed,
//! interrupted and failed jobs resume to the same export as an uninterrupted run, without
//! resending committed chunks.

mod support;

use dgs_core::store::{SqliteStore, Store};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use support::mock_llm::MockLlm;
use support::{demo_prompt, dgs, path_arg, read_csv, write_ledger};

/// Items per chunk: the 48 groups of the test ledger make 12 chunks.
const CHUNK_SIZE: &str = "4";

/// Time the mock takes per request, so a test can stop the job between chunks.
const SLOW: Duration = Duration::from_millis(300);

/// Longest wait for a job to reach a point; only reached when the job is stuck.
const WAIT_LIMIT: Duration = Duration::from_secs(120);

/// A `dgs` command that sends requests to `mock` with a test key.
fn dgs_with_mock(mock: &MockLlm) -> Command {
    let mut command = dgs();
    command
        .env("OPENAI_BASE_URL", mock.base_url())
        .env("OPENAI_API_KEY", "test-key");
    command
}

/// Arguments of `dgs run` on `input` with the demo prompt.
fn run_args(input: &Path, store: &Path, out: &Path, concurrency: &str) -> Vec<String> {
    [
        "run",
        path_arg(input),
        "--column",
        "Glosa",
        "--prompt",
        path_arg(&demo_prompt()),
        "--chunk-size",
        CHUNK_SIZE,
        "--concurrency",
        concurrency,
        "--store",
        path_arg(store),
        "--out",
        path_arg(out),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Starts `command` with stdout piped and returns the child and the job id it printed first.
fn spawn_job(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dgs starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).unwrap();
    let job_id = first_line.trim().to_owned();
    assert_eq!(
        job_id.len(),
        36,
        "first stdout line is the job id: {first_line:?}"
    );
    (child, job_id)
}

/// Waits for a child and returns its status, stdout and stderr.
fn finish(mut child: Child) -> (ExitStatus, String, String) {
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout).unwrap();
    }
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).unwrap();
    }
    let status = child.wait().unwrap();
    (status, stdout, stderr)
}

/// Reads the SQLite store a running `dgs` writes to.
struct StoreProbe {
    runtime: tokio::runtime::Runtime,
    store: SqliteStore,
}

impl StoreProbe {
    fn open(path: &Path) -> StoreProbe {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = runtime.block_on(SqliteStore::open(path)).unwrap();
        StoreProbe { runtime, store }
    }

    fn committed(&self, job_id: &str) -> usize {
        self.runtime
            .block_on(self.store.committed_chunks(job_id, 1))
            .map(|chunks| chunks.len())
            .unwrap_or(0)
    }

    /// Returns the primary clean text of every group in a committed chunk.
    fn committed_texts(&self, job_id: &str) -> HashSet<String> {
        self.runtime.block_on(async {
            let checkpoints = self.store.list_checkpoints(job_id, 1).await.unwrap();
            let ids: Vec<u64> = checkpoints
                .iter()
                .flat_map(|checkpoint| checkpoint.item_ids.iter().copied())
                .collect();
            let groups = self.store.get_groups(job_id, Some(&ids)).await.unwrap();
            groups
                .into_iter()
                .map(|group| group.fields[0].1.clone())
                .collect()
        })
    }

    /// Polls until `job_id` has at least `chunks` committed chunks.
    fn wait_for_chunks(&self, job_id: &str, chunks: usize, child: &mut Child) {
        let start = Instant::now();
        while self.committed(job_id) < chunks {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("dgs exited with {status} before {chunks} chunks were committed");
            }
            assert!(
                start.elapsed() < WAIT_LIMIT,
                "job {job_id} stuck below {chunks} chunks"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Runs the job without interruption against a fast mock and returns the CSV export.
fn reference_export(input: &Path, dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mock = MockLlm::start(&demo_prompt(), Duration::ZERO);
    let store = dir.join("reference.db");
    let out = dir.join("reference.csv");
    let output = dgs_with_mock(&mock)
        .args(run_args(input, &store, &out, "4"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "reference run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_csv(&out)
}

fn resume_command(mock: &MockLlm, job_id: &str, store: &Path, out: Option<&PathBuf>) -> Command {
    let mut command = dgs_with_mock(mock);
    command.args(["resume", job_id, "--store", path_arg(store)]);
    if let Some(out) = out {
        command.args(["--out", path_arg(out)]);
    }
    command
}

#[test]
fn killed_job_resumes_to_same_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let expected = reference_export(&input, dir.path());
    assert_eq!(expected.1.len(), 60, "reference export has every row");

    let mock = MockLlm::start(&demo_prompt(), SLOW);
    let store = dir.path().join("dgs.db");
    let out = dir.path().join("out.csv");

    let mut command = dgs_with_mock(&mock);
    command.args(run_args(&input, &store, &out, "1"));
    let (mut child, job_id) = spawn_job(command);
    let probe = StoreProbe::open(&store);

    // (requests received when the process was dead, texts committed by then)
    let mut kills: Vec<(usize, HashSet<String>)> = Vec::new();
    for (round, chunks) in [1, 3, 6].into_iter().enumerate() {
        if round > 0 {
            let command = resume_command(&mock, &job_id, &store, None);
            child = command_spawn(command);
        }
        probe.wait_for_chunks(&job_id, chunks, &mut child);
        child.kill().unwrap();
        child.wait().unwrap();
        let committed = probe.committed(&job_id);
        assert!(
            committed < 12,
            "kill {round} came before the last chunk: {committed}"
        );
        kills.push((mock.received().len(), probe.committed_texts(&job_id)));
    }

    // Without --out the resume exports to the file named by `dgs run`.
    let output = resume_command(&mock, &job_id, &store, None)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "final resume: {stderr}");

    let actual = read_csv(&out);
    assert_eq!(actual.0, expected.0, "export header");
    assert_eq!(actual.1.len(), expected.1.len(), "export row count");
    for (row, (got, want)) in actual.1.iter().zip(&expected.1).enumerate() {
        assert_eq!(got, want, "export row {row}");
    }

    let received = mock.received();
    assert!(
        received.len() > kills.last().unwrap().0,
        "the final resume sent the remaining chunks"
    );
    for (kill, (requests_before, committed)) in kills.iter().enumerate() {
        assert!(!committed.is_empty(), "kill {kill} happened after a commit");
        let sent_before: HashSet<&String> = received[..*requests_before]
            .iter()
            .flat_map(|request| &request.items)
            .collect();
        for text in committed {
            assert!(
                sent_before.contains(text),
                "committed `{text}` matches a sent item"
            );
        }
        for request in &received[*requests_before..] {
            for text in &request.items {
                assert!(
                    !committed.contains(text),
                    "`{text}` was committed before kill {kill} and requested again"
                );
            }
        }
    }
}

fn command_spawn(mut command: Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dgs starts")
}

#[test]
fn ctrl_c_cancels_and_resume_completes() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let expected = reference_export(&input, dir.path());

    let mock = MockLlm::start(&demo_prompt(), SLOW);
    let store = dir.path().join("dgs.db");
    let out = dir.path().join("out.csv");
    let mut command = dgs_with_mock(&mock);
    command.args(run_args(&input, &store, &out, "1"));
    let (mut child, job_id) = spawn_job(command);
    let probe = StoreProbe::open(&store);
    probe.wait_for_chunks(&job_id, 2, &mut child);

    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -INT runs");
    let (status, _, stderr) = finish(child);
    assert_eq!(status.code(), Some(130), "exit code after Ctrl-C: {stderr}");
    let hint = format!(
        "Cancelled. Resume with: dgs resume {job_id} --store {}",
        store.display()
    );
    assert!(stderr.contains(&hint), "stderr lacks `{hint}`: {stderr}");
    assert!(!out.exists(), "a cancelled run writes no export");

    let committed = probe.committed(&job_id);
    assert!(
        (2..12).contains(&committed),
        "committed chunks after cancel: {committed}"
    );

    let output = resume_command(&mock, &job_id, &store, Some(&out))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "resume: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(read_csv(&out), expected, "export after resume");
}

#[test]
fn outage_fails_job_then_resume_completes() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let expected = reference_export(&input, dir.path());

    let mock = MockLlm::start(&demo_prompt(), Duration::ZERO);
    mock.fail_next(u32::MAX);
    let store = dir.path().join("dgs.db");
    let out = dir.path().join("out.csv");
    let output = dgs_with_mock(&mock)
        .args(run_args(&input, &store, &out, "12"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let job_id = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "exit code of a failed job: {stderr}"
    );
    assert!(
        stderr.contains(&format!("dgs resume {job_id} --store")),
        "stderr names the resume command: {stderr}"
    );
    assert!(!out.exists(), "a failed job writes no export");
    assert!(
        mock.received().iter().all(|request| request.status == 500),
        "every request met the outage"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_dgs"))
        .args([
            "export",
            &job_id,
            "--store",
            path_arg(&store),
            "--out",
            path_arg(&out),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "export of an unfinished job: {stderr}"
    );
    assert!(
        stderr.contains(&format!("Resume with: dgs resume {job_id} --store")),
        "export names the resume command: {stderr}"
    );
    assert!(!out.exists(), "an unfinished job writes no export");

    mock.fail_next(0);
    let output = resume_command(&mock, &job_id, &store, Some(&out))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "resume after the outage: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(read_csv(&out), expected, "export after the outage");
}

#[test]
fn changed_input_rejected_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let mock = MockLlm::start(&demo_prompt(), SLOW);
    let store = dir.path().join("dgs.db");
    let out = dir.path().join("out.csv");

    let mut command = dgs_with_mock(&mock);
    command.args(run_args(&input, &store, &out, "1"));
    let (mut child, job_id) = spawn_job(command);
    let probe = StoreProbe::open(&store);
    probe.wait_for_chunks(&job_id, 1, &mut child);
    child.kill().unwrap();
    child.wait().unwrap();

    let mut text = std::fs::read_to_string(&input).unwrap();
    text.push_str("2024-02-01;Compra de lapices rojos;990\n");
    std::fs::write(&input, text).unwrap();

    let output = resume_command(&mock, &job_id, &store, Some(&out))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "exit code: {stderr}");
    assert!(
        stderr.contains("changed"),
        "stderr says the input changed: {stderr}"
    );
    assert!(
        stderr.contains(path_arg(&input)),
        "stderr names the input: {stderr}"
    );
    assert!(!out.exists(), "no export from a changed input");
}

#[test]
fn api_key_never_printed() {
    let secret = "sk-test-NEVER-PRINT-7f3a9c";
    let dir = tempfile::tempdir().unwrap();
    let input = write_ledger(dir.path());
    let mock = MockLlm::start(&demo_prompt(), Duration::ZERO);
    mock.fail_next(2);
    let store = dir.path().join("dgs.db");
    let out = dir.path().join("out.csv");

    let mut runs = Vec::new();
    let mut command = dgs_with_mock(&mock);
    command
        .env("OPENAI_API_KEY", secret)
        .env("RUST_LOG", "debug")
        .args(run_args(&input, &store, &out, "2"));
    runs.push(("run", command.output().unwrap()));

    let mut command = dgs();
    command
        .env("OPENAI_API_KEY", secret)
        .args(["status", "--json", "--store", path_arg(&store)]);
    runs.push(("status", command.output().unwrap()));

    let outage = MockLlm::start(&demo_prompt(), Duration::ZERO);
    outage.fail_next(u32::MAX);
    let mut command = dgs();
    command
        .env("GEMINI_API_KEY", secret)
        .env(
            "GEMINI_BASE_URL",
            format!("http://127.0.0.1:{}", outage.port),
        )
        .env("RUST_LOG", "debug")
        .args(run_args(&input, &store, &out, "12"))
        .args(["--provider", "gemini"]);
    runs.push(("gemini run", command.output().unwrap()));

    for (name, output) in &runs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stdout.contains(secret), "{name} printed the key on stdout");
        assert!(!stderr.contains(secret), "{name} printed the key on stderr");
    }
    assert_eq!(runs[0].1.status.code(), Some(0), "the OpenAI run completes");
    assert_eq!(
        runs[2].1.status.code(),
        Some(1),
        "the Gemini run fails on the outage"
    );
    assert!(
        !outage.received().is_empty(),
        "the Gemini run sent requests"
    );
    let export = std::fs::read_to_string(&out).unwrap();
    assert!(!export.contains(secret), "the export holds no key");
    let needle = secret.as_bytes();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("dgs.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(needle.len()).any(|window| window == needle),
            "store file {name} holds the key"
        );
    }
}
