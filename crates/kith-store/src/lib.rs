//! The workspace directory and the **world store**: what kith knows about
//! accounts, posts, follows, interactions, follower history and the brand's
//! customers, kept as memory-mapped columnar tables and CSR graphs with dense
//! node ids (docs/architecture.md has the layout).
//!
//! Reading: [`Workspace::open`] then [`Workspace::world`], which maps the
//! committed generation. Writing: [`Workspace::begin_import`], stage rows,
//! [`Import::commit`]. An import is atomic: until its final rename nothing
//! is visible, and a failed or killed import leaves the world as it was.
//!
//! Operations (programs, links, events) live in `kith-track`, not here.

mod column;
mod generation;
mod import;
pub mod manifest;
mod merge;
mod stats;
mod table;
mod workspace;
mod world;

pub use import::{CommitSummary, Import};
pub use manifest::Manifest;
pub use workspace::{DATABASE_FILE, SETTINGS_FILE, WORLD_DIR, Workspace};
pub use world::{Accounts, Customers, History, Interactions, Posts, World};

use std::path::{Path, PathBuf};

/// What can go wrong with a workspace. Messages say what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the workspace is damaged: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
    #[error("{} is not a kith workspace (no kith.toml): run `kith init {}` first, or pass --workspace DIR", .0.display(), .0.display())]
    NotAWorkspace(PathBuf),
    #[error("{} is already a kith workspace (it has a kith.toml)", .0.display())]
    AlreadyAWorkspace(PathBuf),
    #[error(transparent)]
    Settings(#[from] kith_model::SettingsError),
    #[error("{0}")]
    NotFound(String),
    #[error("another import is writing to {} right now; wait for it to finish", .0.display())]
    Busy(PathBuf),
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
