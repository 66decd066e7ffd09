//! CSV output: UTF-8 with a byte order mark, so Excel detects the encoding and shows accented
//! text correctly, and the delimiter from the options.

use super::options::ExportLayout;
use super::row::{value_at, OutputRow};
use crate::Value;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};

/// The UTF-8 byte order mark.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) struct CsvSink {
    writer: csv::Writer<BufWriter<File>>,
    /// One reused buffer per output column.
    fields: Vec<String>,
}

impl CsvSink {
    /// Writes the byte order mark and the header.
    pub(crate) fn create(
        file: File,
        delimiter: u8,
        layout: &ExportLayout,
    ) -> Result<CsvSink, csv::Error> {
        let mut buffered = BufWriter::new(file);
        buffered.write_all(UTF8_BOM)?;

        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(buffered);
        let header = layout.header();
        writer.write_record(&header)?;

        Ok(CsvSink {
            writer,
            fields: vec![String::new(); header.len()],
        })
    }

    /// Writes one record. Values use [`Value`]'s `Display`: ISO 8601 dates, `.` as decimal
    /// separator, whole floats without `.0`, null as an empty field.
    ///
    /// NOTE: text starting with `=`, `+`, `-` or `@` is written unchanged, so Excel may
    /// evaluate it as a formula when opening the file. The XLSX format stores it as text.
    pub(crate) fn write(
        &mut self,
        output: &OutputRow<'_>,
        sources: &[Option<usize>],
    ) -> Result<(), csv::Error> {
        let row = output.row;
        let classification = output.classification;
        for field in &mut self.fields {
            field.clear();
        }

        // Formatting into a String cannot fail, so the results of write! are ignored.
        let mut fields = self.fields.iter_mut();
        let mut next = || fields.next().expect("one buffer per header column");
        let _ = write!(next(), "{}", row.row_index);
        next().push_str(&row.file);
        next().push_str(row.sheet.as_deref().unwrap_or(""));
        let _ = write!(next(), "{}", row.line);

        for &source in sources {
            let _ = write!(next(), "{}", value_at(row, source));
        }
        for clean in output.clean {
            next().push_str(clean);
        }

        let _ = write!(next(), "{}", output.group);
        next().push_str(&classification.category);
        if classification.score.is_finite() {
            let _ = write!(next(), "{}", Value::Float(classification.score));
        } else {
            next();
        }
        next().push_str(&classification.reason);
        next().push_str(classification.status.as_str());
        let _ = write!(next(), "{}", output.prompt_version);
        let _ = write!(next(), "{}", output.iteration);

        self.writer.write_record(&self.fields)
    }

    /// Flushes every buffered byte to the file.
    pub(crate) fn finish(mut self) -> Result<(), csv::Error> {
        self.writer.flush()?;

        let buffered = self
            .writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))?;
        let file = buffered
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))?;
        file.sync_all()?;
        Ok(())
    }
}
