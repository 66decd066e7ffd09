//! Text encoding detection and streaming decoding to UTF-8 for delimited text.
//!
//! Exports from Windows Excel arrive as UTF-8 (often with a BOM), as "Unicode text"
//! (UTF-16LE with a BOM) or as Windows-1252. The rule is:
//!
//! 1. A BOM decides: `EF BB BF` is UTF-8, `FF FE` is UTF-16LE, `FE FF` is UTF-16BE.
//! 2. Without a BOM, the first [`SAMPLE_BYTES`] bytes are checked: valid UTF-8 means UTF-8,
//!    anything else means Windows-1252.
//!
//! Only the sample is held in memory, so a file that turns out invalid as UTF-8 after the
//! sample cannot be restarted as Windows-1252. Such bytes are decoded one by one as
//! Windows-1252 (a Windows-1252 file that looked like UTF-8 in its first 64 KiB is the usual
//! cause) and counted, so the reader can warn with the line of the first one.

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::io::{self, Read};

/// Bytes inspected to choose between UTF-8 and Windows-1252 when there is no BOM.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;

/// Bytes read from the source per refill.
const CHUNK_BYTES: usize = 64 * 1024;

/// Encoding chosen for one text file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    /// Returns the WHATWG name of the encoding, as shown in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

enum Mode {
    /// UTF-8 passed through; invalid bytes are decoded as Windows-1252 and counted.
    Utf8,
    /// Any other encoding, decoded by encoding_rs.
    Other(Decoder),
}

/// A reader that yields the UTF-8 text of a byte source in any supported encoding, holding
/// at most one chunk of input and its decoded output in memory.
pub(crate) struct DecodingReader<R> {
    inner: R,
    encoding: TextEncoding,
    mode: Mode,
    /// Undecoded input; `input[input_start..]` is still to be decoded.
    input: Vec<u8>,
    input_start: usize,
    input_done: bool,
    output: Vec<u8>,
    output_start: usize,
    finished: bool,
    /// Newlines already produced, to locate the first invalid byte.
    newlines: u64,
    invalid_bytes: u64,
    first_invalid_line: Option<u64>,
}

impl<R: Read> DecodingReader<R> {
    /// Reads the BOM or the sample from `inner` and chooses the encoding.
    pub(crate) fn new(mut inner: R) -> io::Result<Self> {
        let mut sample = Vec::with_capacity(SAMPLE_BYTES);
        let input_done = fill(&mut inner, &mut sample, SAMPLE_BYTES)?;

        let (encoding, bom_length) = detect(&sample, input_done);
        let mode = match encoding {
            TextEncoding::Utf8 => Mode::Utf8,
            TextEncoding::Utf16Le => Mode::Other(decoder(UTF_16LE)),
            TextEncoding::Utf16Be => Mode::Other(decoder(UTF_16BE)),
            TextEncoding::Windows1252 => Mode::Other(decoder(WINDOWS_1252)),
        };

        Ok(DecodingReader {
            inner,
            encoding,
            mode,
            input: sample,
            input_start: bom_length,
            input_done,
            output: Vec::new(),
            output_start: 0,
            finished: false,
            newlines: 0,
            invalid_bytes: 0,
            first_invalid_line: None,
        })
    }

    pub(crate) fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Returns how many input bytes could not be decoded in the chosen encoding, and the
    /// 1-based line of the first one. UTF-8 bytes are then decoded as Windows-1252, other
    /// encodings produce U+FFFD.
    pub(crate) fn invalid_bytes(&self) -> (u64, Option<u64>) {
        (self.invalid_bytes, self.first_invalid_line)
    }

    /// Decodes the pending input into `output`, reading a new chunk first when needed.
    fn refill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.output_start = 0;

