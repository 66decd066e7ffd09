//! The review loop over a stored job: samples, verdict import and new iterations with
//! another prompt version.

mod job_support;

use chrono::Utc;
use dgs_core::job::{JobError, Jobs};
use dgs_core::review::{ImportedVerdict, SampleOptions, SampleSize, VerdictImport};
use dgs_core::store::{JobStatus, Verdict, VerdictKind};
use job_support::*;
use tokio_util::sync::CancellationToken;

/// Creates and runs a job on the sample ZIP, returning its id.
async fn completed_job(jobs: &Jobs) -> String {
    let record = jobs
        .create(&sample_zip(), &demo_prompt().await, sample_options(200))
        .await
        .unwrap();
    let provider = RecordingProvider::new().await;
    let report = jobs
        .run(
            &record.id,
            provider,
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();
    assert_eq!(report.status, JobStatus::Completed);
    record.id
}

fn imported(
    group_id: u64,
    kind: VerdictKind,
    corrected: Option<&str>,
    line: u64,
) -> ImportedVerdict {
    ImportedVerdict {
        group_id,
        kind,
        corrected_category: corrected.map(str::to_owned),
        comment: None,
        line,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_and_verdicts_on_stored_job() {
    let jobs = memory_jobs();
    let job_id = completed_job(&jobs).await;
    let options = SampleOptions {
        size: SampleSize::Count(30),
        min_per_stratum: 1,
        seed: 3,
        score_bands: vec![0.5],
    };

    let first = jobs.draw_sample(&job_id, None, &options).await.unwrap();
    let second = jobs.draw_sample(&job_id, None, &options).await.unwrap();
    assert_eq!(first.record.group_ids, second.record.group_ids);
    assert_eq!(first.record.sample_id, second.record.sample_id);
    assert_eq!(jobs.store().list_samples(&job_id).await.unwrap().len(), 1);
    assert_eq!(first.items.len(), first.record.group_ids.len());
    assert!(first.items.iter().all(|item| !item.fields.is_empty()));
    assert!(first.categories.contains(&"Obras".to_owned()));

    // A verdict stored before the import, for a group the file does not name.
    let kept_group = first.record.group_ids[5];
    let kept = Verdict {
        job_id: job_id.clone(),
        group_id: kept_group,
        verdict: VerdictKind::Correct,
        corrected_category: None,
        reviewer: None,
        iteration_reviewed: 1,
        recorded_at: Utc::now(),
    };
    jobs.store().put_verdicts(&[kept]).await.unwrap();

    let ids = &first.record.group_ids;
    let import = VerdictImport {
        table: "revision".into(),
        rows: 4,
        verdicts: vec![
            imported(ids[0], VerdictKind::Correct, None, 2),
            imported(ids[1], VerdictKind::Incorrect, Some("OBRAS"), 3),
            imported(ids[2], VerdictKind::Incorrect, Some("no existe"), 4),
            imported(999_999_999, VerdictKind::Correct, None, 5),
        ],
        ..VerdictImport::default()
    };
    let report = jobs
        .import_verdicts(&job_id, &import, Some("ana".into()))
        .await
        .unwrap();
    assert_eq!(report.imported, 3);
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert_eq!(report.problems[0].line, 4);
    assert_eq!(report.problems[0].value, "no existe");
    assert_eq!(report.problems[1].line, 5);

    let stored = jobs.store().verdicts(&job_id).await.unwrap();
    assert_eq!(stored.len(), 4, "three imported plus the one kept");
    let by_group = |group_id: u64| stored.iter().find(|v| v.group_id == group_id).unwrap();
    assert_eq!(
        by_group(ids[1]).corrected_category.as_deref(),
        Some("Obras")
    );
    assert_eq!(by_group(ids[2]).verdict, VerdictKind::Incorrect);
    assert_eq!(by_group(ids[2]).corrected_category, None);
    assert_eq!(by_group(ids[0]).reviewer.as_deref(), Some("ana"));
    assert!(stored.iter().any(|v| v.group_id == kept_group));

    // Re-importing changes nothing.
    jobs.import_verdicts(&job_id, &import, Some("ana".into()))
        .await
        .unwrap();
    assert_eq!(jobs.store().verdicts(&job_id).await.unwrap(), stored);

    let view = jobs.iteration_metrics(&job_id, None).await.unwrap();
    assert_eq!(view.metrics.reviewed_groups, 4);
    let expected_coverage = 4.0 / first.record.group_ids.len() as f64;
    assert!((view.metrics.coverage.unwrap() - expected_coverage).abs() < 1e-9);
    assert!(jobs
        .store()
        .get_metrics(&job_id, 1)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_classifies_stored_groups_again() {
    let jobs = memory_jobs();
    let job_id = completed_job(&jobs).await;
    let groups = jobs.store().get_groups(&job_id, None).await.unwrap().len();

    let mut prompt = demo_prompt().await;
    prompt.categories[0]
        .description
        .push_str(" Incluye alambres.");
    let record = jobs.rerun(&job_id, &prompt).await.unwrap();
    assert_eq!(record.current_iteration, 2);

    let provider = RecordingProvider::new().await;
    let report = jobs
        .run(
            &job_id,
            provider.clone(),
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();
    assert_eq!(report.status, JobStatus::Completed);
    assert_eq!(report.prompt_version, 2);
    assert_eq!(provider.texts().len(), groups, "every group is sent again");

    let second = jobs.store().get_classifications(&job_id, 2).await.unwrap();
    assert_eq!(second.len(), groups);
    let iterations = jobs.iteration_views(&job_id).await.unwrap();
    assert_eq!(iterations.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_job_rejects_rerun_and_sample() {
    let jobs = memory_jobs();
    let prompt = demo_prompt().await;
    let record = jobs
        .create(&sample_zip(), &prompt, sample_options(200))
        .await
        .unwrap();

    let error = jobs.rerun(&record.id, &prompt).await.unwrap_err();
    assert!(matches!(error, JobError::Config { .. }), "{error}");
    let stored = jobs.store().get_job(&record.id).await.unwrap();
    assert_eq!(stored.current_iteration, record.current_iteration);

    let error = jobs
        .draw_sample(&record.id, None, &SampleOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, JobError::NotFinished { .. }), "{error}");
}
