//! Inline SVG charts of the HTML report, drawn without any script or external resource.
//!
//! Every function returns one `<svg>` element sized through its `viewBox`, so the page can
//! scale it. Category names go through [`escape`], and long ones are truncated with the full
//! name kept in a `<title>` tooltip.

use super::format::{escape, integer, percent, score, truncate};
use super::text::{Lang, Texts};
use crate::review::ConfusionMatrix;
use std::fmt::Write;

const ROWS_COLOUR: &str = "#2b6cb0";
const GROUPS_COLOUR: &str = "#90cdf4";
const ACCURACY_COLOUR: &str = "#2f855a";
const F1_COLOUR: &str = "#6b46c1";
const FALLBACK_COLOUR: &str = "#c05621";
const TRACK_COLOUR: &str = "#edf2f7";
const AXIS_COLOUR: &str = "#a0aec0";

/// Characters of a category name shown before it is truncated.
const LABEL_CHARS: usize = 24;

/// One bar of the category distribution.
pub(crate) struct DistributionBar {
    pub label: String,
    pub rows: u64,
    pub groups: u64,
}

/// One category of the F1 chart.
pub(crate) struct F1Bar {
    pub category: String,
    pub f1: Option<f64>,
    pub support: f64,
}

/// One iteration of the iteration chart.
pub(crate) struct IterationPoint {
    pub iteration: u32,
    pub accuracy: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub macro_f1: Option<f64>,
    pub fallback_rate: f64,
}

/// Writes a `<text>` with the truncated `label` and the full one as its tooltip.
fn label_text(svg: &mut String, x: f64, y: f64, anchor: &str, extra: &str, label: &str) {
    let _ = write!(
        svg,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}"{extra}><title>{}</title>{}</text>"#,
        escape(label),
        escape(&truncate(label, LABEL_CHARS)),
    );
}

fn open_svg(svg: &mut String, width: f64, height: f64, title: &str) {
    let _ = write!(
        svg,
        r#"<svg viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" role="img" aria-label="{}" class="chart-svg">"#,
        escape(title)
    );
}

fn legend_item(svg: &mut String, x: f64, y: f64, colour: &str, label: &str) {
    let _ = write!(
        svg,
        r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{colour}"/><text x="{:.1}" y="{y:.1}">{}</text>"#,
        y - 10.0,
        x + 16.0,
        escape(label)
    );
}

/// Draws the share of rows and of groups per category as paired horizontal bars.
pub(crate) fn distribution(
    bars: &[DistributionBar],
    total_rows: u64,
    total_groups: u64,
    lang: Lang,
    texts: &Texts,
) -> String {
    let label_width = 190.0;
    let bar_width = 400.0;
    let row_height = 34.0;
    let top = 30.0;
    let width = label_width + bar_width + 230.0;
    let height = top + row_height * bars.len() as f64 + 10.0;

    let share = |part: u64, total: u64| {
        if total == 0 {
            0.0
        } else {
            part as f64 / total as f64
        }
    };
    let max_share = bars
        .iter()
        .flat_map(|bar| [share(bar.rows, total_rows), share(bar.groups, total_groups)])
        .fold(0.0_f64, f64::max)
        .max(f64::EPSILON);

    let mut svg = String::new();
    open_svg(&mut svg, width, height, texts.distribution);
    legend_item(
        &mut svg,
        label_width,
        16.0,
        ROWS_COLOUR,
        texts.share_of_rows,
    );
    legend_item(
        &mut svg,
        label_width + 140.0,
        16.0,
        GROUPS_COLOUR,
        texts.share_of_groups,
    );

    for (i, bar) in bars.iter().enumerate() {
        let y = top + row_height * i as f64;
        label_text(&mut svg, label_width - 8.0, y + 20.0, "end", "", &bar.label);

        let series = [
            (bar.rows, share(bar.rows, total_rows), ROWS_COLOUR, 3.0),
            (
                bar.groups,
                share(bar.groups, total_groups),
                GROUPS_COLOUR,
                17.0,
            ),
        ];
        for (count, ratio, colour, offset) in series {
            let length = bar_width * ratio / max_share;
            let _ = write!(
                svg,
                r#"<rect x="{label_width:.1}" y="{:.1}" width="{length:.1}" height="12" fill="{colour}"><title>{} · {}</title></rect><text x="{:.1}" y="{:.1}" class="value">{} ({})</text>"#,
                y + offset,
                escape(&bar.label),
                percent(ratio, lang),
                label_width + length + 6.0,
                y + offset + 10.0,
                integer(count, lang),
                percent(ratio, lang),
            );
        }
    }

    svg.push_str("</svg>");
    svg
}

