//! The cast: who every account is before anything is written about it. Its
//! role (ordinary user, bot, creator, brand), platform, communities, declared
//! audience size, engagement level, and the planted anomalies and customers.
//! Later stages read the cast and never change it.

use crate::WorldShape;
use crate::niches::{BRAND_NICHE, NICHES};
use crate::people::COUNTRIES;
use crate::rng::{Draw, Stage, rng};
use kith_model::settings::Tiers;
use kith_model::{Platform, Settings};
use rand::Rng;
use rand::seq::SliceRandom;
use rayon::prelude::*;

/// Share of accounts that are creators (influencer-tier accounts).
pub(crate) const CREATOR_SHARE: f64 = 0.04;
/// Share of accounts that are bot (fake) accounts.
pub(crate) const BOT_SHARE: f64 = 0.06;
/// Share of creators and of ordinary users on TikTok (the rest are on Instagram).
const CREATOR_TIKTOK_SHARE: f64 = 0.12;
const ORDINARY_TIKTOK_SHARE: f64 = 0.10;
/// Share of ordinary users with a second community besides their home one.
const SECOND_INTEREST_SHARE: f64 = 0.3;

/// Creators' followers: log10 is normal with this mean and deviation,
/// truncated to [3, 8] (from `worlds/instagram-influencers`: median 4.21,
/// deviation 0.77; centred lower because that list favours micro accounts).
const CREATOR_LOG10_MEAN: f64 = 4.0;
const CREATOR_LOG10_SD: f64 = 0.8;
/// Ordinary users' followers: log-normal (instafake's real accounts: median
/// 345, p10 118, p90 725), capped below the nano tier.
const ORDINARY_FOLLOWERS_MEDIAN: f64 = 345.0;
const ORDINARY_FOLLOWERS_SIGMA: f64 = 0.58;
/// Bots' followers: log-normal (instafake's fakes: median 30, p90 301), 9% zero.
const BOT_FOLLOWERS_MEDIAN: f64 = 30.0;
const BOT_FOLLOWERS_SIGMA: f64 = 1.2;

/// What an account is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Ordinary,
    Bot,
    Creator,
    Brand,
}

/// A planted inauthentic behaviour of a creator (at most one each).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Anomaly {
    Clean,
    /// Bought this share of its declared followers from the bot pool.
    BoughtFollowers {
        share: f64,
    },
    /// Member of engagement pod number `.0`.
    Pod(u32),
    OverSponsored,
    /// Follow/unfollow automation: spikes in its following count.
    FollowChurn,
}

/// One account as cast.
#[derive(Clone, Debug)]
pub(crate) struct Persona {
    pub role: Role,
    pub platform: Platform,
    /// Home community (index into [`NICHES`]).
    pub niche: usize,
    /// A second community (equal to `niche` when there is none); creators
    /// post about it off-topic, people follow creators in it.
    pub interest: usize,
    pub country: usize,
    /// Followers it would have without bought ones.
    pub organic_followers: u64,
    /// Followers as declared on the profile (organic plus bought).
    pub followers: u64,
    /// Multiplier on the typical engagement rate for its size.
    pub er_factor: f64,
    pub anomaly: Anomaly,
    pub private: bool,
    pub customer: bool,
}

/// The whole cast.
pub(crate) struct Cast {
    pub seed: u64,
    pub now: i64,
    pub shape: WorldShape,
    pub tiers: Tiers,
    /// Days of the window over which paid-post share is measured.
    pub paid_window_days: i64,
    pub personas: Vec<Persona>,
    /// Brand accounts per niche, in `Niche::brands` order.
    pub brands: Vec<[u32; 3]>,
    /// The demo brand (first brand of the brand niche).
    pub brand: u32,
    pub pods: Vec<Vec<u32>>,
    /// Accounts that are the brand's customers (ordinary users and creators).
    pub customer_accounts: Vec<u32>,
    pub customer_influencers: Vec<u32>,
}

