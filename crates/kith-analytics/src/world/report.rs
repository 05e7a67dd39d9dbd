//! One account's vetting report: every metric against peers, and red flags
//! with their evidence (which posts, which followers, which dates).

use super::{Vetting, post_counts};
use crate::conversation::{self, Conversation, Edge};
use crate::curve::ErIndex;
use crate::engagement::{self, EngagementFigures};
use crate::figure::{Confidence, Figure, percent};
use crate::followers::{self, SuspiciousFollowers};
use crate::growth::{self, GrowthAnomalies};
use crate::saturation::{self, PostSponsorship, SaturationFigures};
use serde::{Deserialize, Serialize};

/// How many top interlocutors a report names.
pub const TOP_INTERLOCUTORS: usize = 5;

/// One piece of evidence behind a flag: a post, an account or a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// "post", "account" or "date".
    pub kind: String,
    /// The post id, `platform:handle` or `YYYY-MM-DD`.
    pub id: String,
    /// What it shows.
    pub detail: String,
}

/// A reason to look twice, with what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedFlag {
    /// fake_account, bought_followers, follower_spike, follower_drop,
    /// following_spike, engagement_pod, er_far_above_peers, over_sponsored.
    pub kind: String,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

/// Who the account is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub node: u32,
    pub platform: String,
    pub handle: String,
    pub name: Option<String>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
    pub verified: Option<bool>,
    /// Tier by the settings' follower bounds; `None` when followers unknown.
    pub tier: Option<String>,
    /// Posts the world holds for it.
    pub posts_in_world: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagementSection {
    pub er_followers_median: Figure,
    pub er_followers_mean: Figure,
    pub er_views: Figure,
    pub er_index: Figure,
    /// Peers' median ER at this follower count (the curve).
    pub expected_er: Option<f64>,
    /// Share of same-band peers with a lower ER.
    pub peer_percentile: Option<f64>,
    /// The window's posts: (post id, ER), in time order.
    pub posts: Vec<(String, Option<f64>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthenticitySection {
    /// The account's own fake probability, from its profile.
    pub fake_probability: Option<f64>,
    pub model: String,
    pub suspicious_followers: SuspiciousFollowers,
    pub follower_growth: GrowthAnomalies,
    pub following_growth: GrowthAnomalies,
    /// Members of the pod the account is in, if any.
    pub pod_members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: AccountSummary,
    /// The observation time everything is judged at (Unix seconds).
    pub as_of: i64,
    pub engagement: EngagementSection,
    pub authenticity: AuthenticitySection,
    pub conversation: Conversation,
    /// `platform:handle` of each top interlocutor, in the same order.
    pub interlocutor_names: Vec<String>,
    pub saturation: SaturationFigures,
    pub red_flags: Vec<RedFlag>,
}

/// How much of a report to write out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything a reader needs: names, post ids, evidence.
    Full,
    /// The numbers and flag kinds of a score row: no interlocutor names, no
    /// post ids (evidence ids may be empty), no display name and no model
    /// source. Scoring a million accounts would otherwise spend a fifth of
    /// its time formatting names nobody reads.
    Numbers,
}

impl Vetting<'_> {
    /// The full report of one account.
    pub fn report(&self, id: u32) -> AccountReport {
        self.report_with(id, Detail::Full)
    }

    pub(crate) fn report_with(&self, id: u32, detail: Detail) -> AccountReport {
        let world = self.world;
        let settings = self.settings;
        let a = world.accounts();
        let followers_declared = a.followers(id);
        let posts = world.posts();
        let rows = world.posts_of(id);

        // Engagement against peers.
        let counts = post_counts(world, id);
        let eng: EngagementFigures = engagement::engagement(
            &counts,
            followers_declared,
            self.as_of,
            &settings.engagement,
        );
        let er_index: ErIndex = match self.curves.get(&world.platform(id)) {
            Some(curve) => curve.er_index(followers_declared, &eng.er_followers_median),
            None => ErIndex {
                index: Figure::new("er_index", "ER / expected ER", "accounts")
                    .not_enough("no curve for the platform"),
                expected: None,
                peer_percentile: None,
            },
        };
        let window_posts: Vec<(String, Option<f64>)> = eng
            .window_posts
            .iter()
            .zip(&eng.post_er)
            .map(|(&k, &er)| match detail {
                Detail::Full => (posts.post_id(rows.start + k).to_string(), er),
                Detail::Numbers => (String::new(), er),
            })
            .collect();

        // Authenticity.
        let audience = world.follows_in().neighbors(id);
        let suspicious = followers::suspicious_followers(
            audience,
            |n| self.fake_probability(n),
            &settings.authenticity,
            followers_declared,
            Some(self.as_of),
        );
        let history = world.history();
        let hist_rows = world.history_of(id);
        let series = |f: &dyn Fn(usize) -> Option<u64>| -> Vec<(i32, Option<u64>)> {
            hist_rows.clone().map(|r| (history.date(r), f(r))).collect()
        };
        let rule = &settings.authenticity;
        let follower_growth =
            growth::growth_anomalies(&series(&|r| history.followers(r)), "followers", rule);
        let following_growth =
            growth::growth_anomalies(&series(&|r| history.following(r)), "following", rule);
        let pod = self.pod_of(id);

        // Conversation.
        let inter = world.interactions();
        let edge = |r: usize, other: u32| Edge {
            other,
            kind: inter.kind(r),
            at: inter.at(r),
        };
        let outgoing: Vec<Edge> = world
            .interactions_from(id)
            .map(|r| edge(r, inter.to(r)))
            .collect();
        let incoming: Vec<Edge> = world
            .interactions_to(id)
            .iter()
            .map(|&r| edge(r as usize, inter.from(r as usize)))
            .collect();
        let conv = conversation::conversation(
            &outgoing,
            &incoming,
            |n| audience.binary_search(&n).is_ok(),
            audience.len(),
            Some(self.as_of),
            TOP_INTERLOCUTORS,
        );

        // Saturation.
        let sponsorship: Vec<PostSponsorship> = rows
            .clone()
            .zip(&counts)
            .map(|(r, c)| {
                let sponsored = self
                    .disclosure
                    .evidence(posts.sponsored(r), posts.hashtag_bytes(r));
                // Only sponsored posts' mentions count (brands promoted):
                // copying every post's would cost an allocation per mention.
                let mentions = match sponsored {
                    Some(_) => posts.mentions(r).map(str::to_string).collect(),
                    None => Vec::new(),
                };
                PostSponsorship {
                    posted_at: posts.posted_at(r),
                    sponsored,
                    mentions,
                    engagements: c.engagements(),
                }
            })
            .collect();
        let sat = saturation::saturation(
            &sponsorship,
            world.handle(id),
            self.as_of,
            &settings.saturation,
        );

        let account = AccountSummary {
            node: id,
            platform: world.platform(id).to_string(),
            handle: world.handle(id).to_string(),
            name: match detail {
                Detail::Full => a.name(id).map(str::to_string),
                Detail::Numbers => None,
            },
            followers: followers_declared,
            following: a.following(id),
            posts: a.posts_count(id),
            verified: a.verified(id),
            tier: followers_declared.map(|f| settings.tiers.tier_of(f).as_str().to_string()),
            posts_in_world: rows.len(),
        };
        let mut report = AccountReport {
            account,
            as_of: self.as_of,
            engagement: EngagementSection {
                er_followers_median: eng.er_followers_median,
                er_followers_mean: eng.er_followers_mean,
                er_views: eng.er_views,
                er_index: er_index.index,
                expected_er: er_index.expected.map(|e| e.er),
                peer_percentile: er_index.peer_percentile,
                posts: window_posts,
            },
            authenticity: AuthenticitySection {
                fake_probability: self.fake_probability(id).map(f64::from),
                model: match detail {
                    Detail::Full => self.model_source.clone(),
                    Detail::Numbers => String::new(),
                },
                suspicious_followers: suspicious,
                follower_growth,
                following_growth,
                pod_members: pod
                    .map(|p| p.members.iter().map(|&m| self.name_of(m)).collect())
                    .unwrap_or_default(),
            },
            interlocutor_names: match detail {
                Detail::Full => conv
                    .top_interlocutors
                    .iter()
                    .map(|i| self.name_of(i.node))
                    .collect(),
                Detail::Numbers => Vec::new(),
            },
            conversation: conv,
            saturation: sat,
            red_flags: Vec::new(),
        };
        report.red_flags = self.red_flags(&report);
        report
    }

    fn red_flags(&self, r: &AccountReport) -> Vec<RedFlag> {
        let settings = &self.settings.authenticity;
        let world = self.world;
        let id = r.account.node;
        let mut flags = Vec::new();
        let date = |d: i32| kith_model::time::format_date(d);

        if let Some(p) = r.authenticity.fake_probability
            && p >= settings.fake_threshold
        {
            let a = &r.account;
            let show = |v: Option<u64>| v.map_or("unknown".to_string(), |v| v.to_string());
            flags.push(RedFlag {
                kind: "fake_account".into(),
                message: format!(
                    "the account's own profile looks fake: fake probability {p:.2} (from {})",
                    r.authenticity.model
                ),
                evidence: vec![Evidence {
                    kind: "account".into(),
                    id: self.name_of(id),
                    detail: format!(
                        "{} followers, following {}, {} posts",
                        show(a.followers),
                        show(a.following),
                        show(a.posts)
                    ),
                }],
            });
        }

        let s = &r.authenticity.suspicious_followers;
        if s.flagged {
            flags.push(RedFlag {
                kind: "bought_followers".into(),
                message: format!(
                    "{} of the {} followers seen look fake",
                    s.share.display_with(percent),
                    s.followers_seen
                ),
                evidence: s
                    .top
                    .iter()
                    .map(|&(n, p)| Evidence {
                        kind: "account".into(),
                        id: self.name_of(n),
                        detail: format!("follower with fake probability {p:.2}"),
                    })
                    .collect(),
            });
        }

        for (growth, what) in [
            (&r.authenticity.follower_growth, "follower"),
            (&r.authenticity.following_growth, "following"),
        ] {
            for a in &growth.anomalies {
                let kind = match (what, a.robust_z > 0.0) {
                    ("follower", true) => "follower_spike",
                    ("follower", false) => "follower_drop",
                    (_, true) => "following_spike",
                    (_, false) => "following_drop",
                };
                flags.push(RedFlag {
                    kind: kind.into(),
                    message: format!(
                        "{what} count went from {} to {} by {} (robust z {:.1}; usual daily change {})",
                        a.before,
                        a.after,
                        date(a.date),
                        a.robust_z,
                        growth
                            .typical_daily_change
                            .map_or("unknown".to_string(), percent)
                    ),
                    evidence: vec![Evidence {
                        kind: "date".into(),
                        id: date(a.date),
                        detail: format!(
                            "{:+} over {} day(s)",
                            a.after as i64 - a.before as i64,
                            a.gap_days
                        ),
                    }],
                });
            }
        }

        if let Some(pod) = self.pod_of(id) {
            let posts = world.posts();
            let window = self.settings.authenticity.pod_window_minutes;
            let mut evidence: Vec<Evidence> = pod
                .members
                .iter()
                .filter(|&&m| m != id)
                .map(|&m| Evidence {
                    kind: "account".into(),
                    id: self.name_of(m),
                    detail: "pod member".into(),
                })
                .collect();
            evidence.extend(
                pod.examples
                    .iter()
                    .filter(|q| q.to == id || q.from == id)
                    .map(|q| Evidence {
                        kind: "post".into(),
                        id: posts.post_id(q.post).to_string(),
                        detail: format!(
                            "{} engaged on {}'s post {:.0} min after it went up",
                            self.name_of(q.from),
                            self.name_of(q.to),
                            q.lag_seconds as f64 / 60.0
                        ),
                    }),
            );
            flags.push(RedFlag {
                kind: "engagement_pod".into(),
                message: format!(
                    "in a group of {} accounts that engage on each other's posts within {window} minutes, on at least {} posts each way",
                    pod.members.len(),
                    self.settings.authenticity.pod_min_repeats
                ),
                evidence,
            });
        }

        let idx = &r.engagement.er_index;
        if let Some(v) = idx.value
            && v >= settings.er_index_high
            && idx.confidence >= Confidence::Medium
        {
            let mut top: Vec<&(String, Option<f64>)> = r
                .engagement
                .posts
                .iter()
                .filter(|p| p.1.is_some())
                .collect();
            top.sort_by(|a, b| b.1.unwrap_or(0.0).total_cmp(&a.1.unwrap_or(0.0)));
            flags.push(RedFlag {
                kind: "er_far_above_peers".into(),
                message: format!(
                    "engagement rate {:.1}x its peers' (at or above {}x): pods or bought likes?",
                    v, settings.er_index_high
                ),
                evidence: top
                    .iter()
                    .take(3)
                    .map(|(post, er)| Evidence {
                        kind: "post".into(),
                        id: post.clone(),
                        detail: format!("ER {}", percent(er.unwrap_or(0.0))),
                    })
                    .collect(),
            });
        }

        let sat = &r.saturation;
        if sat.over_sponsored {
            let posts = world.posts();
            let first = world.posts_of(id).start;
            flags.push(RedFlag {
                kind: "over_sponsored".into(),
                message: format!(
                    "{} of posts in the last {} days are sponsored (above {}), promoting {} brand(s)",
                    sat.sponsored_share.display_with(percent),
                    self.settings.saturation.window_days,
                    percent(self.settings.saturation.max_sponsored_share),
                    sat.brands.len()
                ),
                evidence: sat
                    .sponsored_posts
                    .iter()
                    .map(|(k, why)| Evidence {
                        kind: "post".into(),
                        id: posts.post_id(first + k).to_string(),
                        detail: why.clone(),
                    })
                    .collect(),
            });
        }
        flags
    }
}
