//! Shared helpers of the integration tests: one default-size world per test
//! binary, and lookups by `platform:handle`.

#![allow(dead_code)] // each test binary uses a different part

use kith_demo::{DemoOptions, DemoWorld, generate};
use kith_model::{Account, Post};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The default world (20,000 accounts, seed 42), generated once.
pub fn world() -> &'static DemoWorld {
    static WORLD: OnceLock<DemoWorld> = OnceLock::new();
    WORLD.get_or_init(|| generate(&DemoOptions::default()))
}

pub fn id(a: &Account) -> String {
    format!("{}:{}", a.platform, a.handle)
}

/// Index of every account by `platform:handle`.
pub fn index(world: &DemoWorld) -> HashMap<String, usize> {
    world
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (id(a), i))
        .collect()
}

/// Each account's posts (posts are grouped by author).
pub fn posts_by_account(world: &DemoWorld) -> HashMap<String, Vec<&Post>> {
    let mut out: HashMap<String, Vec<&Post>> = HashMap::new();
    for p in &world.posts {
        out.entry(format!("{}:{}", p.platform, p.handle))
            .or_default()
            .push(p);
    }
    out
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    assert!(!xs.is_empty(), "median of nothing");
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// DESIGN's default ER: median over the last 12 posts older than 24 h of
/// (likes + comments + shares + saves) / followers.
pub fn er_followers_median(account: &Account, posts: &[&Post], now: i64) -> Option<f64> {
    let followers = account.followers? as f64;
    if followers <= 0.0 {
        return None;
    }
    let mut eligible: Vec<&&Post> = posts
        .iter()
        .filter(|p| p.posted_at.is_some_and(|t| now - t >= 24 * 3_600))
        .collect();
    eligible.sort_by_key(|p| std::cmp::Reverse(p.posted_at));
    eligible.truncate(12);
    if eligible.is_empty() {
        return None;
    }
    let rates = eligible
        .iter()
        .map(|p| {
            let e = p.likes.unwrap_or(0)
                + p.comments.unwrap_or(0)
                + p.shares.unwrap_or(0)
                + p.saves.unwrap_or(0);
            e as f64 / followers
        })
        .collect();
    Some(median(rates))
}

/// Precision and recall of `found` against `truth`.
pub fn precision_recall(found: &[String], truth: &[String]) -> (f64, f64) {
    let truth: std::collections::HashSet<&String> = truth.iter().collect();
    let hits = found.iter().filter(|f| truth.contains(f)).count() as f64;
    let precision = if found.is_empty() {
        1.0
    } else {
        hits / found.len() as f64
    };
    let recall = if truth.is_empty() {
        1.0
    } else {
        hits / truth.len() as f64
    };
    (precision, recall)
}
