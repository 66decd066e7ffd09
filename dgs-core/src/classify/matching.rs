//! Attaches answer entries to the items of one request: by local id first, then by echoed
//! text for entries without a usable id, never by position.

use super::categories::{normalize_text, CategoryIndex, ResolvedCategory};
use super::outcome::DroppedAnswers;
use super::parse::{ParsedAnswers, RawAnswer};
use super::result::ClassificationStatus;

/// The answer attached to one item.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MatchedAnswer {
    pub category: String,
    pub score: f64,
    pub reason: String,
    /// `Ok` (a prompt category or the explicit fallback) or `UnknownCategory`.
    pub status: ClassificationStatus,
    /// True when the category is one of the prompt's, not the fallback.
    pub in_prompt: bool,
}

/// Answers matched to the items of one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct MatchReport {
    /// One slot per item of the request, in request order (local id `n` is slot `n - 1`).
    pub answers: Vec<Option<MatchedAnswer>>,
    pub dropped: DroppedAnswers,
    pub matched_by_text: u32,
}

/// Matches parsed answers to the request's items, whose primary texts are given in request
/// order.
///
/// When several answers carry the same id, the first one with a usable category (a prompt
/// category or the fallback) is kept. So an answer with an unknown category gives way to a
/// later one with a usable category. The others count as duplicates.
pub(crate) fn match_answers(
    parsed: ParsedAnswers,
    primary_texts: &[&str],
    categories: &CategoryIndex,
    fallback: &str,
) -> MatchReport {
    let mut report = MatchReport {
        answers: vec![None; primary_texts.len()],
        dropped: DroppedAnswers {
            invalid: parsed.non_object_entries,
            ..DroppedAnswers::default()
        },
        matched_by_text: 0,
    };

    let (with_id, without_id): (Vec<RawAnswer>, Vec<RawAnswer>) = parsed
        .answers
        .into_iter()
        .partition(|answer| answer.id.is_some());

    for answer in with_id {
        let Some(matched) = resolve_answer(&answer, categories, fallback) else {
            report.dropped.invalid += 1;
            continue;
        };

        let id = answer.id.unwrap_or_default();
        let slot = usize::try_from(id)
            .ok()
            .filter(|&id| id >= 1 && id <= primary_texts.len())
            .map(|id| id - 1);
        let Some(slot) = slot else {
            report.dropped.unknown_id += 1;
            continue;
        };

        match &report.answers[slot] {
            None => report.answers[slot] = Some(matched),
            Some(existing) => {
                let upgrade = existing.status == ClassificationStatus::UnknownCategory
                    && matched.status == ClassificationStatus::Ok;
                if upgrade {
                    report.answers[slot] = Some(matched);
                }
                report.dropped.duplicate_id += 1;
            }
        }
    }

    // Ids are matched first so that an id-less answer cannot take an item whose own answer
    // comes later in the array.
    if without_id.is_empty() {
        return report;
    }
    let normalized: Vec<String> = primary_texts.iter().map(|t| normalize_text(t)).collect();
    for answer in without_id {
        let Some(matched) = resolve_answer(&answer, categories, fallback) else {
            report.dropped.invalid += 1;
            continue;
        };
        let Some(text) = answer.text.as_deref().map(normalize_text) else {
            report.dropped.unmatched += 1;
            continue;
        };

        let slot = (0..normalized.len())
            .find(|&slot| report.answers[slot].is_none() && normalized[slot] == text);
        match slot {
            Some(slot) => {
                report.answers[slot] = Some(matched);
                report.matched_by_text += 1;
            }
            None => report.dropped.unmatched += 1,
        }
    }

    report
}

/// Reads a score in 0..=1; a score in (1, 100] is taken as a percentage.
fn normalize_score(score: f64) -> f64 {
    if score > 1.0 && score <= 100.0 {
        score / 100.0
    } else {
        score.clamp(0.0, 1.0)
    }
}

