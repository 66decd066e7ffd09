//! Model prices, to turn token usage into an estimated cost in US dollars.
//!
//! The built-in table holds standard (not batch, not cached-input) list prices per million
//! tokens for text. Prices change: callers can override or extend the table from a JSON map
//! `{"model": {"input_per_million": 0.15, "output_per_million": 0.6}}`.

use super::TokenUsage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Month the built-in prices were taken. They are estimates. OpenAI's figures come from
/// copies of platform.openai.com/docs/pricing published from March to June 2026, and Gemini's
/// from copies of ai.google.dev/gemini-api/docs/pricing from 2026. The gemini-1.5-flash price
/// is its last list price for prompts up to 128k tokens, from 2024, before the model was
/// retired.
pub const PRICES_AS_OF: &str = "2026-06";

/// Price of one model in US dollars per million tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    pub input_per_million: f64,
    pub output_per_million: f64,
}

impl ModelPrice {
    /// Returns the cost of `usage` in US dollars.
    pub fn cost(&self, usage: TokenUsage) -> f64 {
        (usage.prompt_tokens as f64 * self.input_per_million
            + usage.completion_tokens as f64 * self.output_per_million)
            / 1_000_000.0
    }
}

/// Error loading a price table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PricingError {
    /// The price file could not be read.
    #[error("cannot read prices from {path}: {message}")]
    Read { path: String, message: String },

    /// The price JSON is malformed or not a map of model to price.
    #[error("invalid price JSON in {path} at line {line}, column {column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A price is negative, infinite or NaN.
    #[error("invalid price for model `{model}`: {field} = {value}; prices are US dollars per million tokens, 0 or more")]
    InvalidPrice {
        model: String,
        field: &'static str,
        value: f64,
    },
}

/// Prices by model name.
///
/// A lookup tries the exact name, then the longest table entry that the name extends with
/// `-`, so `gpt-4o-mini-2024-07-18` uses the `gpt-4o-mini` price. A `models/` prefix (as
/// Gemini writes model names) is ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceTable {
    prices: BTreeMap<String, ModelPrice>,
}

impl Default for PriceTable {
    /// Returns [`PriceTable::builtin`].
    fn default() -> Self {
        PriceTable::builtin()
    }
}

impl PriceTable {
    /// Returns an empty table.
    pub fn empty() -> Self {
        PriceTable {
            prices: BTreeMap::new(),
        }
    }

    /// Returns the built-in prices, taken as of [`PRICES_AS_OF`].
    pub fn builtin() -> Self {
        let entries: [(&str, f64, f64); 14] = [
            ("gpt-4o-mini", 0.15, 0.60),
            ("gpt-4o", 2.50, 10.00),
            ("gpt-4.1", 2.00, 8.00),
            ("gpt-4.1-mini", 0.40, 1.60),
            ("gpt-4.1-nano", 0.10, 0.40),
            ("o3-mini", 1.10, 4.40),
            ("o4-mini", 1.10, 4.40),
            ("gemini-2.0-flash", 0.10, 0.40),
            ("gemini-2.0-flash-lite", 0.075, 0.30),
            ("gemini-1.5-flash", 0.075, 0.30),
            ("gemini-2.5-flash", 0.30, 2.50),
            ("gemini-2.5-flash-lite", 0.10, 0.40),
            ("gemini-2.5-pro", 1.25, 10.00),
            ("keywords", 0.0, 0.0),
        ];
        let prices = entries
            .into_iter()
            .map(|(model, input, output)| {
                (
                    model.to_owned(),
                    ModelPrice {
                        input_per_million: input,
                        output_per_million: output,
                    },
                )
            })
            .collect();
        PriceTable { prices }
    }

