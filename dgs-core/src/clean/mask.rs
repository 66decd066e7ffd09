//! Ledger masks: replace dates, amounts, document numbers and other numbers with
//! placeholders, so lines that differ only in those parts get the same dedup key.
//!
//! The scanner is hand-written and makes one pass. It reads the input as tokens (runs of
//! letters and digits) and symbols, and tries the patterns in this order at each token:
//! Chilean RUT, date, amount, plain number. Letter tokens are checked for month names
//! followed by a year, currency codes followed by an amount, and document-number markers.
//! Patterns never match inside a token, so `ab12` is one identifier, not `ab` and `12`.

/// Placeholder for document numbers, identifiers with digits and other digit runs.
pub const NUMBER_PLACEHOLDER: &str = "<num>";
/// Placeholder for dates (`03/2024`, `2024-03-31`, `31/03/24`, `marzo 2024`).
pub const DATE_PLACEHOLDER: &str = "<fecha>";
/// Placeholder for amounts (`1.234,56`, `1,234.56`, `$ 1.234`, `USD 20`).
pub const AMOUNT_PLACEHOLDER: &str = "<monto>";

/// Every placeholder; punctuation removal keeps these intact.
pub(crate) const PLACEHOLDERS: [&str; 3] =
    [NUMBER_PLACEHOLDER, DATE_PLACEHOLDER, AMOUNT_PLACEHOLDER];

const MONTHS: [&str; 27] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "setiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "ene",
    "feb",
    "mar",
    "abr",
    "may",
    "jun",
    "jul",
    "ago",
    "sep",
    "sept",
    "set",
    "oct",
    "nov",
    "dic",
];

const CURRENCY_CODES: [&str; 9] = ["us", "usd", "clp", "eur", "ars", "mxn", "cop", "pen", "uf"];

/// Words that announce a document number: `Nº 123`, `No. 123`, `Nro 123`, `Núm. 123`.
/// A bare `n` counts only when a degree sign or a dot follows it.
const DOCUMENT_MARKERS: [&str; 7] = ["no", "nro", "nr", "num", "núm", "numero", "número"];

/// The kinds of masks a pass applies. Text of a disabled kind is copied unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MaskKinds {
    pub(crate) dates: bool,
    pub(crate) amounts: bool,
    pub(crate) documents: bool,
    pub(crate) numbers: bool,
}

impl MaskKinds {
    pub(crate) const ALL: MaskKinds = MaskKinds {
        dates: true,
        amounts: true,
        documents: true,
        numbers: true,
    };
    pub(crate) const NONE: MaskKinds = MaskKinds {
        dates: false,
        amounts: false,
        documents: false,
        numbers: false,
    };
}

/// Writes `input` with the enabled masks applied. Returns `false`, writing nothing, when the
/// input has no ASCII digit, because every pattern needs one.
///
/// A value that would keep no letter or digit outside placeholders (`3`, `1era`, `1.2`,
/// `03/2024`) is left unchanged: masking it would merge every number-only description into
/// one group, although different codes may mean different things.
pub(crate) fn mask(input: &str, kinds: MaskKinds, out: &mut String) -> bool {
    if !input.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }

    let start = out.len();
    let mut scanner = Scanner {
        input,
        bytes: input.as_bytes(),
        kinds,
        out,
        copied: 0,
        token_start: 0,
        replaced: false,
    };
    let mut index = 0;
    while index < input.len() {
        let byte = scanner.byte_at(index);
        if byte < 0x80 && !byte.is_ascii_alphanumeric() && byte != b'#' && byte != b'$' {
            index += 1;
            continue;
        }

        let c = if byte < 0x80 {
            char::from(byte)
        } else {
            scanner.char_at(index)
        };
        scanner.token_start = index;
        scanner.replaced = false;
        let end = if c.is_ascii_digit() {
            scanner.digit_token(index)
        } else if c.is_alphanumeric() {
            scanner.word_token(index)
        } else {
            scanner.symbol(index, c)
        };
        if scanner.replaced {
            scanner.copied = end;
        }
        index = end;
    }
    scanner.token_start = input.len();
    scanner.flush();

    if !has_text_outside_placeholders(&out[start..]) {
        out.truncate(start);
        return false;
    }
    true
}

