//! The brief: what a brand asks discovery and the planner for (DESIGN, "The
//! brief"). A TOML file; every key is optional but one of `hashtags` and
//! `keywords`. Errors name the file, line and column of the offending key.

use crate::settings::{Settings, Tier, Weights};
use crate::text::normalize_tag;
use crate::{Platform, text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the brand wants most from the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    Reach,
    #[default]
    Engagement,
    Sales,
}

impl Goal {
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Reach => "reach",
            Goal::Engagement => "engagement",
            Goal::Sales => "sales",
        }
    }
}

/// Weights given in a brief: each replaces the workspace's one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightOverrides {
    pub relevance: Option<f64>,
    pub network_fit: Option<f64>,
    pub engagement: Option<f64>,
    pub authenticity: Option<f64>,
    pub saturation: Option<f64>,
    pub tier_fit: Option<f64>,
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrief {
    name: Option<String>,
    #[serde(default)]
    brand: Vec<String>,
    #[serde(default)]
    platforms: Vec<String>,
    #[serde(default)]
    hashtags: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    followers: Option<[u64; 2]>,
    #[serde(default)]
    tiers: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    seeds: Vec<String>,
    seeds_file: Option<PathBuf>,
    #[serde(default)]
    exclude: Vec<String>,
    budget: Option<f64>,
    currency: Option<String>,
    goal: Option<Goal>,
    weights: Option<WeightOverrides>,
    /// Price overrides: platform (or "default") -> tier -> price per post.
    #[serde(default)]
    costs: BTreeMap<String, BTreeMap<String, f64>>,
    /// Quotes: "platform:handle" -> price of one post, replacing the estimate.
    #[serde(default)]
    quotes: BTreeMap<String, f64>,
}

/// A checked brief. Hashtags and keywords are normalised (lowercase, no
/// `#`); the follower range is resolved from `followers` or `tiers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Brief {
    pub name: Option<String>,
    /// `platform:handle` of the brand's own accounts: seeds of the target
    /// audience, never proposed as partners.
    pub brand: Vec<String>,
    /// Empty: every platform.
    pub platforms: Vec<Platform>,
    pub hashtags: Vec<String>,
    pub keywords: Vec<String>,
    /// Inclusive lower and exclusive upper follower bound; `None`: any size.
    pub followers: Option<(u64, u64)>,
    /// ISO country codes, upper case; empty: any.
    pub countries: Vec<String>,
    /// Language codes, lower case; empty: any.
    pub languages: Vec<String>,
    /// `platform:handle` of the brand's own audience (its accounts, its
    /// customers' accounts).
    pub seeds: Vec<String>,
    /// A customers file whose handles are seeds too (relative paths are
    /// taken from the brief's directory).
    pub seeds_file: Option<PathBuf>,
    /// `platform:handle` of accounts never to propose (competitors, brands
    /// the brand will not be seen with).
    pub exclude: Vec<String>,
    pub budget: Option<f64>,
    pub currency: Option<String>,
    pub goal: Goal,
    pub weights: WeightOverrides,
    pub costs: BTreeMap<String, BTreeMap<String, f64>>,
    pub quotes: BTreeMap<String, f64>,
}

/// Why a brief could not be used: `FILE:LINE:COLUMN: message`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct BriefError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

const TIER_NAMES: [&str; 6] = ["below-nano", "nano", "micro", "mid", "macro", "mega"];

/// Line and column (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// Where a top-level key (or a table header) is written, for errors found
/// after parsing; line 1 column 1 when it cannot be found.
fn locate(text: &str, key: &str) -> (usize, usize) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let is_key = t
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        let is_table = t.starts_with(&format!("[{key}]")) || t.starts_with(&format!("[{key}."));
        if is_key || is_table {
            return line_col(text, offset + indent);
        }
        offset += line.len();
    }
    (1, 1)
}

