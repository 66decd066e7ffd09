//! The offline keyword provider: classifies items by the prompt's category keywords, with no
//! network and no API key. It is the default when no key is configured, so a job runs on a
//! fresh machine, and it gives a baseline to compare LLM answers with.
//!
//! # Scoring
//!
//! Text is compared after folding (lowercase, no accents) and splitting into words of
//! letters and digits; all of an item's field values are read. Two words match when they are
//! equal or when one is the other plus a Spanish plural ending `s` or `es` (the shorter word
//! having at least 3 letters). For each category:
//!
//! - every keyword whose words appear consecutively in the item adds 2 points per word, so a
//!   two-word keyword (`gastos comunes`) outweighs a one-word one;
//! - every word of the category name that appears in the item adds 1 point. Name words
//!   shorter than 4 letters, and words found in the names of 3 or more categories of the
//!   prompt (such as `servicios` in a catalogue where many names start with it), are
//!   ignored.
//!
//! The category with the most points wins; ties go to the higher `priority`, then to the
//! lowest id. With no points at all the answer is the fallback, category
//! [`FALLBACK_CATEGORY_ID`], with score 0. Otherwise the score is
//! `best / (best + 2) * (1 - second / (2 * best))`, rounded to two decimals, where `best`
//! and `second` are the points of the first and second categories: more evidence raises it
//! towards 1, and a close second category lowers it (a tie halves it).

use super::tokens::Tokenizer;
use super::{CompletionRequest, CompletionResponse, LlmError, LlmProvider, Role, TokenUsage};
use crate::prompt::fold::fold_words;
use crate::prompt::{Category, CompiledPrompt, FALLBACK_CATEGORY_ID};
use crate::wire::{self, WireAnswer, WireAnswers};
use async_trait::async_trait;
use std::collections::HashMap;

const PROVIDER: &str = "keywords";

/// Model name the keyword provider reports.
pub const KEYWORD_MODEL: &str = "keywords";

/// Points per matched keyword word and per matched category name word.
const KEYWORD_WORD_POINTS: u32 = 2;
const NAME_WORD_POINTS: u32 = 1;
/// Name words shorter than this are ignored.
const MIN_NAME_WORD_CHARS: usize = 4;
/// Name words shared by this many category names or more are ignored.
const GENERIC_NAME_WORD_CATEGORIES: usize = 3;

/// A keyword split into folded words, with its text as written in the prompt.
#[derive(Clone, Debug)]
struct Phrase {
    text: String,
    words: Vec<String>,
}

#[derive(Clone, Debug)]
struct KeywordCategory {
    id: u32,
    priority: i32,
    keywords: Vec<Phrase>,
    name_words: Vec<String>,
}

/// Points of one category for one item, and what matched.
#[derive(Debug)]
struct CategoryScore<'a> {
    category: &'a KeywordCategory,
    points: u32,
    matched_keywords: Vec<&'a str>,
    matched_name_words: Vec<&'a str>,
}

/// Classifies by keywords; see the module docs for the scoring.
#[derive(Clone, Debug)]
pub struct KeywordProvider {
    categories: Vec<KeywordCategory>,
    fallback: String,
    with_reason: bool,
}

impl KeywordProvider {
    /// Creates a provider for `categories`; `fallback` names category 0 in reasons. Answers
    /// carry a reason.
    pub fn new(categories: &[Category], fallback: impl Into<String>) -> Self {
        let mut name_word_categories: HashMap<String, usize> = HashMap::new();
        let names: Vec<Vec<String>> = categories
            .iter()
            .map(|category| {
                let mut words = fold_words(&category.name);
                words.retain(|word| word.chars().count() >= MIN_NAME_WORD_CHARS);
                words.sort();
                words.dedup();
                words
            })
            .collect();
        for word in names.iter().flatten() {
            *name_word_categories.entry(word.clone()).or_default() += 1;
        }

        let categories = categories
            .iter()
            .zip(names)
            .map(|(category, name_words)| KeywordCategory {
                id: category.id,
                priority: category.priority,
                keywords: category
                    .keywords
                    .iter()
                    .map(|keyword| Phrase {
                        text: keyword.trim().to_owned(),
                        words: fold_words(keyword),
                    })
                    .filter(|phrase| !phrase.words.is_empty())
                    .collect(),
                name_words: name_words
                    .into_iter()
                    .filter(|word| name_word_categories[word] < GENERIC_NAME_WORD_CATEGORIES)
                    .collect(),
            })
            .collect();

        KeywordProvider {
            categories,
            fallback: fallback.into(),
            with_reason: true,
        }
    }

    /// Creates a provider for a compiled prompt's categories, fallback and `with_reason`.
    pub fn from_compiled(prompt: &CompiledPrompt) -> Self {
        KeywordProvider::new(&prompt.categories, prompt.fallback.clone())
            .with_reason(prompt.with_reason)
    }

    /// Sets whether answers carry a `reason`.
    pub fn with_reason(mut self, with_reason: bool) -> Self {
        self.with_reason = with_reason;
        self
    }

