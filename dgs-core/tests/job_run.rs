//! A whole job on the sample ZIP: prepare, classify with the offline keyword provider,
//! export to XLSX and read it back.

mod job_support;

use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use dgs_core::export::ExportOptions;
use dgs_core::job::{JobError, ProgressEvent, Stage};
use dgs_core::store::JobStatus;
use job_support::*;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

fn column(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|cell| *cell == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_run_exports_sample_to_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = sqlite_jobs(dir.path()).await;
    let record = jobs
        .create(&sample_zip(), &demo_prompt().await, sample_options(100))
        .await
        .unwrap();
    let events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let provider = RecordingProvider::new().await;

    let report = jobs
        .run(&record.id, provider.clone(), CancellationToken::new(), {
            let events = Arc::clone(&events);
            move |event| events.lock().unwrap().push(event)
        })
        .await
        .unwrap();

    assert_eq!(report.status, JobStatus::Completed, "{report:?}");
    assert_eq!(report.rows, SAMPLE_ROWS);
    assert!(
        report.groups > 0 && report.groups < SAMPLE_ROWS,
        "{report:?}"
    );
    assert_eq!(report.chunks, report.groups.div_ceil(100));
    assert_eq!(report.committed_chunks, report.chunks);
    assert_eq!(report.failed_chunks, 0);
    assert!(report.failed_files.is_empty(), "{:?}", report.failed_files);
    assert_eq!(report.requests as usize, provider.request_count());
    assert_eq!(report.provider, "keywords");
    assert_eq!(report.prompt_id, "chilecompra-es");

    let events = events.lock().unwrap().clone();
    let prepare: Vec<&ProgressEvent> = events
        .iter()
        .filter(|e| e.stage == Stage::Prepare)
        .collect();
    assert_eq!(prepare.last().unwrap().done, SAMPLE_ROWS);
    assert!(
        prepare.len() <= (SAMPLE_ROWS / 1_000 + 2) as usize,
        "prepare events are throttled, got {}",
        prepare.len()
    );
    let classify = events
        .iter()
        .rev()
        .find(|e| e.stage == Stage::Classify)
        .unwrap();
    assert_eq!(classify.done, report.chunks);
    assert_eq!(classify.total, Some(report.chunks));

    let output = dir.path().join("salida.xlsx");
    let export_events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let exported = jobs
        .export(&record.id, None, &output, None, ExportOptions::default(), {
            let export_events = Arc::clone(&export_events);
            move |event| export_events.lock().unwrap().push(event)
        })
        .await
        .unwrap();
    assert_eq!(exported.rows_written, SAMPLE_ROWS);
    let export_events = export_events.lock().unwrap().clone();
    assert!(export_events
        .iter()
        .all(|event| event.stage == Stage::Export));
    assert_eq!(export_events.len() as u64, SAMPLE_ROWS / 1_000 + 1);
    assert_eq!(export_events.last().unwrap().done, SAMPLE_ROWS);
    assert_eq!(export_events.last().unwrap().total, Some(SAMPLE_ROWS));

    let mut workbook: Xlsx<_> = open_workbook(&output).unwrap();
    let range = workbook.worksheet_range("clasificacion").unwrap();
    let mut rows = range.rows();
    let header = rows.next().unwrap().to_vec();
    let row_index = column(&header, "row_index");
    let category = column(&header, "category");
    let clean = column(&header, "cleanDescripcion");
    let file = column(&header, "file");

    let mut seen = vec![false; SAMPLE_ROWS as usize];
    let mut files_with_text = std::collections::BTreeSet::new();
    for row in rows {
        let index = row[row_index]
            .as_f64()
            .or_else(|| row[row_index].as_i64().map(|v| v as f64))
            .expect("numeric row_index") as usize;
        assert!(!seen[index], "row {index} exported twice");
        seen[index] = true;
        assert!(
            !row[category].to_string().is_empty(),
            "row {index} has no category"
        );
        let text = row[clean].to_string();
        assert!(
            !text.trim().is_empty(),
            "row {index} has no clean description"
        );
        files_with_text.insert(row[file].to_string());
    }
    assert!(seen.iter().all(|&found| found), "some rows are missing");
    assert_eq!(
        files_with_text.len(),
        3,
        "CSV, XLSX and JSONL rows all get cleanDescripcion: {files_with_text:?}"
    );
}

