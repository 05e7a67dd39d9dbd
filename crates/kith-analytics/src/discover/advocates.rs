//! Customer advocates: the brand's customers who have an account in the
//! world, ranked by their own reach into the brief's target audience and by
//! what their referral links and codes already brought.
//!
//! For an advocate a, with hits(a) its followers in the target audience T
//! (see [audience](super::audience)) and sales(a) the sales bound to its
//! partner records in the operations database (not refunded in full, every
//! program summed):
//!
//! - reach term = ln(1 + hits(a)) / ln(1 + max hits);
//! - referral term = ln(1 + sales(a)) / ln(1 + max sales), 0 when no
//!   advocate has a sale yet;
//! - score = (w_reach · reach + w_referral · referral) / (w_reach + w_referral),
//!   the weights `discovery.advocate_reach_weight` and
//!   `discovery.advocate_referral_weight`, maxima over the advocates listed.
//!
//! The logarithm keeps one advocate with a huge audience or a run of sales
//! from flattening everyone else to zero. Advocates with a red flag in
//! `discovery.exclude_flags`, or with a referral commission rejected as
//! fraud, are left out (counted by reason) unless asked to keep them.
//!
//! Cost: one vetting report per customer with an account, in parallel, and
//! O(partners) to match the referral history.

use super::audience::Audience;
use crate::world::Vetting;
use kith_model::{Brief, Platform, ReferralHistory};
use kith_store::World;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// The red flag of an advocate with a referral commission rejected as fraud.
pub const REFERRAL_FRAUD: &str = "referral_fraud";

/// One partner record of the operations database, as the matching needs it.
#[derive(Debug, Clone, Copy)]
pub struct PartnerRecord<'a> {
    pub platform: Option<&'a str>,
    pub handle: Option<&'a str>,
    /// The brand's own customer id of the partner.
    pub customer_ref: Option<&'a str>,
    pub history: &'a ReferralHistory,
}

/// Referral history per account node.
#[derive(Debug, Clone, Default)]
pub struct Referrals {
    pub by_node: FxHashMap<u32, ReferralHistory>,
    /// Partner records matched to an account.
    pub matched: usize,
    /// Partner records matched to no account (no handle, or one the world
    /// does not hold).
    pub unmatched: usize,
}

impl Referrals {
    /// Matches partner records to accounts: by platform and handle, else by
    /// the customer id through the workspace's customers file. Records of
    /// one account (one per program) are summed.
    pub fn match_records<'a>(
        world: &World,
        records: impl IntoIterator<Item = PartnerRecord<'a>>,
    ) -> Referrals {
        let customers = world.customers();
        let mut by_customer_id: Option<FxHashMap<&str, u32>> = None;
        let mut out = Referrals::default();
        for r in records {
            let by_handle = match (r.platform, r.handle) {
                (Some(p), Some(h)) => p.parse::<Platform>().ok().and_then(|p| world.lookup(p, h)),
                _ => None,
            };
            let node = by_handle.or_else(|| {
                let id = r.customer_ref?;
                by_customer_id
                    .get_or_insert_with(|| {
                        (0..customers.len())
                            .filter_map(|i| Some((customers.customer_id(i), customers.node(i)?)))
                            .collect()
                    })
                    .get(id)
                    .copied()
            });
            match node {
                Some(v) => {
                    out.matched += 1;
                    out.by_node.entry(v).or_default().merge(r.history);
                }
                None => out.unmatched += 1,
            }
        }
        out
    }
}

/// One ranked advocate.
#[derive(Debug, Clone, Serialize)]
pub struct Advocate {
    pub rank: usize,
    #[serde(skip)]
    pub node: u32,
    /// `platform:handle`.
    pub account: String,
    /// The brand's customer id(s) of this account.
    pub customer_ids: Vec<String>,
    pub followers: u64,
    pub tier: Option<String>,
    /// Followers in the target audience.
    pub target_reach: u64,
    /// Median ER by followers, or the peers' expected ER when the account
    /// has too few posts.
    pub er: Option<f64>,
    /// Share of the audience taken as real: 1 − suspicious-follower share
    /// (when 10 or more followers are seen), else 1 − the fake probability.
    pub authentic_share: f64,
    /// target_reach × ER × authentic share.
    pub expected_target_engagements: Option<f64>,
    /// What the advocate's referral links and codes brought; absent when it
    /// is no partner yet.
    pub referrals: Option<ReferralHistory>,
    pub reach_term: f64,
    pub referral_term: f64,
    pub score: f64,
    /// Red flags (kinds) that would exclude it; only listed with
    /// `include_flagged`.
    pub red_flags: Vec<String>,
}

