//! The classifier's input: DESIGN's authenticity features as a fixed-order
//! vector of `f64`, NaN for unknown (the trees route unknowns by a learned
//! default direction), plus one derived ratio.
//!
//! The same vector is built from a labelled feature row (training) and from
//! an account's profile in the world (scoring), so both go through
//! [`ProfileFeatures`].

use kith_model::{AuthenticityFeatures, Label};

/// Names of the vector's slots, in order. A model file lists the names it
/// was trained with; a model whose list differs is refused.
pub const FEATURE_NAMES: [&str; NUM_FEATURES] = [
    "followers",
    "following",
    "posts",
    "has_profile_pic",
    "private",
    "verified",
    "has_external_url",
    "bio_length",
    "handle_length",
    "handle_digit_ratio",
    "name_words",
    "name_matches_handle",
    "account_age_days",
    "following_per_follower",
];

pub const NUM_FEATURES: usize = 14;

/// One account's features, unknown as NaN.
pub type FeatureVector = [f64; NUM_FEATURES];

/// An account's profile features without a label. Built from a feature row
/// or from an account's columns by [`ProfileFeatures::from_profile`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileFeatures {
    pub followers: Option<f64>,
    pub following: Option<f64>,
    pub posts: Option<f64>,
    pub has_profile_pic: Option<bool>,
    pub private: Option<bool>,
    pub verified: Option<bool>,
    pub has_external_url: Option<bool>,
    pub bio_length: Option<f64>,
    pub handle_length: Option<f64>,
    pub handle_digit_ratio: Option<f64>,
    pub name_words: Option<f64>,
    pub name_matches_handle: Option<bool>,
    pub account_age_days: Option<f64>,
}

/// What the world knows of an account, borrowed, for [`ProfileFeatures::from_profile`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Profile<'a> {
    pub handle: &'a str,
    pub name: Option<&'a str>,
    pub bio: Option<&'a str>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
    pub verified: Option<bool>,
    pub private: Option<bool>,
    pub has_profile_pic: Option<bool>,
    pub external_url: Option<&'a str>,
    pub created_at: Option<i64>,
}

impl ProfileFeatures {
    /// Derives the features from an account's profile, as the training files
    /// define them: `bio_length` in characters; `handle_digit_ratio` = digits
    /// / characters of the handle; `name_words` = whitespace-separated words
    /// of the display name; `name_matches_handle` = the name, lowercased
    /// with everything but letters and digits removed, equals the handle so
    /// treated; `account_age_days` = (now - created_at) / 86,400.
    ///
    /// An absent name or bio is unknown, not empty: the store cannot tell
    /// "no bio" from "bio not collected", and guessing would bias the model.
    pub fn from_profile(p: &Profile<'_>, now: i64) -> ProfileFeatures {
        let handle_chars = p.handle.chars().count();
        let (handle_length, handle_digit_ratio) = if handle_chars == 0 {
            (None, None)
        } else {
            let digits = p.handle.chars().filter(char::is_ascii_digit).count();
            (
                Some(handle_chars as f64),
                Some(digits as f64 / handle_chars as f64),
            )
        };
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        ProfileFeatures {
            followers: p.followers.map(|v| v as f64),
            following: p.following.map(|v| v as f64),
            posts: p.posts.map(|v| v as f64),
            has_profile_pic: p.has_profile_pic,
            private: p.private,
            verified: p.verified,
            // The column is either a URL or empty; empty cannot be told from
            // unknown, so only a present URL is evidence.
            has_external_url: p.external_url.map(|u| !u.trim().is_empty()),
            bio_length: p.bio.map(|b| b.chars().count() as f64),
            handle_length,
            handle_digit_ratio,
            name_words: p.name.map(|n| n.split_whitespace().count() as f64),
            name_matches_handle: p
                .name
                .filter(|_| handle_chars > 0)
                .map(|n| squash(n) == squash(p.handle)),
            account_age_days: p
                .created_at
                .filter(|&c| c <= now)
                .map(|c| (now - c) as f64 / 86_400.0),
        }
    }

    /// The vector the trees read.
    pub fn to_vector(&self) -> FeatureVector {
        let num = |v: Option<f64>| v.filter(|x| x.is_finite()).unwrap_or(f64::NAN);
        let flag = |v: Option<bool>| v.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 });
        // Follow-for-follow and bought-follower accounts follow far more
        // accounts than follow them; the ratio says so in one split.
        let following_per_follower = match (self.followers, self.following) {
            (Some(fr), Some(fg)) if fr.is_finite() && fg.is_finite() => fg / (fr + 1.0),
            _ => f64::NAN,
        };
        [
            num(self.followers),
            num(self.following),
            num(self.posts),
            flag(self.has_profile_pic),
            flag(self.private),
            flag(self.verified),
            flag(self.has_external_url),
            num(self.bio_length),
            num(self.handle_length),
            num(self.handle_digit_ratio),
            num(self.name_words),
            flag(self.name_matches_handle),
            num(self.account_age_days),
            following_per_follower,
        ]
    }
}

