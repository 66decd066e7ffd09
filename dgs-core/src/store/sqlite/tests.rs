use super::schema::latest_version;
use super::SqliteStore;
use crate::classify::{Classification, ClassificationStatus};
use crate::llm::TokenUsage;
use crate::store::{
    ChunkCheckpoint, JobRecord, JobStatus, RecordKind, Store, StoreError, Verdict, VerdictKind,
};
use chrono::Utc;
use rusqlite::Connection;
use std::path::Path;

fn job() -> JobRecord {
    JobRecord::new(
        "ledger.zip",
        "ab".repeat(32),
        serde_json::json!({"chunk_size": 25}),
    )
    .unwrap()
}

fn result(id: u64) -> Classification {
    Classification {
        id,
        category: "Nómina".into(),
        score: 0.8,
        reason: "salary".into(),
        status: ClassificationStatus::Ok,
        attempts: 1,
    }
}

fn checkpoint(job_id: &str, chunk_index: u32, item_ids: Vec<u64>) -> ChunkCheckpoint {
    ChunkCheckpoint {
        job_id: job_id.to_owned(),
        iteration: 1,
        chunk_index,
        item_ids,
        usage: TokenUsage {
            prompt_tokens: 10,
            completion_tokens: 5,
        },
        requests: 1,
        committed_at: Utc::now(),
    }
}

fn raw_connection(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

#[tokio::test]
async fn open_applies_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("dgs.db")).await.unwrap();
    let connection = store.connection.lock().unwrap();

    let journal_mode: String = connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    let synchronous: i64 = connection
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap();
    let foreign_keys: i64 = connection
        .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
        .unwrap();

    assert_eq!(journal_mode, "wal");
    assert_eq!(synchronous, 1, "synchronous=NORMAL is 1");
    assert_eq!(foreign_keys, 1);
}

#[tokio::test]
async fn older_database_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgs.db");
    let job = job();

    let old = SqliteStore::open_at_version(&path, 1).unwrap();
    assert_eq!(old.schema_version().await.unwrap(), 1);
    old.create_job(&job).await.unwrap();
    let verdict = Verdict {
        job_id: job.id.clone(),
        group_id: 0,
        verdict: VerdictKind::Correct,
        corrected_category: None,
        reviewer: None,
        iteration_reviewed: 1,
        recorded_at: Utc::now(),
    };
    let error = old
        .put_verdicts(std::slice::from_ref(&verdict))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("no such table: verdicts"),
        "version 1 has no verdicts table: {error}"
    );
    drop(old);

    let store = SqliteStore::open(&path).await.unwrap();

    assert_eq!(store.schema_version().await.unwrap(), latest_version());
    assert_eq!(
        store.get_job(&job.id).await.unwrap().input_hash,
        job.input_hash
    );
    store
        .put_verdicts(std::slice::from_ref(&verdict))
        .await
        .unwrap();
    assert_eq!(store.verdicts(&job.id).await.unwrap().len(), 1);

    let versions: Vec<u32> = {
        let connection = store.connection.lock().unwrap();
        let mut statement = connection
            .prepare("SELECT version FROM schema_version ORDER BY version")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(versions, (1..=latest_version()).collect::<Vec<_>>());
}

#[tokio::test]
async fn newer_database_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgs.db");
    drop(SqliteStore::open(&path).await.unwrap());
    raw_connection(&path)
        .execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')",
            [],
        )
        .unwrap();

    let error = SqliteStore::open(&path).await.unwrap_err();

    match &error {
        StoreError::UnsupportedSchema {
            path: reported,
            found,
            supported,
        } => {
            assert_eq!(reported, &path.display().to_string());
            assert_eq!(*found, 99);
            assert_eq!(*supported, latest_version());
        }
        other => panic!("expected UnsupportedSchema, got {other:?}"),
    }
    assert!(error.to_string().contains("newer dgs"), "{error}");
}

