//! Brand saturation: how much of an account's feed is paid, for how many
//! brands, and how paid posts perform against its organic ones.
//!
//! A post is sponsored when its `sponsored` column is true (the platform's
//! paid-partnership flag, or an importer's judgement) or one of its
//! hashtags is a disclosure tag of the settings (#ad, #anzeige, #publicidad,
//! #reklaam, #広告 ... in many languages). Either signal suffices: a
//! `sponsored` of false says the platform showed no paid-partnership label,
//! which many paid posts lack while disclosing by hashtag.

use crate::figure::{Confidence, Figure};
use crate::stats;
use kith_model::settings::Saturation as SaturationSettings;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The disclosure tags of the settings, normalised for lookup.
#[derive(Debug, Clone)]
pub struct Disclosure {
    tags: FxHashSet<String>,
    /// A 4,096-bit filter over (length, first, middle and last byte) of the
    /// tags: nearly every hashtag is ruled out by four byte loads, before
    /// any hashing (a 1M-account `kith score` checks some 50M of them).
    filter: Box<[u64; 64]>,
}

fn filter_slot(tag: &[u8]) -> Option<usize> {
    let (&first, &last) = (tag.first()?, tag.last()?);
    let n = tag.len();
    let mixed = n
        .wrapping_mul(0x9E37)
        .wrapping_add(first as usize)
        .wrapping_mul(0x9E37)
        .wrapping_add(last as usize)
        .wrapping_mul(0x9E37)
        .wrapping_add(tag[n / 2] as usize);
    Some(mixed % 4096)
}

impl Disclosure {
    pub fn new(settings: &SaturationSettings) -> Disclosure {
        let tags: FxHashSet<String> = settings
            .disclosure_tags
            .iter()
            .filter_map(|t| kith_model::text::normalize_tag(t))
            .collect();
        let mut filter = Box::new([0u64; 64]);
        for slot in tags.iter().filter_map(|t| filter_slot(t.as_bytes())) {
            filter[slot / 64] |= 1 << (slot % 64);
        }
        Disclosure { tags, filter }
    }

    /// Takes bytes so that a post's hashtags need not be validated as UTF-8
    /// before a tag can be ruled out (a fifth of the disclosure scan's time).
    fn is_disclosure(&self, tag: &[u8]) -> bool {
        // Stored hashtags are normalised already; lowercase (and allocate)
        // only the rare one that is not, whose bytes may change.
        if tag.iter().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            return std::str::from_utf8(tag).is_ok_and(|t| self.tags.contains(&t.to_lowercase()));
        }
        match filter_slot(tag) {
            Some(slot) => {
                self.filter[slot / 64] & (1 << (slot % 64)) != 0
                    && std::str::from_utf8(tag).is_ok_and(|t| self.tags.contains(t))
            }
            None => false,
        }
    }

    /// Why a post counts as sponsored, or `None`.
    pub fn evidence<T: AsRef<[u8]>>(
        &self,
        sponsored: Option<bool>,
        hashtags: impl IntoIterator<Item = T>,
    ) -> Option<String> {
        if sponsored == Some(true) {
            return Some("sponsored flag".to_string());
        }
        hashtags.into_iter().find_map(|h| {
            let h = h.as_ref();
            self.is_disclosure(h)
                .then(|| format!("#{}", String::from_utf8_lossy(h)))
        })
    }
}

/// What saturation needs of one post.
#[derive(Debug, Clone, PartialEq)]
pub struct PostSponsorship {
    pub posted_at: Option<i64>,
    /// `Some(why)` when sponsored.
    pub sponsored: Option<String>,
    /// Accounts the post mentions (normalised handles).
    pub mentions: Vec<String>,
    /// likes + comments + shares + saves, when known.
    pub engagements: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaturationFigures {
    pub sponsored_share: Figure,
    pub brands_promoted: Figure,
    pub paid_post_performance: Figure,
    /// Distinct accounts mentioned in sponsored posts of the window.
    pub brands: Vec<String>,
    /// Indices of the window's sponsored posts, with the evidence.
    pub sponsored_posts: Vec<(usize, String)>,
    /// Sponsored share above `max_sponsored_share`.
    pub over_sponsored: bool,
}

/// Saturation over posts in (as_of - window_days, as_of]. `own_handle` is
/// left out of the brands (accounts mention themselves).
pub fn saturation(
    posts: &[PostSponsorship],
    own_handle: &str,
    as_of: i64,
    settings: &SaturationSettings,
) -> SaturationFigures {
    let from = as_of - settings.window_days as i64 * 86_400;
    let in_window: Vec<usize> = (0..posts.len())
        .filter(|&i| posts[i].posted_at.is_some_and(|t| t > from && t <= as_of))
        .collect();
    let window = crate::figure::settings_text(
        "saturation_window",
        [settings.window_days as u64, 0, 0],
        || format!("posts of the last {} days", settings.window_days),
    );
    let mk = |name: &'static str, def: &'static str, unit: &'static str| {
        Figure::new(name, def, unit)
            .window(window.clone())
            .observed_at(Some(as_of))
    };
    let sponsored_posts: Vec<(usize, String)> = in_window
        .iter()
        .filter_map(|&i| posts[i].sponsored.clone().map(|why| (i, why)))
        .collect();
    let n = in_window.len() as u64;
    let k = sponsored_posts.len() as u64;
    let share_def = "sponsored posts / posts (sponsored: the sponsored column, or a disclosure hashtag of saturation.disclosure_tags)";
    let sponsored_share = if n == 0 {
        mk("sponsored_share", share_def, "posts").not_enough(format!(
            "no timed post in the last {} days",
            settings.window_days
        ))
    } else {
        mk("sponsored_share", share_def, "posts")
            .sample(n)
            .value(k as f64 / n as f64, Confidence::from_sample(n, 6, 12))
            .interval(stats::wilson_interval(k, n))
    };

