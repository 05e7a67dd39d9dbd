//! A deterministic synthetic world for kith, with planted truths.
//!
//! [`generate`] builds a social world shaped like the real data kith is meant
//! for: heavy-tailed follower counts; a follow graph of communities (trail
//! running, skincare, gaming, cooking, ...) each with its own hashtags;
//! posts whose engagement rate falls with audience size like the measured
//! Instagram curve (and stays flat on TikTok); conversation between
//! accounts; daily follower history; and a brand with its customers and its
//! brief. Into that world it plants what kith's analytics must find: bot
//! followers bought by some creators (with spikes in their follower
//! history), follow/unfollow automation, engagement pods, over-sponsored
//! creators, and the authentic micro-influencers of the brand's niche that a
//! shortlist should hold. [`PlantedTruth`] lists them all.
//!
//! The same [`DemoOptions`] always give the same world: every random choice
//! is drawn from a stream seeded by (seed, stage, item), so neither the clock
//! nor thread scheduling changes the output. `docs/demo.md` documents every
//! parameter, the data it was calibrated on, and how to check each truth.

mod captions;
mod cast;
mod curve;
mod customers;
mod follows;
mod history;
mod interactions;
mod niches;
mod people;
mod posts;
mod profiles;
mod rng;
mod truth;

pub use truth::{BoughtFollowersTruth, CommunityTruth, PlantedTruth, SpikeTruth, WorldCounts};

use cast::{Anomaly, Cast, Role};
use kith_model::{Account, Customer, HistoryPoint, Interaction, Post};
use niches::{BRAND_NICHE, NICHES};

/// The smallest world [`generate`] makes: below it the brand's niche holds
/// too few creators for the planted truths to mean anything.
pub const MIN_ACCOUNTS: usize = 1_000;

/// 2026-06-01T00:00:00Z, the default reference time.
pub const DEFAULT_NOW: i64 = 1_780_272_000;

/// What world to make.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Number of accounts, every kind included (at least [`MIN_ACCOUNTS`]).
    pub accounts: usize,
    pub seed: u64,
    /// The world's "now" (Unix seconds): posts, history and ages are relative
    /// to it, so the output does not depend on the clock.
    pub now: i64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            accounts: 20_000,
            seed: 42,
            now: DEFAULT_NOW,
        }
    }
}

/// A generated world. Accounts are referred to by index into `accounts` in
/// `follows`, and by handle everywhere else.
pub struct DemoWorld {
    /// Every account: ordinary users, bots, creators, brands. Handles are
    /// unique. `followers` and `following` are the declared profile counts,
    /// never below the in-graph counts (the graph holds a sample of large
    /// audiences; see docs/demo.md).
    pub accounts: Vec<Account>,
    /// (follower index, followed index), sorted, no duplicates, no self-follows.
    pub follows: Vec<(u32, u32)>,
    /// Posts grouped by author, oldest first; `handle` is the author's.
    pub posts: Vec<Post>,
    /// Mentions (one per @mention in a caption), then comments and replies
    /// grouped by the post author.
    pub interactions: Vec<Interaction>,
    /// Daily follower and following counts of creators and brands with at
    /// least nano-tier followers, the last 90 days up to the day before `now`.
    pub history: Vec<HistoryPoint>,
    /// The brand's customers.
    pub customers: Vec<Customer>,
    /// The brand's brief, TOML in DESIGN's brief format.
    pub brief_toml: String,
    pub truth: PlantedTruth,
}

