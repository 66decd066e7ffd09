//! A pull-style iterator over rows, for callers (and bindings) that cannot hand the driver a
//! callback.

use super::event::{IngestEvent, IngestSummary};
use super::{read_bytes, read_path, IngestError, IngestOptions, Row};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

/// Rows buffered between the reader thread and the consumer. Memory stays bounded by this
/// many rows whatever the input size.
pub const ROW_STREAM_CAPACITY: usize = 1024;

/// Iterates over the rows of an input while a background thread reads it.
///
/// The reader thread runs [`read_path`] and blocks when [`ROW_STREAM_CAPACITY`] rows wait to
/// be consumed. Reports come at the end from [`RowStream::finish`]; dropping the stream, or
/// calling `finish` before the last row, stops the reader at its next row.
pub struct RowStream {
    rows: Option<Receiver<Row>>,
    reader: Option<JoinHandle<Result<IngestSummary, IngestError>>>,
}

impl RowStream {
    /// Starts reading a ZIP, folder or single file, as [`read_path`].
    pub fn open(path: impl Into<PathBuf>, options: IngestOptions) -> RowStream {
        let path = path.into();
        RowStream::spawn(move |visitor| read_path(&path, &options, visitor))
    }

    /// Starts reading one file held in memory, as [`read_bytes`].
    pub fn from_bytes(name: String, data: Vec<u8>, options: IngestOptions) -> RowStream {
        RowStream::spawn(move |visitor| Ok(read_bytes(&name, data, &options, visitor)))
    }

    fn spawn<F>(read: F) -> RowStream
    where
        F: FnOnce(
                &mut dyn FnMut(IngestEvent) -> ControlFlow<()>,
            ) -> Result<IngestSummary, IngestError>
            + Send
            + 'static,
    {
        let (sender, receiver) = sync_channel(ROW_STREAM_CAPACITY);
        let reader = std::thread::spawn(move || {
            let mut visitor = |event: IngestEvent| match event {
                IngestEvent::Row(row) => match sender.send(row) {
                    Ok(()) => ControlFlow::Continue(()),
                    // The consumer dropped the stream or called finish: stop reading.
                    Err(_) => ControlFlow::Break(()),
                },
                IngestEvent::TableFinished(_) | IngestEvent::Skipped(_) => {
                    ControlFlow::Continue(())
                }
            };
            read(&mut visitor)
        });
        RowStream {
            rows: Some(receiver),
            reader: Some(reader),
        }
    }

    /// Stops reading if rows remain, waits for the reader thread and returns the reports.
    ///
    /// # Errors
    ///
    /// As [`read_path`]: only an input that cannot be opened at all is an error.
    pub fn finish(mut self) -> Result<IngestSummary, IngestError> {
        self.rows = None;
        let reader = self.reader.take().expect("finish runs once");
        match reader.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl Iterator for RowStream {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        self.rows.as_ref()?.recv().ok()
    }
}

impl Drop for RowStream {
    fn drop(&mut self) {
        // Closing the channel makes the reader thread stop at its next row. The thread is not
        // joined here, so dropping does not wait for it.
        self.rows = None;
    }
}
