//! Authenticity: the fake-account classifier (features, boosted trees,
//! calibration, evaluation) and the per-account signals built on it.

pub mod eval;
pub mod features;
pub mod gbdt;
pub mod model;
pub mod training;

pub use eval::{CvError, EvalReport, Metrics, cross_validate, evaluate_held_out};
pub use features::{FEATURE_NAMES, FeatureVector, LabelledSet, Profile, ProfileFeatures};
pub use model::{
    AuthenticityModel, ModelError, Provenance, TrainError, TrainOptions, TrainingFile,
    WORKSPACE_MODEL_FILE,
};
pub use training::{LabelledFile, TrainFilesError, TrainRecord, train_files};
