//! Training from labelled files, as `kith authenticity train` does it: one
//! source per file (for per-file class balance), the files fingerprinted in
//! the model's provenance, and optionally a cross-validation on the same
//! rows recorded beside them.

use super::eval::{CvError, cross_validate};
use super::features::{LabelledSet, MissingLabel};
use super::model::{AuthenticityModel, TrainError, TrainOptions, TrainingFile, fnv1a64};
use kith_model::AuthenticityFeatures;

/// One labelled file, already read.
pub struct LabelledFile<'a> {
    /// How the provenance names it (the file name, without directories, so
    /// a model does not leak a user's paths).
    pub name: String,
    /// The file's bytes, for the fingerprint.
    pub bytes: &'a [u8],
    pub rows: Vec<AuthenticityFeatures>,
}

/// Why training from files failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainFilesError {
    #[error(transparent)]
    MissingLabel(#[from] MissingLabel),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error("cross-validation: {0}")]
    CrossValidation(#[from] CvError),
}

/// What to record beside the model.
pub struct TrainRecord {
    /// RFC 3339 time of training.
    pub trained_at: String,
    /// (folds, repeats) of a cross-validation to embed; `None` skips it.
    pub cross_validation: Option<(usize, usize)>,
    /// Threshold for the embedded figures.
    pub threshold: f64,
}

/// Trains on all files together and fills the model's provenance.
pub fn train_files(
    files: &[LabelledFile<'_>],
    opts: &TrainOptions,
    record: &TrainRecord,
) -> Result<AuthenticityModel, TrainFilesError> {
    let mut set = LabelledSet::default();
    let mut fingerprints = Vec::new();
    for f in files {
        let before = set.len();
        let fakes_before = set.fakes();
        set.push_file(&f.name, &f.rows)?;
        fingerprints.push(TrainingFile {
            name: f.name.clone(),
            rows: set.len() - before,
            fakes: set.fakes() - fakes_before,
            fnv1a64: fnv1a64(f.bytes),
        });
    }
    let mut model = AuthenticityModel::train(&set, opts)?;
    model.provenance.training_files = fingerprints;
    model.provenance.trained_at = record.trained_at.clone();
    if let Some((folds, repeats)) = record.cross_validation {
        let mut report = cross_validate(&set, folds, repeats, opts, record.threshold, 42)?;
        // The per-repeat rows are reproducible from the command; keep the file small.
        report.per_repeat.clear();
        model.provenance.cross_validation = Some(report);
    }
    Ok(model)
}