impl From<&AuthenticityFeatures> for ProfileFeatures {
    fn from(r: &AuthenticityFeatures) -> Self {
        ProfileFeatures {
            followers: r.followers,
            following: r.following,
            posts: r.posts,
            has_profile_pic: r.has_profile_pic,
            private: r.private,
            verified: r.verified,
            has_external_url: r.has_external_url,
            bio_length: r.bio_length,
            handle_length: r.handle_length,
            handle_digit_ratio: r.handle_digit_ratio,
            name_words: r.name_words,
            name_matches_handle: r.name_matches_handle,
            account_age_days: r.account_age_days,
        }
    }
}

/// Labelled training rows as vectors and labels (true = fake).
#[derive(Debug, Clone, Default)]
pub struct LabelledSet {
    pub x: Vec<FeatureVector>,
    pub fake: Vec<bool>,
    /// Index of the file each row came from, for per-file class weights.
    pub source: Vec<usize>,
}

/// A training row without a label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row} of {file} has no label (every training row needs label = fake or real)")]
pub struct MissingLabel {
    pub file: String,
    /// 1-based data row (the header is not counted).
    pub row: usize,
}

impl LabelledSet {
    /// Appends one file's rows; every row must carry a label.
    pub fn push_file(
        &mut self,
        file: &str,
        rows: &[AuthenticityFeatures],
    ) -> Result<(), MissingLabel> {
        let source = self.source.iter().max().map_or(0, |m| m + 1);
        for (i, r) in rows.iter().enumerate() {
            let label = r.label.ok_or(MissingLabel {
                file: file.to_string(),
                row: i + 1,
            })?;
            self.x.push(ProfileFeatures::from(r).to_vector());
            self.fake.push(label == Label::Fake);
            self.source.push(source);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    pub fn fakes(&self) -> usize {
        self.fake.iter().filter(|&&f| f).count()
    }

    /// The rows at `idx`, in that order.
    pub fn subset(&self, idx: &[usize]) -> LabelledSet {
        LabelledSet {
            x: idx.iter().map(|&i| self.x[i]).collect(),
            fake: idx.iter().map(|&i| self.fake[i]).collect(),
            source: idx.iter().map(|&i| self.source[i]).collect(),
        }
    }

    /// Which features have at least one known value.
    pub fn observed_features(&self) -> [bool; NUM_FEATURES] {
        let mut seen = [false; NUM_FEATURES];
        for row in &self.x {
            for (s, v) in seen.iter_mut().zip(row) {
                *s |= !v.is_nan();
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_features_follow_the_training_definitions() {
        let p = Profile {
            handle: "anna_99",
            name: Some("Anna 99"),
            bio: Some("Trail runner ✓"),
            followers: Some(99),
            following: Some(990),
            posts: Some(0),
            created_at: Some(0),
            ..Profile::default()
        };
        let f = ProfileFeatures::from_profile(&p, 10 * 86_400);
        assert_eq!(f.handle_length, Some(7.0));
        assert_eq!(f.handle_digit_ratio, Some(2.0 / 7.0));
        assert_eq!(f.name_words, Some(2.0));
        assert_eq!(f.name_matches_handle, Some(true));
        assert_eq!(f.bio_length, Some(14.0));
        assert_eq!(f.account_age_days, Some(10.0));
        assert_eq!(f.has_external_url, None);
        let v = f.to_vector();
        assert_eq!(v[13], 990.0 / 100.0);
        assert!(v[3].is_nan() && v[5].is_nan());
    }

    #[test]
    fn unknowns_are_nan_and_a_missing_label_is_an_error() {
        let row = AuthenticityFeatures::default();
        assert!(
            ProfileFeatures::from(&row)
                .to_vector()
                .iter()
                .all(|v| v.is_nan())
        );
        let mut set = LabelledSet::default();
        let err = set.push_file("x.csv", &[row]).unwrap_err();
        assert_eq!(err.row, 1);
        assert!(err.to_string().contains("x.csv"));
    }

    #[test]
    fn empty_handle_gives_unknown_ratio() {
        let f = ProfileFeatures::from_profile(&Profile::default(), 0);
        assert_eq!(f.handle_digit_ratio, None);
        assert_eq!(f.name_matches_handle, None);
    }
}
