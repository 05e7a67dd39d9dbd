//! Evaluating the classifier: accuracy, sensitivity, specificity, ROC AUC
//! and Brier score, on a held-out file (with 95% intervals from the file's
//! size) or by repeated stratified k-fold cross-validation (with 95%
//! intervals over the repeats).

use super::features::LabelledSet;
use super::model::{AuthenticityModel, TrainError, TrainOptions, stratified_folds};
use crate::stats;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Confusion-matrix figures of one set of predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub rows: usize,
    pub fakes: usize,
    pub reals: usize,
    /// (TP + TN) / rows, at the threshold.
    pub accuracy: f64,
    /// TP / fakes: the share of fakes caught (recall of the fake class).
    pub sensitivity: f64,
    /// TN / reals: the share of real accounts left alone.
    pub specificity: f64,
    /// P(a random fake scores above a random real), ties half.
    pub roc_auc: f64,
    /// Mean squared error of the probabilities: calibration and sharpness.
    pub brier: f64,
}

impl Metrics {
    /// Figures of `probability` (of fake) against labels at `threshold`;
    /// `None` unless both classes are present.
    pub fn of(probability: &[f64], fake: &[bool], threshold: f64) -> Option<Metrics> {
        let fakes = fake.iter().filter(|&&f| f).count();
        let reals = fake.len() - fakes;
        if fakes == 0 || reals == 0 {
            return None;
        }
        let mut tp = 0;
        let mut tn = 0;
        let mut brier = 0.0;
        for (&p, &f) in probability.iter().zip(fake) {
            let said_fake = p >= threshold;
            tp += (said_fake && f) as usize;
            tn += (!said_fake && !f) as usize;
            let t = if f { 1.0 } else { 0.0 };
            brier += (p - t) * (p - t);
        }
        Some(Metrics {
            rows: fake.len(),
            fakes,
            reals,
            accuracy: (tp + tn) as f64 / fake.len() as f64,
            sensitivity: tp as f64 / fakes as f64,
            specificity: tn as f64 / reals as f64,
            roc_auc: stats::roc_auc(probability, fake)?,
            brier: brier / fake.len() as f64,
        })
    }
}

/// One figure of an evaluation with its 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub name: String,
    pub value: f64,
    pub interval: [f64; 2],
    pub definition: String,
}

const DEFINITIONS: [(&str, &str); 5] = [
    (
        "accuracy",
        "(true fakes + true reals) / rows, at the threshold",
    ),
    (
        "sensitivity",
        "fakes flagged / fakes (recall of the fake class)",
    ),
    ("specificity", "reals not flagged / reals"),
    (
        "roc_auc",
        "P(a random fake scores above a random real), ties count half",
    ),
    (
        "brier",
        "mean of (probability - label)^2; 0 is perfect, 0.25 is a coin",
    ),
];

/// Result of an evaluation, ready to print.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// "cross-validation" or "held-out".
    pub method: String,
    /// What the intervals are.
    pub interval_method: String,
    pub rows: usize,
    pub fakes: usize,
    pub reals: usize,
    pub threshold: f64,
    pub folds: Option<usize>,
    pub repeats: Option<usize>,
    pub features_used: Vec<String>,
    pub estimates: Vec<Estimate>,
    /// Per-repeat figures of a cross-validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_repeat: Vec<Metrics>,
}

impl EvalReport {
    pub fn get(&self, name: &str) -> Option<&Estimate> {
        self.estimates.iter().find(|e| e.name == name)
    }
}

fn values(m: &Metrics) -> [f64; 5] {
    [m.accuracy, m.sensitivity, m.specificity, m.roc_auc, m.brier]
}

