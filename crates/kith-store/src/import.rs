//! Imports: stage rows in memory, then commit them as the next generation.
//!
//! Staging interns every (platform, handle) to a dense node id. Nothing
//! touches disk until [`Import::commit`], which builds the whole next
//! generation beside the current one and switches to it with one rename
//! (see `generation.rs`). Dropping an `Import` without committing leaves the
//! world exactly as it was.

use crate::StoreError;
use crate::generation::{WorldDir, link_dir};
use crate::manifest::{FORMAT_VERSION, ImportRecord, Manifest};
use crate::merge;
use crate::workspace::Workspace;
use crate::world::World;
use kith_model::{Account, Customer, Follow, HistoryPoint, Interaction, Platform, Post};
use rustc_hash::FxHashMap;
use std::fs::File;
use std::path::Path;

/// An import in progress. See the module docs.
pub struct Import {
    _lock: File,
    world_dir: WorldDir,
    base_generation: u64,
    pub(crate) base: World,
    pub(crate) new_nodes: Vec<(Platform, String)>,
    interned: FxHashMap<(Platform, String), u32>,
    numeric: FxHashMap<(Platform, u64), u32>,
    pub(crate) accounts: FxHashMap<u32, Account>,
    pub(crate) posts: Vec<(u32, Post)>,
    /// One block per batch added: no doubling of one huge vector (which
    /// at 50M edges overshoots by up to 2x and copies on every growth),
    /// and the CSR build frees each block once it is scattered.
    pub(crate) follows: Vec<Vec<(u32, u32)>>,
    pub(crate) follow_since: Vec<(u32, u32, i64)>,
    pub(crate) interactions: Vec<(u32, u32, u8, i64)>,
    pub(crate) history: Vec<(u32, HistoryPoint)>,
    pub(crate) customers: Vec<(Option<u32>, Customer)>,
    log: Vec<ImportRecord>,
}

/// What a commit changed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommitSummary {
    pub generation: u64,
    pub new_nodes: u64,
    pub accounts: u64,
    pub posts: u64,
    pub follows: u64,
    pub interactions: u64,
    pub history_points: u64,
    pub customers: u64,
    pub manifest: Manifest,
}

impl Import {
    pub(crate) fn begin(ws: &Workspace) -> Result<Import, StoreError> {
        let world_dir = ws.world_dir();
        let lock = world_dir.lock()?;
        world_dir.sweep()?;
        let (base_generation, dir) = world_dir.current()?;
        let base = World::open(&dir)?;
        Ok(Import {
            _lock: lock,
            world_dir,
            base_generation,
            base,
            new_nodes: Vec::new(),
            interned: FxHashMap::default(),
            numeric: FxHashMap::default(),
            accounts: FxHashMap::default(),
            posts: Vec::new(),
            follows: Vec::new(),
            follow_since: Vec::new(),
            interactions: Vec::new(),
            history: Vec::new(),
            customers: Vec::new(),
            log: Vec::new(),
        })
    }

    /// Nodes after this import (existing plus new).
    pub fn num_nodes(&self) -> usize {
        self.base.num_nodes() + self.new_nodes.len()
    }

    /// The node of a normalised (platform, handle), made if new.
    pub fn intern(&mut self, platform: Platform, handle: &str) -> Result<u32, StoreError> {
        // A numeric handle lives in the numeric map only (one entry per
        // node: a SNAP file's millions of ids would otherwise be kept
        // twice, once as a number and once as a string).
        if let Some(raw) = canonical_number(handle) {
            return self.intern_numeric(platform, raw);
        }
        if let Some(&id) = self.interned.get(&(platform, handle.to_string())) {
            return Ok(id);
        }
        let id = self.node_of(platform, handle)?;
        self.interned.insert((platform, handle.to_string()), id);
        Ok(id)
    }

    /// The base world's node of a handle, else a new node.
    fn node_of(&mut self, platform: Platform, handle: &str) -> Result<u32, StoreError> {
        let id = match self.base.lookup(platform, handle) {
            Some(id) => id,
            None => {
                let id = u32::try_from(self.num_nodes())
                    .ok()
                    .filter(|&id| id < u32::MAX)
                    .ok_or_else(|| {
                        StoreError::Invalid(
                            "the world is full: more than 4,294,967,294 accounts".into(),
                        )
                    })?;
                self.new_nodes.push((platform, handle.to_string()));
                id
            }
        };
        Ok(id)
    }

    fn intern_numeric(&mut self, platform: Platform, raw: u64) -> Result<u32, StoreError> {
        if let Some(&id) = self.numeric.get(&(platform, raw)) {
            return Ok(id);
        }
        let id = self.node_of(platform, &raw.to_string())?;
        self.numeric.insert((platform, raw), id);
        Ok(id)
    }

