//! Tables: a directory of column files that share a row numbering, and the
//! schemas of the world's tables.

use crate::StoreError;
use crate::column::{ColType, Column, ColumnBuf};
use std::path::Path;

/// The columns of one table, in a fixed order (indices are used in code).
pub struct Schema {
    pub dir: &'static str,
    pub columns: &'static [(&'static str, ColType)],
}

use ColType::*;

/// Row = node id. `platform`, `handle` and `key_order` cover every node; the
/// attribute columns may be shorter (rows past their end are unknown).
pub static ACCOUNTS: Schema = Schema {
    dir: "accounts",
    columns: &[
        ("platform", U8),
        ("handle", Str),
        ("key_order", U32),
        ("profile", U8),
        ("name", Str),
        ("bio", Str),
        ("followers", U64),
        ("following", U64),
        ("posts", U64),
        ("verified", U8),
        ("private", U8),
        ("has_profile_pic", U8),
        ("external_url", Str),
        ("created_at", I64),
        ("country", Str),
        ("language", Str),
        ("category", Str),
        ("tags", Str),
    ],
};
/// Columns of ACCOUNTS that are the node dictionary, not attributes.
pub const ACCOUNT_KEY_COLUMNS: usize = 3;

/// Sorted by (author, posted_at); `author_offsets` (in the same directory)
/// gives each author's row range.
pub static POSTS: Schema = Schema {
    dir: "posts",
    columns: &[
        ("author", U32),
        ("post_id", Str),
        ("posted_at", I64),
        ("kind", U8),
        ("caption", Str),
        ("hashtags", Str),
        ("mentions", Str),
        ("likes", U64),
        ("comments", U64),
        ("shares", U64),
        ("saves", U64),
        ("views", U64),
        ("sponsored", U8),
    ],
};

/// Sorted by (from, to, at, kind); `from_offsets` gives each source's rows,
/// `to_order` + `to_offsets` each target's rows.
pub static INTERACTIONS: Schema = Schema {
    dir: "interactions",
    columns: &[("from", U32), ("to", U32), ("kind", U8), ("at", I64)],
};

/// Sorted by (node, date); `node_offsets` gives each account's rows.
pub static HISTORY: Schema = Schema {
    dir: "history",
    columns: &[
        ("node", U32),
        ("date", I32),
        ("followers", U64),
        ("following", U64),
    ],
};

/// In import order; keyed by `customer_id`. `node` is the matched account.
pub static CUSTOMERS: Schema = Schema {
    dir: "customers",
    columns: &[
        ("customer_id", Str),
        ("email", Str),
        ("name", Str),
        ("platform", U8),
        ("handle", Str),
        ("node", U32),
        ("orders", U64),
        ("revenue", F64),
        ("first_order_at", I64),
    ],
};

/// When follows were made, where known; sorted by (follower, followed).
pub static FOLLOW_SINCE: Schema = Schema {
    dir: "follows",
    columns: &[
        ("since_follower", U32),
        ("since_followed", U32),
        ("since", I64),
    ],
};

/// A table read from a generation directory.
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn open(gen_dir: &Path, schema: &Schema) -> Result<Table, StoreError> {
        let dir = gen_dir.join(schema.dir);
        let columns = schema
            .columns
            .iter()
            .map(|(name, t)| Column::open(&dir.join(format!("{name}.col")), *t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Table { columns })
    }

    pub fn size_bytes(&self) -> u64 {
        self.columns.iter().map(Column::size_bytes).sum()
    }
}

/// A table being built.
pub struct TableBuf {
    pub columns: Vec<ColumnBuf>,
}

impl TableBuf {
    pub fn new(schema: &Schema) -> TableBuf {
        TableBuf {
            columns: schema
                .columns
                .iter()
                .map(|(_, t)| ColumnBuf::new(*t))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, ColumnBuf::len)
    }

    /// Appends row `row` of `src`, column by column.
    pub fn push_from(&mut self, src: &Table, row: usize) {
        for (dst, col) in self.columns.iter_mut().zip(&src.columns) {
            dst.push_from(col, row);
        }
    }

    pub fn permute(&self, order: &[u32]) -> TableBuf {
        TableBuf {
            columns: self.columns.iter().map(|c| c.permute(order)).collect(),
        }
    }

    /// Writes every column that holds a known value (or all of the first
    /// `always` columns, which are keys) into `gen_dir/schema.dir`.
    pub fn write(&self, gen_dir: &Path, schema: &Schema, always: usize) -> Result<(), StoreError> {
        let dir = gen_dir.join(schema.dir);
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        for (i, ((name, _), col)) in schema.columns.iter().zip(&self.columns).enumerate() {
            if i < always || col.has_values() {
                col.write_to(&dir.join(format!("{name}.col")))?;
            }
        }
        Ok(())
    }
}

/// Writes a standalone u64 or u32 index column into `gen_dir/dir/name.col`.
pub fn write_index(
    gen_dir: &Path,
    dir: &str,
    name: &str,
    col: ColumnBuf,
) -> Result<(), StoreError> {
    let d = gen_dir.join(dir);
    std::fs::create_dir_all(&d).map_err(|e| StoreError::io(&d, e))?;
    col.write_to(&d.join(format!("{name}.col")))
}

/// Per-node row ranges of a table sorted by node: `offsets[v]..offsets[v+1]`.
pub fn node_offsets(sorted_nodes: &[u32], num_nodes: usize) -> Vec<u64> {
    let mut offsets = vec![0u64; num_nodes + 1];
    for &v in sorted_nodes {
        offsets[v as usize + 1] += 1;
    }
    for i in 0..num_nodes {
        offsets[i + 1] += offsets[i];
    }
    offsets
}
