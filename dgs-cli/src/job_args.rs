//! Options shared by `dgs run` and `dgs classify`: the columns, the prompt file, the provider
//! and the engine settings, and how they become [`JobOptions`].

use crate::failure::Failure;
use clap::Args;
use dgs_core::classify::ClassifyOptions;
use dgs_core::clean::Preset;
use dgs_core::ingest::{collect_columns, IngestOptions};
use dgs_core::job::{JobOptions, ProviderSettings};
use dgs_core::llm::{provider_from_env, ProviderKind, ProviderOptions, SelectedProvider};
use dgs_core::prompt::{JsonPromptSource, Prompt, PromptSource};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub(crate) struct JobSettingsArgs {
    /// Description column to clean and classify; repeat for several (the first is the
    /// primary field). `Name|Alias1|Alias2` cleans `Name` into `clean<Name>` and lets tables
    /// without `Name` use their first alias column, e.g. `Descripción|Glosa|detalle`.
    #[arg(long = "column", required = true, value_name = "NAME")]
    pub(crate) columns: Vec<String>,

    /// Prompt JSON file; its default prompt is used (the only one, or the one marked
    /// `is_default`).
    #[arg(long, value_name = "FILE")]
    pub(crate) prompt: PathBuf,

    /// LLM provider. Default: openai when OPENAI_API_KEY is set, else gemini when
    /// GEMINI_API_KEY is set, else the offline keyword provider.
    #[arg(long, value_parser = parse_provider, value_name = "openai|gemini|keywords")]
    pub(crate) provider: Option<ProviderKind>,

    /// Model name. Default: the provider's default model.
    #[arg(long, value_name = "MODEL")]
    pub(crate) model: Option<String>,

    /// Base URL of an OpenAI-compatible or Gemini endpoint. Default: OPENAI_BASE_URL or
    /// GEMINI_BASE_URL, else the public API.
    #[arg(long = "base-url", value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Items per request and per checkpoint. Default: LLM_DISTRIBUTED_CHUNK_SIZE, else 50.
    #[arg(long = "chunk-size", value_name = "N")]
    pub(crate) chunk_size: Option<usize>,

    /// Chunks and requests in flight at once. Default: LLM_MAX_WORKERS (8) and
    /// LLM_CONCURRENCY_LIMIT (4).
    #[arg(long, value_name = "N")]
    pub(crate) concurrency: Option<usize>,

    /// Cleaning preset for the text the LLM reads: basic, fingerprint or ledger.
    /// Default: basic.
    #[arg(long, value_parser = parse_preset, value_name = "PRESET")]
    pub(crate) refinery: Option<Preset>,

    /// Cleaning preset for the dedup key: basic, fingerprint or ledger. Default: ledger.
    #[arg(long = "key-refinery", value_parser = parse_preset, value_name = "PRESET")]
    pub(crate) key_refinery: Option<Preset>,
}

fn parse_provider(text: &str) -> Result<ProviderKind, String> {
    text.parse()
        .map_err(|error: dgs_core::llm::UnknownProvider| error.to_string())
}

fn parse_preset(text: &str) -> Result<Preset, String> {
    text.parse::<Preset>().map_err(|error| error.to_string())
}

impl JobSettingsArgs {
    /// Builds the job options: environment variables first, then the explicit options.
    pub(crate) fn job_options(&self) -> Result<JobOptions, Failure> {
        let mut options = JobOptions::default();
        for spec in &self.columns {
            options.add_column_spec(spec);
        }
        if options.clean.columns.is_empty() {
            return Err(Failure::usage("--column needs a non-empty column name"));
        }
        if let Some(refinery) = self.refinery {
            options.clean.refinery = refinery;
        }
        if let Some(key_refinery) = self.key_refinery {
            options.clean.key_refinery = key_refinery.into();
        }

        options.classify =
            classify_options(self.chunk_size, self.concurrency, self.model.as_deref())?;
        options.provider = ProviderSettings {
            kind: self
                .provider
                .map(|kind| kind.as_str().to_owned())
                .unwrap_or_default(),
            model: self.model.clone().unwrap_or_default(),
            base_url: self.base_url.clone(),
        };
        Ok(options)
    }

