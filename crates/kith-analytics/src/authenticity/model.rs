//! The fake-account classifier: a boosted ensemble (see [`super::gbdt`])
//! whose margins are mapped to probabilities by Platt scaling fitted on
//! out-of-fold margins, saved as a versioned JSON file with its provenance.

use super::features::{FEATURE_NAMES, FeatureVector, LabelledSet, NUM_FEATURES};
use super::gbdt::{self, BoostParams, Ensemble};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// What a model file says it is.
pub const MODEL_FORMAT: &str = "kith-authenticity-model";
/// Bumped whenever the file layout or the feature vector changes meaning.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The model kith ships, trained on `../shared/data/authenticity` (both
/// files); its provenance is inside and in docs/vetting.md.
pub const DEFAULT_MODEL_JSON: &str = include_str!("../../models/authenticity-default.json");

/// The file in a workspace directory that holds a model the user trained
/// (`kith authenticity train`); when present it replaces the shipped one.
pub const WORKSPACE_MODEL_FILE: &str = "authenticity-model.json";

/// Platt's sigmoid: P(fake) = 1 / (1 + exp(a * margin + b)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

impl Platt {
    pub fn probability(&self, margin: f64) -> f64 {
        gbdt::sigmoid(-(self.a * margin + self.b))
    }

    /// Fits a and b by Newton's method on weighted log loss against Platt's
    /// smoothed targets ((N+ + 1) / (N+ + 2) and 1 / (N- + 2)), which keep
    /// a separable calibration set from pushing a to infinity.
    pub fn fit(margins: &[f64], fake: &[bool], weights: &[f64]) -> Platt {
        let w_pos: f64 = (0..fake.len())
            .filter(|&i| fake[i])
            .map(|i| weights[i])
            .sum();
        let w_neg: f64 = (0..fake.len())
            .filter(|&i| !fake[i])
            .map(|i| weights[i])
            .sum();
        let t_pos = (w_pos + 1.0) / (w_pos + 2.0);
        let t_neg = 1.0 / (w_neg + 2.0);
        let target: Vec<f64> = fake
            .iter()
            .map(|&f| if f { t_pos } else { t_neg })
            .collect();
        let loss = |a: f64, b: f64| -> f64 {
            let mut l = 0.0;
            for i in 0..margins.len() {
                // p = sigmoid(-(a m + b)); log loss computed stably.
                let z = -(a * margins[i] + b);
                let log_p = -softplus(-z);
                let log_1mp = -softplus(z);
                l -= weights[i] * (target[i] * log_p + (1.0 - target[i]) * log_1mp);
            }
            l
        };
        let (mut a, mut b) = (-1.0, ((w_neg + 1.0) / (w_pos + 1.0)).ln());
        let mut current = loss(a, b);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for i in 0..margins.len() {
                let p = gbdt::sigmoid(-(a * margins[i] + b));
                // d loss / d z where z = -(a m + b) is w (p - t); dz/da = -m.
                let d = weights[i] * (p - target[i]);
                let h = weights[i] * p * (1.0 - p);
                ga -= d * margins[i];
                gb -= d;
                haa += h * margins[i] * margins[i];
                hab += h * margins[i];
                hbb += h;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = -(hbb * ga - hab * gb) / det;
            let db = -(haa * gb - hab * ga) / det;
            let mut step = 1.0;
            let mut improved = false;
            while step > 1e-8 {
                let (na, nb) = (a + step * da, b + step * db);
                let l = loss(na, nb);
                if l < current - 1e-12 {
                    a = na;
                    b = nb;
                    current = l;
                    improved = true;
                    break;
                }
                step /= 2.0;
            }
            if !improved || (step * da).abs() + (step * db).abs() < 1e-10 {
                break;
            }
        }
        Platt { a, b }
    }
}

fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

/// Where a model came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub kith_version: String,
    /// RFC 3339 time of training.
    pub trained_at: String,
    pub training_files: Vec<TrainingFile>,
    pub rows: usize,
    pub fakes: usize,
    pub reals: usize,
    pub weighting: String,
    pub calibration: String,
    /// Cross-validated figures on the training rows, if they were computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_validation: Option<super::eval::EvalReport>,
}

