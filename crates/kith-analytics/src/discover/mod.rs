//! Discovery: the ranked shortlist of accounts for a brief.
//!
//! 1. Every account with a profile on the brief's platforms, in its follower
//!    range, countries and languages, and not excluded, is scanned for
//!    [relevance] (BM25 over tags, hashtags, bio and captions); every node's
//!    reach into the target audience is counted ([audience]).
//! 2. Candidates (some topic match or some audience reach) are pre-ranked by
//!    relevance and network fit; the top `discovery.vetted_candidates` get
//!    the full vetting report (engagement against peers, authenticity,
//!    saturation, red flags).
//! 3. Accounts with a red flag in `discovery.exclude_flags` are left out
//!    (unless asked to keep them) and counted by flag; the rest are ranked
//!    by the discovery score:
//!
//!    score = Σ_i w_i · term_i / Σ_i w_i, every term in [0, 1], unknown = 0.5.
//!
//! Each row carries every term, its weight and contribution, and the
//! evidence behind it.

pub mod advocates;
pub mod audience;
pub mod eval;
pub mod lookalike;
pub mod plan;
pub mod relevance;
mod terms;

pub use audience::Audience;
pub use relevance::{Relevance, tag_key};
pub use terms::Term;

use crate::world::Vetting;
use kith_model::Brief;
use kith_store::World;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// How `discover` is asked.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    pub limit: usize,
    /// Keep accounts with excluding red flags (they are marked).
    pub include_flagged: bool,
}

impl Default for DiscoverOptions {
    fn default() -> DiscoverOptions {
        DiscoverOptions {
            limit: 50,
            include_flagged: false,
        }
    }
}

/// Where the target audience came from.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    /// "brief" (seeds and seeds_file), "customers" (the workspace's
    /// customers with an account), or "topic" (no seeds: the most relevant
    /// accounts stand in).
    pub source: &'static str,
    pub resolved: usize,
    /// Seeds the world does not hold.
    pub missing: Vec<String>,
    pub audience_size: u64,
    /// L1 error bound of the personalized PageRank estimates.
    pub ppr_l1_error: f64,
}

/// One shortlisted account.
#[derive(Debug, Clone, Serialize)]
pub struct ShortlistRow {
    pub rank: usize,
    #[serde(skip)]
    pub node: u32,
    /// `platform:handle`.
    pub account: String,
    pub name: Option<String>,
    pub followers: Option<u64>,
    pub tier: Option<String>,
    pub score: f64,
    pub terms: Vec<Term>,
    /// The brief's terms found, with counts.
    pub matched: Vec<(String, u32)>,
    /// Followers in the target audience, and its share of them.
    pub audience_hits: u32,
    pub audience_talks: u32,
    pub coverage: f64,
    pub precision: f64,
    pub ppr: f64,
    /// The account is one of the seeds (a customer or the brand's own).
    pub is_seed: bool,
    /// Kinds of its red flags (kept ones only appear with --include-flagged).
    pub red_flags: Vec<String>,
    /// ER used for expectations: er_followers_median, else the peers' one.
    pub er: Option<f64>,
    /// 1 - suspicious-follower share (or 1 - own fake probability).
    pub authentic_share: Option<f64>,
    /// Estimated price of one post (quote, brief table or kith.toml).
    pub price: Option<f64>,
    /// followers × er: engagements one post can expect.
    pub expected_engagements: Option<f64>,
}

/// The shortlist and how it was made.
#[derive(Debug, Clone, Serialize)]
pub struct Shortlist {
    pub brief: Option<String>,
    pub as_of: String,
    pub weights: BTreeMap<&'static str, f64>,
    pub seeds: SeedReport,
    /// Accounts scanned for relevance (after platform, size, place and
    /// exclusion filters).
    pub scanned: usize,
    /// Of those, with a topic match or audience reach.
    pub candidates: usize,
    /// Given the full vetting report.
    pub vetted: usize,
    /// Accounts left out, by reason.
    pub left_out: BTreeMap<String, u64>,
    pub rows: Vec<ShortlistRow>,
    /// The target audience the rows were measured against (the planner's).
    #[serde(skip)]
    pub audience: Audience,
}

/// Seeds of a brief resolved against the world.
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    pub nodes: Vec<u32>,
    pub missing: Vec<String>,
    pub source: &'static str,
}

