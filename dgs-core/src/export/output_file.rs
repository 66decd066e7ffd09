//! The output file is written under a temporary name beside its final path and renamed into
//! place by `finish`, so a failed or interrupted export never leaves a file that looks
//! complete.

use super::error::ExportError;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub(crate) struct OutputFile {
    /// The path the caller asked for.
    pub(crate) path: PathBuf,
    /// `<path>.partial`, where the data goes until `commit`.
    partial_path: PathBuf,
    committed: bool,
}

impl OutputFile {
    /// Creates (or truncates) `<path>.partial`, which also checks early that the directory
    /// exists and is writable.
    pub(crate) fn create(path: &Path) -> Result<(OutputFile, File), ExportError> {
        let create_error = |source: io::Error| ExportError::Io {
            operation: "create",
            path: path.to_path_buf(),
            source,
        };

        let Some(file_name) = path.file_name() else {
            return Err(create_error(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path has no file name",
            )));
        };

        let mut partial_name = file_name.to_os_string();
        partial_name.push(".partial");
        let partial_path = path.with_file_name(partial_name);
        let file = File::create(&partial_path).map_err(create_error)?;

        let output = OutputFile {
            path: path.to_path_buf(),
            partial_path,
            committed: false,
        };
        Ok((output, file))
    }

    /// Renames the finished partial file to the final path, replacing any file there.
    pub(crate) fn commit(&mut self) -> Result<(), ExportError> {
        std::fs::rename(&self.partial_path, &self.path).map_err(|source| ExportError::Io {
            operation: "rename into place",
            path: self.path.clone(),
            source,
        })?;

        self.committed = true;
        Ok(())
    }
}

/// Removes the partial file of an export that was not committed.
impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.committed {
            return;
        }

        if let Err(error) = std::fs::remove_file(&self.partial_path) {
            if error.kind() != io::ErrorKind::NotFound {
                tracing::warn!(
                    path = %self.partial_path.display(),
                    %error,
                    "failed to remove partial export file"
                );
            }
        }
    }
}
