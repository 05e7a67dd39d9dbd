//! The [`Record`] trait and its implementation for each import kind: the
//! columns of DESIGN's "Data formats" table, how a row becomes a record, and
//! how a record becomes values to write back.
//!
//! Column indices in `from_row` and the order of `to_values` follow each
//! kind's `COLUMNS` table; the round-trip property tests hold them together.

use crate::schema::{Column, FieldError, Row, Value, col};
use kith_model::text::{extract_hashtags, extract_mentions};
use kith_model::{
    Account, AuthenticityFeatures, Customer, Follow, HistoryPoint, Interaction, Post,
};

/// A kind of row the import contract knows.
pub trait Record: Sized + Send + 'static {
    /// The kind's name, as in DESIGN's table: "accounts", "posts", ...
    const KIND: &'static str;
    /// Every column, in the order writers emit them.
    const COLUMNS: &'static [Column];
    /// Builds a record from one row's cells (in `COLUMNS` order).
    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError>;
    /// The record's values, in `COLUMNS` order.
    fn to_values(&self) -> Vec<Value<'_>>;
}

fn text(v: &Option<String>) -> Value<'_> {
    v.as_deref().map_or(Value::Empty, Value::Text)
}
fn count(v: Option<u64>) -> Value<'static> {
    v.map_or(Value::Empty, Value::Count)
}
fn decimal(v: Option<f64>) -> Value<'static> {
    v.map_or(Value::Empty, Value::Decimal)
}
fn boolean(v: Option<bool>) -> Value<'static> {
    v.map_or(Value::Empty, Value::Bool)
}
fn time(v: Option<i64>) -> Value<'static> {
    v.map_or(Value::Empty, Value::Time)
}

impl Record for Account {
    const KIND: &'static str = "accounts";
    const COLUMNS: &'static [Column] = &[
        col("platform", true),
        col("handle", true),
        col("name", false),
        col("bio", false),
        col("followers", false),
        col("following", false),
        col("posts", false),
        col("verified", false),
        col("private", false),
        col("has_profile_pic", false),
        col("external_url", false),
        col("created_at", false),
        col("country", false),
        col("language", false),
        col("category", false),
        col("tags", false),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        Ok(Account {
            platform: row.platform(0)?,
            handle: row.required_handle(1)?,
            name: row.text(2)?,
            bio: row.text(3)?,
            followers: row.count(4)?,
            following: row.count(5)?,
            posts: row.count(6)?,
            verified: row.boolean(7)?,
            private: row.boolean(8)?,
            has_profile_pic: row.boolean(9)?,
            external_url: row.text(10)?,
            created_at: row.time(11)?,
            country: row.text(12)?,
            language: row.text(13)?,
            category: row.text(14)?,
            tags: row.tags(15)?,
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            Value::Word(self.platform.as_str()),
            Value::Text(&self.handle),
            text(&self.name),
            text(&self.bio),
            count(self.followers),
            count(self.following),
            count(self.posts),
            boolean(self.verified),
            boolean(self.private),
            boolean(self.has_profile_pic),
            text(&self.external_url),
            time(self.created_at),
            text(&self.country),
            text(&self.language),
            text(&self.category),
            Value::Tags(&self.tags),
        ]
    }
}

impl Record for Post {
    const KIND: &'static str = "posts";
    const COLUMNS: &'static [Column] = &[
        col("platform", true),
        col("handle", true),
        col("post_id", true),
        col("posted_at", false),
        col("kind", false),
        col("caption", false),
        col("hashtags", false),
        col("mentions", false),
        col("likes", false),
        col("comments", false),
        col("shares", false),
        col("saves", false),
        col("views", false),
        col("sponsored", false),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        let caption = row.text(5)?;
        // The contract: hashtags and mentions come from the caption when
        // their column is empty or absent.
        let mut hashtags = row.tags(6)?;
        let mut mentions = row.mentions(7)?;
        if let Some(caption) = &caption {
            if hashtags.is_empty() {
                hashtags = extract_hashtags(caption);
            }
            if mentions.is_empty() {
                mentions = extract_mentions(caption);
            }
        }
        Ok(Post {
            platform: row.platform(0)?,
            handle: row.required_handle(1)?,
            post_id: row.required_text(2)?,
            posted_at: row.time(3)?,
            kind: row.word(4)?,
            caption,
            hashtags,
            mentions,
            likes: row.count(8)?,
            comments: row.count(9)?,
            shares: row.count(10)?,
            saves: row.count(11)?,
            views: row.count(12)?,
            sponsored: row.boolean(13)?,
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            Value::Word(self.platform.as_str()),
            Value::Text(&self.handle),
            Value::Text(&self.post_id),
            time(self.posted_at),
            self.kind.map_or(Value::Empty, |k| Value::Word(k.as_str())),
            text(&self.caption),
            Value::Tags(&self.hashtags),
            Value::Tags(&self.mentions),
            count(self.likes),
            count(self.comments),
            count(self.shares),
            count(self.saves),
            count(self.views),
            boolean(self.sponsored),
        ]
    }
}

