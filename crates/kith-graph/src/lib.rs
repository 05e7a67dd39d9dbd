//! kith-graph owns kith's graph engine: the compact CSR adjacency (in memory
//! or memory-mapped from the world store's files) and the algorithms the
//! analytics run on follow and interaction graphs.

pub mod csr;
mod error;
mod parallel;

pub use csr::Csr;
pub use error::GraphError;