/// One training file, fingerprinted so a model can be traced to its data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingFile {
    pub name: String,
    pub rows: usize,
    pub fakes: usize,
    /// FNV-1a 64 of the file's bytes, hex.
    pub fnv1a64: String,
}

/// FNV-1a 64-bit hash, for fingerprinting training files (not security).
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    pub params: BoostParams,
    /// Folds whose out-of-fold margins fit the Platt calibration.
    pub calibration_folds: usize,
    /// Features the trees may split on; the rest are ignored.
    pub allowed: [bool; NUM_FEATURES],
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            params: BoostParams::default(),
            calibration_folds: 3,
            allowed: [true; NUM_FEATURES],
        }
    }
}

/// Why a model could not be trained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainError {
    #[error(
        "not enough training rows: need at least {need} fake and {need} real, got {fakes} fake and {reals} real"
    )]
    TooFew {
        need: usize,
        fakes: usize,
        reals: usize,
    },
}

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a kith authenticity model ({0})")]
    NotAModel(String),
    #[error(
        "model file format version {found}; this kith reads version {expected} (retrain with `kith authenticity train`)"
    )]
    Version { found: u64, expected: u32 },
    #[error("model file is corrupt: {0}")]
    Corrupt(String),
}

/// A trained, calibrated classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthenticityModel {
    pub format: String,
    pub format_version: u32,
    /// The feature vector's layout the trees index into.
    pub features: Vec<String>,
    /// The features the trees were allowed to split on.
    pub features_used: Vec<String>,
    pub params: BoostParams,
    pub platt: Platt,
    pub provenance: Provenance,
    pub ensemble: Ensemble,
}

/// Row weights: within each source file, fakes and reals weigh the same in
/// total, so that which file a row came from (and so which features it has
/// unknown) says nothing about its label. Falls back to balancing over the
/// whole set when a file holds only one class. Mean weight 1.
pub fn balanced_weights(set: &LabelledSet) -> Vec<f64> {
    let sources = set.source.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![[0usize; 2]; sources];
    for (s, &f) in set.source.iter().zip(&set.fake) {
        counts[*s][f as usize] += 1;
    }
    let per_source = counts.iter().all(|c| c[0] > 0 && c[1] > 0);
    let total = [set.fake.iter().filter(|&&f| !f).count(), set.fakes()];
    let mut w: Vec<f64> = set
        .source
        .iter()
        .zip(&set.fake)
        .map(|(s, &f)| {
            let c = if per_source { counts[*s] } else { total };
            let n = (c[0] + c[1]) as f64;
            n / (2.0 * c[f as usize].max(1) as f64)
        })
        .collect();
    let mean = w.iter().sum::<f64>() / w.len().max(1) as f64;
    if mean > 0.0 {
        w.iter_mut().for_each(|v| *v /= mean);
    }
    w
}

/// Stratified assignment of rows to `k` folds: each class is shuffled and
/// dealt round-robin, so every fold has the class ratio of the whole.
pub fn stratified_folds(fake: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let mut fold = vec![0; fake.len()];
    let mut offset = 0;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..fake.len()).filter(|&i| fake[i] == class).collect();
        idx.shuffle(&mut rng);
        for (j, &i) in idx.iter().enumerate() {
            fold[i] = (j + offset) % k;
        }
        // Continue dealing where the first class stopped, so fold sizes
        // differ by at most one overall.
        offset = (offset + idx.len()) % k;
    }
    fold
}

