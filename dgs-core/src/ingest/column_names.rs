//! Turns raw header cells or JSON keys into the final, unique column names of a table.
//!
//! Rules: a name is trimmed of whitespace (including non-breaking spaces), byte order marks
//! and one pair of surrounding quotes, and inner non-breaking spaces become plain spaces. An
//! empty name becomes `column_N`, with N the 1-based position of the column in the table. A
//! name already taken gets the first free suffix `_2`, `_3`... Each renaming is reported.

use super::Warning;
use std::collections::HashSet;

/// Cleans and deduplicates `raw` names. `line` is the row the names come from, if any.
pub(crate) fn unique_column_names(
    raw: &[String],
    line: Option<u64>,
) -> (Vec<String>, Vec<Warning>) {
    let mut taken: HashSet<String> = HashSet::with_capacity(raw.len());
    let mut names = Vec::with_capacity(raw.len());
    let mut warnings = Vec::new();

    for (index, original) in raw.iter().enumerate() {
        let position = index + 1;
        let mut name = clean_name(original);

        if name.is_empty() {
            name = format!("column_{position}");
            warnings.push(Warning {
                line,
                kind: "empty_header".to_owned(),
                message: format!("column {position} has an empty header, named it {name:?}"),
            });
        }

        if taken.contains(&name) {
            let base = name;
            let mut suffix = 2;
            name = format!("{base}_{suffix}");
            while taken.contains(&name) {
                suffix += 1;
                name = format!("{base}_{suffix}");
            }
            warnings.push(Warning {
                line,
                kind: "duplicate_header".to_owned(),
                message: format!(
                    "column {position} repeats the header {base:?}, renamed it {name:?}"
                ),
            });
        }

        taken.insert(name.clone());
        names.push(name);
    }

    (names, warnings)
}

/// Trims whitespace, byte order marks and one pair of surrounding quotes.
pub(crate) fn clean_name(raw: &str) -> String {
    let is_padding = |c: char| c.is_whitespace() || c == '\u{feff}';
    let mut name = raw.trim_matches(is_padding);

    for quote in ['"', '\''] {
        if name.len() >= 2 && name.starts_with(quote) && name.ends_with(quote) {
            name = name[1..name.len() - 1].trim_matches(is_padding);
            break;
        }
    }

    name.replace('\u{a0}', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &[&str]) -> (Vec<String>, Vec<Warning>) {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        unique_column_names(&raw, Some(4))
    }

    #[test]
    fn empty_header_named_by_position() {
        let (names, warnings) = names(&["Fecha", "", "  "]);
        assert_eq!(names, ["Fecha", "column_2", "column_3"]);
        assert_eq!(warnings.len(), 2);
        assert_eq!(warnings[0].kind, "empty_header");
        assert_eq!(warnings[0].line, Some(4));
    }

    #[test]
    fn duplicate_headers_get_suffixes() {
        let (names, warnings) = names(&["Name", "Name", "Name", "Name_2"]);
        assert_eq!(names, ["Name", "Name_2", "Name_3", "Name_2_2"]);
        assert_eq!(warnings.len(), 3);
        assert!(warnings.iter().all(|w| w.kind == "duplicate_header"));
        assert!(
            warnings[0].message.contains("\"Name_2\""),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn names_trimmed_of_bom_quotes_nbsp() {
        let (names, warnings) = names(&[
            "\u{feff}Fecha",
            "\"Importe\"",
            "\u{a0}Cuenta\u{a0}Contable ",
        ]);
        assert_eq!(names, ["Fecha", "Importe", "Cuenta Contable"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn empty_name_colliding_gets_suffix() {
        let (names, _) = names(&["column_2", ""]);
        assert_eq!(names, ["column_2", "column_2_2"]);
    }
}