    /// Reads the prompt file and returns its default prompt.
    pub(crate) async fn load_prompt(&self) -> Result<Prompt, Failure> {
        load_prompt(&self.prompt).await
    }

    /// Selects the provider from the options and the environment, and prints the notice
    /// when the keyword provider was chosen for lack of a key. Records the choice in
    /// `options.provider`.
    pub(crate) fn select_provider(
        &self,
        prompt: &Prompt,
        options: &mut JobOptions,
    ) -> Result<SelectedProvider, Failure> {
        let selected = select_provider(self.provider, &options.provider, prompt, options)?;
        options.provider.kind = selected.kind.as_str().to_owned();
        if options.provider.model.is_empty() {
            options.provider.model = selected.provider.default_model().to_owned();
        }
        Ok(selected)
    }
}

/// Returns [`ClassifyOptions::from_env`] with the explicit options assigned over it.
pub(crate) fn classify_options(
    chunk_size: Option<usize>,
    concurrency: Option<usize>,
    model: Option<&str>,
) -> Result<ClassifyOptions, Failure> {
    let mut classify = ClassifyOptions::from_env()
        .map_err(|error| Failure::usage(format!("invalid environment setting: {error}")))?;
    if let Some(chunk_size) = chunk_size {
        classify.chunk_size = chunk_size;
    }
    if let Some(concurrency) = concurrency {
        classify.max_workers = concurrency;
        classify.concurrency_limit = concurrency;
    }
    if let Some(model) = model {
        classify.model = model.to_owned();
    }
    classify
        .validate()
        .map_err(|error| Failure::usage(format!("invalid classification option: {error}")))?;
    Ok(classify)
}

/// Reads a prompt file and returns its default prompt.
pub(crate) async fn load_prompt(path: &Path) -> Result<Prompt, Failure> {
    let invalid = |error: &dyn std::fmt::Display| {
        Failure::usage(format!("invalid prompt file {}: {error}", path.display()))
    };
    let source = JsonPromptSource::open(path).map_err(|error| invalid(&error))?;
    source
        .default_prompt()
        .await
        .map_err(|error| invalid(&error))
}

/// Builds the provider for `settings`, with the key from the environment. `kind` `None`
/// lets [`provider_from_env`] choose.
pub(crate) fn select_provider(
    kind: Option<ProviderKind>,
    settings: &ProviderSettings,
    prompt: &Prompt,
    options: &JobOptions,
) -> Result<SelectedProvider, Failure> {
    let compiled = prompt
        .compile(&options.compile.to_compile_options(&[]))
        .map_err(|error| {
            Failure::usage(format!("prompt {} does not compile: {error}", prompt.id))
        })?;
    let provider_options = ProviderOptions {
        model: Some(settings.model.clone()).filter(|model| !model.is_empty()),
        base_url: settings.base_url.clone(),
        ..ProviderOptions::default()
    };
    let selected = provider_from_env(kind, &provider_options, &compiled)
        .map_err(|error| Failure::usage(error.to_string()))?;
    if let Some(notice) = &selected.notice {
        eprintln!("{notice}");
    }
    Ok(selected)
}

/// Checks that every selected column, or one of its aliases, is a column of some table of
/// the input, so a typo fails before the job is created.
pub(crate) fn check_columns(input: &Path, options: &JobOptions) -> Result<(), Failure> {
    if !input.exists() {
        return Err(Failure::usage(format!(
            "input {} not found",
            input.display()
        )));
    }
    let available = collect_columns(input, &IngestOptions::default())
        .map_err(|error| Failure::usage(error.to_string()))?;

    for column in &options.clean.columns {
        let aliases = options
            .column_aliases
            .get(column)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let found = std::iter::once(column)
            .chain(aliases)
            .any(|name| available.iter().any(|present| present == name));
        if !found {
            return Err(Failure::usage(format!(
                "column `{column}` not found in {}; its columns are: {}",
                input.display(),
                available.join(", ")
            )));
        }
    }
    Ok(())
}
