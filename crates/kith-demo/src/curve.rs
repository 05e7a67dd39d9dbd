//! How much engagement a post gets: the Instagram engagement-rate curve the
//! world is built on, and TikTok's flat one.
//!
//! The Instagram curve is calibrated on `worlds/instagram-engagement` (700
//! real accounts, 57,816 posts, 2018): median over an account's last 12 posts
//! of (likes + comments) / followers, then the median per follower band.
//! docs/demo.md lists the measured bands next to the curve's values.

/// Followers below which Instagram ER is nearly flat (measured bands 100-1k:
/// 0.22-0.25).
const FLAT_UNTIL: f64 = 1_000.0;
/// ER at [`FLAT_UNTIL`] followers (measured 1k-2k band: 0.146 median, 500-1k:
/// 0.223; the knee sits between them).
const ER_AT_KNEE: f64 = 0.20;
/// Log-log slope below the knee (the 100-1k bands fall by a few percent).
const SLOPE_SMALL: f64 = -0.08;
/// Log-log slope from 1k to [`STEEP_UNTIL`] (fits 1k-2k: 0.146, 2k-5k: 0.125,
/// 10k-20k: 0.040).
const SLOPE_STEEP: f64 = -0.55;
/// Followers where the steep fall ends (DESIGN: "steep up to ~20k").
const STEEP_UNTIL: f64 = 20_000.0;
/// Log-log slope above [`STEEP_UNTIL`]: flatter, giving about 3% at 100k and
/// 2% at 1M.
const SLOPE_LARGE: f64 = -0.15;

/// Typical Instagram engagement rate ((likes + comments) / followers) of an
/// account with this many followers.
pub(crate) fn instagram_er(followers: f64) -> f64 {
    let f = followers.max(10.0);
    if f <= FLAT_UNTIL {
        ER_AT_KNEE * (f / FLAT_UNTIL).powf(SLOPE_SMALL)
    } else if f <= STEEP_UNTIL {
        ER_AT_KNEE * (f / FLAT_UNTIL).powf(SLOPE_STEEP)
    } else {
        instagram_er(STEEP_UNTIL) * (f / STEEP_UNTIL).powf(SLOPE_LARGE)
    }
}

/// Spread of accounts around the curve: log-space standard deviation of the
/// account's ER relative to its band (measured: the 200-500 band's quartiles
/// 0.185 and 0.317 give 0.40).
pub(crate) const ACCOUNT_SIGMA: f64 = 0.40;
/// Spread of one account's posts around its own level: median over accounts
/// of the standard deviation of ln(likes + comments) over their posts (0.37).
pub(crate) const POST_SIGMA: f64 = 0.37;
/// Median comments per like (measured per account: median 0.0185, deciles
/// 0.007 to 0.055).
pub(crate) const COMMENTS_PER_LIKE: f64 = 0.0185;
/// Log-space spread of comments per like between accounts (the deciles above).
pub(crate) const COMMENTS_PER_LIKE_SIGMA: f64 = 0.7;
/// Paid posts get less engagement than organic ones (paid post performance).
pub(crate) const SPONSORED_ENGAGEMENT: f64 = 0.7;

/// TikTok: views per follower on a video, median (no calibration data in the
/// shared folder; TikTok distributes by interest, so views do not scale down
/// with audience size).
pub(crate) const TIKTOK_VIEWS_PER_FOLLOWER: f64 = 0.6;
/// Log-space spread of views per post.
pub(crate) const TIKTOK_VIEWS_SIGMA: f64 = 0.9;
/// TikTok: likes per view, median; flat in follower count.
pub(crate) const TIKTOK_LIKES_PER_VIEW: f64 = 0.08;
/// TikTok: shares and saves per like.
pub(crate) const TIKTOK_SHARES_PER_LIKE: f64 = 0.03;
pub(crate) const TIKTOK_SAVES_PER_LIKE: f64 = 0.02;

/// Share of its eventual engagement a post has collected at this age
/// (engagement mostly arrives within a day; DESIGN leaves posts younger than
/// 24 h out of ER for this reason).
pub(crate) fn collected_share(age_hours: f64) -> f64 {
    if age_hours >= 24.0 {
        1.0
    } else {
        0.3 + 0.7 * (age_hours.max(0.0) / 24.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_steeply_then_flattens() {
        let er = instagram_er;
        assert!(er(300.0) > er(1_000.0));
        // Steep: 1k -> 20k loses most of the rate.
        assert!(er(20_000.0) / er(1_000.0) < 0.25);
        // Flat after: 20k -> 1M loses less than half.
        assert!(er(1_000_000.0) / er(20_000.0) > 0.5);
        // Continuous at the joins.
        for knee in [FLAT_UNTIL, STEEP_UNTIL] {
            let (a, b) = (er(knee * 0.999), er(knee * 1.001));
            assert!((a / b - 1.0).abs() < 0.01, "{knee}: {a} vs {b}");
        }
    }

    #[test]
    fn young_posts_have_collected_less() {
        assert!(collected_share(1.0) < collected_share(12.0));
        assert_eq!(collected_share(30.0), 1.0);
    }
}
