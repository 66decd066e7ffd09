//! Character-level steps: whitespace, control characters, quotes and dashes, case, accents
//! and punctuation.
//!
//! Every function writes into `out` only when the result differs from `input` and returns
//! `true` in that case. When it returns `false`, `out` is left untouched and the input is
//! already the result, so the caller can skip a copy. ASCII bytes are tested without decoding,
//! and unchanged spans are copied in one piece by an [`Editor`].

use super::mask::PLACEHOLDERS;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Maximum length in chars of the compatibility decomposition of one char (U+FDFA).
const MAX_DECOMPOSITION: usize = 18;

/// Decodes the char that starts at byte `index`, which must be a char boundary.
fn char_at(input: &str, index: usize) -> char {
    input[index..].chars().next().unwrap_or('\0')
}

/// Writes `input` to `out` with edits, copying the unchanged spans between edits in one
/// piece. Nothing is written until the first edit, so an input without edits costs no copy.
struct Editor<'a> {
    input: &'a str,
    out: &'a mut String,
    /// Bytes of `input` already written or replaced.
    copied: usize,
    changed: bool,
    /// Lowercase the ASCII letters of copied spans (for [`lowercase`]).
    lowercase_spans: bool,
}

impl<'a> Editor<'a> {
    fn new(input: &'a str, out: &'a mut String) -> Self {
        Editor {
            input,
            out,
            copied: 0,
            changed: false,
            lowercase_spans: false,
        }
    }

    fn copy_until(&mut self, end: usize) {
        let start = self.out.len();
        self.out.push_str(&self.input[self.copied..end]);
        if self.lowercase_spans {
            self.out[start..].make_ascii_lowercase();
        }
        self.copied = end;
    }

    /// Replaces `input[start..end]`: copies the span before it and returns `out` for the
    /// replacement text.
    fn replace(&mut self, start: usize, end: usize) -> &mut String {
        self.copy_until(start);
        self.copied = end;
        self.changed = true;
        self.out
    }

    fn finish(mut self) -> bool {
        if self.changed {
            self.copy_until(self.input.len());
        }
        self.changed
    }
}

/// Writes `input` without leading and trailing Unicode whitespace (NBSP included).
pub(crate) fn trim(input: &str, out: &mut String) -> bool {
    let trimmed = input.trim();
    if trimmed.len() == input.len() {
        return false;
    }
    out.push_str(trimmed);
    true
}

/// Returns the byte length of the whitespace char at `index`, or `None` for other chars.
fn whitespace_width(input: &str, index: usize) -> Option<usize> {
    let byte = *input.as_bytes().get(index)?;
    if byte < 0x80 {
        return is_ascii_space(byte).then_some(1);
    }
    let c = char_at(input, index);
    c.is_whitespace().then(|| c.len_utf8())
}

/// Returns the byte length of the UTF-8 sequence that starts with `lead`.
fn utf8_width(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Writes `input` with every run of Unicode whitespace replaced by one ASCII space.
pub(crate) fn collapse_whitespace(input: &str, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let mut editor = Editor::new(input, out);
    let mut index = 0;

    while index < bytes.len() {
        // Skip bytes that are neither ASCII whitespace nor the start of a non-ASCII char.
        if let Some(offset) = bytes[index..]
            .iter()
            .position(|&byte| byte >= 0x80 || is_ascii_space(byte))
        {
            index += offset;
        } else {
            break;
        }
        let byte = bytes[index];
        // One plain space between two words needs no edit.
        if byte == b' '
            && bytes
                .get(index + 1)
                .is_some_and(|&next| next < 0x80 && !is_ascii_space(next))
        {
            index += 2;
            continue;
        }
        let Some(width) = whitespace_width(input, index) else {
            index += utf8_width(bytes[index]);
            continue;
        };
        let start = index;
        index += width;
        while let Some(width) = whitespace_width(input, index) {
            index += width;
        }
        if !(index - start == 1 && bytes[start] == b' ') {
            editor.replace(start, index).push(' ');
        }
    }
    editor.finish()
}

/// Writes `input` without control and invisible format characters.
///
/// Tabs, line breaks and other whitespace controls become a space, so `"PAGO\nFACT"` keeps
/// two words. Other C0/C1 controls, zero-width spaces and joiners, the word joiner, the byte
/// order mark, the soft hyphen and the bidirectional marks and embeddings (U+061C, U+200E,
/// U+200F, U+202A..U+202E, U+2066..U+2069) are removed.
pub(crate) fn remove_control(input: &str, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let mut editor = Editor::new(input, out);
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        if (0x20..0x7f).contains(&byte) {
            index += 1;
            continue;
        }
        let c = char_at(input, index);
        let end = index + c.len_utf8();
        if c.is_control() {
            let replacement = if c.is_whitespace() { " " } else { "" };
            editor.replace(index, end).push_str(replacement);
        } else if is_invisible_format(c) {
            editor.replace(index, end);
        }
        index = end;
    }
    editor.finish()
}

fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Writes `input` with typographic quotes, dashes, ellipses and non-breaking or wide spaces
/// replaced by their ASCII forms.
///
/// The C1 controls U+0085 and U+0091..U+0097 are read as the Windows-1252 characters with the
/// same byte (`…`, `‘ ’ “ ” •  – —`). They appear when Windows-1252 text was decoded as
/// ISO-8859-1 on the way in.
pub(crate) fn unify_punctuation(input: &str, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let mut editor = Editor::new(input, out);
    let mut index = 0;

    while index < bytes.len() {
        if bytes[index] < 0x80 {
            index += 1;
            continue;
        }
        let c = char_at(input, index);
        let end = index + c.len_utf8();
        if let Some(replacement) = unified(c) {
            editor.replace(index, end).push_str(replacement);
        }
        index = end;
    }
    editor.finish()
}

fn unified(c: char) -> Option<&'static str> {
    let replacement = match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}'
        | '\u{0091}' | '\u{0092}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' | '\u{0093}' | '\u{0094}' => "\"",
        '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}'
        | '\u{0096}'
        | '\u{0097}' => "-",
        '\u{2026}' | '\u{0085}' => "...",
        '\u{2022}' | '\u{0095}' => "*",
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        _ => return None,
    };
    Some(replacement)
}

/// Writes `input` in lowercase (Unicode case mapping).
pub(crate) fn lowercase(input: &str, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let mut editor = Editor::new(input, out);
    editor.lowercase_spans = true;
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        if byte < 0x80 {
            editor.changed |= byte.is_ascii_uppercase();
            index += 1;
            continue;
        }
        let c = char_at(input, index);
        let end = index + c.len_utf8();
        if c.is_uppercase() {
            editor.replace(index, end).extend(c.to_lowercase());
        }
        index = end;
    }
    editor.finish()
}

/// The treatment of `ñ` and `Ñ` in [`fold_accents`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enye {
    /// Keep `ñ`/`Ñ`: Spanish `año` and `ano` stay different words.
    Keep,
    /// Fold `ñ` to `n` like every other letter with a diacritic.
    Fold,
}

/// Writes `input` with diacritics removed: compatibility decomposition (NFKD) without
/// combining marks, so `é` -> `e`, `º` -> `o`, `ª` -> `a`, `ﬁ` -> `fi`, `²` -> `2`.
///
/// The degree sign after a letter or digit (`N°`, `1°`) is written `o`, the way `Nº` and `1º`
/// fold, because Spanish ledgers use both signs as the ordinal indicator. With
/// [`Enye::Fold`] the letters NFKD leaves alone are also folded to ASCII (`ß` -> `ss`,
/// `æ` -> `ae`, `ø` -> `o`, `œ` -> `oe`, `ł` -> `l`, `đ` -> `d`, `þ` -> `th`).
pub(crate) fn fold_accents(input: &str, enye: Enye, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let mut editor = Editor::new(input, out);
    let mut previous_alphanumeric = false;
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        if byte < 0x80 {
            previous_alphanumeric = byte.is_ascii_alphanumeric();
            index += 1;
            continue;
        }
        let c = char_at(input, index);
        let end = index + c.len_utf8();

        match c {
            'ñ' | 'Ñ' if enye == Enye::Keep => {}
            '°' if previous_alphanumeric => editor.replace(index, end).push('o'),
            // A decomposed `n` + combining tilde (macOS file names, NFD text) is an `ñ`.
            '\u{0303}'
                if enye == Enye::Keep
                    && index > editor.copied
                    && matches!(bytes[index - 1], b'n' | b'N') =>
            {
                let enye_letter = if bytes[index - 1] == b'N' { 'Ñ' } else { 'ñ' };
                editor.replace(index - 1, end).push(enye_letter);
            }
            _ => fold_char(c, enye, &mut editor, index, end),
        }
        previous_alphanumeric = c.is_alphanumeric();
        index = end;
    }
    editor.finish()
}

