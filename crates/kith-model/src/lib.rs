//! The words kith speaks: accounts, posts, follows, interactions, follower
//! history, customers and authenticity features as plain Rust types, the
//! workspace settings (`kith.toml`), and the small text rules every other
//! crate must apply the same way (handle and hashtag normalisation, times).
//!
//! This crate depends on nothing of ours; every other kith crate depends on it.

pub mod brief;
mod kinds;
mod records;
pub mod referrals;
pub mod settings;
pub mod text;
pub mod time;

pub use brief::{Brief, BriefError, Goal};
pub use kinds::{InteractionKind, Label, ParseKindError, Platform, PostKind};
pub use records::{
    Account, AuthenticityFeatures, Customer, Follow, HistoryPoint, Interaction, Post,
};
pub use referrals::ReferralHistory;
pub use settings::{Settings, SettingsError, Tier};
