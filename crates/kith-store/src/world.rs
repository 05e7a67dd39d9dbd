//! Reading the world: one committed generation, memory-mapped.

use crate::StoreError;
use crate::column::{ColType, Column};
use crate::manifest::Manifest;
use crate::table::{ACCOUNTS, CUSTOMERS, FOLLOW_SINCE, HISTORY, INTERACTIONS, POSTS, Table};
use kith_graph::Csr;
use kith_model::{Account, InteractionKind, Platform, PostKind};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One committed generation of the world. Cheap to open (files are mapped,
/// not read) and never changed by a concurrent import.
pub struct World {
    pub(crate) dir: PathBuf,
    pub(crate) manifest: Manifest,
    pub(crate) accounts: Table,
    pub(crate) posts: Table,
    pub(crate) post_offsets: Column,
    pub(crate) interactions: Table,
    pub(crate) from_offsets: Column,
    pub(crate) to_order: Column,
    pub(crate) to_offsets: Column,
    pub(crate) history: Table,
    pub(crate) history_offsets: Column,
    pub(crate) customers: Table,
    pub(crate) follow_since: Table,
    pub(crate) follows_out: Csr,
    pub(crate) follows_in: Csr,
}

fn split_words(s: Option<&str>) -> impl Iterator<Item = &str> {
    s.unwrap_or("").split(' ').filter(|w| !w.is_empty())
}

fn range_of(offsets: &Column, v: u32) -> Range<usize> {
    let o = offsets.u64s();
    let v = v as usize;
    match (o.get(v), o.get(v + 1)) {
        (Some(&a), Some(&b)) => a as usize..b as usize,
        _ => 0..0,
    }
}

impl World {
    /// Opens the generation in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<World, StoreError> {
        let manifest_path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|e| StoreError::io(&manifest_path, e))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;
        if manifest.format_version != crate::manifest::FORMAT_VERSION {
            return Err(StoreError::Corrupt {
                path: manifest_path,
                message: format!(
                    "world format version {} is not the {} this kith reads; re-import the data into a new workspace",
                    manifest.format_version,
                    crate::manifest::FORMAT_VERSION
                ),
            });
        }
        let open_csr = |name: &str, n: usize| -> Result<Csr, StoreError> {
            let p = dir.join("follows").join(name);
            if p.exists() {
                Csr::open(&p).map_err(|e| StoreError::Corrupt {
                    path: p,
                    message: e.to_string(),
                })
            } else {
                Ok(Csr::empty(n))
            }
        };
        let col = |d: &str, name: &str, t: ColType| {
            Column::open(&dir.join(d).join(format!("{name}.col")), t)
        };
        let n = manifest.counts.nodes as usize;
        let world = World {
            dir: dir.to_path_buf(),
            accounts: Table::open(dir, &ACCOUNTS)?,
            posts: Table::open(dir, &POSTS)?,
            post_offsets: col("posts", "author_offsets", ColType::U64)?,
            interactions: Table::open(dir, &INTERACTIONS)?,
            from_offsets: col("interactions", "from_offsets", ColType::U64)?,
            to_order: col("interactions", "to_order", ColType::U32)?,
            to_offsets: col("interactions", "to_offsets", ColType::U64)?,
            history: Table::open(dir, &HISTORY)?,
            history_offsets: col("history", "node_offsets", ColType::U64)?,
            customers: Table::open(dir, &CUSTOMERS)?,
            follow_since: Table::open(dir, &FOLLOW_SINCE)?,
            follows_out: open_csr("out.csr", n)?,
            follows_in: open_csr("in.csr", n)?,
            manifest,
        };
        if world.accounts.columns[1].len() != n || world.follows_out.num_nodes() != n {
            return Err(StoreError::Corrupt {
                path: dir.to_path_buf(),
                message: "node count differs between the manifest, the dictionary and the graph"
                    .into(),
            });
        }
        Ok(world)
    }

    /// The generation directory this world was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every (platform, handle) the world has seen.
    pub fn num_nodes(&self) -> usize {
        self.manifest.counts.nodes as usize
    }

    pub fn platform(&self, id: u32) -> Platform {
        self.accounts.columns[0]
            .u8_at(id as usize)
            .and_then(Platform::from_code)
            .unwrap_or(Platform::Other)
    }

    pub fn handle(&self, id: u32) -> &str {
        self.accounts.columns[1].str_at(id as usize).unwrap_or("")
    }

    /// The node of a (platform, handle); the handle is normalised first.
    pub fn lookup(&self, platform: Platform, handle: &str) -> Option<u32> {
        let handle = kith_model::text::normalize_handle(handle);
        let order = self.accounts.columns[2].u32s();
        let key = (platform.code(), handle.as_str());
        order
            .binary_search_by(|&id| (self.platform(id).code(), self.handle(id)).cmp(&key))
            .ok()
            .map(|i| order[i])
    }

    /// Looks up `platform:handle`, or a bare handle when exactly one platform
    /// has it.
    pub fn resolve(&self, spec: &str) -> Result<u32, StoreError> {
        if let Some((p, h)) = spec.split_once(':')
            && let Ok(platform) = p.parse::<Platform>()
        {
            return self
                .lookup(platform, h)
                .ok_or_else(|| StoreError::NotFound(format!("no account {spec} in the world")));
        }
        let hits: Vec<u32> = Platform::ALL
            .iter()
            .filter_map(|&p| self.lookup(p, spec))
            .collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(StoreError::NotFound(format!(
                "no account {spec:?} in the world"
            ))),
            _ => Err(StoreError::NotFound(format!(
                "{spec:?} exists on several platforms; write platform:handle (e.g. instagram:{spec})"
            ))),
        }
    }

    /// Whether a profile row was imported for the node (not just seen in a graph).
    pub fn has_profile(&self, id: u32) -> bool {
        self.accounts.columns[3]
            .bool_at(id as usize)
            .unwrap_or(false)
    }

    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            table: &self.accounts,
        }
    }

    /// The whole account record of a node.
    pub fn account(&self, id: u32) -> Account {
        let a = self.accounts();
        Account {
            platform: self.platform(id),
            handle: self.handle(id).to_string(),
            name: a.name(id).map(str::to_string),
            bio: a.bio(id).map(str::to_string),
            followers: a.followers(id),
            following: a.following(id),
            posts: a.posts_count(id),
            verified: a.verified(id),
            private: a.private(id),
            has_profile_pic: a.has_profile_pic(id),
            external_url: a.external_url(id).map(str::to_string),
            created_at: a.created_at(id),
            country: a.country(id).map(str::to_string),
            language: a.language(id).map(str::to_string),
            category: a.category(id).map(str::to_string),
            tags: a.tags(id).map(str::to_string).collect(),
        }
    }

    pub fn posts(&self) -> Posts<'_> {
        Posts { table: &self.posts }
    }

    /// Rows of `posts()` by this author, oldest first (unknown times first).
    pub fn posts_of(&self, id: u32) -> Range<usize> {
        range_of(&self.post_offsets, id)
    }

    /// Who `id` follows.
    pub fn follows_out(&self) -> &Csr {
        &self.follows_out
    }

    /// Who follows `id` (its audience).
    pub fn follows_in(&self) -> &Csr {
        &self.follows_in
    }

    /// When `follower` started following `followed`, where known.
    pub fn follow_since(&self, follower: u32, followed: u32) -> Option<i64> {
        let t = &self.follow_since;
        let (a, b) = (t.columns[0].u32s(), t.columns[1].u32s());
        let (lo, hi) = (
            a.partition_point(|&x| x < follower),
            a.partition_point(|&x| x <= follower),
        );
        let i = b[lo..hi].binary_search(&followed).ok()? + lo;
        t.columns[2].i64_at(i)
    }

    pub fn interactions(&self) -> Interactions<'_> {
        Interactions {
            table: &self.interactions,
        }
    }

    /// Rows of `interactions()` from `id`, sorted by (to, at).
    pub fn interactions_from(&self, id: u32) -> Range<usize> {
        range_of(&self.from_offsets, id)
    }

    /// Rows of `interactions()` to `id`, sorted by (from, at).
    pub fn interactions_to(&self, id: u32) -> &[u32] {
        let r = range_of(&self.to_offsets, id);
        self.to_order.u32s().get(r).unwrap_or(&[])
    }

    pub fn history(&self) -> History<'_> {
        History {
            table: &self.history,
        }
    }

    /// Rows of `history()` of `id`, by date.
    pub fn history_of(&self, id: u32) -> Range<usize> {
        range_of(&self.history_offsets, id)
    }

    pub fn customers(&self) -> Customers<'_> {
        Customers {
            table: &self.customers,
        }
    }

    /// Bytes on disk of each part, for `kith info`.
    pub fn sizes(&self) -> Vec<(&'static str, u64)> {
        let csr_size = |c: &Csr| (c.offsets().len() * 8 + c.targets().len() * 4 + 64) as u64;
        vec![
            ("accounts", self.accounts.size_bytes()),
            (
                "posts",
                self.posts.size_bytes() + self.post_offsets.size_bytes(),
            ),
            (
                "follows",
                csr_size(&self.follows_out)
                    + csr_size(&self.follows_in)
                    + self.follow_since.size_bytes(),
            ),
            (
                "interactions",
                self.interactions.size_bytes()
                    + self.from_offsets.size_bytes()
                    + self.to_order.size_bytes()
                    + self.to_offsets.size_bytes(),
            ),
            (
                "history",
                self.history.size_bytes() + self.history_offsets.size_bytes(),
            ),
            ("customers", self.customers.size_bytes()),
        ]
    }
}

