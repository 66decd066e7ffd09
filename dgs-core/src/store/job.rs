//! Job records: what a job read, how it was configured and how far it got.

use super::error::StoreError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Stage of a job's life.
///
/// The store records whatever status it is given. The job runner decides which transitions
/// are allowed, for example that a failed or cancelled job may be resumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Recorded, nothing run yet.
    Created,
    /// A process is working on it, or crashed while doing so.
    Running,
    /// Stopped on request; committed chunks are kept.
    Cancelled,
    /// Stopped by an error, stored in [`JobRecord::error`].
    Failed,
    /// Every stage finished.
    Completed,
}

impl JobStatus {
    /// Returns the snake_case name stored in databases and exports.
    pub fn as_str(&self) -> &'static str {
        match self {
            JobStatus::Created => "created",
            JobStatus::Running => "running",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Failed => "failed",
            JobStatus::Completed => "completed",
        }
    }

    /// Parses a name returned by [`JobStatus::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "created" => Some(JobStatus::Created),
            "running" => Some(JobStatus::Running),
            "cancelled" => Some(JobStatus::Cancelled),
            "failed" => Some(JobStatus::Failed),
            "completed" => Some(JobStatus::Completed),
            _ => None,
        }
    }
}

/// Sizes of a job's input, known once ingest and dedup have run. All zero before that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTotals {
    pub rows: u64,
    pub groups: u64,
    pub chunks: u64,
}

/// One job as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Time-sortable id in UUID version 7 layout, from [`new_job_id`].
    pub id: String,
    pub created_at: DateTime<Utc>,
    /// Time of the last status or progress update.
    pub updated_at: DateTime<Utc>,
    pub status: JobStatus,
    /// Input file as the user named it.
    pub input_path: String,
    /// Lowercase hex SHA-256 of the input (a file's bytes, or a folder's files), from
    /// [`hash_input`], so a resumed job can check that its row indexes still address the
    /// same rows.
    pub input_hash: String,
    /// The job options as JSON, without API keys: every store runs [`check_job_config`] on
    /// create, which rejects keys that look like credentials.
    pub config: serde_json::Value,
    pub totals: JobTotals,
    /// Iteration the job is running or last ran. Iterations count from 1.
    pub current_iteration: u32,
    /// Message of the error that failed the job.
    pub error: Option<String>,
}

impl JobRecord {
    /// Builds a record for a new job with a fresh id, status `created` and zero totals.
    ///
    /// Fails with [`StoreError::SecretInConfig`] when `config` contains a credential.
    pub fn new(
        input_path: impl Into<String>,
        input_hash: impl Into<String>,
        config: serde_json::Value,
    ) -> Result<Self, StoreError> {
        let id = new_job_id();
        check_job_config(&id, &config)?;

        let now = Utc::now();
        Ok(JobRecord {
            id,
            created_at: now,
            updated_at: now,
            status: JobStatus::Created,
            input_path: input_path.into(),
            input_hash: input_hash.into(),
            config,
            totals: JobTotals::default(),
            current_iteration: 1,
            error: None,
        })
    }

    /// Returns true when `other` describes the same job: same id, input and configuration.
    /// Status, totals and timestamps may differ because they change as the job runs.
    pub fn same_definition(&self, other: &JobRecord) -> bool {
        self.id == other.id
            && self.input_path == other.input_path
            && self.input_hash == other.input_hash
            && self.config == other.config
    }
}

/// Generates a job id: a UUID version 7 string (48-bit Unix milliseconds, then random bits),
/// so ids sort by creation time as text.
pub fn new_job_id() -> String {
    let millis = Utc::now().timestamp_millis().max(0) as u128 & 0xFFFF_FFFF_FFFF;
    let random: u128 = rand::random();

    let mut value = (millis << 80) | (random & ((1u128 << 80) - 1));
    value = (value & !(0xF << 76)) | (0x7 << 76);
    value = (value & !(0x3 << 62)) | (0x2 << 62);

    let hex = format!("{value:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Computes the lowercase hex SHA-256 of a job's input, read in 64 KiB blocks.
///
/// A file hashes its bytes. A folder hashes, for every file below it in sorted path order,
/// the relative path, its length and its bytes, so renaming, adding or removing a file
/// changes the hash as well as editing one. Timestamps and permissions are ignored.
pub fn hash_input(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();

    if path.is_dir() {
        for file in files_below(path)? {
            let relative = file.strip_prefix(path).unwrap_or(&file);
            hasher.update(relative.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update(file.metadata()?.len().to_le_bytes());
            hash_file(&file, &mut hasher)?;
        }
    } else {
        hash_file(path, &mut hasher)?;
    }

    Ok(to_hex(&hasher.finalize()))
}

fn hash_file(path: &Path, hasher: &mut Sha256) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        hasher.update(&buffer[..read]);
    }
}

fn files_below(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;

    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Key names under `*_key` that are options, not credentials.
const OPTION_NAMES_ENDING_IN_KEY: &[&str] = &["dedup_key", "sort_key", "group_key"];

/// Rejects a job configuration that contains a credential, anywhere in the JSON tree.
///
/// Names are compared lowercased, with `-` read as `_`. A key is a credential when its name
/// is `apikey` or ends in `apikey`, or ends in `_key` (except the option names `dedup_key`,
/// `sort_key` and `group_key`). It is also a credential when the name contains `api_key`,
/// `secret`, `password` or `authorization`, or has `token` as a whole word (`access_token`
/// but not `max_tokens`). Keys with a `null` value pass. A string value starting with
/// `Bearer ` or `sk-` is rejected whatever its key. Stores call this on create, so a job
/// record never contains an API key that these rules recognise.
pub fn check_job_config(job_id: &str, config: &serde_json::Value) -> Result<(), StoreError> {
    match find_secret(config, String::new()) {
        Some(path) => Err(StoreError::SecretInConfig {
            job_id: job_id.to_owned(),
            path,
        }),
        None => Ok(()),
    }
}

fn find_secret(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };

                if is_credential_name(key) && !child.is_null() {
                    return Some(child_path);
                }
                if let Some(found) = find_secret(child, child_path) {
                    return Some(found);
                }
            }
            None
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| find_secret(item, format!("{path}[{index}]"))),
        serde_json::Value::String(text) => {
            let looks_like_key = text.starts_with("Bearer ") || text.starts_with("sk-");
            looks_like_key.then_some(path)
        }
        _ => None,
    }
}

