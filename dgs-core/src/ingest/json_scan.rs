//! Walks a buffered JSON document piece by piece, so each array element is parsed on its own
//! with its position known. Records get the line of their opening brace, a trailing comma
//! before `]` or `}` can be tolerated, and the elements before a syntax error are kept.

use super::json_value::JsonValue;
use serde::de::DeserializeOwned;
use std::ops::ControlFlow;

/// A syntax error with its 1-based position in the document.
#[derive(Debug)]
pub(crate) struct ScanError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// An item found by [`Scanner::walk_array`], in document order.
#[derive(Debug)]
pub(crate) enum ArrayEvent {
    /// An element and the offset where it starts.
    Element { offset: usize, value: JsonValue },
    /// A comma right before the closing `]`, at `offset`.
    TrailingComma { offset: usize },
}

/// A cursor over a UTF-8 JSON document that tracks line numbers as it moves forward.
pub(crate) struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
    /// Offset, 1-based line and line start of the last position converted to a line.
    tracked: (usize, u64, usize),
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        Scanner {
            text,
            pos: 0,
            tracked: (0, 1, 0),
        }
    }

    /// Returns the current byte offset.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// Moves to `offset`, which must come from this scanner.
    pub(crate) fn seek(&mut self, offset: usize) {
        self.pos = offset;
    }

    pub(crate) fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Consumes `byte` or fails naming what was expected.
    pub(crate) fn expect(&mut self, byte: u8, expected: &str) -> Result<(), ScanError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            return Ok(());
        }
        Err(self.unexpected(expected))
    }

    /// Returns an error at the current position saying what was expected and what was found.
    pub(crate) fn unexpected(&mut self, expected: &str) -> ScanError {
        let found = match self.peek() {
            None => "the end of the file".to_owned(),
            Some(byte) if byte.is_ascii_graphic() => format!("'{}'", byte as char),
            Some(byte) => format!("byte 0x{byte:02X}"),
        };
        self.error_at(self.pos, format!("expected {expected}, found {found}"))
    }

    /// Parses one JSON value starting at the current position.
    pub(crate) fn parse_value<T: DeserializeOwned>(&mut self) -> Result<T, ScanError> {
        let start = self.pos;
        let mut stream = serde_json::Deserializer::from_slice(&self.text[start..]).into_iter::<T>();

        match stream.next() {
            Some(Ok(value)) => {
                self.pos = start + stream.byte_offset();
                Ok(value)
            }
            Some(Err(error)) => Err(self.serde_error(start, &error)),
            None => Err(self.error_at(
                start,
                "expected a JSON value, found the end of the file".to_owned(),
            )),
        }
    }

    /// Walks the array whose `[` is at the current position, calling `visit` for each
    /// element. Stops early when `visit` returns `Break`.
    pub(crate) fn walk_array(
        &mut self,
        visit: &mut dyn FnMut(&mut Self, ArrayEvent) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, ScanError> {
        self.expect(b'[', "'['")?;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(ControlFlow::Continue(()));
        }

        loop {
            let offset = self.pos;
            let value = self.parse_value::<JsonValue>()?;
            if visit(self, ArrayEvent::Element { offset, value }).is_break() {
                return Ok(ControlFlow::Break(()));
            }

            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        return Ok(visit(self, ArrayEvent::TrailingComma { offset: comma }));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(ControlFlow::Continue(()));
                }
                _ => return Err(self.unexpected("',' or ']' after an array element")),
            }
        }
    }

    /// Returns the 1-based line and byte column of `offset`.
    pub(crate) fn line_and_column(&mut self, offset: usize) -> (u64, u64) {
        let offset = offset.min(self.text.len());
        let (mut from, mut line, mut line_start) = self.tracked;
        if offset < from {
            (from, line, line_start) = (0, 1, 0);
        }

        let between = &self.text[from..offset];
        line += memchr::memchr_iter(b'\n', between).count() as u64;
        if let Some(newline) = memchr::memrchr(b'\n', between) {
            line_start = from + newline + 1;
        }
        self.tracked = (offset, line, line_start);

        (line, (offset - line_start) as u64 + 1)
    }

    pub(crate) fn error_at(&mut self, offset: usize, message: String) -> ScanError {
        let (line, column) = self.line_and_column(offset);
        ScanError {
            line,
            column,
            message,
        }
    }

    /// Converts a serde_json error, whose position counts from `start`, to document lines.
    fn serde_error(&mut self, start: usize, error: &serde_json::Error) -> ScanError {
        let (start_line, start_column) = self.line_and_column(start);
        let line = start_line + error.line().saturating_sub(1) as u64;
        let column = if error.line() <= 1 {
            start_column + error.column().saturating_sub(1) as u64
        } else {
            error.column() as u64
        };

        // serde_json appends " at line L column C", relative to `start`: drop it.
        let text = error.to_string();
        let message = match text.rfind(" at line ") {
            Some(cut) => text[..cut].to_owned(),
            None => text,
        };

        ScanError {
            line,
            column,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(text: &str) -> (Vec<String>, Result<ControlFlow<()>, ScanError>) {
        let mut scanner = Scanner::new(text.as_bytes());
        let mut seen = Vec::new();
        let result = scanner.walk_array(&mut |scanner, event| {
            match event {
                ArrayEvent::Element { offset, value } => {
                    let (line, column) = scanner.line_and_column(offset);
                    seen.push(format!("{line}:{column} {}", value.to_json_text()));
                }
                ArrayEvent::TrailingComma { offset } => {
                    let (line, _) = scanner.line_and_column(offset);
                    seen.push(format!("trailing comma on line {line}"));
                }
            }
            ControlFlow::Continue(())
        });
        (seen, result)
    }

    #[test]
    fn elements_with_their_lines() {
        let (seen, result) = walk("[\n  {\"a\":1},\n  {\n\"a\":2}, 3\n]");
        assert!(result.is_ok());
        assert_eq!(seen, ["2:3 {\"a\":1}", "3:3 {\"a\":2}", "4:9 3"]);
    }

    #[test]
    fn trailing_comma_reported() {
        let (seen, result) = walk("[{\"a\":1},\n]");
        assert!(result.is_ok());
        assert_eq!(seen, ["1:2 {\"a\":1}", "trailing comma on line 1"]);
    }

    #[test]
    fn error_inside_element_positioned_in_document() {
        let (seen, result) = walk("[{\"a\":1},\n {\"a\": tru}]");
        assert_eq!(seen.len(), 1);
        let error = result.unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.column >= 8, "{error:?}");
        assert!(!error.message.contains("at line"), "{}", error.message);
    }

    #[test]
    fn missing_comma_is_error() {
        let (_, result) = walk("[{\"a\":1}\n{\"a\":2}]");
        let error = result.unwrap_err();
        assert_eq!((error.line, error.column), (2, 1));
        assert!(error.message.contains("',' or ']'"), "{}", error.message);
    }

    #[test]
    fn truncated_array_is_error() {
        let (seen, result) = walk("[{\"a\":1},");
        assert_eq!(seen.len(), 1);
        assert!(result.is_err());
    }
}
