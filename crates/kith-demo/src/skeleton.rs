//! A world built in two steps: the skeleton (accounts, follow graph,
//! customers, brief, truth), which is held in memory at any size, and the
//! activity (posts, interactions, history), generated a block of accounts at
//! a time so a million-account world can be written out without holding all
//! of its posts at once.

use crate::cast::{Anomaly, Cast, Role};
use crate::follows::{self, FollowGraph};
use crate::history::{self, HISTORY_DAYS};
use crate::niches::{BRAND_NICHE, NICHES};
use crate::referrals::ReferralProgram;
use crate::truth::{BoughtFollowersTruth, CommunityTruth, PlantedTruth, SpikeTruth, WorldCounts};
use crate::{
    DemoOptions, DemoWorld, MIN_ACCOUNTS, WorldShape, customers, interactions, posts, profiles,
    referrals,
};
use kith_model::{Account, Customer, HistoryPoint, Interaction, Post};
use rayon::prelude::*;
use std::ops::Range;

/// Accounts per block when [`WorldSkeleton::into_world`] generates activity.
const BLOCK: usize = 16_384;

/// The parts of a demo world held in memory at any size, from which the
/// activity of any range of accounts is generated on demand (and always the
/// same for the same range).
pub struct WorldSkeleton {
    cast: Cast,
    accounts: Vec<Account>,
    graph: FollowGraph,
    customers: Vec<Customer>,
    brief_toml: String,
    referrals: ReferralProgram,
    truth: PlantedTruth,
}

/// What a range of accounts did: their posts (grouped by author, oldest
/// first), the interactions about those posts (each author's caption
/// mentions, then the comments on its posts and its replies), and their
/// follower history.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Activity {
    pub posts: Vec<Post>,
    pub interactions: Vec<Interaction>,
    pub history: Vec<HistoryPoint>,
}

impl WorldSkeleton {
    /// The skeleton of the world for `opts`, with the default shape.
    pub fn new(opts: &DemoOptions) -> WorldSkeleton {
        WorldSkeleton::with_shape(opts, &WorldShape::default())
    }

    /// The skeleton of the world for `opts` and `shape`.
    ///
    /// # Panics
    /// If `opts.accounts` is below [`MIN_ACCOUNTS`] or above `u32::MAX`.
    pub fn with_shape(opts: &DemoOptions, shape: &WorldShape) -> WorldSkeleton {
        assert!(
            (MIN_ACCOUNTS..=u32::MAX as usize).contains(&opts.accounts),
            "a demo world needs between {MIN_ACCOUNTS} and {} accounts, got {}",
            u32::MAX,
            opts.accounts
        );
        let cast = Cast::new(opts.accounts, opts.seed, opts.now, shape);
        let mut accounts = profiles::build(&cast);
        let graph = follows::build(&cast);
        let shown: Vec<usize> = (0..cast.len())
            .into_par_iter()
            .map(|i| posts::post_count(&cast, i))
            .collect();
        // Declared counts are never below what the world shows.
        for (i, a) in accounts.iter_mut().enumerate() {
            a.followers = a.followers.map(|f| f.max(graph.in_degree(i) as u64));
            a.following = a.following.map(|f| f.max(graph.out_degree(i) as u64));
            a.posts = a.posts.map(|n| n.max(shown[i] as u64));
        }
        let customers = customers::build(&cast, &accounts);
        let brief_toml = customers::brief(&cast, &accounts, &customers);
        let counts = WorldCounts {
            accounts: accounts.len(),
            follows: graph.edges.len(),
            posts: shown.iter().sum(),
            history: (0..cast.len())
                .filter(|&i| history::has_history(&cast, &accounts, i))
                .count()
                * HISTORY_DAYS as usize,
            customers: customers.len(),
        };
        let mut truth = plant_truth(&cast, &accounts, &graph, counts);
        let referrals = referrals::build(&cast, &accounts, &customers);
        truth.proven_referrers = referrals
            .referrers
            .iter()
            .filter(|r| !r.self_referral && r.friends.iter().any(|f| !f.is_empty()))
            .map(|r| r.account())
            .collect();
        truth.referral_fraud = referrals
            .referrers
            .iter()
            .filter(|r| r.self_referral)
            .map(|r| r.account())
            .collect();
        WorldSkeleton {
            cast,
            accounts,
            graph,
            customers,
            brief_toml,
            referrals,
            truth,
        }
    }

    /// Every account; row i is index i of [`Self::follows`].
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// (follower index, followed index), sorted, no duplicates.
    pub fn follows(&self) -> &[(u32, u32)] {
        &self.graph.edges
    }

    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    pub fn brief_toml(&self) -> &str {
        &self.brief_toml
    }

    pub fn truth(&self) -> &PlantedTruth {
        &self.truth
    }

    /// The activity of the accounts in `range` (indices into
    /// [`Self::accounts`]). Activities of consecutive ranges, concatenated,
    /// equal the activity of their union.
    pub fn activity(&self, range: Range<usize>) -> Activity {
        let end = range.end.min(self.accounts.len());
        let per_account: Vec<Activity> = (range.start.min(end)..end)
            .into_par_iter()
            .map(|i| {
                let (posts, mut interactions) =
                    posts::author_posts(&self.cast, &self.accounts, &self.graph, i);
                interactions.extend(interactions::author_conversation(
                    &self.cast,
                    &self.accounts,
                    &self.graph,
                    &posts,
                    i,
                ));
                let history = history::points(&self.cast, &self.accounts, i);
                Activity {
                    posts,
                    interactions,
                    history,
                }
            })
            .collect();
        let mut out = Activity::default();
        out.append(per_account);
        out
    }

    /// The whole world, its activity generated block by block.
    pub fn into_world(self) -> DemoWorld {
        let mut activity = Activity {
            posts: Vec::with_capacity(self.truth.counts.posts),
            interactions: Vec::new(),
            history: Vec::with_capacity(self.truth.counts.history),
        };
        for start in (0..self.accounts.len()).step_by(BLOCK) {
            activity.append(vec![self.activity(start..start + BLOCK)]);
        }
        DemoWorld {
            accounts: self.accounts,
            follows: self.graph.edges,
            posts: activity.posts,
            interactions: activity.interactions,
            history: activity.history,
            customers: self.customers,
            brief_toml: self.brief_toml,
            referrals: self.referrals,
            truth: self.truth,
        }
    }
}

impl Activity {
    fn append(&mut self, parts: Vec<Activity>) {
        self.posts
            .reserve(parts.iter().map(|p| p.posts.len()).sum());
        self.interactions
            .reserve(parts.iter().map(|p| p.interactions.len()).sum());
        self.history
            .reserve(parts.iter().map(|p| p.history.len()).sum());
        for part in parts {
            self.posts.extend(part.posts);
            self.interactions.extend(part.interactions);
            self.history.extend(part.history);
        }
    }
}

fn plant_truth(
    cast: &Cast,
    accounts: &[Account],
    graph: &FollowGraph,
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
    let (follower_spikes, following_spikes): (Vec<SpikeTruth>, Vec<SpikeTruth>) =
        history::spikes(cast, accounts);
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
        // Filled in with the referral program, once the customers exist.
        proven_referrers: Vec::new(),
        referral_fraud: Vec::new(),
        counts,
    }
}
