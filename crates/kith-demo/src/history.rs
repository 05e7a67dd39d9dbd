//! Follower history: a daily series of follower and following counts for
//! every creator and brand, ending at the declared counts. Ordinary days
//! change by about 1% (DESIGN's typical daily change); bought followers
//! arrive as spikes on their purchase dates; follow/unfollow automation shows
//! as spikes in the following count that fall back within days.

use crate::cast::{Anomaly, Cast, Role};
use crate::rng::{Draw, Stage, rng};
use crate::truth::SpikeTruth;
use kith_model::{Account, HistoryPoint};
use rand::Rng;

/// Days of history per account.
pub(crate) const HISTORY_DAYS: i32 = 90;
/// Mean and spread of an account's daily growth rate.
const GROWTH_MEAN: f64 = 0.0015;
const GROWTH_SD: f64 = 0.0015;
/// Standard deviation of the daily follower change, as a share of followers.
const DAILY_SD: f64 = 0.008;
/// Standard deviation of the daily following change.
const FOLLOWING_DAILY_SD: f64 = 0.003;

/// The last day with a history point: the day before `now` when `now` is
/// midnight, so every point is a complete day.
pub(crate) fn last_day(now: i64) -> i32 {
    (now - 1).div_euclid(86_400) as i32
}

/// Whether account `i` has a history: creators and brands of at least the
/// nano tier.
pub(crate) fn has_history(cast: &Cast, accounts: &[Account], i: usize) -> bool {
    let role = cast.personas[i].role;
    (role == Role::Creator || role == Role::Brand)
        && accounts[i].followers.unwrap_or(0) >= cast.tiers.nano
}

/// Account `i`'s daily points (none if it has no history).
pub(crate) fn points(cast: &Cast, accounts: &[Account], i: usize) -> Vec<HistoryPoint> {
    if has_history(cast, accounts, i) {
        series(cast, accounts, i).0
    } else {
        Vec::new()
    }
}

/// The planted spikes: (follower spikes, following spikes), in account order.
pub(crate) fn spikes(cast: &Cast, accounts: &[Account]) -> (Vec<SpikeTruth>, Vec<SpikeTruth>) {
    let mut followers = Vec::new();
    let mut following = Vec::new();
    for i in 0..cast.len() {
        let planted = matches!(
            cast.personas[i].anomaly,
            Anomaly::BoughtFollowers { .. } | Anomaly::FollowChurn
        );
        if planted && has_history(cast, accounts, i) {
            let (_, f, g) = series(cast, accounts, i);
            followers.extend(f);
            following.extend(g);
        }
    }
    (followers, following)
}

/// An ordinary day's change in standard deviations: normal, cut at 2.5.
/// Viral days are not modelled, so that the planted spikes are the only
/// days a robust z-score of 5 flags: with the MAD estimated from 89 days, an
/// uncut normal passes |z| = 5 about once in 100,000 days, and a cut at 3
/// still did once in 350,000.
fn ordinary_day<R: Rng>(r: &mut R) -> f64 {
    r.std_normal().clamp(-2.5, 2.5)
}

/// Days before the last day on which spikes happen, at least `gap` apart.
fn spike_days<R: Rng>(r: &mut R, count: usize, range: std::ops::Range<i32>, gap: i32) -> Vec<i32> {
    let mut days: Vec<i32> = Vec::new();
    while days.len() < count {
        let d = r.gen_range(range.clone());
        if days.iter().all(|&o| (o - d).abs() >= gap) {
            days.push(d);
        }
    }
    days.sort_unstable();
    days
}

fn series(
    cast: &Cast,
    accounts: &[Account],
    i: usize,
) -> (Vec<HistoryPoint>, Vec<SpikeTruth>, Vec<SpikeTruth>) {
    let p = &cast.personas[i];
    let a = &accounts[i];
    let mut r = rng(cast.seed, Stage::History, i as u64);
    let last = last_day(cast.now);
    let id = format!("{}:{}", a.platform, a.handle);
    let n = HISTORY_DAYS as usize;

    // Bought followers: one or two purchases, 8 to 80 days ago.
    let mut purchases: Vec<(i32, u64)> = Vec::new();
    if let Anomaly::BoughtFollowers { .. } = p.anomaly {
        let bought = p.followers.saturating_sub(p.organic_followers);
        let batches = if r.chance(0.4) { 2 } else { 1 };
        let days = spike_days(&mut r, batches, 8..80, 6);
        let first = if batches == 2 {
            bought * r.gen_range(35..65) / 100
        } else {
            bought
        };
        purchases.push((days[0], first));
        if batches == 2 {
            purchases.push((days[1], bought - first));
        }
    }

    // Followers, built backwards from today's declared count.
    let growth = GROWTH_MEAN + GROWTH_SD * r.std_normal();
    let mut followers = vec![0u64; n];
    let mut f = a.followers.unwrap_or(0) as f64;
    for back in 0..n {
        followers[n - 1 - back] = f.max(0.0).round() as u64;
        let mut change = f * (growth + DAILY_SD * ordinary_day(&mut r)) / (1.0 + growth);
        if let Some(&(_, added)) = purchases.iter().find(|(d, _)| *d == back as i32) {
            change += added as f64;
        }
        f -= change;
    }

    // Following: small noise, plus automation cycles for churners. A cycle
    // follows `j` accounts in one day and unfollows them over three.
    let mut churn: Vec<(i32, u64)> = Vec::new();
    if p.anomaly == Anomaly::FollowChurn {
        let cycles = r.gen_range(2..=3);
        let base = a.following.unwrap_or(500) as f64;
        for d in spike_days(&mut r, cycles, 8..85, 10) {
            churn.push((d, (base * r.gen_range(0.8..2.0)).max(400.0) as u64));
        }
    }
    let mut following = vec![0u64; n];
    let mut g = a.following.unwrap_or(0) as f64;
    for back in 0..n {
        following[n - 1 - back] = g.max(0.0).round() as u64;
        g -= g * FOLLOWING_DAILY_SD * ordinary_day(&mut r);
    }
    for &(d, j) in &churn {
        // Overlay on days d (the jump), d-1 and d-2 (unfollowing), counted back from the last day.
        for (offset, share) in [(0, 3), (1, 2), (2, 1)] {
            let back = d - offset;
            if back >= 0 {
                following[n - 1 - back as usize] += j * share / 3;
            }
        }
    }

    let points = (0..n)
        .map(|k| HistoryPoint {
            platform: a.platform,
            handle: a.handle.clone(),
            date: last - (HISTORY_DAYS - 1) + k as i32,
            followers: Some(followers[k]),
            following: Some(following[k]),
        })
        .collect();
    let date = |back: i32| kith_model::time::format_date(last - back);
    let follower_spikes = purchases
        .iter()
        .map(|&(d, added)| SpikeTruth {
            account: id.clone(),
            date: date(d),
            added,
        })
        .collect();
    let following_spikes = churn
        .iter()
        .map(|&(d, added)| SpikeTruth {
            account: id.clone(),
            date: date(d),
            added,
        })
        .collect();
    (points, follower_spikes, following_spikes)
}
