//! The HTML report on hand-built iterations: structure, escaping, both languages, and the
//! page as headless Chromium renders it.

use dgs_core::llm::TokenUsage;
use dgs_core::review::{
    render_report, GroupResult, IterationView, Lang, ReportInput, VerdictView,
    DEFAULT_TOP_CATEGORIES,
};
use std::path::Path;
use std::process::Command;

const HOSTILE: &str = r#"<script>alert("x")</script> & 'Cía'"#;
const CHART_IDS: [&str; 5] = [
    "chart-distribution",
    "chart-fallback",
    "chart-confusion",
    "chart-f1",
    "chart-iterations",
];

fn group(group_id: u64, category: &str, group_size: u64) -> GroupResult {
    GroupResult {
        group_id,
        category: category.to_owned(),
        score: 0.8,
        group_size,
    }
}

fn truth(group_id: u64, category: &str) -> VerdictView {
    VerdictView {
        group_id,
        true_category: Some(category.to_owned()),
        rejected_category: None,
    }
}

fn iteration(number: u32, groups: Vec<GroupResult>, verdicts: &[VerdictView]) -> IterationView {
    IterationView::build(
        number,
        groups,
        verdicts,
        verdicts.len() as u64,
        "Indeterminado",
        TokenUsage {
            prompt_tokens: 12_000 * number as u64,
            completion_tokens: 3_000,
        },
        Some(0.0125 * number as f64),
        Some(65_400),
    )
}

/// Two iterations of eight groups; the second fixes group 3 and breaks group 4. One category
/// name contains markup characters.
fn two_iterations() -> ReportInput {
    let verdicts = vec![
        truth(1, "Viáticos"),
        truth(2, HOSTILE),
        truth(3, "Mantenimiento"),
        truth(4, "Viáticos"),
        truth(5, "Indeterminado"),
    ];
    let first = vec![
        group(1, "Viáticos", 40),
        group(2, HOSTILE, 7),
        group(3, "Viáticos", 3),
        group(4, "Viáticos", 2),
        group(5, "Indeterminado", 9),
        group(6, "Mantenimiento", 12),
        group(7, "Indeterminado", 1),
        group(8, "Honorarios profesionales de consultoría externa", 5),
    ];
    let mut second = first.clone();
    second[2].category = "Mantenimiento".to_owned();
    second[3].category = "Mantenimiento".to_owned();

    ReportInput {
        job_id: "job-2026-12".to_owned(),
        input: "mayor_2026 <final>.zip".to_owned(),
        fallback: "Indeterminado".to_owned(),
        iterations: vec![
            iteration(1, first, &verdicts),
            iteration(2, second, &verdicts),
        ],
        verdicts,
        top_categories: DEFAULT_TOP_CATEGORIES,
    }
}

fn one_iteration_without_verdicts() -> ReportInput {
    let groups = vec![
        group(1, "Viáticos", 4),
        group(2, "Indeterminado", 1),
        group(3, "Mantenimiento", 2),
    ];
    ReportInput {
        job_id: "job-1".to_owned(),
        input: "ledger.csv".to_owned(),
        fallback: "Indeterminado".to_owned(),
        iterations: vec![iteration(1, groups, &[])],
        verdicts: Vec::new(),
        top_categories: DEFAULT_TOP_CATEGORIES,
    }
}

/// Returns the markup of the element with `id` up to its `</figure>`.
fn chart_markup<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no element with id {id}"));
    let end = start + html[start..].find("</figure>").expect("figure not closed");
    &html[start..end]
}

/// Checks that every non-void element is closed in order. Sound here because the report
/// escapes every `<` in text.
fn assert_balanced(html: &str) {
    const VOID: [&str; 4] = ["meta", "br", "!DOCTYPE", "hr"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("unterminated tag");
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];

        if let Some(name) = tag.strip_prefix('/') {
            let top = open
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(top, name, "</{name}> closes <{top}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        open.push(name);
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
}

fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("http"), "the report references http");
    assert!(!lower.contains("src="), "the report loads a resource");
    assert!(!lower.contains("<link"), "the report links a resource");
    assert!(!lower.contains("<script"), "the report contains a script");
}