impl AuthenticityModel {
    /// Trains on `set` with per-file balanced weights; calibration by Platt
    /// scaling on `calibration_folds`-fold out-of-fold margins.
    pub fn train(set: &LabelledSet, opts: &TrainOptions) -> Result<AuthenticityModel, TrainError> {
        let fakes = set.fakes();
        let reals = set.len() - fakes;
        let need = opts.calibration_folds.max(2);
        if fakes < need || reals < need {
            return Err(TrainError::TooFew { need, fakes, reals });
        }
        let weights = balanced_weights(set);
        let folds = stratified_folds(&set.fake, opts.calibration_folds, opts.params.seed ^ 0xca1);
        let mut oof = vec![0.0; set.len()];
        let fold_models: Vec<(usize, Ensemble)> = {
            use rayon::prelude::*;
            (0..opts.calibration_folds)
                .into_par_iter()
                .map(|k| {
                    let train: Vec<usize> = (0..set.len()).filter(|&i| folds[i] != k).collect();
                    let sub = set.subset(&train);
                    let w: Vec<f64> = train.iter().map(|&i| weights[i]).collect();
                    (
                        k,
                        gbdt::fit(&sub.x, &sub.fake, &w, &opts.allowed, &opts.params),
                    )
                })
                .collect()
        };
        for (k, model) in &fold_models {
            for i in (0..set.len()).filter(|&i| folds[i] == *k) {
                oof[i] = model.margin(&set.x[i]);
            }
        }
        let platt = Platt::fit(&oof, &set.fake, &weights);
        let ensemble = gbdt::fit(&set.x, &set.fake, &weights, &opts.allowed, &opts.params);
        Ok(AuthenticityModel {
            format: MODEL_FORMAT.to_string(),
            format_version: MODEL_FORMAT_VERSION,
            features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
            features_used: FEATURE_NAMES
                .iter()
                .zip(opts.allowed)
                .filter(|(_, a)| *a)
                .map(|(n, _)| n.to_string())
                .collect(),
            params: opts.params.clone(),
            platt,
            provenance: Provenance {
                kith_version: env!("CARGO_PKG_VERSION").to_string(),
                rows: set.len(),
                fakes,
                reals,
                weighting: "per training file, fakes and reals weigh the same in total".into(),
                calibration: format!(
                    "Platt scaling on {}-fold stratified out-of-fold margins",
                    opts.calibration_folds
                ),
                ..Provenance::default()
            },
            ensemble,
        })
    }

    /// P(fake) of one account, calibrated to equal class priors (see
    /// [`balanced_weights`]).
    pub fn fake_probability(&self, x: &FeatureVector) -> f64 {
        self.platt.probability(self.ensemble.margin(x))
    }

    /// The model kith ships.
    pub fn default_model() -> AuthenticityModel {
        AuthenticityModel::from_json(DEFAULT_MODEL_JSON)
            .expect("the shipped default model is valid (a test checks it)")
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model always serialises")
    }