/// Turns one entry into the answer for its item; `None` when it has no category.
fn resolve_answer(
    answer: &RawAnswer,
    categories: &CategoryIndex,
    fallback: &str,
) -> Option<MatchedAnswer> {
    let raw = answer.category.as_ref()?;
    let reason = answer.reason.clone().unwrap_or_default();
    let score = answer.score.map(normalize_score).unwrap_or(0.0);

    let matched = match categories.resolve(raw) {
        ResolvedCategory::Known(name) => MatchedAnswer {
            category: name,
            score,
            reason,
            status: ClassificationStatus::Ok,
            in_prompt: true,
        },
        ResolvedCategory::Fallback => MatchedAnswer {
            category: fallback.to_owned(),
            score,
            reason,
            status: ClassificationStatus::Ok,
            in_prompt: false,
        },
        ResolvedCategory::Unknown(said) => {
            let mut text = format!("unknown category {said:?}");
            if !reason.is_empty() {
                text.push_str(": ");
                text.push_str(&reason);
            }
            MatchedAnswer {
                category: fallback.to_owned(),
                score: -1.0,
                reason: text,
                status: ClassificationStatus::UnknownCategory,
                in_prompt: false,
            }
        }
    };
    Some(matched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::input::EnginePrompt;
    use crate::classify::parse::parse_answers;

    fn run(json: &str, texts: &[&str]) -> MatchReport {
        let prompt = EnginePrompt::new(
            "s",
            "h",
            vec![(1, "Gastos".to_owned()), (2, "Nómina".to_owned())],
        );
        let index = CategoryIndex::new(&prompt);
        match_answers(parse_answers(json).unwrap(), texts, &index, "Indeterminado")
    }

    fn categories(report: &MatchReport) -> Vec<Option<&str>> {
        report
            .answers
            .iter()
            .map(|a| a.as_ref().map(|a| a.category.as_str()))
            .collect()
    }

    #[test]
    fn scores_percent_and_clamped() {
        let report = run(
            r#"[{"id":1,"category":1,"score":92},{"id":2,"category":1,"score":-0.5},{"id":3,"category":1,"score":250}]"#,
            &["a", "b", "c"],
        );
        let scores: Vec<f64> = report
            .answers
            .iter()
            .map(|a| a.as_ref().unwrap().score)
            .collect();
        assert_eq!(scores, vec![0.92, 0.0, 1.0]);
    }

    #[test]
    fn reordered_ids_match_by_id() {
        let report = run(
            r#"[{"id":2,"category":2},{"id":1,"category":1}]"#,
            &["a", "b"],
        );
        assert_eq!(categories(&report), vec![Some("Gastos"), Some("Nómina")]);
    }

    #[test]
    fn duplicate_keeps_first_usable() {
        let report = run(
            r#"[{"id":1,"category":"Viajes"},{"id":1,"category":2},{"id":1,"category":1}]"#,
            &["a"],
        );
        assert_eq!(categories(&report), vec![Some("Nómina")]);
        assert_eq!(report.dropped.duplicate_id, 2);
    }

    #[test]
    fn text_match_skips_items_answered_by_id() {
        let report = run(
            r#"[{"text":"PAGÓ  luz","category":2},{"id":1,"category":1}]"#,
            &["pago luz", "pago luz"],
        );
        assert_eq!(categories(&report), vec![Some("Gastos"), Some("Nómina")]);
        assert_eq!(report.matched_by_text, 1);
    }

    #[test]
    fn answers_without_id_or_text_are_dropped() {
        let report = run(r#"[{"category":1},{"id":9,"category":1},{"id":1}]"#, &["a"]);
        assert_eq!(categories(&report), vec![None]);
        assert_eq!(report.dropped.unmatched, 1);
        assert_eq!(report.dropped.unknown_id, 1);
        assert_eq!(report.dropped.invalid, 1);
    }
}
