//! Diffusion models and their edge probabilities.

use crate::{Csr, GraphError};

/// How influence spreads along an edge u -> v.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DiffusionModel {
    /// Independent Cascade: each newly active u activates each out-neighbour
    /// v once, with probability p(u, v).
    IndependentCascade(EdgeProbability),
    /// Linear Threshold: v activates when the summed weight of its active
    /// in-neighbours reaches a uniform random threshold; weights are p(u, v)
    /// and must sum to at most 1 over each node's in-edges.
    LinearThreshold(EdgeProbability),
}

/// The probability (IC) or weight (LT) of an edge u -> v.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EdgeProbability {
    /// Weighted cascade: 1 / in-degree(v).
    WeightedCascade,
    /// The same p for every edge.
    Uniform(f64),
}

impl Default for DiffusionModel {
    /// IC with weighted cascade probabilities, the usual benchmark setting.
    fn default() -> DiffusionModel {
        DiffusionModel::IndependentCascade(EdgeProbability::WeightedCascade)
    }
}

impl DiffusionModel {
    pub(crate) fn probability(&self) -> EdgeProbability {
        match *self {
            DiffusionModel::IndependentCascade(p) | DiffusionModel::LinearThreshold(p) => p,
        }
    }

    /// Checks the model against the graph (given by its in-adjacency).
    pub(crate) fn check(&self, inn: &Csr) -> Result<(), GraphError> {
        if let EdgeProbability::Uniform(p) = self.probability() {
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                return Err(GraphError::invalid(format!(
                    "edge probability {p} is not in [0, 1]"
                )));
            }
            if let DiffusionModel::LinearThreshold(_) = self {
                let max_in = (0..inn.num_nodes() as u32)
                    .map(|v| inn.degree(v))
                    .max()
                    .unwrap_or(0);
                if p * max_in as f64 > 1.0 + 1e-12 {
                    return Err(GraphError::invalid(format!(
                        "Linear Threshold weights must sum to at most 1 per node: {p} x in-degree {max_in} > 1"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Probability of each in-edge of a node with in-degree `d` (0 < d).
    #[inline]
    pub(crate) fn edge_probability(&self, d: usize) -> f64 {
        match self.probability() {
            EdgeProbability::WeightedCascade => 1.0 / d as f64,
            EdgeProbability::Uniform(p) => p,
        }
    }

    pub fn name(&self) -> String {
        let p = match self.probability() {
            EdgeProbability::WeightedCascade => "weighted cascade p = 1/indeg(v)".to_string(),
            EdgeProbability::Uniform(p) => format!("uniform p = {p}"),
        };
        match self {
            DiffusionModel::IndependentCascade(_) => format!("IC, {p}"),
            DiffusionModel::LinearThreshold(_) => format!("LT, {p}"),
        }
    }
}
