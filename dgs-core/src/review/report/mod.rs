//! The HTML report of a job: one self-contained file a reviewer can open offline or attach
//! to an email.
//!
//! The page has no script and references nothing outside itself: styles are inline and the
//! charts are SVG drawn here. Every chart shows a message in place of an empty plot when the
//! job has no verdicts, and works with a single iteration.

mod charts;
mod format;
mod text;

pub use text::Lang;

use super::compare::{
    compare_iterations, ChangeOutcome, Comparison, Delta, IterationView, VerdictView,
};
use charts::{DistributionBar, F1Bar, IterationPoint};
use format::{
    escape, integer, money, money_delta, percent, points, score, score_delta, seconds,
    seconds_delta, signed_integer,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write;
use text::Texts;

/// Default number of categories drawn in the distribution chart before the rest are merged.
pub const DEFAULT_TOP_CATEGORIES: usize = 12;

/// Changed groups listed in the comparison table.
const CHANGES_LISTED: usize = 50;

/// Everything [`render_report`] draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub job_id: String,
    /// Input file as the user named it.
    pub input: String,
    /// Fallback category, usually `Indeterminado`, named in the fallback rate texts.
    pub fallback: String,
    /// Iterations in order. The last one is the current one.
    pub iterations: Vec<IterationView>,
    /// The job's verdicts, used to judge the changes between the last two iterations.
    pub verdicts: Vec<VerdictView>,
    /// Categories drawn in the distribution chart, those with most rows. The rest are merged
    /// into one "others" bar. [`DEFAULT_TOP_CATEGORIES`] is the usual value, and 0 is read as 1.
    pub top_categories: usize,
}

