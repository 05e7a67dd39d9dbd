//! Engagement pods: groups of accounts that engage on each other's posts
//! within minutes of posting, again and again, to game ranking.
//!
//! 1. A *quick engagement* is a comment, reply, like or repost from u to v
//!    at most `pod_window_minutes` after v's latest post before it.
//! 2. u and v are *pod-linked* when u quickly engaged on at least
//!    `pod_min_repeats` distinct posts of v, and v on as many of u's: one
//!    direction is a fan, both directions are an arrangement.
//! 3. A *pod* is a connected group of pod-linked accounts of at least
//!    `pod_min_members`, dense enough (at least half of its possible pairs
//!    linked) to be a group rather than a chain of acquaintances.

use kith_model::InteractionKind;
use kith_model::settings::Authenticity as AuthenticitySettings;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Groups sparser than this share of linked pairs are not reported.
pub const MIN_DENSITY: f64 = 0.5;

/// Kinds that engage with a post.
pub fn engages_post(kind: InteractionKind) -> bool {
    matches!(
        kind,
        InteractionKind::Comment
            | InteractionKind::Reply
            | InteractionKind::Like
            | InteractionKind::Repost
    )
}

/// u engaged on v's post `post` (a row of the posts table) `lag` seconds
/// after it was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QuickEngagement {
    pub from: u32,
    pub to: u32,
    pub post: usize,
    pub lag_seconds: i64,
}

/// The quick engagements on one account's posts. `post_times[k]` is the
/// time of post row `first_row + k`, sorted ascending (untimed posts first,
/// as `None`); `incoming` yields (from, at) of engagements on the account.
pub fn quick_engagements(
    to: u32,
    post_times: &[Option<i64>],
    first_row: usize,
    incoming: impl Iterator<Item = (u32, i64)>,
    window_minutes: u32,
) -> Vec<QuickEngagement> {
    let window = window_minutes as i64 * 60;
    let timed_from = post_times.partition_point(|t| t.is_none());
    let times = &post_times[timed_from..];
    let mut out = Vec::new();
    for (from, at) in incoming {
        if from == to {
            continue;
        }
        // The latest post at or before the engagement.
        let k = times.partition_point(|t| t.is_some_and(|t| t <= at));
        if k == 0 {
            continue;
        }
        let posted = times[k - 1].unwrap_or(i64::MIN);
        let lag = at - posted;
        if (0..=window).contains(&lag) {
            out.push(QuickEngagement {
                from,
                to,
                post: first_row + timed_from + k - 1,
                lag_seconds: lag,
            });
        }
    }
    out
}

/// Two members' evidence: how often each was quick on the other's posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PodLink {
    pub a: u32,
    pub b: u32,
    /// Distinct posts of b that a engaged on within the window.
    pub a_on_b_posts: usize,
    pub b_on_a_posts: usize,
    pub median_lag_seconds: i64,
}

/// A detected pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    pub members: Vec<u32>,
    pub links: Vec<PodLink>,
    /// Linked pairs / possible pairs.
    pub density: f64,
    /// A few quick engagements, for the report (post rows and lags).
    pub examples: Vec<QuickEngagement>,
}