    /// Reads a model file's text, checking format, version, feature layout
    /// and tree structure before anything is trusted.
    pub fn from_json(text: &str) -> Result<AuthenticityModel, ModelError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ModelError::NotAModel(e.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(MODEL_FORMAT) {
            return Err(ModelError::NotAModel(format!(
                "no \"format\": \"{MODEL_FORMAT}\" field"
            )));
        }
        let found = value
            .get("format_version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| ModelError::Corrupt("no format_version".into()))?;
        if found != MODEL_FORMAT_VERSION as u64 {
            return Err(ModelError::Version {
                found,
                expected: MODEL_FORMAT_VERSION,
            });
        }
        let model: AuthenticityModel =
            serde_json::from_value(value).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        if model.features != FEATURE_NAMES {
            return Err(ModelError::Corrupt(format!(
                "feature layout {:?} differs from this kith's {:?}",
                model.features, FEATURE_NAMES
            )));
        }
        if !(model.platt.a.is_finite()
            && model.platt.b.is_finite()
            && model.ensemble.base_margin.is_finite())
        {
            return Err(ModelError::Corrupt("non-finite calibration".into()));
        }
        for tree in &model.ensemble.trees {
            tree.validate(NUM_FEATURES).map_err(ModelError::Corrupt)?;
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_recovers_a_known_sigmoid() {
        // Labels drawn (deterministically, by quantiles) from P = sigmoid(2 m - 1).
        let mut margins = Vec::new();
        let mut fake = Vec::new();
        for i in 0..200 {
            let m = -3.0 + 6.0 * (i as f64) / 199.0;
            let p = gbdt::sigmoid(2.0 * m - 1.0);
            for j in 0..200 {
                margins.push(m);
                fake.push((j as f64 + 0.5) / 200.0 < p);
            }
        }
        let w = vec![1.0; margins.len()];
        let platt = Platt::fit(&margins, &fake, &w);
        assert!((platt.a + 2.0).abs() < 0.05, "{platt:?}");
        assert!((platt.b - 1.0).abs() < 0.05, "{platt:?}");
    }

    #[test]
    fn folds_are_stratified() {
        let fake: Vec<bool> = (0..100).map(|i| i % 5 == 0).collect();
        let folds = stratified_folds(&fake, 5, 7);
        for k in 0..5 {
            let in_fold: Vec<usize> = (0..100).filter(|&i| folds[i] == k).collect();
            assert_eq!(in_fold.len(), 20);
            assert_eq!(in_fold.iter().filter(|&&i| fake[i]).count(), 4);
        }
    }

    #[test]
    fn balanced_weights_equalise_classes_per_file() {
        let set = LabelledSet {
            x: vec![[0.0; NUM_FEATURES]; 6],
            fake: vec![true, false, false, false, true, false],
            source: vec![0, 0, 0, 0, 1, 1],
        };
        let w = balanced_weights(&set);
        let sum = |src: usize, f: bool| -> f64 {
            (0..6)
                .filter(|&i| set.source[i] == src && set.fake[i] == f)
                .map(|i| w[i])
                .sum()
        };
        assert!((sum(0, true) - sum(0, false)).abs() < 1e-12);
        assert!((sum(1, true) - sum(1, false)).abs() < 1e-12);
        assert!((w.iter().sum::<f64>() - 6.0).abs() < 1e-9);
    }

    #[test]
    fn shipped_model_loads_and_round_trips() {
        let model = AuthenticityModel::default_model();
        assert_eq!(model.provenance.training_files.len(), 2);
        assert!(model.provenance.cross_validation.is_some());
        let again = AuthenticityModel::from_json(&model.to_json()).unwrap();
        assert_eq!(again, model);
        // An account that follows thousands, has no picture, posts and
        // followers looks fake; an established one does not.
        let fake = super::super::ProfileFeatures {
            followers: Some(12.0),
            following: Some(4000.0),
            posts: Some(0.0),
            has_profile_pic: Some(false),
            bio_length: Some(0.0),
            handle_length: Some(14.0),
            handle_digit_ratio: Some(0.4),
            ..Default::default()
        };
        let real = super::super::ProfileFeatures {
            followers: Some(2400.0),
            following: Some(500.0),
            posts: Some(300.0),
            has_profile_pic: Some(true),
            bio_length: Some(80.0),
            handle_length: Some(8.0),
            handle_digit_ratio: Some(0.0),
            ..Default::default()
        };
        assert!(model.fake_probability(&fake.to_vector()) > 0.9);
        assert!(model.fake_probability(&real.to_vector()) < 0.1);
    }

    #[test]
    fn bad_model_files_are_refused_with_a_reason() {
        let err = AuthenticityModel::from_json("{ not json").unwrap_err();
        assert!(matches!(err, ModelError::NotAModel(_)), "{err}");
        let err = AuthenticityModel::from_json(r#"{"format": "something-else"}"#).unwrap_err();
        assert!(
            err.to_string().contains("not a kith authenticity model"),
            "{err}"
        );
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_MODEL_JSON).unwrap();
        v["format_version"] = 99.into();
        let err = AuthenticityModel::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_MODEL_JSON).unwrap();
        v["ensemble"]["trees"][0]["nodes"][0]["left"] = 0.into();
        let err = AuthenticityModel::from_json(&v.to_string()).unwrap_err();
        assert!(matches!(err, ModelError::Corrupt(_)), "{err}");
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_MODEL_JSON).unwrap();
        v["features"][0] = "likes".into();
        assert!(AuthenticityModel::from_json(&v.to_string()).is_err());
        let truncated = &DEFAULT_MODEL_JSON[..DEFAULT_MODEL_JSON.len() / 2];
        assert!(AuthenticityModel::from_json(truncated).is_err());
    }
}