    /// Parses a JSON map of model name to [`ModelPrice`]; `origin` names the source in errors.
    pub fn from_json_str(json: &str, origin: &str) -> Result<Self, PricingError> {
        let table: PriceTable =
            serde_json::from_str(json).map_err(|error| PricingError::Parse {
                path: origin.to_owned(),
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?;
        table.check()?;
        Ok(table)
    }

    /// Returns the built-in table with the prices of the JSON file at `path` added or
    /// replacing built-in ones.
    pub fn builtin_with_file(path: impl AsRef<Path>) -> Result<Self, PricingError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|error| PricingError::Read {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        let overrides = PriceTable::from_json_str(&json, &path.display().to_string())?;
        let mut table = PriceTable::builtin();
        table.extend(overrides);
        Ok(table)
    }

    /// Adds or replaces the prices of `other`.
    pub fn extend(&mut self, other: PriceTable) {
        self.prices.extend(other.prices);
    }

    /// Adds or replaces one model's price.
    pub fn set(&mut self, model: impl Into<String>, price: ModelPrice) -> Result<(), PricingError> {
        let model = model.into();
        check_price(&model, &price)?;
        self.prices.insert(model, price);
        Ok(())
    }

    /// Returns the price of `model`, matching dated snapshots to their base name.
    pub fn get(&self, model: &str) -> Option<ModelPrice> {
        let model = model.trim();
        let model = model.strip_prefix("models/").unwrap_or(model);
        if let Some(price) = self.prices.get(model) {
            return Some(*price);
        }
        self.prices
            .iter()
            .filter(|(name, _)| model.len() > name.len() && model.starts_with(name.as_str()))
            .filter(|(name, _)| model.as_bytes()[name.len()] == b'-')
            .max_by_key(|(name, _)| name.len())
            .map(|(_, price)| *price)
    }

    /// Returns the cost of `usage` on `model` in US dollars, or `None` for an unknown model.
    pub fn cost(&self, model: &str, usage: TokenUsage) -> Option<f64> {
        self.get(model).map(|price| price.cost(usage))
    }

    /// Returns the model names in the table, sorted.
    pub fn models(&self) -> impl Iterator<Item = &str> {
        self.prices.keys().map(String::as_str)
    }

    fn check(&self) -> Result<(), PricingError> {
        self.prices
            .iter()
            .try_for_each(|(model, price)| check_price(model, price))
    }
}

fn check_price(model: &str, price: &ModelPrice) -> Result<(), PricingError> {
    for (field, value) in [
        ("input_per_million", price.input_per_million),
        ("output_per_million", price.output_per_million),
    ] {
        if !value.is_finite() || value < 0.0 {
            return Err(PricingError::InvalidPrice {
                model: model.to_owned(),
                field,
                value,
            });
        }
    }
    Ok(())
}

/// Returns the cost of `usage` on `model` with the built-in prices, or `None` for an
/// unknown model.
pub fn cost(model: &str, usage: TokenUsage) -> Option<f64> {
    PriceTable::builtin().cost(model, usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prompt_tokens: u64, completion_tokens: u64) -> TokenUsage {
        TokenUsage {
            prompt_tokens,
            completion_tokens,
        }
    }

    fn assert_dollars(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a price for the model");
        assert!(
            (actual - expected).abs() < 1e-9,
            "cost {actual} != {expected}"
        );
    }

    #[test]
    fn cost_of_known_models() {
        let one_million_each = usage(1_000_000, 1_000_000);
        assert_dollars(cost("gpt-4o-mini", one_million_each), 0.75);
        assert_dollars(cost("gpt-4.1-nano", usage(0, 1_000)), 0.0004);
        assert_dollars(cost("gemini-2.0-flash", usage(2_000_000, 0)), 0.2);
        assert_dollars(cost("keywords", one_million_each), 0.0);
        assert_eq!(cost("llama3", one_million_each), None);
    }

    #[test]
    fn dated_snapshots_use_longest_base_name() {
        let table = PriceTable::builtin();
        assert_eq!(
            table.get("gpt-4o-mini-2024-07-18"),
            table.get("gpt-4o-mini")
        );
        assert_eq!(table.get("gpt-4o-2024-08-06"), table.get("gpt-4o"));
        assert_eq!(
            table.get("models/gemini-2.0-flash-001"),
            table.get("gemini-2.0-flash")
        );
        assert_eq!(table.get("gpt-4oo"), None, "a prefix must end at a dash");
    }

    #[test]
    fn json_overrides_builtin_prices() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prices.json");
        std::fs::write(
            &path,
            r#"{"gpt-4o-mini": {"input_per_million": 1.0, "output_per_million": 2.0},
                "mi-modelo": {"input_per_million": 0.5, "output_per_million": 0.5}}"#,
        )
        .unwrap();
        let table = PriceTable::builtin_with_file(&path).unwrap();
        assert_dollars(table.cost("gpt-4o-mini", usage(1_000_000, 1_000_000)), 3.0);
        assert_dollars(table.cost("mi-modelo", usage(2_000_000, 0)), 1.0);
        assert_dollars(table.cost("gpt-4o", usage(1_000_000, 0)), 2.5);
    }

    #[test]
    fn invalid_prices_are_rejected() {
        let error = PriceTable::from_json_str(
            r#"{"x": {"input_per_million": -1, "output_per_million": 0}}"#,
            "inline",
        )
        .unwrap_err();
        assert_eq!(
            error,
            PricingError::InvalidPrice {
                model: "x".into(),
                field: "input_per_million",
                value: -1.0
            }
        );

        let error = PriceTable::from_json_str("{\"x\": 3}", "prices.json").unwrap_err();
        assert!(
            matches!(error, PricingError::Parse { line: 1, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("prices.json"), "{error}");
    }
}