/// Draws the fallback rate by group and by row as filled tracks.
pub(crate) fn fallback(
    by_group: f64,
    by_row: f64,
    title: &str,
    lang: Lang,
    texts: &Texts,
) -> String {
    let label_width = 120.0;
    let track_width = 420.0;
    let width = label_width + track_width + 90.0;
    let height = 80.0;

    let mut svg = String::new();
    open_svg(&mut svg, width, height, title);
    for (i, (label, rate)) in [(texts.by_group, by_group), (texts.by_row, by_row)]
        .into_iter()
        .enumerate()
    {
        let y = 12.0 + 34.0 * i as f64;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{label_width:.1}" y="{y:.1}" width="{track_width:.1}" height="18" fill="{TRACK_COLOUR}"/><rect x="{label_width:.1}" y="{y:.1}" width="{:.1}" height="18" fill="{FALLBACK_COLOUR}"><title>{}</title></rect><text x="{:.1}" y="{:.1}" class="value">{}</text>"#,
            label_width - 8.0,
            y + 14.0,
            escape(label),
            track_width * rate.clamp(0.0, 1.0),
            percent(rate, lang),
            label_width + track_width + 8.0,
            y + 14.0,
            percent(rate, lang),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Interpolates from a near-white blue to a dark blue, `t` in 0..=1.
fn heat_colour(t: f64) -> String {
    let low = [247.0, 251.0, 255.0];
    let high = [8.0, 48.0, 107.0];
    let channel = |i: usize| (low[i] + (high[i] - low[i]) * t.clamp(0.0, 1.0)).round() as u8;
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
}

/// Draws the confusion matrix as a heatmap with true categories as rows.
pub(crate) fn confusion(matrix: &ConfusionMatrix, lang: Lang, texts: &Texts) -> String {
    let n = matrix.labels.len();
    let cell = (560.0 / n.max(1) as f64).clamp(14.0, 44.0);
    let left = 200.0;
    let top = 150.0;
    let grid = cell * n as f64;
    let legend_top = top + grid + 30.0;
    let width = (left + grid + 40.0).max(460.0);
    let height = legend_top + 40.0;
    let max_count = matrix
        .counts
        .iter()
        .flatten()
        .fold(0.0_f64, |a, &b| a.max(b))
        .max(f64::EPSILON);

    let mut svg = String::new();
    open_svg(&mut svg, width, height, texts.confusion);
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="14" text-anchor="middle" class="axis-title">{}</text><text x="12" y="{:.1}" text-anchor="middle" class="axis-title" transform="rotate(-90 12 {:.1})">{}</text>"#,
        left + grid / 2.0,
        escape(texts.predicted_category),
        top + grid / 2.0,
        top + grid / 2.0,
        escape(texts.true_category),
    );

    for (i, label) in matrix.labels.iter().enumerate() {
        let centre = i as f64 * cell + cell / 2.0;
        label_text(&mut svg, left - 6.0, top + centre + 4.0, "end", "", label);
        let x = left + centre + 4.0;
        let y = top - 6.0;
        let rotation = format!(r#" transform="rotate(-45 {x:.1} {y:.1})""#);
        label_text(&mut svg, x, y, "start", &rotation, label);
    }

    for (t, row) in matrix.counts.iter().enumerate() {
        for (p, &count) in row.iter().enumerate() {
            let ratio = count / max_count;
            let x = left + p as f64 * cell;
            let y = top + t as f64 * cell;
            let count_text = integer(count.round() as u64, lang);
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell:.1}" height="{cell:.1}" fill="{}" stroke="#ffffff"><title>{} → {}: {}</title></rect>"##,
                heat_colour(ratio),
                escape(&matrix.labels[t]),
                escape(&matrix.labels[p]),
                count_text,
            );
            if cell >= 22.0 && count > 0.0 {
                let colour = if ratio > 0.5 { "#ffffff" } else { "#1a202c" };
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{colour}" class="cell">{count_text}</text>"#,
                    x + cell / 2.0,
                    y + cell / 2.0 + 4.0,
                );
            }
        }
    }

    let steps = 10;
    let step_width = 24.0;
    for step in 0..steps {
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{legend_top:.1}" width="{step_width:.1}" height="10" fill="{}"/>"#,
            left + step as f64 * step_width,
            heat_colour(step as f64 / (steps - 1) as f64),
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{left:.1}" y="{:.1}">0</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
        legend_top + 24.0,
        left + steps as f64 * step_width,
        legend_top + 24.0,
        integer(max_count.round() as u64, lang),
    );

    svg.push_str("</svg>");
    svg
}