    /// Adds or updates accounts; returns their node ids in input order.
    /// Known fields of a re-imported account replace the stored ones;
    /// unknown (empty) fields keep them.
    pub fn add_accounts(&mut self, rows: Vec<Account>) -> Result<Vec<u32>, StoreError> {
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            let id = self.intern(row.platform, &row.handle)?;
            ids.push(id);
            match self.accounts.get_mut(&id) {
                Some(existing) => merge::account(existing, row),
                None => {
                    self.accounts.insert(id, row);
                }
            }
        }
        Ok(ids)
    }

    pub fn add_posts(&mut self, rows: Vec<Post>) -> Result<(), StoreError> {
        self.posts.reserve(rows.len());
        for row in rows {
            let id = self.intern(row.platform, &row.handle)?;
            self.posts.push((id, row));
        }
        Ok(())
    }

    pub fn add_follows(&mut self, rows: Vec<Follow>) -> Result<(), StoreError> {
        let mut block = Vec::with_capacity(rows.len());
        for row in rows {
            let a = self.intern(row.platform, &row.follower)?;
            let b = self.intern(row.platform, &row.followed)?;
            block.push((a, b));
            if let Some(since) = row.since {
                self.follow_since.push((a, b, since));
            }
        }
        self.push_follow_block(block);
        Ok(())
    }

    fn push_follow_block(&mut self, block: Vec<(u32, u32)>) {
        if !block.is_empty() {
            self.follows.push(block);
        }
    }

    /// Follow edges staged so far.
    pub(crate) fn follows_len(&self) -> usize {
        self.follows.iter().map(Vec::len).sum()
    }

    /// The staged follow edges as blocks, leaving none staged.
    pub(crate) fn take_follows(&mut self) -> Vec<Vec<(u32, u32)>> {
        std::mem::take(&mut self.follows)
    }

    /// Follow edges from a SNAP edge list: integer ids become handles.
    pub fn add_snap_edges(
        &mut self,
        platform: Platform,
        edges: Vec<(u64, u64)>,
    ) -> Result<(), StoreError> {
        let mut block = Vec::with_capacity(edges.len());
        for (a, b) in edges {
            let a = self.intern_numeric(platform, a)?;
            let b = self.intern_numeric(platform, b)?;
            block.push((a, b));
        }
        self.push_follow_block(block);
        Ok(())
    }

    /// Follow edges between nodes this import already knows (ids returned by
    /// [`Self::add_accounts`] or [`Self::intern`]).
    pub fn add_follow_nodes(&mut self, edges: Vec<(u32, u32)>) -> Result<(), StoreError> {
        let n = self.num_nodes() as u32;
        if let Some(&(a, b)) = edges.iter().find(|&&(a, b)| a >= n || b >= n) {
            return Err(StoreError::Invalid(format!(
                "follow edge ({a}, {b}) names a node that does not exist"
            )));
        }
        self.push_follow_block(edges);
        Ok(())
    }

    pub fn add_interactions(&mut self, rows: Vec<Interaction>) -> Result<(), StoreError> {
        self.interactions.reserve(rows.len());
        for row in rows {
            let a = self.intern(row.platform, &row.from)?;
            let b = self.intern(row.platform, &row.to)?;
            self.interactions.push((
                a,
                b,
                row.kind.code(),
                row.at.unwrap_or(crate::column::NULL_I64),
            ));
        }
        Ok(())
    }

    pub fn add_history(&mut self, rows: Vec<HistoryPoint>) -> Result<(), StoreError> {
        self.history.reserve(rows.len());
        for row in rows {
            let id = self.intern(row.platform, &row.handle)?;
            self.history.push((id, row));
        }
        Ok(())
    }

    /// Adds or updates customers (key: customer_id). A customer with a
    /// platform and handle is matched to that account (made if new), so the
    /// brand's customers can seed discovery.
    pub fn add_customers(&mut self, rows: Vec<Customer>) -> Result<(), StoreError> {
        for row in rows {
            let node = match (row.platform, row.handle.as_deref()) {
                (Some(p), Some(h)) if !h.is_empty() => Some(self.intern(p, h)?),
                _ => None,
            };
            self.customers.push((node, row));
        }
        Ok(())
    }

    /// Notes an input for the manifest's import log.
    pub fn record(&mut self, kind: &str, files: Vec<String>, rows: u64) {
        self.log.push(ImportRecord {
            at: kith_model::time::now(),
            kind: kind.to_string(),
            files,
            rows,
        });
    }

    /// Writes the next generation and makes it current. `stage` is told what
    /// is being built (for a progress spinner).
    pub fn commit(mut self, stage: &mut dyn FnMut(&str)) -> Result<CommitSummary, StoreError> {
        let tmp = self.world_dir.new_tmp()?;
        let result = self.build(&tmp, stage);
        match result {
            Ok(summary) => {
                stage("committing");
                self.world_dir.commit(&tmp, summary.generation)?;
                // The old generation is no longer current; readers that still
                // map it keep their view (unlinked files live until unmapped).
                let _ = self.world_dir.sweep();
                Ok(summary)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                Err(e)
            }
        }
    }

    fn build(
        &mut self,
        tmp: &Path,
        stage: &mut dyn FnMut(&str),
    ) -> Result<CommitSummary, StoreError> {
        let staged = StagedCounts {
            accounts: self.accounts.len() as u64,
            posts: self.posts.len() as u64,
            follows: self.follows_len() as u64,
            interactions: self.interactions.len() as u64,
            history_points: self.history.len() as u64,
            customers: self.customers.len() as u64,
        };
        let base_dir = self.base.dir().to_path_buf();
        let n = self.num_nodes();
        let grew = !self.new_nodes.is_empty();

        stage("accounts");
        merge::write_accounts(self, tmp)?;
        // Every row now carries its node id and the dictionary is written:
        // the lookup maps (hundreds of MB for millions of new nodes) are
        // dead weight while the CSR is built.
        self.interned = FxHashMap::default();
        self.numeric = FxHashMap::default();

        stage("follow graph");
        if self.follows.is_empty() && self.follow_since.is_empty() && !grew {
            link_dir(&base_dir.join("follows"), &tmp.join("follows"))?;
        } else {
            merge::write_follows(self, tmp, n)?;
        }

        stage("posts");
        if self.posts.is_empty() {
            link_dir(&base_dir.join("posts"), &tmp.join("posts"))?;
        } else {
            merge::write_posts(self, tmp, n)?;
        }

        stage("interactions");
        if self.interactions.is_empty() {
            link_dir(&base_dir.join("interactions"), &tmp.join("interactions"))?;
        } else {
            merge::write_interactions(self, tmp, n)?;
        }

        stage("history");
        if self.history.is_empty() {
            link_dir(&base_dir.join("history"), &tmp.join("history"))?;
        } else {
            merge::write_history(self, tmp, n)?;
        }

        stage("customers");
        if self.customers.is_empty() {
            link_dir(&base_dir.join("customers"), &tmp.join("customers"))?;
        } else {
            merge::write_customers(self, tmp)?;
        }

        stage("manifest");
        let mut log = self.base.manifest().imports.clone();
        log.extend(self.log.iter().cloned());
        let generation = self.base_generation + 1;
        let manifest = crate::stats::manifest_for(tmp, generation, log)?;
        crate::stats::write_manifest(tmp, &manifest)?;
        let summary = CommitSummary {
            generation,
            new_nodes: self.new_nodes.len() as u64,
            accounts: staged.accounts,
            posts: staged.posts,
            follows: staged.follows,
            interactions: staged.interactions,
            history_points: staged.history_points,
            customers: staged.customers,
            manifest,
        };
        Ok(summary)
    }
}

