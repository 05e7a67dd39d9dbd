//! Workspace settings: `kith.toml`. Every threshold a user might disagree
//! with lives here, never as a constant in code. [`DEFAULT_TOML`] is what
//! `kith init` writes: every setting, its default, and a one-line comment.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The settings file `kith init` writes. Parsing it gives [`Settings::default`]
/// (a test holds the two together).
pub const DEFAULT_TOML: &str = include_str!("default_settings.toml");

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// All of `kith.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub tiers: Tiers,
    pub engagement: Engagement,
    pub curve: Curve,
    pub authenticity: Authenticity,
    pub saturation: Saturation,
    pub weights: Weights,
    pub costs: Costs,
    pub overlap: Overlap,
    pub discovery: Discovery,
    pub tracking: Tracking,
}

/// Follower-count tiers: each value is the tier's lower bound; a tier runs to
/// the next one's bound. Accounts below `nano` are "below-nano".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tiers {
    pub nano: u64,
    pub micro: u64,
    pub mid: u64,
    #[serde(rename = "macro")]
    pub macro_: u64,
    pub mega: u64,
}

/// A follower-count tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    BelowNano,
    Nano,
    Micro,
    Mid,
    Macro,
    Mega,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::BelowNano => "below-nano",
            Tier::Nano => "nano",
            Tier::Micro => "micro",
            Tier::Mid => "mid",
            Tier::Macro => "macro",
            Tier::Mega => "mega",
        }
    }
}