fn has_text_outside_placeholders(text: &str) -> bool {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(placeholder) = PLACEHOLDERS.iter().find(|p| rest.starts_with(**p)) {
                rest = &rest[placeholder.len()..];
                continue;
            }
        }
        if c.is_alphanumeric() {
            return true;
        }
        rest = &rest[c.len_utf8()..];
    }
    false
}

struct Scanner<'a> {
    input: &'a str,
    bytes: &'a [u8],
    kinds: MaskKinds,
    out: &'a mut String,
    /// Bytes of `input` already written or replaced.
    copied: usize,
    /// Start of the token being handled.
    token_start: usize,
    /// True when the current token's handler wrote a placeholder.
    replaced: bool,
}

impl Scanner<'_> {
    fn char_at(&self, index: usize) -> char {
        self.input[index..].chars().next().unwrap_or('\0')
    }

    fn byte_at(&self, index: usize) -> u8 {
        self.bytes.get(index).copied().unwrap_or(0)
    }

    fn digits_end(&self, start: usize) -> usize {
        let mut end = start;
        while self.byte_at(end).is_ascii_digit() {
            end += 1;
        }
        end
    }

    fn alphanumeric_end(&self, start: usize) -> usize {
        let mut end = start;
        while end < self.bytes.len() {
            let byte = self.bytes[end];
            if byte < 0x80 {
                if !byte.is_ascii_alphanumeric() {
                    break;
                }
                end += 1;
                continue;
            }
            let c = self.char_at(end);
            if !c.is_alphanumeric() {
                break;
            }
            end += c.len_utf8();
        }
        end
    }

    fn skip_spaces(&self, start: usize) -> usize {
        let mut end = start;
        loop {
            if self.byte_at(end) == b' ' {
                end += 1;
            } else if self.input[end.min(self.input.len())..].starts_with('\u{a0}') {
                end += 2;
            } else {
                return end;
            }
        }
    }

    /// Returns true when a number ending at `end` goes on: a letter or digit follows, or a
    /// separator in `separators` followed by a digit.
    fn continues(&self, end: usize, separators: &[u8]) -> bool {
        if end >= self.input.len() {
            return false;
        }
        if self.char_at(end).is_alphanumeric() {
            return true;
        }
        separators.contains(&self.byte_at(end)) && self.byte_at(end + 1).is_ascii_digit()
    }

    /// Writes the input between the last replacement and the current token. Handlers that
    /// keep a token just return its end, so kept text is written in one piece here.
    fn flush(&mut self) {
        self.out
            .push_str(&self.input[self.copied..self.token_start]);
        self.copied = self.token_start;
    }

    /// Replaces the current token with `placeholder`; the token ends where its handler
    /// returns.
    fn emit(&mut self, placeholder: &str) {
        self.flush();
        self.out.push_str(placeholder);
        self.replaced = true;
    }

    /// Masks a token that starts with a digit and returns its end.
    fn digit_token(&mut self, start: usize) -> usize {
        let token_end = self.alphanumeric_end(start);
        let digits_end = self.digits_end(start);

        if digits_end < token_end {
            // Digits followed by letters: `12ab`, ordinals `1º`, `2ª`.
            if self.kinds.documents || self.kinds.numbers {
                self.emit(NUMBER_PLACEHOLDER);
                return token_end;
            }
            return token_end;
        }

        if self.kinds.documents {
            if let Some(end) = self.rut(start) {
                self.emit(NUMBER_PLACEHOLDER);
                return end;
            }
        }
        if self.kinds.dates {
            if let Some(end) = self.numeric_date(start) {
                self.emit(DATE_PLACEHOLDER);
                return end;
            }
        }
        if self.kinds.amounts {
            if let Some(end) = self.amount(start) {
                self.emit(AMOUNT_PLACEHOLDER);
                return end;
            }
        }
        if self.kinds.numbers {
            self.emit(NUMBER_PLACEHOLDER);
            // An ordinal written with the degree sign: `1°`.
            if self.input[digits_end..].starts_with('°') {
                return digits_end + '°'.len_utf8();
            }
            return digits_end;
        }
        digits_end
    }

    /// Returns the end of a Chilean RUT (`76.123.456-7`, `7.654.321-K`, `12345678-9`).
    fn rut(&self, start: usize) -> Option<usize> {
        let first = self.digits_end(start) - start;
        let mut position = start + first;

        if (1..=2).contains(&first) && self.byte_at(position) == b'.' {
            for _ in 0..2 {
                if self.byte_at(position) != b'.'
                    || self.digits_end(position + 1) - (position + 1) != 3
                {
                    return None;
                }
                position += 4;
            }
        } else if !(7..=8).contains(&first) {
            return None;
        }

        if self.byte_at(position) != b'-' {
            return None;
        }
        let check = self.byte_at(position + 1);
        if !(check.is_ascii_digit() || check == b'k' || check == b'K') {
            return None;
        }
        let end = position + 2;
        (!self.continues(end, b".,/-")).then_some(end)
    }

    /// Returns the end of a numeric date: `2024-03-31`, `31/03/2024`, `31.03.24`, `03/2024`,
    /// `2024-03`.
    fn numeric_date(&self, start: usize) -> Option<usize> {
        let first_end = self.digits_end(start);
        let first_len = first_end - start;
        let separator = self.byte_at(first_end);
        if !matches!(separator, b'/' | b'-' | b'.') {
            return None;
        }
        let second_start = first_end + 1;
        let second_end = self.digits_end(second_start);
        let second_len = second_end - second_start;
        if second_len == 0 {
            return None;
        }
        let first = number(&self.bytes[start..first_end]);
        let second = number(&self.bytes[second_start..second_end]);
        // A date may be followed by `-` (a range such as `03/2024-04/2024`).
        let date_end = |end: usize| (!self.continues(end, b"/.")).then_some(end);

        if self.byte_at(second_end) == separator && self.byte_at(second_end + 1).is_ascii_digit() {
            let third_start = second_end + 1;
            let third_end = self.digits_end(third_start);
            let third_len = third_end - third_start;
            let third = number(&self.bytes[third_start..third_end]);

            let year_first = first_len == 4
                && is_year(first)
                && (1..=2).contains(&second_len)
                && is_month(second)
                && (1..=2).contains(&third_len)
                && is_day(third);
            let day_or_month_first = (1..=2).contains(&first_len)
                && (1..=2).contains(&second_len)
                && (third_len == 2 || (third_len == 4 && is_year(third)))
                && ((is_day(first) && is_month(second)) || (is_month(first) && is_day(second)));
            if year_first || day_or_month_first {
                return date_end(third_end);
            }
        }

        if separator == b'.' {
            return None;
        }
        let month_year =
            (1..=2).contains(&first_len) && is_month(first) && second_len == 4 && is_year(second);
        let year_month =
            first_len == 4 && is_year(first) && (1..=2).contains(&second_len) && is_month(second);
        if month_year || year_month {
            return date_end(second_end);
        }
        None
    }

    /// Returns the end of an amount: `1.234,56`, `1,234.56`, `1.234.567`, `12,5`, `99.90`.
    fn amount(&self, start: usize) -> Option<usize> {
        let first_end = self.digits_end(start);
        let first_len = first_end - start;

        if (1..=3).contains(&first_len) {
            let group = self.byte_at(first_end);
            if matches!(group, b'.' | b',') {
                let mut position = first_end;
                while self.byte_at(position) == group
                    && self.digits_end(position + 1) - (position + 1) == 3
                {
                    position += 4;
                }
                if position > first_end {
                    let decimal = self.byte_at(position);
                    if matches!(decimal, b'.' | b',') && decimal != group {
                        let fraction = self.digits_end(position + 1) - (position + 1);
                        if (1..=2).contains(&fraction) {
                            position += 1 + fraction;
                        }
                    }
                    if !self.continues(position, b".,") {
                        return Some(position);
                    }
                }
            }
        }

        if matches!(self.byte_at(first_end), b'.' | b',') {
            let fraction = self.digits_end(first_end + 1) - (first_end + 1);
            let end = first_end + 1 + fraction;
            if (1..=2).contains(&fraction) && !self.continues(end, b".,") {
                return Some(end);
            }
        }
        None
    }

    /// Returns the end of the number after a currency sign or code: digits with `.` or `,`
    /// between them.
    fn currency_number(&self, start: usize) -> Option<usize> {
        if !self.byte_at(start).is_ascii_digit() {
            return None;
        }
        let mut end = self.digits_end(start);
        while matches!(self.byte_at(end), b'.' | b',') && self.byte_at(end + 1).is_ascii_digit() {
            end = self.digits_end(end + 1);
        }
        Some(end)
    }

    /// Returns the end of a document identifier after a marker: letters and digits, with
    /// inner `-` or `/`.
    fn identifier_end(&self, start: usize) -> usize {
        let mut end = self.alphanumeric_end(start);
        while matches!(self.byte_at(end), b'-' | b'/') && self.char_at(end + 1).is_alphanumeric() {
            end = self.alphanumeric_end(end + 1);
        }
        end
    }

    /// Masks a token that starts with a letter and returns its end.
    fn word_token(&mut self, start: usize) -> usize {
        let end = self.alphanumeric_end(start);
        let word = &self.input[start..end];

        if word.bytes().any(|b| b.is_ascii_digit()) {
            return self.word_with_digits(start, end);
        }

        // Every pattern below needs a digit within a few bytes after the word.
        let window = &self.bytes[end..(end + 8).min(self.bytes.len())];
        if !window.iter().any(u8::is_ascii_digit) {
            return end;
        }

        if self.kinds.dates && is_one_of(word, &MONTHS) {
            if let Some(date_end) = self.month_year(end) {
                self.emit(DATE_PLACEHOLDER);
                return date_end;
            }
        }
        if self.kinds.amounts && is_one_of(word, &CURRENCY_CODES) {
            let mut position = end;
            if self.byte_at(position) == b'$' {
                position += 1;
            }
            let has_sign = position > end;
            if has_sign || !word.eq_ignore_ascii_case("us") {
                if let Some(amount_end) = self.currency_number(self.skip_spaces(position)) {
                    self.emit(AMOUNT_PLACEHOLDER);
                    return amount_end;
                }
            }
        }
        if self.kinds.documents {
            if let Some(number_end) = self.marked_number(word, end) {
                self.emit(NUMBER_PLACEHOLDER);
                return number_end;
            }
        }
        end
    }

    /// Returns the end of a marked document number: `Nº 123`, `N° 123`, `N. 123`,
    /// `No. 123`, `Nro: 123`.
    fn marked_number(&self, word: &str, word_end: usize) -> Option<usize> {
        let mut position = word_end;
        let bare_n = word.eq_ignore_ascii_case("n") || word.eq_ignore_ascii_case("nº");
        if bare_n || is_one_of(word, &DOCUMENT_MARKERS) {
            if self.input[position..].starts_with('°') {
                position += '°'.len_utf8();
            } else if bare_n && !word.ends_with('º') && self.byte_at(position) != b'.' {
                return None;
            }
        } else {
            return None;
        }

        if matches!(self.byte_at(position), b'.' | b':') {
            position += 1;
        }
        position = self.skip_spaces(position);
        if !self.byte_at(position).is_ascii_digit() {
            return None;
        }
        Some(self.identifier_end(position))
    }

    /// Returns the end of the year after a month name: `marzo 2024`, `mar-24`,
    /// `marzo de 2024`, `mar.2024`.
    fn month_year(&self, month_end: usize) -> Option<usize> {
        let rest = &self.input[month_end..];
        let separator = [" del ", " de ", ". ", " ", "-", "/", "."]
            .into_iter()
            .find(|separator| {
                rest.len() >= separator.len()
                    && rest[..separator.len()].eq_ignore_ascii_case(separator)
            })?;

        let year_start = month_end + separator.len();
        let year_end = self.digits_end(year_start);
        let year_len = year_end - year_start;
        // After a space `mayo 15` is more likely a day or a quantity than the year 2015.
        let short_year_allowed = matches!(separator, "-" | "/" | ".");
        let four_digit_year = year_len == 4 && is_year(number(&self.bytes[year_start..year_end]));
        if !(four_digit_year || (year_len == 2 && short_year_allowed)) {
            return None;
        }
        (!self.continues(year_end, b"/.")).then_some(year_end)
    }

    /// Masks a token of letters and digits: `FACT00123` -> `FACT <num>`, `Nº123` -> `<num>`,
    /// `AB12C34` -> `<num>`.
    fn word_with_digits(&mut self, start: usize, end: usize) -> usize {
        if !(self.kinds.documents || self.kinds.numbers) {
            return end;
        }

        let word = &self.input[start..end];
        let digits_start = word
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(word.len());
        let (prefix, rest) = word.split_at(digits_start);

        if rest.bytes().all(|b| b.is_ascii_digit()) {
            let is_marker =
                prefix.eq_ignore_ascii_case("nº") || is_one_of(prefix, &DOCUMENT_MARKERS);
            if !(is_marker && self.kinds.documents) {
                self.flush();
                self.out.push_str(prefix);
                self.out.push(' ');
            }
        }
        self.emit(NUMBER_PLACEHOLDER);
        end
    }

    /// Masks what starts at a character that is not a letter or digit (`#123`, `$ 1.234`)
    /// and returns its end.
    fn symbol(&mut self, start: usize, c: char) -> usize {
        let after = start + c.len_utf8();

        if c == '#' && self.kinds.documents {
            let position = self.skip_spaces(after);
            if self.byte_at(position).is_ascii_digit() {
                self.emit(NUMBER_PLACEHOLDER);
                return self.identifier_end(position);
            }
        }
        if matches!(c, '$' | '€' | '£') && self.kinds.amounts {
            if let Some(end) = self.currency_number(self.skip_spaces(after)) {
                self.emit(AMOUNT_PLACEHOLDER);
                return end;
            }
        }
        after
    }
}

fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .take(9)
        .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
}

fn is_year(value: u32) -> bool {
    (1900..=2100).contains(&value)
}

fn is_month(value: u32) -> bool {
    (1..=12).contains(&value)
}

fn is_day(value: u32) -> bool {
    (1..=31).contains(&value)
}

/// Case-insensitive membership test for short lowercase words.
fn is_one_of(word: &str, list: &[&str]) -> bool {
    // Every candidate starts with an ASCII letter, so the first byte rejects most words.
    let Some(first) = word.as_bytes().first().map(u8::to_ascii_lowercase) else {
        return false;
    };
    if word.len() > 12
        || !list
            .iter()
            .any(|candidate| candidate.as_bytes()[0] == first)
    {
        return false;
    }
    if word.is_ascii() {
        return list.iter().any(|candidate| {
            candidate.len() == word.len() && word.eq_ignore_ascii_case(candidate)
        });
    }
    list.iter().any(|candidate| {
        candidate.len().abs_diff(word.len()) <= 2
            && word
                .chars()
                .flat_map(char::to_lowercase)
                .eq(candidate.chars())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(input: &str) -> String {
        masked_with(input, MaskKinds::ALL)
    }

    fn masked_with(input: &str, kinds: MaskKinds) -> String {
        let mut out = String::new();
        if mask(input, kinds, &mut out) {
            out
        } else {
            input.to_string()
        }
    }

    #[test]
    fn dates_numeric() {
        let cases = [
            ("pago 03/2024", "pago <fecha>"),
            ("al 2024-03-31", "al <fecha>"),
            ("al 31/03/24", "al <fecha>"),
            ("al 31.03.2024 fin", "al <fecha> fin"),
            ("periodo 2024/03", "periodo <fecha>"),
            ("de 03/2024-04/2024", "de <fecha>-<fecha>"),
            ("al 12/31/2024", "al <fecha>"),
        ];
        for (input, expected) in cases {
            assert_eq!(masked(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn dates_reject_impossible_values() {
        assert_eq!(masked("al 13/2024"), "al <num>/<num>");
        assert_eq!(masked("al 32/13/2024"), "al <num>/<num>/<num>");
        assert_eq!(masked("al 1/2"), "al <num>/<num>");
    }

    #[test]
    fn dates_month_names() {
        assert_eq!(masked("cuota marzo 2024"), "cuota <fecha>");
        assert_eq!(masked("cuota MAR-24"), "cuota <fecha>");
        assert_eq!(masked("cuota marzo de 2024"), "cuota <fecha>");
        assert_eq!(masked("mayo 15 unidades"), "mayo <num> unidades");
    }

    #[test]
    fn amounts_both_conventions() {
        let cases = [
            ("total 1.234,56", "total <monto>"),
            ("total 1,234.56", "total <monto>"),
            ("total $ 1.234", "total <monto>"),
            ("total $1.234.567", "total <monto>"),
            ("total US$ 20", "total <monto>"),
            ("total USD 20,5", "total <monto>"),
            ("total 12,5", "total <monto>"),
            ("total 1.234.567", "total <monto>"),
            ("total 20 €", "total <num> €"),
            ("total €20", "total <monto>"),
        ];
        for (input, expected) in cases {
            assert_eq!(masked(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn document_numbers() {
        let cases = [
            ("factura N° 123", "factura <num>"),
            ("factura Nº123", "factura <num>"),
            ("factura nº 123", "factura <num>"),
            ("factura No. 123", "factura <num>"),
            ("factura no 123", "factura <num>"),
            ("factura Nro: 4500-12", "factura <num>"),
            ("factura N. 77", "factura <num>"),
            ("factura #123", "factura <num>"),
            ("FACT-00123", "FACT-<num>"),
            ("FACT00123", "FACT <num>"),
            ("OC 4500123", "OC <num>"),
            ("id AB12C34", "id <num>"),
            ("rut 76.123.456-7", "rut <num>"),
            ("rut 7654321-K", "rut <num>"),
        ];
        for (input, expected) in cases {
            assert_eq!(masked(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn ordinals_become_numbers() {
        assert_eq!(masked("1º piso"), "<num> piso");
        assert_eq!(masked("1era"), "1era");
        assert_eq!(masked("2ª cuota"), "<num> cuota");
        assert_eq!(masked("1° trimestre"), "<num> trimestre");
    }

    #[test]
    fn words_without_digits_unchanged() {
        let mut out = String::new();
        assert!(!mask("Compra de papel", MaskKinds::ALL, &mut out));
        assert!(out.is_empty());
        assert_eq!(masked("no hay 5"), "no hay <num>");
        assert_eq!(masked("Marzo"), "Marzo");
    }

    #[test]
    fn number_only_values_unchanged() {
        for input in [
            "3",
            "1.2",
            "03/2024",
            "$ 1.234",
            "N° 55",
            "#12 - 03/2024",
            "2da",
        ] {
            let mut out = String::new();
            assert!(!mask(input, MaskKinds::ALL, &mut out), "input {input:?}");
            assert!(out.is_empty(), "input {input:?}");
        }
    }

    #[test]
    fn disabled_kinds_copy_through() {
        let dates_only = MaskKinds {
            dates: true,
            ..MaskKinds::NONE
        };
        assert_eq!(
            masked_with("pago 03/2024 fact 123 $ 1.234", dates_only),
            "pago <fecha> fact 123 $ 1.234"
        );
        let amounts_only = MaskKinds {
            amounts: true,
            ..MaskKinds::NONE
        };
        assert_eq!(
            masked_with("pago 03/2024 total 1.234,56", amounts_only),
            "pago 03/2024 total <monto>"
        );
        let numbers_only = MaskKinds {
            numbers: true,
            ..MaskKinds::NONE
        };
        assert_eq!(
            masked_with("fact 00123 al 31/03/24", numbers_only),
            "fact <num> al <num>/<num>/<num>"
        );
    }

    #[test]
    fn non_ascii_text_around_numbers() {
        assert_eq!(
            masked("Señal año 2024 ítem 5"),
            "Señal año <num> ítem <num>"
        );
        assert_eq!(masked("N°\u{a0}55 Peña"), "<num> Peña");
    }
}
