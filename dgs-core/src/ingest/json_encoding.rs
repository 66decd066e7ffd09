//! Decodes JSON bytes to UTF-8: UTF-8 with or without a byte order mark, and UTF-16 with a
//! byte order mark or recognisable by its zero bytes (RFC 4627 detection). JSONL files are
//! decoded as a stream, and only UTF-16 with a byte order mark is recognised there. Anything else is
//! an error naming the encoding and the position of the first invalid byte.

use super::IngestError;
use std::borrow::Cow;
use std::io::{BufRead, Read};

/// The UTF-8 text of a document and the name of the encoding it was stored in.
#[derive(Debug)]
pub(crate) struct DecodedJson<'a> {
    pub text: Cow<'a, [u8]>,
    pub encoding: &'static str,
}

/// Decodes `bytes` as described in the module documentation.
pub(crate) fn decode_json<'a>(path: &str, bytes: &'a [u8]) -> Result<DecodedJson<'a>, IngestError> {
    let error = |line: u64, column: u64, message: String| IngestError::Json {
        path: path.to_owned(),
        line,
        column,
        message,
    };

    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(error(
            1,
            1,
            "the file is UTF-32, convert it to UTF-8".to_owned(),
        ));
    }

    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, "UTF-16LE", &bytes[2..])),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, "UTF-16BE", &bytes[2..])),
        [first, 0, ..] if *first != 0 => Some((encoding_rs::UTF_16LE, "UTF-16LE", bytes)),
        [0, second, ..] if *second != 0 => Some((encoding_rs::UTF_16BE, "UTF-16BE", bytes)),
        _ => None,
    };
    if let Some((encoding, name, body)) = utf16 {
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| {
                error(
                    1,
                    1,
                    format!("the file looks like {name} but holds invalid {name} data"),
                )
            })?;
        return Ok(DecodedJson {
            text: Cow::Owned(text.into_owned().into_bytes()),
            encoding: name,
        });
    }

    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(invalid) = std::str::from_utf8(body) {
        let offset = invalid.valid_up_to();
        let (line, column) = line_and_column(body, offset);
        return Err(error(
            line,
            column,
            format!(
                "invalid UTF-8 byte 0x{:02X}: JSON must be UTF-8, or UTF-16 with a byte order mark \
                 (the file may be Windows-1252)",
                body[offset]
            ),
        ));
    }

    Ok(DecodedJson {
        text: Cow::Borrowed(body),
        encoding: "UTF-8",
    })
}

/// Returns the 1-based line and byte column of `offset` in `text`.
pub(crate) fn line_and_column(text: &[u8], offset: usize) -> (u64, u64) {
    let before = &text[..offset.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
    (line, (before.len() - line_start) as u64 + 1)
}

/// Streams UTF-16 text (byte order mark included) as UTF-8, for JSONL files that cannot be
/// buffered whole. Malformed UTF-16 becomes U+FFFD, so the JSON parser reports the line.
pub(crate) struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    output: Vec<u8>,
    position: usize,
    finished: bool,
}

impl<R: BufRead> Utf16Reader<R> {
    pub(crate) fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            output: Vec::new(),
            position: 0,
            finished: false,
        }
    }
}

impl<R: BufRead> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.output.len() && !self.finished {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let capacity = self
                .decoder
                .max_utf8_buffer_length(input.len())
                .unwrap_or(input.len() * 3 + 16);
            self.output.resize(capacity.max(16), 0);

            let (_, read, written, _) = self.decoder.decode_to_utf8(input, &mut self.output, last);
            self.inner.consume(read);
            self.output.truncate(written);
            self.position = 0;
            self.finished = last;
        }

        let available = &self.output[self.position..];
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        self.position += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_stripped() {
        let decoded = decode_json("a.json", b"\xEF\xBB\xBF[]").unwrap();
        assert_eq!(&*decoded.text, b"[]");
        assert_eq!(decoded.encoding, "UTF-8");
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let little: Vec<u8> = "\u{feff}[{\"a\":\"ñ\"}]"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let decoded = decode_json("a.json", &little).unwrap();
        assert_eq!(
            std::str::from_utf8(&decoded.text).unwrap(),
            "[{\"a\":\"ñ\"}]"
        );
        assert_eq!(decoded.encoding, "UTF-16LE");

        let big: Vec<u8> = "[1]".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode_json("a.json", &big).unwrap().encoding, "UTF-16BE");
    }

    #[test]
    fn windows_1252_rejected_with_position() {
        let error = decode_json("a.json", b"[\n{\"a\":\"Compa\xF1ia\"}]").unwrap_err();
        match error {
            IngestError::Json {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((line, column), (2, 12));
                assert!(message.contains("0xF1"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn utf32_rejected() {
        let error = decode_json("a.json", &[0xFF, 0xFE, 0, 0, b'[', 0, 0, 0]).unwrap_err();
        assert!(error.to_string().contains("UTF-32"), "{error}");
    }
}