impl Record for Follow {
    const KIND: &'static str = "follows";
    const COLUMNS: &'static [Column] = &[
        col("platform", true),
        col("follower", true),
        col("followed", true),
        col("since", false),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        Ok(Follow {
            platform: row.platform(0)?,
            follower: row.required_handle(1)?,
            followed: row.required_handle(2)?,
            since: row.time(3)?,
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            Value::Word(self.platform.as_str()),
            Value::Text(&self.follower),
            Value::Text(&self.followed),
            time(self.since),
        ]
    }
}

impl Record for Interaction {
    const KIND: &'static str = "interactions";
    const COLUMNS: &'static [Column] = &[
        col("platform", true),
        col("from", true),
        col("to", true),
        col("kind", true),
        col("at", false),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        Ok(Interaction {
            platform: row.platform(0)?,
            from: row.required_handle(1)?,
            to: row.required_handle(2)?,
            kind: row.required_word(3)?,
            at: row.time(4)?,
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            Value::Word(self.platform.as_str()),
            Value::Text(&self.from),
            Value::Text(&self.to),
            Value::Word(self.kind.as_str()),
            time(self.at),
        ]
    }
}

impl Record for HistoryPoint {
    const KIND: &'static str = "history";
    const COLUMNS: &'static [Column] = &[
        col("platform", true),
        col("handle", true),
        col("date", true),
        col("followers", false),
        col("following", false),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        Ok(HistoryPoint {
            platform: row.platform(0)?,
            handle: row.required_handle(1)?,
            date: row.required_date(2)?,
            followers: row.count(3)?,
            following: row.count(4)?,
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            Value::Word(self.platform.as_str()),
            Value::Text(&self.handle),
            Value::Date(self.date),
            count(self.followers),
            count(self.following),
        ]
    }
}

impl Record for Customer {
    const KIND: &'static str = "customers";
    const COLUMNS: &'static [Column] = &[
        col("customer_id", true),
        col("email", false),
        col("name", false),
        col("platform", false),
        col("handle", false),
        col("orders", false),
        col("revenue", false),
        col("first_order_at", false),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        Ok(Customer {
            customer_id: row.required_text(0)?,
            email: row.text(1)?,
            name: row.text(2)?,
            platform: row.optional_platform(3)?,
            handle: row.handle(4)?,
            orders: row.count(5)?,
            revenue: row.decimal(6)?,
            first_order_at: row.time(7)?,
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            Value::Text(&self.customer_id),
            text(&self.email),
            text(&self.name),
            self.platform
                .map_or(Value::Empty, |p| Value::Word(p.as_str())),
            text(&self.handle),
            count(self.orders),
            decimal(self.revenue),
            time(self.first_order_at),
        ]
    }
}

impl Record for AuthenticityFeatures {
    const KIND: &'static str = "authenticity features";
    const COLUMNS: &'static [Column] = &[
        col("followers", false),
        col("following", false),
        col("posts", false),
        col("has_profile_pic", false),
        col("private", false),
        col("verified", false),
        col("has_external_url", false),
        col("bio_length", false),
        col("handle_length", false),
        col("handle_digit_ratio", false),
        col("name_words", false),
        col("name_matches_handle", false),
        col("account_age_days", false),
        col("label", true),
    ];

    fn from_row(row: &Row<'_, '_>) -> Result<Self, FieldError> {
        Ok(AuthenticityFeatures {
            followers: row.decimal(0)?,
            following: row.decimal(1)?,
            posts: row.decimal(2)?,
            has_profile_pic: row.boolean(3)?,
            private: row.boolean(4)?,
            verified: row.boolean(5)?,
            has_external_url: row.boolean(6)?,
            bio_length: row.decimal(7)?,
            handle_length: row.decimal(8)?,
            handle_digit_ratio: row.decimal(9)?,
            name_words: row.decimal(10)?,
            name_matches_handle: row.boolean(11)?,
            account_age_days: row.decimal(12)?,
            label: Some(row.required_word(13)?),
        })
    }

    fn to_values(&self) -> Vec<Value<'_>> {
        vec![
            decimal(self.followers),
            decimal(self.following),
            decimal(self.posts),
            boolean(self.has_profile_pic),
            boolean(self.private),
            boolean(self.verified),
            boolean(self.has_external_url),
            decimal(self.bio_length),
            decimal(self.handle_length),
            decimal(self.handle_digit_ratio),
            decimal(self.name_words),
            boolean(self.name_matches_handle),
            decimal(self.account_age_days),
            self.label.map_or(Value::Empty, |l| Value::Word(l.as_str())),
        ]
    }
}
