//! kith's vetting analytics: engagement rates against peers of the same
//! size (the expected-ER curve and the ER index), authenticity (a calibrated
//! fake-account classifier, suspicious-follower share, growth anomalies,
//! engagement pods), conversation and brand saturation.
//!
//! Metrics are pure functions over plain slices and structs; every figure
//! comes back as a [`Figure`] carrying its definition, window, sample size,
//! observation time and confidence, or "not enough data" and why.

pub mod authenticity;
pub mod conversation;
pub mod curve;
pub mod discover;
pub mod engagement;
pub mod figure;
pub mod followers;
pub mod growth;
pub mod pods;
pub mod saturation;
pub mod stats;
pub mod world;

pub use figure::{Confidence, Figure};
pub use world::{AccountReport, ScoreRow, Vetting, data_as_of, fit_curves};