    let own = own_handle.to_lowercase();
    let brands: BTreeSet<String> = sponsored_posts
        .iter()
        .flat_map(|(i, _)| posts[*i].mentions.iter())
        .filter(|m| **m != own)
        .cloned()
        .collect();
    let brands_def = "distinct accounts mentioned in the window's sponsored posts";
    let brands_promoted = if n == 0 {
        mk("brands_promoted", brands_def, "posts").not_enough(format!(
            "no timed post in the last {} days",
            settings.window_days
        ))
    } else {
        mk("brands_promoted", brands_def, "posts")
            .sample(k)
            .value(brands.len() as f64, Confidence::from_sample(n, 6, 12))
    };

    let engagements = |sponsored: bool| -> Vec<f64> {
        in_window
            .iter()
            .filter(|&&i| posts[i].sponsored.is_some() == sponsored)
            .filter_map(|&i| posts[i].engagements.map(|e| e as f64))
            .collect()
    };
    let (paid, organic) = (engagements(true), engagements(false));
    let perf_def = "median engagements of sponsored posts / median engagements of organic posts (= sponsored ER / organic ER at the same follower count)";
    let perf =
        mk("paid_post_performance", perf_def, "posts").sample((paid.len() + organic.len()) as u64);
    let paid_post_performance = match (stats::median(&paid), stats::median(&organic)) {
        (Some(p), Some(o)) if o > 0.0 => {
            let fewer = paid.len().min(organic.len()) as u64;
            perf.value(p / o, Confidence::from_sample(fewer, 3, 6))
        }
        (None, _) => perf.not_enough("no sponsored post with engagement counts in the window"),
        (_, None) => perf.not_enough("no organic post with engagement counts in the window"),
        _ => perf.not_enough("organic posts' median engagement is 0"),
    };
    let over_sponsored = sponsored_share
        .value
        .is_some_and(|s| s > settings.max_sponsored_share);
    SaturationFigures {
        sponsored_share,
        brands_promoted,
        paid_post_performance,
        brands: brands.into_iter().collect(),
        sponsored_posts,
        over_sponsored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn post(day: i64, why: Option<&str>, mentions: &[&str], e: u64) -> PostSponsorship {
        PostSponsorship {
            posted_at: Some(day * DAY),
            sponsored: why.map(str::to_string),
            mentions: mentions.iter().map(|s| s.to_string()).collect(),
            engagements: Some(e),
        }
    }

    #[test]
    fn disclosure_in_many_languages_and_the_flag() {
        let d = Disclosure::new(&SaturationSettings::default());
        for tag in [
            "ad",
            "Anzeige",
            "werbung",
            "publicidad",
            "reklaam",
            "sponsorisé",
            "広告",
            "mainos",
            "reclame",
            "samarbete",
            "promocja",
        ] {
            assert!(d.evidence(None, [tag]).is_some(), "{tag}");
        }
        assert_eq!(d.evidence(None, ["travel", "adventure"]), None);
        assert_eq!(
            d.evidence(Some(true), [""; 0]),
            Some("sponsored flag".into())
        );
        assert_eq!(d.evidence(Some(false), ["ad"]), Some("#ad".into()));
        assert_eq!(d.evidence(Some(false), ["travel"]), None);
    }

    #[test]
    fn share_brands_and_paid_performance() {
        let settings = SaturationSettings::default(); // 90 days, 0.3
        let posts = vec![
            post(1, Some("#ad"), &["nike"], 100), // outside the window
            post(50, Some("#ad"), &["acme", "me"], 50),
            post(60, Some("sponsored flag"), &["globex"], 70),
            post(70, None, &["friend"], 100),
            post(80, None, &[], 120),
            post(85, Some("#werbung"), &["acme"], 60),
        ];
        let s = saturation(&posts, "me", 100 * DAY, &settings);
        assert_eq!(s.sponsored_share.sample_size, 5);
        assert_eq!(s.sponsored_share.value, Some(0.6));
        assert!(s.over_sponsored);
        assert_eq!(s.brands, vec!["acme".to_string(), "globex".to_string()]);
        assert_eq!(s.brands_promoted.value, Some(2.0));
        // median(50, 70, 60) / median(100, 120) = 60 / 110
        assert!((s.paid_post_performance.value.unwrap() - 60.0 / 110.0).abs() < 1e-12);
        assert_eq!(s.sponsored_posts.len(), 3);
    }

    #[test]
    fn no_posts_or_no_organic_posts_is_not_enough_data() {
        let settings = SaturationSettings::default();
        let s = saturation(&[], "me", 100 * DAY, &settings);
        assert_eq!(s.sponsored_share.value, None);
        assert!(!s.over_sponsored);
        let posts = vec![post(95, Some("#ad"), &[], 10)];
        let s = saturation(&posts, "me", 100 * DAY, &settings);
        assert_eq!(s.sponsored_share.value, Some(1.0));
        assert!(
            s.paid_post_performance
                .note
                .unwrap()
                .contains("no organic post")
        );
        let posts = vec![post(95, Some("#ad"), &[], 10), post(96, None, &[], 0)];
        let s = saturation(&posts, "me", 100 * DAY, &settings);
        assert!(
            s.paid_post_performance
                .note
                .unwrap()
                .contains("median engagement is 0")
        );
    }
}
