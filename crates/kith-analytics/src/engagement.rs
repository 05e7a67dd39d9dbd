//! Engagement rate, in DESIGN's named variants, over an account's recent
//! posts. Raw counts stay raw; each variant is a [`Figure`].

use crate::figure::{Confidence, Figure};
use crate::stats;
use kith_model::settings::Engagement as EngagementSettings;
use serde::{Deserialize, Serialize};

/// The counts of one post the engagement figures need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PostCounts {
    pub posted_at: Option<i64>,
    pub likes: Option<u64>,
    pub comments: Option<u64>,
    pub shares: Option<u64>,
    pub saves: Option<u64>,
    pub views: Option<u64>,
}

impl PostCounts {
    /// likes + comments + shares + saves, unknown parts as 0; `None` when
    /// neither likes nor comments are known (the post carries no engagement
    /// data at all, and 0 would be a false zero).
    pub fn engagements(&self) -> Option<u64> {
        if self.likes.is_none() && self.comments.is_none() {
            return None;
        }
        Some(
            self.likes.unwrap_or(0)
                + self.comments.unwrap_or(0)
                + self.shares.unwrap_or(0)
                + self.saves.unwrap_or(0),
        )
    }

    /// likes + comments + shares, the numerator of `er_views`.
    pub fn view_engagements(&self) -> Option<u64> {
        if self.likes.is_none() && self.comments.is_none() {
            return None;
        }
        Some(self.likes.unwrap_or(0) + self.comments.unwrap_or(0) + self.shares.unwrap_or(0))
    }
}

pub const ER_FOLLOWERS_MEDIAN: &str = "median over the window's posts of (likes + comments + shares + saves) / followers; followers as of the account's profile";
pub const ER_FOLLOWERS_MEAN: &str =
    "mean over the window's posts of (likes + comments + shares + saves) / followers";
pub const ER_VIEWS: &str =
    "median over the window's posts with views of (likes + comments + shares) / views";

/// The posts an engagement figure is taken over: the last `recent_posts`
/// posts at least `min_post_age_hours` old at `as_of`. `posts` is sorted by
/// time, oldest first, posts without a time first (their age cannot be
/// judged, so they are treated as old and are used only when fewer timed
/// posts exist). Returns indices into `posts`.
pub fn window(posts: &[PostCounts], as_of: i64, settings: &EngagementSettings) -> Vec<usize> {
    let cutoff = as_of - settings.min_post_age_hours as i64 * 3600;
    let mut eligible: Vec<usize> = Vec::with_capacity(posts.len());
    eligible.extend((0..posts.len()).filter(|&i| posts[i].posted_at.is_none_or(|t| t <= cutoff)));
    let skip = eligible.len().saturating_sub(settings.recent_posts);
    eligible.drain(..skip);
    eligible
}

/// The engagement figures of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagementFigures {
    pub er_followers_median: Figure,
    pub er_followers_mean: Figure,
    pub er_views: Figure,
    /// Indices (into the posts given) of the posts in the window.
    pub window_posts: Vec<usize>,
    /// Each window post's (likes + comments + shares + saves) / followers, in
    /// window order; `None` where the post has no engagement counts.
    pub post_er: Vec<Option<f64>>,
}