/// Account attribute columns, by node id.
pub struct Accounts<'w> {
    table: &'w Table,
}

impl<'w> Accounts<'w> {
    fn c(&self, i: usize) -> &'w Column {
        &self.table.columns[i]
    }
    pub fn name(&self, id: u32) -> Option<&'w str> {
        self.c(4).str_at(id as usize)
    }
    pub fn bio(&self, id: u32) -> Option<&'w str> {
        self.c(5).str_at(id as usize)
    }
    /// The declared follower count (as the platform shows it).
    pub fn followers(&self, id: u32) -> Option<u64> {
        self.c(6).u64_at(id as usize)
    }
    pub fn following(&self, id: u32) -> Option<u64> {
        self.c(7).u64_at(id as usize)
    }
    /// The declared number of posts.
    pub fn posts_count(&self, id: u32) -> Option<u64> {
        self.c(8).u64_at(id as usize)
    }
    pub fn verified(&self, id: u32) -> Option<bool> {
        self.c(9).bool_at(id as usize)
    }
    pub fn private(&self, id: u32) -> Option<bool> {
        self.c(10).bool_at(id as usize)
    }
    pub fn has_profile_pic(&self, id: u32) -> Option<bool> {
        self.c(11).bool_at(id as usize)
    }
    pub fn external_url(&self, id: u32) -> Option<&'w str> {
        self.c(12).str_at(id as usize)
    }
    pub fn created_at(&self, id: u32) -> Option<i64> {
        self.c(13).i64_at(id as usize)
    }
    pub fn country(&self, id: u32) -> Option<&'w str> {
        self.c(14).str_at(id as usize)
    }
    pub fn language(&self, id: u32) -> Option<&'w str> {
        self.c(15).str_at(id as usize)
    }
    pub fn category(&self, id: u32) -> Option<&'w str> {
        self.c(16).str_at(id as usize)
    }
    /// Normalised tags (no `#`).
    pub fn tags(&self, id: u32) -> impl Iterator<Item = &'w str> + use<'w> {
        split_words(self.c(17).str_at(id as usize))
    }
    /// The declared follower counts of all nodes, as a raw slice (`u64::MAX`
    /// = unknown; may be shorter than the node count).
    pub fn followers_raw(&self) -> &'w [u64] {
        self.c(6).u64s()
    }
}