impl Seeds {
    /// `specs` (`platform:handle`) as nodes; with none, the workspace's
    /// customers that have an account in the world. The brief's `brand`
    /// accounts are always seeds.
    pub fn resolve(world: &World, brief: &Brief, specs: &[String]) -> Seeds {
        let mut seeds = Seeds::resolve_specs(world, specs);
        for b in &brief.brand {
            match world.resolve(b) {
                Ok(v) => seeds.nodes.push(v),
                Err(_) => seeds.missing.push(b.clone()),
            }
        }
        seeds
    }

    fn resolve_specs(world: &World, specs: &[String]) -> Seeds {
        if specs.is_empty() {
            let c = world.customers();
            let nodes: Vec<u32> = (0..c.len()).filter_map(|i| c.node(i)).collect();
            return Seeds {
                nodes,
                missing: Vec::new(),
                source: "customers",
            };
        }
        let mut nodes = Vec::new();
        let mut missing = Vec::new();
        for s in specs {
            match world.resolve(s) {
                Ok(v) => nodes.push(v),
                Err(_) => missing.push(s.clone()),
            }
        }
        Seeds {
            nodes,
            missing,
            source: "brief",
        }
    }
}

/// Why an account is not scanned, or `None` when it is.
fn filter_reason(world: &World, brief: &Brief, excluded: &[u32], id: u32) -> Option<&'static str> {
    let a = world.accounts();
    if !brief.platforms.is_empty() && !brief.platforms.contains(&world.platform(id)) {
        return Some("on another platform");
    }
    if !brief.in_follower_range(a.followers(id)) {
        return Some("outside the follower range");
    }
    if !brief.countries.is_empty()
        && let Some(c) = a.country(id)
        && !brief.countries.iter().any(|b| b.eq_ignore_ascii_case(c))
    {
        return Some("in another country");
    }
    if !brief.languages.is_empty()
        && let Some(l) = a.language(id)
        && !brief.languages.iter().any(|b| b.eq_ignore_ascii_case(l))
    {
        return Some("in another language");
    }
    if excluded.binary_search(&id).is_ok() {
        return Some("excluded by the brief");
    }
    None
}

