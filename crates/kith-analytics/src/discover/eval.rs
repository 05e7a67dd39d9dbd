//! Evaluations of discovery that a user can run on a workspace.
//!
//! Hashtag retrieval (for worlds whose accounts carry the hashtags they
//! used, such as `worlds/x-ego`): pick hashtags used by at least
//! `min_accounts` accounts; for each, write a brief of the `brief_tags`
//! hashtags that co-occur with it most (the hashtag itself left out; "most"
//! by Jaccard |U_h ∩ U_t| / |U_h ∪ U_t| by default, so that tags everyone
//! uses, such as #ff, do not make every brief; or by raw count), run
//! discovery, and count how many of the accounts it returns use the
//! hashtag: precision@k over the first k, recall@r over the first r (of all
//! the accounts that use it). The baseline ranks every account by
//! in-degree (followers in the world).

use super::{DiscoverOptions, Seeds, discover, tag_key};
use crate::world::Vetting;
use kith_model::{Brief, Settings};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// What to evaluate.
#[derive(Debug, Clone)]
pub struct HashtagEvalOptions {
    pub hashtags: usize,
    pub min_accounts: usize,
    pub brief_tags: usize,
    pub precision_at: usize,
    pub recall_at: usize,
    pub seed: u64,
    /// Rank co-occurring tags by raw count instead of Jaccard.
    pub by_count: bool,
}

impl Default for HashtagEvalOptions {
    fn default() -> Self {
        HashtagEvalOptions {
            hashtags: 50,
            min_accounts: 200,
            brief_tags: 5,
            precision_at: 50,
            recall_at: 500,
            seed: 1,
            by_count: false,
        }
    }
}

/// One hashtag's figures.
#[derive(Debug, Clone, Serialize)]
pub struct HashtagResult {
    pub hashtag: String,
    pub accounts: usize,
    pub brief: Vec<String>,
    pub precision: f64,
    pub recall: f64,
    pub baseline_precision: f64,
    pub baseline_recall: f64,
}

/// All figures.
#[derive(Debug, Clone, Serialize)]
pub struct HashtagEval {
    pub hashtags_eligible: usize,
    /// "jaccard" or "count".
    pub cooccurrence: &'static str,
    pub precision_at: usize,
    pub recall_at: usize,
    pub mean_precision: f64,
    pub mean_recall: f64,
    pub baseline_mean_precision: f64,
    pub baseline_mean_recall: f64,
    pub results: Vec<HashtagResult>,
}

fn hits(ranked: &[u32], relevant: &FxHashSet<u32>, k: usize) -> usize {
    ranked
        .iter()
        .take(k)
        .filter(|v| relevant.contains(v))
        .count()
}

/// Runs the hashtag retrieval evaluation; `progress` is called after each
/// hashtag with (done, total).
pub fn hashtag_retrieval(
    vetting: &Vetting,
    opts: &HashtagEvalOptions,
    mut progress: impl FnMut(usize, usize),
) -> HashtagEval {
    let world = vetting.world;
    let n = world.num_nodes() as u32;
    let accounts = world.accounts();
    let tags_of: Vec<Vec<String>> = (0..n)
        .map(|v| {
            let mut t: Vec<String> = accounts
                .tags(v)
                .map(tag_key)
                .filter(|k| !k.is_empty())
                .collect();
            t.sort_unstable();
            t.dedup();
            t
        })
        .collect();
    let mut users: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
    for (v, tags) in tags_of.iter().enumerate() {
        for t in tags {
            users.entry(t.as_str()).or_default().push(v as u32);
        }
    }
    let mut eligible: Vec<&str> = users
        .iter()
        .filter(|(_, u)| u.len() >= opts.min_accounts)
        .map(|(t, _)| *t)
        .collect();
    eligible.sort_unstable();
    let eligible_count = eligible.len();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(opts.seed);
    eligible.shuffle(&mut rng);
    eligible.truncate(opts.hashtags);
    eligible.sort_unstable();

    let mut by_indegree: Vec<u32> = (0..n).filter(|&v| world.has_profile(v)).collect();
    by_indegree.sort_by_key(|&v| (std::cmp::Reverse(world.follows_in().degree(v)), v));

    let settings: &Settings = vetting.settings;
    let total = eligible.len();
    let mut results = Vec::new();
    for (done, &tag) in eligible.iter().enumerate() {
        let relevant: FxHashSet<u32> = users[tag].iter().copied().collect();
        let mut co: FxHashMap<&str, usize> = FxHashMap::default();
        for &v in &users[tag] {
            for t in &tags_of[v as usize] {
                if t != tag {
                    *co.entry(t.as_str()).or_default() += 1;
                }
            }
        }
        let size = users[tag].len() as f64;
        let mut co: Vec<(&str, f64)> = co
            .into_iter()
            .map(|(t, c)| {
                let c = c as f64;
                let strength = if opts.by_count {
                    c
                } else {
                    c / (size + users[t].len() as f64 - c)
                };
                (t, strength)
            })
            .collect();
        co.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let brief_tags: Vec<String> = co
            .iter()
            .take(opts.brief_tags)
            .map(|(t, _)| format!("#{t}"))
            .collect();
        let text = format!(
            "hashtags = [{}]\n",
            brief_tags
                .iter()
                .map(|t| format!("{t:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let brief = match Brief::from_toml(&text, "eval", settings) {
            Ok(b) => b,
            Err(_) => continue,
        };
        let shortlist = discover(
            vetting,
            &brief,
            &Seeds::default(),
            &DiscoverOptions {
                limit: opts.recall_at,
                include_flagged: false,
            },
        );
        let ranked: Vec<u32> = shortlist.rows.iter().map(|r| r.node).collect();
        let p = hits(&ranked, &relevant, opts.precision_at) as f64 / opts.precision_at as f64;
        let r = hits(&ranked, &relevant, opts.recall_at) as f64 / relevant.len() as f64;
        let bp = hits(&by_indegree, &relevant, opts.precision_at) as f64 / opts.precision_at as f64;
        let br = hits(&by_indegree, &relevant, opts.recall_at) as f64 / relevant.len() as f64;
        results.push(HashtagResult {
            hashtag: format!("#{tag}"),
            accounts: relevant.len(),
            brief: brief_tags,
            precision: p,
            recall: r,
            baseline_precision: bp,
            baseline_recall: br,
        });
        progress(done + 1, total);
    }
    let mean = |f: &dyn Fn(&HashtagResult) -> f64| {
        if results.is_empty() {
            0.0
        } else {
            results.iter().map(f).sum::<f64>() / results.len() as f64
        }
    };
    HashtagEval {
        hashtags_eligible: eligible_count,
        cooccurrence: if opts.by_count { "count" } else { "jaccard" },
        precision_at: opts.precision_at,
        recall_at: opts.recall_at,
        mean_precision: mean(&|r| r.precision),
        mean_recall: mean(&|r| r.recall),
        baseline_mean_precision: mean(&|r| r.baseline_precision),
        baseline_mean_recall: mean(&|r| r.baseline_recall),
        results,
    }
}
