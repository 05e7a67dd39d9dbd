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
//!
//! For large worlds, [`WorldSkeleton`] holds the accounts, follow graph,
//! customers, brief and truth, and generates the posts, interactions and
//! history of any range of accounts on demand, so a writer can stream a
//! million-account world to disk in blocks.

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
mod referrals;
mod rng;
mod skeleton;
mod truth;

pub use referrals::{ReferralProgram, Referrer};
pub use skeleton::{Activity, WorldSkeleton};
pub use truth::{BoughtFollowersTruth, CommunityTruth, PlantedTruth, SpikeTruth, WorldCounts};

use kith_model::{Account, Customer, HistoryPoint, Interaction, Post};

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

/// Knobs of the world's shape beyond its size. The default is the
/// realistic demo; [`WorldShape::benchmark`] gives the benchmark world of
/// about twelve posts per account.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldShape {
    /// Mean number of posts an ordinary user with a public profile has in
    /// the world (Poisson, at most 30).
    pub ordinary_posts_mean: f64,
    /// Share of ordinary users whose profile is private; their posts are not
    /// in the world, as a scraper would not see them.
    pub ordinary_private_share: f64,
}

impl Default for WorldShape {
    fn default() -> Self {
        WorldShape {
            ordinary_posts_mean: 4.0,
            // Between instafake's real accounts (72% private) and the
            // Kaggle set's (40%).
            ordinary_private_share: 0.5,
        }
    }
}

impl WorldShape {
    /// About twelve posts per account on average (every ordinary user public,
    /// 12.5 posts each on average; creators and brands as always): the shape
    /// of the 1M-account scoring benchmark.
    pub fn benchmark() -> WorldShape {
        WorldShape {
            ordinary_posts_mean: 12.5,
            ordinary_private_share: 0.0,
        }
    }
}

/// A generated world. Accounts are referred to by index into `accounts` in
/// `follows`, and by handle everywhere else.
#[derive(Clone, Debug)]
pub struct DemoWorld {
    /// Every account: ordinary users, bots, creators, brands. Handles are
    /// unique. `followers`, `following` and `posts` are the declared profile
    /// counts, never below what the world holds (the graph holds a sample of
    /// large audiences; see docs/demo.md).
    pub accounts: Vec<Account>,
    /// (follower index, followed index), sorted, no duplicates, no self-follows.
    pub follows: Vec<(u32, u32)>,
    /// Posts grouped by author in account order, oldest first; `handle` is
    /// the author's.
    pub posts: Vec<Post>,
    /// Grouped by the post author, in account order: the author's caption
    /// mentions, then the comments on its posts and its replies to them.
    pub interactions: Vec<Interaction>,
    /// Daily follower and following counts of creators and brands with at
    /// least nano-tier followers, the last 90 days up to the day before `now`.
    pub history: Vec<HistoryPoint>,
    /// The brand's customers.
    pub customers: Vec<Customer>,
    /// The brand's brief, TOML in DESIGN's brief format.
    pub brief_toml: String,
    /// The brand's referral program: customers who already refer friends.
    pub referrals: ReferralProgram,
    pub truth: PlantedTruth,
}

/// Generates the world for `opts`, with the default shape. Deterministic for
/// (accounts, seed, now).
///
/// # Panics
/// If `opts.accounts` is below [`MIN_ACCOUNTS`] or above `u32::MAX`.
pub fn generate(opts: &DemoOptions) -> DemoWorld {
    WorldSkeleton::new(opts).into_world()
}

/// Generates the world for `opts` with another shape (see [`WorldShape`]).
pub fn generate_with(opts: &DemoOptions, shape: &WorldShape) -> DemoWorld {
    WorldSkeleton::with_shape(opts, shape).into_world()
}
