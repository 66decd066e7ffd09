//! Entry names: decoding ZIP names written without the UTF-8 flag, NFC normalisation, and
//! recognising the operating-system junk that archives and folders carry.
//!
//! ZIP names without the UTF-8 flag (general purpose bit 11) are decoded by this rule:
//!
//! 1. Bytes that are valid UTF-8 are read as UTF-8, because many tools write UTF-8 names
//!    without setting the flag.
//! 2. Otherwise the name is in a DOS code page. Windows writes it in the OEM code page of
//!    the system: CP850 on Spanish and Latin American systems, CP437 on US systems. The two
//!    agree on ASCII, on the Spanish lower-case letters (`á é í ó ú ñ Ñ ü`) and on `¿ ¡ ª º`.
//!    Where they differ, CP850 has letters (`Á Í Ó Ú À Ã Õ Ê`...) and CP437 has box-drawing,
//!    Greek or maths symbols, which file names rarely contain. So a name is decoded as CP850
//!    when one of its bytes is a letter in CP850 and not in CP437, and as CP437 otherwise.
//!
//! Every name is then normalised to NFC, so `é` written as `e` + combining accent (macOS)
//! and as one character (Windows) compare equal.

use unicode_normalization::UnicodeNormalization;

/// Bit 11 of the general purpose flags: the name and comment are UTF-8.
const UTF8_FLAG: u16 = 0x0800;

/// CP437 bytes 0x80 to 0xFF.
const CP437_HIGH: &str = concat!(
    "ÇüéâäàåçêëèïîìÄÅ",
    "ÉæÆôöòûùÿÖÜ¢£¥₧ƒ",
    "áíóúñÑªº¿⌐¬½¼¡«»",
    "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐",
    "└┴┬├─┼╞╟╚╔╩╦╠═╬╧",
    "╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀",
    "αßΓπΣσµτΦΘΩδ∞φε∩",
    "≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}",
);

/// CP850 bytes 0x80 to 0xFF.
const CP850_HIGH: &str = concat!(
    "ÇüéâäàåçêëèïîìÄÅ",
    "ÉæÆôöòûùÿÖÜø£Ø×ƒ",
    "áíóúñÑªº¿®¬½¼¡«»",
    "░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐",
    "└┴┬├─┼ãÃ╚╔╩╦╠═╬¤",
    "ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀",
    "ÓßÔÒõÕµþÞÚÛÙýÝ¯´",
    "\u{AD}±‗¾¶§÷¸°¨·¹³²■\u{A0}",
);

/// Decodes a raw ZIP entry name by the rule in the module docs and normalises it to NFC.
pub(crate) fn decode_zip_name(raw: &[u8], flags: u16) -> String {
    let decoded = if flags & UTF8_FLAG != 0 {
        String::from_utf8_lossy(raw).into_owned()
    } else if let Ok(text) = std::str::from_utf8(raw) {
        text.to_owned()
    } else if raw.iter().any(|&byte| is_cp850_only_letter(byte)) {
        decode_dos(raw, CP850_HIGH)
    } else {
        decode_dos(raw, CP437_HIGH)
    };
    decoded.nfc().collect()
}

/// Normalises a name that is already text (a folder entry) to NFC.
pub(crate) fn normalize_name(name: &str) -> String {
    name.nfc().collect()
}

fn decode_dos(raw: &[u8], high: &str) -> String {
    raw.iter()
        .map(|&byte| {
            if byte < 0x80 {
                byte as char
            } else {
                high_char(high, byte)
            }
        })
        .collect()
}

fn high_char(high: &str, byte: u8) -> char {
    high.chars()
        .nth(usize::from(byte - 0x80))
        .expect("code page tables have 128 characters")
}

fn is_cp850_only_letter(byte: u8) -> bool {
    if byte < 0x80 {
        return false;
    }
    let cp850 = high_char(CP850_HIGH, byte);
    let cp437 = high_char(CP437_HIGH, byte);
    cp850.is_alphabetic() && !cp437.is_alphabetic()
}

/// Returns why an entry is operating-system junk, or `None` for a real file. `path` uses `/`
/// separators.
pub(crate) fn junk_reason(path: &str) -> Option<&'static str> {
    let mut components = path.split('/').filter(|part| !part.is_empty());
    if components.any(|part| part == "__MACOSX") {
        return Some("macOS resource fork folder __MACOSX");
    }

    let file_name = path.rsplit('/').next().unwrap_or(path);
    if file_name.starts_with("._") {
        return Some("macOS resource fork file (._ prefix)");
    }
    if file_name == ".DS_Store" {
        return Some("macOS folder settings file .DS_Store");
    }
    if file_name.eq_ignore_ascii_case("Thumbs.db") {
        return Some("Windows thumbnail cache Thumbs.db");
    }
    None
}

/// Returns the lower-case extension of the last path component, without the dot.
pub(crate) fn extension(path: &str) -> String {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => extension.to_ascii_lowercase(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_page_tables_have_128_characters() {
        assert_eq!(CP437_HIGH.chars().count(), 128);
        assert_eq!(CP850_HIGH.chars().count(), 128);
    }

    #[test]
    fn cp437_name_without_flag() {
        // "Año ñandú.csv": ñ is 0xA4, ú is 0xA3 in both code pages.
        let raw = b"A\xa4o \xa4and\xa3.csv";
        assert_eq!(decode_zip_name(raw, 0), "Año ñandú.csv");
    }

    #[test]
    fn cp850_capital_accent_chosen() {
        // 0xB5 is Á in CP850 and a box-drawing character in CP437.
        let raw = b"\xb5REA COMPRAS.csv";
        assert_eq!(decode_zip_name(raw, 0), "ÁREA COMPRAS.csv");
    }

    #[test]
    fn utf8_without_flag_is_utf8() {
        assert_eq!(decode_zip_name("Niño.csv".as_bytes(), 0), "Niño.csv");
    }

    #[test]
    fn decomposed_name_becomes_nfc() {
        let decomposed = "Nin\u{303}o.csv";
        assert_eq!(
            decode_zip_name(decomposed.as_bytes(), UTF8_FLAG),
            "Niño.csv"
        );
    }

    #[test]
    fn junk_is_recognised() {
        assert!(junk_reason("__MACOSX/data/._a.csv").is_some());
        assert!(junk_reason("data/._a.csv").is_some());
        assert!(junk_reason("data/.DS_Store").is_some());
        assert!(junk_reason("THUMBS.DB").is_some());
        assert!(junk_reason("data/a.csv").is_none());
    }

    #[test]
    fn extension_is_lower_case() {
        assert_eq!(extension("dir.v2/Data.CSV"), "csv");
        assert_eq!(extension("dir.v2/README"), "");
        assert_eq!(extension(".hidden"), "");
    }
}
