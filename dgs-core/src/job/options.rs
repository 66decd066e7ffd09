//! Job options, stored as the job's configuration.

use crate::classify::ClassifyOptions;
use crate::clean::CleanConfig;
use crate::dedup::{DedupOptions, DedupStrategy};
use crate::export::ExportOptions;
use crate::ingest::IngestOptions;
use crate::prompt::CompileOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a job needs besides its input, prompt and provider object. Stored as JSON in
/// the job record, so it never contains an API key: the caller passes the provider to
/// [`super::Jobs::run`] and keeps credentials to itself. Missing fields take their defaults
/// when deserialised.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobOptions {
    /// Columns to clean and the refineries. `clean.columns` must not be empty.
    pub clean: CleanConfig,
    /// Other source column names that feed a clean column, keyed by the clean column name
    /// as listed in `clean.columns`.
    ///
    /// Exports from different systems name the description differently (`Descripción` in
    /// one file, `Glosa` in another). With `{"Descripción": ["Glosa", "detalle"]}`, a table
    /// without a `Descripción` column takes the value of its first column among `Glosa` and
    /// `detalle`, in that order, and every row gets one `cleanDescripcion` field. A table
    /// that has the listed column itself always uses it. A table with none of them is an
    /// error unless `clean.allow_missing_columns` is set. Default: none.
    pub column_aliases: BTreeMap<String, Vec<String>>,
    /// Grouping rule of the dedup stage. Default: [`DedupStrategy::Exact`].
    pub dedup: DedupStrategy,
    /// Key storage of the deduplicator. Default: [`DedupOptions::default`].
    pub dedup_options: DedupOptions,
    /// Chunking, concurrency, retries and model. An empty `model` takes `provider.model`.
    pub classify: ClassifyOptions,
    /// Provider the job was configured for, recorded for reports and exports.
    pub provider: ProviderSettings,
    /// Limits for reading the input.
    pub ingest: IngestOptions,
    /// Fallback category and reasons.
    pub compile: CompileSettings,
    /// Output file named when the job was created, so a resumed job can be exported to it
    /// without naming it again. Default: none.
    pub output: Option<JobOutput>,
}

/// An output file and its export settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobOutput {
    /// Path of the file; its extension selects the format.
    pub path: String,
    pub options: ExportOptions,
}

/// The provider a job uses, without credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderSettings {
    /// `openai`, `gemini` or `keywords`. Default: empty (unknown).
    pub kind: String,
    /// Model name; empty means the provider's default model. Default: empty.
    pub model: String,
    /// Base URL of an OpenAI-compatible or Gemini endpoint. Default: `None`.
    pub base_url: Option<String>,
}

/// The serialisable part of [`CompileOptions`]; the job supplies the field names itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompileSettings {
    /// Name of the fallback category. Default: `Indeterminado`.
    pub fallback: String,
    /// Whether answers carry a reason. Default: true.
    pub with_reason: bool,
}

impl Default for CompileSettings {
    fn default() -> Self {
        let defaults = CompileOptions::default();
        CompileSettings {
            fallback: defaults.fallback,
            with_reason: defaults.with_reason,
        }
    }
}

impl CompileSettings {
    /// Returns the compile options for a job whose clean fields are `fields`.
    pub fn to_compile_options(&self, fields: &[String]) -> CompileOptions {
        CompileOptions {
            fallback: self.fallback.clone(),
            with_reason: self.with_reason,
            fields: fields.to_vec(),
        }
    }
}

impl JobOptions {
    /// Creates default options that clean `columns`.
    pub fn for_columns<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        JobOptions {
            clean: CleanConfig::for_columns(columns),
            ..JobOptions::default()
        }
    }

    /// Adds a clean column given as `Name|Alias1|Alias2`: `Name` is cleaned into
    /// `clean<Name>`, and tables without `Name` take the first alias they have. A spec
    /// without `|` adds a plain column. Empty names are ignored.
    pub fn add_column_spec(&mut self, spec: &str) {
        let Some((column, aliases)) = crate::clean::parse_column_spec(spec) else {
            return;
        };
        if !aliases.is_empty() {
            self.column_aliases
                .entry(column.clone())
                .or_default()
                .extend(aliases);
        }
        if !self.clean.columns.contains(&column) {
            self.clean.columns.push(column);
        }
    }

    /// Returns the model the requests name: `classify.model`, else `provider.model`. An
    /// empty name means the provider's default model.
    pub fn model(&self) -> &str {
        if self.classify.model.is_empty() {
            &self.provider.model
        } else {
            &self.classify.model
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::check_job_config;

    #[test]
    fn column_spec_adds_column_and_aliases() {
        let mut options = JobOptions::default();

        options.add_column_spec("Descripción | Glosa|detalle");
        options.add_column_spec("Proveedor");
        options.add_column_spec("Descripción|Texto");
        options.add_column_spec(" | ");

        assert_eq!(options.clean.columns, vec!["Descripción", "Proveedor"]);
        assert_eq!(
            options.column_aliases["Descripción"],
            vec!["Glosa", "detalle", "Texto"]
        );
        assert!(!options.column_aliases.contains_key("Proveedor"));
    }

    #[test]
    fn default_options_pass_the_credential_check() {
        let mut options = JobOptions::for_columns(["Glosa"]);
        options.provider = ProviderSettings {
            kind: "openai".into(),
            model: "gpt-4o-mini".into(),
            base_url: Some("http://127.0.0.1:8080/v1".into()),
        };
        let json = serde_json::to_value(&options).unwrap();

        assert!(check_job_config("job-1", &json).is_ok(), "{json}");
        assert_eq!(serde_json::from_value::<JobOptions>(json).unwrap(), options);
    }

    #[test]
    fn model_prefers_classify_option() {
        let mut options = JobOptions::default();
        options.provider.model = "gpt-4o-mini".into();
        assert_eq!(options.model(), "gpt-4o-mini");

        options.classify.model = "gpt-4o".into();
        assert_eq!(options.model(), "gpt-4o");
    }
}