impl Cast {
    pub(crate) fn new(accounts: usize, seed: u64, now: i64, shape: &WorldShape) -> Cast {
        let tiers = Tiers::default();
        let roles = shuffled_roles(accounts, seed);
        let mut brand_ordinal = vec![usize::MAX; accounts];
        let mut brands = vec![[u32::MAX; 3]; NICHES.len()];
        let mut next = 0;
        for (i, role) in roles.iter().enumerate() {
            if *role == Role::Brand {
                brand_ordinal[i] = next;
                brands[next / 3][next % 3] = i as u32;
                next += 1;
            }
        }
        let personas: Vec<Persona> = (0..accounts)
            .into_par_iter()
            .map(|i| persona(seed, shape, i, roles[i], brand_ordinal[i]))
            .collect();
        let mut cast = Cast {
            seed,
            now,
            shape: shape.clone(),
            paid_window_days: i64::from(Settings::default().saturation.window_days),
            brand: brands[BRAND_NICHE][0],
            brands,
            tiers,
            personas,
            pods: Vec::new(),
            customer_accounts: Vec::new(),
            customer_influencers: Vec::new(),
        };
        plant_anomalies(&mut cast);
        choose_customers(&mut cast);
        cast
    }

    pub(crate) fn len(&self) -> usize {
        self.personas.len()
    }

    /// Whether a follower count is in the tier range the brief targets
    /// (nano and micro: from the nano bound up to the mid bound).
    pub(crate) fn in_brief_range(&self, followers: u64) -> bool {
        (self.tiers.nano..self.tiers.mid).contains(&followers)
    }
}

/// Roles in a seeded random order, so an account's index says nothing about
/// what it is.
fn shuffled_roles(accounts: usize, seed: u64) -> Vec<Role> {
    let brands = NICHES.len() * 3;
    let creators = (accounts as f64 * CREATOR_SHARE).round() as usize;
    let bots = (accounts as f64 * BOT_SHARE).round() as usize;
    let ordinary = accounts - brands - creators - bots;
    let mut roles = Vec::with_capacity(accounts);
    roles.extend(std::iter::repeat_n(Role::Brand, brands));
    roles.extend(std::iter::repeat_n(Role::Creator, creators));
    roles.extend(std::iter::repeat_n(Role::Bot, bots));
    roles.extend(std::iter::repeat_n(Role::Ordinary, ordinary));
    roles.shuffle(&mut rng(seed, Stage::Cast, 0));
    roles
}

fn pick_niche<R: Rng>(r: &mut R) -> usize {
    let weights: Vec<f64> = NICHES.iter().map(|n| n.weight).collect();
    r.weighted(&weights)
}

fn persona(seed: u64, shape: &WorldShape, i: usize, role: Role, brand_ordinal: usize) -> Persona {
    let mut r = rng(seed, Stage::Persona, i as u64);
    let country_weights: Vec<f64> = COUNTRIES.iter().map(|c| c.weight).collect();
    let country = r.weighted(&country_weights);
    let mut niche = pick_niche(&mut r);
    let mut platform = Platform::Instagram;
    let (followers, er_factor, private) = match role {
        Role::Ordinary => {
            if r.chance(ORDINARY_TIKTOK_SHARE) {
                platform = Platform::Tiktok;
            }
            let f = r
                .lognormal(ORDINARY_FOLLOWERS_MEDIAN, ORDINARY_FOLLOWERS_SIGMA)
                .clamp(12.0, 990.0);
            let er = r
                .lognormal(1.0, crate::curve::ACCOUNT_SIGMA)
                .clamp(0.3, 3.0);
            (f as u64, er, r.chance(shape.ordinary_private_share))
        }
        Role::Bot => {
            let f = if r.chance(0.09) {
                0.0
            } else {
                r.lognormal(BOT_FOLLOWERS_MEDIAN, BOT_FOLLOWERS_SIGMA)
                    .clamp(1.0, 600.0)
            };
            (f as u64, 0.0, r.chance(0.33))
        }
        Role::Creator => {
            if r.chance(CREATOR_TIKTOK_SHARE) {
                platform = Platform::Tiktok;
            }
            let log10 = loop {
                let x = CREATOR_LOG10_MEAN + CREATOR_LOG10_SD * r.std_normal();
                if (3.0..=8.0).contains(&x) {
                    break x;
                }
            };
            // Authentic creators are never "dead": the factor is clipped so
            // every one of them is engaged for its size.
            let er = r.lognormal(1.0, 0.35).clamp(0.6, 1.8);
            (10f64.powf(log10) as u64, er, false)
        }
        Role::Brand => {
            niche = brand_ordinal / 3;
            let f = if niche == BRAND_NICHE && brand_ordinal.is_multiple_of(3) {
                r.lognormal(20_000.0, 0.3)
            } else {
                10f64.powf(r.gen_range(3.5..6.0))
            };
            (f as u64, r.lognormal(0.5, 0.3), false)
        }
    };
    // Creators have a life beyond their niche too: their off-topic posts
    // are about this interest.
    let interest =
        if role == Role::Creator || (role == Role::Ordinary && r.chance(SECOND_INTEREST_SHARE)) {
            pick_niche(&mut r)
        } else {
            niche
        };
    Persona {
        role,
        platform,
        niche,
        interest,
        country,
        organic_followers: followers,
        followers,
        er_factor,
        anomaly: Anomaly::Clean,
        private,
        customer: false,
    }
}

