//! The discovery score's terms, each in [0, 1]:
//!
//! - relevance: relevance_raw / max over candidates (see [`super::relevance`]);
//! - network_fit: see [`super::audience`];
//! - engagement: x / (1 + x) with x the ER index (1 = the peers' median ER
//!   gives 0.5; 3 gives 0.75);
//! - authenticity: 1 - suspicious-follower share when at least 10
//!   followers were seen, else 1 - the account's own fake probability;
//! - saturation: 1 - sponsored share in the saturation window;
//! - tier_fit: 1 at the middle of the brief's follower range on a log
//!   scale, falling to 0.5 at its bounds (no range: 1).
//!
//! An unknown term counts 0.5 and says so.

use super::ShortlistRow;
use super::relevance::Relevance;
use crate::world::{AccountReport, Vetting};
use kith_model::Brief;
use kith_model::settings::Weights;
use serde::Serialize;

/// Followers seen below which the account's own fake probability stands in
/// for its audience's.
const MIN_FOLLOWERS_SEEN: u64 = 10;

/// One term of the score.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub name: &'static str,
    /// `None`: unknown (counted as 0.5).
    pub value: Option<f64>,
    pub weight: f64,
    /// weight × value / Σ weights: what it adds to the score.
    pub contribution: f64,
    /// The evidence in words.
    pub detail: String,
}

impl Term {
    pub fn new(name: &'static str, value: Option<f64>, weight: f64, detail: String) -> Term {
        Term {
            name,
            value: value.map(|v| v.clamp(0.0, 1.0)),
            weight,
            contribution: 0.0,
            detail,
        }
    }

    fn used(&self) -> f64 {
        self.value.unwrap_or(0.5)
    }
}

pub(super) fn relevance_detail(rel: &Relevance, i: usize) -> String {
    let m = rel.matched_terms(i);
    if m.is_empty() {
        "none of the brief's hashtags or keywords".into()
    } else {
        m.iter()
            .map(|(t, c)| format!("{t} ×{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A row with every term but relevance and network fit (the caller sets
/// those, terms 0 and 1).
pub(super) fn row(
    vetting: &Vetting,
    brief: &Brief,
    w: &Weights,
    r: &AccountReport,
    v: u32,
) -> ShortlistRow {
    let settings = vetting.settings;
    let world = vetting.world;
    let account = vetting.name_of(v);
    let e = &r.engagement;
    let er_index = e.er_index.value;
    let engagement = Term::new(
        "engagement",
        er_index.map(|x| x / (1.0 + x)),
        w.engagement,
        match (er_index, e.er_followers_median.value, e.expected_er) {
            (Some(x), Some(er), Some(exp)) => format!(
                "ER {:.2}% over {} posts vs {:.2}% for peers of its size (index {x:.2})",
                100.0 * er,
                e.er_followers_median.sample_size,
                100.0 * exp
            ),
            _ => format!(
                "unknown: {}",
                e.er_index
                    .note
                    .clone()
                    .unwrap_or_else(|| "no ER index".into())
            ),
        },
    );
    let a = &r.authenticity;
    let sf = &a.suspicious_followers;
    let (auth_value, auth_detail) = match (sf.share.value, a.fake_probability) {
        (Some(share), _) if sf.followers_seen >= MIN_FOLLOWERS_SEEN => (
            Some(1.0 - share),
            format!(
                "{:.1}% suspicious of {} followers seen",
                100.0 * share,
                sf.followers_seen
            ),
        ),
        (_, Some(p)) => (
            Some(1.0 - p),
            format!(
                "own fake probability {:.2} (only {} followers seen)",
                p, sf.followers_seen
            ),
        ),
        _ => (None, "unknown: no followers or profile to judge".into()),
    };
    let authenticity = Term::new("authenticity", auth_value, w.authenticity, auth_detail);
    let s = &r.saturation;
    let saturation = Term::new(
        "saturation",
        s.sponsored_share.value.map(|x| 1.0 - x),
        w.saturation,
        match s.sponsored_share.value {
            Some(x) => format!(
                "{:.0}% sponsored of {} posts in the last {} days, {} brands",
                100.0 * x,
                s.sponsored_share.sample_size,
                settings.saturation.window_days,
                s.brands.len()
            ),
            None => "unknown: no posts in the window".into(),
        },
    );
    let followers = r.account.followers;
    let tier_fit = Term::new(
        "tier_fit",
        match (brief.followers, followers) {
            (None, _) => Some(1.0),
            (Some((lo, hi)), Some(f)) => {
                let (l, h) = ((lo.max(1) as f64).ln(), (hi.min(u64::MAX / 2) as f64).ln());
                let mid = (l + h) / 2.0;
                let half = ((h - l) / 2.0).max(1e-9);
                Some(1.0 - 0.5 * ((f.max(1) as f64).ln() - mid).abs() / half)
            }
            (Some(_), None) => None,
        },
        w.tier_fit,
        match (brief.followers, followers) {
            (None, _) => "the brief sets no follower range".into(),
            (Some((lo, hi)), Some(f)) => format!("{f} followers, range {lo}-{hi}"),
            (Some(_), None) => "unknown follower count".into(),
        },
    );
    let er = e.er_followers_median.value.or(e.expected_er);
    let price = followers.and_then(|f| {
        let tier = settings.tiers.tier_of(f);
        brief.price(settings, &account, world.platform(v).as_str(), tier)
    });
    ShortlistRow {
        rank: 0,
        node: v,
        account,
        name: r.account.name.clone(),
        followers,
        tier: r.account.tier.clone(),
        score: 0.0,
        terms: vec![
            Term::new("relevance", None, w.relevance, String::new()),
            Term::new("network_fit", None, w.network_fit, String::new()),
            engagement,
            authenticity,
            saturation,
            tier_fit,
        ],
        matched: Vec::new(),
        audience_hits: 0,
        audience_talks: 0,
        coverage: 0.0,
        precision: 0.0,
        ppr: 0.0,
        is_seed: false,
        red_flags: {
            let mut k: Vec<String> = r.red_flags.iter().map(|f| f.kind.clone()).collect();
            k.sort();
            k.dedup();
            k
        },
        er,
        authentic_share: auth_value,
        price,
        expected_engagements: match (followers, er) {
            (Some(f), Some(er)) => Some(f as f64 * er),
            _ => None,
        },
    }
}

/// Contributions and the score.
pub(super) fn finish(row: &mut ShortlistRow) {
    let total: f64 = row.terms.iter().map(|t| t.weight).sum();
    let total = if total > 0.0 { total } else { 1.0 };
    for t in &mut row.terms {
        t.contribution = t.weight * t.used() / total;
    }
    row.score = row.terms.iter().map(|t| t.contribution).sum();
}