impl Tiers {
    /// The tier of a follower count.
    pub fn tier_of(&self, followers: u64) -> Tier {
        if followers >= self.mega {
            Tier::Mega
        } else if followers >= self.macro_ {
            Tier::Macro
        } else if followers >= self.mid {
            Tier::Mid
        } else if followers >= self.micro {
            Tier::Micro
        } else if followers >= self.nano {
            Tier::Nano
        } else {
            Tier::BelowNano
        }
    }
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            nano: 1_000,
            micro: 10_000,
            mid: 100_000,
            macro_: 500_000,
            mega: 1_000_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Engagement {
    pub recent_posts: usize,
    pub min_post_age_hours: u32,
    pub default_variant: String,
}

impl Default for Engagement {
    fn default() -> Self {
        Engagement {
            recent_posts: 12,
            min_post_age_hours: 24,
            default_variant: "er_followers_median".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Curve {
    pub bands_per_decade: u32,
    pub min_band_accounts: usize,
    pub smoothing_bands: usize,
}

impl Default for Curve {
    fn default() -> Self {
        Curve {
            bands_per_decade: 10,
            min_band_accounts: 20,
            smoothing_bands: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Authenticity {
    pub fake_threshold: f64,
    pub growth_robust_z: f64,
    pub pod_window_minutes: u32,
    pub pod_min_repeats: u32,
    pub pod_min_members: usize,
    pub er_index_high: f64,
    /// Suspicious-follower share: a red flag when its 95% range starts here.
    pub suspicious_share_flag: f64,
    /// ...over at least this many followers with a profile.
    pub suspicious_min_sample: u64,
    /// Growth anomalies: floor of the robust z-score's scale (relative daily change).
    pub growth_scale_floor: f64,
    /// ...and a day must move the count by at least this many accounts.
    pub growth_min_daily_change: f64,
    /// ...and the history must hold at least this many daily changes.
    pub growth_min_changes: usize,
}

impl Default for Authenticity {
    fn default() -> Self {
        Authenticity {
            fake_threshold: 0.5,
            growth_robust_z: 5.0,
            pod_window_minutes: 10,
            pod_min_repeats: 3,
            pod_min_members: 3,
            er_index_high: 3.0,
            suspicious_share_flag: 0.2,
            suspicious_min_sample: 30,
            growth_scale_floor: 0.005,
            growth_min_daily_change: 10.0,
            growth_min_changes: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Saturation {
    pub window_days: u32,
    pub max_sponsored_share: f64,
    pub disclosure_tags: Vec<String>,
}

impl Default for Saturation {
    fn default() -> Self {
        let tags = [
            "ad",
            "ads",
            "advert",
            "sponsored",
            "sponsor",
            "partner",
            "paidpartnership",
            "collab",
            "gifted",
            "anzeige",
            "werbung",
            "publicidad",
            "publi",
            "patrocinado",
            "reklaam",
            "reklame",
            "reklama",
            "annonce",
            "sponsorisé",
            "pubblicità",
            "adv",
            "mainos",
            "reclame",
            "advertentie",
            "samarbete",
            "samarbeid",
            "spons",
            "reklam",
            "広告",
            "pr",
            "promocja",
            "publicité",
            "parceria",
        ];
        Saturation {
            window_days: 90,
            max_sponsored_share: 0.3,
            disclosure_tags: tags.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Weights of the discovery score's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub relevance: f64,
    pub network_fit: f64,
    pub engagement: f64,
    pub authenticity: f64,
    pub saturation: f64,
    pub tier_fit: f64,
}

impl Weights {
    /// The terms by name, in display order.
    pub fn terms(&self) -> [(&'static str, f64); 6] {
        [
            ("relevance", self.relevance),
            ("network_fit", self.network_fit),
            ("engagement", self.engagement),
            ("authenticity", self.authenticity),
            ("saturation", self.saturation),
            ("tier_fit", self.tier_fit),
        ]
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            relevance: 0.35,
            network_fit: 0.25,
            engagement: 0.2,
            authenticity: 0.15,
            saturation: 0.05,
            tier_fit: 0.05,
        }
    }
}

/// Estimated price per post, by platform and tier, in `currency`; a quote
/// replaces it. Also the CPMs used for earned media value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Costs {
    pub currency: String,
    pub emv_cpm_video: f64,
    pub emv_cpm_static: f64,
    pub emv_engagement_factor: f64,
    pub advocate_post: f64,
    pub price_per_post: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Costs {
    /// The estimated price of one post by an account of this platform and tier.
    pub fn price(&self, platform: &str, tier: Tier) -> Option<f64> {
        self.price_per_post
            .get(platform)
            .or_else(|| self.price_per_post.get("default"))
            .and_then(|t| t.get(tier.as_str()))
            .copied()
    }
}

impl Default for Costs {
    fn default() -> Self {
        let table = |v: [f64; 6]| {
            ["below-nano", "nano", "micro", "mid", "macro", "mega"]
                .iter()
                .zip(v)
                .map(|(k, p)| (k.to_string(), p))
                .collect::<BTreeMap<_, _>>()
        };
        let mut price = BTreeMap::new();
        price.insert(
            "default".to_string(),
            table([25.0, 100.0, 500.0, 2_500.0, 7_500.0, 15_000.0]),
        );
        price.insert(
            "instagram".to_string(),
            table([25.0, 100.0, 500.0, 3_000.0, 8_000.0, 15_000.0]),
        );
        price.insert(
            "tiktok".to_string(),
            table([20.0, 80.0, 400.0, 2_000.0, 6_000.0, 12_000.0]),
        );
        price.insert(
            "youtube".to_string(),
            table([50.0, 200.0, 1_000.0, 5_000.0, 12_000.0, 25_000.0]),
        );
        Costs {
            currency: "USD".into(),
            emv_cpm_video: 20.0,
            emv_cpm_static: 7.0,
            emv_engagement_factor: 8.7,
            advocate_post: 50.0,
            price_per_post: price,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Overlap {
    pub exact_max_audience: u64,
    pub minhash_size: usize,
    pub hll_precision: u8,
}

impl Default for Overlap {
    fn default() -> Self {
        Overlap {
            exact_max_audience: 5_000_000,
            minhash_size: 256,
            hll_precision: 14,
        }
    }
}

/// How discovery and the planner choose and vet candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Discovery {
    pub vetted_candidates: usize,
    pub exclude_flags: Vec<String>,
    pub topic_seeds: usize,
    pub bm25_k1: f64,
    pub bm25_b: f64,
    pub bm25_b_tags: f64,
    pub tag_weight: f64,
    pub text_weight: f64,
    pub recent_captions: usize,
    pub feedback_accounts: usize,
    pub feedback_tags: usize,
    pub feedback_weight: f64,
    pub plan_candidates: usize,
    pub lookalike_audience_weight: f64,
    pub lookalike_topic_weight: f64,
    pub lookalike_size_weight: f64,
    pub advocate_reach_weight: f64,
    pub advocate_referral_weight: f64,
}

impl Default for Discovery {
    fn default() -> Self {
        Discovery {
            vetted_candidates: 2000,
            exclude_flags: [
                "fake_account",
                "bought_followers",
                "follower_spike",
                "following_spike",
                "engagement_pod",
                "er_far_above_peers",
                "over_sponsored",
            ]
            .map(String::from)
            .to_vec(),
            topic_seeds: 100,
            bm25_k1: 1.2,
            bm25_b: 0.75,
            bm25_b_tags: 0.0,
            tag_weight: 1.0,
            text_weight: 0.3,
            recent_captions: 12,
            feedback_accounts: 50,
            feedback_tags: 5,
            feedback_weight: 2.0,
            plan_candidates: 500,
            lookalike_audience_weight: 0.6,
            lookalike_topic_weight: 0.3,
            lookalike_size_weight: 0.1,
            advocate_reach_weight: 0.5,
            advocate_referral_weight: 0.5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tracking {
    pub attribution_window_days: u32,
    pub holding_days: u32,
    pub unique_click_window_hours: u32,
    pub currency: String,
}

impl Default for Tracking {
    fn default() -> Self {
        Tracking {
            attribution_window_days: 90,
            holding_days: 30,
            unique_click_window_hours: 24,
            currency: "USD".into(),
        }
    }
}

impl Settings {
    /// Parses and checks a settings file's text; `path` names it in errors.
    pub fn from_toml(text: &str, path: &str) -> Result<Settings, SettingsError> {
        let settings: Settings = toml::from_str(text).map_err(|e| SettingsError::Parse {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        settings
            .validate()
            .map_err(|message| SettingsError::Invalid {
                path: path.to_string(),
                message,
            })?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        let t = &self.tiers;
        if !(t.nano < t.micro && t.micro < t.mid && t.mid < t.macro_ && t.macro_ < t.mega) {
            return Err("tiers must increase: nano < micro < mid < macro < mega".into());
        }
        let w = &self.weights;
        for (name, v) in w.terms() {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("weights.{name} must be a number >= 0, got {v}"));
            }
        }
        if w.terms().iter().map(|t| t.1).sum::<f64>() <= 0.0 {
            return Err("at least one of [weights] must be above 0".into());
        }
        let d = &self.discovery;
        if !(d.bm25_k1 >= 0.0
            && (0.0..=1.0).contains(&d.bm25_b)
            && (0.0..=1.0).contains(&d.bm25_b_tags))
        {
            return Err(
                "discovery.bm25_k1 must be >= 0, discovery.bm25_b and bm25_b_tags in [0, 1]".into(),
            );
        }
        for (name, v) in [
            ("advocate_reach_weight", d.advocate_reach_weight),
            ("advocate_referral_weight", d.advocate_referral_weight),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("discovery.{name} must be a number >= 0, got {v}"));
            }
        }
        if d.advocate_reach_weight + d.advocate_referral_weight <= 0.0 {
            return Err(
                "discovery.advocate_reach_weight and advocate_referral_weight cannot both be 0"
                    .into(),
            );
        }
        let a = &self.authenticity;
        for (name, v) in [
            ("fake_threshold", a.fake_threshold),
            ("suspicious_share_flag", a.suspicious_share_flag),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("authenticity.{name} must be in [0, 1], got {v}"));
            }
        }
        for (name, v) in [
            ("growth_robust_z", a.growth_robust_z),
            ("growth_scale_floor", a.growth_scale_floor),
            ("growth_min_daily_change", a.growth_min_daily_change),
        ] {
            // A zero scale floor would divide by zero on a flat history.
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("authenticity.{name} must be a number > 0, got {v}"));
            }
        }
        if a.growth_min_changes < 2 {
            return Err("authenticity.growth_min_changes must be at least 2".into());
        }
        if self.engagement.recent_posts == 0 {
            return Err("engagement.recent_posts must be at least 1".into());
        }
        if !(4..=18).contains(&self.overlap.hll_precision) {
            return Err("overlap.hll_precision must be between 4 and 18".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_is_the_default() {
        let parsed = Settings::from_toml(DEFAULT_TOML, "kith.toml").unwrap();
        assert_eq!(parsed, Settings::default());
    }

    #[test]
    fn every_default_line_is_commented() {
        for line in DEFAULT_TOML.lines() {
            let t = line.trim();
            if t.contains(" = ") && !t.starts_with('#') && !t.starts_with('"') {
                assert!(
                    t.contains('#') || t.starts_with('[') || t.ends_with('['),
                    "setting without a comment: {line}"
                );
            }
        }
    }

    #[test]
    fn unknown_and_invalid_settings_are_errors() {
        let e = Settings::from_toml("[tiers]\nnanno = 5\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("k.toml") && e.contains("nanno"), "{e}");
        let e = Settings::from_toml("[tiers]\nnano = 50000\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("increase"), "{e}");
        let e = Settings::from_toml("[authenticity]\ngrowth_scale_floor = 0.0\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("growth_scale_floor"), "{e}");
        let e = Settings::from_toml("[authenticity]\nsuspicious_share_flag = 1.5\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("suspicious_share_flag"), "{e}");
    }

    #[test]
    fn tiers_and_prices() {
        let s = Settings::default();
        assert_eq!(s.tiers.tier_of(999), Tier::BelowNano);
        assert_eq!(s.tiers.tier_of(1_000), Tier::Nano);
        assert_eq!(s.tiers.tier_of(99_999), Tier::Micro);
        assert_eq!(s.tiers.tier_of(2_000_000), Tier::Mega);
        assert_eq!(s.costs.price("instagram", Tier::Micro), Some(500.0));
        assert_eq!(s.costs.price("bluesky", Tier::Micro), Some(500.0));
    }
}
