//! Writers for a job's output: one output row per input row, as CSV, JSONL or XLSX.
//!
//! Output rows stream through an [`Exporter`], so memory does not grow with the number of
//! rows. Every output row has the same columns, fixed by the [`ExportLayout`] at creation:
//! `row_index`, `file`, `sheet`, `line`, the original fields (the union of every input
//! table's columns), the `clean<Name>` fields, then `group`, `category`, `score`, `reason`,
//! `status`, `prompt_version` and `iteration`.
//!
//! - CSV is UTF-8 with a byte order mark, so Excel shows accents correctly. Values are
//!   written with [`Value`](crate::Value)'s `Display`: dates in ISO 8601, whole floats
//!   without `.0`, decimals (the score too) with `.`. The delimiter is `,` by default; Excel
//!   under a Spanish regional setting expects `;` ([`ExportOptions::csv_delimiter`]).
//! - JSONL has one object per line with the original fields under `fields` and the clean
//!   fields under `clean`. Values keep their JSON types, and dates are ISO 8601 text.
//! - XLSX has the rows on a sheet named `clasificacion` (bold, filled and frozen header,
//!   autofilter, real Excel dates, numbers as numbers) and the [`ExportSummary`] on a sheet
//!   named `resumen` after it. Rows past Excel's 1,048,576-row limit continue on
//!   `clasificacion_2`, `clasificacion_3` and so on. Sheet names are Spanish by default
//!   because the users are, and [`ExportOptions`] can change them. Cell text longer than
//!   Excel's 32,767 characters is cut, and the cut cells are counted.
//!
//! The file is written as `<path>.partial` and renamed to `<path>` by
//! [`Exporter::finish`], so an export that fails or is dropped leaves no file at `<path>`.

mod csv_sink;
mod error;
mod jsonl_sink;
mod options;
mod output_file;
mod row;
mod summary;
mod xlsx_sink;

pub use error::ExportError;
pub use options::{ExportFormat, ExportLayout, ExportOptions, XLSX_MAX_ROWS};
pub use row::OutputRow;
pub use summary::{CategoryCount, ExportReport, ExportSummary};
pub use xlsx_sink::XLSX_MAX_CELL_CHARS;

use csv_sink::CsvSink;
use jsonl_sink::JsonlSink;
use output_file::OutputFile;
use row::ColumnMapper;
use std::path::{Path, PathBuf};
use xlsx_sink::XlsxSink;

/// Streams output rows into one file. Create it, [`write`](Exporter::write) each row once,
/// then [`finish`](Exporter::finish) it. Dropping it before `finish` deletes the partial
/// file.
pub struct Exporter {
    output: OutputFile,
    format: ExportFormat,
    layout: ExportLayout,
    mapper: ColumnMapper,
    /// `None` once a write has failed.
    sink: Option<Sink>,
    rows_written: u64,
}

enum Sink {
    Csv(Box<CsvSink>),
    Jsonl(JsonlSink),
    Xlsx(Box<XlsxSink>),
}

impl Exporter {
    /// Creates the output file and writes the header.
    ///
    /// With `format` set to `None`, the format comes from the extension of `path`
    /// (`.csv`, `.jsonl` or `.xlsx`, in any case).
    ///
    /// # Errors
    ///
    /// - [`ExportError::UnsupportedExtension`] when `format` is `None` and the extension is
    ///   not supported.
    /// - [`ExportError::InvalidOption`] or [`ExportError::DuplicateColumn`] for bad options
    ///   or layout.
    /// - [`ExportError::Io`] when the file cannot be created, for example because its
    ///   directory does not exist or is not writable.
    /// - [`ExportError::Csv`] or [`ExportError::Xlsx`] when writing the header fails.
    pub fn create(
        path: impl AsRef<Path>,
        format: Option<ExportFormat>,
        options: ExportOptions,
        layout: ExportLayout,
    ) -> Result<Exporter, ExportError> {
        let path = path.as_ref();
        let format = match format {
            Some(format) => format,
            None => ExportFormat::from_path(path)?,
        };
        options.validate()?;
        layout.validate()?;

        let (output, file) = OutputFile::create(path)?;
        let sink = match format {
            ExportFormat::Csv => {
                let delimiter = options.csv_delimiter as u8;
                let sink = CsvSink::create(file, delimiter, &layout)
                    .map_err(|source| csv_error(path, source))?;
                Sink::Csv(Box::new(sink))
            }
            ExportFormat::Jsonl => Sink::Jsonl(JsonlSink::create(file)),
            ExportFormat::Xlsx => {
                let sink = XlsxSink::create(file, &options, &layout)
                    .map_err(|source| xlsx_error(path, source))?;
                Sink::Xlsx(Box::new(sink))
            }
        };

        tracing::info!(
            path = %path.display(),
            format = format.extension(),
            original_columns = layout.original_columns.len(),
            clean_columns = layout.clean_columns.len(),
            "export started"
        );

        Ok(Exporter {
            output,
            format,
            mapper: ColumnMapper::new(&layout),
            layout,
            sink: Some(sink),
            rows_written: 0,
        })
    }