/// Post columns, by row.
pub struct Posts<'w> {
    table: &'w Table,
}

impl<'w> Posts<'w> {
    fn c(&self, i: usize) -> &'w Column {
        &self.table.columns[i]
    }
    pub fn len(&self) -> usize {
        self.c(0).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn author(&self, row: usize) -> u32 {
        self.c(0).u32s()[row]
    }
    pub fn post_id(&self, row: usize) -> &'w str {
        self.c(1).str_at(row).unwrap_or("")
    }
    pub fn posted_at(&self, row: usize) -> Option<i64> {
        self.c(2).i64_at(row)
    }
    pub fn kind(&self, row: usize) -> Option<PostKind> {
        self.c(3).u8_at(row).and_then(PostKind::from_code)
    }
    pub fn caption(&self, row: usize) -> Option<&'w str> {
        self.c(4).str_at(row)
    }
    pub fn hashtags(&self, row: usize) -> impl Iterator<Item = &'w str> + use<'w> {
        split_words(self.c(5).str_at(row))
    }
    /// The hashtags as bytes, not validated as UTF-8 (see
    /// [`Column::bytes_at`]).
    pub fn hashtag_bytes(&self, row: usize) -> impl Iterator<Item = &'w [u8]> + use<'w> {
        self.c(5)
            .bytes_at(row)
            .unwrap_or(b"")
            .split(|&b| b == b' ')
            .filter(|w| !w.is_empty())
    }
    pub fn mentions(&self, row: usize) -> impl Iterator<Item = &'w str> + use<'w> {
        split_words(self.c(6).str_at(row))
    }
    pub fn likes(&self, row: usize) -> Option<u64> {
        self.c(7).u64_at(row)
    }
    pub fn comments(&self, row: usize) -> Option<u64> {
        self.c(8).u64_at(row)
    }
    pub fn shares(&self, row: usize) -> Option<u64> {
        self.c(9).u64_at(row)
    }
    pub fn saves(&self, row: usize) -> Option<u64> {
        self.c(10).u64_at(row)
    }
    pub fn views(&self, row: usize) -> Option<u64> {
        self.c(11).u64_at(row)
    }
    pub fn sponsored(&self, row: usize) -> Option<bool> {
        self.c(12).bool_at(row)
    }
}

