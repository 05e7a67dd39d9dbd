//! The one error type of this crate.

use std::path::PathBuf;

/// What can go wrong when reading graphs or running algorithms on bad input.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSR file is not a valid CSR file (wrong magic, truncated, offsets out
    /// of order, a target past the node count, ...).
    #[error("{path}: not a valid kith CSR file: {reason}")]
    CorruptCsr { path: PathBuf, reason: String },
    /// An edge-list file has a line that is not two node ids.
    #[error("{path}:{line}:{column}: {reason}")]
    EdgeList {
        path: PathBuf,
        line: u64,
        /// 1-based, in bytes, where the line stops making sense.
        column: u64,
        reason: String,
    },
    /// An argument is out of its domain (a node id past the graph, a
    /// probability above 1, an empty seed set where one is required, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl GraphError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> GraphError {
        GraphError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> GraphError {
        GraphError::InvalidInput(reason.into())
    }
}
