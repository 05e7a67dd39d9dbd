//! Lookalikes: accounts like a given one, by shared audience, topics and
//! size.
//!
//! For the account A with followers F(A) in the world and a candidate B:
//!
//! - audience: Jaccard J = |F(A) ∩ F(B)| / |F(A) ∪ F(B)|, counted exactly by
//!   walking the follows of A's followers (cost O(Σ_{f ∈ F(A)} out-degree(f)));
//!   above `overlap.exact_max_audience` followers, a systematic sample of
//!   F(A) is walked and the counts scaled (the output says so);
//! - topics: cosine similarity of the two accounts' tag counts (profile tags
//!   and post hashtags, keys as in relevance);
//! - size: 1 - min(1, |log10(followers A / followers B)|), 0.5 if unknown.
//!
//! score = w_a · J / max J + w_t · topics + w_s · size, with the weights of
//! kith.toml [discovery] (lookalike_*).

use super::relevance::tag_key;
use kith_model::Settings;
use kith_store::World;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Candidates given the topic and size comparison (the rest share too
/// little audience to matter).
const COMPARED: usize = 2000;

#[derive(Debug, Clone, Serialize)]
pub struct LookalikeRow {
    pub rank: usize,
    pub account: String,
    pub followers: Option<u64>,
    pub tier: Option<String>,
    pub score: f64,
    pub shared_followers: f64,
    pub jaccard: f64,
    pub topic_similarity: f64,
    pub size_similarity: f64,
    /// Tags both use, most used first.
    pub shared_tags: Vec<String>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lookalikes {
    pub account: String,
    pub followers_in_world: usize,
    /// Followers walked (all of them unless sampled).
    pub followers_walked: usize,
    pub rows: Vec<LookalikeRow>,
}

fn tag_counts(world: &World, v: u32) -> FxHashMap<String, f64> {
    let mut m: FxHashMap<String, f64> = FxHashMap::default();
    for t in world.accounts().tags(v) {
        *m.entry(tag_key(t)).or_default() += 1.0;
    }
    let posts = world.posts();
    for r in world.posts_of(v) {
        for h in posts.hashtags(r) {
            *m.entry(tag_key(h)).or_default() += 1.0;
        }
    }
    m.remove("");
    m
}

fn cosine(a: &FxHashMap<String, f64>, b: &FxHashMap<String, f64>) -> f64 {
    let dot: f64 = a.iter().filter_map(|(k, x)| b.get(k).map(|y| x * y)).sum();
    let na: f64 = a.values().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.values().map(|x| x * x).sum::<f64>().sqrt();
    if na > 0.0 && nb > 0.0 {
        dot / (na * nb)
    } else {
        0.0
    }
}

/// Accounts like `target`, best first.
pub fn lookalike(world: &World, settings: &Settings, target: u32, limit: usize) -> Lookalikes {
    let d = &settings.discovery;
    let followers = world.follows_in().neighbors(target);
    let cap = settings.overlap.exact_max_audience.max(1) as usize;
    let step = followers.len().div_ceil(cap).max(1);
    let walked: Vec<u32> = followers.iter().step_by(step).copied().collect();
    let scale = followers.len() as f64 / walked.len().max(1) as f64;
    let out = world.follows_out();
    let shared: FxHashMap<u32, u32> = walked
        .par_chunks(1024)
        .fold(FxHashMap::default, |mut m: FxHashMap<u32, u32>, chunk| {
            for &f in chunk {
                for &b in out.neighbors(f) {
                    if b != target {
                        *m.entry(b).or_default() += 1;
                    }
                }
            }
            m
        })
        .reduce(FxHashMap::default, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        });
    let fa = followers.len() as f64;
    let mut cands: Vec<(u32, f64, f64)> = shared
        .into_iter()
        .filter(|&(b, _)| world.has_profile(b))
        .map(|(b, c)| {
            let inter = c as f64 * scale;
            let fb = world.follows_in().degree(b) as f64;
            let union = (fa + fb - inter).max(inter).max(1.0);
            (b, inter, inter / union)
        })
        .collect();
    cands.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    cands.truncate(COMPARED);
    let max_j = cands.first().map_or(0.0, |c| c.2).max(1e-12);
    let target_tags = tag_counts(world, target);
    let accounts = world.accounts();
    let target_followers = accounts.followers(target);
    let tiers = &settings.tiers;
    let mut rows: Vec<LookalikeRow> = cands
        .par_iter()
        .map(|&(b, inter, j)| {
            let tags = tag_counts(world, b);
            let topic = cosine(&target_tags, &tags);
            let mut both: Vec<(&String, f64)> = tags
                .iter()
                .filter_map(|(k, x)| target_tags.get(k).map(|y| (k, x.min(*y))))
                .collect();
            both.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let fb = accounts.followers(b);
            let size = match (target_followers, fb) {
                (Some(x), Some(y)) if x > 0 && y > 0 => {
                    1.0 - ((x as f64 / y as f64).log10().abs()).min(1.0)
                }
                _ => 0.5,
            };
            let score = d.lookalike_audience_weight * j / max_j
                + d.lookalike_topic_weight * topic
                + d.lookalike_size_weight * size;
            let shared_tags: Vec<String> =
                both.iter().take(5).map(|(k, _)| format!("#{k}")).collect();
            LookalikeRow {
                rank: 0,
                account: format!("{}:{}", world.platform(b), world.handle(b)),
                followers: fb,
                tier: fb.map(|f| tiers.tier_of(f).as_str().to_string()),
                score,
                shared_followers: inter,
                jaccard: j,
                topic_similarity: topic,
                size_similarity: size,
                why: format!(
                    "{:.0} shared followers (Jaccard {:.3}); topics {:.2}{}; size {:.2}",
                    inter,
                    j,
                    topic,
                    if shared_tags.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", shared_tags.join(" "))
                    },
                    size
                ),
                shared_tags,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.account.cmp(&b.account)));
    rows.truncate(limit);
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    Lookalikes {
        account: format!("{}:{}", world.platform(target), world.handle(target)),
        followers_in_world: followers.len(),
        followers_walked: walked.len(),
        rows,
    }
}