/// Evaluates a trained model on a labelled set. Intervals: Wilson for the
/// three proportions, Hanley-McNeil for ROC AUC, normal for the Brier score.
pub fn evaluate_held_out(
    model: &AuthenticityModel,
    set: &LabelledSet,
    threshold: f64,
) -> Option<EvalReport> {
    let probability: Vec<f64> = set
        .x
        .par_iter()
        .map(|x| model.fake_probability(x))
        .collect();
    let m = Metrics::of(&probability, &set.fake, threshold)?;
    let tp = (m.sensitivity * m.fakes as f64).round() as u64;
    let tn = (m.specificity * m.reals as f64).round() as u64;
    let wilson = |k: u64, n: usize| stats::wilson_interval(k, n as u64).unwrap_or((0.0, 1.0));
    let auc_se = stats::auc_standard_error(m.roc_auc, m.fakes, m.reals).unwrap_or(0.0);
    let sq: Vec<f64> = probability
        .iter()
        .zip(&set.fake)
        .map(|(p, &f)| (p - if f { 1.0 } else { 0.0 }).powi(2))
        .collect();
    let brier_se = stats::std_dev(&sq).unwrap_or(0.0) / (sq.len() as f64).sqrt();
    let intervals = [
        wilson(tp + tn, m.rows),
        wilson(tp, m.fakes),
        wilson(tn, m.reals),
        (
            (m.roc_auc - stats::Z95 * auc_se).max(0.0),
            (m.roc_auc + stats::Z95 * auc_se).min(1.0),
        ),
        (
            (m.brier - stats::Z95 * brier_se).max(0.0),
            m.brier + stats::Z95 * brier_se,
        ),
    ];
    Some(EvalReport {
        method: "held-out".into(),
        interval_method: "Wilson score (proportions), Hanley-McNeil (ROC AUC), normal (Brier)"
            .into(),
        rows: m.rows,
        fakes: m.fakes,
        reals: m.reals,
        threshold,
        folds: None,
        repeats: None,
        features_used: model.features_used.clone(),
        estimates: DEFINITIONS
            .iter()
            .zip(values(&m))
            .zip(intervals)
            .map(|(((name, def), v), (lo, hi))| Estimate {
                name: name.to_string(),
                value: v,
                interval: [lo, hi],
                definition: def.to_string(),
            })
            .collect(),
        per_repeat: Vec::new(),
    })
}

/// Why a cross-validation could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvError {
    #[error("--folds must be at least 2 and --repeats at least 1")]
    BadShape,
    #[error(
        "{folds} folds need at least {folds} fake and {folds} real rows; the file has {fakes} fake and {reals} real"
    )]
    TooFewRows {
        folds: usize,
        fakes: usize,
        reals: usize,
    },
    #[error(transparent)]
    Train(#[from] TrainError),
}