/// Chooses the creators with planted anomalies. Each kind gets a quota in
/// the brand's own niche and tier range first, so discovery meets decoys
/// that are relevant but must be left out; the rest is spread over the world.
fn plant_anomalies(cast: &mut Cast) {
    let mut r = rng(cast.seed, Stage::Cast, 1);
    let mut instagram_creators: Vec<u32> = (0..cast.len() as u32)
        .filter(|&i| {
            let p = &cast.personas[i as usize];
            p.role == Role::Creator && p.platform == Platform::Instagram
        })
        .collect();
    instagram_creators.shuffle(&mut r);
    let n = instagram_creators.len();
    let quota = |share: f64, min: usize| ((n as f64 * share).round() as usize).max(min);

    let in_brand_niche: Vec<u32> = instagram_creators
        .iter()
        .copied()
        .filter(|&i| {
            let p = &cast.personas[i as usize];
            p.niche == BRAND_NICHE && cast.in_brief_range(p.organic_followers)
        })
        .collect();
    // Decoys in the brand's niche: two of each kind where the niche is big
    // enough to keep most of its creators clean (one per eight).
    let decoys = (in_brand_niche.len() / 8).min(2);

    // Bought followers: organic audiences from 2k up.
    let bought_ok = |p: &Persona| (2_000..2_000_000).contains(&p.organic_followers);
    let mut bought = pick_clean(cast, &in_brand_niche, decoys, bought_ok);
    mark(cast, &bought, Anomaly::BoughtFollowers { share: 0.0 });
    let rest = pick_clean(
        cast,
        &instagram_creators,
        quota(0.06, 3).saturating_sub(bought.len()),
        bought_ok,
    );
    mark(cast, &rest, Anomaly::BoughtFollowers { share: 0.0 });
    bought.extend(rest);
    for i in bought {
        let share = r.gen_range(0.3..0.6);
        let p = &mut cast.personas[i as usize];
        p.anomaly = Anomaly::BoughtFollowers { share };
        p.followers = (p.organic_followers as f64 / (1.0 - share)).round() as u64;
    }

    let any = |_: &Persona| true;
    let local = pick_clean(cast, &in_brand_niche, decoys, any);
    mark(cast, &local, Anomaly::OverSponsored);
    let rest = pick_clean(
        cast,
        &instagram_creators,
        quota(0.04, 3).saturating_sub(local.len()),
        any,
    );
    mark(cast, &rest, Anomaly::OverSponsored);

    plant_pods(
        cast,
        &instagram_creators,
        quota(1.0 / 120.0, 2),
        in_brand_niche.len() >= 16,
        &mut r,
    );

    let churners = pick_clean(cast, &instagram_creators, quota(0.015, 2), any);
    mark(cast, &churners, Anomaly::FollowChurn);
}

fn mark(cast: &mut Cast, accounts: &[u32], anomaly: Anomaly) {
    for &i in accounts {
        cast.personas[i as usize].anomaly = anomaly;
    }
}