struct StagedCounts {
    accounts: u64,
    posts: u64,
    follows: u64,
    interactions: u64,
    history_points: u64,
    customers: u64,
}

/// Generation 0 of a new workspace: an empty, valid world.
pub(crate) fn write_empty_world(world_dir: &WorldDir) -> Result<(), StoreError> {
    let tmp = world_dir.root.join("tmp-init");
    std::fs::create_dir_all(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
    crate::table::TableBuf::new(&crate::table::ACCOUNTS).write(
        &tmp,
        &crate::table::ACCOUNTS,
        crate::table::ACCOUNT_KEY_COLUMNS,
    )?;
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        committed_at: kith_model::time::now(),
        ..Manifest::default()
    };
    crate::stats::write_manifest(&tmp, &manifest)?;
    world_dir.commit(&tmp, 0)?;
    Ok(())
}

/// The number a handle spells in canonical decimal (no sign, no leading
/// zero), the form a SNAP id takes as a handle.
fn canonical_number(handle: &str) -> Option<u64> {
    let canonical = !handle.is_empty()
        && handle.len() <= 20
        && handle.bytes().all(|b| b.is_ascii_digit())
        && (handle == "0" || !handle.starts_with('0'));
    canonical.then(|| handle.parse().ok()).flatten()
}
