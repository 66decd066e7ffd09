//! Escaping and number formats for the HTML report.

use super::text::Lang;

/// Escapes `text` for HTML text and attribute values, SVG included.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Shortens `text` to at most `max_chars` characters, ending with `…` when cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let prefix: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{prefix}…")
}

/// Formats a ratio in 0..=1 as a percentage with one decimal: `45,1 %` or `45.1%`.
pub(crate) fn percent(ratio: f64, lang: Lang) -> String {
    let value = format!("{:.1}", ratio * 100.0);
    match lang {
        Lang::Es => format!("{} %", value.replace('.', ",")),
        Lang::En => format!("{value}%"),
    }
}

/// Formats a signed change of a ratio in percentage points: `+2,5 pp` or `+2.5 pp`.
pub(crate) fn points(delta: f64, lang: Lang) -> String {
    let value = format!("{:+.1}", delta * 100.0);
    match lang {
        Lang::Es => format!("{} pp", value.replace('.', ",")),
        Lang::En => format!("{value} pp"),
    }
}

/// Formats a score in 0..=1 with three decimals.
pub(crate) fn score(value: f64, lang: Lang) -> String {
    decimal(format!("{value:.3}"), lang)
}

/// Formats a signed change of a score with three decimals.
pub(crate) fn score_delta(value: f64, lang: Lang) -> String {
    decimal(format!("{value:+.3}"), lang)
}

/// Formats a count with thousands separators: `1.234.567` or `1,234,567`.
pub(crate) fn integer(value: u64, lang: Lang) -> String {
    group_thousands(&value.to_string(), lang)
}

/// Formats a signed count with thousands separators and an explicit sign.
pub(crate) fn signed_integer(value: i64, lang: Lang) -> String {
    let sign = if value < 0 { "-" } else { "+" };
    format!("{sign}{}", integer(value.unsigned_abs(), lang))
}

/// Formats a cost in US dollars with four decimals.
pub(crate) fn money(value: f64, lang: Lang) -> String {
    decimal(format!("{value:.4}"), lang)
}

/// Formats a signed change of cost in US dollars with four decimals.
pub(crate) fn money_delta(value: f64, lang: Lang) -> String {
    decimal(format!("{value:+.4}"), lang)
}

/// Formats milliseconds as seconds with one decimal: `83,4 s` or `83.4 s`.
pub(crate) fn seconds(milliseconds: f64, lang: Lang) -> String {
    format!(
        "{} s",
        decimal(format!("{:.1}", milliseconds / 1000.0), lang)
    )
}

/// Formats a signed change of milliseconds as seconds with one decimal.
pub(crate) fn seconds_delta(milliseconds: f64, lang: Lang) -> String {
    format!(
        "{} s",
        decimal(format!("{:+.1}", milliseconds / 1000.0), lang)
    )
}

fn decimal(formatted: String, lang: Lang) -> String {
    match lang {
        Lang::Es => formatted.replace('.', ","),
        Lang::En => formatted,
    }
}

fn group_thousands(digits: &str, lang: Lang) -> String {
    let separator = match lang {
        Lang::Es => '.',
        Lang::En => ',',
    };
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("Señalización vial", 8), "Señaliz…");
        assert_eq!(truncate("Corto", 8), "Corto");
    }

    #[test]
    fn numbers_follow_language() {
        assert_eq!(integer(1_234_567, Lang::Es), "1.234.567");
        assert_eq!(integer(1_234_567, Lang::En), "1,234,567");
        assert_eq!(integer(999, Lang::En), "999");
        assert_eq!(signed_integer(-1_500, Lang::Es), "-1.500");
        assert_eq!(percent(0.4512, Lang::Es), "45,1 %");
        assert_eq!(percent(0.4512, Lang::En), "45.1%");
        assert_eq!(points(-0.025, Lang::En), "-2.5 pp");
        assert_eq!(seconds(83_400.0, Lang::Es), "83,4 s");
    }
}
