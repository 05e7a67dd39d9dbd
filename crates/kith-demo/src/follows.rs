//! The follow graph: the in-world sample of every audience.
//!
//! Each account's out-list is drawn from its own random stream, so lists are
//! built in parallel and the result does not depend on scheduling; the graph
//! has no duplicate edges because each list is deduplicated and lists belong
//! to different followers. Follows stay within one platform.
//!
//! How in-graph followers relate to the declared `followers` field: a
//! creator's expected in-graph audience grows as the square root of its
//! declared organic followers (nano ~60, micro ~200, mega a few thousand in a
//! 20k world), so the graph holds a sample of every large audience; people's
//! in-graph followers are their friends in the world. [`crate::generate`]
//! raises a declared count that would be below the in-graph one.

use crate::cast::{Anomaly, Cast, Persona, Role};
use crate::niches::{BRAND_NICHE, NICHES};
use crate::rng::{Draw, Stage, WeightedTable, hash, rng, splitmix64, unit};
use kith_model::Platform;
use rand::Rng;
use rayon::prelude::*;

/// Median number of creators and brands an ordinary user follows in-world
/// (log-normal, sigma 0.8: mean about 15).
const PEOPLE_FOLLOW_CREATORS_MEDIAN: f64 = 11.0;
/// Shares of those follows into the home community and the second interest;
/// the rest go anywhere on the platform.
const HOME_SHARE: f64 = 0.75;
const INTEREST_SHARE: f64 = 0.15;
/// Mean number of friends (ordinary users) a person follows.
const FRIENDS_MEAN: f64 = 7.0;
/// Friends are drawn from this many neighbours on each side of a person in
/// the community's member list, which makes friend circles overlap
/// (clustering) as real ones do.
const FRIEND_WINDOW: usize = 30;
/// Probability that a friendship is mutual (otherwise one-way).
const MUTUAL_FRIENDSHIP: f64 = 0.5;
/// People of the brand's niche who follow the brand.
const BRAND_FAN_SHARE: f64 = 0.3;

/// The graph and the derived counts later stages need.
pub(crate) struct FollowGraph {
    /// (follower, followed), sorted by follower then followed, no duplicates.
    pub edges: Vec<(u32, u32)>,
    /// `out_offsets[i]..out_offsets[i + 1]` indexes `edges` for follower i.
    pub out_offsets: Vec<usize>,
    /// Followers of each account: `in_sources[in_offsets[i]..in_offsets[i + 1]]`.
    pub in_offsets: Vec<usize>,
    pub in_sources: Vec<u32>,
}

impl FollowGraph {
    pub(crate) fn followed_by(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.edges[self.out_offsets[i]..self.out_offsets[i + 1]]
            .iter()
            .map(|e| e.1)
    }

    pub(crate) fn followers_of(&self, i: usize) -> &[u32] {
        &self.in_sources[self.in_offsets[i]..self.in_offsets[i + 1]]
    }

    pub(crate) fn in_degree(&self, i: usize) -> usize {
        self.in_offsets[i + 1] - self.in_offsets[i]
    }

    pub(crate) fn out_degree(&self, i: usize) -> usize {
        self.out_offsets[i + 1] - self.out_offsets[i]
    }
}

/// Lookup tables of who is where, shared read-only by all threads.
struct Directory {
    /// Creators per (platform, niche) community, with sampling weights.
    creators: Vec<Vec<u32>>,
    creator_tables: Vec<WeightedTable>,
    /// Creators per platform, any niche.
    platform_creators: Vec<Vec<u32>>,
    platform_tables: Vec<WeightedTable>,
    /// Ordinary users per (platform, niche), in index order.
    people: Vec<Vec<u32>>,
    /// Position of each ordinary user in its community's list.
    position: Vec<u32>,
    /// Each person's sociability: mean 1, exponential, so a few people have
    /// many friends.
    sociability: Vec<f32>,
    instagram_people: Vec<u32>,
    /// Large clean Instagram creators (macro and up): bots follow them to
    /// look like real users.
    celebrities: Vec<u32>,
}

fn platform_slot(p: Platform) -> usize {
    usize::from(p == Platform::Tiktok)
}

fn community(p: &Persona) -> usize {
    platform_slot(p.platform) * NICHES.len() + p.niche
}

fn community_of(platform: Platform, niche: usize) -> usize {
    platform_slot(platform) * NICHES.len() + niche
}