/// Renders the report as one HTML document.
pub fn render_report(input: &ReportInput, lang: Lang) -> String {
    let texts = lang.texts();
    let mut html = String::new();

    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} · {}</title><style>{STYLE}</style></head><body><header><h1>{}</h1><p><strong>{}:</strong> <code>{}</code> · <strong>{}:</strong> <code>{}</code></p></header>"#,
        lang.tag(),
        escape(texts.title),
        escape(&input.job_id),
        escape(texts.title),
        escape(texts.job),
        escape(&input.job_id),
        escape(texts.input),
        escape(&input.input),
    );

    match input.iterations.last() {
        Some(current) => {
            summary_section(&mut html, current, lang, texts);
            distribution_section(&mut html, input, current, lang, texts);
            fallback_section(&mut html, current, &input.fallback, lang, texts);
            confusion_section(&mut html, current, lang, texts);
            f1_section(&mut html, current, lang, texts);
            iterations_section(&mut html, &input.iterations, &input.fallback, lang, texts);
            cost_section(&mut html, &input.iterations, lang, texts);
            if let [.., before, after] = input.iterations.as_slice() {
                let comparison = compare_iterations(before, after, &input.verdicts);
                comparison_section(&mut html, &comparison, &input.fallback, lang, texts);
            }
        }
        None => {
            let _ = write!(
                html,
                r#"<p class="empty">{}</p>"#,
                escape(texts.no_iterations)
            );
        }
    }

    html.push_str("</body></html>\n");
    html
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1a202c}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #e2e8f0;padding-bottom:.3rem}\
.note{color:#4a5568;font-size:.9rem}.empty{padding:1rem;background:#fffbea;border:1px solid #f6e05e;border-radius:4px}\
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #e2e8f0;padding:.3rem .6rem;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f7fafc}\
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:.8rem 0}.card{border:1px solid #e2e8f0;border-radius:6px;padding:.6rem .9rem;min-width:9rem}\
.card b{display:block;font-size:1.3rem}.chart{margin:0;overflow-x:auto}.chart-svg{max-width:100%;height:auto;font-size:12px}\
.chart-svg .value{fill:#4a5568;font-size:11px}.chart-svg .axis-title{font-weight:600}.chart-svg .cell{font-size:10px}\
.fixed{color:#2f855a}.broke{color:#c53030}";

fn section_title(html: &mut String, title: &str, note: Option<&str>) {
    let _ = write!(html, "<section><h2>{}</h2>", escape(title));
    if let Some(note) = note {
        let _ = write!(html, r#"<p class="note">{}</p>"#, escape(note));
    }
}

fn chart(html: &mut String, id: &str, content: &str) {
    let _ = write!(
        html,
        r#"<figure class="chart" id="{id}">{content}</figure></section>"#
    );
}

fn no_verdicts(texts: &Texts) -> String {
    format!(r#"<p class="empty">{}</p>"#, escape(texts.no_verdicts))
}

fn summary_section(html: &mut String, current: &IterationView, lang: Lang, texts: &Texts) {
    let metrics = &current.metrics;
    section_title(html, texts.summary, None);

    let interval = metrics.by_group.accuracy_interval.map(|(low, high)| {
        format!(
            "<small>{}: {} – {}</small>",
            escape(texts.interval_95),
            percent(low, lang),
            percent(high, lang)
        )
    });
    let optional =
        |value: Option<f64>| value.map_or_else(|| escape(texts.not_defined), |v| percent(v, lang));
    let has_reviews = metrics.reviewed_groups > 0;
    let average = |value: f64| {
        if has_reviews {
            score(value, lang)
        } else {
            escape(texts.not_defined)
        }
    };

    let cards = [
        (texts.current_iteration, current.iteration.to_string()),
        (texts.groups, integer(metrics.groups, lang)),
        (texts.rows, integer(metrics.rows, lang)),
        (
            texts.reviewed_groups,
            integer(metrics.reviewed_groups, lang),
        ),
        (texts.coverage, optional(metrics.coverage)),
        (texts.accuracy_by_group, optional(metrics.by_group.accuracy)),
        (texts.accuracy_by_row, optional(metrics.by_row.accuracy)),
        (texts.macro_f1, average(metrics.by_group.macro_avg.f1)),
        (texts.weighted_f1, average(metrics.by_group.weighted_avg.f1)),
    ];
    html.push_str(r#"<div class="cards">"#);
    for (label, value) in cards {
        let detail = if label == texts.accuracy_by_group {
            interval.as_deref().unwrap_or_default()
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<div class="card">{}<b>{value}</b>{detail}</div>"#,
            escape(label)
        );
    }
    html.push_str("</div>");
    if !has_reviews {
        html.push_str(&no_verdicts(texts));
    }
    html.push_str("</section>");
}

/// Counts rows and groups per category, keeps the `top` categories with most rows and
/// merges the rest into one "others" bar.
fn distribution_bars(current: &IterationView, top: usize, others: &str) -> Vec<DistributionBar> {
    let mut counts: HashMap<&str, (u64, u64)> = HashMap::new();
    for group in &current.classifications {
        let entry = counts.entry(group.category.as_str()).or_default();
        entry.0 += group.group_size;
        entry.1 += 1;
    }

    let mut sorted: Vec<(&str, (u64, u64))> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));

    let top = top.max(1);
    let mut bars: Vec<DistributionBar> = sorted
        .iter()
        .take(top)
        .map(|(category, (rows, groups))| DistributionBar {
            label: (*category).to_owned(),
            rows: *rows,
            groups: *groups,
        })
        .collect();
    if sorted.len() > top {
        let (rows, groups) = sorted[top..]
            .iter()
            .fold((0, 0), |acc, (_, (rows, groups))| {
                (acc.0 + rows, acc.1 + groups)
            });
        bars.push(DistributionBar {
            label: format!("({others}: {})", sorted.len() - top),
            rows,
            groups,
        });
    }
    bars
}

fn distribution_section(
    html: &mut String,
    input: &ReportInput,
    current: &IterationView,
    lang: Lang,
    texts: &Texts,
) {
    section_title(html, texts.distribution, Some(texts.distribution_note));
    let bars = distribution_bars(current, input.top_categories, texts.others);
    let content = if bars.is_empty() {
        format!(r#"<p class="empty">{}: 0</p>"#, escape(texts.groups))
    } else {
        charts::distribution(
            &bars,
            bars.iter().map(|bar| bar.rows).sum(),
            bars.iter().map(|bar| bar.groups).sum(),
            lang,
            texts,
        )
    };
    chart(html, "chart-distribution", &content);
}

fn fallback_section(
    html: &mut String,
    current: &IterationView,
    fallback: &str,
    lang: Lang,
    texts: &Texts,
) {
    let title = Texts::with_fallback(texts.fallback_rate, fallback);
    section_title(html, &title, Some(texts.fallback_note));
    let content = charts::fallback(
        current.metrics.by_group.fallback_rate,
        current.metrics.by_row.fallback_rate,
        &title,
        lang,
        texts,
    );
    chart(html, "chart-fallback", &content);
}

fn confusion_section(html: &mut String, current: &IterationView, lang: Lang, texts: &Texts) {
    section_title(html, texts.confusion, Some(texts.confusion_note));
    let matrix = &current.metrics.by_group.confusion;
    let has_counts = matrix.counts.iter().flatten().any(|&count| count > 0.0);
    let content = if has_counts {
        charts::confusion(matrix, lang, texts)
    } else {
        no_verdicts(texts)
    };
    chart(html, "chart-confusion", &content);
}

fn f1_section(html: &mut String, current: &IterationView, lang: Lang, texts: &Texts) {
    section_title(html, texts.f1_per_category, Some(texts.f1_note));
    let mut bars: Vec<F1Bar> = current
        .metrics
        .by_group
        .per_category
        .iter()
        .map(|category| F1Bar {
            category: category.category.clone(),
            f1: category.f1,
            support: category.support,
        })
        .collect();
    bars.sort_by(|a, b| {
        b.support
            .total_cmp(&a.support)
            .then(a.category.cmp(&b.category))
    });

    let content = if bars.is_empty() {
        no_verdicts(texts)
    } else {
        charts::f1_bars(&bars, lang, texts)
    };
    chart(html, "chart-f1", &content);
}

fn iterations_section(
    html: &mut String,
    iterations: &[IterationView],
    fallback: &str,
    lang: Lang,
    texts: &Texts,
) {
    let note = Texts::with_fallback(texts.iterations_note, fallback);
    section_title(html, texts.iterations, Some(&note));
    let points: Vec<IterationPoint> = iterations
        .iter()
        .map(|view| {
            let metrics = &view.metrics.by_group;
            IterationPoint {
                iteration: view.iteration,
                accuracy: metrics.accuracy,
                interval: metrics.accuracy_interval,
                macro_f1: (metrics.reviewed > 0.0).then_some(metrics.macro_avg.f1),
                fallback_rate: metrics.fallback_rate,
            }
        })
        .collect();
    if points.iter().all(|point| point.accuracy.is_none()) {
        html.push_str(&no_verdicts(texts));
    }
    chart(
        html,
        "chart-iterations",
        &charts::iterations(
            &points,
            &Texts::with_fallback(texts.fallback_rate, fallback),
            lang,
            texts,
        ),
    );
}

fn cost_section(html: &mut String, iterations: &[IterationView], lang: Lang, texts: &Texts) {
    section_title(html, texts.cost_tokens, None);
    let _ = write!(
        html,
        r#"<table id="table-cost"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        escape(texts.iteration),
        escape(texts.prompt_tokens),
        escape(texts.completion_tokens),
        escape(texts.total_tokens),
        escape(texts.cost_usd),
        escape(texts.duration),
    );
    for view in iterations {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            view.iteration,
            integer(view.usage.prompt_tokens, lang),
            integer(view.usage.completion_tokens, lang),
            integer(view.usage.total_tokens(), lang),
            view.cost
                .map_or_else(|| escape(texts.not_defined), |cost| money(cost, lang)),
            view.duration_ms
                .map_or_else(|| escape(texts.not_defined), |ms| seconds(ms as f64, lang)),
        );
    }
    html.push_str("</tbody></table></section>");
}

fn delta_row(
    html: &mut String,
    name: &str,
    delta: &Delta,
    value: impl Fn(f64) -> String,
    change: impl Fn(f64) -> String,
    not_defined: &str,
) {
    let format_optional = |number: Option<f64>, format: &dyn Fn(f64) -> String| {
        number.map_or_else(|| escape(not_defined), format)
    };
    let _ = write!(
        html,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(name),
        format_optional(delta.before, &value),
        format_optional(delta.after, &value),
        format_optional(delta.delta, &change),
    );
}

fn outcome_name(outcome: Option<ChangeOutcome>, texts: &Texts) -> (&'static str, &'static str) {
    match outcome {
        Some(ChangeOutcome::Fixed) => (texts.outcome_fixed, "fixed"),
        Some(ChangeOutcome::Broke) => (texts.outcome_broke, "broke"),
        Some(ChangeOutcome::WrongToWrong) => (texts.outcome_wrong_to_wrong, ""),
        Some(ChangeOutcome::Undetermined) => (texts.outcome_undetermined, ""),
        None => (texts.outcome_unreviewed, ""),
    }
}

fn comparison_section(
    html: &mut String,
    comparison: &Comparison,
    fallback: &str,
    lang: Lang,
    texts: &Texts,
) {
    let fallback_rate = Texts::with_fallback(texts.fallback_rate, fallback);
    let title = format!(
        "{}: {} {} → {}",
        texts.comparison, texts.iteration, comparison.before_iteration, comparison.after_iteration
    );
    section_title(html, &title, None);

    let _ = write!(
        html,
        r#"<table id="table-comparison"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        escape(texts.metric),
        escape(texts.before),
        escape(texts.after),
        escape(texts.change),
    );
    let ratio = |v: f64| percent(v, lang);
    let ratio_change = |v: f64| points(v, lang);
    let f1 = |v: f64| score(v, lang);
    let f1_change = |v: f64| score_delta(v, lang);
    let by_group = &comparison.by_group;
    let by_row = &comparison.by_row;
    let rows: [(String, &Delta, bool); 6] = [
        (texts.accuracy_by_group.to_owned(), &by_group.accuracy, true),
        (texts.accuracy_by_row.to_owned(), &by_row.accuracy, true),
        (
            format!("{} ({})", texts.macro_f1, texts.by_group),
            &by_group.macro_f1,
            false,
        ),
        (
            format!("{} ({})", texts.weighted_f1, texts.by_group),
            &by_group.weighted_f1,
            false,
        ),
        (
            format!("{fallback_rate} ({})", texts.by_group),
            &by_group.fallback_rate,
            true,
        ),
        (
            format!("{fallback_rate} ({})", texts.by_row),
            &by_row.fallback_rate,
            true,
        ),
    ];
    for (name, delta, is_ratio) in rows {
        if is_ratio {
            delta_row(html, &name, delta, ratio, ratio_change, texts.not_defined);
        } else {
            delta_row(html, &name, delta, f1, f1_change, texts.not_defined);
        }
    }
    let tokens = &comparison.total_tokens;
    let _ = write!(
        html,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(texts.total_tokens),
        integer(tokens.before, lang),
        integer(tokens.after, lang),
        signed_integer(tokens.delta, lang),
    );
    delta_row(
        html,
        texts.cost_usd,
        &comparison.cost,
        |v| money(v, lang),
        |v| money_delta(v, lang),
        texts.not_defined,
    );
    delta_row(
        html,
        texts.duration,
        &comparison.duration_ms,
        |v| seconds(v, lang),
        |v| seconds_delta(v, lang),
        texts.not_defined,
    );
    for category in &comparison.category_f1 {
        let name = format!("F1 · {}", category.category);
        delta_row(
            html,
            &name,
            &category.by_group,
            f1,
            f1_change,
            texts.not_defined,
        );
    }
    html.push_str("</tbody></table>");

    let outcomes = &comparison.outcomes;
    html.push_str(r#"<div class="cards" id="outcomes">"#);
    for (outcome, count) in [
        (Some(ChangeOutcome::Fixed), outcomes.fixed),
        (Some(ChangeOutcome::Broke), outcomes.broke),
        (Some(ChangeOutcome::WrongToWrong), outcomes.wrong_to_wrong),
        (Some(ChangeOutcome::Undetermined), outcomes.undetermined),
        (None, outcomes.unreviewed),
    ] {
        let (name, class) = outcome_name(outcome, texts);
        let _ = write!(
            html,
            r#"<div class="card {class}">{}<b>{}</b>{} {}</div>"#,
            escape(name),
            integer(count.groups, lang),
            integer(count.rows, lang),
            escape(&texts.rows.to_lowercase()),
        );
    }
    html.push_str("</div>");
    if comparison.unmatched_groups > 0 {
        let _ = write!(
            html,
            r#"<p class="note">{}: {}</p>"#,
            escape(texts.unmatched_groups),
            integer(comparison.unmatched_groups, lang)
        );
    }

    let _ = write!(html, "<h3>{}</h3>", escape(texts.changed_groups));
    if comparison.changes.is_empty() {
        let _ = write!(
            html,
            r#"<p class="note">{}</p></section>"#,
            escape(texts.no_changes)
        );
        return;
    }
    if comparison.changes.len() > CHANGES_LISTED {
        let _ = write!(
            html,
            r#"<p class="note">{}</p>"#,
            escape(texts.changed_groups_note)
        );
    }
    let _ = write!(
        html,
        r#"<table id="table-changes"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        escape(texts.group_id),
        escape(texts.size),
        escape(texts.before),
        escape(texts.after),
        escape(texts.outcome),
    );
    for change in comparison.changes.iter().take(CHANGES_LISTED) {
        let (name, class) = outcome_name(change.outcome, texts);
        let _ = write!(
            html,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="{class}">{}</td></tr>"#,
            change.group_id,
            integer(change.group_size, lang),
            escape(&change.before),
            escape(&change.after),
            escape(name),
        );
    }
    html.push_str("</tbody></table></section>");
}