    /// Returns the final path of the output.
    pub fn path(&self) -> &Path {
        &self.output.path
    }

    pub fn format(&self) -> ExportFormat {
        self.format
    }

    pub fn layout(&self) -> &ExportLayout {
        &self.layout
    }

    /// Returns the number of rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows_written
    }

    /// Writes one output row.
    ///
    /// Cells of layout columns that the row's table lacks stay empty, and JSONL leaves those
    /// keys out. A row with a bad column list or clean value count is
    /// rejected before anything is written, and the exporter stays usable.
    ///
    /// # Errors
    ///
    /// - [`ExportError::UnknownColumn`] when the row has a column the layout does not list.
    /// - [`ExportError::CleanValueCount`] when `clean` does not match the clean columns.
    /// - [`ExportError::Io`], [`ExportError::Csv`], [`ExportError::Json`] or
    ///   [`ExportError::Xlsx`] when writing fails. The exporter is then unusable and later
    ///   calls return [`ExportError::Aborted`].
    pub fn write(&mut self, output: &OutputRow<'_>) -> Result<(), ExportError> {
        output.check_clean_count(&self.layout)?;
        let sources = self.mapper.sources(output.row)?;

        let path = self.output.path.as_path();
        let Some(sink) = self.sink.as_mut() else {
            return Err(ExportError::Aborted {
                path: path.to_path_buf(),
            });
        };

        let written = match sink {
            Sink::Csv(sink) => sink
                .write(output, &sources)
                .map_err(|source| csv_error(path, source)),
            Sink::Jsonl(sink) => sink
                .write(output, &sources, &self.layout)
                .map_err(|source| ExportError::Json {
                    path: path.to_path_buf(),
                    row_index: output.row.row_index,
                    source,
                }),
            Sink::Xlsx(sink) => sink
                .write(output, &sources)
                .map_err(|source| xlsx_error(path, source)),
        };

        if let Err(error) = written {
            tracing::error!(
                path = %path.display(),
                row_index = output.row.row_index,
                %error,
                "export write failed"
            );
            self.sink = None;
            return Err(error);
        }

        self.rows_written += 1;
        Ok(())
    }

    /// Flushes the rows, writes the summary (XLSX only) and renames the file into place.
    ///
    /// A `summary.rows` different from the rows written is logged as a warning and both
    /// figures go to the XLSX summary sheet.
    ///
    /// # Errors
    ///
    /// [`ExportError::Aborted`] after a failed write, otherwise the error of the failed
    /// flush, save or rename. The partial file is deleted in every error case.
    pub fn finish(mut self, summary: &ExportSummary) -> Result<ExportReport, ExportError> {
        let path = self.output.path.clone();
        let Some(sink) = self.sink.take() else {
            return Err(ExportError::Aborted { path });
        };

        if summary.rows != self.rows_written {
            tracing::warn!(
                path = %path.display(),
                summary_rows = summary.rows,
                rows_written = self.rows_written,
                "export row count differs from the job summary"
            );
        }

        let mut sheets = Vec::new();
        let mut truncated_cells = 0;
        match sink {
            Sink::Csv(sink) => sink.finish().map_err(|source| csv_error(&path, source))?,
            Sink::Jsonl(sink) => sink.finish().map_err(|source| ExportError::Io {
                operation: "write",
                path: path.clone(),
                source,
            })?,
            Sink::Xlsx(sink) => {
                sheets = sink.sheets().to_vec();
                truncated_cells = sink.truncated_cells();
                sink.finish(summary, self.rows_written)
                    .map_err(|source| xlsx_error(&path, source))?;
            }
        }
        self.output.commit()?;

        tracing::info!(
            path = %path.display(),
            rows_written = self.rows_written,
            sheets = sheets.len(),
            truncated_cells,
            "export finished"
        );

        Ok(ExportReport {
            path,
            rows_written: self.rows_written,
            sheets,
            truncated_cells,
        })
    }
}

fn csv_error(path: &Path, source: csv::Error) -> ExportError {
    ExportError::Csv {
        path: PathBuf::from(path),
        source,
    }
}

fn xlsx_error(path: &Path, source: rust_xlsxwriter::XlsxError) -> ExportError {
    ExportError::Xlsx {
        path: PathBuf::from(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporter_is_send() {
        // Callers run exports on blocking threads of an async runtime.
        fn assert_send<T: Send>() {}
        assert_send::<Exporter>();
    }
}