/// The ranked advocates and how they were found.
#[derive(Debug, Clone, Serialize)]
pub struct AdvocateRanking {
    /// Customers in the workspace's customers file.
    pub customers: usize,
    /// Distinct accounts among them on the brief's platforms.
    pub with_account: usize,
    /// Advocates with any referral history.
    pub with_history: usize,
    /// Partner records of the operations database matched to no account.
    pub unmatched_partners: usize,
    /// Left out, by reason (red flag kind).
    pub excluded: BTreeMap<String, usize>,
    pub reach_weight: f64,
    pub referral_weight: f64,
    /// All of them, best first (the caller shows as many as it wants).
    pub rows: Vec<Advocate>,
}

/// Ranks the customers with an account on the brief's platforms.
pub fn rank_advocates(
    vetting: &Vetting,
    brief: &Brief,
    audience: &Audience,
    referrals: &Referrals,
    include_flagged: bool,
) -> AdvocateRanking {
    let world = vetting.world;
    let settings = vetting.settings;
    let customers = world.customers();
    let mut ids_of: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for i in 0..customers.len() {
        if let Some(v) = customers.node(i)
            && world.has_profile(v)
            && (brief.platforms.is_empty() || brief.platforms.contains(&world.platform(v)))
        {
            ids_of
                .entry(v)
                .or_default()
                .push(customers.customer_id(i).to_string());
        }
    }
    let nodes: Vec<(u32, Vec<String>)> = ids_of.into_iter().collect();
    let with_account = nodes.len();
    let mut rows: Vec<Advocate> = nodes
        .into_par_iter()
        .map(|(v, customer_ids)| {
            let r = vetting.report(v);
            let mut red_flags: Vec<String> = r
                .red_flags
                .iter()
                .filter(|f| settings.discovery.exclude_flags.contains(&f.kind))
                .map(|f| f.kind.clone())
                .collect();
            red_flags.dedup();
            let history = referrals.by_node.get(&v).cloned();
            if history.as_ref().is_some_and(|h| h.commissions_rejected > 0) {
                red_flags.push(REFERRAL_FRAUD.to_string());
            }
            let followers = r
                .account
                .followers
                .unwrap_or_else(|| world.follows_in().degree(v) as u64);
            let er = r
                .engagement
                .er_followers_median
                .value
                .or(r.engagement.expected_er)
                .map(|e| e.min(1.0));
            let authentic_share = match r.authenticity.suspicious_followers.share.value {
                Some(s) if r.authenticity.suspicious_followers.followers_seen >= 10 => 1.0 - s,
                _ => 1.0 - r.authenticity.fake_probability.unwrap_or(0.5),
            };
            let target_reach = u64::from(audience.hits[v as usize]);
            Advocate {
                rank: 0,
                node: v,
                account: vetting.name_of(v),
                customer_ids,
                followers,
                tier: r.account.tier.clone(),
                target_reach,
                er,
                authentic_share,
                expected_target_engagements: er.map(|e| target_reach as f64 * e * authentic_share),
                referrals: history,
                reach_term: 0.0,
                referral_term: 0.0,
                score: 0.0,
                red_flags,
            }
        })
        .collect();
    let mut excluded: BTreeMap<String, usize> = BTreeMap::new();
    if !include_flagged {
        rows.retain(|a| {
            for f in &a.red_flags {
                *excluded.entry(f.clone()).or_default() += 1;
            }
            a.red_flags.is_empty()
        });
    }
    let sales = |a: &Advocate| a.referrals.as_ref().map_or(0, |h| h.sales);
    let max_reach = rows.iter().map(|a| a.target_reach).max().unwrap_or(0);
    let max_sales = rows.iter().map(sales).max().unwrap_or(0);
    let (w_reach, w_ref) = (
        settings.discovery.advocate_reach_weight,
        settings.discovery.advocate_referral_weight,
    );
    let scaled = |x: u64, max: u64| {
        if max == 0 {
            0.0
        } else {
            (x as f64).ln_1p() / (max as f64).ln_1p()
        }
    };
    for a in &mut rows {
        a.reach_term = scaled(a.target_reach, max_reach);
        a.referral_term = scaled(sales(a), max_sales);
        a.score = (w_reach * a.reach_term + w_ref * a.referral_term) / (w_reach + w_ref);
    }
    rows.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.target_reach.cmp(&a.target_reach))
            .then(a.node.cmp(&b.node))
    });
    for (i, a) in rows.iter_mut().enumerate() {
        a.rank = i + 1;
    }
    AdvocateRanking {
        customers: customers.len(),
        with_account,
        with_history: rows
            .iter()
            .filter(|a| a.referrals.as_ref().is_some_and(|h| !h.is_empty()))
            .count(),
        unmatched_partners: referrals.unmatched,
        excluded,
        reach_weight: w_reach,
        referral_weight: w_ref,
        rows,
    }
}
