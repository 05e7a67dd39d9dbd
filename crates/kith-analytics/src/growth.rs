//! Growth anomalies: days on which an account's follower (or following)
//! count moved far outside its own usual daily change: bought followers
//! arriving, a purge, follow/unfollow automation.
//!
//! For consecutive history points (d1, v1), (d2, v2) with v1 > 0, the daily
//! change is r = (v2 - v1) / v1 / (d2 - d1): relative, so accounts of every
//! size compare, and per day, so gaps in the history do not look like
//! jumps. Its robust z-score is z = (r - median(r)) / s with
//! s = max(1.4826 * MAD(r), `growth_scale_floor`): the MAD makes one spike
//! unable to hide itself by inflating the scale (as a standard deviation
//! would), and the floor (default 0.5%, half of the typical 1% daily
//! change) keeps an account with a very steady history from flagging
//! ordinary noise. A day is an anomaly when |z| >= `growth_robust_z` and
//! the count moved by at least `growth_min_daily_change` a day (default
//! 10: below that a change is noise whatever its z). A history of fewer
//! than `growth_min_changes` daily changes (default 7) gives no robust
//! baseline. All four live in kith.toml's `[authenticity]`.

use crate::figure::{Confidence, Figure};
use crate::stats;
use kith_model::settings::Authenticity;
use serde::{Deserialize, Serialize};

/// One anomalous day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Days since 1970-01-01 of the later point.
    pub date: i32,
    /// Days since the previous point.
    pub gap_days: i32,
    pub before: u64,
    pub after: u64,
    /// Relative change per day.
    pub daily_change: f64,
    pub robust_z: f64,
}

/// The anomalies of one series, with the figure that counts them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthAnomalies {
    pub figure: Figure,
    /// Median relative daily change (the account's usual growth).
    pub typical_daily_change: Option<f64>,
    pub anomalies: Vec<Anomaly>,
}

/// The figure's definition for `what` under `rule`: the same for every
/// account, so made once (see [`crate::figure::settings_text`]).
fn definition(what: &str, rule: &Authenticity) -> crate::figure::Text {
    let numbers = [
        rule.growth_robust_z.to_bits(),
        rule.growth_scale_floor.to_bits(),
        rule.growth_min_daily_change.to_bits(),
    ];
    let make = || {
        format!(
            "days whose relative daily {what} change has |robust z| >= {} (z = (r - median r) / max(1.4826 MAD, {:.1}%)) and moves at least {} a day",
            rule.growth_robust_z,
            rule.growth_scale_floor * 100.0,
            rule.growth_min_daily_change
        )
    };
    match what {
        "followers" => crate::figure::settings_text("followers_growth", numbers, make),
        "following" => crate::figure::settings_text("following_growth", numbers, make),
        _ => make().into(),
    }
}