/// Builds the shortlist. `seeds` come from [`Seeds::resolve`] (plus any
/// seeds file the caller read).
pub fn discover(
    vetting: &Vetting,
    brief: &Brief,
    seeds: &Seeds,
    opts: &DiscoverOptions,
) -> Shortlist {
    let world = vetting.world;
    let settings = vetting.settings;
    let d = &settings.discovery;
    let weights = brief.weights(settings);
    let mut excluded: Vec<u32> = brief
        .exclude
        .iter()
        .filter_map(|s| world.resolve(s).ok())
        .collect();
    excluded.sort_unstable();
    let mut own: Vec<u32> = brief
        .brand
        .iter()
        .filter_map(|s| world.resolve(s).ok())
        .collect();
    own.sort_unstable();

    let mut left_out: BTreeMap<String, u64> = BTreeMap::new();
    let n = world.num_nodes() as u32;
    let reasons: Vec<Option<&'static str>> = (0..n)
        .into_par_iter()
        .map(|id| {
            if !world.has_profile(id) {
                Some("")
            } else if own.binary_search(&id).is_ok() {
                Some("the brand's own account")
            } else {
                filter_reason(world, brief, &excluded, id)
            }
        })
        .collect();
    let mut scanned: Vec<u32> = Vec::new();
    for (id, r) in reasons.iter().enumerate() {
        match r {
            None => scanned.push(id as u32),
            Some("") => {}
            Some(reason) => *left_out.entry(reason.to_string()).or_default() += 1,
        }
    }
    let rel = relevance::relevance(world, &scanned, brief, d);
    let max_rel = rel.max_raw();

    // The target audience: the seeds', else the most relevant accounts'.
    let (seed_nodes, source) = if seeds.nodes.is_empty() {
        let mut by_rel: Vec<usize> = (0..scanned.len()).filter(|&i| rel.raw[i] > 0.0).collect();
        by_rel.sort_by(|&a, &b| rel.raw[b].total_cmp(&rel.raw[a]).then(a.cmp(&b)));
        by_rel.truncate(d.topic_seeds);
        (
            by_rel.iter().map(|&i| scanned[i]).collect::<Vec<u32>>(),
            "topic",
        )
    } else {
        (seeds.nodes.clone(), seeds.source)
    };
    let audience = Audience::build(world, &seed_nodes);

    // Candidates and the pre-rank.
    let cand: Vec<usize> = (0..scanned.len())
        .filter(|&i| rel.raw[i] > 0.0 || audience.hits[scanned[i] as usize] > 0)
        .collect();
    let max_of = |f: &dyn Fn(u32) -> f64| cand.iter().map(|&i| f(scanned[i])).fold(0.0, f64::max);
    let max_cov = max_of(&|v| audience.coverage(v));
    let max_prec = max_of(&|v| audience.precision(world, v));
    let max_ppr = max_of(&|v| audience.ppr[v as usize]);
    let ratio = |x: f64, max: f64| if max > 0.0 { x / max } else { 0.0 };
    let network_fit = |v: u32| {
        (ratio(audience.coverage(v), max_cov)
            + ratio(audience.precision(world, v), max_prec)
            + ratio(audience.ppr[v as usize], max_ppr))
            / 3.0
    };
    let relevance_term = |i: usize| ratio(rel.raw[i], max_rel);
    let pre_w = weights.relevance + weights.network_fit;
    let mut pre: Vec<(usize, f64)> = cand
        .iter()
        .map(|&i| {
            let s = if pre_w > 0.0 {
                (weights.relevance * relevance_term(i)
                    + weights.network_fit * network_fit(scanned[i]))
                    / pre_w
            } else {
                relevance_term(i)
            };
            (i, s)
        })
        .collect();
    pre.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let not_candidates = (scanned.len() - cand.len()) as u64;
    if not_candidates > 0 {
        left_out.insert(
            "no topic match and no audience reach".into(),
            not_candidates,
        );
    }
    let vetted_count = pre.len().min(d.vetted_candidates.max(opts.limit));
    let below = (pre.len() - vetted_count) as u64;
    if below > 0 {
        left_out.insert(
            format!("ranked below the {vetted_count} vetted (discovery.vetted_candidates)"),
            below,
        );
    }
    pre.truncate(vetted_count);

    let mut seed_set = seeds.nodes.clone();
    seed_set.sort_unstable();
    let mut rows: Vec<ShortlistRow> = pre
        .par_iter()
        .map(|&(i, _)| {
            let v = scanned[i];
            let report = vetting.report(v);
            let mut row = terms::row(vetting, brief, &weights, &report, v);
            row.terms[0] = Term::new("relevance", Some(relevance_term(i)), weights.relevance, terms::relevance_detail(&rel, i));
            row.terms[1] = Term::new(
                "network_fit",
                Some(network_fit(v)),
                weights.network_fit,
                format!(
                    "{} of the {} target-audience members follow it ({:.2}% coverage, {:.1}% of its followers seen); PPR {:.2e}",
                    audience.hits[v as usize],
                    audience.size,
                    100.0 * audience.coverage(v),
                    100.0 * audience.precision(world, v),
                    audience.ppr[v as usize]
                ),
            );
            row.matched = rel.matched_terms(i);
            row.audience_hits = audience.hits[v as usize];
            row.audience_talks = audience.talks[v as usize];
            row.coverage = audience.coverage(v);
            row.precision = audience.precision(world, v);
            row.ppr = audience.ppr[v as usize];
            row.is_seed = seed_set.binary_search(&v).is_ok();
            terms::finish(&mut row);
            row
        })
        .collect();
    let vetted = rows.len();
    if !opts.include_flagged {
        rows.retain(
            |r| match r.red_flags.iter().find(|k| d.exclude_flags.contains(k)) {
                Some(kind) => {
                    *left_out.entry(format!("red flag: {kind}")).or_default() += 1;
                    false
                }
                None => true,
            },
        );
    }
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.account.cmp(&b.account)));
    rows.truncate(opts.limit);
    for (k, r) in rows.iter_mut().enumerate() {
        r.rank = k + 1;
    }
    Shortlist {
        brief: brief.name.clone(),
        as_of: kith_model::time::format_time(vetting.as_of),
        weights: weights.terms().into_iter().collect(),
        seeds: SeedReport {
            source,
            resolved: seed_nodes.len(),
            missing: seeds.missing.clone(),
            audience_size: audience.size,
            ppr_l1_error: audience.ppr_l1_error,
        },
        scanned: scanned.len(),
        candidates: cand.len(),
        vetted,
        left_out,
        rows,
        audience,
    }
}
