//! Suspicious-follower share: of an account's followers the world holds a
//! profile for, the share the classifier calls fake, reported as a 95%
//! range with the sample size, never as a bare point.

use crate::figure::{Confidence, Figure};
use crate::stats;
use kith_model::settings::Authenticity;
use serde::{Deserialize, Serialize};

/// How many of the most suspicious followers a report names.
pub const EVIDENCE_FOLLOWERS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuspiciousFollowers {
    pub share: Figure,
    /// Followers the follow graph holds for the account.
    pub followers_in_graph: u64,
    /// Of those, with a profile the classifier could read.
    pub followers_seen: u64,
    pub suspicious: u64,
    /// Mean fake probability of the followers seen (the expected share if
    /// the probabilities are calibrated to the population's prior).
    pub mean_fake_probability: Option<f64>,
    /// The most suspicious followers: (node, fake probability), highest first.
    pub top: Vec<(u32, f32)>,
    /// The range starts at or above `authenticity.suspicious_share_flag`,
    /// over at least `authenticity.suspicious_min_sample` followers seen.
    /// The defaults (0.2 over 30) sit well above a clean audience, which
    /// the classifier puts near its false-positive rate (about 5%,
    /// docs/vetting.md), and below a bought one (typically 30% and up);
    /// the sample floor keeps one bot among one follower seen from
    /// reading as a bought audience.
    pub flagged: bool,
}

/// `followers` are the account's followers in the graph; `fake_probability`
/// gives each node's probability, `None` for nodes without a profile.
/// `declared` is the follower count on the account's profile, to say how
/// much of the audience the sample covers.
pub fn suspicious_followers(
    followers: &[u32],
    fake_probability: impl Fn(u32) -> Option<f32>,
    rule: &Authenticity,
    declared: Option<u64>,
    observed_at: Option<i64>,
) -> SuspiciousFollowers {
    let threshold = rule.fake_threshold;
    let mut seen = 0u64;
    let mut suspicious = 0u64;
    let mut sum = 0.0f64;
    let mut top: Vec<(u32, f32)> = Vec::new();
    for &f in followers {
        let Some(p) = fake_probability(f) else {
            continue;
        };
        seen += 1;
        sum += p as f64;
        if p as f64 >= threshold {
            suspicious += 1;
            top.push((f, p));
        }
    }
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(EVIDENCE_FOLLOWERS);
    let window = match declared {
        Some(d) => format!(
            "{seen} followers with a profile, of {} in the follow graph and {d} declared",
            followers.len()
        ),
        None => format!(
            "{seen} followers with a profile, of {} in the follow graph",
            followers.len()
        ),
    };
    let def = crate::figure::settings_text(
        "suspicious_follower_share",
        [threshold.to_bits(), 0, 0],
        || {
            format!(
                "followers with fake probability >= {threshold} / followers with a profile; the range is the Wilson 95% interval"
            )
        },
    );
    let base = Figure::new("suspicious_follower_share", def, "followers")
        .window(window)
        .observed_at(observed_at)
        .sample(seen);
    let share = if seen == 0 {
        base.not_enough(if followers.is_empty() {
            "the follow graph holds none of the account's followers"
        } else {
            "none of the account's followers has a profile in the world"
        })
    } else {
        let mut fig = base
            .value(
                suspicious as f64 / seen as f64,
                Confidence::from_sample(seen, 30, 300),
            )
            .interval(stats::wilson_interval(suspicious, seen));
        if let Some(d) = declared.filter(|&d| d > seen.saturating_mul(10)) {
            fig = fig.note(format!(
                "the sample covers under a tenth of the {d} declared followers; the range assumes they are a random sample"
            ));
        }
        fig
    };
    let flagged = seen >= rule.suspicious_min_sample
        && share
            .interval
            .is_some_and(|[lo, _]| lo >= rule.suspicious_share_flag);
    SuspiciousFollowers {
        share,
        followers_in_graph: followers.len() as u64,
        followers_seen: seen,
        suspicious,
        mean_fake_probability: (seen > 0).then(|| sum / seen as f64),
        top,
        flagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_a_range_over_followers_seen() {
        // Followers 0..100; 0..30 fake-looking, 90.. have no profile.
        let followers: Vec<u32> = (0..100).collect();
        let p = |n: u32| -> Option<f32> {
            if n >= 90 {
                None
            } else if n < 30 {
                Some(0.9)
            } else {
                Some(0.05)
            }
        };
        let s = suspicious_followers(&followers, p, &Authenticity::default(), Some(150), Some(7));
        assert_eq!(s.followers_seen, 90);
        assert_eq!(s.suspicious, 30);
        let [lo, hi] = s.share.interval.unwrap();
        assert!(lo < 1.0 / 3.0 && 1.0 / 3.0 < hi);
        assert!(s.flagged, "lower bound {lo}");
        assert_eq!(s.top.len(), EVIDENCE_FOLLOWERS);
        assert_eq!(s.top[0], (0, 0.9));
        assert!(s.share.window.contains("150 declared"));
        assert!(
            s.share
                .display_with(crate::figure::percent)
                .contains(" to ")
        );
    }

    #[test]
    fn a_clean_audience_is_not_flagged() {
        let followers: Vec<u32> = (0..500).collect();
        let s = suspicious_followers(
            &followers,
            |n| Some(if n % 20 == 0 { 0.8 } else { 0.1 }),
            &Authenticity::default(),
            None,
            None,
        );
        assert_eq!(s.suspicious, 25);
        assert!(!s.flagged);
    }

    #[test]
    fn no_followers_or_no_profiles_is_not_enough_data() {
        let s = suspicious_followers(&[], |_| Some(0.9), &Authenticity::default(), Some(10), None);
        assert_eq!(s.share.value, None);
        assert!(s.share.note.unwrap().contains("follow graph holds none"));
        let s = suspicious_followers(&[1, 2], |_| None, &Authenticity::default(), Some(10), None);
        assert!(s.share.note.unwrap().contains("has a profile"));
        assert!(!s.flagged);
        assert_eq!(s.mean_fake_probability, None);
        // One bot among one follower seen: a wide range, no flag.
        let rule = Authenticity::default();
        let s = suspicious_followers(&[1], |_| Some(0.9), &rule, Some(300), None);
        assert!(s.share.interval.unwrap()[0] > rule.suspicious_share_flag && !s.flagged);
        // The same follower flags once the sample floor allows it.
        let lenient = Authenticity {
            suspicious_min_sample: 1,
            ..Authenticity::default()
        };
        assert!(suspicious_followers(&[1], |_| Some(0.9), &lenient, None, None).flagged);
    }
}
