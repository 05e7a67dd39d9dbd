//! `kith authenticity train|eval`: the fake-account classifier from labelled
//! feature files (DESIGN, "authenticity features").

use crate::context::input_error;
use crate::context::{CliError, Context, exit};
use kith_analytics::authenticity::{
    AuthenticityModel, EvalReport, LabelledFile, LabelledSet, TrainOptions, TrainRecord,
    WORKSPACE_MODEL_FILE, cross_validate, evaluate_held_out, train_files,
};
use kith_model::AuthenticityFeatures;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Train a model on labelled feature files and save it.
    #[command(
        after_help = "Feature files hold the columns of DESIGN's authenticity features \
(followers, following, posts, has_profile_pic, private, verified, has_external_url, bio_length, \
handle_length, handle_digit_ratio, name_words, name_matches_handle, account_age_days) and a \
label (fake or real); empty cells are unknown, and the model handles them.

Without --out the model goes to the workspace (authenticity-model.json), where `kith inspect` \
and `kith score` use it instead of the model shipped with kith.

Example:
  kith authenticity train --features labelled.csv my-labels.csv --out model.json"
    )]
    Train {
        /// Labelled feature files (CSV or JSON Lines, .gz allowed).
        #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
        features: Vec<PathBuf>,
        /// Where to write the model [default: the workspace's authenticity-model.json].
        #[arg(long, value_name = "MODEL")]
        out: Option<PathBuf>,
        /// Cross-validation recorded in the model's provenance: folds.
        #[arg(long, default_value_t = 5, value_name = "K")]
        cv_folds: usize,
        /// ... and repeats; 0 records none.
        #[arg(long, default_value_t = 3, value_name = "R")]
        cv_repeats: usize,
    },
    /// Accuracy, sensitivity, specificity and ROC AUC, with 95% intervals.
    #[command(after_help = "Three ways:
  --model MODEL       evaluate a saved model on FILE;
  --train-on FILE...  train on other files, evaluate on FILE (only features observed in both are used,
                      unless --all-features);
  neither             repeated stratified k-fold cross-validation on FILE (--folds, --repeats).

Example (the quality floor of issue 3):
  kith authenticity eval --features instafake.csv --folds 5 --repeats 10")]
    Eval {
        /// The labelled file to evaluate on.
        #[arg(long, value_name = "FILE")]
        features: PathBuf,
        /// A saved model to evaluate.
        #[arg(long, value_name = "MODEL", conflicts_with = "train_on")]
        model: Option<PathBuf>,
        /// Train on these files and evaluate on --features.
        #[arg(long, num_args = 1.., value_name = "FILE")]
        train_on: Vec<PathBuf>,
        /// Cross-validation folds.
        #[arg(long, value_name = "K")]
        folds: Option<usize>,
        /// Cross-validation repeats.
        #[arg(long, value_name = "R")]
        repeats: Option<usize>,
        /// With --train-on: use every feature, even ones unknown in one of the sets.
        #[arg(long)]
        all_features: bool,
        /// Fake probability from which an account counts as fake
        /// [default: authenticity.fake_threshold of the workspace, else 0.5].
        #[arg(long, value_name = "P")]
        threshold: Option<f64>,
    },
}