impl Directory {
    fn new(cast: &Cast) -> Directory {
        let communities = 2 * NICHES.len();
        let mut creators = vec![Vec::new(); communities];
        let mut platform_creators = vec![Vec::new(); 2];
        let mut people = vec![Vec::new(); communities];
        let mut position = vec![0u32; cast.len()];
        let mut instagram_people = Vec::new();
        let mut celebrities = Vec::new();
        for (i, p) in cast.personas.iter().enumerate() {
            let i32_ = i as u32;
            match p.role {
                Role::Creator => {
                    creators[community(p)].push(i32_);
                    platform_creators[platform_slot(p.platform)].push(i32_);
                    if p.platform == Platform::Instagram
                        && p.organic_followers >= cast.tiers.macro_
                        && !matches!(p.anomaly, Anomaly::BoughtFollowers { .. })
                    {
                        celebrities.push(i32_);
                    }
                }
                Role::Ordinary => {
                    let list = &mut people[community(p)];
                    position[i] = list.len() as u32;
                    list.push(i32_);
                    if p.platform == Platform::Instagram {
                        instagram_people.push(i32_);
                    }
                }
                _ => {}
            }
        }
        // A creator draws in-world followers in proportion to the square
        // root of its organic audience: see the module comment.
        let weight = |list: &Vec<u32>| {
            WeightedTable::new(
                list.iter()
                    .map(|&c| (cast.personas[c as usize].organic_followers as f64).sqrt()),
            )
        };
        let sociability = (0..cast.len())
            .into_par_iter()
            .map(|i| -(1.0 - unit(hash(cast.seed, Stage::Friendship, i as u64, 0))).ln() as f32)
            .collect();
        Directory {
            creator_tables: creators.iter().map(weight).collect(),
            platform_tables: platform_creators.iter().map(weight).collect(),
            creators,
            platform_creators,
            people,
            position,
            sociability,
            instagram_people,
            celebrities,
        }
    }

    fn creator_in<R: Rng>(&self, r: &mut R, community: usize) -> Option<u32> {
        self.creator_tables[community]
            .sample(r)
            .map(|k| self.creators[community][k])
    }

    fn creator_anywhere<R: Rng>(&self, r: &mut R, platform: Platform) -> Option<u32> {
        let slot = platform_slot(platform);
        self.platform_tables[slot]
            .sample(r)
            .map(|k| self.platform_creators[slot][k])
    }
}

/// Builds the follow graph.
pub(crate) fn build(cast: &Cast) -> FollowGraph {
    let dir = Directory::new(cast);
    let mut lists: Vec<Vec<u32>> = (0..cast.len())
        .into_par_iter()
        .map(|i| match cast.personas[i].role {
            Role::Ordinary => person_follows(cast, &dir, i),
            Role::Creator => creator_follows(cast, &dir, i),
            Role::Brand => brand_follows(cast, &dir, i),
            Role::Bot => Vec::new(),
        })
        .collect();
    // Bots come second: how many fakes a buyer gets depends on its organic
    // in-world audience, known only now.
    let mut organic_in = vec![0u32; cast.len()];
    for list in &lists {
        for &t in list {
            organic_in[t as usize] += 1;
        }
    }
    let bot_lists = bot_follows(cast, &dir, &organic_in);
    for (i, list) in bot_lists {
        lists[i] = list;
    }
    assemble(lists)
}

fn finish(i: usize, mut list: Vec<u32>) -> Vec<u32> {
    list.retain(|&t| t as usize != i);
    list.sort_unstable();
    list.dedup();
    list
}

fn person_follows(cast: &Cast, dir: &Directory, i: usize) -> Vec<u32> {
    let p = &cast.personas[i];
    let mut r = rng(cast.seed, Stage::Follows, i as u64);
    let mut out = Vec::new();
    let k = r
        .lognormal(PEOPLE_FOLLOW_CREATORS_MEDIAN, 0.8)
        .round()
        .clamp(1.0, 400.0) as usize;
    for _ in 0..k {
        let x: f64 = r.r#gen();
        let pick = if x < HOME_SHARE {
            dir.creator_in(&mut r, community(p))
        } else if x < HOME_SHARE + INTEREST_SHARE {
            dir.creator_in(&mut r, community_of(p.platform, p.interest))
        } else {
            dir.creator_anywhere(&mut r, p.platform)
        };
        out.extend(pick);
    }
    friends(cast, dir, i, &mut out);
    if p.platform == Platform::Instagram {
        let cares = p.niche == BRAND_NICHE || p.interest == BRAND_NICHE;
        if p.customer || (cares && r.chance(BRAND_FAN_SHARE)) || r.chance(0.002) {
            out.push(cast.brand);
        }
        for &b in &cast.brands[p.niche] {
            if r.chance(0.06) {
                out.push(b);
            }
        }
    }
    finish(i, out)
}

