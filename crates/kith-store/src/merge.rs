//! Building each table of the next generation: the current rows merged with
//! the staged ones, keyed as the import contract says, and written out.
//!
//! Re-importing a row updates it: known fields replace stored ones, unknown
//! (empty) fields keep them.

use crate::StoreError;
use crate::column::{ColType, ColumnBuf, NULL_I64};
use crate::import::Import;
use crate::table::{
    ACCOUNT_KEY_COLUMNS, ACCOUNTS, CUSTOMERS, FOLLOW_SINCE, HISTORY, INTERACTIONS, POSTS, TableBuf,
    node_offsets, write_index,
};
use kith_graph::Csr;
use kith_model::{Account, Customer, HistoryPoint, Post};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::Path;

macro_rules! take_known {
    ($dst:ident, $src:ident; $($field:ident),+) => {
        $( if $src.$field.is_some() { $dst.$field = $src.$field; } )+
    };
}

/// Merges a re-imported account into the stored one.
pub(crate) fn account(dst: &mut Account, src: Account) {
    take_known!(dst, src; name, bio, followers, following, posts, verified, private, has_profile_pic,
        external_url, created_at, country, language, category);
    if !src.tags.is_empty() {
        dst.tags = src.tags;
    }
}

pub(crate) fn post(dst: &mut Post, src: Post) {
    dst.handle = src.handle;
    take_known!(dst, src; posted_at, kind, caption, likes, comments, shares, saves, views, sponsored);
    if !src.hashtags.is_empty() {
        dst.hashtags = src.hashtags;
    }
    if !src.mentions.is_empty() {
        dst.mentions = src.mentions;
    }
}

fn history(dst: &mut HistoryPoint, src: HistoryPoint) {
    take_known!(dst, src; followers, following);
}

fn customer(dst: &mut Customer, src: Customer) {
    take_known!(dst, src; email, name, platform, handle, orders, revenue, first_order_at);
}

fn link_file(from: &Path, to: &Path) -> Result<(), StoreError> {
    if from.exists() {
        std::fs::hard_link(from, to).map_err(|e| StoreError::io(to, e))?;
    }
    Ok(())
}