/// Finds pods among quick engagements of the whole world.
pub fn find_pods(quick: &[QuickEngagement], settings: &AuthenticitySettings) -> Vec<Pod> {
    // Distinct posts and lags per ordered pair.
    let mut pairs: HashMap<(u32, u32), (Vec<usize>, Vec<i64>)> = HashMap::new();
    for q in quick {
        let e = pairs.entry((q.from, q.to)).or_default();
        e.0.push(q.post);
        e.1.push(q.lag_seconds);
    }
    let distinct = |posts: &Vec<usize>| {
        let mut p = posts.clone();
        p.sort_unstable();
        p.dedup();
        p.len()
    };
    let repeats = settings.pod_min_repeats.max(1) as usize;
    let mut links: Vec<PodLink> = Vec::new();
    for (&(a, b), (posts_ab, lags_ab)) in &pairs {
        if a >= b {
            continue;
        }
        let Some((posts_ba, lags_ba)) = pairs.get(&(b, a)) else {
            continue;
        };
        let (n_ab, n_ba) = (distinct(posts_ab), distinct(posts_ba));
        if n_ab >= repeats && n_ba >= repeats {
            let mut lags: Vec<i64> = lags_ab.iter().chain(lags_ba).copied().collect();
            lags.sort_unstable();
            links.push(PodLink {
                a,
                b,
                a_on_b_posts: n_ab,
                b_on_a_posts: n_ba,
                median_lag_seconds: lags[lags.len() / 2],
            });
        }
    }
    links.sort_by_key(|l| (l.a, l.b));

    // Connected groups of linked accounts (union-find over the links).
    let mut parent: HashMap<u32, u32> = HashMap::new();
    fn find(parent: &mut HashMap<u32, u32>, x: u32) -> u32 {
        let p = *parent.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let root = find(parent, p);
        parent.insert(x, root);
        root
    }
    for l in &links {
        let (ra, rb) = (find(&mut parent, l.a), find(&mut parent, l.b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let nodes: Vec<u32> = parent.keys().copied().collect();
    for x in nodes {
        let r = find(&mut parent, x);
        groups.entry(r).or_default().push(x);
    }
    let mut pods = Vec::new();
    for (root, mut members) in groups {
        if members.len() < settings.pod_min_members.max(2) {
            continue;
        }
        members.sort_unstable();
        let group_links: Vec<PodLink> = links
            .iter()
            .filter(|l| find(&mut parent, l.a) == root)
            .cloned()
            .collect();
        let possible = members.len() * (members.len() - 1) / 2;
        let density = group_links.len() as f64 / possible as f64;
        if density < MIN_DENSITY {
            continue;
        }
        let mut examples: Vec<QuickEngagement> = quick
            .iter()
            .filter(|q| {
                members.binary_search(&q.from).is_ok() && members.binary_search(&q.to).is_ok()
            })
            .copied()
            .collect();
        examples.sort();
        examples.truncate(10);
        pods.push(Pod {
            members,
            links: group_links,
            density,
            examples,
        });
    }
    pods
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60;

    fn settings() -> AuthenticitySettings {
        AuthenticitySettings::default() // 10 min, 3 repeats, 3 members
    }

    /// Members 1..=4 comment on each other's 5 posts 2-6 minutes in; fan 9
    /// comments quickly on member 1's posts but nobody returns the favour;
    /// 7 and 8 engage each other only hours later.
    fn world() -> Vec<QuickEngagement> {
        let mut quick = Vec::new();
        let posts_of = |a: u32| -> Vec<Option<i64>> {
            (0..5)
                .map(|k| Some(a as i64 * 1_000_000 + k * 86_400))
                .collect()
        };
        for author in [1u32, 2, 3, 4, 7, 8] {
            let times = posts_of(author);
            let mut incoming = Vec::new();
            for (k, t) in times.iter().enumerate() {
                let t = t.unwrap();
                if author <= 4 {
                    for m in 1..=4u32 {
                        incoming.push((m, t + (2 + (m as i64 + k as i64) % 5) * MIN));
                    }
                    if author == 1 {
                        incoming.push((9, t + MIN));
                    }
                } else {
                    let other = if author == 7 { 8 } else { 7 };
                    incoming.push((other, t + 3 * 3600));
                }
            }
            quick.extend(quick_engagements(
                author,
                &times,
                author as usize * 100,
                incoming.into_iter(),
                10,
            ));
        }
        quick
    }

    #[test]
    fn finds_the_pod_and_not_the_fan_or_the_slow_friends() {
        let pods = find_pods(&world(), &settings());
        assert_eq!(pods.len(), 1, "{pods:?}");
        let pod = &pods[0];
        assert_eq!(pod.members, vec![1, 2, 3, 4]);
        assert_eq!(pod.links.len(), 6);
        assert_eq!(pod.density, 1.0);
        assert!(
            pod.links
                .iter()
                .all(|l| l.a_on_b_posts == 5 && l.b_on_a_posts == 5)
        );
        assert!(pod.links.iter().all(|l| l.median_lag_seconds <= 10 * MIN));
        assert!(!pod.examples.is_empty());
    }

    #[test]
    fn quick_engagement_attaches_to_the_latest_earlier_post() {
        let times = [None, Some(1000), Some(5000)];
        let q = quick_engagements(
            1,
            &times,
            40,
            [(2, 1300), (3, 4000), (4, 5100), (5, 900), (1, 1001)].into_iter(),
            10,
        );
        // 2 at +300 s on row 41; 3 at +3000 s is too late; 4 at +100 s on row 42;
        // 5 before any timed post; 1 is the author.
        assert_eq!(
            q,
            vec![
                QuickEngagement {
                    from: 2,
                    to: 1,
                    post: 41,
                    lag_seconds: 300
                },
                QuickEngagement {
                    from: 4,
                    to: 1,
                    post: 42,
                    lag_seconds: 100
                },
            ]
        );
    }

    #[test]
    fn too_few_repeats_or_members_is_no_pod() {
        let strict = AuthenticitySettings {
            pod_min_repeats: 6,
            ..settings()
        };
        assert!(find_pods(&world(), &strict).is_empty());
        let big = AuthenticitySettings {
            pod_min_members: 5,
            ..settings()
        };
        assert!(find_pods(&world(), &big).is_empty());
        assert!(find_pods(&[], &settings()).is_empty());
    }
}
