//! Line ends of delimited text, for record boundaries and line numbers.
//!
//! Excel for Mac saves "CSV (Macintosh)" with a lone `\r` after each line (classic Mac OS
//! line ends). The csv reader ends records at `\n` only, so such a file would read as one
//! record: [`LineEnds`] turns each `\r` into `\n` when the sample shows CR-only line ends.
//!
//! [`LineEnds`] also counts the bytes it passes and keeps the last one. With them the
//! delimited reader tells whether the last record lacks a line end, which changes the line
//! where that record starts.

use std::io::{self, Read};

/// Returns true when `sample` contains a `\r` and no `\n`, so lines end with a lone `\r`.
pub(crate) fn has_cr_only_line_ends(sample: &[u8]) -> bool {
    memchr::memchr(b'\n', sample).is_none() && memchr::memchr(b'\r', sample).is_some()
}

/// Replaces every `\r` in `bytes` with `\n`.
pub(crate) fn cr_to_lf(bytes: &mut [u8]) {
    for byte in bytes.iter_mut().filter(|byte| **byte == b'\r') {
        *byte = b'\n';
    }
}

/// A reader that passes text through, turning `\r` into `\n` when `cr_only`. A line break
/// inside a quoted field then reads as `\n` too.
pub(crate) struct LineEnds<R> {
    inner: R,
    cr_only: bool,
    /// Bytes passed to the caller so far.
    bytes: u64,
    last_byte: Option<u8>,
    /// True once the inner reader returned end of file.
    ended: bool,
}

impl<R> LineEnds<R> {
    pub(crate) fn new(inner: R, cr_only: bool) -> Self {
        LineEnds {
            inner,
            cr_only,
            bytes: 0,
            last_byte: None,
            ended: false,
        }
    }

    pub(crate) fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Returns true when the caller has consumed `consumed` bytes, which are all the text,
    /// and the text does not end with `\n`: the last record then has no line end.
    pub(crate) fn ends_without_line_end_at(&self, consumed: u64) -> bool {
        self.ended && consumed == self.bytes && self.last_byte != Some(b'\n')
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if read == 0 {
            self.ended |= !buffer.is_empty();
            return Ok(0);
        }

        if self.cr_only {
            cr_to_lf(&mut buffer[..read]);
        }
        self.bytes += read as u64;
        self.last_byte = Some(buffer[read - 1]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cr_only_detected() {
        assert!(has_cr_only_line_ends(b"a;b\r1;2\r"));
        assert!(!has_cr_only_line_ends(b"a;b\r\n1;2\r\n"));
        assert!(!has_cr_only_line_ends(b"a;b\n1;2\n"));
        assert!(!has_cr_only_line_ends(b"a;b"));
    }

    #[test]
    fn reader_translates_when_cr_only() {
        let mut text = String::new();
        LineEnds::new(&b"a\rb\r"[..], true)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "a\nb\n");

        let mut text = String::new();
        LineEnds::new(&b"a\rb\r"[..], false)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "a\rb\r");
    }

    #[test]
    fn missing_final_line_end_seen() {
        let mut reader = LineEnds::new(&b"a\nb"[..], false);
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert!(reader.ends_without_line_end_at(3));
        assert!(!reader.ends_without_line_end_at(2));

        let mut reader = LineEnds::new(&b"a\nb\n"[..], false);
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert!(!reader.ends_without_line_end_at(4));
    }
}
