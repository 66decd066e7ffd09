//! `dgs prompts`: lists, shows, adds and versions the prompts kept in the store.

use crate::failure::{CommandResult, Failure};
use crate::store_arg::StoreArg;
use clap::{Args, Subcommand};
use dgs_core::prompt::{JsonPromptSource, Prompt, PromptSource};
use dgs_core::store::StoreError;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct PromptsArgs {
    #[command(subcommand)]
    action: PromptsAction,

    #[command(flatten)]
    store: StoreArg,
}

#[derive(Subcommand, Debug)]
enum PromptsAction {
    /// List the latest version of every prompt.
    List {
        /// Print `{"prompts":[...]}` instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print one prompt as JSON (the prompt file format), or a summary.
    Show {
        id: String,
        /// Version to show. Default: the latest.
        #[arg(long)]
        version: Option<u32>,
        /// Print the prompt as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Store the prompts of a JSON file; a changed prompt gets a new version.
    Add { file: PathBuf },
    /// Make a prompt the default for jobs that name none.
    SetDefault { id: String },
    /// List every version of a prompt, oldest first.
    History {
        id: String,
        /// Print `{"versions":[...]}` instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// One line of `list` and `history`.
#[derive(Serialize)]
struct PromptLine<'a> {
    id: &'a str,
    version: u32,
    name: &'a str,
    label: &'a str,
    is_default: bool,
    categories: usize,
    updated_at: String,
}

impl<'a> PromptLine<'a> {
    fn new(prompt: &'a Prompt) -> Self {
        PromptLine {
            id: &prompt.id,
            version: prompt.version,
            name: &prompt.name,
            label: &prompt.label,
            is_default: prompt.is_default,
            categories: prompt.categories.len(),
            updated_at: prompt.updated_at.to_rfc3339(),
        }
    }
}

pub(crate) async fn run(args: &PromptsArgs) -> CommandResult {
    match &args.action {
        PromptsAction::Add { file } => add(&args.store, file).await,
        PromptsAction::List { json } => {
            let store = args.store.open_existing().await?;
            let prompts = store.list_prompts().await.map_err(store_failure)?;
            print_lines(&prompts, "prompts", *json);
            Ok(ExitCode::SUCCESS)
        }
        PromptsAction::Show { id, version, json } => {
            let store = args.store.open_existing().await?;
            let prompt = store
                .get_prompt(id, *version)
                .await
                .map_err(store_failure)?;
            if *json {
                let text = serde_json::to_string_pretty(&prompt).expect("prompts serialise");
                println!("{text}");
            } else {
                print!("{}", describe(&prompt));
            }
            Ok(ExitCode::SUCCESS)
        }
        PromptsAction::SetDefault { id } => {
            let store = args.store.open_existing().await?;
            store.set_default_prompt(id).await.map_err(store_failure)?;
            println!("default prompt: {id}");
            Ok(ExitCode::SUCCESS)
        }
        PromptsAction::History { id, json } => {
            let store = args.store.open_existing().await?;
            let versions = store.prompt_history(id).await.map_err(store_failure)?;
            print_lines(&versions, "versions", *json);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Stores every prompt of `file` and prints the version each one got.
async fn add(store_arg: &StoreArg, file: &PathBuf) -> CommandResult {
    let source = JsonPromptSource::open(file).map_err(|error| {
        Failure::usage(format!("invalid prompt file {}: {error}", file.display()))
    })?;
    let prompts = source.list().await.map_err(|error| {
        Failure::usage(format!("invalid prompt file {}: {error}", file.display()))
    })?;

    let store = store_arg.open().await?;
    for prompt in &prompts {
        let version = store.save_prompt(prompt).await.map_err(store_failure)?;
        println!("{} version {version}", prompt.id);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_lines(prompts: &[Prompt], key: &str, json: bool) {
    let lines: Vec<PromptLine<'_>> = prompts.iter().map(PromptLine::new).collect();
    if json {
        let value = serde_json::json!({ key: lines });
        println!("{value}");
        return;
    }

    println!(
        "{:<24} {:>7} {:>7} {:>10}  NAME",
        "ID", "VERSION", "DEFAULT", "CATEGORIES"
    );
    for line in &lines {
        println!(
            "{:<24} {:>7} {:>7} {:>10}  {}",
            line.id,
            line.version,
            if line.is_default { "yes" } else { "" },
            line.categories,
            line.name
        );
    }
}

fn describe(prompt: &Prompt) -> String {
    let mut out = format!(
        "{} version {}{}\nname: {}\nlabel: {}\nupdated: {}\ncategories:\n",
        prompt.id,
        prompt.version,
        if prompt.is_default { " (default)" } else { "" },
        prompt.name,
        prompt.label,
        prompt.updated_at.to_rfc3339()
    );
    for category in &prompt.categories {
        out.push_str(&format!(
            "  {:>3}  {}  [{}]\n",
            category.id,
            category.name,
            category.keywords.join(", ")
        ));
    }
    out.push_str(&format!("template:\n{}\n", prompt.template));
    out
}

/// Maps a missing prompt to a usage error (exit 2), anything else to a failure (exit 1).
fn store_failure(error: StoreError) -> Failure {
    match error {
        StoreError::NotFound { .. } => Failure::usage(error.to_string()),
        other => Failure::failed(other.to_string()),
    }
}