/// Computes the engagement variants. `followers` of 0 or unknown, or no
/// post in the window, give "not enough data", never a division by zero.
pub fn engagement(
    posts: &[PostCounts],
    followers: Option<u64>,
    as_of: i64,
    settings: &EngagementSettings,
) -> EngagementFigures {
    let window_posts = window(posts, as_of, settings);
    let window_text = crate::figure::settings_text(
        "engagement_window",
        [
            settings.recent_posts as u64,
            settings.min_post_age_hours as u64,
            0,
        ],
        || {
            format!(
                "last {} posts at least {} h old",
                settings.recent_posts, settings.min_post_age_hours
            )
        },
    );
    let observed = Some(as_of);
    let mk = |name: &'static str, def: &'static str| {
        Figure::new(name, def, "posts")
            .window(window_text.clone())
            .observed_at(observed)
    };
    let post_er: Vec<Option<f64>> = window_posts
        .iter()
        .map(|&i| match (posts[i].engagements(), followers) {
            (Some(e), Some(f)) if f > 0 => Some(e as f64 / f as f64),
            _ => None,
        })
        .collect();
    let rates: Vec<f64> = post_er.iter().flatten().copied().collect();
    let n = rates.len() as u64;
    let confidence = Confidence::from_sample(n, 6, 12);

    let why_none = if window_posts.is_empty() {
        if posts.is_empty() {
            "no posts".to_string()
        } else {
            format!("no post older than {} h", settings.min_post_age_hours)
        }
    } else if followers.is_none() {
        "follower count unknown".to_string()
    } else if followers == Some(0) {
        "0 followers".to_string()
    } else {
        "no post in the window has likes or comments".to_string()
    };

    let (median_fig, mean_fig) = if rates.is_empty() {
        (
            mk("er_followers_median", ER_FOLLOWERS_MEDIAN).not_enough(&why_none),
            mk("er_followers_mean", ER_FOLLOWERS_MEAN).not_enough(&why_none),
        )
    } else {
        let mut sorted = rates.clone();
        sorted.sort_by(f64::total_cmp);
        let median = stats::median_of_sorted(&sorted);
        let mean = stats::mean(&rates).unwrap_or(0.0);
        let mean_interval = stats::std_dev(&rates).map(|sd| {
            let half = stats::t975(rates.len() - 1) * sd / (rates.len() as f64).sqrt();
            ((mean - half).max(0.0), mean + half)
        });
        (
            mk("er_followers_median", ER_FOLLOWERS_MEDIAN)
                .sample(n)
                .value(median, confidence)
                .interval(stats::median_interval_of_sorted(&sorted)),
            mk("er_followers_mean", ER_FOLLOWERS_MEAN)
                .sample(n)
                .value(mean, confidence)
                .interval(mean_interval),
        )
    };

    let mut view_rates: Vec<f64> = window_posts
        .iter()
        .filter_map(|&i| match (posts[i].view_engagements(), posts[i].views) {
            (Some(e), Some(v)) if v > 0 => Some(e as f64 / v as f64),
            _ => None,
        })
        .collect();
    view_rates.sort_by(f64::total_cmp);
    let er_views = if view_rates.is_empty() {
        let why = if window_posts.is_empty() {
            why_none
        } else {
            "no post in the window has a view count".to_string()
        };
        mk("er_views", ER_VIEWS).not_enough(why)
    } else {
        let nv = view_rates.len() as u64;
        mk("er_views", ER_VIEWS)
            .sample(nv)
            .value(
                stats::median_of_sorted(&view_rates),
                Confidence::from_sample(nv, 6, 12),
            )
            .interval(stats::median_interval_of_sorted(&view_rates))
    };

    EngagementFigures {
        er_followers_median: median_fig,
        er_followers_mean: mean_fig,
        er_views,
        window_posts,
        post_er,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn post(day: i64, likes: u64, comments: u64) -> PostCounts {
        PostCounts {
            posted_at: Some(day * DAY),
            likes: Some(likes),
            comments: Some(comments),
            ..PostCounts::default()
        }
    }

    #[test]
    fn median_over_last_n_posts_older_than_a_day() {
        let settings = EngagementSettings::default(); // 12 posts, 24 h
        // 20 posts on days 1..=20 with likes = day; one fresh post today.
        let mut posts: Vec<PostCounts> = (1..=20).map(|d| post(d, d as u64 * 10, 0)).collect();
        posts.push(post(30, 1_000_000, 0));
        let as_of = 30 * DAY + 3600; // the last post is one hour old
        let f = engagement(&posts, Some(1000), as_of, &settings);
        assert_eq!(f.window_posts, (8..20).collect::<Vec<_>>());
        // likes 90..=200 step 10 over 1000 followers: median of 0.09..0.20 = 0.145
        let m = f.er_followers_median.value.unwrap();
        assert!((m - 0.145).abs() < 1e-12, "{m}");
        assert_eq!(f.er_followers_median.sample_size, 12);
        assert_eq!(f.er_followers_median.confidence, Confidence::High);
        assert!(f.er_followers_median.interval.is_some());
        assert!((f.er_followers_mean.value.unwrap() - 0.145).abs() < 1e-12);
        assert!(f.er_views.value.is_none());
    }

    #[test]
    fn one_viral_post_does_not_move_the_median() {
        let settings = EngagementSettings::default();
        let mut posts: Vec<PostCounts> = (1..=11).map(|d| post(d, 50, 0)).collect();
        posts.push(post(12, 100_000, 0));
        let f = engagement(&posts, Some(1000), 40 * DAY, &settings);
        assert_eq!(f.er_followers_median.value, Some(0.05));
        assert!(f.er_followers_mean.value.unwrap() > 8.0);
    }

    #[test]
    fn zero_followers_or_no_posts_is_not_enough_data() {
        let settings = EngagementSettings::default();
        let posts = vec![post(1, 10, 1)];
        for (posts, followers, why) in [
            (&posts[..], Some(0), "0 followers"),
            (&posts[..], None, "follower count unknown"),
            (&[][..], Some(100), "no posts"),
        ] {
            let f = engagement(posts, followers, 10 * DAY, &settings);
            assert_eq!(f.er_followers_median.value, None);
            let note = f.er_followers_median.note.clone().unwrap();
            assert!(note.contains(why), "{note}");
            let json = serde_json::to_string(&f).unwrap();
            assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
        }
        // Only a fresh post: the window is empty.
        let f = engagement(&posts, Some(100), DAY + 60, &settings);
        assert!(
            f.er_followers_median
                .note
                .unwrap()
                .contains("older than 24 h")
        );
    }

    #[test]
    fn views_variant_uses_posts_with_views_only() {
        let settings = EngagementSettings::default();
        let mut posts: Vec<PostCounts> = (1..=4).map(|d| post(d, 100, 10)).collect();
        posts[1].views = Some(1000);
        posts[2].views = Some(0);
        posts[3].shares = Some(90);
        posts[3].views = Some(2000);
        let f = engagement(&posts, Some(500), 10 * DAY, &settings);
        // (100 + 10) / 1000 = 0.11 and (100 + 10 + 90) / 2000 = 0.1
        assert_eq!(f.er_views.sample_size, 2);
        assert!((f.er_views.value.unwrap() - 0.105).abs() < 1e-12);
        assert_eq!(f.er_views.confidence, Confidence::Low);
    }

    #[test]
    fn untimed_posts_count_as_old() {
        let settings = EngagementSettings {
            recent_posts: 2,
            ..EngagementSettings::default()
        };
        let mut posts = vec![PostCounts {
            likes: Some(1),
            ..PostCounts::default()
        }];
        posts.push(post(5, 2, 0));
        assert_eq!(window(&posts, 10 * DAY, &settings), vec![0, 1]);
        posts.push(post(6, 3, 0));
        assert_eq!(window(&posts, 10 * DAY, &settings), vec![1, 2]);
    }
}