/// Generates the world for `opts`. Deterministic for (accounts, seed, now).
///
/// # Panics
/// If `opts.accounts` is below [`MIN_ACCOUNTS`] or above `u32::MAX`.
pub fn generate(opts: &DemoOptions) -> DemoWorld {
    assert!(
        (MIN_ACCOUNTS..=u32::MAX as usize).contains(&opts.accounts),
        "a demo world needs between {MIN_ACCOUNTS} and {} accounts, got {}",
        u32::MAX,
        opts.accounts
    );
    let cast = Cast::new(opts.accounts, opts.seed, opts.now);
    let mut accounts = profiles::build(&cast);
    let graph = follows::build(&cast);
    // Declared counts are never below what the world shows.
    for (i, a) in accounts.iter_mut().enumerate() {
        a.followers = a.followers.map(|f| f.max(graph.in_degree(i) as u64));
        a.following = a.following.map(|f| f.max(graph.out_degree(i) as u64));
    }
    let posts = posts::build(&cast, &accounts, &graph);
    for (i, a) in accounts.iter_mut().enumerate() {
        let shown = (posts.offsets[i + 1] - posts.offsets[i]) as u64;
        a.posts = a.posts.map(|n| n.max(shown));
    }
    let conversation = interactions::build(&cast, &accounts, &graph, &posts);
    let history = history::build(&cast, &accounts);
    let customers = customers::build(&cast, &accounts);
    let brief_toml = customers::brief(&cast, &accounts, &customers);

    let posts::Posts {
        posts, mentions, ..
    } = posts;
    let mut interactions = mentions;
    interactions.extend(conversation);

    let counts = WorldCounts {
        accounts: accounts.len(),
        follows: graph.edges.len(),
        posts: posts.len(),
        interactions: interactions.len(),
        history: history.points.len(),
        customers: customers.len(),
    };
    let truth = plant_truth(
        &cast,
        &accounts,
        &graph,
        history.follower_spikes,
        history.following_spikes,
        counts,
    );
    let follows = graph.edges;
    DemoWorld {
        accounts,
        follows,
        posts,
        interactions,
        history: history.points,
        customers,
        brief_toml,
        truth,
    }
}

fn plant_truth(
    cast: &Cast,
    accounts: &[Account],
    graph: &follows::FollowGraph,
    follower_spikes: Vec<SpikeTruth>,
    following_spikes: Vec<SpikeTruth>,
    counts: WorldCounts,
) -> PlantedTruth {
    let id = |i: usize| format!("{}:{}", accounts[i].platform, accounts[i].handle);
    let ids_where = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        (0..cast.len()).filter(|&i| keep(i)).map(id).collect()
    };
    let persona = |i: usize| &cast.personas[i];
    let bought_followers = (0..cast.len())
        .filter_map(|i| match persona(i).anomaly {
            Anomaly::BoughtFollowers { share } => {
                let followers = graph.followers_of(i);
                let fakes = followers
                    .iter()
                    .filter(|&&f| persona(f as usize).role == Role::Bot)
                    .count();
                Some(BoughtFollowersTruth {
                    account: id(i),
                    fake_share: (share * 1000.0).round() / 1000.0,
                    followers_in_graph: followers.len(),
                    fake_followers_in_graph: fakes,
                })
            }
            _ => None,
        })
        .collect();
    let communities = NICHES
        .iter()
        .enumerate()
        .map(|(c, niche)| CommunityTruth {
            name: niche.name.to_string(),
            hashtags: niche.hashtags.iter().map(|t| t.to_string()).collect(),
            members: cast
                .personas
                .iter()
                .filter(|p| p.niche == c && p.role != Role::Bot)
                .count(),
        })
        .collect();
    let relevant = |i: usize| {
        let p = persona(i);
        p.role == Role::Creator
            && p.niche == BRAND_NICHE
            && p.anomaly == Anomaly::Clean
            && cast.in_brief_range(accounts[i].followers.unwrap_or(0))
    };
    PlantedTruth {
        seed: cast.seed,
        accounts: cast.len(),
        now: cast.now,
        brand: id(cast.brand as usize),
        competitors: cast.brands[BRAND_NICHE][1..]
            .iter()
            .map(|&b| id(b as usize))
            .collect(),
        niche: NICHES[BRAND_NICHE].name.to_string(),
        niche_hashtags: NICHES[BRAND_NICHE]
            .hashtags
            .iter()
            .map(|t| t.to_string())
            .collect(),
        communities,
        fake_accounts: ids_where(&|i| persona(i).role == Role::Bot),
        bought_followers,
        follower_spikes,
        following_spikes,
        pods: cast
            .pods
            .iter()
            .map(|members| members.iter().map(|&m| id(m as usize)).collect())
            .collect(),
        over_sponsored: ids_where(&|i| persona(i).anomaly == Anomaly::OverSponsored),
        relevant_micro_influencers: ids_where(&relevant),
        customer_influencers: cast
            .customer_influencers
            .iter()
            .map(|&i| id(i as usize))
            .collect(),
        counts,
    }
}