    /// Classifies one item from its field values.
    pub fn classify(&self, id: u32, values: &[String]) -> WireAnswer {
        let words: Vec<String> = values.iter().flat_map(|value| fold_words(value)).collect();
        let mut scores: Vec<CategoryScore<'_>> = self
            .categories
            .iter()
            .map(|category| score(category, &words))
            .collect();
        scores.sort_by(|a, b| {
            b.points
                .cmp(&a.points)
                .then(b.category.priority.cmp(&a.category.priority))
                .then(a.category.id.cmp(&b.category.id))
        });

        let best = scores.first().filter(|best| best.points > 0);
        let Some(best) = best else {
            let reason = format!(
                "sin coincidencias con palabras clave ni nombres de categoría: {}",
                self.fallback
            );
            return WireAnswer {
                id,
                category: FALLBACK_CATEGORY_ID,
                score: 0.0,
                reason: self.with_reason.then_some(reason),
            };
        };

        let second = scores.get(1).map_or(0, |second| second.points);
        let points = f64::from(best.points);
        let confidence = points / (points + 2.0) * (1.0 - f64::from(second) / (2.0 * points));
        WireAnswer {
            id,
            category: best.category.id,
            score: (confidence * 100.0).round() / 100.0,
            reason: self.with_reason.then(|| reason(best)),
        }
    }

    /// Classifies every item of a wire item block (header line plus item lines).
    pub fn classify_items(&self, item_lines: &str) -> WireAnswers {
        let (_, items) = wire::parse_items(item_lines);
        WireAnswers {
            results: items
                .iter()
                .map(|item| self.classify(item.id, &item.values))
                .collect(),
        }
    }
}

fn score<'a>(category: &'a KeywordCategory, words: &[String]) -> CategoryScore<'a> {
    let matched_keywords: Vec<&Phrase> = category
        .keywords
        .iter()
        .filter(|phrase| contains_phrase(words, &phrase.words))
        .collect();
    let matched_name_words: Vec<&str> = category
        .name_words
        .iter()
        .filter(|name_word| words.iter().any(|word| words_match(word, name_word)))
        .map(String::as_str)
        .collect();

    let keyword_points: u32 = matched_keywords
        .iter()
        .map(|phrase| phrase.words.len() as u32 * KEYWORD_WORD_POINTS)
        .sum();
    let name_points = matched_name_words.len() as u32 * NAME_WORD_POINTS;
    CategoryScore {
        category,
        points: keyword_points + name_points,
        matched_keywords: matched_keywords
            .iter()
            .map(|phrase| phrase.text.as_str())
            .collect(),
        matched_name_words,
    }
}

fn reason(best: &CategoryScore<'_>) -> String {
    let mut parts = Vec::new();
    if !best.matched_keywords.is_empty() {
        parts.push(format!(
            "palabras clave: {}",
            best.matched_keywords.join(", ")
        ));
    }
    if !best.matched_name_words.is_empty() {
        parts.push(format!(
            "nombre de la categoría: {}",
            best.matched_name_words.join(", ")
        ));
    }
    parts.join("; ")
}

/// Returns true when `phrase` appears as consecutive words of `words`.
fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    if phrase.is_empty() || phrase.len() > words.len() {
        return false;
    }
    words.windows(phrase.len()).any(|window| {
        window
            .iter()
            .zip(phrase)
            .all(|(word, wanted)| words_match(word, wanted))
    })
}

/// Returns true when the words are equal or differ by a plural ending `s` or `es`.
fn words_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    if short.chars().count() < 3 {
        return false;
    }
    match long.strip_prefix(short) {
        Some(ending) => ending == "s" || ending == "es",
        None => false,
    }
}

#[async_trait]
impl LlmProvider for KeywordProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn default_model(&self) -> &str {
        KEYWORD_MODEL
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        let Some(items) = request
            .messages
            .iter()
            .rev()
            .find(|message| message.role == Role::User)
        else {
            return Err(LlmError::Rejected {
                provider: PROVIDER.to_owned(),
                status: 400,
                body: "the request has no user message with item lines".to_owned(),
            });
        };

        let answers = self.classify_items(&items.content);
        let content =
            serde_json::to_string(&answers).map_err(|error| LlmError::InvalidResponse {
                provider: PROVIDER.to_owned(),
                message: format!("cannot serialise the answers: {error}"),
            })?;

        // Usage is counted with the tokenizer of the requested model, or gpt-4o's when none is
        // named, so keyword runs can be compared with LLM runs. The keyword price is 0.
        let counted_as = if request.model.is_empty() {
            KEYWORD_MODEL
        } else {
            request.model.as_str()
        };
        let tokenizer = Tokenizer::for_model(counted_as);
        let usage = TokenUsage {
            prompt_tokens: tokenizer.count_messages(&request.messages),
            completion_tokens: tokenizer.count(&content),
        };
        tracing::debug!(
            provider = PROVIDER,
            items = answers.results.len(),
            "classified by keywords"
        );
        Ok(CompletionResponse {
            content,
            usage,
            model: KEYWORD_MODEL.to_owned(),
            request_id: None,
        })
    }
}

#[cfg(test)]
mod tests;