fn join(words: &[String]) -> Option<String> {
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

fn push_account_attributes(buf: &mut TableBuf, a: &Account) {
    let c = &mut buf.columns;
    c[3].push_bool(Some(true));
    c[4].push_str(a.name.as_deref());
    c[5].push_str(a.bio.as_deref());
    c[6].push_u64(a.followers);
    c[7].push_u64(a.following);
    c[8].push_u64(a.posts);
    c[9].push_bool(a.verified);
    c[10].push_bool(a.private);
    c[11].push_bool(a.has_profile_pic);
    c[12].push_str(a.external_url.as_deref());
    c[13].push_i64(a.created_at);
    c[14].push_str(a.country.as_deref());
    c[15].push_str(a.language.as_deref());
    c[16].push_str(a.category.as_deref());
    c[17].push_str(join(&a.tags).as_deref());
}

/// The node dictionary (grown by new nodes) and the account attributes
/// (rebuilt only when accounts were imported).
pub(crate) fn write_accounts(imp: &mut Import, tmp: &Path) -> Result<(), StoreError> {
    let base = &imp.base;
    let base_dir = base.dir().join(ACCOUNTS.dir);
    let dir = tmp.join(ACCOUNTS.dir);
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
    let base_n = base.num_nodes();
    let n = imp.num_nodes();
    let file = |d: &Path, i: usize| d.join(format!("{}.col", ACCOUNTS.columns[i].0));

    if imp.new_nodes.is_empty() {
        for i in 0..ACCOUNT_KEY_COLUMNS {
            link_file(&file(&base_dir, i), &file(&dir, i))?;
        }
    } else {
        let mut platform = ColumnBuf::new(ColType::U8);
        let mut handle = ColumnBuf::new(ColType::Str);
        for id in 0..base_n {
            platform.push_from(&base.accounts.columns[0], id);
            handle.push_from(&base.accounts.columns[1], id);
        }
        for (p, h) in &imp.new_nodes {
            platform.push_u8(Some(p.code()));
            handle.push_str(Some(h));
        }
        // Old nodes are already in key order; sort the new ones and merge.
        let mut new_ids: Vec<u32> = (base_n as u32..n as u32).collect();
        let key = |id: u32| {
            let (p, h) = &imp.new_nodes[id as usize - base_n];
            (p.code(), h.as_str())
        };
        new_ids.par_sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
        let old_ids = base.accounts.columns[2].u32s();
        let mut order = Vec::with_capacity(n);
        let (mut i, mut j) = (0, 0);
        while i < old_ids.len() || j < new_ids.len() {
            let take_old = j == new_ids.len()
                || (i < old_ids.len()
                    && (base.platform(old_ids[i]).code(), base.handle(old_ids[i]))
                        < key(new_ids[j]));
            if take_old {
                order.push(old_ids[i]);
                i += 1;
            } else {
                order.push(new_ids[j]);
                j += 1;
            }
        }
        platform.write_to(&file(&dir, 0))?;
        handle.write_to(&file(&dir, 1))?;
        ColumnBuf::U32(order).write_to(&file(&dir, 2))?;
    }

    if imp.accounts.is_empty() {
        for i in ACCOUNT_KEY_COLUMNS..ACCOUNTS.columns.len() {
            link_file(&file(&base_dir, i), &file(&dir, i))?;
        }
        return Ok(());
    }
    let mut patches = std::mem::take(&mut imp.accounts);
    let mut buf = TableBuf::new(&ACCOUNTS);
    for id in 0..n as u32 {
        match patches.remove(&id) {
            Some(patch) => {
                let merged = if (id as usize) < base_n && base.has_profile(id) {
                    let mut a = base.account(id);
                    account(&mut a, patch);
                    a
                } else {
                    patch
                };
                push_account_attributes(&mut buf, &merged);
            }
            None => {
                for (dst, src) in buf
                    .columns
                    .iter_mut()
                    .zip(&base.accounts.columns)
                    .skip(ACCOUNT_KEY_COLUMNS)
                {
                    dst.push_from(src, id as usize);
                }
            }
        }
    }
    for (i, ((name, _), col)) in ACCOUNTS
        .columns
        .iter()
        .zip(&buf.columns)
        .enumerate()
        .skip(ACCOUNT_KEY_COLUMNS)
    {
        if i == 3 || col.has_values() {
            col.write_to(&dir.join(format!("{name}.col")))?;
        }
    }
    Ok(())
}

/// Both directions of the follow graph, with the new edges merged in, and
/// the `since` times.
pub(crate) fn write_follows(imp: &mut Import, tmp: &Path, n: usize) -> Result<(), StoreError> {
    let dir = tmp.join("follows");
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
    let total = imp.follows_len();
    let blocks = imp.take_follows();
    let base_out = imp.base.follows_out();
    let out = if base_out.num_edges() == 0 {
        Csr::from_edge_blocks(n, blocks)
    } else {
        let mut edges = Vec::with_capacity(total);
        for block in blocks {
            edges.extend(block);
        }
        base_out.with_added_edges(n, edges)
    };
    out.write_to(&dir.join("out.csr"))
        .map_err(|e| StoreError::io(&dir, e))?;
    let inn = out.transpose();
    drop(out);
    inn.write_to(&dir.join("in.csr"))
        .map_err(|e| StoreError::io(&dir, e))?;
    drop(inn);

    let staged = std::mem::take(&mut imp.follow_since);
    let old = &imp.base.follow_since;
    if staged.is_empty() {
        for (name, _) in FOLLOW_SINCE.columns {
            let f = format!("{name}.col");
            link_file(&imp.base.dir().join("follows").join(&f), &dir.join(&f))?;
        }
        return Ok(());
    }
    let mut rows: Vec<(u32, u32, usize, i64)> = (0..old.columns[0].len())
        .map(|i| {
            (
                old.columns[0].u32s()[i],
                old.columns[1].u32s()[i],
                0,
                old.columns[2].i64_at(i).unwrap_or(NULL_I64),
            )
        })
        .collect();
    rows.extend(
        staged
            .into_iter()
            .enumerate()
            .map(|(k, (a, b, t))| (a, b, k + 1, t)),
    );
    rows.sort_unstable();
    // Keep the last-staged time of each edge.
    let mut buf = TableBuf::new(&FOLLOW_SINCE);
    for (i, &(a, b, _, t)) in rows.iter().enumerate() {
        if rows
            .get(i + 1)
            .is_some_and(|next| (next.0, next.1) == (a, b))
        {
            continue;
        }
        buf.columns[0].push_u32(Some(a));
        buf.columns[1].push_u32(Some(b));
        buf.columns[2].push_i64(Some(t).filter(|&t| t != NULL_I64));
    }
    buf.write(tmp, &FOLLOW_SINCE, 3)
}

fn stored_post(imp: &Import, row: usize) -> Post {
    let w = &imp.base;
    let p = w.posts();
    let author = p.author(row);
    Post {
        platform: w.platform(author),
        handle: w.handle(author).to_string(),
        post_id: p.post_id(row).to_string(),
        posted_at: p.posted_at(row),
        kind: p.kind(row),
        caption: p.caption(row).map(str::to_string),
        hashtags: p.hashtags(row).map(str::to_string).collect(),
        mentions: p.mentions(row).map(str::to_string).collect(),
        likes: p.likes(row),
        comments: p.comments(row),
        shares: p.shares(row),
        saves: p.saves(row),
        views: p.views(row),
        sponsored: p.sponsored(row),
    }
}

fn push_post(buf: &mut TableBuf, author: u32, p: &Post) {
    let c = &mut buf.columns;
    c[0].push_u32(Some(author));
    c[1].push_str(Some(&p.post_id));
    c[2].push_i64(p.posted_at);
    c[3].push_u8(p.kind.map(|k| k.code()));
    c[4].push_str(p.caption.as_deref());
    c[5].push_str(join(&p.hashtags).as_deref());
    c[6].push_str(join(&p.mentions).as_deref());
    c[7].push_u64(p.likes);
    c[8].push_u64(p.comments);
    c[9].push_u64(p.shares);
    c[10].push_u64(p.saves);
    c[11].push_u64(p.views);
    c[12].push_bool(p.sponsored);
}

/// Posts keyed by (platform, post_id), sorted by (author, posted_at).
pub(crate) fn write_posts(imp: &mut Import, tmp: &Path, n: usize) -> Result<(), StoreError> {
    let staged = std::mem::take(&mut imp.posts);
    let base = &imp.base;
    let old_posts = base.posts();
    let old_index: FxHashMap<(u8, &str), usize> = (0..old_posts.len())
        .map(|row| {
            (
                (
                    base.platform(old_posts.author(row)).code(),
                    old_posts.post_id(row),
                ),
                row,
            )
        })
        .collect();
    let mut patched_old: FxHashMap<usize, (u32, Post)> = FxHashMap::default();
    let mut new_rows: Vec<(u32, Post)> = Vec::with_capacity(staged.len());
    let mut new_index: FxHashMap<(u8, String), usize> = FxHashMap::default();
    for (author, p) in staged {
        let platform = p.platform.code();
        if let Some(&row) = old_index.get(&(platform, p.post_id.as_str())) {
            let entry = patched_old
                .entry(row)
                .or_insert_with(|| (author, stored_post(imp, row)));
            entry.0 = author;
            post(&mut entry.1, p);
        } else if let Some(&i) = new_index.get(&(platform, p.post_id.clone())) {
            new_rows[i].0 = author;
            post(&mut new_rows[i].1, p);
        } else {
            new_index.insert((platform, p.post_id.clone()), new_rows.len());
            new_rows.push((author, p));
        }
    }
    drop(new_index);
    let mut buf = TableBuf::new(&POSTS);
    for row in 0..old_posts.len() {
        match patched_old.remove(&row) {
            Some((author, p)) => push_post(&mut buf, author, &p),
            None => buf.push_from(&base.posts, row),
        }
    }
    drop(old_index);
    for (author, p) in &new_rows {
        push_post(&mut buf, *author, p);
    }
    drop(new_rows);
    let (authors, times) = match (&buf.columns[0], &buf.columns[2]) {
        (ColumnBuf::U32(a), ColumnBuf::I64(t)) => (a, t),
        _ => unreachable!("posts schema"),
    };
    let mut order: Vec<u32> = (0..buf.len() as u32).collect();
    order.par_sort_by_key(|&i| (authors[i as usize], times[i as usize]));
    let sorted = buf.permute(&order);
    drop(buf);
    sorted.write(tmp, &POSTS, 2)?;
    let ColumnBuf::U32(authors) = &sorted.columns[0] else {
        unreachable!("posts schema")
    };
    write_index(
        tmp,
        POSTS.dir,
        "author_offsets",
        ColumnBuf::U64(node_offsets(authors, n)),
    )
}

/// Interactions: a row is its own key (an identical row is not counted
/// twice), sorted by (from, to, at, kind), indexed both ways.
pub(crate) fn write_interactions(imp: &mut Import, tmp: &Path, n: usize) -> Result<(), StoreError> {
    let mut rows = std::mem::take(&mut imp.interactions);
    let old = imp.base.interactions();
    rows.reserve(old.len());
    let t = &imp.base.interactions;
    for i in 0..old.len() {
        rows.push((
            old.from(i),
            old.to(i),
            t.columns[2].u8s()[i],
            t.columns[3].i64s()[i],
        ));
    }
    rows.par_sort_unstable_by_key(|&(a, b, k, at)| (a, b, at, k));
    rows.dedup();
    let mut buf = TableBuf::new(&INTERACTIONS);
    for &(a, b, k, at) in &rows {
        buf.columns[0].push_u32(Some(a));
        buf.columns[1].push_u32(Some(b));
        buf.columns[2].push_u8(Some(k));
        buf.columns[3].push_i64(Some(at).filter(|&x| x != NULL_I64));
    }
    buf.write(tmp, &INTERACTIONS, 4)?;
    let froms: Vec<u32> = rows.iter().map(|r| r.0).collect();
    write_index(
        tmp,
        INTERACTIONS.dir,
        "from_offsets",
        ColumnBuf::U64(node_offsets(&froms, n)),
    )?;
    let mut to_order: Vec<u32> = (0..rows.len() as u32).collect();
    to_order.par_sort_by_key(|&i| rows[i as usize].1);
    let tos: Vec<u32> = to_order.iter().map(|&i| rows[i as usize].1).collect();
    write_index(
        tmp,
        INTERACTIONS.dir,
        "to_offsets",
        ColumnBuf::U64(node_offsets(&tos, n)),
    )?;
    write_index(tmp, INTERACTIONS.dir, "to_order", ColumnBuf::U32(to_order))
}

/// Follower history keyed by (account, date), sorted the same way.
pub(crate) fn write_history(imp: &mut Import, tmp: &Path, n: usize) -> Result<(), StoreError> {
    let staged = std::mem::take(&mut imp.history);
    let old = imp.base.history();
    let mut rows: Vec<(u32, i32, usize, HistoryPoint)> =
        Vec::with_capacity(old.len() + staged.len());
    for i in 0..old.len() {
        let point = HistoryPoint {
            date: old.date(i),
            followers: old.followers(i),
            following: old.following(i),
            ..HistoryPoint::default()
        };
        rows.push((old.node(i), old.date(i), 0, point));
    }
    rows.extend(
        staged
            .into_iter()
            .enumerate()
            .map(|(k, (node, p))| (node, p.date, k + 1, p)),
    );
    rows.par_sort_unstable_by_key(|r| (r.0, r.1, r.2));
    let mut merged: Vec<(u32, HistoryPoint)> = Vec::with_capacity(rows.len());
    for (node, date, _, p) in rows {
        match merged.last_mut() {
            Some((last_node, last)) if *last_node == node && last.date == date => history(last, p),
            _ => merged.push((node, p)),
        }
    }
    let mut buf = TableBuf::new(&HISTORY);
    for (node, p) in &merged {
        buf.columns[0].push_u32(Some(*node));
        buf.columns[1].push_i32(Some(p.date));
        buf.columns[2].push_u64(p.followers);
        buf.columns[3].push_u64(p.following);
    }
    buf.write(tmp, &HISTORY, 2)?;
    let nodes: Vec<u32> = merged.iter().map(|r| r.0).collect();
    write_index(
        tmp,
        HISTORY.dir,
        "node_offsets",
        ColumnBuf::U64(node_offsets(&nodes, n)),
    )
}

/// Customers keyed by customer_id, in first-import order.
pub(crate) fn write_customers(imp: &mut Import, tmp: &Path) -> Result<(), StoreError> {
    let staged = std::mem::take(&mut imp.customers);
    let old = imp.base.customers();
    let mut rows: Vec<(Option<u32>, Customer)> = (0..old.len())
        .map(|i| {
            let c = Customer {
                customer_id: old.customer_id(i).to_string(),
                email: old.email(i).map(str::to_string),
                name: old.name(i).map(str::to_string),
                platform: old.platform(i),
                handle: old.handle(i).map(str::to_string),
                orders: old.orders(i),
                revenue: old.revenue(i),
                first_order_at: old.first_order_at(i),
            };
            (old.node(i), c)
        })
        .collect();
    let mut index: FxHashMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, (_, c))| (c.customer_id.clone(), i))
        .collect();
    for (node, c) in staged {
        match index.get(&c.customer_id) {
            Some(&i) => {
                if node.is_some() {
                    rows[i].0 = node;
                }
                customer(&mut rows[i].1, c);
            }
            None => {
                index.insert(c.customer_id.clone(), rows.len());
                rows.push((node, c));
            }
        }
    }
    let mut buf = TableBuf::new(&CUSTOMERS);
    for (node, c) in &rows {
        let col = &mut buf.columns;
        col[0].push_str(Some(&c.customer_id));
        col[1].push_str(c.email.as_deref());
        col[2].push_str(c.name.as_deref());
        col[3].push_u8(c.platform.map(|p| p.code()));
        col[4].push_str(c.handle.as_deref());
        col[5].push_u32(*node);
        col[6].push_u64(c.orders);
        col[7].push_f64(c.revenue);
        col[8].push_i64(c.first_order_at);
    }
    buf.write(tmp, &CUSTOMERS, 1)
}
