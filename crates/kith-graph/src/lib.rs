//! kith-graph owns kith's graph engine: the compact CSR adjacency (in memory
//! or memory-mapped from the world store's files) and the algorithms the
//! analytics run on follow and interaction graphs.

pub mod csr;
mod error;
mod parallel;

pub use csr::Csr;
pub use error::GraphError;
pub mod edgelist;
pub mod generate;
pub mod rng;

pub use edgelist::{EdgeListGraph, IdMap, read_snap};
pub use generate::{RmatParams, rmat_csr, write_rmat_snap};
pub mod pagerank;
pub mod ppr_push;

pub use pagerank::{PageRankOptions, PageRankResult, pagerank, personalized_pagerank};
pub use ppr_push::{PushOptions, PushResult, ppr_push};
pub mod components;
pub mod kcore;

pub use components::{Components, weakly_connected_components, weakly_connected_components_with};
pub use kcore::{core_numbers, core_numbers_directed};
pub mod communities;

pub use communities::{
    Communities, CommunityAlgorithm, CommunityOptions, detect_communities,
    detect_communities_owned, modularity,
};
pub mod influence;

pub use influence::{
    DiffusionModel, EdgeProbability, InfluenceOptions, InfluenceResult, SpreadEstimate,
    maximize_influence, maximize_influence_budgeted, monte_carlo_spread,
};
pub mod overlap;

pub use overlap::{
    HyperLogLog, MinHash, OverlapReport, SketchOptions, SketchOverlapReport, exact_overlap,
    sketch_overlap,
};