impl Brief {
    /// Parses and checks a brief; `path` names it in errors.
    pub fn from_toml(text: &str, path: &str, settings: &Settings) -> Result<Brief, BriefError> {
        let error_at = |key: &str, message: String| {
            let (line, column) = locate(text, key);
            BriefError {
                path: path.to_string(),
                line,
                column,
                message,
            }
        };
        let raw: RawBrief = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |span| line_col(text, span.start));
            BriefError {
                path: path.to_string(),
                line,
                column,
                message: e.message().trim().lines().collect::<Vec<_>>().join(": "),
            }
        })?;
        let platforms = raw
            .platforms
            .iter()
            .map(|p| p.parse::<Platform>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error_at("platforms", e.to_string()))?;
        let hashtags: Vec<String> = raw
            .hashtags
            .iter()
            .filter_map(|t| normalize_tag(t))
            .collect();
        let keywords: Vec<String> = raw
            .keywords
            .iter()
            .map(|k| k.trim().to_lowercase())
            .filter(|k| !k.is_empty())
            .collect();
        if hashtags.is_empty() && keywords.is_empty() {
            return Err(error_at(
                "hashtags",
                "a brief needs at least one of `hashtags` and `keywords` (what the brand's niche talks about)".into(),
            ));
        }
        let followers = match (raw.followers, raw.tiers.is_empty()) {
            (Some(_), false) => {
                return Err(error_at(
                    "tiers",
                    "give either `followers = [LOW, HIGH]` or `tiers`, not both".into(),
                ));
            }
            (Some([lo, hi]), true) => {
                if lo >= hi {
                    return Err(error_at(
                        "followers",
                        format!(
                            "followers = [{lo}, {hi}]: the first bound must be below the second"
                        ),
                    ));
                }
                Some((lo, hi))
            }
            (None, false) => {
                Some(tier_range(&raw.tiers, settings).map_err(|m| error_at("tiers", m))?)
            }
            (None, true) => None,
        };
        for (key, list) in [
            ("brand", &raw.brand),
            ("seeds", &raw.seeds),
            ("exclude", &raw.exclude),
        ] {
            if let Some(bad) = list.iter().find(|s| !s.contains(':')) {
                return Err(error_at(
                    key,
                    format!("{bad:?} is not `platform:handle` (for example \"instagram:{bad}\")"),
                ));
            }
        }
        if let Some(b) = raw.budget
            && !(b.is_finite() && b > 0.0)
        {
            return Err(error_at(
                "budget",
                format!("budget must be a positive amount, got {b}"),
            ));
        }
        if let Some(c) = &raw.currency
            && !c.eq_ignore_ascii_case(&settings.costs.currency)
        {
            return Err(error_at(
                "currency",
                format!(
                    "the brief is in {c} but the workspace's price table is in {} (kith.toml [costs] currency); convert the budget or the table",
                    settings.costs.currency
                ),
            ));
        }
        let weights = raw.weights.unwrap_or_default();
        for (name, w) in [
            ("relevance", weights.relevance),
            ("network_fit", weights.network_fit),
            ("engagement", weights.engagement),
            ("authenticity", weights.authenticity),
            ("saturation", weights.saturation),
            ("tier_fit", weights.tier_fit),
        ] {
            if let Some(w) = w
                && !(w.is_finite() && w >= 0.0)
            {
                return Err(error_at(
                    "weights",
                    format!("weights.{name} must be a number >= 0, got {w}"),
                ));
            }
        }
        for (platform, table) in &raw.costs {
            if platform != "default" && platform.parse::<Platform>().is_err() {
                return Err(error_at(
                    "costs",
                    format!("costs.{platform}: not a platform (or \"default\")"),
                ));
            }
            for (tier, price) in table {
                if !TIER_NAMES.contains(&tier.as_str()) {
                    return Err(error_at(
                        "costs",
                        format!(
                            "costs.{platform}.{tier}: not a tier (expected one of {})",
                            TIER_NAMES.join(", ")
                        ),
                    ));
                }
                if !(price.is_finite() && *price >= 0.0) {
                    return Err(error_at(
                        "costs",
                        format!("costs.{platform}.{tier}: price must be >= 0"),
                    ));
                }
            }
        }
        for (who, price) in &raw.quotes {
            if !(who.contains(':') && price.is_finite() && *price >= 0.0) {
                return Err(error_at(
                    "quotes",
                    format!("quotes: {who:?} = {price} must be \"platform:handle\" = a price >= 0"),
                ));
            }
        }
        Ok(Brief {
            name: raw.name,
            brand: raw.brand.iter().map(|s| canonical_account(s)).collect(),
            platforms,
            hashtags,
            keywords,
            followers,
            countries: raw
                .countries
                .iter()
                .map(|c| c.trim().to_uppercase())
                .collect(),
            languages: raw
                .languages
                .iter()
                .map(|l| l.trim().to_lowercase())
                .collect(),
            seeds: raw.seeds.iter().map(|s| canonical_account(s)).collect(),
            seeds_file: raw.seeds_file,
            exclude: raw.exclude.iter().map(|s| canonical_account(s)).collect(),
            budget: raw.budget,
            currency: raw.currency,
            goal: raw.goal.unwrap_or_default(),
            weights,
            costs: raw.costs,
            quotes: raw
                .quotes
                .into_iter()
                .map(|(k, v)| (canonical_account(&k), v))
                .collect(),
        })
    }

    /// The workspace's weights with the brief's overrides applied.
    pub fn weights(&self, settings: &Settings) -> Weights {
        let mut w = settings.weights.clone();
        let o = &self.weights;
        w.relevance = o.relevance.unwrap_or(w.relevance);
        w.network_fit = o.network_fit.unwrap_or(w.network_fit);
        w.engagement = o.engagement.unwrap_or(w.engagement);
        w.authenticity = o.authenticity.unwrap_or(w.authenticity);
        w.saturation = o.saturation.unwrap_or(w.saturation);
        w.tier_fit = o.tier_fit.unwrap_or(w.tier_fit);
        w
    }

    /// The estimated price of one post: the brief's quote for the account,
    /// else the brief's table, else the workspace's.
    pub fn price(
        &self,
        settings: &Settings,
        account: &str,
        platform: &str,
        tier: Tier,
    ) -> Option<f64> {
        if let Some(&q) = self.quotes.get(account) {
            return Some(q);
        }
        let table = self
            .costs
            .get(platform)
            .or_else(|| self.costs.get("default"));
        table
            .and_then(|t| t.get(tier.as_str()).copied())
            .or_else(|| settings.costs.price(platform, tier))
    }

    /// Whether a follower count is in the brief's range (unknown counts are).
    pub fn in_follower_range(&self, followers: Option<u64>) -> bool {
        match (self.followers, followers) {
            (Some((lo, hi)), Some(f)) => (lo..hi).contains(&f),
            _ => true,
        }
    }
}