/// Interaction columns, by row.
pub struct Interactions<'w> {
    table: &'w Table,
}

impl Interactions<'_> {
    pub fn len(&self) -> usize {
        self.table.columns[0].len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn from(&self, row: usize) -> u32 {
        self.table.columns[0].u32s()[row]
    }
    pub fn to(&self, row: usize) -> u32 {
        self.table.columns[1].u32s()[row]
    }
    pub fn kind(&self, row: usize) -> InteractionKind {
        self.table.columns[2]
            .u8_at(row)
            .and_then(InteractionKind::from_code)
            .unwrap_or(InteractionKind::Mention)
    }
    pub fn at(&self, row: usize) -> Option<i64> {
        self.table.columns[3].i64_at(row)
    }
}

/// Follower-history columns, by row.
pub struct History<'w> {
    table: &'w Table,
}

impl History<'_> {
    pub fn len(&self) -> usize {
        self.table.columns[0].len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn node(&self, row: usize) -> u32 {
        self.table.columns[0].u32s()[row]
    }
    /// Days since 1970-01-01.
    pub fn date(&self, row: usize) -> i32 {
        self.table.columns[1].i32s()[row]
    }
    pub fn followers(&self, row: usize) -> Option<u64> {
        self.table.columns[2].u64_at(row)
    }
    pub fn following(&self, row: usize) -> Option<u64> {
        self.table.columns[3].u64_at(row)
    }
}

/// The brand's customers, in import order.
pub struct Customers<'w> {
    table: &'w Table,
}

impl<'w> Customers<'w> {
    fn c(&self, i: usize) -> &'w Column {
        &self.table.columns[i]
    }
    pub fn len(&self) -> usize {
        self.c(0).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn customer_id(&self, i: usize) -> &'w str {
        self.c(0).str_at(i).unwrap_or("")
    }
    pub fn email(&self, i: usize) -> Option<&'w str> {
        self.c(1).str_at(i)
    }
    pub fn name(&self, i: usize) -> Option<&'w str> {
        self.c(2).str_at(i)
    }
    pub fn platform(&self, i: usize) -> Option<Platform> {
        self.c(3).u8_at(i).and_then(Platform::from_code)
    }
    pub fn handle(&self, i: usize) -> Option<&'w str> {
        self.c(4).str_at(i)
    }
    /// The account node this customer is, when matched by platform and handle.
    pub fn node(&self, i: usize) -> Option<u32> {
        self.c(5).u32_at(i)
    }
    pub fn orders(&self, i: usize) -> Option<u64> {
        self.c(6).u64_at(i)
    }
    pub fn revenue(&self, i: usize) -> Option<f64> {
        self.c(7).f64_at(i)
    }
    pub fn first_order_at(&self, i: usize) -> Option<i64> {
        self.c(8).i64_at(i)
    }
}