/// Friendships inside a window of the community list. Whether u and v are
/// friends, and in which direction, is a hash of the pair, so u and v reach
/// the same answer independently (mutual follows without coordination).
fn friends(cast: &Cast, dir: &Directory, i: usize, out: &mut Vec<u32>) {
    let list = &dir.people[community(&cast.personas[i])];
    let n = list.len();
    let window = FRIEND_WINDOW.min(n.saturating_sub(1) / 2);
    if window == 0 {
        return;
    }
    // Expected out-friends: 2 * window * c * E[s_u s_v] * 0.75 = FRIENDS_MEAN.
    let c = FRIENDS_MEAN
        / (2.0 * window as f64 * (MUTUAL_FRIENDSHIP + (1.0 - MUTUAL_FRIENDSHIP) / 2.0));
    let pos = dir.position[i] as usize;
    let su = dir.sociability[i] as f64;
    for d in 1..=window {
        for v in [list[(pos + d) % n], list[(pos + n - d) % n]] {
            let (lo, hi) = (i.min(v as usize) as u64, i.max(v as usize) as u64);
            let h = hash(cast.seed, Stage::Friendship, lo, hi);
            let p = (c * su * dir.sociability[v as usize] as f64).min(1.0);
            if unit(h) >= p {
                continue;
            }
            let direction = unit(splitmix64(h));
            let mutual = direction < MUTUAL_FRIENDSHIP;
            let low_follows_high = direction < MUTUAL_FRIENDSHIP + (1.0 - MUTUAL_FRIENDSHIP) / 2.0;
            if mutual || (low_follows_high == (i as u64 == lo)) {
                out.push(v);
            }
        }
    }
}

fn creator_follows(cast: &Cast, dir: &Directory, i: usize) -> Vec<u32> {
    let p = &cast.personas[i];
    let mut r = rng(cast.seed, Stage::Follows, i as u64);
    let mut out = Vec::new();
    let peers = r.lognormal(25.0, 0.7).round().clamp(3.0, 400.0) as usize;
    for _ in 0..peers {
        let pick = if r.chance(0.7) {
            dir.creator_in(&mut r, community(p))
        } else {
            dir.creator_anywhere(&mut r, p.platform)
        };
        out.extend(pick);
    }
    let people = &dir.people[community(p)];
    if !people.is_empty() {
        let friends = r.lognormal(6.0, 0.6).round().clamp(0.0, 100.0) as usize;
        out.extend((0..friends).map(|_| *r.pick(people)));
    }
    if p.platform == Platform::Instagram {
        for &b in &cast.brands[p.niche] {
            if r.chance(0.3) {
                out.push(b);
            }
        }
        if p.niche == BRAND_NICHE && r.chance(0.4) {
            out.push(cast.brand);
        }
    }
    finish(i, out)
}

fn brand_follows(cast: &Cast, dir: &Directory, i: usize) -> Vec<u32> {
    let p = &cast.personas[i];
    let mut r = rng(cast.seed, Stage::Follows, i as u64);
    let k = r.gen_range(10..=40);
    let out = (0..k)
        .filter_map(|_| dir.creator_in(&mut r, community(p)))
        .collect();
    finish(i, out)
}