/// Draws the F1 of each category as horizontal bars, `n/a` where it is undefined.
pub(crate) fn f1_bars(bars: &[F1Bar], lang: Lang, texts: &Texts) -> String {
    let label_width = 200.0;
    let bar_width = 360.0;
    let row_height = 24.0;
    let width = label_width + bar_width + 200.0;
    let height = row_height * bars.len() as f64 + 12.0;

    let mut svg = String::new();
    open_svg(&mut svg, width, height, texts.f1_per_category);
    for (i, bar) in bars.iter().enumerate() {
        let y = 6.0 + row_height * i as f64;
        label_text(
            &mut svg,
            label_width - 8.0,
            y + 13.0,
            "end",
            "",
            &bar.category,
        );
        let _ = write!(
            svg,
            r#"<rect x="{label_width:.1}" y="{y:.1}" width="{bar_width:.1}" height="16" fill="{TRACK_COLOUR}"/>"#
        );

        let support = format!(
            "{} {}",
            texts.support,
            integer(bar.support.round() as u64, lang)
        );
        let (length, value) = match bar.f1 {
            Some(f1) => (bar_width * f1.clamp(0.0, 1.0), score(f1, lang)),
            None => (0.0, texts.not_defined.to_owned()),
        };
        let _ = write!(
            svg,
            r#"<rect x="{label_width:.1}" y="{y:.1}" width="{length:.1}" height="16" fill="{F1_COLOUR}"><title>{}: {value}</title></rect><text x="{:.1}" y="{:.1}" class="value">{value} ({support})</text>"#,
            escape(&bar.category),
            label_width + bar_width + 8.0,
            y + 13.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Draws accuracy with its interval, macro F1 and fallback rate as grouped bars per iteration.
/// `fallback_label` names the fallback rate series.
pub(crate) fn iterations(
    points: &[IterationPoint],
    fallback_label: &str,
    lang: Lang,
    texts: &Texts,
) -> String {
    let left = 50.0;
    let top = 30.0;
    let plot_height = 220.0;
    let group_width = (640.0 / points.len().max(1) as f64).clamp(60.0, 140.0);
    let bar = group_width / 4.0;
    let width = (left + group_width * points.len() as f64 + 20.0).max(520.0);
    let height = top + plot_height + 40.0;
    let y_of = |ratio: f64| top + plot_height * (1.0 - ratio.clamp(0.0, 1.0));

    let mut svg = String::new();
    open_svg(&mut svg, width, height, texts.iterations);
    legend_item(&mut svg, left, 16.0, ACCURACY_COLOUR, texts.accuracy);
    legend_item(&mut svg, left + 120.0, 16.0, F1_COLOUR, texts.macro_f1);
    legend_item(
        &mut svg,
        left + 240.0,
        16.0,
        FALLBACK_COLOUR,
        fallback_label,
    );

    for tick in 0..=4 {
        let ratio = tick as f64 / 4.0;
        let y = y_of(ratio);
        let _ = write!(
            svg,
            r#"<line x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{AXIS_COLOUR}" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="value">{}</text>"#,
            width - 10.0,
            left - 6.0,
            y + 4.0,
            percent(ratio, lang),
        );
    }

    for (i, point) in points.iter().enumerate() {
        let x = left + group_width * i as f64 + bar / 2.0;
        let series = [
            (point.accuracy, ACCURACY_COLOUR, texts.accuracy),
            (point.macro_f1, F1_COLOUR, texts.macro_f1),
            (Some(point.fallback_rate), FALLBACK_COLOUR, fallback_label),
        ];
        for (j, (value, colour, name)) in series.into_iter().enumerate() {
            let Some(value) = value else {
                continue;
            };
            let bar_x = x + bar * j as f64;
            let value_text = if j == 1 {
                score(value, lang)
            } else {
                percent(value, lang)
            };
            let _ = write!(
                svg,
                r#"<rect x="{bar_x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{} {}: {} = {value_text}</title></rect>"#,
                y_of(value),
                bar - 2.0,
                (y_of(0.0) - y_of(value)).max(0.5),
                escape(texts.iteration),
                point.iteration,
                escape(name),
            );
        }

        if let Some((low, high)) = point.interval {
            let centre = x + (bar - 2.0) / 2.0;
            let _ = write!(
                svg,
                r##"<path d="M{centre:.1} {:.1} V{:.1} M{:.1} {:.1} H{:.1} M{:.1} {:.1} H{:.1}" stroke="#1a202c" stroke-width="1.5" fill="none"><title>{}: {} – {}</title></path>"##,
                y_of(high),
                y_of(low),
                centre - 5.0,
                y_of(high),
                centre + 5.0,
                centre - 5.0,
                y_of(low),
                centre + 5.0,
                escape(texts.interval_95),
                percent(low, lang),
                percent(high, lang),
            );
        }

        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{} {}</text>"#,
            x + bar * 1.5,
            top + plot_height + 20.0,
            escape(texts.iteration),
            point.iteration,
        );
    }

    svg.push_str("</svg>");
    svg
}
