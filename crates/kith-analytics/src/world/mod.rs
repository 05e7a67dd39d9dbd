//! The vetting metrics wired to a workspace's world: everything that needs
//! the whole population (every node's fake probability, the expected-ER
//! curve of each platform, the pods) is computed once in a [`Vetting`];
//! then each account's report is cheap and independent, so `kith score`
//! runs them in parallel.

mod cache;
mod report;
mod score;

pub use report::{AccountReport, Evidence, RedFlag};
pub use score::{SCORE_COLUMNS, ScoreRow};

use crate::authenticity::{AuthenticityModel, Profile, ProfileFeatures};
use crate::curve::ErCurve;
use crate::engagement::{self, PostCounts};
use crate::pods::{self, Pod, QuickEngagement};
use crate::saturation::Disclosure;
use kith_model::{Platform, Settings};
use kith_store::World;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// The observation time of a world's data: its newest post, interaction or
/// history day (end of that day); the commit time when it holds none. Data
/// are judged as of when they were collected, not as of today, so a crawl
/// from 2018 is not "all stale" and its last 90 days are its own.
pub fn data_as_of(world: &World) -> i64 {
    let t = &world.manifest().time_ranges;
    [
        t.posts.map(|r| r.1),
        t.interactions.map(|r| r.1),
        t.history.map(|r| r.1 + 86_399),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(world.manifest().committed_at)
}

/// The population-wide state every account's report reads.
pub struct Vetting<'w> {
    pub world: &'w World,
    pub settings: &'w Settings,
    pub model: &'w AuthenticityModel,
    /// Where the model came from, for reports ("shipped default" or a path).
    pub model_source: String,
    pub as_of: i64,
    /// `as_of` in RFC 3339.
    as_of_text: String,
    /// Fake probability of every node with a profile holding at least one
    /// count; NaN otherwise.
    fake_probability: Vec<f32>,
    pub curves: BTreeMap<Platform, ErCurve>,
    pub pods: Vec<Pod>,
    pod_of: HashMap<u32, usize>,
    disclosure: Disclosure,
    /// The population-wide state was read from the generation's cache
    /// rather than computed.
    pub from_cache: bool,
}

/// The engagement inputs of one account's posts.
pub(crate) fn post_counts(world: &World, id: u32) -> Vec<PostCounts> {
    let posts = world.posts();
    world
        .posts_of(id)
        .map(|r| PostCounts {
            posted_at: posts.posted_at(r),
            likes: posts.likes(r),
            comments: posts.comments(r),
            shares: posts.shares(r),
            saves: posts.saves(r),
            views: posts.views(r),
        })
        .collect()
}

/// The classifier's view of a node's profile.
pub fn profile_of(world: &World, id: u32) -> Profile<'_> {
    let a = world.accounts();
    Profile {
        handle: world.handle(id),
        name: a.name(id),
        bio: a.bio(id),
        followers: a.followers(id),
        following: a.following(id),
        posts: a.posts_count(id),
        verified: a.verified(id),
        private: a.private(id),
        has_profile_pic: a.has_profile_pic(id),
        external_url: a.external_url(id),
        created_at: a.created_at(id),
    }
}

impl<'w> Vetting<'w> {
    /// Computes the population-wide state. `as_of` defaults to [`data_as_of`].
    pub fn build(
        world: &'w World,
        settings: &'w Settings,
        model: &'w AuthenticityModel,
        model_source: String,
        as_of: Option<i64>,
    ) -> Vetting<'w> {
        let as_of = as_of.unwrap_or_else(|| data_as_of(world));
        let slot = cache::Slot::new(world, settings, model, as_of);
        let cached = slot.as_ref().and_then(|s| s.load(world.num_nodes()));
        let from_cache = cached.is_some();
        let state = cached.unwrap_or_else(|| {
            let state = population_state(world, settings, model, as_of);
            if let Some(slot) = &slot {
                // A read-only workspace only loses the speed-up.
                let _ = slot.store(&state);
            }
            state
        });
        let cache::PopulationState {
            fake_probability,
            curves,
            pods,
        } = state;
        let mut pod_of = HashMap::new();
        for (i, pod) in pods.iter().enumerate() {
            for &m in &pod.members {
                pod_of.insert(m, i);
            }
        }
        Vetting {
            world,
            settings,
            model,
            model_source,
            as_of,
            as_of_text: kith_model::time::format_time(as_of),
            fake_probability,
            curves,
            pods,
            pod_of,
            disclosure: Disclosure::new(&settings.saturation),
            from_cache,
        }
    }

    /// The fake probability of a node, `None` without a profile.
    pub fn fake_probability(&self, id: u32) -> Option<f32> {
        self.fake_probability
            .get(id as usize)
            .copied()
            .filter(|p| !p.is_nan())
    }

    /// The pod a node belongs to.
    pub fn pod_of(&self, id: u32) -> Option<&Pod> {
        self.pod_of.get(&id).map(|&i| &self.pods[i])
    }

    /// `platform:handle` of a node, as reports name accounts.
    pub fn name_of(&self, id: u32) -> String {
        format!("{}:{}", self.world.platform(id), self.world.handle(id))
    }

    /// Every node with a profile, the accounts `kith score` reports on.
    pub fn accounts(&self) -> Vec<u32> {
        (0..self.world.num_nodes() as u32)
            .filter(|&id| self.world.has_profile(id))
            .collect()
    }
}