pub fn run(command: &Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    match command {
        Command::Train {
            features,
            out,
            cv_folds,
            cv_repeats,
        } => train(features, out.as_deref(), *cv_folds, *cv_repeats, ctx),
        Command::Eval {
            features,
            model,
            train_on,
            folds,
            repeats,
            all_features,
            threshold,
        } => {
            let threshold = threshold_of(*threshold, ctx)?;
            let eval_set = read_set(std::slice::from_ref(features))?;
            let cv_shape = folds.is_some() || repeats.is_some();
            let report = if let Some(path) = model {
                if cv_shape {
                    return Err(usage(
                        "--folds and --repeats are for cross-validation, not --model",
                    ));
                }
                let model = load_model(path)?;
                evaluate_held_out(&model, &eval_set, threshold)
                    .ok_or_else(|| one_class(features))?
            } else if !train_on.is_empty() {
                if cv_shape {
                    return Err(usage(
                        "--folds and --repeats are for cross-validation, not --train-on",
                    ));
                }
                let train_set = read_set(train_on)?;
                let mut opts = TrainOptions::default();
                if !all_features {
                    let (a, b) = (train_set.observed_features(), eval_set.observed_features());
                    for (i, allowed) in opts.allowed.iter_mut().enumerate() {
                        *allowed = a[i] && b[i];
                    }
                }
                let model = AuthenticityModel::train(&train_set, &opts)
                    .map_err(|e| CliError::error(exit::DATA, e.to_string()))?;
                evaluate_held_out(&model, &eval_set, threshold)
                    .ok_or_else(|| one_class(features))?
            } else {
                cross_validate(
                    &eval_set,
                    folds.unwrap_or(5),
                    repeats.unwrap_or(10),
                    &TrainOptions::default(),
                    threshold,
                    42,
                )
                .map_err(|e| CliError::error(exit::DATA, e.to_string()))?
            };
            print_report(&report, features, train_on, model.as_deref(), ctx);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn train(
    features: &[PathBuf],
    out: Option<&Path>,
    cv_folds: usize,
    cv_repeats: usize,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let out = match out {
        Some(p) => p.to_path_buf(),
        None => ctx.workspace()?.dir().join(WORKSPACE_MODEL_FILE),
    };
    let mut bytes = Vec::new();
    let mut rows = Vec::new();
    for path in features {
        bytes.push(
            std::fs::read(path)
                .map_err(|e| kith_io::Error::io(path, &e))
                .map_err(input_error)?,
        );
        rows.push(read_rows(path)?);
    }
    let files: Vec<LabelledFile<'_>> = features
        .iter()
        .zip(&bytes)
        .zip(rows)
        .map(|((path, bytes), rows)| LabelledFile {
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            bytes,
            rows,
        })
        .collect();
    let record = TrainRecord {
        trained_at: kith_model::time::format_time(kith_model::time::now()),
        cross_validation: (cv_repeats > 0).then_some((cv_folds, cv_repeats)),
        threshold: threshold_of(None, ctx)?,
    };
    let model = train_files(&files, &TrainOptions::default(), &record)
        .map_err(|e| CliError::error(exit::DATA, e.to_string()))?;
    std::fs::write(&out, model.to_json() + "\n")
        .map_err(|e| CliError::error(exit::IO, format!("{}: {e}", out.display())))?;
    let p = &model.provenance;
    if ctx.json {
        let summary = serde_json::json!({
            "model": out.display().to_string(),
            "rows": p.rows, "fakes": p.fakes, "reals": p.reals,
            "training_files": p.training_files,
            "cross_validation": p.cross_validation,
        });
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "Trained on {} rows ({} fake, {} real) from {} file(s); wrote {}",
            p.rows,
            p.fakes,
            p.reals,
            p.training_files.len(),
            out.display()
        );
        if let Some(cv) = &p.cross_validation {
            print_estimates(cv);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(message: &str) -> anyhow::Error {
    CliError::error(exit::USAGE, message)
}

fn one_class(path: &Path) -> anyhow::Error {
    CliError::error(
        exit::DATA,
        format!(
            "{}: needs both fake and real rows to evaluate",
            path.display()
        ),
    )
}

/// The `--threshold`, else the workspace's setting, else 0.5; always in (0, 1).
fn threshold_of(given: Option<f64>, ctx: &Context) -> anyhow::Result<f64> {
    let t = match given {
        Some(t) => t,
        None => kith_store::Workspace::open(&ctx.workspace_dir)
            .map(|ws| ws.settings().authenticity.fake_threshold)
            .unwrap_or(0.5),
    };
    if !(t > 0.0 && t < 1.0) {
        return Err(usage(&format!(
            "the threshold must be between 0 and 1, got {t}"
        )));
    }
    Ok(t)
}

fn read_rows(path: &Path) -> anyhow::Result<Vec<AuthenticityFeatures>> {
    kith_io::read_all(path, &kith_io::ReadOptions::default()).map_err(input_error)
}

fn read_set(paths: &[PathBuf]) -> anyhow::Result<LabelledSet> {
    let mut set = LabelledSet::default();
    for path in paths {
        let rows = read_rows(path)?;
        set.push_file(&path.display().to_string(), &rows)
            .map_err(|e| CliError::error(exit::DATA, e.to_string()))?;
    }
    Ok(set)
}

/// Reads a model file; a missing file is missing input, a bad one bad data.
pub fn load_model(path: &Path) -> anyhow::Result<AuthenticityModel> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            exit::NO_INPUT
        } else {
            exit::IO
        };
        CliError::error(code, format!("{}: {}", path.display(), e))
    })?;
    AuthenticityModel::from_json(&text)
        .map_err(|e| CliError::error(exit::DATA, format!("{}: {e}", path.display())))
}

fn print_report(
    report: &EvalReport,
    features: &Path,
    train_on: &[PathBuf],
    model: Option<&Path>,
    ctx: &Context,
) {
    if ctx.json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).expect("reports serialise")
        );
        return;
    }
    let what = match (model, train_on.is_empty()) {
        (Some(m), _) => format!("Model {} evaluated on {}", m.display(), features.display()),
        (None, false) => format!(
            "Trained on {}, evaluated on {}",
            train_on
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            features.display()
        ),
        (None, true) => format!(
            "Cross-validation on {}: {} folds x {} repeats, stratified",
            features.display(),
            report.folds.unwrap_or(0),
            report.repeats.unwrap_or(0)
        ),
    };
    println!("{}", ctx.bold(&what));
    println!(
        "{} rows ({} fake, {} real); fake from probability {:.2}",
        report.rows, report.fakes, report.reals, report.threshold
    );
    if report.features_used.len() < kith_analytics::authenticity::FEATURE_NAMES.len() {
        println!("features used: {}", report.features_used.join(", "));
    }
    print_estimates(report);
    println!("95% intervals: {}", report.interval_method);
}

fn print_estimates(report: &EvalReport) {
    println!(
        "{:<12} {:>7}  {:<17}  definition",
        "figure", "value", "95% interval"
    );
    for e in &report.estimates {
        println!(
            "{:<12} {:>7.4}  {:>7.4} to {:<7.4}  {}",
            e.name, e.value, e.interval[0], e.interval[1], e.definition
        );
    }
}