/// Bots' follows: the buyers they were sold to, and a few camouflage follows
/// of people and celebrities. A buyer with fake share s and organic in-world
/// audience n should get about n * s / (1 - s) bots.
fn bot_follows(cast: &Cast, dir: &Directory, organic_in: &[u32]) -> Vec<(usize, Vec<u32>)> {
    let buyers: Vec<(u32, f64)> = cast
        .personas
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p.anomaly {
            Anomaly::BoughtFollowers { share } => {
                let wanted = (organic_in[i] as f64 * share / (1.0 - share)).max(5.0);
                Some((i as u32, wanted))
            }
            _ => None,
        })
        .collect();
    let bots: Vec<usize> = (0..cast.len())
        .filter(|&i| cast.personas[i].role == Role::Bot)
        .collect();
    let table = WeightedTable::new(buyers.iter().map(|b| b.1));
    let wanted: f64 = buyers.iter().map(|b| b.1).sum();
    let mean_clients = (wanted / bots.len().max(1) as f64).max(1.0);
    bots.par_iter()
        .map(|&i| {
            let mut r = rng(cast.seed, Stage::FakeFollows, i as u64);
            let mut out = Vec::new();
            if !buyers.is_empty() {
                let k = (1 + r.poisson(mean_clients - 1.0) as usize).min(buyers.len());
                let mut attempts = 0;
                while out.len() < k && attempts < 20 * k {
                    attempts += 1;
                    if let Some(j) = table.sample(&mut r) {
                        let b = buyers[j].0;
                        if !out.contains(&b) {
                            out.push(b);
                        }
                    }
                }
            }
            for _ in 0..1 + r.poisson(1.0) {
                if !dir.celebrities.is_empty() && r.chance(0.5) {
                    out.push(*r.pick(&dir.celebrities));
                } else if !dir.instagram_people.is_empty() {
                    out.push(*r.pick(&dir.instagram_people));
                }
            }
            (i, finish(i, out))
        })
        .collect()
}

fn assemble(lists: Vec<Vec<u32>>) -> FollowGraph {
    let n = lists.len();
    let mut out_offsets = Vec::with_capacity(n + 1);
    out_offsets.push(0);
    let total: usize = lists.iter().map(Vec::len).sum();
    let mut edges = Vec::with_capacity(total);
    let mut in_counts = vec![0usize; n + 1];
    for (i, list) in lists.into_iter().enumerate() {
        for t in list {
            edges.push((i as u32, t));
            in_counts[t as usize + 1] += 1;
        }
        out_offsets.push(edges.len());
    }
    for i in 0..n {
        in_counts[i + 1] += in_counts[i];
    }
    let in_offsets = in_counts;
    let mut fill = in_offsets.clone();
    let mut in_sources = vec![0u32; total];
    for &(f, t) in &edges {
        in_sources[fill[t as usize]] = f;
        fill[t as usize] += 1;
    }
    FollowGraph {
        edges,
        out_offsets,
        in_offsets,
        in_sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DEFAULT_NOW, WorldShape};
    use std::collections::HashSet;

    #[test]
    fn follows_stay_mostly_inside_communities_and_friends_follow_back() {
        let cast = Cast::new(6_000, 3, DEFAULT_NOW, &WorldShape::default());
        let graph = build(&cast);
        let p = |i: u32| &cast.personas[i as usize];
        let real: Vec<(u32, u32)> = graph
            .edges
            .iter()
            .copied()
            .filter(|&(f, t)| p(f).role != Role::Bot && p(t).role != Role::Bot)
            .collect();
        let inside = real
            .iter()
            .filter(|&&(f, t)| p(t).niche == p(f).niche || p(t).niche == p(f).interest)
            .count() as f64
            / real.len() as f64;
        assert!((0.8..0.98).contains(&inside), "{inside}");

        let edges: HashSet<(u32, u32)> = graph.edges.iter().copied().collect();
        let people: Vec<&(u32, u32)> = real
            .iter()
            .filter(|&&(f, t)| p(f).role == Role::Ordinary && p(t).role == Role::Ordinary)
            .collect();
        let mutual = people
            .iter()
            .filter(|&&&(f, t)| edges.contains(&(t, f)))
            .count() as f64
            / people.len() as f64;
        assert!((0.4..0.9).contains(&mutual), "{mutual}");

        // Bots follow the buyers, and nobody follows bots.
        let buyers: HashSet<u32> = (0..cast.len() as u32)
            .filter(|&i| matches!(p(i).anomaly, Anomaly::BoughtFollowers { .. }))
            .collect();
        let bot_edges: Vec<&(u32, u32)> = graph
            .edges
            .iter()
            .filter(|e| p(e.0).role == Role::Bot)
            .collect();
        let to_buyers = bot_edges.iter().filter(|e| buyers.contains(&e.1)).count() as f64;
        assert!(to_buyers / bot_edges.len() as f64 > 0.6);
        assert!(graph.edges.iter().all(|e| p(e.1).role != Role::Bot));
    }
}