fn fold_char(c: char, enye: Enye, editor: &mut Editor<'_>, start: usize, end: usize) {
    let mut parts = ['\0'; MAX_DECOMPOSITION];
    let mut count = 0;
    decompose_compatible(c, |part| {
        if count < MAX_DECOMPOSITION {
            parts[count] = part;
            count += 1;
        }
    });

    let folds_further = enye == Enye::Fold && ascii_letter(c).is_some();
    if count == 1 && parts[0] == c && !is_combining_mark(c) && !folds_further {
        return;
    }

    let out = editor.replace(start, end);
    for &part in &parts[..count] {
        if is_combining_mark(part) {
            continue;
        }
        match ascii_letter(part).filter(|_| enye == Enye::Fold) {
            Some(ascii) => out.push_str(ascii),
            None => out.push(part),
        }
    }
}

fn ascii_letter(c: char) -> Option<&'static str> {
    let ascii = match c {
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "AE",
        'ø' => "o",
        'Ø' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ł' => "l",
        'Ł' => "L",
        'đ' => "d",
        'Đ' => "D",
        'þ' => "th",
        'Þ' => "TH",
        'ı' => "i",
        _ => return None,
    };
    Some(ascii)
}

/// Writes `input` with punctuation and symbols removed, so `S.A.` and `SA` become equal.
///
/// Letters, digits and whitespace are kept, and so are the mask placeholders (`<num>`,
/// `<fecha>`, `<monto>`). A `.` after a single letter (`S.A.`, `S.p.A.`) or between digits
/// (`1.234`), a `,` between digits and apostrophes are deleted. Every other punctuation mark
/// or symbol becomes a space (`FACT.00123` -> `FACT 00123`, `compra/venta` -> `compra venta`),
/// unless a space already separates the words there (`N° 5` -> `N 5`). Follow this step with
/// [`collapse_whitespace`] and [`trim`] to drop the spaces left at the ends.
pub(crate) fn remove_punctuation(input: &str, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let mut editor = Editor::new(input, out);
    let mut letters_in_word = 0usize;
    let mut previous: Option<char> = None;
    let mut last_written: Option<char> = None;
    let mut inserted_space = false;
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        let c = if byte < 0x80 {
            char::from(byte)
        } else {
            char_at(input, index)
        };
        let end = index + c.len_utf8();

        if c.is_alphanumeric() || c.is_whitespace() {
            // A space this step wrote for a removed mark already separates the words.
            if inserted_space && c.is_whitespace() {
                editor.replace(index, end);
            } else {
                last_written = Some(c);
            }
            inserted_space = false;
            letters_in_word = if c.is_alphanumeric() {
                letters_in_word + 1
            } else {
                0
            };
            previous = Some(c);
            index = end;
            continue;
        }

        if c == '<' {
            if let Some(placeholder) = PLACEHOLDERS
                .iter()
                .find(|p| input[index..].starts_with(**p))
            {
                letters_in_word = 0;
                inserted_space = false;
                previous = Some('>');
                last_written = Some('>');
                index += placeholder.len();
                continue;
            }
        }

        let next = input[end..].chars().next();
        let between_digits = previous.is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit());
        let deleted = match c {
            '.' => letters_in_word == 1 || between_digits,
            ',' => between_digits,
            '\'' | '`' => true,
            _ => false,
        };
        let replacement = editor.replace(index, end);
        if !deleted && last_written.is_some() {
            if !last_written.is_some_and(char::is_whitespace) {
                replacement.push(' ');
                last_written = Some(' ');
            }
            inserted_space = true;
        }

        letters_in_word = 0;
        previous = Some(c);
        index = end;
    }
    editor.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(step: fn(&str, &mut String) -> bool, input: &str) -> String {
        let mut out = String::new();
        if step(input, &mut out) {
            out
        } else {
            assert!(out.is_empty(), "unchanged step wrote output for {input:?}");
            input.to_string()
        }
    }

    fn strip(input: &str) -> String {
        run(|i, o| fold_accents(i, Enye::Keep, o), input)
    }

    fn ascii(input: &str) -> String {
        run(|i, o| fold_accents(i, Enye::Fold, o), input)
    }

    #[test]
    fn trim_removes_nbsp_and_spaces() {
        assert_eq!(run(trim, "\u{a0} Pago  \t"), "Pago");
        assert_eq!(run(trim, "Pago"), "Pago");
    }

    #[test]
    fn collapse_whitespace_cases() {
        assert_eq!(
            run(collapse_whitespace, "Pago   fact\t\n001"),
            "Pago fact 001"
        );
        assert_eq!(run(collapse_whitespace, "Año\u{a0}\u{a0}2024"), "Año 2024");
        assert_eq!(run(collapse_whitespace, " a b "), " a b ");
        assert_eq!(run(collapse_whitespace, "a\tb"), "a b");
    }

    #[test]
    fn remove_control_keeps_word_breaks() {
        assert_eq!(run(remove_control, "PAGO\nFACT\r\n"), "PAGO FACT  ");
        assert_eq!(
            run(remove_control, "Cami\u{00AD}ón\u{200B}es\u{0}"),
            "Camiónes"
        );
        assert_eq!(run(remove_control, "\u{FEFF}Compra"), "Compra");
        assert_eq!(
            run(
                remove_control,
                "\u{200E}Pago\u{200F} \u{202B}acme\u{202C}\u{2067}\u{061C}"
            ),
            "Pago acme"
        );
        assert_eq!(run(remove_control, "Compra"), "Compra");
    }

    #[test]
    fn unify_punctuation_smart_quotes() {
        assert_eq!(
            run(unify_punctuation, "“Oficina” ‘central’"),
            "\"Oficina\" 'central'"
        );
        assert_eq!(
            run(unify_punctuation, "Enero – Marzo — 2024"),
            "Enero - Marzo - 2024"
        );
        assert_eq!(run(unify_punctuation, "N°\u{a0}123"), "N° 123");
        assert_eq!(run(unify_punctuation, "Pago…"), "Pago...");
    }

    #[test]
    fn unify_punctuation_c1_as_windows_1252() {
        assert_eq!(
            run(unify_punctuation, "\u{93}Arriendo\u{94} \u{96} local"),
            "\"Arriendo\" - local"
        );
        assert_eq!(run(unify_punctuation, "O\u{92}Higgins"), "O'Higgins");
    }

    #[test]
    fn lowercase_mixed_case_spanish() {
        assert_eq!(run(lowercase, "PAGO Fact"), "pago fact");
        assert_eq!(run(lowercase, "AÑO ÚLTIMO Nº"), "año último nº");
        assert_eq!(run(lowercase, "pago"), "pago");
    }

    #[test]
    fn strip_accents_keeps_enye() {
        assert_eq!(strip("Descripción de línea"), "Descripcion de linea");
        assert_eq!(strip("Año PEÑA güero"), "Año PEÑA guero");
        assert_eq!(strip("Ano"), "Ano");
        assert_eq!(strip("an\u{303}o"), "año");
    }

    #[test]
    fn strip_accents_ordinals_and_degree() {
        assert_eq!(
            strip("Nº 12, 1º piso, 2ª cuota"),
            "No 12, 1o piso, 2a cuota"
        );
        assert_eq!(strip("N° 12, 1° piso"), "No 12, 1o piso");
        assert_eq!(strip("temperatura ° sola"), "temperatura ° sola");
    }

    #[test]
    fn ascii_fold_folds_enye_and_ligatures() {
        assert_eq!(ascii("Año Peña"), "Ano Pena");
        assert_eq!(ascii("Straße Œuvre ﬁnal"), "Strasse OEuvre final");
        assert_eq!(ascii("Crédito"), "Credito");
    }

    #[test]
    fn remove_punctuation_abbreviations() {
        assert_eq!(run(remove_punctuation, "Acme S.A."), "Acme SA");
        assert_eq!(run(remove_punctuation, "Acme SA"), "Acme SA");
        assert_eq!(run(remove_punctuation, "Acme S.p.A."), "Acme SpA");
        assert_eq!(run(remove_punctuation, "Ltda."), "Ltda ");
    }

    #[test]
    fn remove_punctuation_separators() {
        assert_eq!(run(remove_punctuation, "FACT.00123"), "FACT 00123");
        assert_eq!(run(remove_punctuation, "compra/venta"), "compra venta");
        assert_eq!(run(remove_punctuation, "1.234,56"), "123456");
        assert_eq!(run(remove_punctuation, "O'Higgins"), "OHiggins");
        assert_eq!(
            run(remove_punctuation, "\"Oficina\" (central)"),
            "Oficina central "
        );
        assert_eq!(
            run(remove_punctuation, "fact-<num> <fecha>."),
            "fact <num> <fecha> "
        );
        assert_eq!(run(remove_punctuation, "a < b"), "a b");
    }
}