#[tokio::test]
async fn completed_job_runs_again_without_calls() {
    let jobs = memory_jobs();
    let record = jobs
        .create(&sample_zip(), &demo_prompt().await, sample_options(250))
        .await
        .unwrap();
    let first = jobs
        .run(
            &record.id,
            RecordingProvider::new().await,
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();
    assert_eq!(first.status, JobStatus::Completed);

    let provider = RecordingProvider::new().await;
    let second = jobs
        .run(
            &record.id,
            provider.clone(),
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();

    assert_eq!(provider.request_count(), 0);
    assert_eq!(second.status, JobStatus::Completed);
    assert_eq!(second.committed_chunks, first.committed_chunks);
    assert_eq!(second.usage, first.usage);
    assert_eq!(
        jobs.status(&record.id).await.unwrap().committed_chunks,
        first.chunks
    );
}

#[tokio::test]
async fn options_round_trip_through_the_store() {
    let jobs = memory_jobs();
    let options = sample_options(40);
    let record = jobs
        .create(&sample_zip(), &demo_prompt().await, options.clone())
        .await
        .unwrap();

    assert_eq!(jobs.options(&record.id).await.unwrap(), options);
    assert_eq!(
        options.column_aliases["Descripción"],
        vec!["Glosa".to_string(), "detalle".to_string()]
    );
    let status = jobs.status(&record.id).await.unwrap();
    assert_eq!(status.status, JobStatus::Created);
    assert_eq!(status.rows, 0);
}

#[tokio::test]
async fn missing_description_column_fails_the_job_naming_it() {
    let jobs = memory_jobs();
    let mut options = sample_options(100);
    options.column_aliases.clear();
    let record = jobs
        .create(&sample_zip(), &demo_prompt().await, options)
        .await
        .unwrap();

    let error = jobs
        .run(
            &record.id,
            RecordingProvider::new().await,
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap_err();

    assert!(matches!(error, JobError::Clean { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("Descripción") && message.contains(&record.id),
        "{message}"
    );
    let status = jobs.status(&record.id).await.unwrap();
    assert_eq!(status.status, JobStatus::Failed);
    assert_eq!(status.error.as_deref(), Some(message.as_str()));
}

#[tokio::test]
async fn broken_file_is_reported_and_rest_classified() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("entrada");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("a_compras.csv"),
        "Fecha;Descripción;Monto\n2024-01-02;Papel fotocopia;100\n2024-01-03;Servicio de aseo;200\n",
    )
    .unwrap();
    std::fs::write(
        input.join("b_tesoreria.jsonl"),
        "{\"detalle\": \"Arriendo de oficinas\"}\n{\"detalle\": \"Papel fotocopia\"}\n",
    )
    .unwrap();
    // A workbook that is not a ZIP container fails as a whole.
    std::fs::write(input.join("c_roto.xlsx"), b"not a workbook").unwrap();

    let jobs = memory_jobs();
    let record = jobs
        .create(&input, &demo_prompt().await, sample_options(2))
        .await
        .unwrap();
    let messages: Arc<Mutex<Vec<String>>> = Arc::default();
    let report = jobs
        .run(
            &record.id,
            RecordingProvider::new().await,
            CancellationToken::new(),
            {
                let messages = Arc::clone(&messages);
                move |event| {
                    if let Some(message) = event.message {
                        messages.lock().unwrap().push(message);
                    }
                }
            },
        )
        .await
        .unwrap();

    assert_eq!(report.status, JobStatus::Completed, "{report:?}");
    assert_eq!(report.rows, 4);
    assert_eq!(report.groups, 3, "the repeated description is one group");
    assert_eq!(report.failed_files.len(), 1, "{:?}", report.failed_files);
    assert_eq!(report.failed_files[0].file, "c_roto.xlsx");
    assert!(!report.failed_files[0].error.is_empty());
    let messages = messages.lock().unwrap().clone();
    assert!(
        messages
            .iter()
            .any(|message| message.contains("c_roto.xlsx")),
        "{messages:?}"
    );

    let output = dir.path().join("salida.jsonl");
    let exported = jobs
        .export(
            &record.id,
            None,
            &output,
            None,
            ExportOptions::default(),
            ignore_progress,
        )
        .await
        .unwrap();
    assert_eq!(exported.rows_written, 4);
    let lines = std::fs::read_to_string(&output).unwrap();
    let rows: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let indexes: Vec<u64> = rows
        .iter()
        .map(|row| row["row_index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, vec![0, 1, 2, 3]);
    assert_eq!(rows[3]["group"], rows[0]["group"], "{rows:?}");
}

#[tokio::test]
async fn cancel_before_start_then_resume_completes() {
    let jobs = memory_jobs();
    let record = jobs
        .create(&sample_zip(), &demo_prompt().await, sample_options(500))
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let provider = RecordingProvider::new().await;

    let cancelled = jobs
        .run(&record.id, provider.clone(), cancel, ignore_progress)
        .await
        .unwrap();

    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert_eq!(provider.request_count(), 0);
    assert_eq!(cancelled.committed_chunks, 0);
    let error = jobs
        .export(
            &record.id,
            None,
            std::path::Path::new("unused.csv"),
            None,
            ExportOptions::default(),
            ignore_progress,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, JobError::NotFinished { .. }), "{error:?}");

    let resumed = jobs
        .run(
            &record.id,
            provider.clone(),
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();
    assert_eq!(resumed.status, JobStatus::Completed);
    assert_eq!(resumed.rows, SAMPLE_ROWS);
}

#[tokio::test]
async fn invalid_options_are_rejected_at_create() {
    let jobs = memory_jobs();
    let prompt = demo_prompt().await;

    let mut no_column = sample_options(100);
    no_column.clean.columns.clear();
    let error = jobs
        .create(&sample_zip(), &prompt, no_column)
        .await
        .unwrap_err();
    assert!(matches!(error, JobError::Config { .. }), "{error:?}");

    let mut zero_chunks = sample_options(100);
    zero_chunks.classify.chunk_size = 0;
    let error = jobs
        .create(&sample_zip(), &prompt, zero_chunks)
        .await
        .unwrap_err();
    assert!(
        matches!(error, JobError::ClassifyConfig { .. }),
        "{error:?}"
    );

    let error = jobs
        .create(
            std::path::Path::new("does/not/exist.zip"),
            &prompt,
            sample_options(100),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, JobError::InputUnreadable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("exist.zip"), "{error}");

    assert!(jobs.store().list_jobs().await.unwrap().is_empty());
}
