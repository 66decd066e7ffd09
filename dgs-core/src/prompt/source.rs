//! Prompt sources: the [`PromptSource`] trait, a JSON file source and an in-memory source.
//!
//! A source returns the latest version of each prompt. Keeping the history of versions is
//! the store's job; these sources only hold what they were given.

use super::error::PromptError;
use super::model::Prompt;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Supplies prompts to a job.
///
/// Small on purpose, so a Python or JavaScript object can implement it through the bindings.
#[async_trait]
pub trait PromptSource: Send + Sync {
    /// Returns the latest version of the prompt with this id, or [`PromptError::NotFound`].
    async fn get(&self, id: &str) -> Result<Prompt, PromptError>;

    /// Returns the prompt used when a job names none: the one marked `is_default`, or the
    /// only prompt when the source holds exactly one. Otherwise [`PromptError::NoDefault`].
    async fn default_prompt(&self) -> Result<Prompt, PromptError>;

    /// Returns the latest version of every prompt, sorted by id.
    async fn list(&self) -> Result<Vec<Prompt>, PromptError>;
}

/// Prompts indexed by id, each with its versions and where each version came from.
#[derive(Debug, Default)]
struct PromptSet {
    by_id: BTreeMap<String, BTreeMap<u32, (Prompt, String)>>,
}

impl PromptSet {
    /// Adds a validated prompt; `origin` names its file in error messages.
    fn insert(&mut self, prompt: Prompt, origin: String) -> Result<(), PromptError> {
        let versions = self.by_id.entry(prompt.id.clone()).or_default();
        if let Some((_, first)) = versions.get(&prompt.version) {
            return Err(PromptError::DuplicateVersion {
                id: prompt.id.clone(),
                version: prompt.version,
                first: first.clone(),
                second: origin,
            });
        }
        versions.insert(prompt.version, (prompt, origin));
        Ok(())
    }

    fn latest(&self) -> impl Iterator<Item = &Prompt> {
        self.by_id
            .values()
            .filter_map(|versions| versions.values().next_back())
            .map(|(prompt, _)| prompt)
    }

    fn get(&self, id: &str) -> Result<Prompt, PromptError> {
        self.by_id
            .get(id)
            .and_then(|versions| versions.values().next_back())
            .map(|(prompt, _)| prompt.clone())
            .ok_or_else(|| PromptError::NotFound { id: id.to_owned() })
    }

    fn default_prompt(&self) -> Result<Prompt, PromptError> {
        let mut marked = self.latest().filter(|prompt| prompt.is_default);
        match (marked.next(), marked.next()) {
            (Some(first), Some(second)) => Err(PromptError::MultipleDefaults {
                first: first.id.clone(),
                second: second.id.clone(),
            }),
            (Some(only), None) => Ok(only.clone()),
            (None, _) if self.by_id.len() == 1 => {
                Ok(self.latest().next().cloned().expect("one prompt"))
            }
            (None, _) => Err(PromptError::NoDefault),
        }
    }
}

/// Prompts held in memory, for tests and for hosts that build prompts in code.
#[derive(Debug, Default)]
pub struct MemoryPromptSource {
    prompts: RwLock<PromptSet>,
}

impl MemoryPromptSource {
    /// Creates an empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a source holding `prompts`, validating each one.
    pub fn with_prompts(prompts: impl IntoIterator<Item = Prompt>) -> Result<Self, PromptError> {
        let source = Self::new();
        for prompt in prompts {
            source.insert(prompt)?;
        }
        Ok(source)
    }

    /// Validates and adds one prompt version. Adding an existing id and version fails with
    /// [`PromptError::DuplicateVersion`].
    pub fn insert(&self, prompt: Prompt) -> Result<(), PromptError> {
        prompt.validate()?;
        let mut prompts = self
            .prompts
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        prompts.insert(prompt, "memory".to_owned())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, PromptSet> {
        self.prompts
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl PromptSource for MemoryPromptSource {
    async fn get(&self, id: &str) -> Result<Prompt, PromptError> {
        self.read().get(id)
    }

    async fn default_prompt(&self) -> Result<Prompt, PromptError> {
        self.read().default_prompt()
    }

    async fn list(&self) -> Result<Vec<Prompt>, PromptError> {
        Ok(self.read().latest().cloned().collect())
    }
}

/// Prompts read from one JSON file or from every `*.json` file of a folder.
///
/// A file holds one prompt object or an array of them (the format is in the [`super`]
/// module docs). Files are read once, in file-name order, when the source is opened; every
/// prompt is validated then, so a bad file fails at start with its path and position.
#[derive(Debug)]
pub struct JsonPromptSource {
    path: PathBuf,
    prompts: PromptSet,
}

impl JsonPromptSource {
    /// Reads and validates the prompts at `path`, a `.json` file or a folder of them
    /// (not recursive).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, PromptError> {
        let path = path.as_ref().to_path_buf();
        let files = prompt_files(&path)?;
        let mut prompts = PromptSet::default();

        for file in &files {
            for prompt in read_prompt_file(file)? {
                prompt
                    .validate()
                    .map_err(|error| PromptError::InvalidInFile {
                        path: file.clone(),
                        id: prompt.id.clone(),
                        source: Box::new(error),
                    })?;
                prompts.insert(prompt, file.display().to_string())?;
            }
        }

        if let Err(error @ PromptError::MultipleDefaults { .. }) = prompts.default_prompt() {
            return Err(error);
        }
        tracing::debug!(path = %path.display(), files = files.len(), prompts = prompts.by_id.len(), "prompts loaded");
        Ok(JsonPromptSource { path, prompts })
    }

    /// Returns the file or folder the prompts were read from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl PromptSource for JsonPromptSource {
    async fn get(&self, id: &str) -> Result<Prompt, PromptError> {
        self.prompts.get(id)
    }

    async fn default_prompt(&self) -> Result<Prompt, PromptError> {
        self.prompts.default_prompt()
    }

    async fn list(&self) -> Result<Vec<Prompt>, PromptError> {
        Ok(self.prompts.latest().cloned().collect())
    }
}

fn prompt_files(path: &Path) -> Result<Vec<PathBuf>, PromptError> {
    let read_error = |error: std::io::Error| PromptError::Read {
        path: path.to_path_buf(),
        message: error.to_string(),
    };
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }

    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(read_error)? {
        let entry_path = entry.map_err(read_error)?.path();
        let is_json = entry_path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        if is_json && entry_path.is_file() {
            files.push(entry_path);
        }
    }
    files.sort();
    Ok(files)
}

fn read_prompt_file(path: &Path) -> Result<Vec<Prompt>, PromptError> {
    let text = std::fs::read_to_string(path).map_err(|error| PromptError::Read {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);

    // The first pass only decides between one prompt and an array of prompts. The typed pass
    // then reports a missing or mistyped field with its line and column.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| parse_error(path, &error))?;
    let parsed = match value {
        serde_json::Value::Array(_) => serde_json::from_str::<Vec<Prompt>>(text),
        _ => serde_json::from_str::<Prompt>(text).map(|prompt| vec![prompt]),
    };
    parsed.map_err(|error| parse_error(path, &error))
}

fn parse_error(path: &Path, error: &serde_json::Error) -> PromptError {
    PromptError::Parse {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    }
}
