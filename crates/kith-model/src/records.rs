//! One row of each import kind. `None` means unknown (an empty cell).
//!
//! Times are Unix seconds (UTC); dates are days since 1970-01-01. Handles are
//! stored normalised (see [`crate::text::normalize_handle`]); hashtags without
//! their `#`, lowercased.

use crate::kinds::{InteractionKind, Label, Platform, PostKind};
use serde::{Deserialize, Serialize};

/// One profile on one platform. Key: (platform, handle).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub platform: Platform,
    pub handle: String,
    pub name: Option<String>,
    pub bio: Option<String>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
    pub verified: Option<bool>,
    pub private: Option<bool>,
    pub has_profile_pic: Option<bool>,
    pub external_url: Option<String>,
    pub created_at: Option<i64>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub category: Option<String>,
    /// Hashtags or topics known for the account, normalised, without `#`.
    pub tags: Vec<String>,
}

/// One piece of content. Key: (platform, post_id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub platform: Platform,
    pub handle: String,
    pub post_id: String,
    pub posted_at: Option<i64>,
    pub kind: Option<PostKind>,
    pub caption: Option<String>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    pub likes: Option<u64>,
    pub comments: Option<u64>,
    pub shares: Option<u64>,
    pub saves: Option<u64>,
    pub views: Option<u64>,
    pub sponsored: Option<bool>,
}

/// follower -> followed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Follow {
    pub platform: Platform,
    pub follower: String,
    pub followed: String,
    pub since: Option<i64>,
}

/// from -> to, of a kind, at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    pub platform: Platform,
    pub from: String,
    pub to: String,
    pub kind: InteractionKind,
    pub at: Option<i64>,
}

/// An account's counts on one date. Key: (platform, handle, date).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub platform: Platform,
    pub handle: String,
    /// Days since 1970-01-01.
    pub date: i32,
    pub followers: Option<u64>,
    pub following: Option<u64>,
}

/// One of the brand's customers. Key: customer_id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub customer_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub platform: Option<Platform>,
    pub handle: Option<String>,
    pub orders: Option<u64>,
    pub revenue: Option<f64>,
    pub first_order_at: Option<i64>,
}

/// One labelled row of authenticity features (training or evaluation data).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthenticityFeatures {
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
    pub label: Option<Label>,
}
