//! Template placeholders: scanning a template into text and placeholders.
//!
//! A placeholder is `{name}` where `name` is made of ASCII letters, digits and `_`. Any other
//! brace is literal text, so a template can show a JSON example such as `{"id": 1}` as is.
//! `{{` and `}}` write a single brace where a literal `{word}` is needed.

use super::error::PromptError;

/// The placeholders a template may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// `{categories}`: the numbered category list, fallback first.
    Categories,
    /// `{fallback}`: the fallback category name, `Indeterminado` by default.
    Fallback,
    /// `{fields}`: the item field names, comma-separated, as in the item header line.
    Fields,
    /// `{output_format}`: the answer format and the one-result-per-item rules.
    OutputFormat,
}

impl Placeholder {
    /// Every placeholder with its name in templates.
    pub const ALL: [(Placeholder, &'static str); 4] = [
        (Placeholder::Categories, "categories"),
        (Placeholder::Fallback, "fallback"),
        (Placeholder::Fields, "fields"),
        (Placeholder::OutputFormat, "output_format"),
    ];

    fn from_name(name: &str) -> Option<Placeholder> {
        Self::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(placeholder, _)| *placeholder)
    }
}

/// A template split into literal text and placeholders.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Piece {
    Text(String),
    Placeholder(Placeholder),
}

/// Splits `template` into pieces, rejecting unknown or unclosed placeholders.
pub(crate) fn scan(template: &str) -> Result<Vec<Piece>, PromptError> {
    let chars: Vec<char> = template.chars().collect();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let (mut line, mut column) = (1usize, 1usize);
    let mut i = 0;

    while i < chars.len() {
        let ch = chars[i];

        if ch == '{' && chars.get(i + 1) == Some(&'{') {
            text.push('{');
            i += 2;
            column += 2;
            continue;
        }
        if ch == '}' && chars.get(i + 1) == Some(&'}') {
            text.push('}');
            i += 2;
            column += 2;
            continue;
        }

        if ch == '{' {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .collect();
            let after = chars.get(i + 1 + name.len());
            if !name.is_empty() && after == Some(&'}') {
                let Some(placeholder) = Placeholder::from_name(&name) else {
                    return Err(PromptError::UnknownPlaceholder { name, line, column });
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder(placeholder));
                let width = name.len() + 2;
                i += width;
                column += width;
                continue;
            }
            if !name.is_empty() && matches!(after, None | Some('\n') | Some('\r')) {
                return Err(PromptError::UnclosedPlaceholder { name, line, column });
            }
        }

        text.push(ch);
        if ch == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
        i += 1;
    }

    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_known_placeholders() {
        let pieces = scan("Clasifica.\n{categories}\nSi dudas: {fallback}.").unwrap();
        assert_eq!(
            pieces,
            vec![
                Piece::Text("Clasifica.\n".into()),
                Piece::Placeholder(Placeholder::Categories),
                Piece::Text("\nSi dudas: ".into()),
                Piece::Placeholder(Placeholder::Fallback),
                Piece::Text(".".into()),
            ]
        );
    }

    #[test]
    fn scan_keeps_json_braces_and_escapes() {
        let pieces = scan(r#"Ejemplo {"id": 1} y {{categories}} literal"#).unwrap();
        assert_eq!(
            pieces,
            vec![Piece::Text(
                r#"Ejemplo {"id": 1} y {categories} literal"#.into()
            )]
        );
    }

    #[test]
    fn scan_reports_unknown_placeholder_position() {
        let err = scan("Hola\n  usa {categorias} aquí").unwrap_err();
        assert_eq!(
            err,
            PromptError::UnknownPlaceholder {
                name: "categorias".into(),
                line: 2,
                column: 7
            }
        );
        assert!(err.to_string().contains("`{categorias}`"), "{err}");
        assert!(err.to_string().contains("line 2, column 7"), "{err}");
    }

    #[test]
    fn scan_reports_unclosed_placeholder() {
        let err = scan("Categorías: {categories\nfin").unwrap_err();
        assert_eq!(
            err,
            PromptError::UnclosedPlaceholder {
                name: "categories".into(),
                line: 1,
                column: 13
            }
        );
    }
}