/// Finds anomalies in `(date, count)` points sorted by date; unknown counts
/// are skipped. `what` names the series ("followers" or "following").
pub fn growth_anomalies(
    points: &[(i32, Option<u64>)],
    what: &str,
    rule: &Authenticity,
) -> GrowthAnomalies {
    let z_threshold = rule.growth_robust_z;
    let (scale_floor, min_daily_change) = (rule.growth_scale_floor, rule.growth_min_daily_change);
    let min_changes = rule.growth_min_changes;
    let known: Vec<(i32, u64)> = points
        .iter()
        .filter_map(|&(d, v)| v.map(|v| (d, v)))
        .collect();
    let mut changes = Vec::new(); // (index of later point, rate)
    for (j, w) in known.windows(2).enumerate() {
        let ((d1, v1), (d2, v2)) = (w[0], w[1]);
        if v1 == 0 || d2 <= d1 {
            continue;
        }
        let rate = (v2 as f64 - v1 as f64) / v1 as f64 / (d2 - d1) as f64;
        changes.push((j + 1, rate));
    }
    let name: crate::figure::Text = match what {
        "followers" => "followers_growth_anomalies".into(),
        "following" => "following_growth_anomalies".into(),
        _ => format!("{what}_growth_anomalies").into(),
    };
    let def = definition(what, rule);
    let window = match (known.first(), known.last()) {
        (Some(a), Some(b)) => format!(
            "{} to {}",
            kith_model::time::format_date(a.0),
            kith_model::time::format_date(b.0)
        ),
        _ => "no history".to_string(),
    };
    let observed = known.last().map(|&(d, _)| d as i64 * 86_400);
    let base = Figure::new(name, def, "daily changes")
        .window(window)
        .observed_at(observed)
        .sample(changes.len() as u64);
    if changes.len() < min_changes {
        return GrowthAnomalies {
            figure: base.not_enough(format!(
                "{} daily {what} changes in the history, need {min_changes}",
                changes.len()
            )),
            typical_daily_change: None,
            anomalies: Vec::new(),
        };
    }
    let rates: Vec<f64> = changes.iter().map(|c| c.1).collect();
    let median = stats::median(&rates).unwrap_or(0.0);
    let scale = (1.4826 * stats::mad(&rates).unwrap_or(0.0)).max(scale_floor);
    let anomalies: Vec<Anomaly> = changes
        .iter()
        .filter_map(|&(j, rate)| {
            let z = (rate - median) / scale;
            let (d1, v1) = known[j - 1];
            let (d2, v2) = known[j];
            let per_day = (v2 as f64 - v1 as f64).abs() / (d2 - d1) as f64;
            (z.abs() >= z_threshold && per_day >= min_daily_change).then_some(Anomaly {
                date: d2,
                gap_days: d2 - d1,
                before: v1,
                after: v2,
                daily_change: rate,
                robust_z: z,
            })
        })
        .collect();
    let confidence = Confidence::from_sample(changes.len() as u64, 14, 60);
    GrowthAnomalies {
        figure: base.value(anomalies.len() as f64, confidence),
        typical_daily_change: Some(median),
        anomalies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 60 days of ~1% growth with small wobble from 10,000 followers.
    fn organic() -> Vec<(i32, Option<u64>)> {
        let mut v = 10_000.0f64;
        (0..60)
            .map(|d| {
                let wobble = [0.004, 0.012, 0.009, 0.015, 0.007][d as usize % 5];
                v *= 1.0 + wobble;
                (18_000 + d, Some(v as u64))
            })
            .collect()
    }

    #[test]
    fn organic_growth_has_no_anomaly() {
        let g = growth_anomalies(&organic(), "followers", &Authenticity::default());
        assert_eq!(g.anomalies, vec![]);
        assert_eq!(g.figure.value, Some(0.0));
        assert_eq!(g.figure.sample_size, 59);
        assert!((g.typical_daily_change.unwrap() - 0.009).abs() < 0.002);
    }

    #[test]
    fn a_bought_spike_and_its_date_are_found() {
        let mut pts = organic();
        // +5,000 followers on day 18,030, kept afterwards.
        for p in pts.iter_mut().skip(30) {
            p.1 = p.1.map(|v| v + 5_000);
        }
        let g = growth_anomalies(&pts, "followers", &Authenticity::default());
        assert_eq!(g.anomalies.len(), 1, "{:?}", g.anomalies);
        assert_eq!(g.anomalies[0].date, 18_030);
        assert!(g.anomalies[0].robust_z > 5.0);
        assert_eq!(g.figure.value, Some(1.0));
        // A floor on the daily move above the spike's 5,000 silences it.
        let strict = Authenticity {
            growth_min_daily_change: 6_000.0,
            ..Authenticity::default()
        };
        assert!(
            growth_anomalies(&pts, "followers", &strict)
                .anomalies
                .is_empty()
        );
    }

    #[test]
    fn gaps_are_spread_over_their_days() {
        // 20% over a 30-day gap is under 1% a day: not an anomaly.
        let mut pts = organic();
        pts.truncate(20);
        let last = pts.last().unwrap().1.unwrap();
        pts.push((18_000 + 50, Some((last as f64 * 1.2) as u64)));
        let g = growth_anomalies(&pts, "followers", &Authenticity::default());
        assert!(g.anomalies.is_empty(), "{:?}", g.anomalies);
    }

    #[test]
    fn short_or_empty_history_is_not_enough_data() {
        let g = growth_anomalies(&organic()[..5], "following", &Authenticity::default());
        assert_eq!(g.figure.value, None);
        assert!(g.figure.note.unwrap().contains("need 7"));
        let g = growth_anomalies(&[], "followers", &Authenticity::default());
        assert_eq!(g.figure.window, "no history");
        // Zero counts cannot give a relative change; no division by zero.
        let zeros: Vec<(i32, Option<u64>)> = (0..20).map(|d| (d, Some(0))).collect();
        assert_eq!(
            growth_anomalies(&zeros, "followers", &Authenticity::default())
                .figure
                .value,
            None
        );
    }
}
