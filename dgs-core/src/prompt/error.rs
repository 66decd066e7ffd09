//! Errors of prompt validation, compilation and prompt sources.

use std::path::PathBuf;

/// Error of an invalid prompt or of a prompt source.
///
/// Category positions are 0-based indexes into `Prompt::categories`; template positions are
/// 1-based line and column numbers counted in characters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PromptError {
    /// The prompt id is empty or only whitespace.
    #[error("prompt id is empty")]
    EmptyId,

    /// The prompt name is empty or only whitespace.
    #[error("prompt `{id}` has an empty name")]
    EmptyName { id: String },

    /// The template is empty or only whitespace.
    #[error("prompt `{id}` has an empty template")]
    EmptyTemplate { id: String },

    /// The template contains `{name}` where `name` is not a supported placeholder.
    #[error(
        "unknown placeholder `{{{name}}}` in the template at line {line}, column {column}; \
         supported placeholders are {{categories}}, {{fallback}}, {{fields}} and \
         {{output_format}}, and `{{{{` writes a literal brace"
    )]
    UnknownPlaceholder {
        name: String,
        line: usize,
        column: usize,
    },

    /// The template contains `{name` with no closing brace before the end of the line.
    #[error(
        "placeholder `{{{name}` is not closed in the template at line {line}, column {column}"
    )]
    UnclosedPlaceholder {
        name: String,
        line: usize,
        column: usize,
    },

    /// The template uses `{fields}` but no field names were given to compile it.
    #[error("the template uses {{fields}} but no field names were given")]
    MissingFields,

    /// The prompt has no categories.
    #[error("prompt `{id}` has no categories")]
    NoCategories { id: String },

    /// A category name is empty or only whitespace.
    #[error("category at position {index} (id {category_id}) has an empty name")]
    EmptyCategoryName { index: usize, category_id: u32 },

    /// A category uses id 0, which the compiled prompt reserves for the fallback category.
    #[error(
        "category `{name}` uses id 0, which is reserved for the fallback category; \
         number categories from 1"
    )]
    ReservedCategoryId { name: String },

    /// Two categories share an id.
    #[error("categories `{first_name}` and `{second_name}` both use id {category_id}")]
    DuplicateCategoryId {
        category_id: u32,
        first_name: String,
        second_name: String,
    },

    /// Two category names are equal once case and accents are ignored.
    #[error(
        "categories `{first_name}` (id {first_id}) and `{second_name}` (id {second_id}) \
         have the same name ignoring case and accents"
    )]
    DuplicateCategoryName {
        first_id: u32,
        first_name: String,
        second_id: u32,
        second_name: String,
    },

    /// A category has the fallback category's name; the fallback is always category 0.
    #[error(
        "category `{name}` (id {category_id}) has the name of the fallback category; remove it, \
         the compiled prompt always offers `{fallback}` as category 0"
    )]
    FallbackNameClash {
        category_id: u32,
        name: String,
        fallback: String,
    },

    /// The fallback category name is empty or only whitespace.
    #[error("the fallback category name is empty")]
    EmptyFallback,

    /// No prompt with this id exists in the source.
    #[error("prompt `{id}` not found")]
    NotFound { id: String },

    /// The source has no prompt marked `is_default` and more than one prompt, or none.
    #[error("no default prompt: mark one prompt with \"is_default\": true")]
    NoDefault,

    /// Two different prompt ids are marked `is_default`.
    #[error("prompts `{first}` and `{second}` are both marked as default")]
    MultipleDefaults { first: String, second: String },

    /// The same prompt id and version appear twice in a source.
    #[error("prompt `{id}` version {version} is defined twice (in {first} and {second})")]
    DuplicateVersion {
        id: String,
        version: u32,
        first: String,
        second: String,
    },

    /// A prompt file or folder could not be read.
    #[error("cannot read prompts from {}: {message}", path.display())]
    Read { path: PathBuf, message: String },

    /// A prompt file is not valid prompt JSON.
    #[error("invalid prompt JSON in {} at line {line}, column {column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A prompt loaded from a file failed validation.
    #[error("invalid prompt `{id}` in {}: {source}", path.display())]
    InvalidInFile {
        path: PathBuf,
        id: String,
        #[source]
        source: Box<PromptError>,
    },

    /// A host-implemented source (a Python or JavaScript object) failed.
    #[error("prompt source failed: {message}")]
    Source { message: String },
}
