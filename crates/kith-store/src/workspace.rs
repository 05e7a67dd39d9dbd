//! The workspace directory: `kith.toml`, `world/`, `kith.db`.

use crate::StoreError;
use crate::generation::WorldDir;
use crate::import::Import;
use crate::world::World;
use kith_model::Settings;
use kith_model::settings::DEFAULT_TOML;
use std::path::{Path, PathBuf};

pub const SETTINGS_FILE: &str = "kith.toml";
pub const DATABASE_FILE: &str = "kith.db";
pub const WORLD_DIR: &str = "world";

/// An opened workspace.
pub struct Workspace {
    dir: PathBuf,
    settings: Settings,
}

impl Workspace {
    /// Makes a new workspace in `dir` (created if needed): `kith.toml` with
    /// every default written out, and an empty world. `kith.db` is created by
    /// the operations store (kith-track). Refuses a directory that already is
    /// a workspace.
    pub fn init(dir: &Path) -> Result<Workspace, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        let settings_path = dir.join(SETTINGS_FILE);
        if settings_path.exists() {
            return Err(StoreError::AlreadyAWorkspace(dir.to_path_buf()));
        }
        let world = dir.join(WORLD_DIR);
        std::fs::create_dir_all(&world).map_err(|e| StoreError::io(&world, e))?;
        crate::import::write_empty_world(&WorldDir::new(world))?;
        // Written last: a directory with kith.toml is a complete workspace.
        std::fs::write(&settings_path, DEFAULT_TOML)
            .map_err(|e| StoreError::io(&settings_path, e))?;
        Workspace::open(dir)
    }

    /// Opens the workspace in `dir`, reading and checking `kith.toml`.
    pub fn open(dir: &Path) -> Result<Workspace, StoreError> {
        let settings_path = dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&settings_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotAWorkspace(dir.to_path_buf()));
            }
            Err(e) => return Err(StoreError::io(&settings_path, e)),
        };
        let settings = Settings::from_toml(&text, &settings_path.display().to_string())?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            settings,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Where the operations database lives (SQLite default).
    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DATABASE_FILE)
    }

    pub(crate) fn world_dir(&self) -> WorldDir {
        WorldDir::new(self.dir.join(WORLD_DIR))
    }

    /// The committed world, memory-mapped.
    pub fn world(&self) -> Result<World, StoreError> {
        let (_, dir) = self.world_dir().current()?;
        World::open(&dir)
    }

    /// Starts an import: takes the world's write lock and sweeps what an
    /// interrupted import left. Nothing is visible until `commit`.
    pub fn begin_import(&self) -> Result<Import, StoreError> {
        Import::begin(self)
    }
}
