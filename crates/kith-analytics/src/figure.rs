//! A [`Figure`]: one number kith shows, never bare. It carries its name, its
//! definition, the window it was taken over, the sample it rests on, when
//! the data was observed, a 95% interval where one exists, and a confidence
//! level; or, instead of a number, the reason there is none.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Text of a figure: mostly static definitions, so borrowed where it can be
/// (scoring a million accounts must not allocate every definition).
pub type Text = Cow<'static, str>;

/// How far a figure can be trusted, from its sample size and interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// No value: not enough data.
    None,
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::None => "none",
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// The usual rule: below `low_below` units the figure is low-confidence,
    /// from `high_from` on high, medium between.
    pub fn from_sample(n: u64, low_below: u64, high_from: u64) -> Confidence {
        if n == 0 {
            Confidence::None
        } else if n < low_below {
            Confidence::Low
        } else if n < high_from {
            Confidence::Medium
        } else {
            Confidence::High
        }
    }
}

/// One figure with everything needed to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The variant's name, e.g. `er_followers_median`.
    pub name: Text,
    /// The value; `None` means "not enough data" and `note` says why.
    pub value: Option<f64>,
    /// 95% interval of the value, where the sample allows one.
    pub interval: Option<[f64; 2]>,
    /// The formula in words.
    pub definition: Text,
    /// What the figure was taken over, e.g. "last 12 posts older than 24 h".
    pub window: Text,
    /// How many units the figure rests on.
    pub sample_size: u64,
    /// What those units are: posts, followers, days, accounts, interactions.
    pub sample_unit: Text,
    /// When the underlying data was observed (Unix seconds), if known.
    pub observed_at: Option<i64>,
    pub confidence: Confidence,
    /// Why there is no value, or what to keep in mind reading it.
    pub note: Option<String>,
}

impl Figure {
    /// Starts a figure with its name, definition and sample unit; no value yet.
    pub fn new(
        name: impl Into<Text>,
        definition: impl Into<Text>,
        sample_unit: impl Into<Text>,
    ) -> Figure {
        Figure {
            name: name.into(),
            value: None,
            interval: None,
            definition: definition.into(),
            window: Cow::Borrowed(""),
            sample_size: 0,
            sample_unit: sample_unit.into(),
            observed_at: None,
            confidence: Confidence::None,
            note: None,
        }
    }

    pub fn window(mut self, window: impl Into<Text>) -> Figure {
        self.window = window.into();
        self
    }

    pub fn observed_at(mut self, at: Option<i64>) -> Figure {
        self.observed_at = at;
        self
    }

    pub fn sample(mut self, n: u64) -> Figure {
        self.sample_size = n;
        self
    }

    /// Sets a finite value with its confidence. A non-finite value becomes
    /// "not enough data": kith never prints NaN.
    pub fn value(mut self, value: f64, confidence: Confidence) -> Figure {
        if value.is_finite() {
            self.value = Some(value);
            self.confidence = confidence;
        } else {
            self.value = None;
            self.confidence = Confidence::None;
            self.note = Some("not enough data: the value is undefined".into());
        }
        self
    }

    pub fn interval(mut self, interval: Option<(f64, f64)>) -> Figure {
        self.interval = interval
            .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
            .map(|(lo, hi)| [lo, hi]);
        self
    }

    /// No value: "not enough data: {why}".
    pub fn not_enough(mut self, why: impl AsRef<str>) -> Figure {
        self.value = None;
        self.interval = None;
        self.confidence = Confidence::None;
        self.note = Some(format!("not enough data: {}", why.as_ref()));
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Figure {
        self.note = Some(note.into());
        self
    }

    /// The value as text for people: `value [lo, hi]`, or the note.
    pub fn display_with(&self, format: impl Fn(f64) -> String) -> String {
        match self.value {
            Some(v) => match self.interval {
                Some([lo, hi]) => format!("{} [{} to {}]", format(v), format(lo), format(hi)),
                None => format(v),
            },
            None => self
                .note
                .clone()
                .unwrap_or_else(|| "not enough data".to_string()),
        }
    }
}

/// A text made from settings alone, the same for every account of a run
/// (a definition with its thresholds, a window in days): formatted once
/// per thread for each distinct `(kind, numbers)` and borrowed from then
/// on, so that scoring a million accounts does not format and allocate it
/// a million times (a tenth of `kith score`'s time). Each distinct text is
/// leaked once; past 64 per thread (a server judging many workspaces'
/// settings) they are made afresh instead.
pub fn settings_text(kind: &'static str, numbers: [u64; 3], make: impl FnOnce() -> String) -> Text {
    type Made = Vec<((&'static str, [u64; 3]), &'static str)>;
    thread_local! {
        static MADE: std::cell::RefCell<Made> = const { std::cell::RefCell::new(Vec::new()) };
    }
    MADE.with_borrow_mut(|made| {
        if let Some((_, text)) = made.iter().find(|(key, _)| *key == (kind, numbers)) {
            return Cow::Borrowed(*text);
        }
        let text = make();
        if made.len() >= 64 {
            return Cow::Owned(text);
        }
        let text: &'static str = Box::leak(text.into_boxed_str());
        made.push(((kind, numbers), text));
        Cow::Borrowed(text)
    })
}

/// Formats a rate as a percentage with two decimals.
pub fn percent(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_become_not_enough_data() {
        let f = Figure::new("x", "a / b", "posts").value(f64::NAN, Confidence::High);
        assert_eq!(f.value, None);
        assert_eq!(f.confidence, Confidence::None);
        assert!(f.display_with(percent).starts_with("not enough data"));
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("NaN"), "{json}");
    }

    #[test]
    fn settings_texts_are_made_once_per_key() {
        let mut made = 0;
        let mut text = |days: u64| {
            settings_text("test_window", [days, 0, 0], || {
                made += 1;
                format!("last {days} days")
            })
        };
        assert_eq!(text(30), "last 30 days");
        assert_eq!(text(30), "last 30 days");
        assert_eq!(text(7), "last 7 days");
        assert!(matches!(text(7), Cow::Borrowed(_)));
        assert_eq!(made, 2);
    }

    #[test]
    fn display_shows_interval() {
        let f = Figure::new("x", "d", "posts")
            .value(0.05, Confidence::High)
            .interval(Some((0.04, 0.06)));
        assert_eq!(f.display_with(percent), "5.00% [4.00% to 6.00%]");
        assert_eq!(Confidence::from_sample(0, 6, 12), Confidence::None);
        assert_eq!(Confidence::from_sample(5, 6, 12), Confidence::Low);
        assert_eq!(Confidence::from_sample(12, 6, 12), Confidence::High);
    }
}