#[tokio::test]
async fn failed_commit_rolls_back_checkpoint() {
    let store = SqliteStore::open(":memory:").await.unwrap();
    let job = job();
    store.create_job(&job).await.unwrap();

    // The checkpoint and result 1 insert, then u64::MAX does not fit an SQLite integer.
    let chunk = checkpoint(&job.id, 0, vec![1, u64::MAX]);
    let error = store
        .commit_chunk(&chunk, &[result(1), result(u64::MAX)])
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            StoreError::Invalid {
                kind: RecordKind::Classification,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(store.committed_chunks(&job.id, 1).await.unwrap().is_empty());
    assert!(store
        .get_classifications(&job.id, 1)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn corrupt_group_map_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgs.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let job = job();
    store.create_job(&job).await.unwrap();
    raw_connection(&path)
        .execute(
            "INSERT INTO group_maps (job_id, row_count, group_of) VALUES (?1, 1, x'00000000000000')",
            [&job.id],
        )
        .unwrap();

    let error = store.get_group_map(&job.id).await.unwrap_err();

    assert!(
        matches!(
            error,
            StoreError::Corrupt {
                table: "group_maps",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("7 bytes"), "{error}");
}

#[tokio::test]
async fn backend_error_names_operation_and_job() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgs.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let job = job();
    store.create_job(&job).await.unwrap();
    raw_connection(&path)
        .execute("DROP TABLE metrics", [])
        .unwrap();

    let error = store
        .put_metrics(&job.id, 1, &serde_json::json!({}))
        .await
        .unwrap_err();

    match &error {
        StoreError::Backend {
            operation,
            table,
            job_id,
            ..
        } => {
            assert_eq!(*operation, "put");
            assert_eq!(*table, "metrics");
            assert_eq!(job_id.as_deref(), Some(job.id.as_str()));
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains(&format!("for job {}", job.id)),
        "{message}"
    );
    assert!(message.contains("no such table"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_write_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgs.db");
    let first = SqliteStore::open(&path).await.unwrap();
    let second = SqliteStore::open(&path).await.unwrap();
    let first_job = job();
    let second_job = job();
    first.create_job(&first_job).await.unwrap();
    second.create_job(&second_job).await.unwrap();

    let write = |store: SqliteStore, job_id: String| async move {
        for chunk_index in 0..30u32 {
            let id = u64::from(chunk_index);
            store
                .commit_chunk(&checkpoint(&job_id, chunk_index, vec![id]), &[result(id)])
                .await?;
        }
        Ok::<(), StoreError>(())
    };
    let (a, b) = tokio::join!(
        tokio::spawn(write(first.clone(), first_job.id.clone())),
        tokio::spawn(write(second.clone(), second_job.id.clone())),
    );
    a.unwrap().unwrap();
    b.unwrap().unwrap();

    assert_eq!(
        first
            .committed_chunks(&second_job.id, 1)
            .await
            .unwrap()
            .len(),
        30
    );
    assert_eq!(
        second
            .committed_chunks(&first_job.id, 1)
            .await
            .unwrap()
            .len(),
        30
    );
    assert_eq!(
        first.get_job(&second_job.id).await.unwrap().status,
        JobStatus::Created
    );
}

/// Builds `group_of` and group records from a key per row: rows with equal keys share the
/// group of the first such row.
fn grouping_from_keys(keys: &[u8]) -> (Vec<u64>, Vec<crate::store::GroupRecord>) {
    let mut first_row_of_key = std::collections::HashMap::new();
    let mut group_of = Vec::with_capacity(keys.len());
    let mut groups: Vec<crate::store::GroupRecord> = Vec::new();

    for (row_index, key) in keys.iter().enumerate() {
        let group_id = *first_row_of_key.entry(key).or_insert(row_index as u64);
        group_of.push(group_id);

        match groups.iter_mut().find(|group| group.group_id == group_id) {
            Some(group) => group.size += 1,
            None => groups.push(crate::store::GroupRecord {
                group_id,
                size: 1,
                fields: vec![("cleanLineDescription".into(), format!("línea {key}"))],
            }),
        }
    }
    (group_of, groups)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    #[test]
    fn group_map_round_trips(keys in proptest::collection::vec(0u8..20, 0..300)) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let (group_of, groups) = grouping_from_keys(&keys);

        let (stored_map, stored_groups) = runtime.block_on(async {
            let store = SqliteStore::open(":memory:").await.unwrap();
            let job = job();
            store.create_job(&job).await.unwrap();
            store.put_groups(&job.id, &group_of, &groups).await.unwrap();
            (
                store.get_group_map(&job.id).await.unwrap(),
                store.get_groups(&job.id, None).await.unwrap(),
            )
        });

        proptest::prop_assert_eq!(stored_map, group_of);
        proptest::prop_assert_eq!(stored_groups, groups);
    }
}
