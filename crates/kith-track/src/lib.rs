//! kith-track owns kith's **operations**: the transactional store (SQLite by
//! default, PostgreSQL for teams, one interface, migrations) and everything
//! kept in it: programs, partner groups, partners, campaigns and their
//! pipeline, tracked links, promo and referral codes, reward rules, API keys,
//! clicks (group-committed), leads, sales, refunds, attribution, commissions
//! and their states, fraud holds, outbound webhooks and reports.
//!
//! It knows nothing of HTTP: `kith-server` puts it on the network and
//! `kith-cli` on the command line. Amounts are integers in the currency's
//! minor unit (cents); times are stored as Unix milliseconds and shown as
//! RFC 3339.

pub mod clicks;
pub mod commissions;
mod db;
mod error;
pub mod fraud;
pub mod history;
pub mod keys;
pub mod links;
pub mod partners;
pub mod programs;
pub mod reports;
pub mod rules;
mod sql;
pub mod track;
pub mod util;
pub mod webhooks;
mod writer;

pub use db::{Backend, Db, init_sqlite};
pub use error::Error;
