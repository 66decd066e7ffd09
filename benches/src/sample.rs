//! The real ChileCompra sample and the example prompt, loaded for the classification
//! measurements.
//!
//! The descriptions come from the raw catalogue sample (`rubros_onu_muestra.csv`, `;`,
//! UTF-8 with a BOM), which is not part of the repository. Its train/test split is checked
//! against `examples/data/ground_truth.csv`, so a measurement on another copy of the sample
//! fails instead of reporting figures for different rows.

use dgs_core::prompt::Prompt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Value of `nombre_nivel1` in the one sample row that is not a category.
pub const NOT_A_CATEGORY: &str = "x";

/// Half of the sample a row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// Rows at even 0-based positions; the example prompt's keywords were mined from them.
    Train,
    /// Rows at odd 0-based positions; quality is measured on them.
    Test,
}

impl Split {
    /// Returns the split of the data row at 0-based `position`.
    pub fn of_position(position: usize) -> Split {
        if position % 2 == 0 {
            Split::Train
        } else {
            Split::Test
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }
}

/// One data row of the raw sample.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleRow {
    /// 0-based position among the data rows.
    pub position: usize,
    /// `idproducto_onu`.
    pub code: String,
    /// `nombreproducto_onu`, trimmed.
    pub description: String,
    /// `nombre_nivel1`, the true category.
    pub level1: String,
    pub split: Split,
}

/// Why the sample, the ground truth or the prompt could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },

    /// A CSV record could not be parsed.
    #[error("invalid CSV in {path} at line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },

    /// The header lacks a column the measurement needs.
    #[error("{path} has no column `{column}`")]
    MissingColumn { path: PathBuf, column: &'static str },

    /// The sample and the ground truth disagree on a row's split or category, or a row of
    /// the sample has no ground truth.
    #[error("{path} line {line}: code {code} {problem}")]
    GroundTruthMismatch {
        path: PathBuf,
        line: u64,
        code: String,
        problem: String,
    },

    /// The prompt file is not valid prompt JSON.
    #[error("invalid prompt JSON in {path}: {message}")]
    Prompt { path: PathBuf, message: String },
}

/// Returns a path inside the repository, given relative to its root.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// Returns the raw sample path: the first program argument, else
/// `../shared/data/chilecompra/rubros_onu_muestra.csv` next to the repository, where
/// `examples/data/build_sample.py` reads it from.
pub fn sample_path_from_args() -> PathBuf {
    std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_path("../shared/data/chilecompra/rubros_onu_muestra.csv"))
}

/// Reads the example prompt `examples/prompts/chilecompra.es.json`.
pub fn load_chilecompra_prompt() -> Result<Prompt, SampleError> {
    let path = repo_path("examples/prompts/chilecompra.es.json");
    let text = std::fs::read_to_string(&path).map_err(|error| SampleError::Read {
        path: path.clone(),
        message: error.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|error| SampleError::Prompt {
        path,
        message: error.to_string(),
    })
}

/// Reads every data row of the raw sample at `path` and checks each row's split and
/// category against `examples/data/ground_truth.csv`.
pub fn load_sample(path: &Path) -> Result<Vec<SampleRow>, SampleError> {
    let truth_path = repo_path("examples/data/ground_truth.csv");
    let truth = read_ground_truth(&truth_path)?;

    let mut reader = csv_reader(path)?;
    let columns = column_indexes(
        &mut reader,
        path,
        ["idproducto_onu", "nombreproducto_onu", "nombre_nivel1"],
    )?;

    let mut rows = Vec::new();
    for (position, record) in reader.records().enumerate() {
        let record = record.map_err(|error| csv_error(path, &error))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |index: usize| record.get(index).unwrap_or_default().trim().to_owned();
        let row = SampleRow {
            position,
            code: field(columns[0]),
            description: field(columns[1]),
            level1: field(columns[2]),
            split: Split::of_position(position),
        };

        let mismatch = |problem: String| SampleError::GroundTruthMismatch {
            path: path.to_owned(),
            line,
            code: row.code.clone(),
            problem,
        };
        let Some((level1, split)) = truth.get(&row.code) else {
            return Err(mismatch(format!("is not in {}", truth_path.display())));
        };
        if *level1 != row.level1 || *split != row.split.as_str() {
            return Err(mismatch(format!(
                "is {}/{} here but {level1}/{split} in {}",
                row.level1,
                row.split.as_str(),
                truth_path.display()
            )));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Reads `codigo -> (nombre_nivel1, split)` from the ground truth file.
fn read_ground_truth(path: &Path) -> Result<HashMap<String, (String, String)>, SampleError> {
    let mut reader = csv_reader(path)?;
    let columns = column_indexes(&mut reader, path, ["codigo", "nombre_nivel1", "split"])?;

    let mut truth = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|error| csv_error(path, &error))?;
        let field = |index: usize| record.get(index).unwrap_or_default().trim().to_owned();
        truth.insert(field(columns[0]), (field(columns[1]), field(columns[2])));
    }
    Ok(truth)
}

fn csv_reader(path: &Path) -> Result<csv::Reader<std::io::Cursor<Vec<u8>>>, SampleError> {
    let mut bytes = std::fs::read(path).map_err(|error| SampleError::Read {
        path: path.to_owned(),
        message: error.to_string(),
    })?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(std::io::Cursor::new(bytes)))
}

fn column_indexes<const N: usize>(
    reader: &mut csv::Reader<std::io::Cursor<Vec<u8>>>,
    path: &Path,
    names: [&'static str; N],
) -> Result<[usize; N], SampleError> {
    let headers = reader
        .headers()
        .map_err(|error| csv_error(path, &error))?
        .clone();
    let mut indexes = [0; N];
    for (slot, name) in indexes.iter_mut().zip(names) {
        *slot = headers
            .iter()
            .position(|header| header.trim() == name)
            .ok_or(SampleError::MissingColumn {
                path: path.to_owned(),
                column: name,
            })?;
    }
    Ok(indexes)
}

fn csv_error(path: &Path, error: &csv::Error) -> SampleError {
    SampleError::Csv {
        path: path.to_owned(),
        line: error.position().map_or(0, |p| p.line()),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_alternates_from_train() {
        let splits: Vec<Split> = (0..4).map(Split::of_position).collect();
        assert_eq!(
            splits,
            vec![Split::Train, Split::Test, Split::Train, Split::Test]
        );
    }

    #[test]
    fn example_prompt_loads() {
        let prompt = load_chilecompra_prompt().unwrap();
        assert_eq!(prompt.id, "chilecompra-es");
        assert_eq!(prompt.categories.len(), 57);
        assert!(prompt
            .categories
            .iter()
            .all(|category| category.name != NOT_A_CATEGORY));
    }

    #[test]
    fn ground_truth_reads_every_code() {
        let truth = read_ground_truth(&repo_path("examples/data/ground_truth.csv")).unwrap();
        assert_eq!(truth.len(), 4_709);
        assert_eq!(
            truth.get("10101501"),
            Some(&(
                "Artículos para plantas y animales".to_owned(),
                "train".to_owned()
            ))
        );
    }
}