/// Up to `count` clean candidates, in candidate order, that pass `ok`.
fn pick_clean(
    cast: &Cast,
    candidates: &[u32],
    count: usize,
    ok: impl Fn(&Persona) -> bool,
) -> Vec<u32> {
    candidates
        .iter()
        .copied()
        .filter(|&i| {
            let p = &cast.personas[i as usize];
            p.anomaly == Anomaly::Clean && ok(p)
        })
        .take(count)
        .collect()
}

/// Engagement pods: groups of 4-8 nano/micro creators of one niche. The first
/// pod is in the brand's niche when `brand_pod`.
fn plant_pods<R: Rng>(cast: &mut Cast, creators: &[u32], count: usize, brand_pod: bool, r: &mut R) {
    for pod in 0..count {
        let niche = if pod == 0 && brand_pod {
            BRAND_NICHE
        } else {
            pick_niche(r)
        };
        let size = r.gen_range(4..=8);
        let members: Vec<u32> = creators
            .iter()
            .copied()
            .filter(|&i| {
                let p = &cast.personas[i as usize];
                p.anomaly == Anomaly::Clean
                    && p.niche == niche
                    && cast.in_brief_range(p.organic_followers)
            })
            .take(size)
            .collect();
        if members.len() < 4 {
            continue;
        }
        let id = cast.pods.len() as u32;
        for &m in &members {
            let p = &mut cast.personas[m as usize];
            p.anomaly = Anomaly::Pod(id);
            // Pods exist to lift engagement: members' likes rise too.
            p.er_factor *= r.gen_range(1.6..2.4);
        }
        cast.pods.push(members);
    }
}

/// Number of the brand's customers in a world of this size.
pub(crate) fn customer_count(accounts: usize) -> usize {
    (accounts / 20).clamp(200, 5_000)
}

/// Picks which accounts are customers: about a third of the customers have
/// an account in the world, mostly ordinary Instagram users who care about
/// the brand's niche; a few are clean nano/micro creators, more than half of
/// them in the brand's niche.
fn choose_customers(cast: &mut Cast) {
    let mut r = rng(cast.seed, Stage::Cast, 2);
    let total = customer_count(cast.len());
    let matched = total / 3;
    let influencers = (total / 60).clamp(5, 40);

    let ig_ordinary = |p: &Persona| p.role == Role::Ordinary && p.platform == Platform::Instagram;
    let mut near: Vec<u32> = Vec::new();
    let mut far: Vec<u32> = Vec::new();
    for (i, p) in cast.personas.iter().enumerate() {
        if ig_ordinary(p) {
            if p.niche == BRAND_NICHE || p.interest == BRAND_NICHE {
                near.push(i as u32);
            } else {
                far.push(i as u32);
            }
        }
    }
    near.shuffle(&mut r);
    far.shuffle(&mut r);
    let from_near = (matched * 4 / 5).min(near.len());
    let from_far = (matched - from_near).min(far.len());
    let mut chosen: Vec<u32> = near[..from_near].to_vec();
    chosen.extend_from_slice(&far[..from_far]);

    let clean_creator = |p: &Persona| {
        p.role == Role::Creator
            && p.platform == Platform::Instagram
            && p.anomaly == Anomaly::Clean
            && cast.in_brief_range(p.followers)
    };
    let mut own: Vec<u32> = Vec::new();
    let mut other: Vec<u32> = Vec::new();
    for (i, p) in cast.personas.iter().enumerate() {
        if clean_creator(p) {
            if p.niche == BRAND_NICHE {
                own.push(i as u32);
            } else {
                other.push(i as u32);
            }
        }
    }
    own.shuffle(&mut r);
    other.shuffle(&mut r);
    let from_own = (influencers * 3 / 5).min(own.len());
    let from_other = (influencers - from_own).min(other.len());
    let mut creators: Vec<u32> = own[..from_own].to_vec();
    creators.extend_from_slice(&other[..from_other]);
    creators.sort_unstable();

    chosen.extend_from_slice(&creators);
    chosen.sort_unstable();
    for &i in &chosen {
        cast.personas[i as usize].customer = true;
    }
    cast.customer_accounts = chosen;
    cast.customer_influencers = creators;
}