/// Repeated stratified k-fold cross-validation. Each repeat deals new folds
/// (seeded by `seed` and the repeat number), trains on k-1 folds and
/// predicts the held-out one, then scores the pooled out-of-fold
/// predictions. Figures are the mean over repeats; the 95% interval is
/// mean ± t(0.975, R-1) · sd / √R over the R repeat figures (with one
/// repeat, the interval is the point).
pub fn cross_validate(
    set: &LabelledSet,
    folds: usize,
    repeats: usize,
    opts: &TrainOptions,
    threshold: f64,
    seed: u64,
) -> Result<EvalReport, CvError> {
    if folds < 2 || repeats == 0 {
        return Err(CvError::BadShape);
    }
    let fakes = set.fakes();
    let reals = set.len() - fakes;
    if fakes < folds || reals < folds {
        return Err(CvError::TooFewRows {
            folds,
            fakes,
            reals,
        });
    }
    let jobs: Vec<(usize, usize)> = (0..repeats)
        .flat_map(|r| (0..folds).map(move |k| (r, k)))
        .collect();
    let assignments: Vec<Vec<usize>> = (0..repeats)
        .map(|r| stratified_folds(&set.fake, folds, seed.wrapping_add(r as u64 * 7919)))
        .collect();
    // (repeat, [(row, probability)]) of each held-out fold.
    type FoldResult = Result<(usize, Vec<(usize, f64)>), TrainError>;
    let results: Vec<FoldResult> = jobs
        .par_iter()
        .map(|&(r, k)| {
            let assign = &assignments[r];
            let train: Vec<usize> = (0..set.len()).filter(|&i| assign[i] != k).collect();
            let model = AuthenticityModel::train(&set.subset(&train), opts)?;
            let held: Vec<(usize, f64)> = (0..set.len())
                .filter(|&i| assign[i] == k)
                .map(|i| (i, model.fake_probability(&set.x[i])))
                .collect();
            Ok((r, held))
        })
        .collect();
    let mut pooled = vec![vec![0.0; set.len()]; repeats];
    for res in results {
        let (r, held) = res?;
        for (i, p) in held {
            pooled[r][i] = p;
        }
    }
    let per_repeat: Vec<Metrics> = pooled
        .iter()
        .map(|p| Metrics::of(p, &set.fake, threshold).expect("both classes are present"))
        .collect();
    let estimates = DEFINITIONS
        .iter()
        .enumerate()
        .map(|(j, (name, def))| {
            let v: Vec<f64> = per_repeat.iter().map(|m| values(m)[j]).collect();
            let mean = stats::mean(&v).unwrap_or(0.0);
            let half = stats::std_dev(&v)
                .map(|sd| stats::t975(v.len() - 1) * sd / (v.len() as f64).sqrt())
                .unwrap_or(0.0);
            Estimate {
                name: name.to_string(),
                value: mean,
                interval: [mean - half, mean + half],
                definition: def.to_string(),
            }
        })
        .collect();
    Ok(EvalReport {
        method: "cross-validation".into(),
        interval_method: "mean ± t(0.975, R-1)·sd/√R over the R repeats".into(),
        rows: set.len(),
        fakes,
        reals,
        threshold,
        folds: Some(folds),
        repeats: Some(repeats),
        features_used: super::features::FEATURE_NAMES
            .iter()
            .zip(opts.allowed)
            .filter(|(_, a)| *a)
            .map(|(n, _)| n.to_string())
            .collect(),
        estimates,
        per_repeat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authenticity::features::NUM_FEATURES;
    use crate::authenticity::gbdt::BoostParams;
    use rand::{Rng, SeedableRng};

    /// Fakes follow many and are followed by few; some values unknown.
    pub(crate) fn synthetic(n: usize, seed: u64) -> LabelledSet {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        let mut set = LabelledSet::default();
        for _ in 0..n {
            let fake = rng.r#gen::<f64>() < 0.3;
            let mut x = [f64::NAN; NUM_FEATURES];
            let noise: f64 = rng.r#gen();
            x[0] = if fake {
                20.0 + 200.0 * noise
            } else {
                150.0 + 2000.0 * noise
            };
            x[1] = if fake {
                800.0 + 3000.0 * rng.r#gen::<f64>()
            } else {
                300.0 + 600.0 * rng.r#gen::<f64>()
            };
            if rng.r#gen::<f64>() < 0.8 {
                x[3] = if fake ^ (rng.r#gen::<f64>() < 0.1) {
                    0.0
                } else {
                    1.0
                };
            }
            x[13] = x[1] / (x[0] + 1.0);
            set.x.push(x);
            set.fake.push(fake);
            set.source.push(0);
        }
        set
    }

    fn quick() -> TrainOptions {
        TrainOptions {
            params: BoostParams {
                trees: 40,
                learning_rate: 0.15,
                ..BoostParams::default()
            },
            ..TrainOptions::default()
        }
    }

    #[test]
    fn metrics_count_the_confusion_matrix() {
        let m = Metrics::of(&[0.9, 0.2, 0.6, 0.1], &[true, true, false, false], 0.5).unwrap();
        assert_eq!(m.accuracy, 0.5);
        assert_eq!(m.sensitivity, 0.5);
        assert_eq!(m.specificity, 0.5);
        assert_eq!(m.roc_auc, 0.75);
        assert!(Metrics::of(&[0.9], &[true], 0.5).is_none());
    }

    #[test]
    fn cross_validation_separates_synthetic_fakes() {
        let set = synthetic(400, 11);
        let report = cross_validate(&set, 4, 2, &quick(), 0.5, 1).unwrap();
        let auc = report.get("roc_auc").unwrap();
        assert!(auc.value > 0.95, "{report:?}");
        assert!(auc.interval[0] <= auc.value && auc.value <= auc.interval[1]);
        assert_eq!(report.per_repeat.len(), 2);
        // Calibrated: Brier well below a coin's 0.25.
        assert!(report.get("brier").unwrap().value < 0.1);
    }

    #[test]
    fn held_out_intervals_bracket_the_values() {
        let model = AuthenticityModel::train(&synthetic(300, 5), &quick()).unwrap();
        let report = evaluate_held_out(&model, &synthetic(300, 6), 0.5).unwrap();
        for e in &report.estimates {
            assert!(
                e.interval[0] <= e.value && e.value <= e.interval[1],
                "{e:?}"
            );
        }
        assert!(report.get("accuracy").unwrap().value > 0.9);
    }

    #[test]
    fn too_few_rows_is_an_error_not_a_panic() {
        let set = synthetic(8, 3);
        assert!(cross_validate(&set, 10, 1, &quick(), 0.5, 1).is_err());
        assert!(matches!(
            cross_validate(&set, 1, 1, &quick(), 0.5, 1),
            Err(CvError::BadShape)
        ));
    }
}
