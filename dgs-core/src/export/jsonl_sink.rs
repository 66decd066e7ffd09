//! JSONL output: one JSON object per row, UTF-8 without a byte order mark.

use super::options::ExportLayout;
use super::row::OutputRow;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::fs::File;
use std::io::{self, BufWriter, Write};

pub(crate) struct JsonlSink {
    writer: BufWriter<File>,
}

impl JsonlSink {
    pub(crate) fn create(file: File) -> JsonlSink {
        JsonlSink {
            writer: BufWriter::new(file),
        }
    }

    /// Writes one line:
    /// `{"row_index","file","sheet","line","fields":{...},"clean":{...},"group","category",
    /// "score","reason","status","prompt_version","iteration"}`.
    pub(crate) fn write(
        &mut self,
        output: &OutputRow<'_>,
        sources: &[Option<usize>],
        layout: &ExportLayout,
    ) -> Result<(), serde_json::Error> {
        let line = JsonRow {
            output,
            sources,
            layout,
        };
        serde_json::to_writer(&mut self.writer, &line)?;
        self.writer.write_all(b"\n").map_err(serde_json::Error::io)
    }

    pub(crate) fn finish(self) -> io::Result<()> {
        let file = self
            .writer
            .into_inner()
            .map_err(|error| error.into_error())?;
        file.sync_all()
    }
}

struct JsonRow<'a> {
    output: &'a OutputRow<'a>,
    sources: &'a [Option<usize>],
    layout: &'a ExportLayout,
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let row = self.output.row;
        let classification = self.output.classification;
        let score = Some(classification.score).filter(|score| score.is_finite());

        let mut state = serializer.serialize_struct("OutputRow", 13)?;
        state.serialize_field("row_index", &row.row_index)?;
        state.serialize_field("file", &*row.file)?;
        state.serialize_field("sheet", &row.sheet.as_deref())?;
        state.serialize_field("line", &row.line)?;
        state.serialize_field("fields", &Fields(self))?;
        state.serialize_field("clean", &Clean(self))?;
        state.serialize_field("group", &self.output.group)?;
        state.serialize_field("category", &classification.category)?;
        state.serialize_field("score", &score)?;
        state.serialize_field("reason", &classification.reason)?;
        state.serialize_field("status", &classification.status)?;
        state.serialize_field("prompt_version", &self.output.prompt_version)?;
        state.serialize_field("iteration", &self.output.iteration)?;
        state.end()
    }
}

/// The row's own columns in layout order. A column that the row's table lacks is left out,
/// while an empty cell of a column the table has is `null`, so the two stay distinguishable.
struct Fields<'a>(&'a JsonRow<'a>);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let row = self.0.output.row;
        let mut map = serializer.serialize_map(Some(row.columns.len()))?;

        for (column, source) in self.0.layout.original_columns.iter().zip(self.0.sources) {
            let Some(index) = *source else {
                continue;
            };
            let value = row.values.get(index).unwrap_or(&crate::Value::Null);
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}

struct Clean<'a>(&'a JsonRow<'a>);

impl Serialize for Clean<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let columns = &self.0.layout.clean_columns;
        let mut map = serializer.serialize_map(Some(columns.len()))?;
        for (column, value) in columns.iter().zip(self.0.output.clean) {
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}
