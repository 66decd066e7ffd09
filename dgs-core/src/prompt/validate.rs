//! Prompt validation: every rule a prompt must meet before it is compiled or stored.

use super::error::PromptError;
use super::fold::fold;
use super::model::Prompt;
use super::template;
use super::DEFAULT_FALLBACK;
use std::collections::HashMap;

impl Prompt {
    /// Checks the prompt against the default fallback name (`Indeterminado`) and returns the
    /// first problem found.
    pub fn validate(&self) -> Result<(), PromptError> {
        match self.problems(DEFAULT_FALLBACK).into_iter().next() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Returns every problem of the prompt, in field order: id, name, template, categories.
    /// `fallback` is the fallback category name the prompt will be compiled with.
    pub fn problems(&self, fallback: &str) -> Vec<PromptError> {
        let mut problems = Vec::new();

        if self.id.trim().is_empty() {
            problems.push(PromptError::EmptyId);
        }
        if self.name.trim().is_empty() {
            problems.push(PromptError::EmptyName {
                id: self.id.clone(),
            });
        }

        if self.template.trim().is_empty() {
            problems.push(PromptError::EmptyTemplate {
                id: self.id.clone(),
            });
        } else if let Err(error) = template::scan(&self.template) {
            problems.push(error);
        }

        if fallback.trim().is_empty() {
            problems.push(PromptError::EmptyFallback);
        }
        if self.categories.is_empty() {
            problems.push(PromptError::NoCategories {
                id: self.id.clone(),
            });
        }
        problems.extend(self.category_problems(fallback));

        problems
    }

    fn category_problems(&self, fallback: &str) -> Vec<PromptError> {
        let mut problems = Vec::new();
        let folded_fallback = fold(fallback);
        let mut by_id: HashMap<u32, &str> = HashMap::new();
        let mut by_name: HashMap<String, (u32, &str)> = HashMap::new();

        for (index, category) in self.categories.iter().enumerate() {
            let folded = fold(&category.name);
            if folded.is_empty() {
                problems.push(PromptError::EmptyCategoryName {
                    index,
                    category_id: category.id,
                });
            }
            if category.id == 0 {
                problems.push(PromptError::ReservedCategoryId {
                    name: category.name.clone(),
                });
            }

            match by_id.get(&category.id) {
                Some(first_name) => problems.push(PromptError::DuplicateCategoryId {
                    category_id: category.id,
                    first_name: (*first_name).to_owned(),
                    second_name: category.name.clone(),
                }),
                None => {
                    by_id.insert(category.id, &category.name);
                }
            }

            if folded.is_empty() {
                continue;
            }
            if !folded_fallback.is_empty() && folded == folded_fallback {
                problems.push(PromptError::FallbackNameClash {
                    category_id: category.id,
                    name: category.name.clone(),
                    fallback: fallback.to_owned(),
                });
            }
            match by_name.get(&folded) {
                Some((first_id, first_name)) => problems.push(PromptError::DuplicateCategoryName {
                    first_id: *first_id,
                    first_name: (*first_name).to_owned(),
                    second_id: category.id,
                    second_name: category.name.clone(),
                }),
                None => {
                    by_name.insert(folded, (category.id, &category.name));
                }
            }
        }

        problems
    }
}