fn is_credential_name(key: &str) -> bool {
    let name = key.to_ascii_lowercase().replace('-', "_");

    if name == "apikey" || name.ends_with("apikey") {
        return true;
    }
    if name.ends_with("_key") && !OPTION_NAMES_ENDING_IN_KEY.contains(&name.as_str()) {
        return true;
    }

    let words: Vec<&str> = name.split('_').collect();
    name.contains("api_key")
        || name.contains("secret")
        || name.contains("password")
        || name.contains("authorization")
        || words.contains(&"token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_id_is_uuid_v7_layout() {
        let id = new_job_id();

        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(&id[14..15], "7", "version nibble in {id}");
        assert!(
            matches!(&id[19..20], "8" | "9" | "a" | "b"),
            "variant in {id}"
        );
        assert_ne!(id, new_job_id());
    }

    #[test]
    fn job_ids_sort_by_time() {
        let first = new_job_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_job_id();

        assert!(first < second, "{first} should sort before {second}");
    }

    #[test]
    fn config_guard_rejects_credentials() {
        let cases = [
            (json!({"api_key": "x"}), "api_key"),
            (
                json!({"llm": {"OPENAI_API_KEY": "x"}}),
                "llm.OPENAI_API_KEY",
            ),
            (
                json!({"providers": [{"gemini-key": "x"}]}),
                "providers[0].gemini-key",
            ),
            (
                json!({"headers": {"Authorization": "x"}}),
                "headers.Authorization",
            ),
            (json!({"apiKey": "x"}), "apiKey"),
            (json!({"access_token": "x"}), "access_token"),
            (json!({"client_secret": "x"}), "client_secret"),
            (json!({"note": "sk-abc123"}), "note"),
            (json!({"extra": ["Bearer abc"]}), "extra[0]"),
        ];

        for (config, expected_path) in cases {
            let error = check_job_config("job-1", &config).unwrap_err();
            match error {
                StoreError::SecretInConfig { job_id, path } => {
                    assert_eq!(job_id, "job-1");
                    assert_eq!(path, expected_path, "config {config}");
                }
                other => panic!("unexpected error {other:?} for {config}"),
            }
        }
    }

    #[test]
    fn config_guard_accepts_options() {
        let config = json!({
            "chunk_size": 50,
            "max_tokens": 4096,
            "dedup_key": "fingerprint",
            "model": "gpt-4o-mini",
            "api_key": null,
            "columns": ["LineDescription"],
        });

        assert!(check_job_config("job-1", &config).is_ok());
    }

    #[test]
    fn new_job_rejects_secret() {
        let result = JobRecord::new("in.zip", "00", json!({"openai_api_key": "x"}));

        assert!(matches!(result, Err(StoreError::SecretInConfig { .. })));
    }

    #[test]
    fn hash_input_of_folder_changes_with_content_and_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.csv"), b"x;y\n1;2\n").unwrap();
        std::fs::write(dir.path().join("b.json"), b"[]").unwrap();
        let original = hash_input(dir.path()).unwrap();

        assert_eq!(
            hash_input(dir.path()).unwrap(),
            original,
            "hash must be stable"
        );

        std::fs::write(dir.path().join("b.json"), b"[{}]").unwrap();
        let edited = hash_input(dir.path()).unwrap();
        assert_ne!(edited, original, "an edited file must change the hash");

        std::fs::rename(dir.path().join("b.json"), dir.path().join("c.json")).unwrap();
        assert_ne!(
            hash_input(dir.path()).unwrap(),
            edited,
            "a renamed file must change the hash"
        );
    }

    #[test]
    fn hash_input_matches_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.csv");
        std::fs::write(&path, b"abc").unwrap();

        let hash = hash_input(&path).unwrap();

        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
