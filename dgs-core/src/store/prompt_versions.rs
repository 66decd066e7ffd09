//! The prompt versioning rule every store applies in [`super::Store::save_prompt`].

use crate::prompt::Prompt;
use chrono::{DateTime, Utc};

/// Returns true when two prompts have the same name, label, template and categories.
/// Version, timestamps, `created_by` and `is_default` are not content.
pub fn same_prompt_content(a: &Prompt, b: &Prompt) -> bool {
    a.id == b.id
        && a.name == b.name
        && a.label == b.label
        && a.template == b.template
        && a.categories == b.categories
}

/// Decides what [`super::Store::save_prompt`] stores for `prompt` given the latest stored
/// version of the same id.
///
/// Returns `None` when the content is unchanged (nothing to store). Otherwise returns the
/// prompt to insert: version `latest + 1` (1 for a new id), `created_at` of the first
/// version (or the prompt's own for a new id), `updated_at = now`, and `is_default` false,
/// because the default is set with [`super::Store::set_default_prompt`] only.
pub fn next_prompt_version(
    latest: Option<&Prompt>,
    prompt: &Prompt,
    now: DateTime<Utc>,
) -> Option<Prompt> {
    if let Some(latest) = latest {
        if same_prompt_content(latest, prompt) {
            return None;
        }
    }

    let mut next = prompt.clone();
    next.version = latest.map_or(1, |latest| latest.version + 1);
    next.created_at = latest.map_or(prompt.created_at, |latest| latest.created_at);
    next.updated_at = now;
    next.is_default = false;
    Some(next)
}