        while self.output.is_empty() && !self.finished {
            // Pending input shorter than one UTF-8 character is an incomplete sequence (or
            // nothing): move it to the front and append the next chunk.
            let pending = self.input.len() - self.input_start;
            if pending < 4 && !self.input_done {
                self.input.drain(..self.input_start);
                self.input_start = 0;
                let target = self.input.len() + CHUNK_BYTES;
                self.input_done = fill(&mut self.inner, &mut self.input, target)?;
            }

            let last = self.input_done;
            match &mut self.mode {
                Mode::Utf8 => self.decode_utf8(last),
                Mode::Other(decoder) => {
                    let pending = &self.input[self.input_start..];
                    let capacity = decoder
                        .max_utf8_buffer_length(pending.len())
                        .unwrap_or(pending.len() * 3 + 16);
                    self.output.resize(capacity, 0);
                    let (_, read, written, had_errors) =
                        decoder.decode_to_utf8(pending, &mut self.output, last);
                    self.output.truncate(written);
                    self.input_start += read;
                    if had_errors {
                        // NOTE: the line is the first line of the chunk, not of the byte.
                        let replacements = count_replacements(&self.output);
                        self.note_invalid(replacements.max(1), self.newlines);
                    }
                }
            }

            self.newlines += memchr::memchr_iter(b'\n', &self.output).count() as u64;
            if last && self.input_start == self.input.len() {
                self.finished = true;
            }
        }
        Ok(())
    }

    /// Copies valid UTF-8 through and decodes each invalid byte as Windows-1252. An
    /// incomplete sequence at the end of the chunk waits for the next chunk unless `last`.
    fn decode_utf8(&mut self, last: bool) {
        loop {
            let pending = &self.input[self.input_start..];
            if pending.is_empty() {
                return;
            }
            match std::str::from_utf8(pending) {
                Ok(_) => {
                    self.output.extend_from_slice(pending);
                    self.input_start = self.input.len();
                    return;
                }
                Err(error) => {
                    let valid = error.valid_up_to();
                    self.output.extend_from_slice(&pending[..valid]);
                    let invalid = match error.error_len() {
                        Some(length) => length,
                        None if last => pending.len() - valid,
                        // An incomplete sequence waits for the next chunk.
                        None => {
                            self.input_start += valid;
                            return;
                        }
                    };
                    let start = self.input_start + valid;
                    let bytes = self.input[start..start + invalid].to_vec();
                    let newlines_before =
                        self.newlines + memchr::memchr_iter(b'\n', &self.output).count() as u64;
                    let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
                    self.output.extend_from_slice(text.as_bytes());
                    self.input_start = start + invalid;
                    self.note_invalid(invalid as u64, newlines_before);
                }
            }
        }
    }

    fn note_invalid(&mut self, count: u64, newlines_before: u64) {
        self.invalid_bytes += count;
        if self.first_invalid_line.is_none() {
            self.first_invalid_line = Some(newlines_before + 1);
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.output_start == self.output.len() {
            if self.finished {
                return Ok(0);
            }
            self.refill()?;
        }
        let available = &self.output[self.output_start..];
        let length = available.len().min(buf.len());
        buf[..length].copy_from_slice(&available[..length]);
        self.output_start += length;
        Ok(length)
    }
}

/// Chooses the encoding from the sample and returns it with the BOM length to skip.
fn detect(sample: &[u8], complete: bool) -> (TextEncoding, usize) {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (TextEncoding::Utf8, 3);
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return (TextEncoding::Utf16Le, 2);
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return (TextEncoding::Utf16Be, 2);
    }

    match std::str::from_utf8(sample) {
        Ok(_) => (TextEncoding::Utf8, 0),
        // The sample may end inside a multi-byte character.
        Err(error) if error.error_len().is_none() && !complete => (TextEncoding::Utf8, 0),
        Err(_) => (TextEncoding::Windows1252, 0),
    }
}

fn decoder(encoding: &'static Encoding) -> Decoder {
    encoding.new_decoder_without_bom_handling()
}

fn count_replacements(text: &[u8]) -> u64 {
    memchr::memmem::find_iter(text, "\u{FFFD}".as_bytes()).count() as u64
}

/// Appends from `reader` until `buffer` contains `limit` bytes or the source ends. Returns
/// true when the source ended.
fn fill(reader: &mut dyn Read, buffer: &mut Vec<u8>, limit: usize) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    while buffer.len() < limit {
        let wanted = (limit - buffer.len()).min(chunk.len());
        match reader.read(&mut chunk[..wanted]) {
            Ok(0) => return Ok(true),
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (TextEncoding, String, (u64, Option<u64>)) {
        let mut reader = DecodingReader::new(bytes).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        (reader.encoding(), text, reader.invalid_bytes())
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let (encoding, text, _) = decode_all(b"\xEF\xBB\xBFa;b\n");
        assert_eq!(encoding, TextEncoding::Utf8);
        assert_eq!(text, "a;b\n");
    }

    #[test]
    fn utf16le_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Año\tÑ\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (encoding, text, _) = decode_all(&bytes);
        assert_eq!(encoding, TextEncoding::Utf16Le);
        assert_eq!(text, "Año\tÑ\n");
    }

    #[test]
    fn invalid_utf8_means_windows_1252() {
        let (encoding, text, _) = decode_all(b"Descripci\xf3n;Pa\xeds\n");
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert_eq!(text, "Descripción;País\n");
    }

    #[test]
    fn invalid_byte_after_sample_falls_back() {
        let mut bytes = "ñ\n".repeat(SAMPLE_BYTES).into_bytes();
        bytes.extend_from_slice(b"caf\xe9\n");
        let (encoding, text, (invalid, line)) = decode_all(&bytes);
        assert_eq!(encoding, TextEncoding::Utf8);
        assert!(text.ends_with("ñ\ncafé\n"));
        assert_eq!(invalid, 1);
        assert_eq!(line, Some(SAMPLE_BYTES as u64 + 1));
    }

    #[test]
    fn multibyte_split_across_chunks_survives() {
        let mut bytes = vec![b'a'; SAMPLE_BYTES - 1];
        bytes.extend_from_slice("é\n".as_bytes());
        let (_, text, (invalid, _)) = decode_all(&bytes);
        assert!(text.ends_with("aé\n"));
        assert_eq!(invalid, 0);
    }
}