/// `platform:handle` with the platform's canonical name and the handle
/// normalised as the world stores it.
fn canonical_account(s: &str) -> String {
    match s.split_once(':') {
        Some((p, h)) => {
            let platform = p
                .parse::<Platform>()
                .map_or_else(|_| p.trim().to_lowercase(), |p| p.as_str().to_string());
            format!("{platform}:{}", text::normalize_handle(h))
        }
        None => text::normalize_handle(s),
    }
}

/// The follower range covered by a list of tier names (contiguous or not,
/// the range runs from the lowest bound to the highest).
fn tier_range(tiers: &[String], settings: &Settings) -> Result<(u64, u64), String> {
    let t = &settings.tiers;
    let bounds = |name: &str| -> Option<(u64, u64)> {
        Some(match name {
            "below-nano" => (0, t.nano),
            "nano" => (t.nano, t.micro),
            "micro" => (t.micro, t.mid),
            "mid" => (t.mid, t.macro_),
            "macro" => (t.macro_, t.mega),
            "mega" => (t.mega, u64::MAX),
            _ => return None,
        })
    };
    let mut lo = u64::MAX;
    let mut hi = 0;
    for name in tiers {
        let (l, h) = bounds(name.trim()).ok_or_else(|| {
            format!(
                "{name:?} is not a tier (expected one of {})",
                TIER_NAMES.join(", ")
            )
        })?;
        lo = lo.min(l);
        hi = hi.max(h);
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Brief, BriefError> {
        Brief::from_toml(text, "brief.toml", &Settings::default())
    }

    #[test]
    fn the_design_example_parses() {
        let b = parse(
            r##"name = "Trail running shoes, spring launch"
brand = ["instagram:TrailCo"]
platforms = ["instagram", "tiktok"]
hashtags = ["#TrailRunning", "#ultramarathon"]
keywords = ["trail", "Running", "ultra"]
tiers = ["nano", "micro"]
countries = ["ch", "DE"]
languages = ["de", "en"]
seeds = ["instagram:brand", "instagram:@Customer_Handle"]
exclude = ["instagram:competitor"]
budget = 10000
currency = "USD"
goal = "engagement"

[weights]
relevance = 0.5
"##,
        )
        .unwrap();
        assert_eq!(b.brand, vec!["instagram:trailco"]);
        assert_eq!(b.platforms, vec![Platform::Instagram, Platform::Tiktok]);
        assert_eq!(b.hashtags, vec!["trailrunning", "ultramarathon"]);
        assert_eq!(b.keywords, vec!["trail", "running", "ultra"]);
        assert_eq!(b.followers, Some((1_000, 100_000)));
        assert_eq!(b.countries, vec!["CH", "DE"]);
        assert_eq!(
            b.seeds,
            vec!["instagram:brand", "instagram:customer_handle"]
        );
        assert_eq!(b.goal, Goal::Engagement);
        let w = b.weights(&Settings::default());
        assert_eq!(w.relevance, 0.5);
        assert_eq!(w.network_fit, Settings::default().weights.network_fit);
    }

    #[test]
    fn errors_point_at_the_key() {
        let e = parse("hashtags = [\"#a\"]\nplatforms = [\"myspace\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert!(e.message.contains("myspace"), "{e}");
        let e = parse("name = \"x\"\n").unwrap_err();
        assert!(e.message.contains("hashtags"), "{e}");
        let e = parse("hashtags = [\"a\"]\nbudgett = 5\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("budgett"), "{e}");
        let e = parse("hashtags = [\"a\"]\n  followers = [5000, 100]\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        let e = parse("hashtags = [\"a\"]\nbudget = -3\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("hashtags = [\"a\"]\ncurrency = \"EUR\"\n").unwrap_err();
        assert!(e.message.contains("USD"), "{e}");
        let e = parse("hashtags = [\"a\"]\nseeds = [\"brand\"]\n").unwrap_err();
        assert!(e.message.contains("platform:handle"), "{e}");
        let e = parse("hashtags = [\"a\"]\n[costs.instagram]\nmicroo = 3\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        // toml reports an unclosed array where the file ends
        let e = parse("hashtags = [\"a\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.to_string().starts_with("brief.toml:2:1: "), "{e}");
        assert!(!e.to_string().contains('\n'), "one line: {e}");
    }

    #[test]
    fn quotes_and_tables_set_prices() {
        let b = parse(
            "hashtags = [\"a\"]\n[costs.instagram]\nmicro = 450\n[quotes]\n\"instagram:Star\" = 1200\n",
        )
        .unwrap();
        let s = Settings::default();
        assert_eq!(
            b.price(&s, "instagram:star", "instagram", Tier::Micro),
            Some(1200.0)
        );
        assert_eq!(
            b.price(&s, "instagram:x", "instagram", Tier::Micro),
            Some(450.0)
        );
        assert_eq!(
            b.price(&s, "instagram:x", "instagram", Tier::Nano),
            Some(100.0)
        );
        assert_eq!(b.price(&s, "tiktok:x", "tiktok", Tier::Micro), Some(400.0));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }
    }
}
