//! The world's generations on disk and the commit protocol that makes
//! imports atomic (docs/architecture.md, "Atomic, crash-safe imports").

use crate::StoreError;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

pub(crate) const CURRENT: &str = "CURRENT";

/// `world/` of a workspace.
pub(crate) struct WorldDir {
    pub root: PathBuf,
}

impl WorldDir {
    pub fn new(root: PathBuf) -> WorldDir {
        WorldDir { root }
    }

    /// The committed generation's number and directory.
    pub fn current(&self) -> Result<(u64, PathBuf), StoreError> {
        let path = self.root.join(CURRENT);
        let name = fs::read_to_string(&path).map_err(|e| StoreError::io(&path, e))?;
        let name = name.trim();
        let number = name
            .strip_prefix("gen-")
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| StoreError::Corrupt {
                path: path.clone(),
                message: format!("{name:?} is not a generation"),
            })?;
        Ok((number, self.root.join(name)))
    }

    /// Takes the world's write lock, so two imports never interleave. The
    /// lock dies with the process, so a killed import leaves none behind.
    pub fn lock(&self) -> Result<File, StoreError> {
        let path = self.root.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(fs::TryLockError::WouldBlock) => Err(StoreError::Busy(self.root.clone())),
            Err(fs::TryLockError::Error(e)) => Err(StoreError::io(&path, e)),
        }
    }

    /// Removes what an interrupted import left: `tmp-*` directories and
    /// generations other than the current one. Call with the lock held.
    pub fn sweep(&self) -> Result<(), StoreError> {
        let (_, current) = self.current()?;
        let entries = fs::read_dir(&self.root).map_err(|e| StoreError::io(&self.root, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            if (name.starts_with("tmp-") || name.starts_with("gen-")) && path != current {
                fs::remove_dir_all(&path).map_err(|e| StoreError::io(&path, e))?;
            }
        }
        Ok(())
    }

    /// A fresh directory to build the next generation in.
    pub fn new_tmp(&self) -> Result<PathBuf, StoreError> {
        let path = self.root.join(format!("tmp-{}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path).map_err(|e| StoreError::io(&path, e))?;
        }
        fs::create_dir_all(&path).map_err(|e| StoreError::io(&path, e))?;
        Ok(path)
    }

    /// Makes `tmp` the current generation `number`: fsync its tree, rename it,
    /// then replace `CURRENT` by rename. Until that last rename the old world
    /// stands; after it, the new one.
    pub fn commit(&self, tmp: &Path, number: u64) -> Result<PathBuf, StoreError> {
        sync_tree(tmp)?;
        let name = format!("gen-{number:06}");
        let dest = self.root.join(&name);
        if dest.exists() {
            fs::remove_dir_all(&dest).map_err(|e| StoreError::io(&dest, e))?;
        }
        fs::rename(tmp, &dest).map_err(|e| StoreError::io(&dest, e))?;
        sync_dir(&self.root)?;
        let tmp_current = self.root.join("CURRENT.tmp");
        fs::write(&tmp_current, format!("{name}\n"))
            .map_err(|e| StoreError::io(&tmp_current, e))?;
        File::open(&tmp_current)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::io(&tmp_current, e))?;
        fs::rename(&tmp_current, self.root.join(CURRENT))
            .map_err(|e| StoreError::io(&self.root, e))?;
        sync_dir(&self.root)?;
        Ok(dest)
    }
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

/// fsyncs every file (column writers already did; hard links did not need
/// it) and every directory of a tree, so its names survive a power cut.
fn sync_tree(dir: &Path) -> Result<(), StoreError> {
    let entries = fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(dir, e))?;
        let ft = entry
            .file_type()
            .map_err(|e| StoreError::io(&entry.path(), e))?;
        if ft.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// Hard-links every file of `from` into `to` (a table the import left alone).
pub(crate) fn link_dir(from: &Path, to: &Path) -> Result<(), StoreError> {
    if !from.exists() {
        return Ok(());
    }
    fs::create_dir_all(to).map_err(|e| StoreError::io(to, e))?;
    for entry in fs::read_dir(from).map_err(|e| StoreError::io(from, e))? {
        let entry = entry.map_err(|e| StoreError::io(from, e))?;
        let dest = to.join(entry.file_name());
        fs::hard_link(entry.path(), &dest).map_err(|e| StoreError::io(&dest, e))?;
    }
    Ok(())
}