#[test]
fn report_is_balanced_and_self_contained() {
    for lang in [Lang::Es, Lang::En] {
        let html = render_report(&two_iterations(), lang);

        assert_balanced(&html);
        assert_self_contained(&html);
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert_eq!(html.matches("<svg").count(), CHART_IDS.len());
    }
}

#[test]
fn report_escapes_category_names() {
    let html = render_report(&two_iterations(), Lang::Es);

    assert!(!html.contains(HOSTILE));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Cía&#39;"));
    assert!(html.contains("mayor_2026 &lt;final&gt;.zip"));
}

#[test]
fn report_truncates_long_labels() {
    let html = render_report(&two_iterations(), Lang::Es);
    let full = "Honorarios profesionales de consultoría externa";

    assert!(html.contains(&format!("<title>{full}</title>Honorarios profesionale…")));
}

#[test]
fn report_in_spanish_by_default() {
    assert_eq!(Lang::default(), Lang::Es);
    let html = render_report(&two_iterations(), Lang::default());

    assert!(html.contains(r#"<html lang="es">"#));
    assert!(html.contains("Informe de clasificación"));
    assert!(html.contains("Matriz de confusión"));
    assert!(html.contains("Comparación: Iteración 1 → 2"));
    assert!(html.contains("Corregidos"));
    assert!(html.contains("intervalo de Wilson al 95 %: "));
    assert!(!html.contains("Confusion matrix"));
}

#[test]
fn report_in_english() {
    let html = render_report(&two_iterations(), Lang::En);

    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Classification report"));
    assert!(html.contains("Confusion matrix"));
    assert!(html.contains("Comparison: Iteration 1 → 2"));
    assert!(!html.contains("Matriz de confusión"));
    assert!(!html.contains("Iteración"));
}

#[test]
fn report_numbers_follow_language() {
    let es = render_report(&two_iterations(), Lang::Es);
    let en = render_report(&two_iterations(), Lang::En);

    // 24,000 prompt tokens and 65.4 s in the second iteration.
    assert!(es.contains("<td>24.000</td>"));
    assert!(en.contains("<td>24,000</td>"));
    assert!(es.contains("65,4 s"));
    assert!(en.contains("65.4 s"));
}

#[test]
fn report_counts_fixed_and_broke() {
    let html = render_report(&two_iterations(), Lang::En);
    let outcomes = &html[html.find(r#"id="outcomes""#).unwrap()..];

    assert!(outcomes.contains("Fixed<b>1</b>3 rows"), "{outcomes}");
    assert!(outcomes.contains("Broke<b>1</b>2 rows"));
    assert!(html.contains(r#"<td class="fixed">Fixed</td>"#));
    assert!(html.contains(r#"<td class="broke">Broke</td>"#));
}

#[test]
fn every_chart_has_marks() {
    let html = render_report(&two_iterations(), Lang::Es);

    for id in CHART_IDS {
        let chart = chart_markup(&html, id);
        assert!(chart.contains("<svg"), "{id} has no svg");
        assert!(chart.contains("<rect"), "{id} has no bars or cells");
    }
    assert!(
        chart_markup(&html, "chart-iterations").contains("<path"),
        "no interval whisker"
    );
}

#[test]
fn no_verdicts_shows_message() {
    for (lang, message) in [
        (Lang::Es, "Sin veredictos aún"),
        (Lang::En, "No verdicts yet"),
    ] {
        let html = render_report(&one_iteration_without_verdicts(), lang);

        assert_balanced(&html);
        assert_self_contained(&html);
        for id in ["chart-confusion", "chart-f1"] {
            let chart = chart_markup(&html, id);
            assert!(chart.contains(message), "{id} lacks the message");
            assert!(!chart.contains("<svg"), "{id} draws an empty chart");
        }
        for id in ["chart-distribution", "chart-fallback", "chart-iterations"] {
            assert!(chart_markup(&html, id).contains("<rect"), "{id} is empty");
        }
        assert!(!html.contains(r#"id="table-comparison""#));
    }
}

#[test]
fn report_names_fallback_category() {
    let mut input = one_iteration_without_verdicts();
    input.fallback = "Sin <clasificar>".to_owned();

    let es = render_report(&input, Lang::Es);
    let en = render_report(&input, Lang::En);

    assert!(es.contains("<h2>Tasa de Sin &lt;clasificar&gt;</h2>"));
    assert!(en.contains("<h2>Sin &lt;clasificar&gt; rate</h2>"));
    assert!(!es.contains("{fallback}"));
    assert!(!en.contains("{fallback}"));
}

#[test]
fn small_categories_merge_into_others() {
    let groups: Vec<GroupResult> = (0..20)
        .map(|i| group(i, &format!("Categoría {i:02}"), 100 - i))
        .collect();
    let mut input = one_iteration_without_verdicts();
    input.iterations = vec![iteration(1, groups, &[])];
    input.top_categories = 5;

    let html = render_report(&input, Lang::Es);
    let chart = chart_markup(&html, "chart-distribution");

    assert!(chart.contains("(otros: 15)"));
    // Categories 05 to 19 have 1,320 of 1,810 rows and 15 of 20 groups.
    assert!(chart.contains("1.320 (72,9 %)"), "{chart}");
    assert!(chart.contains("15 (75,0 %)"));
    assert!(chart.contains("Categoría 04"));
    assert!(!chart.contains("Categoría 05"));
}

#[test]
fn no_iterations_shows_message() {
    let mut input = one_iteration_without_verdicts();
    input.iterations.clear();

    let html = render_report(&input, Lang::Es);

    assert!(html.contains("aún no tiene iteraciones"));
    assert_balanced(&html);
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// Loads `page` in headless Chromium from a file URL with a fresh profile and returns the
/// dumped DOM and the log.
fn chromium_dump(dir: &Path, name: &str, page: &str) -> (String, String) {
    let path = dir.join(name);
    std::fs::write(&path, page).unwrap();
    let profile = tempfile::tempdir().unwrap();

    let output = Command::new("timeout")
        .arg("120")
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("failed to start chromium");

    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "chromium failed: {log}");
    (String::from_utf8(output.stdout).unwrap(), log)
}

/// Returns the log lines of console messages and uncaught errors.
fn console_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("Uncaught"))
        .collect()
}

#[test]
fn chromium_renders_every_chart() {
    if !Path::new(CHROMIUM).exists() {
        println!("skipped: {CHROMIUM} not found; install the chromium package to run this test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();

    // A page with a broken script proves the log shows script errors, so the check on the
    // report below can fail.
    let broken = "<!DOCTYPE html><html><body><script>missing_function();</script></body></html>";
    let (_, log) = chromium_dump(dir.path(), "broken.html", broken);
    assert!(
        !console_lines(&log).is_empty(),
        "the chromium log does not show script errors: {log}"
    );

    for (name, input) in [
        ("two_iterations.html", two_iterations()),
        ("no_verdicts.html", one_iteration_without_verdicts()),
    ] {
        let (dom, log) = chromium_dump(dir.path(), name, &render_report(&input, Lang::Es));

        assert_eq!(console_lines(&log), Vec::<&str>::new(), "{name}");
        assert!(dom.contains("Informe de clasificación"), "{name}: {dom}");
        for id in CHART_IDS {
            let chart = chart_markup(&dom, id);
            let marks = chart.matches("<rect").count()
                + chart.matches("<path").count()
                + chart.matches("<circle").count();
            let message = chart.contains("Sin veredictos aún");
            assert!(marks > 0 || message, "{name}: {id} is empty in the DOM");
        }
    }
}
