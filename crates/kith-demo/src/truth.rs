//! The planted truths: what the generator put in the world on purpose, so
//! tests and evaluations can check that kith's analytics find it. Accounts
//! are named `platform:handle`, as in a brief's seeds.

use serde::{Deserialize, Serialize};

/// Everything planted, with the parameters that made the world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlantedTruth {
    pub seed: u64,
    /// Number of accounts asked for (and made).
    pub accounts: usize,
    /// The fixed reference time of the world (Unix seconds).
    pub now: i64,
    /// The demo brand's account.
    pub brand: String,
    /// The brand's competitors (the other brands of its niche; the brief
    /// excludes them).
    pub competitors: Vec<String>,
    /// The brand's niche and its hashtags (without `#`).
    pub niche: String,
    pub niche_hashtags: Vec<String>,
    /// The follow graph's communities.
    pub communities: Vec<CommunityTruth>,
    /// Bot accounts, each sold as a follower to one or more buyers.
    pub fake_accounts: Vec<String>,
    /// Creators whose audience is padded with bots.
    pub bought_followers: Vec<BoughtFollowersTruth>,
    /// Days on which bought followers arrived (follower history).
    pub follower_spikes: Vec<SpikeTruth>,
    /// Days on which follow/unfollow automation started a cycle (following
    /// count in history).
    pub following_spikes: Vec<SpikeTruth>,
    /// Engagement pods: groups that comment on each other's posts within
    /// minutes (1-8 minutes after posting), on most posts.
    pub pods: Vec<Vec<String>>,
    /// Creators whose paid posts are at least half their posts in the
    /// saturation window (default 90 days), promoting three or more brands.
    pub over_sponsored: Vec<String>,
    /// Authentic, engaged creators of the brand's niche with followers in the
    /// brief's range (nano and micro tiers), not over-sponsored, in no pod,
    /// without bought followers or follow churn: the shortlist should be made
    /// of these.
    pub relevant_micro_influencers: Vec<String>,
    /// Customers whose account is a nano or micro creator.
    pub customer_influencers: Vec<String>,
    /// Customers whose referral links brought friends who bought (the
    /// referral program written to kith.db).
    #[serde(default)]
    pub proven_referrers: Vec<String>,
    /// The customer who referred herself (her commission is rejected as
    /// fraud on review).
    #[serde(default)]
    pub referral_fraud: Vec<String>,
    /// Sizes of the generated tables.
    pub counts: WorldCounts,
}

impl PlantedTruth {
    /// Accounts vetting must keep out of shortlists and plans: the fakes,
    /// pod members, creators with bought followers and the over-sponsored.
    pub fn vetted_out(&self) -> std::collections::HashSet<&str> {
        self.fake_accounts
            .iter()
            .chain(&self.over_sponsored)
            .chain(self.pods.iter().flatten())
            .chain(self.bought_followers.iter().map(|b| &b.account))
            .map(String::as_str)
            .collect()
    }
}

/// One community of the follow graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommunityTruth {
    pub name: String,
    /// Its hashtags, without `#`.
    pub hashtags: Vec<String>,
    /// Accounts whose home community this is (ordinary users, creators and
    /// brands of every platform; bots belong to none).
    pub members: usize,
}

/// A creator with bought followers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoughtFollowersTruth {
    pub account: String,
    /// Share of its declared followers that were bought.
    pub fake_share: f64,
    /// Followers in the world's follow graph, and how many of them are bots.
    pub followers_in_graph: usize,
    pub fake_followers_in_graph: usize,
}

/// A one-day jump in a history series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpikeTruth {
    pub account: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// How much the count rose that day beyond its ordinary change.
    pub added: u64,
}

/// Row counts of the generated world, known before its activity is
/// generated (interactions are counted only as they are generated).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorldCounts {
    pub accounts: usize,
    pub follows: usize,
    pub posts: usize,
    pub history: usize,
    pub customers: usize,
}