/// Every node's fake probability, the curves and the pods, computed.
fn population_state(
    world: &World,
    settings: &Settings,
    model: &AuthenticityModel,
    as_of: i64,
) -> cache::PopulationState {
    let n = world.num_nodes() as u32;
    let fake_probability: Vec<f32> = (0..n)
        .into_par_iter()
        .map(|id| {
            // A profile without any count (followers, following, posts)
            // leaves the classifier only the handle: too little to call
            // an account fake (x-ego's numeric ids would all be).
            let a = world.accounts();
            let has_counts = a.followers(id).is_some()
                || a.following(id).is_some()
                || a.posts_count(id).is_some();
            if world.has_profile(id) && has_counts {
                let f = ProfileFeatures::from_profile(&profile_of(world, id), as_of);
                model.fake_probability(&f.to_vector()) as f32
            } else {
                f32::NAN
            }
        })
        .collect();
    let curves = fit_curves(world, settings, as_of);
    let quick = quick_engagements(world, settings);
    let pods = pods::find_pods(&quick, &settings.authenticity);
    cache::PopulationState {
        fake_probability,
        curves,
        pods,
    }
}

/// One curve per platform over `er_followers_median` of every account with
/// a profile and a follower count.
pub fn fit_curves(world: &World, settings: &Settings, as_of: i64) -> BTreeMap<Platform, ErCurve> {
    let n = world.num_nodes() as u32;
    let points: Vec<(Platform, u64, f64)> = (0..n)
        .into_par_iter()
        .filter(|&id| world.has_profile(id) && !world.posts_of(id).is_empty())
        .filter_map(|id| {
            let followers = world.accounts().followers(id)?;
            let e = engagement::engagement(
                &post_counts(world, id),
                Some(followers),
                as_of,
                &settings.engagement,
            );
            Some((world.platform(id), followers, e.er_followers_median.value?))
        })
        .collect();
    let mut by_platform: BTreeMap<Platform, Vec<(u64, f64)>> = BTreeMap::new();
    for (p, f, er) in points {
        by_platform.entry(p).or_default().push((f, er));
    }
    by_platform
        .into_iter()
        .map(|(p, pts)| {
            let curve = ErCurve::fit(p.as_str(), "er_followers_median", &pts, &settings.curve);
            (p, curve)
        })
        .collect()
}

/// Quick engagements on every account's posts (see [`crate::pods`]).
fn quick_engagements(world: &World, settings: &Settings) -> Vec<QuickEngagement> {
    let n = world.num_nodes() as u32;
    let inter = world.interactions();
    let posts = world.posts();
    (0..n)
        .into_par_iter()
        .filter(|&id| !world.posts_of(id).is_empty() && !world.interactions_to(id).is_empty())
        .flat_map_iter(|id| {
            let rows = world.posts_of(id);
            let times: Vec<Option<i64>> = rows.clone().map(|r| posts.posted_at(r)).collect();
            let incoming = world.interactions_to(id).iter().filter_map(|&r| {
                let r = r as usize;
                pods::engages_post(inter.kind(r))
                    .then(|| inter.at(r).map(|at| (inter.from(r), at)))
                    .flatten()
            });
            pods::quick_engagements(
                id,
                &times,
                rows.start,
                incoming,
                settings.authenticity.pod_window_minutes,
            )
        })
        .collect()
}
